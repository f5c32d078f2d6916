import Foundation
import Testing
@testable import FiveHours

/// The command line of contract §1, run through the built binary: exit codes, stdout, stderr.
@Suite("Command line (§1)")
struct CommandLineTests {
    var config: String { Binary.samples.appendingPathComponent("campaign.yaml").path }

    @Test("check on samples/ lists every file, every reject and the findings; exits 1 on errors")
    func checkSamples() throws {
        let r = try Binary.run(["check", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00", "--quiet"])
        #expect(r.status == 1) // samples have missing bulletins: severity error
        #expect(r.stderr.isEmpty)
        // The headings in the campaign's language (zh-CN), as the reports'.
        for file in ["rosters/科室花名册.csv  [花名册, GB18030]", "rosters/工作站花名册.csv  [花名册, UTF-8 (BOM)]",
                     "activities/第三工作站-活动.xml  [服务记录, XML]", "submissions/简报报送.csv  [报送记录, GB18030]"] {
            #expect(r.stdout.contains(file), "missing \(file)")
        }
        #expect(r.stdout.contains("activities/2019-08-第一周-科室.csv:15: 日期(date) '2019/8/32' 不是有效日期（如 2019-08-05 或 2019/8/5）"))
        #expect(r.stdout.contains("未读入的数据（4）："))
        #expect(r.stdout.contains("检查发现（"))
        #expect(r.stdout.contains("在队志愿者 59 名：达标 49，未达标 9，部分在队 1；"))
        #expect(!r.stdout.contains("Findings") && !r.stdout.contains("volunteers active"))
        #expect(!r.stdout.contains("1380013"), "a phone number reached stdout")
    }

    @Test("usage and campaign-file errors exit 2 with a message on stderr", arguments: [
        ["weekly", "--config", "CONFIG", "--week-ending", "2019-08-08"],
        ["weekly", "--config", "CONFIG", "--format", "pdf"],
        ["weekly", "--config", "CONFIG", "--csv-header", "both"],
        ["weekly", "--config", "CONFIG", "--now", "yesterday"],
        ["daily", "--config", "CONFIG"],
        ["daily", "--config", "CONFIG", "--date", "2019-02-30"],
        ["monthly", "--config", "CONFIG", "--month", "2019-08", "--week-ending", "19-08-09"],
        ["weekly", "--config", "CONFIG", "--language", "fr"],
        ["weekly", "--config", "CONFIG", "--bogus"],
        ["weekly", "--config", "/nonexistent/campaign.yaml"],
        ["frobnicate"],
        [],
    ])
    func usage(arguments: [String]) throws {
        let r = try Binary.run(arguments.map { $0 == "CONFIG" ? config : $0 } + (arguments.isEmpty ? [] : ["--quiet"]))
        #expect(r.status == 2, "stdout: \(r.stdout) stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        // The reason is the last line (BATCH.md: a cron job keeps `tail -n 1`), the usage before it.
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("fivehours: ") && last.count > "fivehours: ".count, "last line: \(last)")
        #expect(!r.stderr.contains("Error: "))
        if arguments.first == "daily" { #expect(r.stderr.contains("Usage: fivehours daily")) }
    }

    @Test("an output folder nothing can be written into is named as such, not as a lock file (exit 1)")
    func unwritableOutput() throws {
        // /proc/self is a folder no file can be made in, whoever runs the tests.
        let r = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00",
                                "--out", "/proc/self", "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("fivehours: /proc/self: cannot write into this folder ("), "\(r.stderr)")
        #expect(r.stderr.contains("choose another --out or output.dir") && !r.stderr.contains("lock file"))
    }

    @Test("templates --out onto a file, or into a folder no file can be made in, says so in words (exit 1), not as Foundation's error")
    func templatesOutErrors() throws {
        let folder = try ImportTestSupport.makeTempFolder("cli")
        defer { ImportTestSupport.remove(folder) }
        let file = folder.appendingPathComponent("afile")
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8)))
        let onFile = try Binary.run(["templates", "--out", file.path])
        #expect(onFile.status == 1)
        #expect(onFile.stderr.contains("a file is in the way") && !onFile.stderr.contains("NSCocoaErrorDomain"), "\(onFile.stderr)")
        let inProc = try Binary.run(["templates", "--out", "/proc/self"])
        #expect(inProc.status == 1)
        #expect(inProc.stderr.contains("/proc/self/") && inProc.stderr.contains("cannot write the template") || inProc.stderr.contains("no permission to write the template"),
                "\(inProc.stderr)")
        #expect(!inProc.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test("the program installed alone (copied into a folder of its own) writes every report: its templates are compiled in")
    func installedAlone() throws {
        // Every template a report needs is one compiled in: a template added to templates/ but
        // not to the package's embedded resources fails here. (The run below cannot hide the
        // build tree from the copy; this list is what makes the copy need nothing of it.)
        #expect(Set(ReportRenderer.templateNames.map { $0 + ".mustache" }) == Set(ReportRenderer.shipped.map(\.file)))
        let folder = try ImportTestSupport.makeTempFolder("installed")
        defer { ImportTestSupport.remove(folder) }
        let installed = folder.appendingPathComponent("fivehours")
        try FileManager.default.copyItem(at: Binary.executable, to: installed)
        let p = Process()
        p.executableURL = installed
        p.arguments = ["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00",
                       "--out", folder.appendingPathComponent("out").path, "--quiet"]
        p.environment = ProcessInfo.processInfo.environment.filter { $0.key != "FIVEHOURS_TEMPLATES" }
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let html = try String(contentsOf: folder.appendingPathComponent("out/weekly-2019-08-09/weekly-summary.html"), encoding: .utf8)
        #expect(html.contains("<style>") && html.contains("各单位五小时达标情况"))
        // `fivehours templates` writes the compiled-in copies: the repository's templates/, byte for byte.
        let copies = folder.appendingPathComponent("copies")
        let t = Process()
        t.executableURL = installed
        t.arguments = ["templates", "--out", copies.path]
        t.standardOutput = FileHandle.nullDevice
        try t.run()
        t.waitUntilExit()
        let shipped = Binary.packageRoot.appendingPathComponent("templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: shipped.path).filter { $0.hasSuffix(".mustache") }.sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: copies.path).sorted() == names)
        for name in names {
            #expect(try Data(contentsOf: copies.appendingPathComponent(name)) == Data(contentsOf: shipped.appendingPathComponent(name)), "\(name)")
        }
    }

    @Test("no subcommand is a usage error (2), the help on stderr; --help asks for it (0, stdout)")
    func noSubcommand() throws {
        let bare = try Binary.run([])
        #expect(bare.status == 2)
        #expect(bare.stdout.isEmpty)
        #expect(bare.stderr.contains("weekly") && bare.stderr.contains("monthly"))
        let help = try Binary.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("weekly"))
    }

    @Test("a bad campaign file names the file, the line and the key")
    func badCampaign() throws {
        let folder = try ImportTestSupport.makeTempFolder("cli")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("campaign:\n  name: x\nrules:\n  weekly_hourz: 5\ninputs:\n  rosters: [r]\n", to: "c.yaml", in: folder)
        let r = try Binary.run(["check", "--config", folder.appendingPathComponent("c.yaml").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("c.yaml:4: rules.weekly_hourz: unknown key 'weekly_hourz'"))
    }

    @Test("an input path that does not exist stops the run with 1; earlier reports stay")
    func missingInput() throws {
        let folder = try ImportTestSupport.makeTempFolder("cli")
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let ok = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00",
                                 "--out", out.path, "--quiet"])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasSuffix("weekly-2019-08-09\n"))
        let before = try Data(contentsOf: out.appendingPathComponent("weekly-2019-08-09/volunteers.csv"))
        let yaml = try String(contentsOf: Binary.samples.appendingPathComponent("campaign.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "rosters: [rosters]", with: "rosters: [\(Binary.samples.path)/rosters, /nonexistent/rosters]")
            .replacingOccurrences(of: "activities: [activities]", with: "activities: [\(Binary.samples.path)/activities]")
            .replacingOccurrences(of: "submissions: [submissions]", with: "submissions: [\(Binary.samples.path)/submissions]")
        try ImportTestSupport.write(yaml, to: "campaign.yaml", in: folder)
        let r = try Binary.run(["weekly", "--config", folder.appendingPathComponent("campaign.yaml").path, "--week-ending", "2019-08-09",
                                "--out", out.path, "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/rosters"))
        #expect(try Data(contentsOf: out.appendingPathComponent("weekly-2019-08-09/volunteers.csv")) == before)
        // Stopped before it takes an output folder: a new one is not even made.
        for kind in [["weekly", "--week-ending", "2019-08-09"], ["daily", "--date", "2019-08-07"], ["monthly", "--month", "2019-08"]] {
            let fresh = folder.appendingPathComponent("fresh-\(kind[0])")
            let again = try Binary.run(kind + ["--config", folder.appendingPathComponent("campaign.yaml").path, "--out", fresh.path, "--quiet"])
            #expect(again.status == 1)
            #expect(!FileManager.default.fileExists(atPath: fresh.path), "\(kind[0]) made \(fresh.path)")
        }
    }

    @Test("--format picks the files; CSVs have a BOM and CRLF")
    func formats() throws {
        let folder = try ImportTestSupport.makeTempFolder("cli")
        defer { ImportTestSupport.remove(folder) }
        let r = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00",
                                "--out", folder.path, "--format", "csv", "--csv-header", "keys", "--quiet"])
        #expect(r.status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("weekly-2019-08-09").path).sorted()
        #expect(files == ["findings.csv", "manifest.json", "rejects.csv", "teams.csv", "units.csv", "volunteers.csv"])
        let units = try [UInt8](Data(contentsOf: folder.appendingPathComponent("weekly-2019-08-09/units.csv")))
        #expect(Array(units.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: units.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("unit,kind,volunteers,met,short,compliance_rate,hours,liaison,liaison_status,daily_on_time,daily_late,daily_missing,weekly_status\r\n"))
        #expect(text.contains("纪检办,department,3,2,1,0.67,17.00,,missing,7,0,0,missing\r\n"))
    }

    @Test("a daily bulletin of a day without sessions says so, without the empty team and unit tables, in Markdown and HTML")
    func dayWithoutSessions() throws {
        let folder = try ImportTestSupport.makeTempFolder("cli")
        defer { ImportTestSupport.remove(folder) }
        // Sunday 2019-08-25: the samples log nothing that day.
        let r = try Binary.run(["daily", "--config", config, "--date", "2019-08-25", "--now", "2019-08-26T09:00:00+08:00",
                                "--out", folder.path, "--format", "html,md", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOf: folder.appendingPathComponent("daily-2019-08-25/daily-bulletin.md"), encoding: .utf8)
        let html = try String(contentsOf: folder.appendingPathComponent("daily-2019-08-25/daily-bulletin.html"), encoding: .utf8)
        #expect(md.contains("今日没有服务记录。\n\n## "))
        #expect(!md.contains("各服务队服务时长") && !md.contains("各单位服务时长"))
        #expect(!md.contains("|---|--:|--:|--:|"))
        #expect(!html.contains("id=\"teams\"") && !html.contains("id=\"unit-hours\"") && html.contains("今日没有服务记录"))
        // A day with sessions keeps both tables.
        let day = try Binary.run(["daily", "--config", config, "--date", "2019-08-07", "--now", "2019-08-26T09:00:00+08:00",
                                  "--out", folder.path, "--format", "md", "--quiet"])
        #expect(day.status == 0)
        let busy = try String(contentsOf: folder.appendingPathComponent("daily-2019-08-07/daily-bulletin.md"), encoding: .utf8)
        #expect(busy.contains("## 各服务队服务时长") && busy.contains("## 各单位服务时长"))
    }

    @Test("a second run on the same output folder fails at once while the first holds the lock")
    func lock() throws {
        let folder = try ImportTestSupport.makeTempFolder("cli")
        defer { ImportTestSupport.remove(folder) }
        let lockPath = folder.appendingPathComponent(".fivehours.lock").path
        #expect(FileManager.default.createFile(atPath: lockPath, contents: nil))
        let fd = open(lockPath, O_RDWR)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { flock(fd, LOCK_UN); close(fd) }
        let r = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--out", folder.path, "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("another fivehours run is writing to this folder"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("weekly-2019-08-09").path))
    }
}
