import CXlsxWriter
import Foundation
import Testing
@testable import FiveHours

/// The workbook's rows are written by `SheetSink` as SpreadsheetML, deflated in pieces and
/// spliced into libxlsxwriter's zip. These tests hold that against the reference — the same
/// tables with every cell written by libxlsxwriter itself (`LibxlsxwriterCells`) — part by part,
/// byte for byte once inflated (with the reference of each cell written out: `SheetSink` leaves
/// it out where it is implied, libxlsxwriter never does), and read the hostile cells back with
/// openpyxl and LibreOffice.
@Suite("Workbook rows spliced into libxlsxwriter's zip", .serialized)
struct WorkbookSpliceTests {
    static let phone = "13800138001"

    /// Every kind of cell, and the texts a writer of XML or a spreadsheet gets wrong.
    struct Hostile: ReportTable {
        static let texts = [
            "00123", "410184199001011234", "1E5", "=SUM(A1)", "-V7", "@team", "+1", "张伟😀", "Jose\u{301}", "_x0041_", "_X00e9_",
            "a\u{1}b\u{1F}c", "a\r\nb", "多行\n地点", "& < > \" '", "<b>&amp;</b>", " 前后空格 ", "\tTab", "end\n", "a  b",
            String(repeating: "字", count: 40_000), String(repeating: "a&", count: 20_000), "电话 \(phone) 转", "\u{FFFE}", "",
        ]
        var name: String { "volunteers" }
        var keys: [String] { ["rule", "subject", "date", "detail", "source", "hours", "count", "rate", "score", "start"] }
        var count: Int { Self.texts.count }
        func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
            s.text(Self.texts[i])
            s.list(i % 3 == 0 ? [Self.texts[i], "b"] : [Self.texts[(i + 1) % Self.texts.count]])
            s.date(i % 4 == 3 ? nil : CivilDate(year: 2019, month: 8, day: 1 + i % 28))
            s.text(i % 5 == 0 ? "" : "detail \(i)")
            s.text("file.csv:\(i + 2)")
            s.hours([9000, 0, -10, -1800, 7 * 3600 + 1, 17, 18, 123_456][i % 8])
            s.count([0, 1, -3, 100_000][i % 4])
            s.rate(["0.67", "", "1.00", "0"][i % 4])
            s.decimal(["87.50", "", "0.05", "100.00", "-2.25"][i % 5])
            s.time(["09:00", "09:00:05", "", "23:59:59", "00:00:01", "not a time"][i % 6])
        }
    }

    static func workbook<Rows: SheetRowsSink>(_ tables: [any ReportTable], rowsPerSheet: Int = WorkbookWriter.rowsPerSheet,
                                              rows: Rows.Type) throws -> [UInt8] {
        try WorkbookWriter.workbook(name: "t.xlsx", created: 1_565_308_800, style: .labels, labels: Labels(.zhCN), phones: [phone],
                                    tables: tables, rowsPerSheet: rowsPerSheet, rows: rows)
    }

    /// Every part of a zip, inflated, by name and hash (Python's zipfile, which also checks each
    /// CRC-32), with each cell where a reader puts it. A number is spelled as the double it reads
    /// as: libxlsxwriter writes the hours 0.07 as `%.16G` does, `0.07000000000000001`,
    /// `SheetSink` as the CSV does, `0.07` — the same double. Every cell is given the reference
    /// of the column it is in: libxlsxwriter writes `r="B2"` on each cell, `SheetSink` only where
    /// an empty cell was left out before it, the others being at the column after the cell before
    /// them (ECMA-376 §18.3.1.4, `r` optional) — so both spell the same cells at the same places.
    static func parts(_ zip: [UInt8], in folder: URL, _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try #require(FileManager.default.createFile(atPath: path, contents: Data(zip)), "\(path) could not be written")
        return try WorkbookClientTests.python("""
            import hashlib, re, sys, zipfile
            def column(letters):
                n = 0
                for ch in letters: n = n * 26 + ord(ch) - 64
                return n
            def letters(n):
                s = ""
                while n: n, k = divmod(n - 1, 26); s = chr(65 + k) + s
                return s
            def placed(row):
                number, at = row.group(1), [0]
                def cell(c):
                    if c.group(1) is not None:
                        assert c.group(2) == number, (c.group(0), number)
                        at[0] = column(c.group(1).decode())
                    else:
                        at[0] += 1
                    return b'<c r="' + letters(at[0]).encode() + number + b'"'
                return re.sub(rb'<c(?: r="([A-Z]+)([0-9]+)")?(?=[ >/])', cell, row.group(0))
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for i in z.infolist():
                data = re.sub(rb"<v>([^<]*)</v>", lambda m: b"<v>" + repr(float(m.group(1))).encode() + b"</v>", z.read(i))
                data = re.sub(rb'<row r="([0-9]+)"[^>]*>.*?</row>', placed, data, flags=re.S)
                print(i.filename, i.date_time, hashlib.sha256(data).hexdigest())
            """, [path])
    }

    @Test("every part equals the workbook whose cells libxlsxwriter wrote, byte for byte; a rerun gives the same bytes")
    func sameAsLibxlsxwriter() throws {
        let folder = try ImportTestSupport.makeTempFolder("workbook-splice")
        defer { ImportTestSupport.remove(folder) }
        for rowsPerSheet in [WorkbookWriter.rowsPerSheet, 7] {
            let ours = try Self.workbook([Hostile(), WorkbookSheetTests.Days()], rowsPerSheet: rowsPerSheet, rows: SheetSink.self)
            let reference = try Self.workbook([Hostile(), WorkbookSheetTests.Days()], rowsPerSheet: rowsPerSheet, rows: LibxlsxwriterCells.self)
            let a = try Self.parts(ours, in: folder, "ours.xlsx"), b = try Self.parts(reference, in: folder, "reference.xlsx")
            #expect(a == b)
            #expect(a.contains("xl/worksheets/sheet\(rowsPerSheet == 7 ? 5 : 2).xml"))
            #expect(try Self.workbook([Hostile(), WorkbookSheetTests.Days()], rowsPerSheet: rowsPerSheet, rows: SheetSink.self) == ours)
        }
        // unzip, a second reader, agrees that the zip is sound.
        let check = try WorkbookClientTests.shell(["unzip", "-tq", folder.appendingPathComponent("ours.xlsx").path])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test("a sheet longer than a piece is deflated in pieces on both cores and reads back whole")
    func pieces() throws {
        struct Many: ReportTable {
            var name: String { "volunteers" }
            var keys: [String] { ["volunteer_id", "name", "hours"] }
            var count: Int { 60_000 }
            func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
                s.text(String(format: "V%06d", i))
                s.text(i % 7 == 0 ? " 名字 \(i) & <i> " : "名字\(i)")
                s.hours(i * 36)
            }
        }
        let folder = try ImportTestSupport.makeTempFolder("workbook-pieces")
        defer { ImportTestSupport.remove(folder) }
        let ours = try Self.workbook([Many()], rows: SheetSink.self)
        let reference = try Self.workbook([Many()], rows: LibxlsxwriterCells.self)
        let a = try Self.parts(ours, in: folder, "ours.xlsx")
        #expect(a == (try Self.parts(reference, in: folder, "reference.xlsx")))
        // Several pieces: the sheet's XML is well over one.
        let sheet = try WorkbookZip.entries(of: ours, path: "ours.xlsx").first { String(decoding: $0.name, as: UTF8.self) == "xl/worksheets/sheet1.xml" }
        #expect((sheet?.size ?? 0) > 3 * SheetSink.pieceSize)
    }

    @Test("openpyxl and LibreOffice read every hostile cell back as written: text as text, numbers, dates and times")
    func clients() throws {
        let folder = try ImportTestSupport.makeTempFolder("workbook-hostile")
        defer { ImportTestSupport.remove(folder) }
        let path = folder.appendingPathComponent("hostile.xlsx")
        try Data(try Self.workbook([Hostile()], rows: SheetSink.self)).write(to: path)
        // What each row's first two cells must read back as: the text, cleaned for XML and Excel.
        let expected = Hostile.texts.enumerated().map { i, t -> [String] in
            let scrub = { (s: String) in WorkbookText.clean(PhoneScrubber.scrub(s, known: [Self.phone])) }
            return [scrub(t), scrub(i % 3 == 0 ? "\(t);b" : Hostile.texts[(i + 1) % Hostile.texts.count])]
        }
        let json = folder.appendingPathComponent("expected.json")
        try JSONSerialization.data(withJSONObject: expected).write(to: json)
        let lo = try WorkbookClientTests.shell([
            "soffice", "-env:UserInstallation=file://\(folder.appendingPathComponent("lo-profile").path)", "--headless",
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false", "--outdir", folder.path, path.path,
        ])
        #expect(lo.status == 0, "\(lo.output)")
        _ = try WorkbookClientTests.python("""
            import csv, datetime, json, re, sys
            import openpyxl
            expected = json.load(open(sys.argv[2], encoding="utf-8"))
            ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
            rows = list(ws.iter_rows(min_row=2))
            assert len(rows) == len(expected), (len(rows), len(expected))
            problems = []
            for i, (row, want) in enumerate(zip(rows, expected)):
                for cell, text in zip(row[:2], want):
                    got = cell.value if cell.value is not None else ""
                    if got != text or (text and cell.data_type != "s"):
                        problems.append(f"{cell.coordinate}: {got!r} ({cell.data_type}), wanted {text!r}")
                date, hours, count, rate, score, start = row[2], row[5], row[6], row[7], row[8], row[9]
                if date.value is not None and not (date.is_date and date.number_format == "yyyy-mm-dd"):
                    problems.append(f"{date.coordinate} is not a date: {date.value!r}")
                if not (isinstance(hours.value, (int, float)) and hours.number_format == "0.00"):
                    problems.append(f"{hours.coordinate} is not hours: {hours.value!r}")
                if not isinstance(count.value, int):
                    problems.append(f"{count.coordinate} is not a whole number: {count.value!r}")
                if rate.value is not None and rate.number_format != "0%":
                    problems.append(f"{rate.coordinate} is not a rate: {rate.value!r}")
                if start.value is not None and not isinstance(start.value, str) and not start.is_date:
                    problems.append(f"{start.coordinate} is not a time: {start.value!r}")
            with open(sys.argv[3], encoding="utf-8", newline="") as f:
                shown = list(csv.reader(f))[1:]
            for i, (row, want) in enumerate(zip(shown, expected)):
                for c, text in enumerate(want):
                    # What a spreadsheet shows: Excel's escape _x005F_ read back as the underscore.
                    text = re.sub("_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)
                    if row[c] != text:
                        problems.append(f"LibreOffice row {i + 2} column {c + 1}: {row[c][:60]!r}, wanted {text[:60]!r}")
            print("\\n".join(problems))
            sys.exit(1 if problems else 0)
            """, [path.path, json.path, folder.appendingPathComponent("hostile.csv").path])
    }
}

/// The reference for `SheetSink`: every cell written by libxlsxwriter itself
/// (`worksheet_write_string`, `worksheet_write_number`) into its sheet, typed by the same
/// `CellValue` rules. The sheet's layout is `SheetSink`'s, which measures the same cells.
struct LibxlsxwriterCells: SheetRowsSink {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    let formats: WorkbookWriter.Formats
    let phones: Set<String>
    private var layout: SheetSink
    private var row: lxw_row_t = 0, column: lxw_col_t = 0

    init(sheet: UnsafeMutablePointer<lxw_worksheet>, formats: WorkbookWriter.Formats, columns: Int, phones: Set<String>) {
        (self.sheet, self.formats, self.phones) = (sheet, formats, phones)
        layout = SheetSink(sheet: sheet, formats: formats, columns: columns, phones: phones)
    }

    mutating func startRow(_ r: Int) {
        layout.startRow(r)
        (row, column) = (lxw_row_t(r), 0)
    }

    mutating func measure(_ c: Int, _ width: Int) { layout.measure(c, width) }

    private mutating func number(_ value: Double?, _ format: UnsafeMutablePointer<lxw_format>?) {
        if let v = value { #expect(worksheet_write_number(sheet, row, column, v, format) == LXW_NO_ERROR) }
        column += 1
    }

    mutating func text(_ value: String) {
        layout.text(value)
        if !value.isEmpty {
            #expect(worksheet_write_string(sheet, row, column, WorkbookText.clean(PhoneScrubber.scrub(value, known: phones)), nil) == LXW_NO_ERROR)
        }
        column += 1
    }

    mutating func hours(_ seconds: Int) {
        layout.hours(seconds)
        number(Double(Hours.format(seconds)), formats.hours) // the CSV's value, to the cent
    }

    mutating func count(_ value: Int) {
        layout.count(value)
        number(Double(value), nil)
    }

    mutating func rate(_ text: String) {
        layout.rate(text)
        number(Double(text), formats.rate)
    }

    mutating func decimal(_ text: String) {
        layout.decimal(text)
        number(Double(text), formats.decimal)
    }

    mutating func date(_ value: CivilDate?) {
        layout.date(value)
        number(value.map { Double(CellValue.daySerial($0)) }, formats.date)
    }

    mutating func time(_ text: String) {
        guard let t = CellValue.timeOfDay(text), !text.isEmpty else {
            if text.isEmpty { layout.time(text); column += 1 } else { self.text(text) }
            return
        }
        layout.time(text)
        number(t.fraction, t.seconds ? formats.timeSeconds : formats.time)
    }

    mutating func finish(_ sheet: UnsafeMutablePointer<lxw_worksheet>, path: String) throws -> WorkbookZip.SheetRows? {
        _ = try layout.finish(sheet, path: path)
        return nil
    }
}
