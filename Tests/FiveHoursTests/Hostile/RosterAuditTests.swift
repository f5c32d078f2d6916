import Foundation
import Testing
@testable import FiveHours

/// The audit of the import against the contract: a roster phone cell that holds several
/// numbers, a roster with a landline and a mobile column, the record of a rejected conflict
/// (the row as written, not one made up from the parsed record), and the line that the
/// `unknown_column` finding cites.
@Suite("Roster phones, conflicts' records, header lines (audit)")
struct RosterAuditTests {
    static let now = "2019-08-10T12:00:00+08:00"

    // MARK: Several numbers in one cell, several phone columns

    @Test("a phone cell's numbers, each known on its own", arguments: [
        ("62345678/62345679", ["62345678", "62345679"]),
        ("13800138000, 62345671", ["13800138000", "62345671"]),
        ("座机62345678/手机13800138000", ["62345678", "13800138000"]),
        ("13800138000；0371-62345679", ["13800138000", "037162345679", "62345679"]),
        ("13800138000 62345671", ["13800138000", "62345671"]),
        ("0371-62345679 13800138000", ["037162345679", "62345679", "13800138000"]),
        ("62345678 62345679", ["62345678", "62345679"]),
        ("１３８００１３８０００／６２３４５６７８", ["13800138000", "62345678"]),
        // One number, in any of the spellings of one: known whole, as before; a landline's
        // local number too (a text may leave out the area code).
        ("(0371) 6234 5679", ["037162345679", "62345679"]),
        ("（０３７１）６２３４ ５６７９", ["037162345679", "62345679"]),
        ("010-62345678", ["01062345678", "62345678"]),
        ("+86 138 0013 8000", ["8613800138000"]),
        ("0086-138-0013-8000", ["008613800138000"]),
        ("6234 5679", ["62345679"]),
        ("62345678", ["62345678"]),
        ("+1 415 555 0100", ["14155550100"]),
        // Too short to be a phone number here.
        ("110", []),
        ("", []),
        ("无", []),
    ])
    func numbersOfACell(_ cell: String, _ numbers: [String]) {
        var known: Set<String> = []
        PhoneScrubber.insertNumbers(of: cell, into: &known)
        #expect(known == Set(numbers), "\(cell)")
    }

    @Test("every number of a phone cell, and of every phone column, is masked in a text")
    func numbersAreMasked() {
        var known: Set<String> = []
        for cell in ["62345678/62345679", "13800138000；0371-62345671", "6234 5672"] { PhoneScrubber.insertNumbers(of: cell, into: &known) }
        #expect(PhoneScrubber.scrub("请联系 62345678，门卫62345679，或 0371 6234 5671、6234-5672", known: known)
                == "请联系 ********，门卫********，或 **** **** ****、****-****")
        // The roster's landline written without its area code.
        #expect(PhoneScrubber.scrub("本地拨 62345671 即可", known: known) == "本地拨 ******** 即可")
    }

    /// Local numbers (no area code, not mobile-shaped): masked only because a roster knows them.
    static let localNumbers = ["62345678", "62345679", "62345671", "62345674", "62345675", "62345676", "62345680"]

    /// A roster with a landline and a mobile column whose cells hold one number, several, or
    /// none; a row rejected for its date, with a number in each phone column; texts that
    /// mention every number.
    static func severalPhones() -> Scenario {
        var s = Scenario()
        s.roster = """
        编号,姓名,单位,服务队,电话,手机,入队日期
        V1,王继跃,甲科,小红象志愿服务队,62345678/62345679,,
        V2,张伟,甲科,小红象志愿服务队,"13800138000, 62345671",,
        V3,李娜,乙科,春雨行动志愿服务队,座机0371-62345672；手机13900139000,,
        V4,赵敏,第一站,小红象志愿服务队,（０３７１）６２３４ ５６７３,62345674,
        V5,钱七,甲科,小红象志愿服务队,62345675 62345676,,
        V6,孙八,乙科,春雨行动志愿服务队,13700137000,62345680,2019-13-01
        """
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity,location,description
        A1,V1,2019-08-07,9:00,11:00,,小红象志愿服务队,请联系 62345678,门卫62345679,值班 6234 5671
        A2,V2,2019-08-07,9:00,10:00,,热线62345674队,联系 62345671,,
        A3,V4,2019-08-07,9:00,10:00,,小红象志愿服务队,手机 62345674,,
        A4,V5,2019-08-07,9:00,10:00,,小红象志愿服务队,电话 62345675 或 62345676,６２３４５６８０,
        A5,V1,2019-08-07,9:00,,,小红象志愿服务队,电话 62345679,,
        """
        s.submissions = """
        unit,kind,period,submitted_at,title,summary,plan
        甲科,weekly,2019-08-09,2019-08-09 14:00,周总结,联系 62345678,下周请拨 62345680
        """
        return s
    }

    /// A workbook's parts as text (its sheets and shared strings are deflated in the zip).
    static func text(ofWorkbook bytes: [UInt8]) throws -> String {
        try WorkbookZip.entries(of: bytes, path: "workbook.xlsx").map { e in
            let data = bytes[e.data]
            return String(decoding: e.method == 8 ? try #require(Deflate.inflate(data, size: e.size)) : Array(data), as: UTF8.self)
        }.joined(separator: "\n")
    }

    @Test("no number of a multi-number cell or of a second phone column reaches any output: CSV, HTML, Markdown, xlsx, stdout, stderr")
    func severalPhonesReachNoOutput() throws {
        let folder = try Self.severalPhones().write()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        var seen = try PrivacyTests.outputs(config: folder.appendingPathComponent("campaign.yaml").path, weekEnding: "2019-08-09",
                                            day: "2019-08-07", now: Self.now, out: out)
        // A workbook's parts are deflated in its zip: read them unzipped.
        for (name, bytes) in Hostile.files(under: out) where name.hasSuffix(".xlsx") { seen.append(("\(name) unzipped", try Self.text(ofWorkbook: bytes))) }
        #expect(seen.filter { $0.0.hasSuffix(".xlsx unzipped") }.count == 7 && seen.contains { $0.0.hasSuffix(".html") } && seen.contains { $0.0.hasSuffix(".md") })
        #expect(seen.contains { $0.0.hasSuffix("daily-bulletin.xlsx unzipped") && $0.1.contains("请联系 ********") })
        let needles = Set(Self.localNumbers)
        for (what, text) in seen {
            // Full-width digits read as ASCII, then what people put between digits removed.
            let ascii = String(String.UnicodeScalarView(text.unicodeScalars.map { (0xFF10...0xFF19).contains($0.value) ? Unicode.Scalar($0.value - 0xFF10 + 48)! : $0 }))
            #expect(PrivacyTests.leaks(in: ascii, needles) == [], "\(what)")
        }
        // The texts were there to leak: the roster with two phone columns is read, and the
        // rows that mention the numbers are on the reports, masked.
        let volunteers = try Hostile.records(try #require(Hostile.files(under: out)["weekly-keys/weekly-2019-08-09/volunteers.csv"]))
        #expect(Set(volunteers.map { $0["volunteer_id"] ?? "" }) == ["V1", "V2", "V3", "V4", "V5"])
        let activities = try Hostile.records(try #require(Hostile.files(under: out)["daily-public/daily-2019-08-07/activities.csv"]))
        #expect(Set(activities.map { "\($0["activity"] ?? "")|\($0["location"] ?? "")" })
                == ["请联系 ********|门卫********", "联系 ********|", "手机 ********|", "电话 ******** 或 ********|********"])
    }

    @Test("a rejected roster row has every phone column blanked, and what they held masked elsewhere in it")
    func rejectedRowBlanksEveryPhoneColumn() throws {
        var s = Self.severalPhones()
        s.roster += "\nV7,周九 62345674,乙科,,62345690,62345691/62345692,2019-13-01"
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.rejects.filter { $0.source.file == "rosters/roster.csv" }.map { "\($0.source.line) \($0.record)" }
        #expect(rejects == ["7 V6,孙八,乙科,春雨行动志愿服务队,,,2019-13-01", "8 V7,周九 ********,乙科,,,,2019-13-01"])
        for number in ["62345690", "62345691", "62345692", "62345680", "62345674", "62345675"] {
            #expect(outcome.loaded.ledger.phones.contains(number), "\(number)")
        }
    }

    @Test("a rejected row's record is the raw row: quotes where it had them and only there, a bare quote kept, a quoted phone cell emptied with its quotes")
    func rejectedRowIsTheRawRow() throws {
        var s = Self.severalPhones()
        s.roster += "\n\"V8\",\"吴十\",乙科,,\"62345693\",6\"2,2019-13-01"
        s.activities = """
        record_id,volunteer_id,date,hours,activity
        "A1","V1","2019-08-32","1","a"
        A2,V1,2019-08-06,1"x,b
        """
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.rejects.map { "\($0.source) \($0.record)" }
        #expect(rejects.contains("rosters/roster.csv:8 \"V8\",\"吴十\",乙科,,,,2019-13-01"), "\(rejects)")
        #expect(rejects.contains("activities/log.csv:2 \"A1\",\"V1\",\"2019-08-32\",\"1\",\"a\""), "\(rejects)")
        #expect(rejects.contains("activities/log.csv:3 A2,V1,2019-08-06,1\"x,b"), "\(rejects)")
    }

    @Test("a rejected XML record's start tag keeps its values' quotes, ampersands and angle brackets as entities")
    func rejectedXMLRecordStaysXML() throws {
        var s = Scenario()
        s.files["activities/x.xml"] = Array("""
        <?xml version="1.0"?>
        <activities unit="甲科">
          <activity id="x4" volunteer="V1" date="2019-08-06" hours="bad" location='a "b" &amp; &lt;c&gt;'/>
        </activities>
        """.utf8)
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        #expect(outcome.rejects.map { "\($0.source) \($0.record)" }
            == ["activities/x.xml:3 <activity date=\"2019-08-06\" hours=\"bad\" id=\"x4\" location=\"a &quot;b&quot; &amp; &lt;c>\" volunteer=\"V1\">"])
    }

    @Test("a roster row's differences name a column for every field that makes it other content, and none when only its source or submitted_at differ")
    func differencesCoverEveryField() {
        let base = Volunteer(id: "V1", name: "张三", unit: "甲科", teams: ["a"], role: "队员", isLiaison: false, grid: "g", building: "b",
                             floor: "f", activeFrom: CivilDate(year: 2019, month: 7, day: 1), activeUntil: nil, submittedAt: 100,
                             source: SourceLine(fileIndex: 0, file: "r.csv", line: 2))
        var same = base
        same.source = SourceLine(fileIndex: 1, file: "s.csv", line: 9)
        same.submittedAt = 200
        #expect(same.sameContent(as: base) && same.differences(from: base).isEmpty)
        let changes: [(String, (inout Volunteer) -> Void)] = [
            ("name", { $0.name = "李四" }), ("unit", { $0.unit = "乙科" }), ("teams", { $0.teams = ["b"] }), ("role", { $0.role = "联络员" }),
            ("liaison", { $0.isLiaison = true }), ("grid", { $0.grid = "h" }), ("building", { $0.building = "c" }), ("floor", { $0.floor = "e" }),
            ("active_from", { $0.activeFrom = nil }), ("active_until", { $0.activeUntil = CivilDate(year: 2019, month: 9, day: 1) }),
        ]
        for (key, change) in changes {
            var v = base
            change(&v)
            #expect(!v.sameContent(as: base) && v.differences(from: base) == [key], "\(key)")
        }
        // Every field of a row is one of them, its id, source or submitted_at: a field added to the
        // row and not to `differences` is caught here.
        let fields = Volunteer.Fields(id: "V1", name: "", unit: "", teams: [], role: "", isLiaison: false, grid: "", building: "", floor: "",
                                      activeFrom: nil, activeUntil: nil, submittedAt: nil, source: base.source)
        #expect(Mirror(reflecting: fields).children.count == changes.count + 3)
    }

    // MARK: The record of a rejected conflict

    @Test("a conflicting volunteer_id: the record is the later row as written (phones blanked), CSV or XML")
    func rosterConflictRecord() throws {
        var s = Scenario()
        s.roster = """
        编号,姓名,单位,服务队,入队日期,网格,电话,备注
        V1,张三,甲科,小红象志愿服务队,2019/7/1,一网格,62345678,首次登记
        """
        s.files["rosters/x1.csv"] = Array("""
        编号,姓名,单位,服务队,入队日期,网格,电话,手机,备注

        V1,"张,三",乙科,小红象志愿服务队,2019/7/2,二网格,62345679,13800138000,"第二次登记，""改"" 62345678"
        """.utf8)
        // Two volunteers on one line: the first has the kept row's content (merged), the second not.
        s.files["rosters/x2.xml"] = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <roster unit="乙科">
          <volunteer id="V1" name="张三" unit="甲科" grid="一网格" active-from="2019/7/1" teams="小红象志愿服务队"/><volunteer id="V1" name="张三" phone="62345677" grid="三网格 62345679"><team>春雨行动志愿服务队</team></volunteer>
        </roster>
        """.utf8)
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.rejects.map { "\($0.source) \($0.record)" }
        #expect(rejects == [
            "rosters/x1.csv:3 V1,\"张,三\",乙科,小红象志愿服务队,2019/7/2,二网格,,,\"第二次登记，\"\"改\"\" ********\"",
            "rosters/x2.xml:3 <volunteer grid=\"三网格 ********\" id=\"V1\" name=\"张三\">",
        ])
        // The second XML volunteer on that line has the first one's content: merged, not rejected.
        #expect(outcome.findings("duplicate").map { "\($0.source!)" } == ["rosters/x2.xml:3"])
        #expect(outcome.loaded.ledger.rejects.allSatisfy { $0.reason.contains("V1 已在 rosters/roster.csv:2 登记（张三，甲科）") })
    }

    @Test("a volunteer_id spelt in NFC on one row and NFD on another is one id: the later row is rejected with its record")
    func rosterConflictAcrossSpellings() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit
        V\u{E9},张伟,甲科
        Ve\u{301},李娜,乙科
        """
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        #expect(outcome.rejects.map { "\($0.source) \($0.record)" } == ["rosters/roster.csv:3 Ve\u{301},李娜,乙科"])
    }

    @Test("a conflicting record_id in XML: the record is the element's start tag, as other XML rejects show")
    func xmlActivityConflictRecord() throws {
        var s = Scenario()
        s.activities = """
        记录编号,编号,日期,时长,地点
        K1,V1,2019/8/5,1,园区
        K2,V2,2019/7/5,1,园区
        """
        s.files["activities/x.xml"] = Array("""
        <?xml version="1.0"?>
        <activities unit="甲科">
          <activity id="K1" volunteer="V1" date="2019-08-05" hours="2" location="园区 62345678"/>
          <activity id="K2" volunteer="V2" date="2019-07-05" hours="2"/><activity id="K3" volunteer="V2" date="2019-07-05" hours="1"/><activity id="K2" volunteer="V2" date="2019-07-05" hours="3"><title>巡逻</title></activity>
        </activities>
        """.utf8)
        s.roster += "\nV9,冯十二,乙科,,,,62345678,,"
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.rejects.map { "\($0.source) \($0.record)" }
        // K1 is in the reported week, K2 is not (its record was never made): both are quoted.
        #expect(rejects == [
            "activities/x.xml:3 <activity date=\"2019-08-05\" hours=\"2\" id=\"K1\" location=\"园区 ********\" volunteer=\"V1\">",
            "activities/x.xml:4 <activity date=\"2019-07-05\" hours=\"2\" id=\"K2\" volunteer=\"V2\">",
            "activities/x.xml:4 <activity date=\"2019-07-05\" hours=\"3\" id=\"K2\" volunteer=\"V2\">",
        ])
    }

    // MARK: The line of the unknown_column finding

    @Test("unknown_column cites the header's physical line: after sep=, and blank lines")
    func unknownColumnLine() throws {
        var s = Scenario()
        s.activities = "sep=,\n\n\nrecord_id,volunteer_id,date,hours,备注\nR1,V1,2019-08-06,1,x\n"
        s.roster = "\n" + s.roster.replacingOccurrences(of: "active_until", with: "网格号")
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        #expect(Set(outcome.findings("unknown_column").map { "\($0.source!) \($0.detail)" })
                == ["rosters/roster.csv:2 未识别的列（已忽略）：网格号", "activities/log.csv:4 未识别的列（已忽略）：备注"])
        #expect(outcome.hours("V1") == "1.00")
    }
}
