import Foundation
import Testing
@testable import FiveHours

/// The roll-ups count exactly as the weeks do (§4): on generated logs, a volunteer's hours in the
/// year (and in a month) are the sum of the day totals that the weekly reports of the weeks holding
/// those days count, each week imported and built on its own; the hours and statuses of each week
/// of the period are that week's report's.
@Suite("Roll-ups count as the weeks count")
struct RollupCountingTests {
    /// Sessions from 2018-12-20 to 2020-01-10 for five volunteers: timed ones (some crossing
    /// midnight, some overlapping), hours-only ones, long days beyond the cap; V5 leaves mid-year on a
    /// Tuesday, V6 on the Thursday before a week's last day; both log sessions after they left.
    ///
    /// `crowd` more volunteers (V7, V8, …) log the same way, some joining or leaving mid-year: with
    /// them the counting sweeps ranges of many volunteers each on every core.
    static func scenario(seed: UInt64, crowd: Int = 0) -> Scenario {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,active_from,active_until
        V1,王继跃,甲科,小红象志愿服务队,联络员,,,
        V2,张伟,甲科,小红象志愿服务队;春雨行动志愿服务队,队员,,,
        V3,李娜,乙科,春雨行动志愿服务队,队员,是,,
        V4,赵敏,第一站,小红象志愿服务队,站长,,2019-03-04,
        V5,钱七,第一站,小红象志愿服务队,队员,,,2019-10-15
        V6,孙八,乙科,春雨行动志愿服务队,队员,,,2019-05-16
        """
        let units = ["甲科", "乙科", "第一站"], teams = ["小红象志愿服务队", "春雨行动志愿服务队", "小红象志愿服务队;春雨行动志愿服务队"]
        for k in 7..<(7 + crowd) {
            let from = k % 5 == 0 ? "2019-0\(1 + k % 9)-1\(k % 10)" : "", until = k % 7 == 0 ? "2019-1\(k % 3)-0\(1 + k % 9)" : ""
            s.roster += "\nV\(k),志愿者\(k),\(units[k % 3]),\(teams[k % 3]),队员,,\(from),\(until)"
        }
        var rng = SplitMix(seed: seed)
        var lines = ["record_id,volunteer_id,date,start,end,hours,team"]
        let first = CivilDate(year: 2018, month: 12, day: 20)!
        var n = 0
        for day in 0..<387 {
            let date = first.adding(days: day)
            for v in 1...(6 + crowd) where rng.next() % 3 == 0 {
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    n += 1
                    let kind = rng.next() % 10
                    if kind < 2 {
                        lines.append("R\(n),V\(v),\(date),,,\(1 + rng.next() % 9),")
                    } else {
                        let start = Int(rng.next() % 24) * 60 + Int(rng.next() % 4) * 15
                        let length = kind == 9 ? 13 * 60 : 30 + Int(rng.next() % 10) * 30
                        let end = (start + length) % 1440
                        lines.append("R\(n),V\(v),\(date),\(start / 60):\(TimeOfDay.two(start % 60)),\(end / 60):\(TimeOfDay.two(end % 60)),,")
                    }
                }
            }
        }
        s.activities = lines.joined(separator: "\n")
        return s
    }

    /// The reference: each week holding a day of `period`, imported on its own as `weekly` does.
    static func reference(_ folder: URL, period: Period) throws -> (days: [String: Int], weeks: [CivilDate: [String: (Int, VolunteerWeek.Status)]]) {
        var days: [String: Int] = [:]
        var weeks: [CivilDate: [String: (Int, VolunteerWeek.Status)]] = [:]
        var week = Week.containing(period.first, endsOn: .friday)
        while week.firstDay <= period.last {
            var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
            options.weekEnding = week.lastDay
            options.formats = [.csv]
            let loaded = try Pipeline.load(options, progress: { _ in })
            let data = WeekBuilder(campaign: loaded.campaign).build(loaded.ledger, week: week)
            for v in data.volunteers {
                for d in 0..<7 where period.contains(week.firstDay.adding(days: d)) { days[v.volunteer.id, default: 0] += v.daily[d] }
                weeks[week.lastDay, default: [:]][v.volunteer.id] = (v.seconds, v.status)
            }
            week = Week(lastDay: week.lastDay.adding(days: 7))
        }
        return (days, weeks)
    }

    @Test("a year's and a month's hours are the sum of their days as the weeks count them", arguments: [2019_08_09 as UInt64, 7, 42])
    func sums(seed: UInt64) throws {
        let folder = try Self.scenario(seed: seed).write()
        defer { ImportTestSupport.remove(folder) }
        for period in [Period.year(2019)!, Period.month(3, of: 2019)!, Period.month(12, of: 2019)!] {
            var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
            options.period = period
            options.now = ValueParser.instant("2020-02-01T00:00:00+08:00", in: .shanghai)
            let loaded = try Pipeline.load(options, progress: { _ in })
            let rollup = Rollup.build(loaded.ledger, campaign: loaded.campaign, period: period, now: options.now!, byMonth: period.kind == .year)
            let (days, weeks) = try Self.reference(folder, period: period)
            // V5 left on 2019-10-15 and V6 on 2019-05-16: not active in December.
            #expect(rollup.volunteers.count == (period == Period.month(12, of: 2019)! ? 4 : 6))
            var total = 0
            for (r, v) in rollup.volunteers.enumerated() {
                #expect(v.seconds == days[v.volunteer.id] ?? 0, "\(period) \(v.volunteer.id)")
                total += v.seconds
                for (w, info) in rollup.weeks.enumerated() {
                    guard let (seconds, status) = weeks[info.week.lastDay]?[v.volunteer.id] else {
                        #expect(rollup.status(week: w, volunteer: r) == .inactive)
                        continue
                    }
                    #expect(rollup.seconds(week: w, volunteer: r) == seconds, "\(info.week.lastDay) \(v.volunteer.id)")
                    #expect(rollup.status(week: w, volunteer: r).key == status.rawValue, "\(info.week.lastDay) \(v.volunteer.id)")
                }
            }
            #expect(total > 0)
            // Every hour the weeks count on the period's days is some listed volunteer's.
            #expect(total == days.values.reduce(0, +), "\(period)")
            if period.kind == .year {
                #expect(rollup.weeks.count == 52)
                // The teams' hours by month add up to the year's.
                for t in rollup.teams {
                    #expect(rollup.monthlyTeams.filter { $0.name == t.name }.reduce(0) { $0 + $1.seconds } == t.seconds)
                }
            }
        }
    }

    @Test("a month lists whoever its weeks count: one who left on the month before's last day (sessions of the first week) and one who joins after the month (sessions of its last days); a finding on a day is the month of that day's")
    func monthEdges() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,phone,active_from,active_until
        V1,王继跃,甲科,小红象志愿服务队,联络员,,,2019-07-01,2019-07-31
        V2,张伟,甲科,小红象志愿服务队,队员,,,,
        V3,李娜,乙科,春雨行动志愿服务队,联络员,,,2019-09-06,
        """
        // Weeks end on Friday: the week ending 2019-08-02 (07-27 … 08-02) belongs to August, V1
        // active in it; the week ending 2019-09-06 (08-31 … 09-06) to September, V3 active in it.
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-07-30,09:00,11:00,,
        A2,V1,2019-08-01,09:00,12:00,,
        A3,V2,2019-08-01,09:00,10:00,,
        A4,V2,2019-07-31,09:00,11:00,,
        A5,V2,2019-07-31,10:00,12:00,,
        A6,V3,2019-08-31,09:00,12:00,,
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.now = ValueParser.instant("2019-10-10T12:00:00+08:00", in: .shanghai)
        options.period = .year(2019) // the ledger holds the year's sessions; each period is built from it
        let loaded = try Pipeline.load(options, progress: { _ in })
        func build(_ p: Period) -> Rollup {
            Rollup.build(loaded.ledger, campaign: loaded.campaign, period: p, now: options.now!, byMonth: p.kind == .year)
        }
        let (july, august, september, year) = (build(.month(7, of: 2019)!), build(.month(8, of: 2019)!), build(.month(9, of: 2019)!), build(.year(2019)!))
        func hours(_ r: Rollup) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: r.volunteers.map { ($0.volunteer.id, $0.seconds / 60) })
        }
        #expect(hours(july) == ["V1": 120, "V2": 180])
        #expect(hours(august) == ["V1": 180, "V2": 60, "V3": 180])
        #expect(hours(september)["V3"] == 0)
        // The months add up to the year, volunteer by volunteer.
        for (id, minutes) in hours(year) {
            #expect([july, august, september].reduce(0) { $0 + (hours($1)[id] ?? 0) } == minutes, "\(id)")
        }
        // V1's week ending 08-02 is August's, partial (active two of its days).
        let week = try #require(august.weeks.firstIndex { $0.week.lastDay == CivilDate(year: 2019, month: 8, day: 2) })
        let v1 = try #require(august.volunteers.firstIndex { $0.volunteer.id == "V1" })
        #expect(august.seconds(week: week, volunteer: v1) == 5 * 3600)
        #expect(august.status(week: week, volunteer: v1).key == "partial")
        // V2's overlap on 07-31 is July's finding, not August's too.
        #expect(july.findings.filter { $0.rule == .overlap }.count == 1)
        #expect(august.findings.filter { $0.rule == .overlap }.isEmpty)
        #expect(year.findings.filter { $0.rule == .overlap }.count == 1)
    }

    @Test("a volunteer active only before the 1st in the month's first week is the month's too: partial that week in volunteer-weeks.csv and unit-weeks.csv alike")
    func leftBeforeTheFirst() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,phone,active_from,active_until
        V1,王继跃,甲科,小红象志愿服务队,联络员,,,,2019-07-30
        V2,张伟,甲科,小红象志愿服务队,队员,,,,
        """
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-07-28,09:00,11:00,,
        A2,V2,2019-08-01,09:00,15:00,,
        """
        let august = try s.rollup(.month(8, of: 2019)!, now: "2019-09-10T12:00:00+08:00").rollup
        let week = try #require(august.weeks.firstIndex { $0.week.lastDay == CivilDate(year: 2019, month: 8, day: 2) })
        let v1 = try #require(august.volunteers.firstIndex { $0.volunteer.id == "V1" })
        #expect(august.status(week: week, volunteer: v1).key == "partial")
        #expect(august.seconds(week: week, volunteer: v1) == 2 * 3600) // the week's hours, as its summary shows them
        #expect(august.volunteers[v1].seconds == 0) // none on August's days
        #expect(august.volunteers[v1].weeksPartial == 1)
        // Not a volunteer of August: volunteers.csv and the report's lists leave V1 out.
        #expect(!august.volunteers[v1].listed)
        #expect(august.volunteers.filter(\.listed).map(\.volunteer.id) == ["V2"])
        // Every volunteer a unit-week counts has its volunteer-week.
        for (k, info) in august.weeks.enumerated() {
            for unit in info.units where unit.unit == "甲科" {
                let listed = august.volunteers.indices.filter { august.volunteers[$0].volunteer.unit == "甲科" && august.status(week: k, volunteer: $0) != .inactive }
                #expect(unit.volunteers == listed.count, "\(info.week.lastDay)")
            }
        }
    }

    @Test("scores: weighted parts, ties share a rank (1, 1, 3), a week in progress is never short")
    func scores() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-08-05,,,6,
        A2,V2,2019-08-05,,,6,
        A3,V3,2019-08-05,,,6,
        A4,V4,2019-08-05,,,1,
        A5,V1,2019-08-12,,,1,
        """
        // Saturday 2019-08-10: the weeks ending 08-02 and 08-09 are over, 08-16 … 30 are not.
        let (loaded, options, rollup) = try s.rollup(Period.month(8, of: 2019)!, now: "2019-08-10T12:00:00+08:00")
        let report = RollupReport.make(kind: .monthly, rollup: rollup, campaign: loaded.campaign, ledger: loaded.ledger, now: options.now!)
        #expect(rollup.weeks.map(\.isOver) == [true, true, false, false, false])
        let v1 = try #require(report.volunteers.first { $0.id == "V1" })
        #expect(v1.seconds == 7 * 3600)
        // In progress: the week ending 08-16 only; 08-23 and 08-30 have not started.
        #expect(v1.weeksRequired == 2 && v1.weeksMet == 1 && v1.weeksInProgress == 1)
        #expect(rollup.weeks.map(\.hasStarted) == [true, true, true, false, false])
        #expect(rollup.weeks[3].units.allSatisfy { $0.volunteers == 0 })
        let w16 = rollup.weeks[2].units
        #expect(w16.allSatisfy { $0.met == 0 && $0.short == 0 })
        // No bulletins at all: 甲科 and 乙科 are alike but for compliance (甲科 2 of 4 volunteer-weeks met, 乙科 1 of 2).
        let jia = try #require(report.units.first { $0.name == "甲科" }), yi = try #require(report.units.first { $0.name == "乙科" })
        #expect(jia.complianceRate == "0.50" && yi.complianceRate == "0.50")
        #expect(jia.scoreCents == yi.scoreCents)
        #expect(jia.rank == yi.rank)
        let ranks = report.units.compactMap(\.rank).sorted()
        #expect(ranks == [1, 1, 3])
        #expect(report.units.first { $0.name == "第一站" }?.rank == 3)
        // The parts add up: score = 100 × Σ weight × earned / due / Σ weight of the parts that apply.
        let applying = jia.parts.filter { $0.due > 0 && $0.weight > 0 }
        let expected = 100 * applying.reduce(0.0) { $0 + $1.weight * $1.earned / Double($1.due) } / applying.reduce(0) { $0 + $1.weight }
        #expect(abs(Double(jia.scoreCents!) / 100 - expected) <= 0.005)
    }

    @Test("points and scores round half up from the exact value, not from binary fractions; weights that add up to 1 score as those that add up to 100")
    func exactPoints() {
        // 7 × (2 + 0.3 × 1) / 4 = 4.025 exactly; in binary fractions 4.0249999….
        var weekly = RollupReport.Part(weight: 7, credit: 0.3)
        (weekly.full, weekly.late, weekly.due) = (2, 1, 4)
        #expect(weekly.pointsCents == 403)
        // 0.1 × 3 / 2 = 0.15 (binary: 0.1499…).
        var tiny = RollupReport.Part(weight: 0.1)
        (tiny.full, tiny.due) = (3, 2)
        #expect(tiny.pointsCents == 15)
        var compliance = RollupReport.Part(weight: 50), daily = RollupReport.Part(weight: 20, credit: 0.5)
        var liaison = RollupReport.Part(weight: 10), roster = RollupReport.Part(weight: 5, credit: 0.5)
        var summaries = RollupReport.Part(weight: 15, credit: 0.5)
        (compliance.full, compliance.due) = (2, 3)   // 33.33
        (daily.full, daily.late, daily.due) = (7, 1, 9)  // 20 × 7.5 / 9 = 16.666… → 16.67
        (summaries.full, summaries.due) = (1, 3)     // 5.00
        (liaison.full, liaison.due) = (3, 3)         // 10.00
        (roster.late, roster.due) = (1, 1)           // 2.50
        let parts = [compliance, daily, summaries, liaison, roster]
        #expect(parts.map(\.pointsCents) == [3333, 1667, 500, 1000, 250])
        #expect(RollupReport.Part.scoreCents(parts) == 3333 + 1667 + 500 + 1000 + 250)
        // Without the roster part (95 of weight): 100 × 65.00 / 95 = 68.421… → 68.42.
        #expect(RollupReport.Part.scoreCents(Array(parts.prefix(4))) == 6842)
        #expect(RollupReport.Part.scoreCents([RollupReport.Part(weight: 10)]) == nil)
        // The same weights as shares of 1: the same scores.
        let shares = parts.map { p -> RollupReport.Part in var q = p; q.weight = p.weight / 100; return q }
        #expect(RollupReport.Part.scoreCents(shares) == 6750 && RollupReport.Part.scoreCents(Array(shares.prefix(4))) == 6842)
        // The score is the exact one, rounded once: thirds of 50, 20 and 10 score 33.33, though
        // their shown points (16.67 + 6.67 + 3.33) would make 33.34.
        let thirds = [50.0, 20, 10].map { w -> RollupReport.Part in var p = RollupReport.Part(weight: w); (p.full, p.due) = (1, 3); return p }
        #expect(thirds.map(\.pointsCents) == [1667, 667, 333])
        #expect(RollupReport.Part.scoreCents(thirds) == 3333)
        // A weight below a millionth is 0: that part does not apply.
        var tinyWeight = RollupReport.Part(weight: 0.0000004)
        (tinyWeight.full, tinyWeight.due) = (1, 1)
        #expect(!tinyWeight.applies && RollupReport.Part.scoreCents([tinyWeight]) == nil)
    }

    @Test("a score counts what was due at --now: not a summary handed in early for a week in progress, a bulletin before its hour, nor a roster before its deadline")
    func scoresCountWhatWasDue() throws {
        var s = Scenario()
        s.rules = s.rules.replacingOccurrences(of: "roster_due: 2019-08-02", with: "roster_due: 2019-08-20")
        // Wednesday 2019-08-14 at 12:00: the weeks ending 08-02 and 08-09 are over, 08-16 is in
        // progress. 甲科 handed in the week's summary, the day's bulletin and its roster early.
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,roster,,2019-08-01 09:00
        乙科,roster,,2019-08-01 09:00
        甲科,weekly,2019-08-16,2019-08-14 10:00
        甲科,daily,2019-08-14,2019-08-14 11:00
        """
        let (loaded, options, rollup) = try s.rollup(Period.month(8, of: 2019)!, now: "2019-08-14T12:00:00+08:00")
        let report = RollupReport.make(kind: .monthly, rollup: rollup, campaign: loaded.campaign, ledger: loaded.ledger, now: options.now!)
        let jia = try #require(report.units.first { $0.name == "甲科" }), yi = try #require(report.units.first { $0.name == "乙科" })
        // The week in progress shows the early summary and bulletin as its weekly summary would …
        let w16 = try #require(rollup.weeks.firstIndex { $0.week.lastDay == CivilDate(year: 2019, month: 8, day: 16)! })
        #expect(rollup.weeks[w16].units[0].weekly == .onTime(at: ValueParser.instant("2019-08-14T10:00:00+08:00", in: .shanghai)!))
        #expect(rollup.weeks[w16].units[0].dailyOnTime == 1 && rollup.weeks[w16].units[0].dailyEarly == 1)
        // … but the scores count none of them: 甲科 and 乙科 stand alike.
        #expect(jia.weeklyOnTime == 0 && jia.weeklyMissing == 2 && yi.weeklyMissing == 2)
        #expect(jia.dailyOnTime == 0 && jia.dailyMissing == yi.dailyMissing)
        #expect(!jia.rosterPart.applies && jia.roster == nil)
        #expect(!rollup.findings.contains { $0.rule == .rosterDeadline })
        #expect(jia.scoreCents == yi.scoreCents && jia.rank == yi.rank)
        // Once due (and in a month that holds the deadline), they count.
        let (_, later, lateRollup) = try s.rollup(Period.month(8, of: 2019)!, now: "2019-08-21T12:00:00+08:00")
        let after = RollupReport.make(kind: .monthly, rollup: lateRollup, campaign: loaded.campaign, ledger: loaded.ledger, now: later.now!)
        let jiaAfter = try #require(after.units.first { $0.name == "甲科" })
        #expect(jiaAfter.weeklyOnTime == 1 && jiaAfter.dailyOnTime == 1 && jiaAfter.rosterPart.applies)
        #expect(jiaAfter.roster == .onTime(at: ValueParser.instant("2019-08-01T09:00:00+08:00", in: .shanghai)!))
        // A month before the deadline never counts the roster, whenever it is run.
        let (_, julyOptions, july) = try s.rollup(Period.month(7, of: 2019)!, now: "2019-08-21T12:00:00+08:00")
        let julyReport = RollupReport.make(kind: .monthly, rollup: july, campaign: loaded.campaign, ledger: loaded.ledger, now: julyOptions.now!)
        #expect(julyReport.units.allSatisfy { !$0.rosterPart.applies && $0.roster == nil })
        #expect(!july.findings.contains { $0.rule == .rosterDeadline })
        // A deadline at the first instant after the month is the next month's, not this one's.
        var edge = s
        edge.rules = s.rules.replacingOccurrences(of: "roster_due: 2019-08-20", with: "roster_due: 2019-09-01T00:00:00+08:00")
        let (edgeLoaded, edgeOptions, edgeAugust) = try edge.rollup(Period.month(8, of: 2019)!, now: "2019-09-10T12:00:00+08:00")
        #expect(edgeAugust.rosterStatus.isEmpty)
        #expect(edgeLoaded.campaign.rosterIsDue(in: Period.month(9, of: 2019)!, now: edgeOptions.now!))
    }

    @Test("a month run before it ends counts the days of its weeks begun at --now: a session dated in a week not begun is in no total, as it is in no week's row")
    func weeksNotBegunCountNothing() throws {
        var s = Scenario()
        // V1: Monday 08-05 (week ending 08-09), Tuesday 08-13 and Thursday 08-15 (the week ending
        // 08-16, in progress on Wednesday 08-14 at noon: the 15th counts, as its summary counts
        // it), Tuesday 08-20 (the week ending 08-23, not begun) and Saturday 08-31 (the week
        // ending 09-06, not begun). An overlap on the 20th too, which makes a finding that day.
        s.activities += """

        A1,V1,2019-08-05,9:00,11:00,,小红象志愿服务队
        A2,V1,2019-08-13,9:00,12:00,,小红象志愿服务队
        A3,V1,2019-08-15,9:00,10:00,,小红象志愿服务队
        A4,V1,2019-08-20,9:00,13:00,,小红象志愿服务队
        A5,V1,2019-08-20,12:00,13:00,,小红象志愿服务队
        A6,V1,2019-08-31,9:00,14:00,,小红象志愿服务队
        """
        let august = Period.month(8, of: 2019)!
        let (_, _, mid) = try s.rollup(august, now: "2019-08-14T12:00:00+08:00")
        let v1 = try #require(mid.volunteers.firstIndex { $0.volunteer.id == "V1" })
        #expect(mid.volunteers[v1].seconds == 6 * 3600 && mid.volunteers[v1].sessions == 3)
        // Every counted hour is a week row's: 2 h in the week ending 08-09, 4 h in 08-16's; the
        // weeks not begun list nobody (no volunteer-weeks row) and their unit rows no hours.
        #expect(mid.weeks.map(\.hasStarted) == [true, true, true, false, false])
        #expect((0..<3).map { mid.seconds(week: $0, volunteer: v1) } == [0, 2 * 3600, 4 * 3600])
        #expect(mid.weeks.map { $0.units.first { $0.unit == "甲科" }?.seconds } == [0, 2 * 3600, 4 * 3600, 0, 0])
        #expect(mid.teams.first { $0.name == "小红象志愿服务队" }?.seconds == 6 * 3600)
        #expect(!mid.findings.contains { $0.rule == .overlap }, "the overlap on the 20th is not August's yet")
        // Once the month is over, all of it.
        let (_, _, after) = try s.rollup(august, now: "2019-09-10T12:00:00+08:00")
        let w1 = try #require(after.volunteers.firstIndex { $0.volunteer.id == "V1" })
        #expect(after.volunteers[w1].seconds == (2 + 3 + 1 + 4 + 5) * 3600 && after.volunteers[w1].sessions == 6)
        #expect(after.findings.contains { $0.rule == .overlap })
    }

    /// Everything a roll-up holds, as text, for comparing two builds of it.
    static func describe(_ r: Rollup) -> [String] {
        var out = r.weeks.map { "week \($0.week.lastDay) over \($0.isOver) \($0.units)" }
        out += r.volunteers.map { "volunteer \($0.volunteer.id) \($0.seconds) \($0.sessions) \($0.weeksRequired) \($0.weeksMet) \($0.weeksPartial) \($0.weeksInProgress) \($0.flags) \($0.listed)" }
        out.append("seconds \(r.weekSeconds)")
        out.append("status \(r.weekStatus.map(\.rawValue))")
        out += (r.teams + r.monthlyTeams).map { "team \($0)" }
        out.append("unassigned \(r.unassignedSeconds) by month \(r.monthlyUnassignedSeconds)")
        out += r.rosterStatus.sorted { $0.key < $1.key }.map { "roster \($0)" }
        out += r.findings.map { "finding \($0)" }
        return out
    }

    /// The one-pass build against the reference that builds every week on its own (`Rollup.reference`):
    /// every figure, status, team, unit row and finding alike, in order.
    @Test("the one-pass roll-up equals the week-by-week reference", arguments: [
        ("scenario 2019-08-09", "year"), ("scenario 7", "2019-03"), ("scenario 42", "2019-12"), ("samples", "2019-08"), ("samples", "year"),
        ("crowd 5", "year"), ("crowd 11", "2019-06"),
    ])
    func onePassEqualsReference(data: String, period name: String) throws {
        let folder: URL
        var remove = false
        if data == "samples" {
            folder = Binary.samples
        } else {
            let seed = UInt64(data.split(separator: " ")[1].replacingOccurrences(of: "-", with: ""))!
            folder = try Self.scenario(seed: seed, crowd: data.hasPrefix("crowd") ? 90 : 0).write()
            remove = true
        }
        defer { if remove { ImportTestSupport.remove(folder) } }
        let period = name == "year" ? Period.year(2019)! : Period.month(Int(name.suffix(2))!, of: 2019)!
        for now in ["2019-08-14T12:00:00+08:00", "2020-02-01T00:00:00+08:00"] {
            var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
            options.period = period
            options.now = ValueParser.instant(now, in: .shanghai)
            let loaded = try Pipeline.load(options, progress: { _ in })
            let byMonth = period.kind == .year
            let fast = Self.describe(Rollup.build(loaded.ledger, campaign: loaded.campaign, period: period, now: options.now!, byMonth: byMonth))
            let reference = Self.describe(Rollup.reference(loaded.ledger, campaign: loaded.campaign, period: period, now: options.now!, byMonth: byMonth))
            #expect(fast.count == reference.count, "\(data) \(name) \(now)")
            for (a, b) in zip(fast, reference) where a != b {
                Issue.record("\(data) \(name) \(now):\n  one pass:  \(a.prefix(400))\n  reference: \(b.prefix(400))")
                break
            }
            #expect(fast.contains { $0.hasPrefix("finding") })
        }
    }

    @Test("a finding that several weeks make is listed once, where it was first made; findings that differ in any field are all kept")
    func findingsOnce() {
        let file = SourceLine(fileIndex: 1, file: "activities/a.csv", line: 7)
        let roster = Finding(.rosterDeadline, unit: "甲科", subject: "甲科", detail: "名册逾期提交")
        let overlap = Finding(.overlap, unit: "甲科", subject: "V1 王继跃", date: CivilDate(year: 2019, month: 8, day: 5),
                              detail: "与 a.csv:6 重叠 30 分钟", source: file)
        var otherLine = overlap
        otherLine.source = SourceLine(fileIndex: 1, file: "activities/a.csv", line: 8)
        var otherDay = overlap
        otherDay.date = CivilDate(year: 2019, month: 8, day: 6)
        var otherDetail = overlap
        otherDetail.detail = "与 a.csv:6 重叠 31 分钟"
        var otherRule = overlap
        otherRule.rule = .hoursMismatch
        // The same text in another Unicode spelling (NFD) is another input's text: kept.
        var decomposed = roster
        decomposed.subject = "e\u{301}"
        var composed = roster
        composed.subject = "\u{E9}"
        let lists = [[roster, overlap], [roster, otherLine, overlap], [otherDay, otherDetail, otherRule, composed], [decomposed, roster, composed]]
        let once = Rollup.once(Array(lists.joined()))
        func count(_ f: Finding) -> Int {
            once.filter { Rollup.Identity.same($0, f) }.count
        }
        #expect(once.count == 8)
        for f in [roster, overlap, otherLine, otherDay, otherDetail, otherRule, composed, decomposed] { #expect(count(f) == 1) }
        // In the report's order: by severity, then rule, then as first made.
        #expect(once.map(\.rule) == RuleSet.ordered(once).map(\.rule))
        #expect(once.filter { $0.rule == .overlap }.map(\.source?.line) == [7, 8, 7, 7])
    }
}

