import Foundation
import Testing
@testable import FiveHours

/// A session's team is numbered (`Session.team`), and one number stands for every Unicode
/// spelling of a name (NFC, NFD). What a report shows must still be spelt as the data spells it:
/// a bulletin's row as its own record, a month's team as the month's first session of it.
@Suite("Team names as the data spells them")
struct TeamSpellingTests {
    static let nfc = "Caf\u{E9}队"          // é precomposed
    static let nfd = "Cafe\u{301}队"        // e + combining acute

    @Test("the daily bulletin's row shows its own record's spelling of the team")
    func dailyRow() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        R1,V1,2019-08-05,09:00,10:00,,\(Self.nfc)
        R2,V2,2019-08-06,09:00,10:00,,\(Self.nfd)
        """
        let o = try s.run()
        let daily = DailyReport.make(campaign: o.loaded.campaign, ledger: o.loaded.ledger, week: o.week, findings: [],
                                     date: ValueParser.date("2019-08-06")!,
                                     now: ValueParser.instant("2019-08-10T12:00:00+08:00", in: .shanghai)!)
        let row = try #require(daily.activities.first { $0.recordID == "R2" })
        #expect(Array(row.team.utf8) == Array(Self.nfd.utf8))
    }

    @Test("a month's team is spelt as the month's first session spells it, not a day before the month")
    func monthlyTeam() throws {
        var s = Scenario()
        // 2019-07-29 is in the week ending 2019-08-02, which is counted for August's first days.
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-07-29,,,2,\(Self.nfd)
        A2,V2,2019-08-01,,,2,\(Self.nfc)
        """
        let folder = try s.write()
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.period = Period.month(8, of: 2019)
        options.now = ValueParser.instant("2019-09-10T12:00:00+08:00", in: .shanghai)
        let loaded = try Pipeline.load(options, progress: { _ in })
        let rollup = Rollup.build(loaded.ledger, campaign: loaded.campaign, period: options.period!, now: options.now!, byMonth: false)
        let team = try #require(rollup.teams.first { $0.name == Self.nfc })
        #expect(team.sessions == 1)
        #expect(Array(team.name.utf8) == Array(Self.nfc.utf8))
    }
}
