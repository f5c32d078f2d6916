import Foundation
import Testing
@testable import FiveHours

/// Issue 6 §6: no phone number from any roster appears in any output of any command —
/// weekly in every format and header style, --public, daily, check's stdout and stderr,
/// rejects.csv included — for samples/ and for a roster that hides phones in odd places.
@Suite("Privacy: phone numbers (issue 6)")
struct PrivacyTests {
    /// What must never show: for each phone, its digits (without +86 / 0086) and, for a
    /// landline, the number without its area code.
    static func needles(_ phones: [String]) -> Set<String> {
        var out: Set<String> = []
        for p in phones {
            var d = p.filter(\.isASCII).filter(\.isNumber)
            if d.hasPrefix("0086") { d.removeFirst(4) } else if d.hasPrefix("86"), d.count == 13 { d.removeFirst(2) }
            guard d.count >= 7 else { continue }
            out.insert(d)
            if d.hasPrefix("0"), d.count >= 10 { out.insert(String(d.suffix(d.count - (d.hasPrefix("01") || d.hasPrefix("02") ? 3 : 4)))) }
        }
        return out
    }

    /// The text with what people put between the digits of a phone removed, so that
    /// `138 0013-8001` is found as `13800138001`.
    static func squeezed(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !" -().+\u{3000}\t\u{A0}".unicodeScalars.contains($0) }))
    }

    static func leaks(in text: String, _ needles: Set<String>) -> [String] {
        let s = squeezed(text)
        return needles.filter { s.contains($0) }.sorted()
    }

    /// Runs every command on a campaign and returns every output, labelled.
    static func outputs(config: String, weekEnding: String, day: String, now: String, out: URL) throws -> [(String, String)] {
        var all: [(String, String)] = []
        let runs: [(String, [String])] = [
            ("weekly", ["weekly", "--week-ending", weekEnding]),
            ("weekly-keys", ["weekly", "--week-ending", weekEnding, "--csv-header", "keys"]),
            ("weekly-public", ["weekly", "--week-ending", weekEnding, "--public"]),
            ("daily", ["daily", "--date", day]),
            ("daily-public", ["daily", "--date", day, "--public", "--csv-header", "keys"]),
            ("check", ["check", "--week-ending", weekEnding]),
            ("monthly", ["monthly", "--month", String(weekEnding.prefix(7))]),
            ("monthly-public", ["monthly", "--month", String(weekEnding.prefix(7)), "--public"]),
        ]
        for (name, args) in runs {
            let folder = out.appendingPathComponent(name)
            let outArgs = name == "check" ? [] : ["--out", folder.path]
            let r = try Hostile.run(args + ["--config", config, "--now", now] + outArgs)
            #expect(r.status == 0 || (name == "check" && r.status == 1), "\(name): \(r.stderr)")
            all.append(("\(name) stdout", r.stdout))
            all.append(("\(name) stderr", r.stderr))
            for (file, bytes) in Hostile.files(under: folder) where !file.hasSuffix(".png") {
                all.append(("\(name)/\(file)", String(decoding: bytes, as: UTF8.self)))
            }
        }
        return all
    }

    @Test("samples/: no roster phone in any output of any command")
    func samples() throws {
        // The phones, found independently of the importer: every mobile-shaped number in the rosters.
        var phones: [String] = []
        let rosters = Binary.samples.appendingPathComponent("rosters")
        for name in try FileManager.default.contentsOfDirectory(atPath: rosters.path) {
            let text = ImportTestSupport.text(of: try TextBuffer.load(path: rosters.appendingPathComponent(name).path))
            phones += text.matches(of: /1[3-9][0-9]{9}/).map { String($0.output) }
        }
        #expect(phones.count >= 50, "\(phones.count) phones in samples/rosters")
        let needles = Self.needles(phones)
        let folder = try ImportTestSupport.makeTempFolder("privacy")
        defer { ImportTestSupport.remove(folder) }
        let outputs = try Self.outputs(config: Binary.samples.appendingPathComponent("campaign.yaml").path, weekEnding: "2019-08-09",
                                       day: "2019-08-07", now: "2019-08-09T18:00:00+08:00", out: folder)
        #expect(outputs.count > 30)
        for (label, text) in outputs {
            #expect(Self.leaks(in: text, needles) == [], "\(label)")
        }
    }

    /// A roster whose phones are in odd places: spelled with +86, 0086, spaces and dashes, a
    /// landline, a local number known only from the phone column, in the name cell of a ragged
    /// row, in a name, in an activity's description and location, in a unit's weekly plan, in
    /// an XML roster, and in the record of a rejected row.
    static func hostileScenario() -> Scenario {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,phone,active_from,active_until
        V1,王继跃,甲科,小红象志愿服务队,联络员,,+86 138 0013 8101,,
        V2,张伟,甲科,小红象志愿服务队,队员,,+86-138-0013-8102,,
        V3,李娜,乙科,春雨行动志愿服务队,队员,是,(+86)13800138103,,
        V4,赵敏,第一站,小红象志愿服务队,站长,是,0086 13800138104,,
        V5,钱七,甲科,小红象志愿服务队,队员,,010-62345678,,
        V6,孙八,乙科,春雨行动志愿服务队,队员,,7654321,,
        V7,周九 13800138107,甲科,小红象志愿服务队,队员,,138 0013 8107,,
        V8,吴十 13800138108,甲科
        V9,郑十一,甲科,小红象志愿服务队,队员,,139-0013-8109,2019-13-01,
        V10,冯十二,乙科,春雨行动志愿服务队,"队员,电话 13800138110",,13800138110,,
        V11,丁,丙,甲科,小红象志愿服务队,队员,,62345699,,
        """
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity,location,description
        A1,V1,2019-08-07,9:00,11:00,,小红象志愿服务队,文明引导,地铁站（联系 138-0013-8101）,有事请打 +86 138 0013 8102 或 7654321
        A2,V2,2019-08-07,14:00,17:00,,小红象志愿服务队,"清洁 010-62345678",社区,值班电话 13800138102 2019-08-07 全天
        A3,V3,2019-08-07,9:00,,,小红象志愿服务队,电话 13800138103,社区,
        A4,V6,2019-08-07,8:00,9:00,,春雨行动志愿服务队,联系7654321,,
        A5,V1,2019-08-07,18:00,19:00,,小红象志愿服务队,探访,丁的电话62345699,
        """
        s.submissions = """
        unit,kind,period,submitted_at,title,summary,plan
        甲科,weekly,2019-08-09,2019-08-09 14:00,周总结 13800138101,联系人 王继跃 138 0013 8101,下周请拨 0086-138-0013-8104
        甲科,daily,2019-08-07,2019-08-07 15:00,简报（010-62345678）,,
        """
        s.files["rosters/extra.xml"] = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <roster unit="乙科" submitted-at="2019-08-01T10:00:00+08:00">
          <volunteer id="X1" name="陈十三" phone="+86 186 0000 1313"><team>春雨行动志愿服务队</team></volunteer>
          <volunteer id="X2" name="褚十四 18600001414" phone="186-0000-1414" active-from="2019/13/1"/>
        </roster>
        """.utf8)
        // Whole files rejected for what they wrote: the reason quotes a header cell, or libxml2's
        // message a tag's name — in rejects.csv, on stderr and in manifest.json.
        s.files["activities/header.csv"] = Array("volunteer_id,date,hours,备注13800138101,备注13800138101\nV1,2019-08-07,1,,\n".utf8)
        s.files["activities/tags.xml"] = Array("<activities><x13800138102></y></activities>\n".utf8)
        // A campaign unit whose name carries a number: the roll-ups' trend chart labels it.
        s.units += "\n  - { name: 第二站 13800138103, kind: workstation }"
        return s
    }

    @Test("a phone inside a longer run of digit groups is found", arguments: [
        ("周九 13800138107 2019-08-09", "周九 *********** 2019-08-09"),
        ("2019 13812345678", "2019 ***********"),
        ("+86 138 0013 8107 2019-08-09", "+** *** **** **** 2019-08-09"),
        ("电话 7654321 2019-08-07", "电话 ******* 2019-08-07"),
        ("订单 23812345678 2019", "订单 23812345678 2019"),
        ("2019-08-09 10:00", "2019-08-09 10:00"),
    ])
    func phoneInsideALongerRun(_ text: String, _ expected: String) {
        #expect(PhoneScrubber.scrub(text, known: ["7654321"]) == expected)
    }

    /// A cell of 100,000 digit groups (`1-1-1-…`, 200 KB) once cost gigabytes and minutes: each
    /// group's digits were kept as a slice of the run's growing digits, so every next digit copied
    /// them all. Now linear; the time limit is a guard against a hang, not a benchmark.
    @Test("a run of 100,000 digit groups is scrubbed whole, the number after it masked (the minute's limit guards against the quadratic copy)", .timeLimit(.minutes(1)))
    func longRunOfGroups() {
        let run = Array(repeating: "1", count: 100_000).joined(separator: "-")
        let text = "V001,bad,\(run) 13800138000"
        let scrubbed = PhoneScrubber.scrub(text, known: [])
        #expect(scrubbed.hasSuffix(" ***********"))
        #expect(scrubbed.count == text.count)
        let bytes = PhoneScrubber.scrub(bytes: Array((text + "\n").utf8), known: [])
        #expect(bytes.count == text.utf8.count + 1)
    }

    static let hostilePhones = ["+86 138 0013 8101", "+86-138-0013-8102", "(+86)13800138103", "0086 13800138104", "010-62345678", "7654321",
                                "138 0013 8107", "13800138108", "139-0013-8109", "13800138110", "+86 186 0000 1313", "186-0000-1414",
                                // A local number in a row with a comma too many (the name `丁,丙`): its phone
                                // is not in the phone column's place, and shows up in an activity's place.
                                "62345699"]

    @Test("phones in odd places: none in any output of any command, rejects.csv included")
    func hostileRoster() throws {
        let folder = try Self.hostileScenario().write()
        defer { ImportTestSupport.remove(folder) }
        let needles = Self.needles(Self.hostilePhones)
        #expect(needles.contains("13800138101") && needles.contains("62345678") && needles.contains("7654321"))
        let outputs = try Self.outputs(config: folder.appendingPathComponent("campaign.yaml").path, weekEnding: "2019-08-09",
                                       day: "2019-08-07", now: "2019-08-10T12:00:00+08:00", out: folder.appendingPathComponent("out"))
        for (label, text) in outputs {
            #expect(Self.leaks(in: text, needles) == [], "\(label)")
        }
        // The rows that carried phones were really there to leak: the ragged row and the bad dates are rejected,
        // the names with phones are on the report (scrubbed), and the rejects say where.
        let rejects = try #require(outputs.first { $0.0 == "weekly-keys/weekly-2019-08-09/rejects.csv" }?.1)
        for source in ["rosters/roster.csv:9", "rosters/roster.csv:10", "rosters/roster.csv:12", "rosters/extra.xml:4", "activities/log.csv:4"] {
            #expect(rejects.contains(source + ","), "\(source) not rejected")
        }
        // The ragged row as it was written, its number masked.
        #expect(rejects.contains("V11,丁,丙,甲科,小红象志愿服务队,队员,,********,,"), "\(rejects)")
        let volunteers = try #require(outputs.first { $0.0 == "weekly-keys/weekly-2019-08-09/volunteers.csv" }?.1)
        #expect(volunteers.contains("V7,周九 ***********,甲科"))
    }
}
