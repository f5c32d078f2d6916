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

    /// Writes the tables into a workbook and returns its bytes, which then go into the report
    /// folder like every other file.
    ///
    /// libxlsxwriter writes the workbook's structure (in a private temporary folder): styles,
    /// each sheet with its header row and settings, the print titles, the properties. The rows
    /// of every sheet are written by `SheetSink` as SpreadsheetML and deflated in pieces on the
    /// other core while the next rows are written; `WorkbookZip` then splices them into
    /// libxlsxwriter's sheets.
    /// - Parameters:
    ///   - phones: the rosters' numbers: every text cell is scrubbed of phone numbers, as every
    ///     CSV line is (`PhoneScrubber`).
    ///   - rows: what writes the rows; tests swap in libxlsxwriter's own cells to compare.
    static func workbook<Rows: SheetRowsSink>(name: String, created: Int, style: CSVHeaderStyle, labels: Labels, phones: Set<String>,
                                              tables: [any ReportTable], rowsPerSheet: Int = WorkbookWriter.rowsPerSheet,
                                              rows: Rows.Type = SheetSink.self) throws -> [UInt8] {
        let folder = try TemporaryFolder()
        // The folder must outlive the workbook's temporary files and the file read back below.
        defer { withExtendedLifetime(folder) {} }
        let path = (folder.path as NSString).appendingPathComponent(name)
        let book = try Workbook(path: path, tempFolder: folder.path, created: created)
        let formats = try Formats(book)
        var sheets: [WorkbookZip.SheetRows] = []
        for table in tables {
            let sheetName = style == .keys ? table.name : labels[table.sheetKey]
            sheets += try write(table, named: sheetName, header: table.header(style: style, labels: labels), into: book, formats: formats,
                                phones: phones, rowsPerSheet: rowsPerSheet, rows: rows)
        }
        try book.close()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OutputError(path: path, reason: "the workbook written by libxlsxwriter cannot be read back")
        }
        return sheets.isEmpty ? [UInt8](data) : try WorkbookZip.splice([UInt8](data), sheets: &sheets, path: path)
    }

    /// The rows a sheet holds below its header (Excel's 1,048,576 rows, less the header): a longer
    /// table goes on in a second sheet, `检查发现 (2)`, with the same header.
    static let rowsPerSheet = 1_048_575

    /// Adds the table's sheets (one, or more past `rowsPerSheet` rows) to the workbook, each with
    /// its header row and settings, and returns their rows, written and deflated.
    static func write<T: ReportTable, Rows: SheetRowsSink>(_ table: T, named name: String, header: [String], into book: Workbook,
                                                           formats: Formats, phones: Set<String>, rowsPerSheet: Int,
                                                           rows _: Rows.Type) throws -> [WorkbookZip.SheetRows] {
        var first = 0, part = 1
        var sheets: [WorkbookZip.SheetRows] = []
        repeat {
            let rows = min(rowsPerSheet, table.count - first)
            let sheet = try book.addSheet(part == 1 ? name : "\(name) (\(part))")
            var sink = Rows(sheet: sheet, formats: formats, columns: header.count, phones: phones)
            for (c, title) in header.enumerated() {
                sink.measure(c, SheetSink.displayWidth(title) + 2) // room for the filter's button
                worksheet_write_string(sheet, 0, lxw_col_t(c), WorkbookText.clean(title), formats.header)
            }
            for i in 0..<rows {
                sink.startRow(i + 1)
                table.row(first + i, into: &sink)
            }
            if let written = try sink.finish(sheet, path: book.path) { sheets.append(written) }
            first += rows
            part += 1
        } while first < table.count
        return sheets
    }

    /// The workbook's few cell formats, made once, and their style numbers (`s="2"`) in the XML.
    struct Formats {
        let header, hours, decimal, rate, date, time, timeSeconds: UnsafeMutablePointer<lxw_format>
        /// ` s="N"` for each format (N is libxlsxwriter's index of the format in styles.xml).
        let hoursStyle, decimalStyle, rateStyle, dateStyle, timeStyle, timeSecondsStyle: [UInt8]

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
            // Asking for the index enters the format among the workbook's used ones, in this order,
            // so styles.xml holds it although no cell libxlsxwriter writes uses it.
            func style(_ f: UnsafeMutablePointer<lxw_format>) -> [UInt8] {
                let index = lxw_format_get_xf_index(f)
                return index == 0 ? [] : Array(" s=\"\(index)\"".utf8)
            }
            _ = style(header)
            (hoursStyle, decimalStyle, rateStyle) = (style(hours), style(decimal), style(rate))
            (dateStyle, timeStyle, timeSecondsStyle) = (style(date), style(time), style(timeSeconds))
        }
    }
}

/// What a typed cell holds, worked out from the table's call the same way whoever writes it.
enum CellValue {
    /// Hours in hundredths, rounded exactly as `Hours.format` rounds (the sign is the seconds').
    static func hoursCents(_ seconds: Int) -> Int { Hours.cents(seconds) }

    /// Excel's day number: days since 1899-12-30 (1970-01-01 is 25,569).
    static func daySerial(_ d: CivilDate) -> Int { d.dayNumber + 25_569 }

    /// A time of day as `TimeOfDay.format` wrote it (`09:00`, `09:00:05`): the fraction of a day,
    /// and whether it shows seconds; nil when the text is not one — nor for an end of `24:00`,
    /// which a time cell would show as `00:00` (it is written as its text).
    static func timeOfDay(_ text: String) -> (fraction: Double, seconds: Bool)? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 2 || parts.count == 3, let h = parts[0], let m = parts[1], h < 24 else { return nil }
        let s = parts.count == 3 ? parts[2] ?? 0 : 0
        return (Double(h * 3600 + m * 60 + s) / 86_400, parts.count == 3)
    }
}

/// Where a sheet's rows go, one typed call per cell: `SheetSink`, which writes them as
/// SpreadsheetML to be spliced into libxlsxwriter's sheet; the tests swap in a sink that writes
/// each cell through libxlsxwriter itself and compare the two workbooks.
protocol SheetRowsSink: TableRowSink {
    init(sheet: UnsafeMutablePointer<lxw_worksheet>, formats: WorkbookWriter.Formats, columns: Int, phones: Set<String>)
    /// Starts row `r` (the header is row 0).
    mutating func startRow(_ r: Int)
    /// Makes column `c` at least `width` character cells wide.
    mutating func measure(_ c: Int, _ width: Int)
    /// Lays the sheet out (column widths, frozen header, autofilter, print setup) once the rows
    /// are in; returns the rows to splice into the sheet, or nil when they are in it already.
    mutating func finish(_ sheet: UnsafeMutablePointer<lxw_worksheet>, path: String) throws -> WorkbookZip.SheetRows?
}

/// Writes a table's rows as SpreadsheetML (`<row r="2"><c t="inlineStr"><is><t>…`), each cell
/// typed by the table's call, as libxlsxwriter writes the same cells in its constant-memory mode
/// but for the cells' references: text as inline strings (escaped, `xml:space="preserve"` when it
/// starts or ends with white space), numbers as `%.16G`, with libxlsxwriter's style numbers. A
/// cell has no `r="B2"` unless a cell before it in the row is empty (not written): ECMA-376
/// §18.3.1.4 makes `r` optional, a cell without one being the column after the cell before it, as
/// Excel, LibreOffice and openpyxl read it; the references made a third of the XML and, a new
/// number on every row, half of the deflated bytes. The XML goes to a `PieceDeflater` a piece
/// (about 1 MB) at a time, so a sheet is never held whole.
struct SheetSink: SheetRowsSink {
    let formats: WorkbookWriter.Formats
    /// The row being written, counted from 0 (the header) as libxlsxwriter counts.
    private var row = 0
    private var column = 0
    /// The column a cell written now is at without a reference: the one after the row's last cell.
    private var implied = 0
    /// The last row with a cell, and `</row>` still owed for it.
    private var lastRow = 0
    private var rowOpen = false
    /// The row's number as written (`2` for row 2, the first under the header).
    private var rowDigits: [UInt8] = []
    private let columnNames: [[UInt8]]
    private var xml: [UInt8] = []
    /// A list's texts joined with `;`, reused from cell to cell.
    private var joined: [UInt8] = []
    private let deflater = PieceDeflater()
    static let pieceSize = 1 << 20
    /// Widest cell per column, in character cells (a Chinese character counts two); measured on
    /// the header and the first `measuredRows` rows, which is plenty to size the columns.
    private var widths: [Int]
    static let measuredRows = 2_000

    /// The rosters' phone numbers: no text cell shows one.
    let phones: Set<String>
    /// The fewest digits one of them can have: a cell with fewer in a row (a date) is not tokenised.
    private let phoneDigits: Int

    init(sheet _: UnsafeMutablePointer<lxw_worksheet>, formats: WorkbookWriter.Formats, columns: Int, phones: Set<String>) {
        self.phones = phones
        self.phoneDigits = PhoneScrubber.minimumDigits(known: phones)
        self.formats = formats
        self.widths = Array(repeating: 0, count: columns)
        self.columnNames = (0..<columns).map { Array(SheetSink.columnName($0).utf8) }
        xml.reserveCapacity(SheetSink.pieceSize + 65_536)
    }

    /// `A` … `Z`, `AA` … for column `c` (from 0).
    static func columnName(_ c: Int) -> String {
        var n = c + 1, name = ""
        while n > 0 {
            name.insert(Character(Unicode.Scalar(UInt8(65 + (n - 1) % 26))), at: name.startIndex)
            n = (n - 1) / 26
        }
        return name
    }

    mutating func startRow(_ r: Int) {
        endRow()
        row = r
        column = 0
        implied = 0
        rowDigits.removeAll(keepingCapacity: true)
        SheetSink.appendDigits(r + 1, to: &rowDigits)
    }

    /// Appends a whole number's decimal digits (a `-` first when negative).
    static func appendDigits(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var v = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var i = 20
            repeat { i -= 1; buf[i] = UInt8(48 + v % 10); v /= 10 } while v > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i...]))
        }
    }

    /// Closes the row if it has a cell (libxlsxwriter writes no row without one) and hands a
    /// full piece to the deflater.
    private mutating func endRow() {
        guard rowOpen else { return }
        put("</row>")
        rowOpen = false
        if xml.count >= SheetSink.pieceSize {
            deflater.add(xml)
            xml = []
            xml.reserveCapacity(SheetSink.pieceSize + 65_536)
        }
    }

    mutating func measure(_ c: Int, _ width: Int) {
        if c < widths.count, widths[c] < width { widths[c] = width }
    }

    private mutating func done(width: Int) {
        if row <= SheetSink.measuredRows { measure(column, width) }
        column += 1
    }

    /// `<row r="2">` when this is the row's first cell, then `<c`, with ` r="C2"` only when an
    /// empty cell was left out before it in the row.
    private mutating func openCell() {
        if !rowOpen {
            put("<row r=\"")
            xml.append(contentsOf: rowDigits)
            put("\">")
            rowOpen = true
            lastRow = row
        }
        put("<c")
        if column != implied {
            put(" r=\"")
            if column < columnNames.count {
                xml.append(contentsOf: columnNames[column])
            } else {
                xml.append(contentsOf: SheetSink.columnName(column).utf8)
            }
            xml.append(contentsOf: rowDigits)
            xml.append(UInt8(ascii: "\""))
        }
        implied = column + 1
    }

    /// A number cell: `<c s="2"><v>` … `</v></c>` around what `value` appends.
    private mutating func number(style: [UInt8], width: Int, _ value: (inout [UInt8]) -> Void) {
        openCell()
        xml.append(contentsOf: style)
        put("><v>")
        value(&xml)
        put("</v></c>")
        done(width: width)
    }

    /// `%.16G`, as libxlsxwriter writes a number (the format is this constant, never data).
    private static func append(_ value: Double, to out: inout [UInt8]) {
        if value == value.rounded(), abs(value) < 1e15, value != 0 || value.sign == .plus {
            appendDigits(Int(value), to: &out)
            return
        }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buf in
            let n = withVaList([value]) { vsnprintf(buf.baseAddress!, 32, "%.16G", $0) }
            buf.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: 32) { out.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(n))) }
        }
    }

    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { text($0) }
    }

    /// A list's texts joined with `;` in one cell, as the CSV's; joined as bytes, not as a String.
    mutating func list(_ values: [String]) {
        guard values.count > 1 else { return text(values.first ?? "") }
        var bytes: [UInt8] = []
        swap(&bytes, &joined)
        bytes.removeAll(keepingCapacity: true)
        for (k, v) in values.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ";")) }
            bytes.append(contentsOf: v.utf8)
        }
        bytes.withUnsafeBufferPointer { text($0) }
        swap(&bytes, &joined)
    }

    /// A text cell from the text's UTF-8. Only a text that may hold a phone number
    /// (`PhoneScrubber.mayHoldPhone`) is scrubbed, and only one with something to clean
    /// (`WorkbookText.needsCleaning`) is cleaned; the rest, nearly every cell, is escaped
    /// straight into the XML.
    private mutating func text(_ b: UnsafeBufferPointer<UInt8>) {
        guard !b.isEmpty else { return done(width: 0) }
        guard !PhoneScrubber.mayHoldPhone(b, minimum: phoneDigits), !WorkbookText.needsCleaning(b) else {
            var clean = WorkbookText.clean(PhoneScrubber.scrub(String(decoding: b, as: UTF8.self), known: phones, minimum: phoneDigits))
            return clean.withUTF8 { inlineString($0) }
        }
        inlineString(b)
    }

    /// `<c t="inlineStr"><is><t>…</t></is></c>`, the text escaped; an empty text is no cell.
    private mutating func inlineString(_ b: UnsafeBufferPointer<UInt8>) {
        guard !b.isEmpty else { return done(width: 0) }
        openCell()
        // C's isspace, as libxlsxwriter tests the first and last byte.
        func space(_ c: UInt8) -> Bool { c == 32 || (9...13).contains(c) }
        if space(b[0]) || space(b[b.count - 1]) {
            put(" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
        } else {
            put(" t=\"inlineStr\"><is><t>")
        }
        WorkbookText.escape(b, into: &xml)
        put("</t></is></c>")
        done(width: row <= SheetSink.measuredRows ? SheetSink.displayWidth(String(decoding: b, as: UTF8.self)) : 0)
    }

    mutating func hours(_ seconds: Int) {
        let cents = CellValue.hoursCents(seconds)
        number(style: formats.hoursStyle, width: 8) { out in
            // The CSV's value (`Hours.format`), written as the shortest number: `2.5`, `0.05`, `12`.
            if seconds < 0 && cents > 0 { out.append(UInt8(ascii: "-")) }
            SheetSink.appendDigits(cents / 100, to: &out)
            let fraction = cents % 100
            guard fraction != 0 else { return }
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { out.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
        }
    }

    mutating func count(_ value: Int) {
        number(style: [], width: 6) { SheetSink.appendDigits(value, to: &$0) }
    }

    mutating func rate(_ text: String) {
        guard let value = Double(text) else { return done(width: 0) }
        number(style: formats.rateStyle, width: 6) { SheetSink.append(value, to: &$0) }
    }

    mutating func decimal(_ text: String) {
        guard let value = Double(text) else { return done(width: 0) }
        number(style: formats.decimalStyle, width: 8) { SheetSink.append(value, to: &$0) }
    }

    mutating func date(_ value: CivilDate?) {
        guard let d = value else { return done(width: 0) }
        number(style: formats.dateStyle, width: 11) { SheetSink.appendDigits(CellValue.daySerial(d), to: &$0) }
    }

    mutating func time(_ text: String) {
        guard let t = CellValue.timeOfDay(text) else { return text.isEmpty ? done(width: 0) : self.text(text) }
        number(style: t.seconds ? formats.timeSecondsStyle : formats.timeStyle, width: 9) { SheetSink.append(t.fraction, to: &$0) }
    }

    /// Sets the sheet's column widths, frozen header, autofilter and print setup, and returns
    /// its rows, deflated.
    mutating func finish(_ sheet: UnsafeMutablePointer<lxw_worksheet>, path: String) throws -> WorkbookZip.SheetRows? {
        endRow()
        if !xml.isEmpty { deflater.add(xml) }
        xml = []
        guard let deflated = deflater.finish() else { throw OutputError(path: path, reason: "zlib cannot compress a sheet's rows (out of memory)") }
        var total = 0.0
        for (c, w) in widths.enumerated() {
            let width = Double(min(max(w, 6), 60))
            total += width
            worksheet_set_column(sheet, lxw_col_t(c), lxw_col_t(c), width, nil)
        }
        let lastColumn = max(widths.count - 1, 0)
        worksheet_freeze_panes(sheet, 1, 0)
        worksheet_autofilter(sheet, 0, 0, lxw_row_t(row), lxw_col_t(lastColumn))
        worksheet_set_paper(sheet, 9) // A4
        if total > 95 { worksheet_set_landscape(sheet) }
        worksheet_fit_to_pages(sheet, 1, 0) // as wide as the page, as many pages down as needed
        worksheet_repeat_rows(sheet, 0, 0)
        // libxlsxwriter's range of the cells written: the header's columns, down to the last row.
        let corner = "\(SheetSink.columnName(lastColumn))\(lastRow + 1)"
        return WorkbookZip.SheetRows(deflated: deflated, dimension: corner == "A1" ? "A1" : "A1:\(corner)")
    }

    /// Appends markup (a literal: no reference counting on the way).
    @inline(__always)
    private mutating func put(_ markup: StaticString) {
        markup.withUTF8Buffer { xml.append(contentsOf: $0) }
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

    /// Appends UTF-8 text as XML character data, escaped as libxlsxwriter escapes a cell's text
    /// (`&amp;`, `&lt;`, `&gt;`; quotes need none outside an attribute).
    static func escape(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var from = 0
        for (i, c) in text.enumerated() where c == UInt8(ascii: "&") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[from..<i]))
            out.append(contentsOf: c == UInt8(ascii: "&") ? amp : c == UInt8(ascii: "<") ? lt : gt)
            from = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[from...]))
    }

    private static let amp = Array("&amp;".utf8), lt = Array("&lt;".utf8), gt = Array("&gt;".utf8)

    /// Whether `clean` may change the text (UTF-8): it is long, or holds a control character,
    /// a bidi control, `_x` or `_X`, U+FFFE or U+FFFF. A superset of what `clean` changes, at one
    /// pass over the bytes.
    static func needsCleaning(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if b.count > maxLength { return true }
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x20 && c != 9 && c != 10 { return true }
            if c == UInt8(ascii: "_"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "x") || b[i + 1] == UInt8(ascii: "X") { return true }
            if c == 0xEF, i + 2 < b.count, b[i + 1] == 0xBF, b[i + 2] == 0xBE || b[i + 2] == 0xBF { return true }
            if c == 0xE2 || c == 0xD8, BidiControls.length(b, at: i) != nil { return true }
            i += 1
        }
        return false
    }

    static func clean(_ text: String) -> String {
        var copy = text
        guard copy.withUTF8({ needsCleaning($0) }) else { return text }
        var scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var utf16 = 0
        while i < scalars.count {
            var s = scalars[i]
            if BidiControls.contains(s) {
                if out.last == BidiControls.replacement { i += 1; continue } // a run of them is one
                s = BidiControls.replacement
            }
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
/// input hashes, the HTML and Markdown render): this thread writes the rows' XML while the
/// other core deflates the pieces already written (`PieceDeflater`).
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
