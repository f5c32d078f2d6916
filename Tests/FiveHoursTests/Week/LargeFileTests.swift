import Foundation
import Testing
@testable import FiveHours

/// Files above `Importer.Sizes.parallel` are read in parts at once (two here): the parts must give
/// exactly what one pass would — line numbers, duplicates across the split, quoted line breaks.
@Suite("Large files read in parts")
struct LargeFileTests {
    @Test("line numbers, rejects and duplicates across the split are those of one pass")
    func halves() throws {
        var rows: [String] = []
        // A quoted cell with a line break early on shifts every later physical line by one.
        rows.append("R0,V1,2019-08-05,08:00,09:00,,,\"多行\n描述\"")
        var n = 1
        var size = 0
        while size < Importer.Sizes().parallel + 600_000 {
            // Out of the reported weeks: validated and hashed only.
            rows.append("R\(n),V\(1 + n % 4),2019-03-\(10 + n % 9),09:00,10:00,,小红象志愿服务队,文明引导")
            size += rows[rows.count - 1].utf8.count + 1
            n += 1
        }
        // Near the end: a bad date, an identical and a conflicting repeat of rows from the start.
        rows.append(",V2,2019/8/32,09:00,10:00,,,")
        rows.append("R0,V1,2019-08-05,08:00,09:00,,,\"多行\n描述\"")
        rows.append("R1,V2,2019-08-06,09:00,10:00,,,")
        rows.append("R\(n),V3,2019-08-07,09:00,11:30,,,")
        var s = Scenario()
        s.activities = "record_id,volunteer_id,date,start,end,hours,team,activity\n" + rows.joined(separator: "\n") + "\n"
        let o = try s.run()
        // Physical lines: header 1, R0 on 2–3, then one line per row.
        let badLine = 1 + 2 + (rows.count - 5) + 1
        #expect(o.rejects.map(\.source.line) == [badLine, badLine + 3])
        #expect(o.rejects.first?.reason.contains("日期") == true)
        #expect(o.rejects.last?.source.description == "activities/log.csv:\(badLine + 3)")
        #expect(o.rejects.last?.reason.contains("activities/log.csv:4") == true) // R1 was first on line 4
        let file = try #require(o.loaded.ledger.files.first { $0.path == "activities/log.csv" })
        #expect((file.read, file.merged, file.rejected) == (rows.count, 1, 2))
        #expect(file.counted == rows.count - 3)
        #expect(o.hours("V1") == "1.00")
        #expect(o.hours("V3") == "2.50")
        #expect(o.findings("duplicate").first?.source?.line == badLine + 1)
    }
}
