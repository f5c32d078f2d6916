import Foundation
import Testing
@testable import FiveHours

/// The week the Friday batch reports, a week still running, and last week in the headline
/// (issue 15, items 1–3 and 8).
@Suite("The Friday batch's week")
struct BatchWeekTests {
    static func campaign() throws -> (Campaign, URL) {
        let folder = try Scenario().write()
        return (try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path), folder)
    }

    @Test("without --week-ending: the latest week whose summary is due at or before --now", arguments: [
        ("2019-08-09T14:59:59+08:00", "2019-08-02"), // Friday before 15:00: last week's batch
        ("2019-08-09T15:00:00+08:00", "2019-08-09"), // the Friday 15:00 batch reports the week ending that day
        ("2019-08-10T09:00:00+08:00", "2019-08-09"), // Saturday still reports it
        ("2019-08-15T23:00:00+08:00", "2019-08-09"), // Thursday of the next week too
        ("2019-08-16T15:00:00+08:00", "2019-08-16"),
    ])
    func defaultWeek(now: String, lastDay: String) throws {
        let (campaign, folder) = try Self.campaign()
        defer { ImportTestSupport.remove(folder) }
        let options = Pipeline.Options(configPath: "")
        let t = try #require(ValueParser.instant(now, in: .shanghai))
        let week = try Pipeline.week(options, campaign: campaign, now: t)
        #expect("\(week.lastDay)" == lastDay)
        #expect(!Pipeline.isInProgress(week, campaign: campaign, now: t))
    }

    @Test("a week named explicitly that is not over is in progress: hours so far, nobody short")
    func inProgress() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        R1,V1,2019-08-05,09:00,15:00,,
        R2,V2,2019-08-05,09:00,11:00,,
        """
        let o = try s.run(weekEnding: "2019-08-09", now: "2019-08-07T12:00:00+08:00")
        defer { ImportTestSupport.remove(o.folder) }
        #expect(o.week.inProgress)
        #expect(o.volunteer("V1")?.status == .met)
        #expect(o.volunteer("V2")?.status == .partial)
        #expect(o.volunteer("V2")?.shortfallSeconds == 0)
        #expect(o.week.volunteers.allSatisfy { $0.status != .short })
        #expect(o.findings("five_hours").isEmpty)
        #expect(o.report.inProgress)
        #expect(o.report.previousWeek == .thisWeekInProgress)
        // At the due instant the week is over and judged.
        let done = try s.run(weekEnding: "2019-08-09", now: "2019-08-09T15:00:00+08:00")
        defer { ImportTestSupport.remove(done.folder) }
        #expect(!done.week.inProgress)
        #expect(done.volunteer("V2")?.status == .short)
        #expect(done.findings("five_hours").count == 3)
    }

    @Test("the 15:00 batch names the summaries that did not come: missing, not pending")
    func missingAtDue() throws {
        var s = Scenario()
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,weekly,2019-08-09,2019-08-09 15:00
        乙科,weekly,2019-08-09,2019-08-09 15:00:01
        """
        let o = try s.run(now: "2019-08-09T15:00:00+08:00")
        defer { ImportTestSupport.remove(o.folder) }
        #expect(o.unit("甲科")?.weekly.key == "on_time")
        #expect(o.unit("乙科")?.weekly.key == "missing") // stamped after --now: does not exist yet
        #expect(o.unit("第一站")?.weekly.key == "missing")
        #expect(o.findings("weekly_summary").map(\.unit) == ["乙科", "第一站"])
    }

    @Test("last week is compared only when its logs are there", arguments: [
        // (last week's rows, expected)
        ("", "none"),
        ("L1,V1,2019-08-01,09:00,10:00,,", "incomplete"),  // one stray row of four volunteers' week
        ("L1,V1,2019-08-01,09:00,10:00,,\nL2,V2,2019-08-01,09:00,10:00,,", "shown"),
    ])
    func previousWeek(rows: String, expected: String) throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        R1,V1,2019-08-05,09:00,15:00,,
        R2,V2,2019-08-05,09:00,15:00,,
        R3,V3,2019-08-05,09:00,15:00,,
        R4,V4,2019-08-05,09:00,15:00,,
        \(rows)
        """
        let (folder, _, loaded) = try s.loadWeek()
        defer { ImportTestSupport.remove(folder) }
        let builder = WeekBuilder(campaign: loaded.campaign)
        let week = Week(lastDay: ValueParser.date("2019-08-09")!)
        let this = builder.build(loaded.ledger, week: week), previous = builder.build(loaded.ledger, week: week.previous)
        let kind: String
        switch WeeklyReport.comparison(this: this, previous: previous) {
        case .shown: kind = "shown"
        case .none: kind = "none"
        case .incomplete: kind = "incomplete"
        case .thisWeekInProgress: kind = "in progress"
        }
        #expect(kind == expected)
    }

    @Test("ties share a rank (1, 1, 3); a volunteer with a capped day is marked")
    func rankings() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        R1,V1,2019-08-05,06:00,20:00,,
        R2,V2,2019-08-05,09:00,15:00,,
        R3,V3,2019-08-05,09:00,15:00,,
        R4,V4,2019-08-05,09:00,12:00,,
        """
        let o = try s.run()
        defer { ImportTestSupport.remove(o.folder) }
        let view = WeeklyView(report: o.report, labels: Labels(.zhCN), isPublic: false, phones: []).dictionary(schema: false)
        let volunteers = try #require(view["rank_volunteers"] as? [[String: Any]])
        #expect(volunteers.map { $0["rank"] as? Int } == [1, 2, 2, 4])
        #expect(volunteers.map { $0["flagged"] as? Bool } == [true, false, false, false])
        #expect(view["has_flagged"] as? Bool == true)
        // 甲科 and 乙科 both 100 % (two and one volunteers), 第一站 0 %.
        let units = try #require(view["rank_units"] as? [[String: Any]])
        #expect(units.map { $0["name"] as? String } == ["甲科", "乙科", "第一站"])
        #expect(units.map { $0["rank"] as? Int } == [1, 1, 3])
    }

    @Test("Ranking.competition: equal keys share a rank, the next rank skips")
    func competition() {
        #expect(Ranking.competition([[100], [100], [100], [80], [80], [50]]) == [1, 1, 1, 4, 4, 6])
    }
}
