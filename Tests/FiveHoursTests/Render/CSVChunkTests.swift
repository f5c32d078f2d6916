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

    @Test("a raw line (reserved memory) writes a line's bytes: cells written before, hours, commas and CRLF")
    func rawLineEqualsLine() {
        var cells = EncodedCells()
        for text in ["V1", "-V2", "a,b", "c\"d", "队", "", "2019-08-09"] { cells.add { $0.text(text) } }
        // Hours of every width: zero, under an hour, rounding half up, days, and the largest a
        // week's Int32 can hold.
        let seconds = [0, 1, 17, 18, 35, 36, 1_799, 1_800, 3_600, 9_000, 86_399, 604_800, Int(Int32.max)] + (0..<500).map { $0 * 127 }
        var plain = CSVWriter.Line(), raw = CSVWriter.Line()
        cells.withCells { c in
            for (i, s) in seconds.enumerated() {
                plain.cell(encoded: c[i % 7])
                plain.hours(s)
                plain.cell(encoded: c[(i + 3) % 7])
                plain.end()
            }
            // Room for exactly what the rows take at most (`longest`, 24 for hours, two commas, CRLF).
            raw.writeRaw(capacity: seconds.count * (2 * c.longest + 24 + 4)) { line in
                for (i, s) in seconds.enumerated() {
                    line.cell(encoded: c[i % 7])
                    line.hours(s)
                    line.cell(encoded: c[(i + 3) % 7])
                    line.end()
                }
            }
            #expect(c.longest == "2019-08-09".utf8.count)
        }
        #expect(raw.out == plain.out, "\(String(decoding: raw.out, as: UTF8.self))\n---\n\(String(decoding: plain.out, as: UTF8.self))")
    }

    @Test("volunteer-weeks.csv, its repeated cells written once and scrubbed cell by cell, is the table's rows written one by one and scrubbed whole", arguments: ["monthly", "yearly"])
    func volunteerWeeksEqualsTheTable(kind: String) throws {
        var s = Scenario()
        // Every status: met, short, partial (joined mid-week) and, with --now inside August, in progress;
        // ids that need quoting and the formula guard.
        // A roster number spelt like a week's date (`2019 0809`): the date cells stay dates, cell
        // by cell as in a line scrubbed whole (a date typed into a phone cell stars out nothing).
        s.roster = """
        volunteer_id,name,unit,teams,active_from,phone
        V1,王继跃,甲科,小红象志愿服务队,,2019 0809
        "-V2",张伟,乙科,春雨行动志愿服务队,,
        "V,3",李娜,乙科,春雨行动志愿服务队,2019-08-07,
        """
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-08-05,09:00,15:00,,
        A2,-V2,2019-08-06,,,2.5,
        A3,"V,3",2019-08-14,,,6,
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.period = kind == "monthly" ? Period.month(8, of: 2019) : Period.year(2019)
        options.now = ValueParser.instant("2019-08-20T12:00:00+08:00", in: .shanghai)
        let loaded = try Pipeline.load(options, progress: { _ in })
        let rollup = Rollup.build(loaded.ledger, campaign: loaded.campaign, period: options.period!, now: options.now!, byMonth: kind == "yearly")
        let report = RollupReport.make(kind: kind == "monthly" ? .monthly : .yearly, rollup: rollup, campaign: loaded.campaign,
                                       ledger: loaded.ledger, now: options.now!)
        for style in CSVHeaderStyle.allCases {
            let labels = Labels(.zhCN)
            let fast = Array(RollupTables.volunteerWeeks(report, phones: loaded.ledger.phones, style: style, labels: labels).joined())
            let rows = PhoneScrubber.scrub(bytes: CSVTables.file(RollupVolunteerWeeksTable(report: report), style: style, labels: labels),
                                           known: loaded.ledger.phones)
            #expect(fast == rows, "\(String(decoding: fast, as: UTF8.self))\n---\n\(String(decoding: rows, as: UTF8.self))")
            let text = String(decoding: fast, as: UTF8.self)
            for cell in ["met", "short", "partial", "in_progress", "\"'-V2\"", "\"V,3\"", ",2019-08-09,"] {
                #expect(text.contains(cell), "\(cell) missing:\n\(text)")
            }
            #expect(!text.contains("****-**-**"))
        }
    }
}
