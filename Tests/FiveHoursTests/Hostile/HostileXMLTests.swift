import Foundation
import Testing

/// Issue 6 §1: hostile XML among valid inputs, through the built binary. Each file is rejected
/// whole with `file:line` (and the column where libxml2 gives one) and a reason; the other files
/// still count; nothing outside the inputs is opened or fetched (a planted secret's marker is in
/// no output, inotify sees no open, a local port sees no connection); memory stays bounded.
@Suite("Hostile XML (issue 6)")
struct HostileXMLTests {
    /// One attack: how to build the file, and where and why it must be rejected.
    struct Attack: Sendable, CustomTestStringConvertible {
        var name: String
        var line: Int
        var column: Int?
        var reason: String
        var build: @Sendable (_ secret: Hostile.Secret, _ port: Int) throws -> [UInt8]
        var testDescription: String { name }

        /// A fixture from `Fixtures/hostile/`, with the secret's paths and the port filled in.
        static func fixture(_ file: String, line: Int, column: Int? = nil, reason: String) -> Attack {
            Attack(name: file, line: line, column: column, reason: reason) { secret, port in
                let raw = try Hostile.fixture(file)
                guard let text = String(bytes: raw, encoding: .utf8) else { return raw } // not UTF-8: as it is
                return Array(text.replacingOccurrences(of: "@SECRET@", with: secret.file.path)
                    .replacingOccurrences(of: "@SECRET_DTD@", with: secret.dtd.path)
                    .replacingOccurrences(of: "@PORT@", with: "\(port)").utf8)
            }
        }
    }

    static let doctype = "XML: a DOCTYPE is not allowed in input files (it can hide entities); remove it"
    static let attributes = "XML: a start tag with more than 10000 attributes; a record has a few — export the file again"

    /// The reason as a zh-CN run gives it (`UnreadableFile.chinese`): the program's own reasons
    /// in Chinese, libxml2's message framed in Chinese.
    static func chinese(_ reason: String) -> String {
        switch reason {
        case doctype: return "XML：输入文件中不允许 DOCTYPE（其中可能藏有实体）；请删除"
        case "XML: <include> (XInclude) is not allowed in input files: it would pull in another file; write the text itself":
            return "XML：输入文件中不允许 <include>（XInclude）：它会引入另一个文件；请直接写出文字"
        case "XML: elements nested more than 256 levels deep; a record needs two or three": return "XML：元素嵌套超过 256 层"
        case "XML: xmlSAX2Characters: huge text node": return "XML：文本节点过大"
        case attributes: return "XML：一个开始标签的属性超过 10000 个（一条记录只有十几个）；请重新导出该文件"
        default: return "XML 格式错误（libxml2：\(reason.dropFirst("XML: ".count))）"
        }
    }

    static let attacks: [Attack] = [
        .fixture("xxe-file.xml", line: 2, column: 1, reason: doctype),
        // Every DOCTYPE stops the parse where it begins, before any of its declarations is read.
        .fixture("xxe-relative.xml", line: 2, column: 1, reason: doctype),
        .fixture("xxe-http.xml", line: 2, column: 1, reason: doctype),
        .fixture("parameter-entity.xml", line: 2, column: 1, reason: doctype),
        .fixture("external-dtd.xml", line: 2, column: 1, reason: doctype),
        .fixture("xinclude.xml", line: 4, reason: "XML: <include> (XInclude) is not allowed in input files: it would pull in another file; write the text itself"),
        .fixture("billion-laughs.xml", line: 2, column: 1, reason: doctype),
        .fixture("mismatched-tags.xml", line: 4, column: 23, reason: "XML: Opening and ending tag mismatch: title line 4 and titel"),
        .fixture("invalid-utf8.xml", line: 4, column: 15, reason: "XML: Input is not proper UTF-8, indicate encoding ! Bytes: 0xE9 0x20 0xFF 0xFE"),
        .fixture("binary.xml", line: 1, column: 1, reason: "XML: Document is empty"),
        Attack(name: "quadratic blow-up (50 KB entity × 20,000 references)", line: 2, column: 1, reason: doctype) { _, _ in
            let big = String(repeating: "x", count: 50_000)
            let refs = String(repeating: "&a;", count: 20_000)
            return Array("<?xml version=\"1.0\"?>\n<!DOCTYPE activities [\n<!ENTITY a \"\(big)\">\n]>\n<activities><activity id=\"Q\" volunteer=\"V1\" date=\"2019-08-05\" hours=\"1\"><title>\(refs)</title></activity></activities>\n".utf8)
        },
        Attack(name: "200,000 levels of nesting", line: 3, column: 768, reason: "XML: elements nested more than 256 levels deep; a record needs two or three") { _, _ in
            let depth = 200_000
            var b = Array("<activities unit=\"甲科\">\n<activity id=\"D\" volunteer=\"V1\" date=\"2019-08-05\" hours=\"1\">\n".utf8)
            b.reserveCapacity(b.count + depth * 7 + 64)
            for _ in 0..<depth { b += Array("<x>".utf8) }
            for _ in 0..<depth { b += Array("</x>".utf8) }
            return b + Array("\n</activity></activities>\n".utf8)
        },
        // libxml2 2.9 checks each attribute against all before it: 600,000 held the parse for minutes.
        Attack(name: "600,000 attributes on one element (7 MB)", line: 3, reason: attributes) { _, _ in
            var b = Array("<activities unit=\"甲科\">\n<!-- a comment's \" and < cannot throw the count off --><![CDATA[ > <x \" ]]><?pi > <y ' ?>\n<activity".utf8)
            for k in 0..<600_000 { b += Array(" a\(k)=\">\"".utf8) } // a `>` in every value
            return b + Array("/>\n</activities>\n".utf8)
        },
        Attack(name: "a 20 MB text node", line: 3, column: 3_333_372, reason: "XML: xmlSAX2Characters: huge text node") { _, _ in
            var b = Array("<activities unit=\"甲科\">\n<activity id=\"T\" volunteer=\"V1\" date=\"2019-08-05\" hours=\"1\">\n<description>".utf8)
            let chunk = Array(String(repeating: "长", count: 1024).utf8)
            for _ in 0..<(20 * 1024 / 3) { b += chunk } // 20 MB of three-byte characters
            return b + Array("</description>\n</activity></activities>\n".utf8)
        },
    ]

    static let scenario: Scenario = {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-08-05,9:00,11:00,,小红象志愿服务队
        """
        return s
    }()

    @Test("rejected whole with file:line:column and a reason; other files count; nothing leaks", arguments: attacks)
    func attack(_ attack: Attack) throws {
        let folder = try Self.scenario.write()
        defer { ImportTestSupport.remove(folder) }
        let secret = try Hostile.Secret(folder: folder.appendingPathComponent("secret"))
        let listener = try Hostile.Listener()
        let bytes = try attack.build(secret, listener.port)
        #expect(bytes.count < 30_000_000)
        let name = "activities/h-attack.xml"
        try ImportTestSupport.write(bytes, to: name, in: folder)
        let config = folder.appendingPathComponent("campaign.yaml").path
        let out = folder.appendingPathComponent("out")
        let common = ["--config", config, "--week-ending", "2019-08-09", "--now", "2019-08-10T12:00:00+08:00"]

        let weekly = try Hostile.run(["weekly"] + common + ["--out", out.path, "--csv-header", "keys"])
        #expect(weekly.status == 0, "\(weekly.stderr)")
        let check = try Hostile.run(["check", "--quiet"] + common)
        #expect(check.status == 1) // the small campaign misses its bulletins: findings of severity error

        // The one line that names the file, the place and the reason.
        let place = "\(name):\(attack.line)"
        let column = attack.column.map { "（第 \($0) 列）" } ?? ""
        let chinese = Self.chinese(attack.reason)
        let reason = "整个文件未读入\(column)：\(chinese)"
        #expect(check.stdout.contains("  \(place): \(reason)\n"), "check said:\n\(check.stdout.prefix(3000))")
        #expect(check.stdout.contains("  \(name)  [服务记录, XML]  读入 0，计入 0，合并 0，未读入 0\n    整个文件未读入：\(chinese)\n"))
        let report = out.appendingPathComponent("weekly-2019-08-09")
        let rejects = try Hostile.records(try [UInt8](Data(contentsOf: report.appendingPathComponent("rejects.csv"))))
        #expect(rejects.filter { $0["source"]?.hasPrefix(name) == true }.map { [$0["source"]!, $0["reason"]!, $0["record"]!] } == [[place, reason, ""]])

        // The other files still count, and nothing of the rejected one does.
        let volunteers = try Hostile.records(try [UInt8](Data(contentsOf: report.appendingPathComponent("volunteers.csv"))))
        #expect(volunteers.first { $0["volunteer_id"] == "V1" }?["hours"] == "2.00")
        let manifest = try Hostile.manifest(try [UInt8](Data(contentsOf: report.appendingPathComponent("manifest.json"))))
        let inputs = try #require(manifest["inputs"] as? [[String: Any]])
        for f in inputs {
            let read = f["read"] as? Int ?? -1, counted = f["counted"] as? Int ?? -1
            let merged = f["merged"] as? Int ?? -1, rejected = f["rejected"] as? Int ?? -1
            #expect(read == counted + merged + rejected, "\(f)")
        }
        let hostileEntry = try #require(inputs.first { $0["path"] as? String == name })
        #expect(hostileEntry["read"] as? Int == 0)
        #expect(hostileEntry["file_rejected"] as? String == chinese)
        #expect(hostileEntry["bytes"] as? Int == bytes.count)
        #expect(inputs.first { $0["path"] as? String == "activities/log.csv" }?["counted"] as? Int == 1)

        // Nothing outside the inputs was opened, fetched or shown.
        let outputs = Hostile.files(under: out)
        #expect(outputs.count == 10) // 9 report files (the workbook too) and the lock
        for (file, content) in outputs {
            #expect(!Hostile.contains(content, secret.marker), "the secret reached \(file)")
        }
        for run in [weekly, check] { #expect(!run.output.contains(secret.marker)) }
        #expect(secret.opened() == [], "a file outside the inputs was opened")
        #expect(listener.connections() == 0, "the parser connected to the network")

        // Memory stays bounded whatever the file asks for.
        for run in [weekly, check] {
            #expect(run.peakRSS < 300 << 20, "peak RSS \(run.peakRSS >> 20) MB")
            // Sampled every 2 ms while the child runs: a run that lasted a few milliseconds on a
            // loaded machine may end before the first sample; a longer one must have been measured.
            #expect(run.peakRSS > 0 || run.seconds < 0.2, "no memory sample in \(run.seconds) s")
        }
    }

    @Test("the secret watch itself works: reading the file is seen")
    func watchWorks() throws {
        let folder = try ImportTestSupport.makeTempFolder("secret")
        defer { ImportTestSupport.remove(folder) }
        let secret = try Hostile.Secret(folder: folder)
        try #require(secret.watching, "inotify is not available here")
        #expect(secret.opened() == [])
        _ = try Data(contentsOf: secret.file)
        #expect(secret.opened().contains("secret.txt"))
        let listener = try Hostile.Listener()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(listener.port).bigEndian
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(rc == 0)
        close(fd)
        #expect(listener.connections() == 1)
    }

    @Test("all attacks at once: every one rejected, the valid files counted, nothing leaks")
    func allTogether() throws {
        var scenario = Self.scenario
        scenario.activities += "\nA2,V2,2019-08-06,14:00,17:30,,小红象志愿服务队"
        let folder = try scenario.write()
        defer { ImportTestSupport.remove(folder) }
        let secret = try Hostile.Secret(folder: folder.appendingPathComponent("secret"))
        let listener = try Hostile.Listener()
        // The small fixtures, in the activity and the roster folders alike.
        let small = Self.attacks.filter { $0.name.hasSuffix(".xml") }
        for (i, a) in small.enumerated() {
            let bytes = try a.build(secret, listener.port)
            try ImportTestSupport.write(bytes, to: "activities/x\(i).xml", in: folder)
            try ImportTestSupport.write(bytes, to: "rosters/x\(i).xml", in: folder)
        }
        let out = folder.appendingPathComponent("out")
        let run = try Hostile.run(["weekly", "--config", folder.appendingPathComponent("campaign.yaml").path, "--week-ending", "2019-08-09",
                                   "--now", "2019-08-10T12:00:00+08:00", "--out", out.path, "--csv-header", "keys", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = out.appendingPathComponent("weekly-2019-08-09")
        let rejects = try Hostile.records(try [UInt8](Data(contentsOf: report.appendingPathComponent("rejects.csv"))))
        #expect(rejects.count == 2 * small.count)
        #expect(rejects.allSatisfy { $0["reason"]?.hasPrefix("整个文件未读入") == true })
        let volunteers = try Hostile.records(try [UInt8](Data(contentsOf: report.appendingPathComponent("volunteers.csv"))))
        #expect(volunteers.map { $0["volunteer_id"] ?? "" } == ["V1", "V2", "V3", "V4"])
        #expect(volunteers.map { $0["hours"] ?? "" } == ["2.00", "3.50", "0.00", "0.00"])
        for (file, content) in Hostile.files(under: out) {
            #expect(!Hostile.contains(content, secret.marker), "the secret reached \(file)")
        }
        #expect(secret.opened() == [])
        #expect(listener.connections() == 0)
        #expect(run.peakRSS < 300 << 20)
    }
}
