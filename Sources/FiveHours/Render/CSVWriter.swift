import Dispatch

/// Writes CSV that spreadsheets open safely: UTF-8 with a BOM (so Excel reads Chinese), CRLF,
/// RFC 4180 quoting, and formula-like cells neutralised with a leading `'`.
///
/// Everything goes by Unicode scalar, never by `Character`: a quote followed by a combining
/// mark is one `Character`, and a `Character`-based writer would miss it.
public enum CSVWriter {
    /// One cell, quoted and neutralised as needed.
    public static func cell(_ value: String) -> String {
        var out: [UInt8] = []
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one cell's bytes. Working on UTF-8 is working by scalar here: every character
    /// that needs care is ASCII (or the full-width forms, matched as whole sequences), and a
    /// UTF-8 byte below 0x80 is always a whole scalar — a combining mark after a quote is a
    /// separate sequence and cannot hide it.
    static func append(_ value: String, to out: inout [UInt8]) {
        var value = value
        // No bidi control reaches a cell: it would turn the words after it around (`BidiControls`).
        if value.withUTF8({ BidiControls.any(in: $0) }) {
            value = value.withUTF8 { String(decoding: BidiControls.replaced(in: $0), as: UTF8.self) }
        }
        value.withUTF8 { b in quote(b, neutralizing: startsLikeFormula(b), into: &out) }
    }

    /// Appends a cell's bytes as RFC 4180 has them: quoted, its quotes doubled, when it holds a
    /// comma, a quote or a line end — or when it is to be neutralised as a formula, with a `'`
    /// inside the quotes first. The one quoting rule of every CSV fivehours writes, and of a
    /// rejected row re-quoted for `rejects.csv` (`Importer.rawRecord`, not neutralised: the
    /// whole record is, as a cell of its own).
    static func quote(_ b: UnsafeBufferPointer<UInt8>, neutralizing formula: Bool = false, into out: inout [UInt8]) {
        guard formula || b.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return out.append(contentsOf: b) }
        out.append(34)
        if formula { out.append(UInt8(ascii: "'")) }
        for c in b {
            out.append(c)
            if c == 34 { out.append(34) }
        }
        out.append(34)
    }

    /// Whether a spreadsheet may read the cell as a formula: it starts with `=`, `+`, `-`, `@`, a
    /// tab or a CR (or ＝ ＋ － ＠) — also after white space or an invisible character (a space, a
    /// no-break or zero-width space, a BOM), which a spreadsheet told to trim spaces, or a
    /// reader's eye, passes over.
    static func startsLikeFormula(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        func formulaAt(_ i: Int) -> Bool {
            guard i < b.count else { return false }
            let c = b[i]
            if c == UInt8(ascii: "=") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "@") || c == 9 || c == 13 { return true }
            return i + 2 < b.count && c == 0xEF && b[i + 1] == 0xBC && (b[i + 2] == 0x9D || b[i + 2] == 0x8B || b[i + 2] == 0x8D || b[i + 2] == 0xA0) // ＝ ＋ － ＠
        }
        if formulaAt(0) { return true }
        var i = 0
        while i < b.count, let n = UnicodeTrim.whitespaceLength(b, at: i) { i += n } // white space and invisible characters
        return i > 0 && formulaAt(i)
    }

    /// A whole file: BOM, header, rows, CRLF after every row.
    public static func file(header: [String], rows: [[String]]) -> [UInt8] {
        file(header: header, count: rows.count) { i, line in
            for c in rows[i] { line.cell(c) }
        }
    }

    /// A file of the header and `count` chunks of lines, each chunk written by `chunk` (ending
    /// each of its lines) on whichever core is free, then joined in order (`inPieces`), each let
    /// go as soon as it is copied: held once, not twice.
    static func inChunks(header: [String], count: Int, _ chunk: @Sendable (Int, inout Line) -> Void) -> [UInt8] {
        var pieces = inPieces(header: header, count: count, chunk)
        let n = pieces.count
        var starts = [0]
        for p in pieces { starts.append(starts.last! + p.count) }
        let at = starts, parts = ConcurrentSlots<[UInt8]>(n)
        for i in 0..<n { parts[i] = pieces[i] }
        pieces.removeAll() // the slots hold each piece alone, let go once copied
        // Joined on every core too: the copy of a year's 180 MB, and the faults of its pages,
        // were a tenth of a second on one.
        return [UInt8](unsafeUninitializedCapacity: at[n]) { buffer, initialized in
            let out = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: n) { c in
                guard let part = parts.take(c), !part.isEmpty else { return }
                part.withUnsafeBufferPointer { (out.value.baseAddress! + at[c]).initialize(from: $0.baseAddress!, count: $0.count) }
            }
            initialized = at[n]
        }
    }

    /// The same file as its pieces, in order, not joined: the BOM and header, then each chunk of
    /// lines as `chunk` wrote it on whichever core was free. A report folder writes them one
    /// after the other (`ReportFiles.add(_:pieces:)`): a year's 180 MB volunteer-weeks.csv is
    /// never copied into one array.
    static func inPieces(header: [String], count: Int, _ chunk: @Sendable (Int, inout Line) -> Void) -> [[UInt8]] {
        let parts = ConcurrentSlots<[UInt8]>(max(count, 1))
        DispatchQueue.concurrentPerform(iterations: count) { c in
            var line = Line()
            chunk(c, &line)
            parts[c] = line.out
        }
        return [file(header: header, count: 0) { _, _ in }] + (0..<count).map { parts.take($0) ?? [] }
    }

    /// A file of `count` rows, each written cell by cell by `row`: a table of 100,000 rows is
    /// written without making 100,000 arrays of strings first.
    static func file(header: [String], count: Int, row: (Int, inout Line) -> Void) -> [UInt8] {
        var line = Line()
        line.out.reserveCapacity(64 * (count + 1))
        line.out += [0xEF, 0xBB, 0xBF]
        for c in header { line.cell(c) }
        line.end()
        for i in 0..<count {
            row(i, &line)
            line.end()
        }
        return line.out
    }

    /// The row being written: its cells go straight into the file's bytes.
    struct Line {
        fileprivate(set) var out: [UInt8] = []
        private var cells = 0

        mutating func cell(_ value: String) {
            separate()
            CSVWriter.append(value, to: &out)
        }

        /// The comma before every cell but a line's first.
        fileprivate mutating func separate() {
            if cells > 0 { out.append(44) }
            cells += 1
        }

        /// Room for `count` more bytes, for a writer that knows how much it will write.
        mutating func reserve(_ count: Int) {
            out.reserveCapacity(out.count + count)
        }

        /// A cell written before (`EncodedCells`): its bytes, copied.
        @inline(__always)
        mutating func cell(encoded bytes: UnsafeBufferPointer<UInt8>) {
            separate()
            out.append(contentsOf: bytes)
        }

        /// A list in one cell, `;`-separated.
        mutating func cell(joining list: [String]) {
            list.count == 1 ? cell(list[0]) : cell(list.joined(separator: ";"))
        }

        mutating func end() {
            out.append(13)
            out.append(10)
            cells = 0
        }

        /// Lines written by `write` into room for `capacity` bytes reserved at once (`RawLine`):
        /// a year's volunteer-weeks.csv is 5 million rows of cells written before, and an
        /// array's checks on each of a row's dozen appends were most of its time.
        mutating func writeRaw(capacity: Int, _ write: (inout RawLine) -> Void) {
            precondition(cells == 0, "raw lines start on a line of their own")
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                var raw = RawLine(start: buffer.baseAddress!, capacity: capacity)
                write(&raw)
                initialized = raw.count
            }
            if out.isEmpty { out = bytes } else { out += bytes }
        }
    }

    /// `Line`'s cells written into reserved memory: the same bytes by the same rules (a comma
    /// before every cell but a line's first, CRLF after each line), for cells written before
    /// (`EncodedCells`) and hours. The writer reserves room for its lines (`Line.writeRaw`);
    /// running out of it traps.
    struct RawLine {
        private let start: UnsafeMutablePointer<UInt8>
        private let capacity: Int
        private(set) var count = 0
        private var cells = 0

        fileprivate init(start: UnsafeMutablePointer<UInt8>, capacity: Int) {
            self.start = start
            self.capacity = capacity
        }

        @inline(__always)
        private mutating func separate(then bytes: Int) {
            let comma = cells > 0 ? 1 : 0
            precondition(count + comma + bytes <= capacity, "a raw CSV line ran out of its reserved room")
            if comma == 1 { start[count] = 44; count += 1 }
            cells += 1
        }

        /// A cell written before: its bytes, copied.
        @inline(__always)
        mutating func cell(encoded bytes: UnsafeBufferPointer<UInt8>) {
            separate(then: bytes.count)
            if let base = bytes.baseAddress { (start + count).initialize(from: base, count: bytes.count) }
            count += bytes.count
        }

        /// Hours as `Line.hours` writes them (never negative here: a negative value would need the
        /// formula guard, which only `Line` has).
        @inline(__always)
        mutating func hours(_ seconds: Int) {
            precondition(seconds >= 0, "negative hours are written by Line, with their formula guard")
            separate(then: 24)
            count += Hours.write(seconds, at: start + count)
        }

        @inline(__always)
        mutating func end() {
            precondition(count + 2 <= capacity, "a raw CSV line ran out of its reserved room")
            start[count] = 13
            start[count + 1] = 10
            count += 2
            cells = 0
        }
    }
}

/// Cells' CSV bytes, each made once by a `Line` (so by its rules) for the many rows that repeat
/// it — a week's date on every volunteer's row, a status — and kept end to end, so that a row
/// copies them without counting a reference per cell.
struct EncodedCells: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    /// Adds the cell `write` writes on a fresh line; it is cell number `count - 1`.
    /// - Parameter phones: when given, the cell is scrubbed of phone numbers (`PhoneScrubber`), as
    ///   a line of the file would be.
    mutating func add(scrubbingOf phones: Set<String>? = nil, _ write: (inout CSVWriter.Line) -> Void) {
        var line = CSVWriter.Line()
        write(&line)
        bytes += phones.map { PhoneScrubber.scrub(bytes: line.out, known: $0) } ?? line.out
        ends.append(bytes.count)
    }

    var count: Int { ends.count }

    /// The cells, readable without a reference count while `body` runs.
    func withCells<R>(_ body: (Cells) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { b in try ends.withUnsafeBufferPointer { e in try body(Cells(bytes: b, ends: e)) } }
    }

    struct Cells {
        let bytes: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int>

        /// The length of the longest cell: what a writer reserves room for.
        var longest: Int { ends.indices.reduce(0) { m, k in Swift.max(m, ends[k] - (k == 0 ? 0 : ends[k - 1])) } }

        @inline(__always)
        subscript(k: Int) -> UnsafeBufferPointer<UInt8> {
            let start = k == 0 ? 0 : ends[k - 1]
            return UnsafeBufferPointer(rebasing: bytes[start..<ends[k]])
        }
    }
}

/// Which header row the CSVs get (`--csv-header`).
public enum CSVHeaderStyle: String, Sendable, CaseIterable {
    /// Chinese (or English) labels, for people.
    case labels
    /// Exactly the contract's keys, for scripts.
    case keys
}

/// The contract's CSV files (§5), from the report model.
public enum CSVTables {
    public static let volunteerKeys = ["volunteer_id", "name", "unit", "teams", "hours", "required_hours", "shortfall_hours", "status"]
    public static let unitKeys = ["unit", "kind", "volunteers", "met", "short", "compliance_rate", "hours", "liaison", "liaison_status",
                                  "daily_on_time", "daily_late", "daily_missing", "weekly_status"]
    public static let teamKeys = ["team", "lead_units", "volunteers", "hours", "sessions"]
    public static let findingKeys = ["rule", "severity", "unit", "subject", "date", "detail", "source"]
    public static let rejectKeys = ["source", "reason", "record"]
    public static let activityKeys = ["record_id", "volunteer_id", "name", "unit", "team", "start", "end", "hours", "activity", "location"]

    static func header(_ keys: [String], _ style: CSVHeaderStyle, _ labels: Labels) -> [String] {
        style == .keys ? keys : labels.csvHeader(keys)
    }

    /// A table's CSV file: BOM, header (labels or keys), one line per row. A long table (a
    /// month's or a year's volunteers) is written in chunks of rows on every core, then joined.
    static func file<T: ReportTable & Sendable>(_ table: T, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        let header = table.header(style: style, labels: labels), count = table.count
        let chunk = 8_192
        guard count > 2 * chunk else { return CSVWriter.file(header: header, count: count) { i, line in table.row(i, into: &line) } }
        return CSVWriter.inChunks(header: header, count: (count + chunk - 1) / chunk) { c, line in
            for i in (c * chunk)..<min(count, (c + 1) * chunk) {
                table.row(i, into: &line)
                line.end()
            }
        }
    }

    public static func volunteers(_ r: WeeklyReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        file(VolunteersTable(report: r), style: style, labels: labels)
    }

    public static func units(_ r: WeeklyReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        file(UnitsTable(report: r), style: style, labels: labels)
    }

    public static func teams(_ r: WeeklyReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        file(TeamsTable(report: r), style: style, labels: labels)
    }

    public static func findings(_ findings: [Finding], style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        file(FindingsTable(findings: findings), style: style, labels: labels)
    }

    public static func rejects(_ rejects: [Reject], phones: Set<String>, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        file(RejectsTable(rejects: rejects, phones: phones), style: style, labels: labels)
    }

    public static func activities(_ d: DailyReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        file(ActivitiesTable(report: d), style: style, labels: labels)
    }
}

/// A CSV line takes a table's cells as the text the CSVs have always had.
extension CSVWriter.Line: TableRowSink {
    mutating func text(_ value: String) { cell(value) }
    mutating func list(_ values: [String]) { cell(joining: values) }
    /// Hours and dates are digits, dots and dashes: never quoted, and guarded only when
    /// negative (a leading `-`), so they are written as bytes unless they are.
    mutating func hours(_ seconds: Int) {
        guard seconds >= 0 else { return cell(Hours.format(seconds)) }
        separate()
        Hours.write(seconds, to: &out)
    }
    private static let yearZero = CivilDate.dayNumber(year: 0, month: 1, day: 1)

    mutating func count(_ value: Int) {
        guard value >= 0 else { return cell("\(value)") }
        separate()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var i = 20, v = value
            repeat { i -= 1; buf[i] = UInt8(48 + v % 10); v /= 10 } while v > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i...]))
        }
    }
    mutating func rate(_ text: String) { cell(text) }
    mutating func decimal(_ text: String) { cell(text) }
    mutating func date(_ value: CivilDate?) {
        // A date before the year 0 starts with a `-`: through `cell`, and its formula guard.
        guard let value, value.dayNumber >= CSVWriter.Line.yearZero else { return cell(value.map { "\($0)" } ?? "") }
        separate()
        value.write(to: &out)
    }
    mutating func time(_ text: String) { cell(text) }
}
