import Foundation
import Testing
@testable import FiveHours

/// The audit of the import against the contract: a roster phone cell that holds several
/// numbers, a roster with a landline and a mobile column, the record of a rejected conflict
/// (the row as written, not one made up from the parsed record), and the line that the
/// `unknown_column` finding cites.
@Suite("Roster phones, conflicts' records, header lines (audit)")
struct RosterAuditTests {
    static let now = "2019-08-10T12:00:00+08:00"

    // MARK: The line of the unknown_column finding

    @Test("unknown_column cites the header's physical line: after sep=, and blank lines")
    func unknownColumnLine() throws {
        var s = Scenario()
        s.activities = "sep=,\n\n\nrecord_id,volunteer_id,date,hours,备注\nR1,V1,2019-08-06,1,x\n"
        s.roster = "\n" + s.roster.replacingOccurrences(of: "active_until", with: "网格号")
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        #expect(Set(outcome.findings("unknown_column").map { "\($0.source!) \($0.detail)" })
                == ["rosters/roster.csv:2 未识别的列（已忽略）：网格号", "activities/log.csv:4 未识别的列（已忽略）：备注"])
        #expect(outcome.hours("V1") == "1.00")
    }
}
