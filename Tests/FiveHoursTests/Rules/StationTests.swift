import Foundation
import Testing
@testable import FiveHours

/// Clause 6: each workstation's service station, ready by `rules.station_due` (default: the end of
/// July of the campaign year), from `station_ready:` in the campaign file or a `station` submission.
@Suite struct StationTests {
    /// The default scenario with two workstations: 第一站 (the scenario's) and 第二站.
    static func scenario(ready: String? = nil, due: String? = "2019-07-31") -> Scenario {
        var s = Scenario()
        if let due { s.rules += "\n  station_due: \(due)" }
        s.units = """
          - { name: 甲科, kind: department }
          - { name: 乙科, kind: department }
          - { name: 第一站, kind: workstation\(ready.map { ", station_ready: \($0)" } ?? "") }
          - { name: 第二站, kind: workstation }
        """
        return s
    }

    static func statuses(_ o: Scenario.Outcome, now: String) throws -> [String: DeadlineStatus] {
        let at = try #require(ValueParser.instant(now, in: .shanghai))
        return try #require(StationReadiness.judge(o.loaded.campaign, ledger: o.loaded.ledger, now: at, year: 2019)).statuses
    }

    @Test("a station_ready date on or before the deadline is on time, and gives no finding")
    func onTime() throws {
        let o = try Self.scenario(ready: "2019-07-31").run()
        let s = try Self.statuses(o, now: "2019-08-10T12:00:00+08:00")
        #expect(s["第一站"]?.key == "on_time")
        #expect(o.findings("station_readiness").filter { $0.unit == "第一站" }.isEmpty)
    }

    @Test("a station submission after the deadline is late: a warning with the days and the submission's line")
    func late() throws {
        var s = Self.scenario()
        s.submissions = """
        unit,kind,period,submitted_at
        第二站,服务站,,2019-08-05 10:20
        """
        let o = try s.run()
        let f = try #require(o.findings("station_readiness").first { $0.unit == "第二站" })
        #expect(f.severity == .warning)
        #expect(f.date == CivilDate(year: 2019, month: 8, day: 5))
        #expect(f.detail == "服务站 2019-08-05 建成，迟 5 天（应于 2019-07-31 23:59:59 前按“六有一落实”标准建成）")
        #expect(f.source?.line == 2)
        #expect(try Self.statuses(o, now: "2019-08-10T12:00:00+08:00")["第二站"]?.key == "late")
    }

    @Test("no station before the deadline is pending (no finding); after it, overdue (an error)")
    func missing() throws {
        let before = try Self.scenario().run(weekEnding: "2019-07-26", now: "2019-07-27T12:00:00+08:00")
        #expect(try Self.statuses(before, now: "2019-07-27T12:00:00+08:00")["第二站"] == .pending)
        #expect(before.findings("station_readiness").isEmpty)

        let after = try Self.scenario().run()
        let f = after.findings("station_readiness")
        #expect(f.map(\.unit) == ["第一站", "第二站"])
        #expect(f.allSatisfy { $0.severity == .error })
        #expect(try Self.statuses(after, now: "2019-08-10T12:00:00+08:00")["第二站"] == .missing)
        let en = try Self.scenario().run(language: .en)
        #expect(en.findings("station_readiness").first?.detail
                == "service station overdue, not ready to the standard (due by 2019-07-31 23:59:59); once ready, set station_ready in the campaign file or submit kind station")
    }

    @Test("a station submission stamped after --now does not exist yet, and a ready date after --now neither")
    func afterNow() throws {
        var s = Self.scenario(ready: "2019-08-20")
        s.submissions = """
        unit,kind,period,submitted_at
        第二站,station,,2019-08-12 09:00
        """
        let o = try s.run()
        let st = try Self.statuses(o, now: "2019-08-10T12:00:00+08:00")
        #expect(st["第一站"] == .missing)
        #expect(st["第二站"] == .missing)
        #expect(try Self.statuses(o, now: "2019-08-21T12:00:00+08:00")["第一站"]?.key == "late")
    }

    @Test("departments are not judged; a station one submits counts for nobody, with a warning on its line")
    func departments() throws {
        var s = Self.scenario()
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,station,,2019-07-20 09:00
        甲科,服务站,,2019-07-21 09:00
        """
        let o = try s.run()
        let st = try Self.statuses(o, now: "2019-08-10T12:00:00+08:00")
        #expect(Set(st.keys) == ["第一站", "第二站"])
        let f = o.findings("station_readiness").filter { $0.unit == "甲科" }
        #expect(f.count == 1)
        #expect(f.first?.severity == .warning)
        #expect(f.first?.detail == "甲科不是工作站，没有服务站；这条“服务站”报送不计入任何单位")
        #expect(f.first?.source?.line == 2)
    }

    @Test("without station_due the deadline is the end of 31 July of the start year, or of the report's year")
    func defaultDeadline() throws {
        var c = Campaign(name: "x", zone: .shanghai)
        #expect(c.zone.iso8601(StationReadiness.due(c, year: 2020)) == "2020-07-31T23:59:59+08:00")
        c.startDate = CivilDate(year: 2019, month: 7, day: 26)
        #expect(c.zone.iso8601(StationReadiness.due(c, year: 2020)) == "2019-07-31T23:59:59+08:00")
        c.rules.stationDue = ValueParser.instant("2019-07-31T18:00:00+08:00", in: .shanghai)
        #expect(c.zone.iso8601(StationReadiness.due(c, year: 2020)) == "2019-07-31T18:00:00+08:00")
        // A station_ready date alone turns the judging on, with the default deadline.
        let o = try Self.scenario(ready: "2019-08-01", due: nil).run()
        #expect(try Self.statuses(o, now: "2019-08-10T12:00:00+08:00")["第一站"]?.key == "late")
    }

    @Test("a campaign that says nothing of stations is not judged")
    func notTracked() throws {
        let o = try Scenario().run()
        #expect(StationReadiness.judge(o.loaded.campaign, ledger: o.loaded.ledger, now: Int.max, year: 2019) == nil)
        #expect(o.findings("station_readiness").isEmpty)
    }

    static let yaml = """
    campaign:
      name: x
    rules:
      station_due: 2019-07-31
    units:
      - { name: 甲科, kind: department }
      - { name: 第一站, kind: workstation, station_ready: 2019-07-32 }
    inputs:
      rosters: r
    """

    @Test("a bad station_ready date names the file, the line and the key")
    func badDate() throws {
        #expect(throws: CampaignError.self) { try CampaignLoader.parse(Self.yaml, path: "/c/campaign.yaml") }
        do {
            _ = try CampaignLoader.parse(Self.yaml, path: "/c/campaign.yaml")
        } catch {
            #expect(error.description == "campaign.yaml:7: units[1].station_ready: expected a date such as 2019-07-28 or an instant such as 2019-07-28T10:00:00+08:00, found '2019-07-32'")
        }
        let badDue = Self.yaml.replacingOccurrences(of: "station_due: 2019-07-31", with: "station_due: end of july")
            .replacingOccurrences(of: "2019-07-32", with: "2019-07-28")
        do {
            _ = try CampaignLoader.parse(badDue, path: "/c/campaign.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("campaign.yaml:4: rules.station_due: expected a date"))
        }
    }

    @Test("station_ready on a department is an error on its line; a good one is read as the day's start")
    func stationReadyOnADepartment() throws {
        let text = Self.yaml.replacingOccurrences(of: "kind: department }", with: "kind: department, station_ready: 2019-07-28 }")
        do {
            _ = try CampaignLoader.parse(text, path: "/c/campaign.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "campaign.yaml:6: units[0].station_ready: only a workstation (kind: workstation) has a service station; '甲科' is a department")
        }
        let good = try CampaignLoader.parse(Self.yaml.replacingOccurrences(of: "2019-07-32", with: "2019/7/28"), path: "/c/campaign.yaml")
        #expect(good.units[1].stationReady.map(good.zone.iso8601) == "2019-07-28T00:00:00+08:00")
        #expect(good.rules.stationDue.map(good.zone.iso8601) == "2019-07-31T23:59:59+08:00")
    }
}
