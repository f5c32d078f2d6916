import Foundation
import Testing
@testable import FiveHours

/// One row's cells → a record or the reason it is rejected (§4: a missing required field, an
/// unparseable value, zero or negative time, more than 24 hours).
@Suite("RowParser")
struct RowParserTests {
    struct Cells: RowFields {
        var values: [String: String]
        func text(_ key: String) -> String? {
            guard let v = values[key]?.trimmingSpaces, !v.isEmpty else { return nil }
            return v
        }
    }

    static let parser = RowParser(zone: .shanghai, folder: "/data/acts")
    static let source = SourceLine(fileIndex: 0, file: "a.csv", line: 7)

    static func activity(_ values: [String: String]) -> Result<ActivityRecord, RowError> {
        parser.activity(Cells(values: values), source: source)
    }

    static let base = ["volunteer_id": "V1", "date": "2019/8/5"]

    @Test("a file's parser reads media paths from the file's folder, as URL gives it", arguments: [
        "/a/b/log.csv", "/log.csv", "/a b/服务 记录/log 1.csv", "/a/./b/log.csv", "/a//b/log.csv", "/a/../b/log.csv", "/a/b/.log.csv",
    ])
    func fileFolder(_ path: String) {
        #expect(RowParser(zone: .shanghai, file: path).folder == URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    @Test("session length from start and end, else hours", arguments: [
        (["start": "9:00", "end": "11:30"], 9000),
        (["start": "22:00", "end": "2:00"], 4 * 3600),       // crosses midnight, counts on its date
        (["start": "22:00", "end": "24:00"], 2 * 3600),
        (["hours": "2.5"], 9000),
        (["hours": "24"], 86_400),
        (["start": "9:00", "hours": "2"], 7200),              // a lone clock time with hours: hours decide
        (["start": "9:00", "end": "10:00", "hours": "3"], 3600), // both: start/end win (the week stage reports it)
    ])
    func sessionLength(_ extra: [String: String], seconds: Int) throws {
        let r = try Self.activity(Self.base.merging(extra) { $1 }).get()
        #expect(r.seconds == seconds)
        #expect(r.source == Self.source)
    }

    @Test("rejected activity rows", arguments: [
        ([:], "缺少服务时长(hours)，或开始时间(start)与结束时间(end)"),
        (["volunteer_id": ""], "缺少志愿者编号(volunteer_id)"),
        (["date": " "], "缺少日期(date)"),
        (["date": "2019/2/30", "hours": "1"], "日期(date) '2019/2/30' 不是有效日期（如 2019-08-05 或 2019/8/5）"),
        (["start": "9:00"], "缺少结束时间(end)"),
        (["end": "9:00"], "缺少开始时间(start)"),
        (["start": "24:00", "end": "2:00"], "开始时间(start) '24:00' 不是有效时间（如 9:00）"),
        // A no-break space inside the value is named: the message would look right without it.
        (["start": "9\u{A0}:00", "end": "11:00"], "开始时间(start) '9\u{A0}:00' 不是有效时间（如 9:00）（值中有看不见的空格 U+00A0，请改为普通空格或删去）"),
        (["start": "9:00", "end": "25:00"], "结束时间(end) '25:00' 不是有效时间（如 11:30）"),
        (["hours": "0"], "服务时长(hours) 为零或负数"),
        (["hours": "0:00"], "服务时长(hours) 为零或负数"),
        (["hours": "-2"], "服务时长(hours) '-2' 不是有效时长（如 2.5 或 2:30）"),
        (["hours": "25"], "服务时长(hours) 25.00 小时超过 24 小时"),
        (["hours": "24.001"], "服务时长(hours) 比 24 小时多 4 秒，超过 24 小时"),
        (["hours": "1", "submitted_at": "2019-08-05"], "报送时间(submitted_at) '2019-08-05' 不是有效时间（如 2019/8/5 16:05）"),
    ])
    func rejectedActivities(_ extra: [String: String], reason: String) {
        let result = Self.activity(Self.base.merging(extra) { $1 })
        #expect(result == .failure(RowError(reason: reason)))
    }

    @Test("a start equal to its end is zero time, not 24 hours", arguments: ["9:00", "0:00", "23:59"])
    func startEqualsEnd(_ t: String) {
        let result = Self.activity(Self.base.merging(["start": t, "end": t]) { $1 })
        #expect(result == .failure(RowError(reason: "开始时间与结束时间相同，服务时长为零")))
    }

    @Test func activityFieldsAndMedia() throws {
        let r = try Self.activity([
            "record_id": "R1", "volunteer_id": "V1", "date": "2019年8月5日", "hours": "2:30", "team": "小红象",
            "activity": "清洁", "category": "环境", "location": "社区", "unit": "党政办",
            "media": "media/a.JPG；https://example.org/v | clip.mp4", "submitted_at": "2019/8/5 16:05",
        ]).get()
        #expect(r.recordID == "R1")
        #expect(r.hours == 9000)
        #expect(r.start == nil && r.end == nil)
        #expect(r.submittedAt == 1_564_992_300)
        #expect(r.media == [
            MediaRef(kind: .photo, href: "media/a.JPG", baseFolder: "/data/acts"),
            MediaRef(kind: .link, href: "https://example.org/v", baseFolder: "/data/acts"),
            MediaRef(kind: .video, href: "clip.mp4", baseFolder: "/data/acts"),
        ])
        #expect(r.media[1].isURL)
    }

    @Test func volunteerRows() throws {
        let v = try Self.parser.volunteer(Cells(values: [
            "volunteer_id": "V1", "name": "王继跃", "unit": "党政办", "teams": "a; b、c|d；e", "role": "队员",
            "liaison": "√", "active_from": "2019/8/1", "active_until": "2019-08-31", "submitted_at": "2019-08-01T09:00:00+08:00",
        ]), source: Self.source).get()
        #expect(v.teams == ["a", "b", "c", "d", "e"])
        #expect(v.isLiaison)
        #expect(v.isActive(on: CivilDate(year: 2019, month: 8, day: 1)!))
        #expect(v.isActive(on: CivilDate(year: 2019, month: 8, day: 31)!))
        #expect(!v.isActive(on: CivilDate(year: 2019, month: 9, day: 1)!))
        #expect(!v.isActive(on: CivilDate(year: 2019, month: 7, day: 31)!))

        let byRole = try Self.parser.volunteer(Cells(values: ["volunteer_id": "V2", "name": "张伟", "unit": "u", "role": "单位联络员"]), source: Self.source).get()
        #expect(byRole.isLiaison)
        let no = try Self.parser.volunteer(Cells(values: ["volunteer_id": "V3", "name": "李", "unit": "u", "liaison": "否"]), source: Self.source).get()
        #expect(!no.isLiaison)
        let defaulted = try Self.parser.volunteer(Cells(values: ["volunteer_id": "V4", "name": "赵"]), source: Self.source, defaultUnit: "一站").get()
        #expect(defaulted.unit == "一站")
    }

    @Test("rejected roster rows", arguments: [
        (["name": "a", "unit": "u"], "缺少志愿者编号(volunteer_id)"),
        (["volunteer_id": "V", "unit": "u"], "缺少姓名(name)"),
        (["volunteer_id": "V", "name": "a"], "缺少单位(unit)"),
        (["volunteer_id": "V", "name": "a", "unit": "u", "liaison": "maybe"], "是否联络员(liaison) 'maybe' 应为 是/否"),
        (["volunteer_id": "V", "name": "a", "unit": "u", "active_until": "2019/2/29"], "离队日期(active_until) '2019/2/29' 不是有效日期（如 2019-08-05 或 2019/8/5）"),
        (["volunteer_id": "V", "name": "a", "unit": "u", "active_from": "2019/8/2", "active_until": "2019/8/1"],
         "离队日期(active_until) 2019-08-01 早于入队日期(active_from) 2019-08-02"),
    ])
    func rejectedVolunteers(_ values: [String: String], reason: String) {
        let result = Self.parser.volunteer(Cells(values: values), source: Self.source)
        #expect(result == .failure(RowError(reason: reason)))
    }

    @Test("submission kinds", arguments: [
        ("daily", Submission.Kind.daily), ("简报", .daily), ("weekly", .weekly), ("周总结", .weekly),
        ("roster", .roster), ("名单", .roster), ("Weekly", .weekly),
    ])
    func submissionKinds(_ kind: String, expected: Submission.Kind) throws {
        let s = try Self.parser.submission(Cells(values: [
            "unit": "党政办", "kind": kind, "period": expected == .roster ? "" : "2019/8/9", "submitted_at": "2019/8/9 14:00",
        ]), source: Self.source).get()
        #expect(s.kind == expected)
        #expect(s.period == (expected == .roster ? nil : CivilDate(year: 2019, month: 8, day: 9)))
    }

    @Test("rejected submissions", arguments: [
        (["kind": "daily", "period": "2019/8/5", "submitted_at": "2019/8/5 15:00"], "缺少单位(unit)"),
        (["unit": "u", "kind": "monthly", "period": "2019/8/5", "submitted_at": "2019/8/5 15:00"],
         "类型(kind) 'monthly' 应为 简报(daily)、周总结(weekly)、名单(roster) 或 服务站(station)"),
        (["unit": "u", "kind": "daily", "submitted_at": "2019/8/5 15:00"], "缺少日期(period)"),
        (["unit": "u", "kind": "daily", "period": "2019/8/5"], "缺少报送时间(submitted_at)"),
        (["unit": "u", "kind": "daily", "period": "2019/8/5", "submitted_at": "15:00"],
         "报送时间(submitted_at) '15:00' 不是有效时间（如 2019/8/5 16:05）"),
    ])
    func rejectedSubmissions(_ values: [String: String], reason: String) {
        let result = Self.parser.submission(Cells(values: values), source: Self.source)
        #expect(result == .failure(RowError(reason: reason)))
    }
}

/// Phone numbers never reach an output (§3.1, §5): the roster's own and anything shaped like one.
@Suite("PhoneScrubber")
struct PhoneScrubberTests {
    @Test("mobile numbers are blanked", arguments: [
        ("13812345678", "***********"),
        ("电话13812345678。", "电话***********。"),
        ("138-1234-5678", "***-****-****"),
        ("138 1234 5678", "*** **** ****"),
        ("a,19912345678,b", "a,***********,b"),
        ("V13812345678X9", "V***********X9"),
    ])
    func mobiles(_ text: String, expected: String) {
        #expect(PhoneScrubber.scrub(text, known: []) == expected)
    }

    @Test("other numbers stay", arguments: [
        "2019/8/5", "12345678901", "213812345678", "1381234567", "订单 23812345678",
    ])
    func notPhones(_ text: String) {
        // 12345678901 starts 12 (not a mobile prefix); 213812345678 is a longer number.
        #expect(PhoneScrubber.scrub(text, known: []) == text)
    }

    @Test func knownRosterNumbersOfSevenDigitsOrMore() {
        let known: Set<String> = ["01062345678", "62345678", "123456"]
        #expect(PhoneScrubber.scrub("座机 010-62345678", known: known) == "座机 ***-********")
        #expect(PhoneScrubber.scrub("6234 5678", known: known) == "**** ****")
        #expect(PhoneScrubber.scrub("123456", known: known) == "123456")
    }

    @Test("a mobile number with the country code is blanked", arguments: [
        "+86 13812345678", "+8613812345678", "+86-138-1234-5678", "0086 13812345678", "86 138 1234 5678",
    ])
    func countryCode(_ text: String) {
        let out = PhoneScrubber.scrub(text, known: [])
        #expect(!out.contains("1234"), "\(text) → \(out)")
        #expect(!out.contains("5678"), "\(text) → \(out)")
    }
}
