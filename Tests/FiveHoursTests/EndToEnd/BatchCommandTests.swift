import Foundation
import Testing

/// The Friday batch as the office runs it, through the binary (issue 15): the 15:00 run without
/// --week-ending, --language, the summary line on stderr, output errors, what the reports lead with.
@Suite("The Friday batch (issue 15)", .serialized)
struct BatchCommandTests {
    var config: String { Binary.samples.appendingPathComponent("campaign.yaml").path }

    func temp() throws -> URL { try ImportTestSupport.makeTempFolder("batch") }

    func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test("the 15:00 batch without --week-ending reports the week ending that day, names missing summaries, and says what it did on stderr")
    func fridayBatch() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let r = try Binary.run(["weekly", "--config", config, "--now", "2019-08-09T15:00:00+08:00", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == out.appendingPathComponent("weekly-2019-08-09").path + "\n")
        let folder = out.appendingPathComponent("weekly-2019-08-09")
        let units = try read(folder.appendingPathComponent("units.csv"))
        #expect(units.contains("\r\n工会办,department,") && units.contains(",missing\r\n"))
        #expect(!units.contains(",pending\r\n"), "a summary due at 15:00 is missing at 15:00")
        let md = try read(folder.appendingPathComponent("weekly-summary.md"))
        // The reporting panel comes before the five-hour tables, and missing summaries have a placeholder.
        let panel = try #require(md.range(of: "## 报送情况"))
        let unitsTable = try #require(md.range(of: "## 各单位五小时达标情况"))
        #expect(panel.lowerBound < unitsTable.lowerBound)
        #expect(md.contains("- **周总结**：按时 10 · 未报 2；未报：工会办、纪检办\n"))
        #expect(md.contains("### 工会办\n\n**未报** · 未报送本周总结与下周计划"))
        // Last week's logs are not among the inputs (one stray row): no misleading change.
        #expect(md.contains("上周数据不全"))
        #expect(!md.contains("较上周 +"))
        // The last stderr line sums the run up.
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last == "fivehours: weekly 2019-08-09: 9 files written to \(folder.path); findings: 7 errors, 23 warnings, 1 info; 4 rejected; inputs: 11 files (0 rejected whole)")
        // Saturday morning still reports the same week.
        let sat = try Binary.run(["weekly", "--config", config, "--now", "2019-08-10T09:00:00+08:00", "--out", out.path, "--format", "csv", "--quiet"])
        #expect(sat.stdout == folder.path + "\n")
        #expect(sat.stderr.isEmpty, "--quiet silences the summary line too")
    }

    @Test("a limit on file size (ulimit -f) stops the run with 1 and its reason; the earlier report stays, no staging left")
    func fileSizeLimit() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let args = ["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00", "--out", out.path, "--quiet"]
        #expect(try Binary.run(args).status == 0)
        let folder = out.appendingPathComponent("weekly-2019-08-09")
        let before = try read(folder.appendingPathComponent("weekly-summary.html"))
        // The shell's limit is inherited; 40 blocks of 512 bytes is less than the summary's HTML.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -f 40; exec \"$0\" \"$@\"", Binary.executable.path] + args
        let err = Pipe()
        p.standardError = err
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "\(p.terminationReason) \(p.terminationStatus): \(stderr)")
        #expect(stderr.split(separator: "\n").last?.hasPrefix("fivehours: ") == true, "\(stderr)")
        #expect(try read(folder.appendingPathComponent("weekly-summary.html")) == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.contains(".new-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("stderr that cannot be written (a full disk, a pipe with no reader, closed) or stdout and stderr closed: the report is written all the same, exit 0, and the lock file holds nothing of theirs",
          arguments: ["2>/dev/full", "2>&1 | head -c0", ">&- 2>&-", "<&- >&- 2>&-"])
    func stderrThatFails(redirection: String) throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let args = ["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00", "--out", out.path]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `exit` of the first command's status: a pipeline's would be head's.
        p.arguments = ["-c", "\"$0\" \"$@\" \(redirection); exit ${PIPESTATUS:-$?}", Binary.executable.path] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if !redirection.contains("|") { #expect(p.terminationStatus == 0, "\(redirection): \(p.terminationReason) \(p.terminationStatus)") }
        let folder = out.appendingPathComponent("weekly-2019-08-09")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("weekly-summary.html").path), "\(redirection)")
        let lock = try Data(contentsOf: out.appendingPathComponent(".fivehours.lock"))
        #expect(lock.isEmpty, "\(redirection): \(String(decoding: lock, as: UTF8.self))")
    }

    /// Run as another user (`setpriv`), which only root can do: the batch run as its own user
    /// after a report was once written by root.
    static let canRunAsNobody = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    @Test("an earlier report the run cannot remove (another user's) is said on stderr with where it stays; the new report is in place",
          .enabled(if: BatchCommandTests.canRunAsNobody, "needs root, to run the batch as nobody"))
    func earlierReportNotOurs() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let args = ["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00", "--out", out.path]
        #expect(try Binary.run(args).status == 0)
        #expect(chown(out.path, 65534, 65534) == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Binary.executable.path] + args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("fivehours: warning: the earlier report could not be removed (another user's files?) and stays at \(out.path)/.weekly-2019-08-09.new-"),
                "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("weekly-2019-08-09/weekly-summary.html").path))
    }

    @Test("a week named before it is over is in progress: no one short, marked 进行中")
    func inProgress() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let r = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-07T12:00:00+08:00",
                                "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = out.appendingPathComponent("weekly-2019-08-09")
        let volunteers = try read(folder.appendingPathComponent("volunteers.csv"))
        #expect(!volunteers.contains(",short\r\n"))
        let html = try read(folder.appendingPathComponent("weekly-summary.html"))
        #expect(html.contains("<span class=\"tag pending\">进行中</span>"))
        #expect(!html.contains("<svg"), "no compliance chart for a week still running")
        let md = try read(folder.appendingPathComponent("weekly-summary.md"))
        #expect(md.contains("| 党政办 | 科室 | 5 | "), "\(md)")
        #expect(!md.contains("| 100% |"), "no rate for a week still running")
        #expect(!(try read(folder.appendingPathComponent("findings.csv"))).contains("five_hours"))
        // Held all week and not there yet: "not met yet", counted apart from the one volunteer
        // active only some days (V060); the CSV keeps the contract's `partial`.
        #expect(md.contains("| 进行中（达标 49 · 尚未达标 9） |") && md.contains("| 59（部分在队 1） |"), "\(md)")
        #expect(md.contains("| 单位 | 类型 | 志愿者 | 达标 | 尚未达标 | 部分在队 |"))
        #expect(md.contains("| V005 | 陈晓燕 | 4.00 | 尚未达标 |") && md.contains("| 部分在队 |"))
        #expect(volunteers.contains("V005,陈晓燕,党政办,") && volunteers.contains(",4.00,0.00,0.00,partial\r\n"))
        let check = try Binary.run(["check", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-07T12:00:00+08:00", "--quiet"])
        #expect(check.stdout.contains("在队志愿者 59 名：达标 49，尚未达标 9，部分在队 1；"), "\(check.stdout.suffix(300))")
    }

    @Test("--language en: labels, finding details and subjects in English, half-width punctuation; a bad language is a usage error")
    func english() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let r = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00",
                                "--out", out.path, "--language", "en", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = out.appendingPathComponent("weekly-2019-08-09")
        let md = try read(folder.appendingPathComponent("weekly-summary.md"))
        #expect(md.hasPrefix("# Weekly volunteer service summary\n"))
        #expect(md.contains("Week: 2019-08-03 — 2019-08-09"))
        #expect(md.contains("## Findings (31)"))
        #expect(!md.contains("Week：") && !md.contains("Findings（"))
        let findings = try read(folder.appendingPathComponent("findings.csv"))
        #expect(findings.contains("weekly_summary,error,纪检办,weekly summary 2019-08-09,2019-08-09,no summary of this week and plan for the next (due by 2019-08-09 15:00),"))
        #expect(!findings.contains("未报送") && !findings.contains("小时"))
        let manifest = try read(folder.appendingPathComponent("manifest.json"))
        #expect(manifest.contains("\"language\" : \"en\"") || manifest.contains("\"language\":\"en\""))
        let check = try Binary.run(["check", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00",
                                    "--language", "en", "--quiet"])
        #expect(check.stdout.contains("ERROR liaison [纪检办] liaison: no active liaison this week (1 required)"))
        let bad = try Binary.run(["weekly", "--config", config, "--language", "fr", "--out", out.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--language takes zh-CN or en, not 'fr'"))
    }

    @Test("the daily bulletin leads with who reported, groups activities by unit, and shows no week-level findings")
    func daily() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let r = try Binary.run(["daily", "--config", config, "--date", "2019-08-07", "--now", "2019-08-09T18:00:00+08:00",
                                "--out", out.path, "--format", "md", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let md = try read(out.appendingPathComponent("daily-2019-08-07/daily-bulletin.md"))
        let reporting = try #require(md.range(of: "## 今日简报报送"))
        let activities = try #require(md.range(of: "## 今日活动"))
        #expect(reporting.lowerBound < activities.lowerBound)
        #expect(md.contains("按时 **11** · 未报 **1**；未报：安监办\n"))
        #expect(md.contains("### 党政办（4 次 · 5.00 小时）"))
        // Week-level rules (liaisons, five hours, rosters, unknown names) are the weekly summary's.
        for heading in ["### 联络员", "### 五小时要求", "### 名单报送", "### 未知服务队"] { #expect(!md.contains(heading), "\(heading)") }
        #expect(md.contains("### 每日简报（1）"))
    }

    @Test("output errors say what is wrong and what to do, exit 1, and leave nothing half-written")
    func outputErrors() throws {
        let out = try temp()
        defer { ImportTestSupport.remove(out) }
        let file = out.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let common = ["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-09T18:00:00+08:00", "--quiet"]
        let under = try Binary.run(common + ["--out", file.appendingPathComponent("reports").path])
        #expect(under.status == 1)
        #expect(under.stderr == "fivehours: \(file.path): a file is in the way: the output folder needs a folder here (move the file away or choose another --out)\n")
        // A file where the report folder goes.
        try Data("x".utf8).write(to: out.appendingPathComponent("weekly-2019-08-09"))
        let inTheWay = try Binary.run(common + ["--out", out.path])
        #expect(inTheWay.status == 1)
        #expect(inTheWay.stderr.contains("weekly-2019-08-09: a file is in the way of the report folder"))
        #expect(try read(out.appendingPathComponent("weekly-2019-08-09")) == "x")
        for r in [under, inTheWay] { #expect(!r.stderr.contains("could not be completed")) }
    }
}
