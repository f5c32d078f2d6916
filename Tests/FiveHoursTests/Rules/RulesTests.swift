import Testing
@testable import FiveHours

@Suite("Rules")
struct RulesTests {
    @Test("a deadline: on time at the instant, late after it, missing, pending, copies, after --now", arguments: [
        // (submitted instants, now, expected key)
        (["2019-08-05 15:30"], "2019-08-10T00:00:00+08:00", "on_time"),
        (["2019-08-05 15:30:01"], "2019-08-10T00:00:00+08:00", "late"),
        (["2019-08-05 17:00", "2019-08-05 15:00"], "2019-08-10T00:00:00+08:00", "on_time"),
        ([], "2019-08-10T00:00:00+08:00", "missing"),
        // Missing from the due instant itself (issue 15: the 15:00 batch names missing summaries).
        ([], "2019-08-05T15:29:59+08:00", "pending"),
        ([], "2019-08-05T15:30:00+08:00", "missing"),
        ([], "2019-08-05T15:30:01+08:00", "missing"),
        // A copy stamped exactly at the due instant, seen by a run at that instant, is on time.
        (["2019-08-05 15:30"], "2019-08-05T15:30:00+08:00", "on_time"),
        (["2019-08-05 15:00"], "2019-08-05T14:00:00+08:00", "pending"),
    ] as [([String], String, String)])
    func deadline(submitted: [String], now: String, expected: String) {
        let zone = CampaignZone.shanghai
        let due = zone.instant(ValueParser.date("2019-08-05")!, at: 15 * 3600 + 1800)
        let status = Deadline.status(due: due, submitted: submitted.map { ValueParser.instant($0, in: zone)! },
                                     now: ValueParser.instant(now, in: zone)!)
        #expect(status.key == expected)
    }

    @Test("late by minutes, rounded up")
    func lateMinutes() {
        #expect(Deadline.status(due: 1000, submitted: [1061], now: 5000) == .late(at: 1061, minutes: 2))
        #expect(Deadline.status(due: 1000, submitted: [1060], now: 5000) == .late(at: 1060, minutes: 1))
    }

    @Test("daily bulletins and the weekly summary per unit in units.csv")
    func bulletins() throws {
        var s = Scenario()
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,简报,2019-08-05,2019/8/5 15:30
        甲科,daily,2019-08-06,2019/8/6 16:00
        甲科,daily,2019-08-07,2019/8/7 10:00
        甲科,daily,2019-08-08,2019/8/8 10:00
        甲科,daily,2019-08-09,2019/8/9 10:00
        甲科,周总结,2019-08-09,2019-08-09T15:00:00+08:00
        乙科,weekly,2019-08-09,2019/8/9 15:01
        乙科,daily,2019-08-05,2019/8/12 9:00
        """
        let o = try s.run(now: "2019-08-10T12:00:00+08:00")
        let a = try #require(o.unit("甲科")), b = try #require(o.unit("乙科")), c = try #require(o.unit("第一站"))
        #expect((a.dailyOnTime, a.dailyLate, a.dailyMissing, a.weekly.key) == (4, 1, 0, "on_time"))
        #expect((b.dailyOnTime, b.dailyLate, b.dailyMissing, b.weekly.key) == (0, 0, 5, "late"))
        #expect((c.dailyOnTime, c.dailyLate, c.dailyMissing, c.weekly.key) == (0, 0, 5, "missing"))
        // Friday 14:00: Friday's bulletin and the summary are still pending.
        let early = try s.run(now: "2019-08-09T14:00:00+08:00")
        let c2 = try #require(early.unit("第一站"))
        #expect((c2.dailyMissing, c2.weekly.key) == (4, "pending"))
    }

    @Test("no bulletin is owed before the campaign's start_date: the week it begins owes only its days from then on, a day before owes none")
    func bulletinsFromTheStart() throws {
        var s = Scenario()
        s.startDate = "2019-08-07" // a Wednesday; bulletins are owed Monday to Friday
        let o = try s.run(now: "2019-08-10T12:00:00+08:00")
        let c = try #require(o.unit("第一站"))
        #expect((c.dailyOnTime, c.dailyLate, c.dailyMissing) == (0, 0, 3))
        #expect(o.report.days.map(\.description) == ["2019-08-07", "2019-08-08", "2019-08-09"])
        #expect(o.findings.filter { $0.rule == .dailyBulletin && $0.unit == "第一站" }.map { $0.date?.description } == ["2019-08-07", "2019-08-08", "2019-08-09"])
        // Without a start date all five are owed.
        s.startDate = nil
        #expect(try s.run(now: "2019-08-10T12:00:00+08:00").unit("第一站")?.dailyMissing == 5)
    }

    @Test("liaisons: role or column, counted once; missing; multiple")
    func liaisons() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,role,liaison
        V1,王继跃,甲科,联络员,是
        V2,张伟,乙科,队员,√
        V3,李娜,乙科,联络员,
        V4,赵敏,第一站,站长,否
        """
        let o = try s.run()
        #expect(o.unit("甲科")?.liaisonStatus == .ok)
        #expect(o.unit("乙科")?.liaisonStatus == .multiple)
        #expect(o.unit("第一站")?.liaisonStatus == .missing)
        #expect(o.unit("乙科")?.liaisons == ["张伟", "李娜"])
    }

    @Test("a liaison is 'active for only part of the week' by the roster's dates, not because the week is in progress")
    func liaisonPartOfTheWeek() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,role,active_from
        V1,王继跃,甲科,联络员,
        V3,李娜,乙科,联络员,2019-08-07
        """
        // Wednesday of the week ending Friday 2019-08-09: the week is in progress.
        let o = try s.run(now: "2019-08-07T12:00:00+08:00")
        let partial = o.findings("liaison").filter { $0.severity == .info }
        #expect(partial.map(\.subject) == ["V3 李娜"], "\(partial.map(\.detail))")
        let over = try s.run()
        #expect(over.findings("liaison").filter { $0.severity == .info }.map(\.subject) == ["V3 李娜"])
    }

    @Test("compliance rate: met / (met + short), two decimals, empty when nobody is held")
    func compliance() throws {
        #expect(Rate.format(2, of: 3) == "0.67")
        #expect(Rate.format(1, of: 3) == "0.33")
        #expect(Rate.format(0, of: 0) == "")
        #expect(Rate.format(5, of: 5) == "1.00")
        #expect(Rate.format(1, of: 8) == "0.13")
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        ,V1,2019-08-05,,,5,
        ,V2,2019-08-05,,,4.99,
        """
        let o = try s.run()
        #expect(o.unit("甲科")?.complianceRate == "0.50")
        #expect(o.unit("乙科")?.complianceRate == "0.00")
        #expect(o.unit("甲科")?.hours == "9.99")
    }

    @Test("unknown units and teams are findings; their sessions still count")
    func unknowns() throws {
        var s = Scenario()
        s.roster += "\nV5,孙丽,丙科,夕阳红志愿服务队,,,,,"
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        ,V5,2019-08-05,,,6,夕阳红志愿服务队
        """
        let o = try s.run()
        #expect(o.hours("V5") == "6.00")
        #expect(o.findings("unknown_unit").count == 1)
        #expect(o.findings("unknown_team").count == 1)
        #expect(o.report.teams.last?.name == "夕阳红志愿服务队")
        #expect(!o.report.units.contains { $0.name == "丙科" })
    }

    @Test("a team's lead unit that units: does not list is an unknown_unit finding, once, unless the data already names it")
    func unknownLeadUnit() throws {
        var s = Scenario()
        s.units = """
          - { name: 甲科, kind: department }
          - { name: 第一站, kind: workstation }
        """
        s.roster = """
        volunteer_id,name,unit,teams
        V1,王继跃,甲科,小红象志愿服务队
        """
        let o = try s.run()
        let found = o.findings("unknown_unit")
        #expect(found.map(\.subject) == ["乙科"])
        #expect(found.first?.detail.contains("春雨行动志愿服务队") == true)
        // Named by a roster too: one finding, the roster's.
        s.roster += "\nV3,李娜,乙科,春雨行动志愿服务队"
        let again = try s.run().findings("unknown_unit")
        #expect(again.count == 1 && again.first?.source?.file == "rosters/roster.csv")
    }

    @Test("sessions recorded more than ten working days later")
    func lateRecord() throws {
        #expect(LateRecordRule.workingDays(from: ValueParser.date("2019-08-05")!, to: ValueParser.date("2019-08-19")!) == 10)
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,submitted_at
        ,V1,2019-08-05,,,1,,2019-08-19 10:00
        ,V1,2019-08-05,,,2,,2019-08-20 10:00
        """
        let o = try s.run(now: "2019-08-30T00:00:00+08:00")
        #expect(o.findings("late_record").count == 1)
        #expect(o.findings("late_record").first?.source?.line == 3)
        // The rule skips the zone for a session recorded within twelve days of the UTC day after:
        // that holds only if no twelve days hold more than ten working days, from any weekday.
        let monday = ValueParser.date("2019-08-05")!
        for start in 0..<7 {
            let d = monday.adding(days: start)
            for k in 0...12 { #expect(LateRecordRule.workingDays(from: d, to: d.adding(days: k)) <= 10, "\(d) + \(k)") }
            #expect((13...17).contains { LateRecordRule.workingDays(from: d, to: d.adding(days: $0)) > 10 })
        }
    }

    @Test("a roster submitted after roster_due is late")
    func rosterDeadline() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,submitted_at
        V1,王继跃,甲科,2019-08-02 23:59
        V3,李娜,乙科,2019/8/3 9:12
        """
        let o = try s.run()
        let f = o.findings("roster_deadline")
        #expect(f.map(\.unit) == ["第一站", "乙科"])
        #expect(f.first?.severity == .error)
        // The late one names the roster row that says when it came.
        #expect(f.last?.source?.description == "rosters/roster.csv:3")
    }

    @Test("a roster handed in again, a row unchanged but its submitted_at, is the same volunteer (merged) and its earlier copy keeps the deadline; a row that differs names the columns")
    func rosterHandedInAgain() throws {
        var s = Scenario()
        s.roster = ""
        // The supplement's name sorts first ('-' before '.'): its copies come first in input order.
        s.files["rosters/甲科花名册.csv"] = Array("""
        volunteer_id,name,unit,teams,submitted_at
        V1,王继跃,甲科,小红象志愿服务队,2019/8/1 10:00
        V2,张伟,甲科,小红象志愿服务队,2019/8/1 10:00
        """.utf8)
        s.files["rosters/甲科花名册-补报.csv"] = Array("""
        volunteer_id,name,unit,teams,submitted_at
        V1,王继跃,甲科,小红象志愿服务队,2019/8/5 9:00
        V2,张伟,乙科,春雨行动志愿服务队,2019/8/5 9:00
        V5,钱七,甲科,,2019/8/5 9:00
        """.utf8)
        let o = try s.run()
        defer { ImportTestSupport.remove(o.folder) }
        // V1 merged (only its time differs); V2's later row differs in unit and teams.
        #expect(o.findings("duplicate").map { $0.source?.description } == ["rosters/甲科花名册.csv:2"])
        let rejects = o.rejects.filter { $0.source.file.hasPrefix("rosters/甲科") }
        #expect(rejects.map { "\($0.source)" } == ["rosters/甲科花名册.csv:3"])
        #expect(rejects.first?.reason.contains("内容不同（单位(unit)、服务队(teams)）") == true, "\(rejects)")
        // 甲科 handed its roster in on 1 August (V1's first copy), before roster_due: on time.
        #expect(!o.findings("roster_deadline").contains { $0.unit == "甲科" }, "\(o.findings("roster_deadline"))")
    }

    @Test("a late bulletin, summary or roster names the first copy's row as its source")
    func lateDeadlinesNameTheirCopy() throws {
        var s = Scenario()
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,daily,2019-08-06,2019/8/6 17:00
        甲科,daily,2019-08-06,2019/8/6 16:00
        乙科,weekly,2019-08-09,2019/8/9 15:01
        乙科,roster,,2019/8/3 9:12
        """
        let o = try s.run(now: "2019-08-10T12:00:00+08:00")
        let daily = o.findings("daily_bulletin").filter { $0.severity == .warning }
        #expect(daily.map { "\($0.unit) \($0.date!) \($0.source?.description ?? "")" } == ["甲科 2019-08-06 submissions/s.csv:3"])
        #expect(o.findings("weekly_summary").filter { $0.severity == .warning }.map { $0.source?.description } == ["submissions/s.csv:4"])
        #expect(o.findings("roster_deadline").filter { $0.severity == .warning }.map { $0.source?.description } == ["submissions/s.csv:5"])
        // A missing one has no row to name.
        #expect(o.findings("weekly_summary").filter { $0.severity == .error }.allSatisfy { $0.source == nil })
    }
}
