import Foundation
import Testing
@testable import FiveHours
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17 items 2, 3, 4, 5 (media), 8, 11 and issue 15 item 7, through the built binary: no
/// phone number in any output whatever field carries it; `--public` shows no full name, id,
/// path or media name; a bad media cell is that row's finding; a large video is copied in
/// bounded memory; templates cannot switch escaping off.
@Suite("Privacy and media, round two (issue 17)")
struct PrivacyRoundTwoTests {
    static let now = "2019-08-10T12:00:00+08:00"
    static let phones = ["13800138011", "13800138022", "13800138033", "13800138044", "13800138055", "13800138066",
                         "13800138077", "13800138088", "13800138099", "13800138100", "13800138111", "13800138122"]

    /// Every output of `folder` (files, their paths) and the runs' stdout and stderr, with
    /// full-width digits read as ASCII and every other character dropped.
    static func digits(_ s: String) -> String { PhoneSpellingTests.digitsOnly(s) }

    @Test("a phone number in an id, a team, a unit, a record_id, a media name, an input file name (a rejected row's source), the campaign's name or full-width reaches no output")
    func everywhere() throws {
        var s = Scenario()
        s.roster += "\n13800138011,钱多多,甲科,热线１３８００１３８０２２队,队员,,13800138011,,"
        s.activities = ""
        s.files["activities/13800138033-活动.csv"] = Array("""
        record_id,volunteer_id,date,start,end,hours,team,unit,location,activity,media
        R13800138044,13800138011,2019-08-07,9:00,11:00,,热线１３８００１３８０２２队,甲科138_0013_8055,138－0013－8066,联系 138·0013·8088 或 138~0013~8099 或 138/0013/8100,media/13800138077.png;https://example.com/u/13800138111
        ,V1,2019-08-07,9:00,11:00,,,,,,media/13800138077.png
        R9,V1,2019-08-07,,,abc,,,,,

        """.utf8)
        s.files["activities/media/13800138077.png"] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("activities/log.csv"))
        let config = folder.appendingPathComponent("campaign.yaml").path
        // The campaign's name is printed before any roster is read.
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "name: 测试活动", with: "name: 测试活动 热线13800138122").write(toFile: config, atomically: true, encoding: .utf8)
        var seen: [(String, String)] = []
        let runs: [[String]] = [
            ["weekly", "--week-ending", "2019-08-09", "--csv-header", "keys"],
            ["weekly", "--week-ending", "2019-08-09", "--public"],
            ["daily", "--date", "2019-08-07", "--csv-header", "keys"],
            ["daily", "--date", "2019-08-07", "--public"],
            // A month's and a year's tables too (volunteer-weeks.csv is scrubbed cell by cell).
            ["monthly", "--month", "2019-08", "--csv-header", "keys", "--format", "html,md,csv"],
            ["yearly", "--year", "2019", "--csv-header", "keys", "--format", "html,md,csv"],
        ]
        for (k, run) in runs.enumerated() {
            let out = folder.appendingPathComponent("out\(k)")
            let r = try Hostile.run(run + ["--config", config, "--now", Self.now, "--out", out.path])
            #expect(r.status == 0, "\(run): \(r.stderr)")
            seen.append(("\(run) stdout+stderr", r.stdout + r.stderr))
            for (name, bytes) in Hostile.files(under: out) {
                seen.append(("\(run) \(name) (name)", name))
                seen.append(("\(run) \(name)", String(decoding: bytes, as: UTF8.self)))
            }
        }
        let c = try Hostile.run(["check", "--config", config, "--week-ending", "2019-08-09", "--now", Self.now])
        seen.append(("check", c.stdout + c.stderr))
        for (what, text) in seen {
            let d = Self.digits(text)
            for p in Self.phones { #expect(!d.contains(p), "\(p) reached \(what)") }
        }
        // The volunteer whose id is a phone number is there, masked.
        let volunteers = try Hostile.records(try #require(Hostile.files(under: folder.appendingPathComponent("out0"))["weekly-2019-08-09/volunteers.csv"]))
        #expect(volunteers.contains { $0["volunteer_id"] == "***********" && $0["name"] == "钱多多" && $0["hours"] == "2.00" })
        let activities = try Hostile.records(try #require(Hostile.files(under: folder.appendingPathComponent("out2"))["daily-2019-08-07/activities.csv"]))
        #expect(activities.contains { $0["volunteer_id"] == "***********" })
        // The rejected row is listed, its file named with the number masked.
        let rejects = try Hostile.records(try #require(Hostile.files(under: folder.appendingPathComponent("out0"))["weekly-2019-08-09/rejects.csv"]))
        #expect(rejects.contains { $0["source"] == "activities/***********-活动.csv:4" }, "\(rejects)")
        let weeks = try Hostile.records(try #require(Hostile.files(under: folder.appendingPathComponent("out5"))["yearly-2019/volunteer-weeks.csv"]))
        #expect(weeks.contains { $0["volunteer_id"] == "***********" && $0["week_ending"] == "2019-08-09" && $0["hours"] == "2.00" }, "\(weeks.prefix(3))")
    }

    @Test("--public shows no full name (paths, media names, URLs, text), no id, no source, no finding detail; the mask is the contract's *")
    func publicShowsNoNames() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,phone
        VID0001,欧阳娜娜,甲科,小红象志愿服务队,联络员,,13800138001
        VID0002,张伟,乙科,春雨行动志愿服务队,联络员,,
        """
        s.activities = ""
        s.files["activities/欧阳娜娜/log.csv"] = Array("""
        record_id,volunteer_id,date,start,end,hours,activity,location,media
        A1,VID0001,2019-08-07,9:00,11:00,,欧阳娜娜和张伟入户走访,欧阳娜娜家,视频/张伟.mp4;https://example.com/欧阳娜娜_照片;照片/欧阳娜娜.png
        A2,VID0009,2019-08-07,9:00,10:00,,,,

        """.utf8)
        s.files["activities/欧阳娜娜/照片/欧阳娜娜.png"] = [0x89, 0x50, 0x4E, 0x47, 9]
        s.files["activities/欧阳娜娜/视频/张伟.mp4"] = [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("activities/log.csv"))
        let config = folder.appendingPathComponent("campaign.yaml").path
        // The campaign's name is printed before any roster is read.
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "name: 测试活动", with: "name: 测试活动 热线13800138122").write(toFile: config, atomically: true, encoding: .utf8)
        for run in [["daily", "--date", "2019-08-07"], ["weekly", "--week-ending", "2019-08-09"]] {
            let out = folder.appendingPathComponent("out-\(run[0])")
            let r = try Hostile.run(run + ["--config", config, "--now", Self.now, "--out", out.path, "--public", "--format", "html,md"])
            #expect(r.status == 0, "\(r.stderr)")
            let files = Hostile.files(under: out)
            for (name, bytes) in files {
                #expect(!name.contains("欧阳娜娜") && !name.contains("张伟"), "a media file kept its name: \(name)")
                guard name.hasSuffix(".html") || name.hasSuffix(".md") else { continue }
                let text = String(decoding: bytes, as: UTF8.self)
                for leak in ["欧阳娜娜", "张伟", "VID000", "log.csv", "rosters/", "roster.csv:", "＊"] {
                    #expect(!text.contains(leak), "\(name) shows \(leak)")
                }
                #expect(text.contains("欧**娜"), "\(name): the mask")
                if name.hasSuffix(".html") { #expect(!text.contains("\\*"), "\(name): a backslash in HTML") }
                if name == "daily-2019-08-07/daily-bulletin.md" {
                    // Two masked names in one value: the second's asterisk escaped, so that the two
                    // do not pair into emphasis (which would hide both); it renders as `*`.
                    #expect(text.contains("欧**娜和张\\*入户走访"), "\(text)")
                }
            }
            if run[0] == "daily" {
                // Numbered in the order the bulletin shows them: an activity's photos, then its videos.
                #expect(files.keys.filter { $0.contains("/media/") }.sorted() == ["daily-2019-08-07/media/001.png", "daily-2019-08-07/media/002.mp4"])
                let html = String(decoding: try #require(files["daily-2019-08-07/daily-bulletin.html"]), as: UTF8.self)
                #expect(html.contains("src=\"media/001.png\""))
            }
        }
    }

    @Test("a media cell naming a folder or a FIFO is that row's finding; the bulletin is written (exit 0)")
    func badMediaCells() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,media
        A1,V1,2019-08-07,9:00,11:00,,media/folder.png;media/pipe.mp4;media/ok.png;./media/../media/ok.png;media\\ok.png
        """
        s.files["activities/media/ok.png"] = [0x89, 0x50, 0x4E, 0x47]
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("activities/media/folder.png"), withIntermediateDirectories: true)
        #expect(mkfifo(folder.appendingPathComponent("activities/media/pipe.mp4").path, 0o644) == 0)
        let out = folder.appendingPathComponent("out")
        let r = try HostileFilesTests.run(["daily", "--config", folder.appendingPathComponent("campaign.yaml").path, "--date", "2019-08-07",
                                           "--now", Self.now, "--out", out.path, "--csv-header", "keys", "--quiet"], seconds: 60)
        #expect(r.signal == nil, "the run hung")
        #expect(r.status == 0, "\(r.stderr)")
        let files = Hostile.files(under: out)
        #expect(files["daily-2019-08-07/media/ok.png"] == [0x89, 0x50, 0x4E, 0x47])
        // The one photo named three ways is copied once and shown once.
        #expect(files.keys.filter { $0.contains("/media/") }.count == 1)
        let html = String(decoding: try #require(files["daily-2019-08-07/daily-bulletin.html"]), as: UTF8.self)
        #expect(html.components(separatedBy: "src=\"media/ok.png\"").count == 2)
        let findings = try Hostile.records(try #require(files["daily-2019-08-07/findings.csv"]))
        let media = findings.filter { $0["rule"] == "missing_media" }
        #expect(media.map { $0["subject"] } == ["media/folder.png", "media/pipe.mp4"])
        #expect(media.allSatisfy { $0["source"] == "activities/log.csv:2" })
    }

    /// The files of the daily bulletin of 2019-08-07 that the built binary writes for the
    /// campaign in `folder` (keys as CSV headers), with `--public` or not; the run must succeed.
    static func dailyFiles(_ folder: URL, publicReport: Bool) throws -> [String: [UInt8]] {
        let out = folder.appendingPathComponent("out")
        let r = try HostileFilesTests.run(["daily", "--config", folder.appendingPathComponent("campaign.yaml").path, "--date", "2019-08-07",
                                           "--now", now, "--out", out.path, "--csv-header", "keys", "--quiet"] + (publicReport ? ["--public"] : []),
                                          seconds: 60)
        #expect(r.status == 0, "\(r.stderr)")
        return Hostile.files(under: out)
    }

    @Test("a media cell naming the roster, a text or the campaign file beside the log copies none of them, with --public or not", arguments: [false, true])
    func mediaThatIsNotAPhotoOrVideo(publicReport: Bool) throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,media
        A1,V1,2019-08-07,9:00,11:00,,r.csv;notes.txt;../campaign.yaml;ok.png
        """
        s.files["activities/r.csv"] = Array("volunteer_id,name,unit,phone\nV9,王九,甲科,13700110099\n".utf8)
        s.files["activities/notes.txt"] = Array("内部备忘 13700110098\n".utf8)
        s.files["activities/ok.png"] = [0x89, 0x50, 0x4E, 0x47]
        // As an XML <media type="photo">, a name that is not a photo's is not copied either.
        s.files["activities/x.xml"] = Array("""
        <activities><activity id="A2" volunteer="V2" date="2019-08-07" hours="1"><media type="photo" href="r.csv"/></activity></activities>
        """.utf8)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let files = try Self.dailyFiles(folder, publicReport: publicReport)
        let media = files.keys.filter { $0.hasPrefix("daily-2019-08-07/media/") }
        #expect(media.count == 1, "\(media)")
        #expect(media.allSatisfy { $0.hasSuffix(".png") })
        for (name, bytes) in files {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("13700110099") && !text.contains("13700110098") && !text.contains("王九"), "\(name)")
        }
        if !publicReport {
            let findings = try Hostile.records(try #require(files["daily-2019-08-07/findings.csv"]))
            #expect(Set(findings.filter { $0["rule"] == "missing_media" }.compactMap { $0["subject"] }) == ["r.csv", "notes.txt", "../campaign.yaml"])
        }
    }

    @Test("a link, a hard link or a copy named like a photo or a video that holds the roster, the log or the campaign file is not copied", arguments: [false, true])
    func mediaNamedLikeAPhoto(publicReport: Bool) throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,media
        A1,V1,2019-08-07,9:00,11:00,,link.png;hard.jpg;campaign.mp4;log.webm;ok.png
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let activities = folder.appendingPathComponent("activities")
        let fm = FileManager.default
        // The roster beside the log (one folder per unit), linked and hard-linked as photos.
        try fm.copyItem(at: folder.appendingPathComponent("rosters/roster.csv"), to: activities.appendingPathComponent("roster-copy.csv"))
        try fm.createSymbolicLink(atPath: activities.appendingPathComponent("link.png").path, withDestinationPath: "roster-copy.csv")
        #expect(link(activities.appendingPathComponent("roster-copy.csv").path, activities.appendingPathComponent("hard.jpg").path) == 0)
        try fm.copyItem(at: folder.appendingPathComponent("campaign.yaml"), to: activities.appendingPathComponent("campaign.mp4"))
        try fm.createSymbolicLink(atPath: activities.appendingPathComponent("log.webm").path, withDestinationPath: "log.csv")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).write(to: activities.appendingPathComponent("ok.png"))
        let files = try Self.dailyFiles(folder, publicReport: publicReport)
        #expect(files.keys.filter { $0.contains("/media/") }.count == 1, "\(files.keys.sorted())")
        for (name, bytes) in files {
            #expect(!String(decoding: bytes, as: UTF8.self).contains("13800138001"), "\(name)")
        }
        if !publicReport {
            let findings = try Hostile.records(try #require(files["daily-2019-08-07/findings.csv"]))
            #expect(Set(findings.filter { $0["rule"] == "missing_media" }.compactMap { $0["subject"] }) == ["link.png", "hard.jpg", "campaign.mp4", "log.webm"])
        }
        #expect(MediaFiles.holdsPhotoOrVideo([0xFF, 0xD8, 0xFF, 0xE0]) && MediaFiles.holdsPhotoOrVideo(Array("GIF89a".utf8))
                && MediaFiles.holdsPhotoOrVideo(Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) && MediaFiles.holdsPhotoOrVideo([0x1A, 0x45, 0xDF, 0xA3])
                && !MediaFiles.holdsPhotoOrVideo(Array("volunteer_id,name".utf8)) && !MediaFiles.holdsPhotoOrVideo([]))
    }

    @Test("a 3 GB video is copied by streaming: the run's peak memory stays under 100 MB, and no staging folder is left")
    func largeVideo() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,media
        A1,V1,2019-08-07,9:00,11:00,,media/big.mp4
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let video = folder.appendingPathComponent("activities/media/big.mp4")
        try FileManager.default.createDirectory(at: video.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Sparse, with data at both ends: 3 GB that take no room.
        let fd = open(video.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let size: Int = 3 << 30
        // An MP4's first box (`ftyp`), then the rest.
        let head: [UInt8] = [0, 0, 0, 0x18] + Array("ftypisomVIDEO-HEAD".utf8), tail: [UInt8] = Array("VIDEO-TAIL".utf8)
        _ = head.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        _ = tail.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(size - tail.count)) }
        close(fd)
        let out = folder.appendingPathComponent("out")
        let (r, peak) = try Self.runMeasuringPeak(["daily", "--config", folder.appendingPathComponent("campaign.yaml").path, "--date", "2019-08-07",
                                                   "--now", Self.now, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(peak > 0 && peak < 100 << 20, "peak \(peak >> 20) MB")
        let copy = out.appendingPathComponent("daily-2019-08-07/media/big.mp4").path
        var st = stat()
        #expect(stat(copy, &st) == 0 && Int(st.st_size) == size)
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: copy))
        #expect(h.readData(ofLength: head.count) == Data(head))
        try h.seek(toOffset: UInt64(size - tail.count))
        #expect(h.readData(ofLength: tail.count) == Data(tail))
        try h.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") && $0 != ".fivehours.lock" } == [])
    }

    @Test("a 2 GB file of garbage is rejected whole in bounded memory, its SHA-256 in the manifest streamed from the file")
    func garbageFileBoundedMemory() throws {
        let s = Scenario()
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        // Sparse: a header, then 2 GB of zero bytes that take no room on disk.
        let garbage = folder.appendingPathComponent("activities/garbage.csv")
        let fd = open(garbage.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let head = Array("record_id,volunteer_id,date,hours\n".utf8)
        _ = head.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        #expect(ftruncate(fd, off_t(2 << 30)) == 0)
        close(fd)
        let out = folder.appendingPathComponent("out")
        let (r, peak) = try Self.runMeasuringPeak(["weekly", "--config", folder.appendingPathComponent("campaign.yaml").path,
                                                   "--week-ending", "2019-08-09", "--now", Self.now, "--format", "csv", "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(peak > 0 && peak < 100 << 20, "peak \(peak >> 20) MB")
        let manifest = try String(contentsOf: out.appendingPathComponent("weekly-2019-08-09/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("第 \(head.count) 字节处是 NUL 字节"))
        // SHA-256 of the header and 2 GB - 34 zero bytes, made here the same streaming way.
        let check = open(garbage.path, O_RDONLY)
        defer { close(check) }
        #expect(manifest.contains(try TextBuffer.hash(fd: check, path: garbage.path, cancelled: { false })))
    }

    /// Runs the binary; its own peak resident memory is sampled by `Hostile.Child.wait`.
    static func runMeasuringPeak(_ arguments: [String]) throws -> (Hostile.Run, Int) {
        let r = try Hostile.start(arguments).wait()
        return (r, r.peakRSS)
    }

    @Test("a template cannot switch escaping off: {{{.}}} and {{& .}} are refused with file, line and column")
    func rawDot() throws {
        for (tag, column) in [("{{{.}}}", 12), ("{{& .}}", 12), ("{{{ . }}}", 12)] {
            #expect {
                try TemplateCheck.check("x\n{{#items}}\(tag){{/items}}", file: "t.mustache", known: ["items"], rawAllowed: ["css"])
            } throws: { e in
                let d = (e as? TemplateError)?.description ?? ""
                return d.hasPrefix("t.mustache:2:\(column - 1):") && d.contains("unescaped")
            }
        }
        try TemplateCheck.check("{{#items}}{{.}}{{/items}}", file: "t.mustache", known: ["items"], rawAllowed: ["css"])
    }

    @Test("a template's slips are said in words with their places: a tag without its '}}', a section closed under another name, one never closed or never opened")
    func templateSlips() throws {
        func said(_ text: String) -> String {
            do {
                try TemplateCheck.check(text, file: "t.mustache", known: ["items", "units", "name", "campaign", "note"], rawAllowed: ["css"])
                return ""
            } catch { return (error as? TemplateError)?.description ?? "\(error)" }
        }
        #expect(said("# {{campaign\n\n> {{note}}\n") == "t.mustache:1:3: a tag opened here is not closed: '}}' is missing before the next '{{'")
        #expect(said("{{#units}}\n{{#items}}{{name}}{{/units}}{{/items}}") == "t.mustache:2:19: '{{/units}}' closes another section than the one still open, 'items' (line 2, column 1): close that first with {{/items}}")
        #expect(said("a\n  {{#units}}\n{{name}}\n") == "t.mustache:2:3: the section 'units' opened here is never closed: add {{/units}} where it ends")
        #expect(said("{{^units}}x{{/units}}{{/items}}") == "t.mustache:1:22: '{{/items}}' closes a section that was never opened")
        #expect(said("{{#units}}{{^items}}{{name}}{{/items}}{{/units}}").isEmpty)
        #expect(said("{{! write {{name}} for the name }}{{name}}").isEmpty)
    }

    @Test("Markdown keeps a URL's underscores as written (autolinks read no backslash)")
    func markdownURL() {
        #expect(MarkdownEscape.escape("https://example.com/a_b/c_d?x=1&y=[2]") == "https://example.com/a_b/c_d?x=1&amp;y=%5B2%5D")
        #expect(MarkdownEscape.escape("see https://example.com/a_b") == "see https://example.com/a\\_b") // text, not a URL
        #expect(MarkdownEscape.escape("https://x.org/<script>") == "https://x.org/&lt;script&gt;")
    }

    @Test("NameMask finds every name of a large roster, leftmost and longest first")
    func nameMask() {
        let mask = NameMask(names: ["王继跃", "张伟", "欧阳小明", "小明", "李", "王继跃"])
        #expect(mask.maskNames(in: "王继跃和张伟找欧阳小明，小明不在；李四") == "王*跃和张*找欧**明，小*不在；李四".replacingOccurrences(of: "*", with: "\u{E000}"))
        var names: [String] = []
        let family = Array("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"), given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰")
        for a in family { for b in given { for c in given { names.append(String([a, b, c])) } } }
        let big = NameMask(names: names) // 6,400 names
        #expect(big.maskNames(in: "今天赵伟芳和周磊军来了") == "今天赵\u{E000}芳和周\u{E000}军来了")
        #expect(NameMask.mask("王继跃") == "王*跃" && NameMask.mask("张伟") == "张*")
    }
}
