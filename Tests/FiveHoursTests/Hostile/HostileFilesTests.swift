import Foundation
import Testing
@testable import FiveHours
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17: what an unlucky operator (or a hostile folder) puts among the inputs — a FIFO, a
/// link out of the input folders, the output folder itself, a folder named twice — and the
/// campaign-file and output traps around them: an ambiguous time zone, a lock file that is a
/// link, an empty `--out`.
@Suite("Hostile files and unlucky operators (issue 17)")
struct HostileFilesTests {
    static let now = "2019-08-10T12:00:00+08:00"

    /// Runs the binary, killing it after `seconds`: a hang fails the test instead of the suite.
    static func run(_ arguments: [String], seconds: Double = 60) throws -> Hostile.Run {
        let child = try Hostile.start(arguments)
        final class Done: @unchecked Sendable {
            let lock = NSLock()
            var done = false
        }
        let done = Done()
        let pid = child.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            done.lock.lock()
            defer { done.lock.unlock() }
            if !done.done { _ = Glibc.kill(pid, SIGKILL) }
        }
        let r = child.wait()
        done.lock.lock()
        done.done = true
        done.lock.unlock()
        return r
    }

    static func campaign(_ folder: URL) -> String { folder.appendingPathComponent("campaign.yaml").path }

    @Test("a FIFO inside an input folder is refused unopened: weekly and check finish, the FIFO is a whole-file reject")
    func fifoInFolder() throws {
        var s = Scenario()
        s.activities = "record_id,volunteer_id,date,start,end,hours\nA1,V1,2019-08-07,9:00,11:00,\n"
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        #expect(mkfifo(folder.appendingPathComponent("activities/late.csv").path, 0o644) == 0)
        let out = folder.appendingPathComponent("out")
        let w = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now,
                              "--out", out.path, "--csv-header", "keys", "--quiet"], seconds: 30)
        #expect(w.signal == nil, "the run hung on the FIFO and was killed")
        #expect(w.status == 0, "\(w.stderr)")
        let rejects = try Hostile.records(try #require(Hostile.files(under: out)["weekly-2019-08-09/rejects.csv"]))
        #expect(rejects.map { $0["source"] } == ["activities/late.csv:1"])
        #expect(rejects.first?["reason"] == "整个文件未读入：不是普通文件（命名管道（FIFO）），未读入")
        let c = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--quiet"], seconds: 30)
        #expect(c.signal == nil)
        #expect(c.stdout.contains("activities/late.csv:1: 整个文件未读入"), "\(c.stdout)")
    }

    @Test("escape sequences in a cell, a unit's name or a file's name never reach the terminal raw (check's stdout, progress on stderr)")
    func terminalEscapes() throws {
        var s = Scenario()
        s.activities = "record_id,volunteer_id,date,start,end,hours,unit\nA1,V1,2019-08-07,,,bad\u{1B}]0;PWNED\u{07},\nA2,V1,2019-08-07,9:00,10:00,,单位\u{1B}]52;c;ZXZpbA==\u{07}\u{9B}2J\n"
        s.files["activities/n\u{1B}[2J.csv"] = Array("record_id,volunteer_id,date,hours\nB1,V1,2019-08-07,1\r\n".utf8)
        // A right-to-left override makes `…gnp.exe.csv` read as `…csv.exe.png`.
        s.files["activities/\u{202E}gnp.exe.csv"] = Array("record_id,volunteer_id,date,hours\nB2,V1,2019-08-07,bad\r\n".utf8)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let c = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now], seconds: 30)
        #expect(c.signal == nil)
        for (name, text) in [("stdout", c.stdout), ("stderr", c.stderr)] {
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0.value == 0x0D || $0.value == 0x202E },
                    "\(name): \(text.debugDescription)")
        }
        #expect(c.stdout.contains("bad␛]0;PWNED␇"), "\(c.stdout)")
        #expect(c.stderr.contains("activities/n␛[2J.csv"), "\(c.stderr)")
    }

    @Test("a line break in a file's name or in --out never starts a line of its own on stdout or stderr: no line forged in the program's voice")
    func lineBreaksInNames() throws {
        var s = Scenario()
        let forged = "fivehours: weekly 2019-08-09: 0 files written; all fine"
        s.files["activities/evil\n\(forged).csv"] = Array("record_id,volunteer_id,date,hours\nB1,V1,2019-08-07,bad\n".utf8)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let c = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now], seconds: 30)
        let out = folder.appendingPathComponent("out\nforged").path
        let w = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--out", out], seconds: 30)
        #expect(w.status == 0, "\(w.stderr)")
        for (name, text) in [("check stdout", c.stdout), ("check stderr", c.stderr), ("weekly stdout", w.stdout), ("weekly stderr", w.stderr)] {
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix(forged) || $0.hasPrefix("forged") }, "\(name): \(text)")
        }
        #expect(c.stdout.contains("activities/evil␊\(forged).csv"), "\(c.stdout)")
        #expect(w.stdout == folder.path + "/out␊forged/weekly-2019-08-09\n", "\(w.stdout)")
        #expect(w.stderr.split(separator: "\n").last?.hasPrefix("fivehours: weekly 2019-08-09: ") == true, "\(w.stderr)")
    }

    @Test("a FIFO named in inputs: stops the run at once with exit 1, naming it")
    func fifoNamed() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let fifo = folder.appendingPathComponent("pipe.csv").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let yaml = try String(contentsOfFile: Self.campaign(folder), encoding: .utf8)
            .replacingOccurrences(of: "activities: [activities]", with: "activities: [activities, pipe.csv]")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: Self.campaign(folder)))
        let r = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now], seconds: 30)
        #expect(r.signal == nil, "the run hung on the FIFO")
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(fifo): cannot open: not a regular file but a FIFO"), "\(r.stderr)")
    }

    @Test("openRegular opens a regular file and refuses a FIFO without blocking")
    func openRegular() throws {
        let folder = try ImportTestSupport.makeTempFolder("open")
        defer { ImportTestSupport.remove(folder) }
        let file = try ImportTestSupport.write("a,b\n", to: "f.csv", in: folder)
        let fd = try InputFiles.openRegular(file.path)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(read(fd, &buf, 8) == 4)
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK == 0)
        close(fd)
        let fifo = folder.appendingPathComponent("p.csv").path
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: InputOpenError.self) { try InputFiles.openRegular(fifo) }
        let link = folder.appendingPathComponent("l.csv").path
        #expect(symlink(file.path, link) == 0)
        #expect(throws: InputOpenError.self) { try InputFiles.openRegular(link, noFollow: true) }
        #expect(throws: InputOpenError.self) { try InputFiles.openRegular(folder.path) }
    }

    @Test("a symlinked file pointing out of the input folders is refused: not imported, not hashed")
    func symlinkOut() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let outside = try ImportTestSupport.write("volunteer_id,name,unit\nV9,外人甲,甲科\n", to: "elsewhere/roster.csv", in: folder)
        #expect(symlink(outside.path, folder.appendingPathComponent("rosters/linked.csv").path) == 0)
        // A link to a file inside the input folders is an ordinary way to share one: read once.
        #expect(symlink(folder.appendingPathComponent("submissions/s.csv").path, folder.appendingPathComponent("rosters/zz-shared.csv").path) == 0)
        let out = folder.appendingPathComponent("out")
        let r = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now,
                              "--out", out.path, "--csv-header", "keys", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = Hostile.files(under: out)
        let volunteers = try Hostile.records(try #require(files["weekly-2019-08-09/volunteers.csv"]))
        #expect(!volunteers.contains { $0["volunteer_id"] == "V9" }, "a roster outside the inputs was imported")
        let manifest = try #require(files["weekly-2019-08-09/manifest.json"])
        #expect(!Hostile.contains(manifest, SHA256.hex(of: [UInt8](try Data(contentsOf: outside)))), "the outside file was hashed")
        let rejects = try Hostile.records(try #require(files["weekly-2019-08-09/rejects.csv"]))
        #expect(rejects.contains { $0["source"] == "rosters/linked.csv:1" && $0["reason"] == "整个文件未读入：符号链接指向输入文件夹之外，未读入" })
        #expect(Hostile.contains(manifest, "rosters/zz-shared.csv")) // a link inside the inputs is read
        // In English, every word of the refusal is English (rejects.csv, the check).
        let en = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now,
                               "--out", out.path, "--csv-header", "keys", "--quiet", "--language", "en"])
        #expect(en.status == 0, "\(en.stderr)")
        let enRejects = try Hostile.records(try #require(Hostile.files(under: out)["weekly-2019-08-09/rejects.csv"]))
        #expect(enRejects.contains { $0["source"] == "rosters/linked.csv:1" && $0["reason"] == "whole file rejected: a symbolic link out of the input folders is not followed" })
        let check = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--language", "en"])
        #expect(check.stdout.contains("whole file rejected: a symbolic link out of the input folders is not followed"), "\(check.stdout)")
        #expect(!(check.stdout + check.stderr).contains("符号链接"), "\(check.stdout)")
    }

    @Test("the output folder inside an input folder is never read back as input")
    func outputInsideInputs() throws {
        var s = Scenario()
        s.activities = "record_id,volunteer_id,date,start,end,hours\nA1,V1,2019-08-07,9:00,11:00,\n"
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        for out in ["rosters/out", "rosters"] {
            let outPath = folder.appendingPathComponent(out).path
            var outputs: [[String: [UInt8]]] = []
            for _ in 0..<2 {
                let r = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now,
                                      "--out", outPath, "--csv-header", "keys", "--quiet"])
                #expect(r.status == 0, "\(r.stderr)")
                outputs.append(Hostile.files(under: URL(fileURLWithPath: outPath).appendingPathComponent("weekly-2019-08-09")))
            }
            #expect(outputs[0] == outputs[1], "the second run (out: \(out)) read the first one's output")
            // The run's own reports are skipped without a word; the first round's output root
            // (rosters/out, with its lock), another run's, is refused, named — never read.
            let rejects = try Hostile.records(try #require(outputs[1]["rejects.csv"]))
            #expect(rejects.map { $0["source"] ?? "" } == (out == "rosters" ? ["rosters/out:1"] : []), "\(rejects)")
            #expect(rejects.allSatisfy { $0["reason"] == "整个文件未读入：该文件夹存放的是本程序的输出（含 .fivehours.lock 或 manifest.json），不作为输入读入；输入文件请放在别处" })
        }
        // With the default output.dir too, and a report moved beside it by hand.
        let yaml = try String(contentsOfFile: Self.campaign(folder), encoding: .utf8).replacingOccurrences(of: "dir: reports", with: "dir: activities/reports")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: Self.campaign(folder)))
        for _ in 0..<2 {
            let r = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        // A report folder moved by hand under another name is recognised by its manifest.
        try FileManager.default.moveItem(at: folder.appendingPathComponent("activities/reports/weekly-2019-08-09"),
                                         to: folder.appendingPathComponent("activities/上周报告"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("activities/reports"))
        let entries = try InputFiles.list([folder.appendingPathComponent("activities").path, folder.appendingPathComponent("rosters").path],
                                          inputFolders: [], outputFolder: nil)
        #expect(entries.filter { $0.refusal == nil }.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["log.csv", "roster.csv"])
        #expect(entries.filter { $0.refusal != nil }.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["上周报告", "out", "weekly-2019-08-09"])
    }

    @Test("nothing in an input folder is left out without a trace: a name that is not UTF-8, a link to a folder, a lock file dropped into a unit's folder are refused, named")
    func noSilentSkips() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let activities = folder.appendingPathComponent("activities")
        // A GBK name, as a zip made on Chinese Windows unpacks (中.csv), a folder named so, and a
        // photo named so (中.jpg: not an input under any name, ignored).
        for (name, isFolder) in [([0xD6, 0xD0] + Array(".csv".utf8), false), ([0xB5, 0xA5, 0xCE, 0xBB], true),
                                 ([0xD6, 0xD0] + Array(".jpg".utf8), false)] as [([UInt8], Bool)] {
            let path = Array(activities.path.utf8) + [47] + name + [0]
            try path.withUnsafeBufferPointer { p in
                try p.withMemoryRebound(to: CChar.self) { c in
                    let ok = isFolder ? mkdir(c.baseAddress!, 0o755) == 0 : { let fd = creat(c.baseAddress!, 0o644); close(fd); return fd >= 0 }()
                    try #require(ok)
                }
            }
        }
        // A shared folder linked in, and a unit's folder holding a lock file someone dropped there.
        let shared = try ImportTestSupport.makeTempFolder("shared")
        defer { ImportTestSupport.remove(shared) }
        try Data("record_id,volunteer_id,date,hours\nS1,V1,2019-08-07,4\n".utf8).write(to: shared.appendingPathComponent("s.csv"))
        try FileManager.default.createSymbolicLink(at: activities.appendingPathComponent("共享"), withDestinationURL: shared)
        let unit = activities.appendingPathComponent("乙科")
        try FileManager.default.createDirectory(at: unit, withIntermediateDirectories: true)
        try Data("record_id,volunteer_id,date,hours\nB1,V3,2019-08-07,5\n".utf8).write(to: unit.appendingPathComponent("b.csv"))
        try Data().write(to: unit.appendingPathComponent(".fivehours.lock"))
        // A log handed in as a workbook, beside Excel's own lock file of it.
        try Data([0x50, 0x4B, 0x03, 0x04]).write(to: activities.appendingPathComponent("周报.xlsx"))
        try Data().write(to: activities.appendingPathComponent("~$周报.xlsx"))
        let entries = try InputFiles.list([activities.path], inputFolders: [activities.path], outputFolder: nil)
        #expect(entries.filter(\.skipped).map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["周报.xlsx"])
        let refused = entries.filter { $0.refusal != nil }.map { (String($0.path.dropFirst(activities.path.count + 1)), $0.refusal!.en) }
        #expect(refused.count == 4, "\(refused)")
        #expect(refused.contains { $0.0 == "共享" && $0.1 == "a symbolic link to a folder is not followed; name the folder in inputs:" })
        #expect(refused.contains { $0.0 == "乙科" && $0.1.hasPrefix("this folder holds fivehours' output") })
        #expect(refused.filter { $0.1.hasPrefix("its name is not UTF-8") }.count == 1)
        #expect(refused.filter { $0.1.hasPrefix("the folder's name is not UTF-8") }.count == 1)
        // The run goes on; each refusal is a whole-file reject with its reason.
        let r = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now,
                              "--out", folder.appendingPathComponent("out").path, "--csv-header", "keys", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let rejects = try Hostile.records(try #require(Hostile.files(under: folder.appendingPathComponent("out"))["weekly-2019-08-09/rejects.csv"]))
        #expect(rejects.filter { $0["reason"]?.hasPrefix("整个文件未读入：") == true }.count == 4, "\(rejects)")
        let check = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now])
        #expect(check.stdout.contains("activities/周报.xlsx  不是 CSV 或 XML，未读入；若是要读入的数据，请另存为“CSV UTF-8”（或 CSV）"), "\(check.stdout)")
        #expect(check.stderr.contains("activities/周报.xlsx: not CSV or XML, not read"), "\(check.stderr)")
    }

    @Test("a listed file swapped for a link before it is opened is not read: the run stops, naming it")
    func swappedForALink() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let outside = try ImportTestSupport.makeTempFolder("outside")
        defer { ImportTestSupport.remove(outside) }
        let secret = outside.appendingPathComponent("secret.csv")
        try Data("volunteer_id,name,unit\nX1,秘密,甲科\n".utf8).write(to: secret)
        let log = folder.appendingPathComponent("activities/log.csv")
        let entries = try InputFiles.list([folder.appendingPathComponent("activities").path], inputFolders: [], outputFolder: nil)
        #expect(entries.map(\.path) == [log.path])
        #expect((try? TextBuffer.load(path: log.path)) != nil)
        try FileManager.default.removeItem(at: log)
        try FileManager.default.createSymbolicLink(at: log, withDestinationURL: secret)
        #expect {
            _ = try TextBuffer.load(path: log.path)
        } throws: { error in
            (error as? InputOpenError)?.description.contains("no longer the file listed") == true
        }
    }

    @Test("a folder tree deeper than 32 levels is not walked past the 32nd: the folder there is refused, named; files above it are read")
    func deepFolders() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        var deep = folder.appendingPathComponent("activities")
        for level in 1...40 {
            deep = deep.appendingPathComponent("d")
            try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
            if level == 32 { try Data("record_id,volunteer_id,date,hours\nD1,V1,2019-08-07,4\n".utf8).write(to: deep.appendingPathComponent("ok.csv")) }
        }
        try Data("record_id,volunteer_id,date,hours\nD2,V1,2019-08-07,4\n".utf8).write(to: deep.appendingPathComponent("deep.csv"))
        let entries = try InputFiles.list([folder.appendingPathComponent("activities").path], inputFolders: [], outputFolder: nil)
        #expect(entries.filter { $0.refusal == nil }.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["ok.csv", "log.csv"]) // by path: activities/d/… first
        let refused = try #require(entries.first { $0.refusal != nil })
        #expect(refused.path.components(separatedBy: "/d").count - 1 == 33)
        #expect(refused.refusal?.zh.contains("文件夹嵌套超过 32 层") == true)
    }

    @Test("a file reached as two kinds (a link in the logs' folder to the roster) is read once, as the first; the other is refused, saying so")
    func readAsTwoKinds() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("activities/roster-link.csv").path,
                                                   withDestinationPath: "../rosters/roster.csv")
        let lists = try InputFiles.lists(of: try CampaignLoader.load(path: Self.campaign(folder)), outputFolder: nil)
        let activities = try #require(lists.first { $0.kind == .activity }).entries
        let link = try #require(activities.first { $0.path.hasSuffix("roster-link.csv") })
        #expect(link.refusal?.zh == "该文件已作为花名册读入，不再作为服务记录读入；请从 inputs: 中的一处删去它（或删去指向它的链接）")
        #expect(try #require(lists.first { $0.kind == .roster }).entries.allSatisfy { $0.refusal == nil })
    }

    @Test("a folder or file listed twice under inputs: is read once")
    func listedTwice() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let yaml = try String(contentsOfFile: Self.campaign(folder), encoding: .utf8)
            .replacingOccurrences(of: "rosters: [rosters]", with: "rosters: [rosters, rosters/, ./rosters/roster.csv]")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: Self.campaign(folder)))
        let r = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--quiet"])
        #expect(r.stdout.contains("输入文件（3）："), "\(r.stdout)")
        #expect(r.stdout.contains("未读入的数据（0）："))
        #expect(!r.stdout.contains("duplicate"))
    }

    @Test("a hard link to a listed file is the same file: read once (files are told apart by device and inode, not by path)")
    func hardLinkReadOnce() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let roster = folder.appendingPathComponent("rosters/roster.csv").path
        #expect(link(roster, folder.appendingPathComponent("rosters/roster2.csv").path) == 0)
        let r = try Self.run(["check", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--quiet"])
        #expect(r.stdout.contains("输入文件（3）："), "\(r.stdout)")
        #expect(r.stdout.contains("rosters/roster.csv") && !r.stdout.contains("roster2.csv"), "\(r.stdout)")
        #expect(!r.stdout.contains("duplicate"))
    }

    @Test("timezone: an abbreviation (CST, EST, IST, GMT+8) is a campaign-file error naming the fix", arguments: ["CST", "EST", "IST", "GMT+8", "Japan", "BJT", "Beijing"])
    func ambiguousZone(_ zone: String) throws {
        let yaml = "campaign:\n  name: x\n  timezone: \(zone)\ninputs:\n  rosters: [r]\n"
        #expect {
            _ = try CampaignLoader.parse(yaml, path: "/tmp/c.yaml")
        } throws: { e in
            let d = (e as? CampaignError)?.description ?? ""
            return d.hasPrefix("c.yaml:3: campaign.timezone: '\(zone)' is not an IANA time-zone name") && d.contains("Asia/Shanghai")
        }
        // The zone database's old names of the Area/City form are names of one zone too, when
        // this machine's database has them (Debian moved them to tzdata-legacy).
        let links = ["US/Pacific", "Canada/Eastern"].filter { TimeZone(identifier: $0) != nil && TimeZone.knownTimeZoneIdentifiers.contains($0) }
        for ok in ["Asia/Shanghai", "UTC", "GMT", "Etc/GMT-8", "America/Argentina/Buenos_Aires"] + links {
            let campaign = try CampaignLoader.parse("campaign:\n  name: x\n  timezone: \(ok)\ninputs:\n  rosters: [r]\n", path: "/tmp/c.yaml")
            #expect(campaign.zone.identifier == ok)
        }
        // PRC is the zone database's own old name of Asia/Shanghai, not an abbreviation.
        for written in ["PRC", "prc"] {
            let prc = try CampaignLoader.parse("campaign:\n  name: x\n  timezone: \(written)\ninputs:\n  rosters: [r]\n", path: "/tmp/c.yaml")
            #expect(prc.zone.identifier == "Asia/Shanghai")
        }
    }

    @Test("timezone: CST through the binary exits 2 with file, line and the fix")
    func ambiguousZoneBinary() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let yaml = try String(contentsOfFile: Self.campaign(folder), encoding: .utf8).replacingOccurrences(of: "Asia/Shanghai", with: "CST")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: Self.campaign(folder)))
        let r = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now, "--quiet"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("campaign.yaml:4: campaign.timezone: 'CST' is not an IANA time-zone name"), "\(r.stderr)")
        #expect(r.stderr.contains("Asia/Shanghai"))
    }

    @Test("a lock file that is a symbolic link is not followed: nothing is created at its target, exit 1")
    func lockLink() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let target = folder.appendingPathComponent("victim.txt").path
        #expect(symlink(target, out.appendingPathComponent(".fivehours.lock").path) == 0)
        let r = try Self.run(["weekly", "--config", Self.campaign(folder), "--week-ending", "2019-08-09", "--now", Self.now,
                              "--out", out.path, "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("the lock file is a symbolic link"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "the lock followed the link and created its target")
    }

    @Test("--out \"\" is a usage error (exit 2), not the current folder")
    func emptyOut() throws {
        let folder = try Scenario().write()
        defer { ImportTestSupport.remove(folder) }
        for command in [["weekly", "--week-ending", "2019-08-09"], ["daily", "--date", "2019-08-07"]] {
            let r = try Self.run(command + ["--config", Self.campaign(folder), "--now", Self.now, "--out", "", "--quiet"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("--out names no folder"))
        }
    }

    @Test("a campaign of 40,000 units loads, and a unit or team listed twice is found at its line")
    func manyUnits() throws {
        var yaml = "campaign:\n  name: x\ninputs:\n  rosters: [r]\nunits:\n"
        for i in 0..<40_000 { yaml += "  - { name: 单位\(i) }\n" }
        let campaign = try CampaignLoader.parse(yaml, path: "/tmp/c.yaml")
        #expect(campaign.units.count == 40_000)
        yaml += "  - { name: 单位39999 }\n"
        #expect {
            _ = try CampaignLoader.parse(yaml, path: "/tmp/c.yaml")
        } throws: { e in
            (e as? CampaignError)?.description == "c.yaml:40006: units[40000].name: unit '单位39999' is listed twice"
        }
        let teams = "campaign:\n  name: x\ninputs:\n  rosters: [r]\nteams:\n  - { name: 甲队 }\n  - { name: 乙队 }\n  - { name: 甲队 }\n"
        #expect {
            _ = try CampaignLoader.parse(teams, path: "/tmp/c.yaml")
        } throws: { e in
            (e as? CampaignError)?.description == "c.yaml:8: teams[2].name: team '甲队' is listed twice"
        }
    }
}
