import Testing
@testable import FiveHours

/// One test per clause of the contract's §4 (counting), with the edge cases it names.
@Suite("Counting (§4)")
struct CountingTests {
    func log(_ rows: String) -> Scenario { Scenario.log(rows) }

    @Test("a session counts whole for its date; end before start crosses midnight")
    func acrossMidnight() throws {
        let o = try log("""
        ,V1,2019-08-05,22:00,01:00,,
        ,V1,2019-08-06,09:00,11:00,,
        """).run()
        #expect(o.hours("V1") == "5.00")
        #expect(o.volunteer("V1")?.daily[2] == 3 * 3600) // Monday 8/5 is the third day of the week
        #expect(o.volunteer("V1")?.status == .met)
    }

    @Test("a session crossing midnight from the day before the week does not count in it")
    func crossingIntoWeek() throws {
        let o = try log("""
        ,V1,2019-08-02,22:00,02:00,,
        ,V1,2019-08-03,01:00,03:00,,
        """).run()
        // 8/2 is the previous week's Friday: its session counts there, and the overlap with
        // 8/3 01:00–02:00 is counted once, for the earlier session.
        #expect(o.hours("V1") == "1.00")
        #expect(o.findings("overlap").count == 1)
    }

    @Test("hours alone, and hours disagreeing with start/end by more than a minute")
    func hoursAndMismatch() throws {
        let o = try log("""
        ,V1,2019-08-05,,,2.5h,
        ,V1,2019-08-06,09:00,11:00,1,
        ,V2,2019-08-06,09:00,11:00,2:01,
        ,V2,2019-08-07,,,2:30,
        """).run()
        #expect(o.hours("V1") == "4.50")
        #expect(o.hours("V2") == "4.50")
        #expect(o.findings("hours_mismatch").count == 1)
        #expect(o.findings("hours_mismatch").first?.source?.line == 3)
    }

    @Test("exactly 5.00 hours from float-unfriendly parts is met", arguments: [
        ["0.6", "3.8", "0.6"], ["0.1", "0.2", "4.7"], ["1.7", "1.7", "1.6"],
    ])
    func exactlyFive(parts: [String]) throws {
        let rows = parts.enumerated().map { ",V1,2019-08-0\($0.offset + 5),,,\($0.element)," }.joined(separator: "\n")
        let o = try log(rows).run()
        #expect(o.hours("V1") == "5.00")
        #expect(o.volunteer("V1")?.status == .met)
        #expect(o.volunteer("V1")?.shortfallSeconds == 0)
    }

    @Test("touching sessions do not overlap; overlapping ones count their union")
    func overlaps() throws {
        let o = try log("""
        ,V1,2019-08-05,09:00,11:00,,
        ,V1,2019-08-05,11:00,12:00,,
        ,V2,2019-08-05,09:00,11:00,,
        ,V2,2019-08-05,10:00,12:30,,
        ,V2,2019-08-05,10:30,11:00,,
        ,V2,2019-08-05,,,1,
        """).run()
        #expect(o.hours("V1") == "3.00")
        #expect(o.findings("overlap").filter { $0.subject.hasPrefix("V1") }.isEmpty)
        #expect(o.hours("V2") == "4.50") // union 9:00–12:30 plus one hour without clock time
        #expect(o.findings("overlap").filter { $0.subject.hasPrefix("V2") }.count == 2)
    }

    @Test("duplicates: identical record_id merged, conflicting rejected, content duplicates merged")
    func duplicates() throws {
        let o = try log("""
        R1,V1,2019-08-05,09:00,11:00,,
        R1,V1,2019-08-05,09:00,11:00,,
        R2,V2,2019-08-05,09:00,11:00,,
        R2,V2,2019-08-06,09:00,11:00,,
        ,V3,2019-08-05,,,2,
        ,V3,2019-08-05,,,2,
        """).run()
        #expect(o.hours("V1") == "2.00")
        #expect(o.hours("V2") == "2.00")
        #expect(o.hours("V3") == "2.00")
        #expect(o.rejects.count == 1)
        #expect(o.rejects.first?.source.line == 5)
        let file = o.loaded.ledger.files.first { $0.path == "activities/log.csv" }!
        #expect((file.read, file.counted, file.merged, file.rejected) == (6, 3, 2, 1))
        // The log has no unit column: each duplicate names its volunteer's unit on the rosters.
        let merged = o.findings.filter { $0.rule == .duplicate }
        #expect(merged.map(\.unit).sorted() == ["乙科", "甲科"].sorted() && merged.count == 2)
    }

    @Test("time above max_daily_hours per day is not counted, after the union")
    func dailyCap() throws {
        let o = try log("""
        ,V1,2019-08-05,06:00,14:00,,
        ,V1,2019-08-05,13:00,20:00,,
        ,V1,2019-08-06,,,13,
        """).run()
        // 8/5: union 06:00–20:00 = 14 h → 12; 8/6: 13 → 12.
        #expect(o.hours("V1") == "24.00")
        #expect(o.findings("daily_cap").count == 2)
    }

    @Test("unrostered sessions count for nobody")
    func unrostered() throws {
        let o = try log("""
        ,V9,2019-08-05,09:00,11:00,,
        ,V1,2019-08-05,09:00,11:00,,
        """).run()
        #expect(o.week.unrostered.count == 1)
        #expect(o.findings("unrostered").count == 1)
        #expect(o.report.totalSeconds == 2 * 3600)
    }

    @Test("partial and inactive volunteers", arguments: [
        ("2019-08-07", "", VolunteerWeek.Status.partial),
        ("", "2019-08-04", .partial),
        ("2019-08-03", "2019-08-09", .short),
        ("2019-08-10", "", nil),
        ("", "2019-08-02", nil),
    ] as [(String, String, VolunteerWeek.Status?)])
    func activePeriods(from: String, until: String, expected: VolunteerWeek.Status?) throws {
        var s = log(",V4,2019-08-07,09:00,10:00,,")
        s.roster = s.roster.replacingOccurrences(of: "V4,赵敏,第一站,小红象志愿服务队,站长,,,,", with: "V4,赵敏,第一站,小红象志愿服务队,站长,,,\(from),\(until)")
        let o = try s.run()
        #expect(o.volunteer("V4")?.status == expected)
        if expected == .partial {
            #expect(o.volunteer("V4")?.requiredSeconds == 0)
            #expect(o.volunteer("V4")?.shortfallSeconds == 0)
        }
        if expected == nil { #expect(!o.report.volunteers.contains { $0.id == "V4" }) }
    }

    @Test("rows that cannot be read are rejected with file:line and the run goes on", arguments: [
        (",V1,2019/8/32,09:00,10:00,,", "日期"),
        (",,2019-08-05,09:00,10:00,,", "志愿者编号"),
        (",V1,2019-08-05,09:00,09:00,,", "为零"),
        (",V1,2019-08-05,,,0,", "为零"),
        (",V1,2019-08-05,,,-1,", "服务时长"),
        (",V1,2019-08-05,,,25,", "24"),
        (",V1,2019-08-05,09:00,,,", "结束时间"),
        (",V1,2019-08-05,9点,10:00,,", "开始时间"),
    ])
    func rejects(row: String, reasonContains: String) throws {
        let o = try log(row + "\n,V1,2019-08-06,09:00,10:00,,").run()
        #expect(o.rejects.count == 1)
        #expect(o.rejects.first?.source.description == "activities/log.csv:2")
        #expect(o.rejects.first?.reason.contains(reasonContains) == true)
        #expect(o.hours("V1") == "1.00")
    }

    @Test("shuffling rows without duplicate ids changes no total")
    func shuffleInvariant() throws {
        var rows: [String] = []
        var rng = SplitMix(seed: 7)
        for i in 0..<60 {
            let v = "V\(1 + Int(rng.next() % 4))"
            let day = 3 + Int(rng.next() % 7)
            let start = 6 + Int(rng.next() % 12)
            let len = 1 + Int(rng.next() % 4)
            rows.append("R\(i),\(v),2019-08-0\(day),\(start):00,\(start + len):\(rng.next() % 2 == 0 ? "00" : "30"),,")
        }
        let base = try log(rows.joined(separator: "\n")).run()
        for round in 0..<3 {
            var shuffled = rows
            var r2 = SplitMix(seed: UInt64(round + 100))
            shuffled.shuffle(using: &r2)
            let o = try log(shuffled.joined(separator: "\n")).run()
            for v in ["V1", "V2", "V3", "V4"] { #expect(o.hours(v) == base.hours(v)) }
            #expect(o.report.totalSeconds == base.report.totalSeconds)
        }
        // The union never exceeds the sum of the sessions nor the cap per day.
        for v in base.week.volunteers {
            let sum = base.week.sessions.filter { base.week.volunteers[$0.volunteer].volunteer.id == v.volunteer.id }
                .reduce(0) { $0 + base.week.record(of: $1).seconds }
            #expect(v.seconds <= sum)
            for d in v.daily { #expect(d <= 12 * 3600) }
        }
    }
    @Test("SmallIndex finds every key it holds, by its bytes or by another spelling of its text, before and after it grows into a dictionary")
    func smallIndex() {
        var index = SmallIndex()
        // Keys that share a fingerprint (length and first six bytes) and keys that share a slot.
        let keys = (0..<40).map { "第一工作站\($0)" } + ["Caf\u{E9}队"]
        for (n, k) in keys.enumerated() {
            index[k] = n
            for (m, earlier) in keys[...n].enumerated() { #expect(index[earlier] == m, "\(earlier) after \(n + 1) keys") }
            #expect(index["Cafe\u{301}队"] == (n == keys.count - 1 ? n : nil)) // NFD of the last key
            #expect(index["第二工作站"] == nil)
        }
        var small = SmallIndex()
        small["甲"] = 0
        small["甲"] = 5
        #expect(small["甲"] == 5 && small.keys == ["甲"])
    }

}

/// A small deterministic generator for property-style tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A week short of five hours by a few seconds: judged on the counted seconds, shown without
/// contradicting its status.
@Suite("Hours shown beside a status")
struct ShownHoursTests {
    @Test("a week 1 s short shows 4.99 h and 0.01 h short in volunteers.csv, the finding and volunteer-weeks.csv; 5 h exactly is met")
    func shortBySeconds() throws {
        let s = Scenario.log("""
        ,V1,2019-08-05,09:00:00,13:59:59,,
        ,V2,2019-08-05,09:00,14:00,,
        ,V3,2019-08-05,,,4.99,
        ,V4,2019-08-05,09:00:00,13:59:06,,
        """)
        var (folder, options, loaded) = try s.loadWeek()
        defer { ImportTestSupport.remove(folder) }
        let weekly = try ImportTestSupport.files(of: Pipeline.weekly, loaded, options: options)
        let csv = String(decoding: try #require(weekly.first { $0.0 == "volunteers.csv" }).1, as: UTF8.self)
        #expect(csv.contains("V1,王继跃,甲科,小红象志愿服务队,4.99,5.00,0.01,short"))
        #expect(csv.contains("V2,张伟,甲科,小红象志愿服务队;春雨行动志愿服务队,5.00,5.00,0.00,met"))
        #expect(csv.contains("V3,李娜,乙科,春雨行动志愿服务队,4.99,5.00,0.01,short"))
        // 17,946 s = 4.985 h shows 4.99; 54 s short would round to 0.02, but the two add up: 0.01.
        #expect(csv.contains("V4,赵敏,第一站,小红象志愿服务队,4.99,5.00,0.01,short"))
        let findings = String(decoding: try #require(weekly.first { $0.0 == "findings.csv" }).1, as: UTF8.self)
        #expect(findings.contains("V1 王继跃,2019-08-09,本周服务 4.99 小时，差 0.01 小时达到 5.00 小时"))

        options.weekEnding = nil
        options.period = Period.month(8, of: 2019)
        options.now = ValueParser.instant("2019-09-10T12:00:00+08:00", in: .shanghai)
        let monthly = try ImportTestSupport.files(of: Pipeline.monthly, try Pipeline.load(options, progress: { _ in }), options: options)
        let weeks = String(decoding: try #require(monthly.first { $0.0 == "volunteer-weeks.csv" }).1, as: UTF8.self)
        #expect(weeks.contains("V1,2019-08-09,4.99,5.00,short"))
        #expect(weeks.contains("V2,2019-08-09,5.00,5.00,met"))
        // While that week runs, the month shows V1 in progress with 4.99 too.
        options.now = ValueParser.instant("2019-08-08T12:00:00+08:00", in: .shanghai)
        let runningMonth = try ImportTestSupport.files(of: Pipeline.monthly, try Pipeline.load(options, progress: { _ in }), options: options)
        let runningWeeks = String(decoding: try #require(runningMonth.first { $0.0 == "volunteer-weeks.csv" }).1, as: UTF8.self)
        #expect(runningWeeks.contains("V1,2019-08-09,4.99,5.00,in_progress"))

        // While the week runs, V1 (held to five hours, not there yet) is partial: 4.99 too, not 5.00.
        options.period = nil
        options.weekEnding = ValueParser.date("2019-08-09")
        options.now = ValueParser.instant("2019-08-08T12:00:00+08:00", in: .shanghai)
        let running = try ImportTestSupport.files(of: Pipeline.weekly, try Pipeline.load(options, progress: { _ in }), options: options)
        let runningCSV = String(decoding: try #require(running.first { $0.0 == "volunteers.csv" }).1, as: UTF8.self)
        #expect(runningCSV.contains("V1,王继跃,甲科,小红象志愿服务队,4.99,0.00,0.00,partial"))
        #expect(runningCSV.contains("V2,张伟,甲科,小红象志愿服务队;春雨行动志愿服务队,5.00,5.00,0.00,met"))
    }

    @Test("Hours.shown changes only a week not met within 18 s of its goal; the shortfall is the difference of the shown figures", arguments: [
        (17_999, false, "4.99", "0.01"), (17_982, false, "4.99", "0.01"), (17_981, false, "4.99", "0.01"), (17_964, false, "4.99", "0.01"),
        (17_946, false, "4.99", "0.01"), (17_945, false, "4.98", "0.02"), (18_000, true, "5.00", "0.00"), (3_600, false, "1.00", "4.00"),
        (0, false, "0.00", "5.00"), (17_990, true, "5.00", "0.00"), (12_000, false, "3.33", "1.67"), (9_600, false, "2.67", "2.33"),
    ] as [(Int, Bool, String, String)])
    func shown(seconds: Int, met: Bool, hours: String, shortfall: String) {
        let shown = Hours.shown(seconds, met: met, goal: 18_000)
        #expect(Hours.format(shown) == hours)
        #expect(Hours.format(Hours.shortfall(shown: shown, required: met ? 18_000 : 18_000)) == (met ? "0.00" : shortfall))
        // A goal that is not a whole hundredth: weekly_hours 4.9975 (17,991 s) shows 5.00; 17,975 s shows 4.99, 0.01 short.
        #expect(Hours.format(Hours.shown(17_975, met: false, goal: 17_991)) == "4.99")
        #expect(Hours.format(Hours.shortfall(shown: Hours.shown(17_975, met: false, goal: 17_991), required: 17_991)) == "0.01")
    }
}
