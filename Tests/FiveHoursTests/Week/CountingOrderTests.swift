import Testing
@testable import FiveHours

/// Pins what `CountingTests` leaves open (its checks are totals and counts): which sessions the
/// daily cap cuts, in which order (counting.md §6), the first and last session of a flagged day,
/// the session an overlap names, the order of the facts, and the edge cases of the one-pass sweep
/// (a week nobody is active in, more than 256 records in parts). The roll-up's differential test
/// cannot catch a change in any of these: its reference builds each week with the same `Counting`.
@Suite("Counting (§4): the cap's order and the facts")
struct CountingOrderTests {
    func log(_ rows: String) -> Scenario { Scenario.log(rows) }

    /// Each session's counted seconds, in input order, for one volunteer.
    func counted(_ o: Scenario.Outcome, _ id: String) -> [Int] {
        let v = o.week.volunteers.firstIndex { $0.volunteer.id == id }!
        return o.week.sessions.filter { $0.volunteer == v }.map(\.countedSeconds)
    }

    @Test("the cap takes the excess from hours-only sessions (latest input first), then from the latest start backwards")
    func capOrder() throws {
        let o = try log("""
        ,V1,2019-08-05,06:00,10:00,,
        ,V1,2019-08-05,,,2,
        ,V1,2019-08-05,14:00,18:00,,
        ,V1,2019-08-05,10:00,13:00,,
        ,V1,2019-08-05,,,1,
        ,V1,2019-08-06,08:00,12:00,,
        ,V1,2019-08-06,08:00,14:00,,
        ,V1,2019-08-06,12:00,20:00,,
        ,V1,2019-08-06,14:00,21:00,,
        """).run()
        // 8/5: 4 + 2 + 4 + 3 + 1 = 14 h, 2 over: the later hours-only row (1 h) first, then the other (2 h → 1 h).
        // 8/6: union 08:00–21:00 = 13 h (4, 2, 6, 1), 1 over: the latest start (14:00, 1 h) goes first.
        #expect(counted(o, "V1") == [4, 1, 4, 3, 0, 4, 2, 6, 0].map { $0 * 3600 })
        let days = o.week.facts.days
        #expect(days.map(\.date.description) == ["2019-08-05", "2019-08-06"])
        // The day's first and last session in input order, not clock order.
        #expect(days.map(\.first.line) == [2, 7])
        #expect(days.map(\.last.line) == [6, 10])
        #expect(days.map(\.total) == [14 * 3600, 13 * 3600])
    }

    @Test("a capped day's finding names the session the cap cut (the latest by the clock), not the day's last row")
    func capFindingNamesTheCutSession() throws {
        let o = try log("""
        ,V1,2019-08-05,14:00,20:00,,
        ,V1,2019-08-05,06:00,13:00,,
        """).run()
        // 6 h + 7 h = 13 h, 1 over the cap of 12: taken from the 14:00 session, on line 2.
        #expect(counted(o, "V1") == [5, 7].map { $0 * 3600 })
        let cap = try #require(o.findings.first { $0.rule == .dailyCap })
        #expect(cap.source?.line == 2)
        #expect(o.week.facts.days.first?.last.line == 3)
    }

    @Test("XML records on one line: equal keys are cut later input first, as counting.md §6 says")
    func capOrderOnOneLine() throws {
        var s = Scenario()
        s.files["activities/x.xml"] = Array("""
        <activities>
        <activity volunteer="V1" date="2019-08-05" hours="8"/><activity volunteer="V1" date="2019-08-05" hours="6"/>
        <activity volunteer="V2" date="2019-08-05" start="09:00" end="10:00"/><activity volunteer="V2" date="2019-08-05" start="09:00" end="23:00"/>
        </activities>

        """.utf8)
        let o = try s.run()
        // V1: 14 h of hours alone, 2 over: the later record loses them.
        #expect(counted(o, "V1") == [8 * 3600, 4 * 3600])
        // V2: union 09:00–23:00 (1 h + 13 h), 2 over: equal starts, the later record first.
        #expect(counted(o, "V2") == [3600, 11 * 3600])
        #expect(o.week.facts.overlaps.count == 1)
    }

    @Test("overlaps come volunteer by volunteer (report order), in clock order, naming the session that covered them")
    func overlapOrder() throws {
        let o = try log("""
        ,V3,2019-08-05,09:00,12:00,,
        ,V1,2019-08-06,10:00,11:00,,
        ,V3,2019-08-05,10:00,11:00,,
        ,V1,2019-08-06,09:00,12:00,,
        ,V1,2019-08-05,22:00,02:00,,
        ,V1,2019-08-06,01:00,03:00,,
        """).run()
        let lines = o.week.facts.overlaps.map { (o.week.record(of: o.week.sessions[$0.session]).source.line, $0.coveredBy.line, $0.seconds) }
        // V1 (甲科) before V3 (乙科); V1's in clock order: 8/6 01:00 (covered by 8/5 22:00–02:00), then 8/6 10:00.
        #expect(lines.map(\.0) == [7, 3, 4])
        #expect(lines.map(\.1) == [6, 5, 2])
        #expect(lines.map(\.2) == [3600, 3600, 3600])
    }

    @Test("a week in which nobody is active, and a week without sessions")
    func nobody() throws {
        var s = log(",V1,2019-08-05,09:00,10:00,,\n,V9,2019-08-05,09:00,10:00,,")
        s.roster = s.roster.replacingOccurrences(of: ",,\n", with: ",,2019-07-01\n").replacingOccurrences(of: "站长,,,,", with: "站长,,,,2019-07-01")
        let o = try s.run()
        #expect(o.week.volunteers.isEmpty)
        #expect(o.week.sessions.isEmpty)
        #expect(o.week.facts.inactive.count == 1)
        #expect(o.week.unrostered.count == 1)
        let empty = try log("").run()
        #expect(empty.week.sessions.isEmpty && empty.week.volunteers.count == 4)
    }

    @Test("more than 256 records (gathered in parts): the same cuts as in one part")
    func capOrderInParts() throws {
        // 300 rows of other volunteers spread the day's rows of V1 over several parts.
        var rows: [String] = []
        for k in 0..<300 { rows.append(",V\(2 + k % 3),2019-08-0\(3 + k % 7),\(k % 24):00,\(k % 24):\(TimeOfDay.two(1 + k / 24)),,") }
        let mine = [",V1,2019-08-05,06:00,10:00,,", ",V1,2019-08-05,,,2,", ",V1,2019-08-05,14:00,18:00,,", ",V1,2019-08-05,10:00,13:00,,",
                    ",V1,2019-08-05,,,1,"]
        for (k, r) in mine.enumerated() { rows.insert(r, at: 40 + 60 * k) }
        let o = try log(rows.joined(separator: "\n")).run()
        #expect(counted(o, "V1") == [4, 1, 4, 3, 0].map { $0 * 3600 })
        #expect(o.week.facts.days.first { $0.date.description == "2019-08-05" && o.week.volunteers[$0.volunteer].volunteer.id == "V1" }?.first.line == 42)
    }

    @Test("a month: a session on the eve of the week a volunteer joins covers time in it, as in that week's summary")
    func eveOfJoiningWeek() throws {
        // V4 joins on Saturday 2019-08-10, the first day of the week ending 08-16: not active in the
        // week ending 08-09, whose last day is that week's eve.
        var s = log("""
        ,V4,2019-08-09,22:00,02:00,,
        ,V4,2019-08-10,01:00,03:00,,
        """)
        s.roster = s.roster.replacingOccurrences(of: "站长,,,,", with: "站长,,,2019-08-10,")
        let o = try s.run(weekEnding: "2019-08-16", now: "2019-08-17T12:00:00+08:00")
        #expect(o.hours("V4") == "1.00")
        #expect(o.week.facts.overlaps.count == 1)
        let rollup = try s.rollup(Period.month(8, of: 2019)!, now: "2019-09-01T00:00:00+08:00").rollup
        #expect(rollup.volunteers.first { $0.volunteer.id == "V4" }?.seconds == 3600)
        #expect(rollup.findings.filter { $0.rule.key == "overlap" }.count == 1)
    }
}
