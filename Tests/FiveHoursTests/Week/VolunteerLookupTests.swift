import Foundation
import Testing
@testable import FiveHours

/// How the counting and the reports find volunteers: `Counting.VolunteerTable` finds exactly
/// what the ledger's index finds, and `VolunteerOrder.inPlaces` fills every place of a list once.
@Suite("Finding volunteers")
struct VolunteerLookupTests {
    @Test("VolunteerTable finds what the ledger's index finds: every id, another spelling of one, and none of the ids it does not hold")
    func volunteerTable() {
        // Ids that share their first bytes, long ones (not held in the string's own bytes), and
        // a composed one that a decomposed spelling must find, as the dictionary finds it.
        var ids = (0..<5_000).map { "V\(String(repeating: "0", count: $0 % 4))\($0)" }
        ids += (0..<50).map { "第一工作站的一位很长很长的志愿者编号\($0)" } + ["Caf\u{E9}1"]
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let slots = ids.indices.map { Counting.VolunteerSlot(number: Int32($0 * 2), fromDay: Int32($0), untilDay: Int32($0 + 7)) }
        let table = Counting.VolunteerTable(index, slots: slots)
        let reference = Counting.IndexFinder(index: index, slots: slots)
        for id in ids + ["Cafe\u{301}1", "V", "", "V00000", "第一工作站的一位很长很长的志愿者编号50", "v1"] {
            // As the counting asks: the hash `prefetch` gave, then `find`.
            let found = table.find(id, hash: table.prefetch(id)), expected = reference.find(id, hash: reference.prefetch(id))
            #expect(found?.ledger == expected?.ledger && found?.slot.number == expected?.slot.number
                    && found?.slot.fromDay == expected?.slot.fromDay && found?.slot.untilDay == expected?.slot.untilDay, "\(id)")
        }
        #expect(table.find("Cafe\u{301}1", hash: table.prefetch("Cafe\u{301}1"))?.ledger == Int32(ids.count - 1))
        let none = Counting.VolunteerTable([:], slots: [])
        #expect(none.find("V1", hash: none.prefetch("V1")) == nil)
    }

    @Test("the counting by VolunteerTable and by the ledger's index are the same, session for session, fact for fact", arguments: [3 as UInt64, 19])
    func countingLookupsAgree(seed: UInt64) throws {
        var s = RollupCountingTests.scenario(seed: seed, crowd: 40)
        // Sessions of nobody on a roster, and of a rostered id spelt decomposed.
        s.roster += "\nCaf\u{E9}9,咖啡,甲科,小红象志愿服务队,队员,,,"
        s.activities += "\nX1,NOBODY,2019-08-06,09:00,10:00,,\nX2,Cafe\u{301}9,2019-08-07,09:00,11:00,,\nX3,Caf\u{E9}9,2019-08-07,10:00,12:00,,"
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.period = Period.year(2019)!
        let loaded = try Pipeline.load(options, progress: { _ in })
        let ledger = loaded.ledger
        let number = Array(ledger.volunteers.indices)
        let order = VolunteerOrder(ledger, campaign: loaded.campaign)
        let counting = Counting(rules: Rules(), origin: CivilDate(year: 2018, month: 12, day: 31)!, weekCount: 53)
        func describe(_ r: Counting.Result) -> [String] {
            r.sessions.map { "session \($0.recordIndex) \($0.team) \($0.unit) \($0.volunteer) \($0.date) \($0.countedSeconds)" }
                + ["teams \(r.teams)", "units \(r.units)", "unrostered \(r.unrostered.map { "\($0.volunteerID) \($0.source)" })"]
                + r.days.map { "day \($0.volunteer) \($0.day) \($0.seconds) \($0.sessions)" }
                + r.facts.overlaps.map { "overlap \($0.session) \($0.coveredBy) \($0.seconds)" }
                + r.facts.days.map { "long \($0.volunteer) \($0.date) \($0.total) \($0.counted) \($0.first) \($0.last) \(String(describing: $0.cut))" }
                + r.facts.mismatches.map { "mismatch \($0.session) \($0.hoursSeconds)" }
                + r.facts.inactive.map { "inactive \($0.volunteer) \($0.sessions.map { "\($0.source)" })" }
        }
        let byTable = describe(counting.count(ledger, number: number, order: order, lookup: .table))
        let byIndex = describe(counting.count(ledger, number: number, order: order, lookup: .index))
        #expect(byTable.count == byIndex.count)
        for (a, b) in zip(byTable, byIndex) where a != b {
            Issue.record("table: \(a)\nindex: \(b)")
            break
        }
        #expect(byTable.contains { $0.hasPrefix("unrostered") && $0.contains("NOBODY") })
        #expect(byTable.contains { $0.hasPrefix("inactive") })
        #expect(byTable.filter { $0.hasPrefix("session") }.count > 1_000)
    }

    @Test("VolunteerOrder.inPlaces puts each volunteer's value at its place, made in the ledger's order")
    func inPlaces() {
        let place = [2, -1, 0, 3, -1, 1]
        var order: [Int] = []
        let made = VolunteerOrder.inPlaces(place, count: 4) { li -> String in
            order.append(li)
            return "v\(li)"
        }
        #expect(made == ["v2", "v5", "v0", "v3"])
        #expect(order == [0, 2, 3, 5])
        #expect(VolunteerOrder.inPlaces([-1, -1], count: 0) { _ in 0 }.isEmpty)
    }

    @Test("VolunteerOrder.inPlaces stops the run at a place given twice, beyond the list, or left empty, never handing back memory it did not fill")
    func inPlacesRefusesBadPlaces() async {
        await #expect(processExitsWith: .failure) { _ = VolunteerOrder.inPlaces([0, 0, 2], count: 3) { $0 } }
        await #expect(processExitsWith: .failure) { _ = VolunteerOrder.inPlaces([0, 3], count: 2) { $0 } }
        await #expect(processExitsWith: .failure) { _ = VolunteerOrder.inPlaces([0, -1], count: 2) { $0 } }
    }
}
