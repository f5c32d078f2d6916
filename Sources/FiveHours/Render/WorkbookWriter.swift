import CXlsxWriter
import Foundation

/// The workbooks (`--format xlsx`): the report's CSV tables as the sheets of one .xlsx file, with
/// typed cells, for people who open them in Excel or WPS.
///
/// Each sheet is a `ReportTable` — the very rows the CSV gets — written through `SheetSink`:
/// text stays text (ids keep leading zeros and every digit, `=SUM(A1)` is a string, never a
/// formula, so no `'` guard is needed), hours are numbers shown with two decimals, counts whole
/// numbers, rates percentages, dates and times real date and time cells. Every sheet has its
/// header row frozen and repeated on each printed page, an autofilter, columns as wide as their
/// text (a Chinese character counts two), and prints on A4, landscape when wide, fitted to the
/// page's width.
///
/// Sheet names are in the report's language (`志愿者`, `单位` …) and headers are the CSVs'
/// labels; with `--csv-header keys` both are the keys (`volunteers`, `volunteer_id` …), so a
/// script finds the same names in the workbook as in the CSVs.
public enum WorkbookWriter {
    /// `weekly-summary.xlsx`: volunteers, units, teams, findings, rejects, then the bulletin grid.
    public static func weekly(_ r: WeeklyReport, phones: Set<String>, style: CSVHeaderStyle, labels: Labels) throws -> [UInt8] {
        try workbook(name: "weekly-summary.xlsx", created: r.now, style: style, labels: labels, phones: phones, tables: [
            VolunteersTable(report: r), UnitsTable(report: r), TeamsTable(report: r),
            FindingsTable(findings: r.findings), RejectsTable(rejects: r.rejects, phones: phones),
            BulletinGridTable(report: r, labels: labels, style: style),
        ])
    }

    /// `monthly-assessment.xlsx`: volunteers, volunteer-weeks, the assessment (units), unit-weeks,
    /// teams, findings, rejects — the CSVs of the monthly folder, one sheet each.
    public static func monthly(_ r: RollupReport, rejects: [Reject], phones: Set<String>, style: CSVHeaderStyle,
                               labels: Labels) throws -> [UInt8] {
        try rollup(r, name: "monthly-assessment.xlsx", rejects: rejects, phones: phones, style: style, labels: labels)
    }

    /// `yearly-summary.xlsx`: the same sheets over the year (teams with a row per month).
    public static func yearly(_ r: RollupReport, rejects: [Reject], phones: Set<String>, style: CSVHeaderStyle,
                              labels: Labels) throws -> [UInt8] {
        try rollup(r, name: "yearly-summary.xlsx", rejects: rejects, phones: phones, style: style, labels: labels)
    }

    static func rollup(_ r: RollupReport, name: String, rejects: [Reject], phones: Set<String>, style: CSVHeaderStyle,
                       labels: Labels) throws -> [UInt8] {
        try workbook(name: name, created: r.now, style: style, labels: labels, phones: phones, tables: RollupTables.tables(r) + [
            FindingsTable(findings: r.findings), RejectsTable(rejects: rejects, phones: phones),
        ])
    }

    /// `daily-bulletin.xlsx`: the day's activities, findings, rejects.
    public static func daily(_ d: DailyReport, phones: Set<String>, style: CSVHeaderStyle, labels: Labels) throws -> [UInt8] {
        try workbook(name: "daily-bulletin.xlsx", created: d.now, style: style, labels: labels, phones: phones, tables: [
            ActivitiesTable(report: d), FindingsTable(findings: d.findings), RejectsTable(rejects: d.rejects, phones: phones),
        ])
    }

    /// Writes the tables into a workbook in a private temporary folder and returns its bytes,
    /// which then go into the report folder like every other file.
    /// - Parameter phones: the rosters' numbers: every text cell is scrubbed of phone numbers,
    ///   as every CSV line is (`PhoneScrubber`).
    static func workbook(name: String, created: Int, style: CSVHeaderStyle, labels: Labels, phones: Set<String>, tables: [any ReportTable],
                         rowsPerSheet: Int = WorkbookWriter.rowsPerSheet) throws -> [UInt8] {
        let folder = try TemporaryFolder()
        // The folder must outlive the workbook's temporary files and the file read back below.
        defer { withExtendedLifetime(folder) {} }
        let path = (folder.path as NSString).appendingPathComponent(name)
        let book = try Workbook(path: path, tempFolder: folder.path, created: created)
        let formats = try Formats(book)
        for table in tables {
            let sheetName = style == .keys ? table.name : labels[table.sheetKey]
            try write(table, named: sheetName, header: table.header(style: style, labels: labels), into: book, formats: formats, phones: phones,
                      rowsPerSheet: rowsPerSheet)
        }
        try book.close()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OutputError(path: path, reason: "the workbook written by libxlsxwriter cannot be read back")
        }
        return [UInt8](data)
    }

    /// The rows a sheet holds below its header (Excel's 1,048,576 rows, less the header): a longer
    /// table goes on in a second sheet, `检查发现 (2)`, with the same header.
    static let rowsPerSheet = 1_048_575

    static func write<T: ReportTable>(_ table: T, named name: String, header: [String], into book: Workbook, formats: Formats, phones: Set<String>,
                                      rowsPerSheet: Int) throws {
        var first = 0, part = 1
        repeat {
            let rows = min(rowsPerSheet, table.count - first)
            let sheet = try book.addSheet(part == 1 ? name : "\(name) (\(part))")
            var sink = SheetSink(sheet: sheet, formats: formats, columns: header.count, phones: phones)
            for (c, title) in header.enumerated() {
                sink.measure(c, SheetSink.displayWidth(title) + 2) // room for the filter's button
                worksheet_write_string(sheet, 0, lxw_col_t(c), WorkbookText.clean(title), formats.header)
            }
            for i in 0..<rows {
                sink.startRow(lxw_row_t(i + 1))
                table.row(first + i, into: &sink)
            }
            if let failure = sink.failure { throw OutputError(path: book.path, reason: "sheet '\(name)': \(failure)") }
            sink.finish(lastRow: lxw_row_t(rows))
            first += rows
            part += 1
        } while first < table.count
    }

    /// The workbook's few cell formats, made once.
    struct Formats {
        let header, hours, decimal, rate, date, time, timeSeconds: UnsafeMutablePointer<lxw_format>

        init(_ book: Workbook) throws {
            header = try book.addFormat { f in
                format_set_bold(f)
                format_set_bg_color(f, 0xE8EEF7)
                format_set_bottom(f, UInt8(LXW_BORDER_THIN.rawValue))
            }
            hours = try book.addFormat { format_set_num_format($0, "0.00") }
            decimal = try book.addFormat { format_set_num_format($0, "0.00") }
            rate = try book.addFormat { format_set_num_format($0, "0%") }
            date = try book.addFormat { format_set_num_format($0, "yyyy-mm-dd") }
            time = try book.addFormat { format_set_num_format($0, "hh:mm") }
            timeSeconds = try book.addFormat { format_set_num_format($0, "hh:mm:ss") }
        }
    }
}

/// Writes one row of a table into a worksheet, each cell typed by the table's call.
struct SheetSink: TableRowSink {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    let formats: WorkbookWriter.Formats
    private var row: lxw_row_t = 0
    private var column: lxw_col_t = 0
    /// Widest cell per column, in character cells (a Chinese character counts two); measured on
    /// the header and the first `measuredRows` rows, which is plenty to size the columns.
    private var widths: [Int]
    static let measuredRows: lxw_row_t = 2_000
    /// The first error libxlsxwriter reported, if any.
    private(set) var failure: String?

    /// The rosters' phone numbers: no text cell shows one.
    let phones: Set<String>

    init(sheet: UnsafeMutablePointer<lxw_worksheet>, formats: WorkbookWriter.Formats, columns: Int, phones: Set<String>) {
        self.phones = phones
        self.sheet = sheet
        self.formats = formats
        self.widths = Array(repeating: 0, count: columns)
    }

    mutating func startRow(_ r: lxw_row_t) {
        row = r
        column = 0
    }

    mutating func measure(_ c: Int, _ width: Int) {
        if c < widths.count, widths[c] < width { widths[c] = width }
    }

    private mutating func done(_ error: lxw_error, width: Int) {
        if error != LXW_NO_ERROR, failure == nil {
            failure = "row \(row + 1), column \(column + 1): \(String(cString: lxw_strerror(error)))"
        }
        if row <= SheetSink.measuredRows { measure(Int(column), width) }
        column += 1
    }

    mutating func text(_ value: String) {
        guard !value.isEmpty else { return done(LXW_NO_ERROR, width: 0) }
        let clean = WorkbookText.clean(PhoneScrubber.scrub(value, known: phones))
        let width = row <= SheetSink.measuredRows ? SheetSink.displayWidth(clean) : 0
        done(worksheet_write_string(sheet, row, column, clean, nil), width: width)
    }

    mutating func hours(_ seconds: Int) {
        let cents = (abs(seconds) * 100 + 1800) / 3600 // exactly Hours.format's rounding
        let value = Double(seconds < 0 ? -cents : cents) / 100
        done(worksheet_write_number(sheet, row, column, value, formats.hours), width: 8)
    }

    mutating func count(_ value: Int) {
        done(worksheet_write_number(sheet, row, column, Double(value), nil), width: 6)
    }

    mutating func rate(_ text: String) {
        guard let value = Double(text) else { return done(LXW_NO_ERROR, width: 0) }
        done(worksheet_write_number(sheet, row, column, value, formats.rate), width: 6)
    }

    mutating func decimal(_ text: String) {
        guard let value = Double(text) else { return done(LXW_NO_ERROR, width: 0) }
        done(worksheet_write_number(sheet, row, column, value, formats.decimal), width: 8)
    }

    mutating func date(_ value: CivilDate?) {
        guard let d = value else { return done(LXW_NO_ERROR, width: 0) }
        // Excel's day number: days since 1899-12-30 (1970-01-01 is 25,569).
        done(worksheet_write_number(sheet, row, column, Double(d.dayNumber + 25_569), formats.date), width: 11)
    }

    mutating func time(_ text: String) {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 2 || parts.count == 3, let h = parts[0], let m = parts[1] else {
            return text.isEmpty ? done(LXW_NO_ERROR, width: 0) : self.text(text)
        }
        let s = parts.count == 3 ? parts[2] ?? 0 : 0
        let value = Double(h * 3600 + m * 60 + s) / 86_400
        done(worksheet_write_number(sheet, row, column, value, parts.count == 3 ? formats.timeSeconds : formats.time), width: 9)
    }

    /// Column widths, the frozen header, the autofilter and the print setup, once the rows are in.
    func finish(lastRow: lxw_row_t) {
        var total = 0.0
        for (c, w) in widths.enumerated() {
            let width = Double(min(max(w, 6), 60))
            total += width
            worksheet_set_column(sheet, lxw_col_t(c), lxw_col_t(c), width, nil)
        }
        worksheet_freeze_panes(sheet, 1, 0)
        worksheet_autofilter(sheet, 0, 0, lastRow, lxw_col_t(max(widths.count - 1, 0)))
        worksheet_set_paper(sheet, 9) // A4
        if total > 95 { worksheet_set_landscape(sheet) }
        worksheet_fit_to_pages(sheet, 1, 0) // as wide as the page, as many pages down as needed
        worksheet_repeat_rows(sheet, 0, 0)
    }

    /// Character cells a text takes on screen: East Asian wide and full-width characters (and
    /// emoji) count two, combining marks none, the rest one.
    static func displayWidth(_ text: String) -> Int {
        var w = 0
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x300 { w += 1 } else if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v) {
                continue
            } else if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                        || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                        || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || v >= 0x20000 {
                w += 2
            } else {
                w += 1
            }
        }
        return w
    }
}

/// Text made fit for a cell of SpreadsheetML, changed only where XML or Excel leave no choice:
///
/// - control characters that XML 1.0 forbids (U+0000–U+001F but tab and line feed, U+FFFE,
///   U+FFFF) become U+FFFD, as in the HTML report; a carriage return becomes a line feed (XML
///   readers turn a raw one into a line feed anyway);
/// - a literal `_x0041_` (which Excel would read as an escaped `A`) is written `_x005F_x0041_`,
///   Excel's own escape for the underscore, so that it reads back as written;
/// - text longer than Excel's 32,767 characters per cell is cut there, ending in `…`.
///
/// Valid UTF-8 is guaranteed by Swift's `String`. Most texts need none of this and are returned
/// as they are, after one pass over their bytes.
enum WorkbookText {
    static let maxLength = 32_767

    static func clean(_ text: String) -> String {
        var copy = text
        let needsWork = copy.withUTF8 { b -> Bool in
            if b.count > maxLength { return true }
            var i = 0
            while i < b.count {
                let c = b[i]
                if c < 0x20 && c != 9 && c != 10 { return true }
                if c == UInt8(ascii: "_"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "x") || b[i + 1] == UInt8(ascii: "X") { return true }
                if c == 0xEF, i + 2 < b.count, b[i + 1] == 0xBF, b[i + 2] == 0xBE || b[i + 2] == 0xBF { return true }
                i += 1
            }
            return false
        }
        guard needsWork else { return text }
        var scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var utf16 = 0
        while i < scalars.count {
            var s = scalars[i]
            if s == "\r" {
                if i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1; continue }
                s = "\n"
            } else if (s.value < 0x20 && s != "\t" && s != "\n") || s.value == 0xFFFE || s.value == 0xFFFF {
                s = "\u{FFFD}"
            }
            var piece: [Unicode.Scalar] = [s]
            if s == "_", i + 6 < scalars.count, scalars[i + 1] == "x" || scalars[i + 1] == "X",
               scalars[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }), scalars[i + 6] == "_" {
                piece = Array("_x005F_".unicodeScalars)
            }
            let size = piece.reduce(0) { $0 + UTF16.width($1) }
            if utf16 + size > maxLength - 1 {
                out.append("…")
                break
            }
            out.append(contentsOf: piece)
            utf16 += size
            i += 1
        }
        scalars.removeAll()
        return String(out)
    }
}

/// A private folder under the system's temporary folder, removed with everything in it when
/// the value goes.
final class TemporaryFolder {
    let path: String

    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path as NSString)
            .appendingPathComponent("fivehours-xlsx-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw OutputError(path: FileManager.default.temporaryDirectory.path, reason: "cannot make a temporary folder for the workbook")
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A workbook written on a thread of its own while the run goes on (the manifest waits for the
/// input hashes, the HTML and Markdown render): libxlsxwriter writes and compresses on one core.
final class WorkbookJob: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<[UInt8], Error>?

    init(_ work: @escaping @Sendable () throws -> [UInt8]) {
        DispatchQueue.global().async {
            self.result = Result { try work() }
            self.finished.signal()
        }
    }

    /// The workbook's bytes, once written.
    func wait() throws -> [UInt8] {
        finished.wait()
        finished.signal()
        return try result!.get()
    }
}
