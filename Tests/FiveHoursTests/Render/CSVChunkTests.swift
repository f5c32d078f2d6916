import Testing
@testable import FiveHours

/// A long table is written in chunks of rows on every core (`CSVTables.file`), and hours, dates
/// and counts as bytes without making strings (`CSVWriter.Line`): both must give exactly the
/// bytes of the plain writer, cell by cell from the values' own text.
@Suite("CSV tables in chunks")
struct CSVChunkTests {
    /// Rows whose cells cover every kind, with values that need quoting, guarding or a sign.
    struct Table: ReportTable {
        let count: Int
        var name: String { "test" }
        var sheetKey: String { "sheet.test" }
        var keys: [String] { ["id", "hours", "count", "date", "text"] }
        func header(style: CSVHeaderStyle, labels: Labels) -> [String] { keys }
        func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
            s.text(i % 7 == 0 ? "-V\(i)" : "V\(i)")
            s.hours(i % 11 == 0 ? -(i * 37) : i * 37)
            s.count(i % 13 == 0 ? -i : i)
            // Years before 0 (a leading `-`, guarded) and after 9999 too.
            s.date(i % 17 == 0 ? nil : i % 19 == 0 ? CivilDate(dayNumber: -800_000 - i) : i % 23 == 0 ? CivilDate(dayNumber: 3_000_000 + i)
                   : CivilDate(dayNumber: 17_000 + i % 900))
            s.list(i % 5 == 0 ? ["a,b", "c\"d"] : ["队\(i % 3)"])
        }
    }

    /// The reference: every cell as the text the values print as, through `cell`.
    static func reference(_ t: Table) -> [UInt8] {
        CSVWriter.file(header: t.keys, count: t.count) { i, line in
            var cells: [String] = []
            struct Texts: TableRowSink {
                var cells: [String] = []
                mutating func text(_ value: String) { cells.append(value) }
                mutating func list(_ values: [String]) { cells.append(values.joined(separator: ";")) }
                mutating func hours(_ seconds: Int) { cells.append(Hours.format(seconds)) }
                mutating func count(_ value: Int) { cells.append("\(value)") }
                mutating func rate(_ text: String) { cells.append(text) }
                mutating func decimal(_ text: String) { cells.append(text) }
                mutating func date(_ value: CivilDate?) { cells.append(value.map { "\($0)" } ?? "") }
                mutating func time(_ text: String) { cells.append(text) }
            }
            var texts = Texts()
            t.row(i, into: &texts)
            cells = texts.cells
            for c in cells { line.cell(c) }
        }
    }

    @Test("a table of many chunks, and one of a single chunk, give the plain writer's bytes", arguments: [10, 16_384, 16_385, 50_001])
    func chunksEqualOnePass(rows: Int) {
        let table = Table(count: rows)
        let chunked = CSVTables.file(table, style: .keys, labels: Labels(.zhCN))
        let plain = Self.reference(table)
        // Compared without printing megabytes: the first byte that differs, if any.
        let differs = zip(chunked, plain).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? (chunked.count == plain.count ? nil : min(chunked.count, plain.count))
        #expect(differs == nil, "chunked and plain differ from byte \(differs ?? 0) (\(chunked.count) against \(plain.count) bytes)")
        // The cells that need it are quoted and guarded, negative numbers included.
        let text = String(decoding: chunked, as: UTF8.self)
        #expect(text.contains("\"'-V7\""))
        #expect(text.contains("\"'\(Hours.format(-11 * 37))\"") || rows < 12)
    }
}
