import Foundation
import Testing
@testable import FiveHours

/// A session's words and media (`SessionText`) are kept only by a run whose report shows them —
/// the daily bulletin — and every other run's records are the same without them, however the
/// row was read: by the accelerated reader (a plain row), by the general one (a quoted cell with
/// a line break), or from XML.
@Suite("Session text kept only where shown")
struct SessionTextTests {
    static let activities = """
    record_id,volunteer_id,date,start,end,hours,team,activity,location,media,title,description
    R1,V1,2019-08-05,09:00,11:00,,小红象志愿服务队,文明引导,邻里中心,a.jpg,标题,说明
    R2,V2,2019-08-06,09:00,10:00,,小红象志愿服务队,"清洁
    家园",双鹤湖公园,,,
    R3,V3,2019-08-07,09:00,10:00,,,,,,,
    """
    static let xml = """
    <activities>
      <activity id="X1" volunteer="V4" date="2019-08-07" start="14:00" end="15:00" activity="义诊" location="站点"/>
    </activities>
    """

    func load(_ configure: (inout Pipeline.Options) -> Void) throws -> Ledger {
        var s = Scenario()
        s.activities = Self.activities
        s.files["activities/more.xml"] = Array(Self.xml.utf8)
        let folder = try s.write()
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.now = ValueParser.instant("2019-09-10T12:00:00+08:00", in: .shanghai)
        configure(&options)
        return try Pipeline.load(options, progress: { _ in }).ledger
    }

    @Test("only a day's period shows its sessions' text")
    func periods() {
        let day = ValueParser.date("2019-08-06")!
        #expect(Period.day(day).showsSessionText)
        #expect(!Period.week(Week(lastDay: ValueParser.date("2019-08-09")!)).showsSessionText)
        #expect(!Period.month(8, of: 2019)!.showsSessionText)
        #expect(!Period.year(2019)!.showsSessionText)
        #expect(!Period.range(day, day).showsSessionText)
    }

    @Test("the daily run keeps every record's text; a weekly or monthly run keeps the same records without it")
    func keptOnlyForTheDay() throws {
        let daily = try load { $0.date = ValueParser.date("2019-08-06") }
        let weekly = try load { $0.weekEnding = ValueParser.date("2019-08-09") }
        let monthly = try load { $0.period = Period.month(8, of: 2019) }
        let byID = Dictionary(uniqueKeysWithValues: daily.activities.map { ($0.recordID ?? "", $0) })
        #expect(byID["R1"]?.activity == "文明引导" && byID["R1"]?.media.map(\.href) == ["a.jpg"] && byID["R1"]?.description == "说明")
        #expect(byID["R2"]?.activity == "清洁\n家园" && byID["R2"]?.location == "双鹤湖公园")
        #expect(byID["X1"]?.activity == "义诊" && byID["X1"]?.location == "站点")
        #expect(byID["R3"]?.hasText == false)
        for lean in [weekly, monthly] {
            #expect(lean.activities.count == daily.activities.count)
            for a in lean.activities {
                let full = try #require(byID[a.recordID ?? ""])
                #expect(!a.hasText && a.activity == nil && a.location == nil && a.media.isEmpty, "\(a.source)")
                #expect(a == full.keepingText(false), "\(a.source)")
            }
        }
    }

    @Test("a record's text is nil exactly when empty, however it was changed")
    func emptyTextIsNil() {
        let source = SourceLine(fileIndex: 0, file: "a.csv", line: 2)
        var a = ActivityRecord(recordID: "R", volunteerID: "V", date: CivilDate(dayNumber: 0), start: nil, end: nil, hours: 3600,
                               team: nil, activity: "甲", category: nil, location: nil, media: [], unit: nil, submittedAt: nil,
                               title: nil, description: nil, source: source)
        let plain = a.keepingText(false)
        #expect(a.hasText && !plain.hasText)
        a.activity = nil
        #expect(!a.hasText)
        #expect(a == plain)
        a.location = "乙"
        #expect(a.hasText && a.location == "乙" && a != plain)
    }

    @Test("the duplicate check compares the rows as written, whatever the run keeps: a record_id repeated with other words is rejected, the same record in CSV and XML merged", arguments: ["daily", "weekly", "monthly", "yearly"])
    func duplicatesWhateverTheRunKeeps(run: String) throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity
        R1,V1,2019-08-05,09:00,11:00,,小红象志愿服务队,扫地
        R1,V1,2019-08-05,09:00,11:00,,小红象志愿服务队,浇花
        R2,V2,2019-08-06,09:00,10:00,,小红象志愿服务队,扫地
        R3,V3,2019-03-06,09:00,10:00,,,植树
        R3,V3,2019-03-06,09:00,10:00,,,种花
        """
        s.files["activities/b.xml"] = Array("""
        <activities>
          <activity id="R2" volunteer="V2" date="2019-08-06" start="09:00" end="10:00" team="小红象志愿服务队" activity="扫地"/>
        </activities>
        """.utf8)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.now = ValueParser.instant("2019-12-31T12:00:00+08:00", in: .shanghai)
        switch run {
        case "daily": options.date = ValueParser.date("2019-08-05")
        case "weekly": options.weekEnding = ValueParser.date("2019-08-09")
        case "monthly": options.period = Period.month(8, of: 2019)
        default: options.period = Period.year(2019)
        }
        let ledger = try Pipeline.load(options, progress: { _ in }).ledger
        // R1's second row and R3's (in every run's window or not) are rejected; R2 of the log,
        // after the same record in b.xml (earlier in input order), is merged.
        #expect(ledger.rejects.map(\.source.line).sorted() == [3, 6], "\(run): \(ledger.rejects.map { "\($0.source) \($0.reason)" })")
        #expect(ledger.rejects.allSatisfy { $0.source.file == "activities/log.csv" })
        #expect(ledger.files.first { $0.path == "activities/log.csv" }?.merged == 1, "\(run)")
    }

    /// A year holds millions of records: each one's box stays within the 136 bytes glibc gives
    /// 144 for (`ActivityRecord.Fields`: the day and times in 32 bits, `SourceLine`'s numbers
    /// too). Every field still holds what it was given, the empty ones as nil.
    @Test("a record's fields fit in 120 bytes and keep their values")
    func recordFieldsAreSmall() {
        #expect(MemoryLayout<ActivityRecord.Fields>.size <= 120, "\(MemoryLayout<ActivityRecord.Fields>.size) bytes")
        #expect(MemoryLayout<SourceLine>.size == 24)
        let day = CivilDate(year: 9999, month: 12, day: 31)!
        let a = ActivityRecord(recordID: nil, volunteerID: "V1", date: day, start: 0, end: 2 * 86_400, hours: nil, team: nil,
                               activity: nil, category: nil, location: nil, media: [], unit: nil, submittedAt: 253_402_300_799,
                               title: nil, description: nil, source: SourceLine(fileIndex: 3, file: "a.csv", line: 2_000_000_000))
        #expect(a.date == day && a.start == 0 && a.end == 2 * 86_400 && a.hours == nil && a.submittedAt == 253_402_300_799)
        #expect(a.source.line == 2_000_000_000 && a.source.fileIndex == 3 && a.source.file == "a.csv")
        var b = a
        b.hours = 86_400
        b.start = nil
        b.source.line += 7
        #expect(b.hours == 86_400 && b.start == nil && b.source.line == 2_000_000_007 && a.source.line == 2_000_000_000)
    }
}
