import CFastBytes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One activity row as the duplicate check needs it: where it is and what it became. Rows
/// outside the reported window are kept only in this form; their identity hashes are kept apart,
/// grouped for the duplicate check (`IdentityGroups`).
struct ScannedRow {
    /// The row's bytes in its file's buffer, to quote it if it turns out to be a rejected
    /// duplicate, or to compute its content hash when its identity repeats.
    var start: Int
    var line: Int32
    /// Index into its part's `activities` when the row was turned into a record, else -1.
    var record: Int32
    var length: Int32
    var fileIndex: Int16
    /// The row has a `record_id` (its identity is that id, not its volunteer and times).
    var hasRecordID: Bool
    // No hashes here: 24 bytes a row, for every row of a year. The identity is in the part's
    // `IdentityGroups`. The content is needed only when an identity repeats, and is then taken
    // from the record, read again from the row's bytes, or (for the few rows that have neither)
    // looked up in the part's `storedContent` (see `Duplicates`).

    init(fileIndex: Int, line: Int, record: Int32, start: Int, length: Int, hasRecordID: Bool) {
        self.start = start
        self.line = Int32(clamping: line)
        self.record = record
        self.length = Int32(clamping: length)
        self.fileIndex = Int16(clamping: fileIndex)
        self.hasRecordID = hasRecordID
    }
}

/// Values appended by a row loop without an array's work on every append (an outlined call, a
/// uniqueness and a capacity check: a tenth of the activity loop's samples for its two arrays):
/// a plain buffer that doubles when full, whose memory is handed over once at the end (`take`,
/// or read through `buffer`) and freed by its owner (`deallocate`).
struct RowBuffer<Element: BitwiseCopyable> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: 2 * capacity)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Hands the elements' memory to the caller, who frees it; the buffer starts again empty.
    mutating func take() -> (base: UnsafeMutablePointer<Element>, count: Int) {
        let taken = (base, count)
        capacity = 16
        base = .allocate(capacity: capacity)
        count = 0
        return taken
    }

    func deallocate() { base.deallocate() }
}

/// The rows of a part kept for the duplicate check, in the memory its reader filled: a year of
/// logs is 80 MB of them, and copying them into an array wrote every page a second time.
/// Immutable: a part's line shift is kept beside it (`ScannedPart`).
final class ScannedRows: Sendable {
    nonisolated(unsafe) private let base: UnsafeMutablePointer<ScannedRow>
    let count: Int

    init(taking buffer: inout RowBuffer<ScannedRow>) {
        (base, count) = buffer.take()
    }

    init(copying rows: [ScannedRow]) {
        base = .allocate(capacity: max(rows.count, 1))
        count = rows.count
        rows.withUnsafeBufferPointer { if let b = $0.baseAddress { base.initialize(from: b, count: rows.count) } }
    }

    deinit { base.deallocate() }

    subscript(i: Int) -> ScannedRow {
        precondition(i >= 0 && i < count, "a scanned row out of range")
        return base[i]
    }
}

/// A part's rows and what its lines are moved by: a part read from the middle of a file learns
/// its first line only after the parts before it are read, and its rows are not rewritten.
struct ScannedPart: Sendable {
    let rows: ScannedRows
    let lineShift: Int32

    var count: Int { rows.count }

    subscript(i: Int) -> ScannedRow {
        var row = rows[i]
        row.line += lineShift
        return row
    }
}

/// The rows an activity loop keeps for the duplicate check, and their identities (each with the
/// row's position), appended together.
struct KeptRows {
    var rows: RowBuffer<ScannedRow>
    var identities: RowBuffer<IdentityGroups.Entry>

    init(capacity: Int) {
        rows = RowBuffer(capacity: capacity)
        identities = RowBuffer(capacity: capacity)
    }

    /// Room for the rows of a part, from the lines of its first 256 KB that hold something, and a
    /// twentieth more: made once, not grown by doubling, which held both buffers at once while it
    /// copied (a part of the benchmark's GB18030 log, of shorter rows than its UTF-8, grew once:
    /// 2 MB more in the run's peak). Rows of another length than the first ones' still grow the
    /// buffers. At most one row for every `max(32, cells)` bytes (a row has a comma between each
    /// two of its cells): a part whose first lines are blank, or line breaks in a quoted cell,
    /// asked a file read in one piece for room for a row per byte (29 GB for a 1.1 GB file).
    static func expectedRows(in bytes: UnsafeBufferPointer<UInt8>, cells: Int) -> Int {
        let sample = min(bytes.count, 256 << 10)
        guard let base = bytes.baseAddress, sample > 0 else { return 16 }
        var lines = 0, start = 0
        while start < sample, let hit = memchr(base + start, 10, sample - start) {
            let end = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            let last = end > start && base[end - 1] == 13 ? end - 1 : end
            if last > start { lines += 1 }
            start = end + 1
        }
        let most = bytes.count / max(32, cells) + 64
        // Without a line feed (lone CR line ends), rows of 128 bytes.
        guard lines > 0 else { return min(most, bytes.count / 128) }
        return min(most, Int(Double(bytes.count) / Double(sample) * Double(lines) * 1.05) + 64)
    }

    var count: Int { rows.count }

    @inline(__always)
    mutating func append(_ identity: RowKey, _ row: ScannedRow) {
        identities.append(IdentityGroups.Entry(identity, rows.count))
        rows.append(row)
    }

    func deallocate() {
        rows.deallocate()
        identities.deallocate()
    }
}

/// The reader of activity rows from their bytes: every row is validated where it lies; only the
/// rows dated inside the period's window become `ActivityRecord`s with strings.
///
/// A year of logs is millions of rows, of which a weekly run reports two weeks' worth. Reading
/// the values of each row through a `ValueReader` (the parser's grammar, with each column's
/// recent cells remembered) and making strings only for the window's rows is what makes the
/// Friday batch fast on every spelling; the other rows are still checked field by field (a row
/// that cannot be read is a reject in any week) and given the identity hash of the duplicate
/// check. Their content hash, which reads every cell, is computed later and only for the few rows
/// whose identity repeats (`Duplicates`). A row this reader doubts goes through the ordinary
/// `RowParser`, which is the authority on what is wrong with it.
struct ActivityScanner: Sendable {
    // Plain values only: a reference inside would cost an atomic reference count on every row,
    // contended between the parts of a file.
    let window: ClosedRange<Int>?
    /// The file's cell of each column of the table (`ActivityCells`), -1 when absent.
    let cells: CellMap
    /// Cells of the header row: a row with another count is not read here.
    let cellCount: Int

    /// Column positions to cell indexes, held inline (no array to count references on).
    struct CellMap: Sendable {
        private var storage = SIMD32<Int16>(repeating: -1)

        init() { precondition(ActivityCells.count <= 32, "the activity table has more columns than a CellMap holds") }

        subscript(position: Int) -> Int {
            get { Int(storage[position]) }
            set { storage[position] = Int16(clamping: newValue) }
        }

        /// Each column at the cell of its own position (the XML shortcut's scratch row).
        static let sequential: CellMap = {
            var m = CellMap()
            for i in 0..<ActivityCells.count { m[i] = i }
            return m
        }()

        /// The cells of a CSV header.
        init(_ header: HeaderMap) {
            self.init()
            for (i, c) in ActivityCells.columns.enumerated() { self[i] = header.index[c.key] ?? -1 }
        }
    }

    init(header: HeaderMap, cellCount: Int, window: ClosedRange<Int>?) {
        self.init(cells: CellMap(header), cellCount: cellCount, window: window)
    }

    init(cells: CellMap, cellCount: Int, window: ClosedRange<Int>?) {
        self.window = window
        self.cells = cells
        self.cellCount = cellCount
        volunteerCell = cells[ActivityCells.volunteer]
        dateCell = cells[ActivityCells.date]
        startCell = cells[ActivityCells.start]
        endCell = cells[ActivityCells.end]
        hoursCell = cells[ActivityCells.hours]
        submittedCell = cells[ActivityCells.submitted]
        precondition(ActivityCells.readOutsideWindow.count <= 8, "more columns read outside the window than a SIMD8 holds")
        // The key cells in the file's order, neighbours joined into runs.
        let keys = Set(ActivityCells.readOutsideWindow.map { cells[$0] }.filter { $0 >= 0 }).sorted()
        var first = SIMD8<Int16>(repeating: 0), last = SIMD8<Int16>(repeating: 0), runs = 0
        for c in keys {
            if runs > 0, Int(last[runs - 1]) + 1 == c {
                last[runs - 1] = Int16(c)
            } else {
                first[runs] = Int16(c)
                last[runs] = Int16(c)
                runs += 1
            }
        }
        (keyRunFirst, keyRunLast, keyRunCount) = (first, last, runs)
        var slots = SIMD32<Int8>(repeating: -1)
        for (slot, position) in [ActivityCells.date, ActivityCells.start, ActivityCells.end, ActivityCells.hours,
                                 ActivityCells.submitted].enumerated() { slots[position] = Int8(slot) }
        valueSlots = slots
    }

    // The cells the checks read, resolved once: the row loop reads no global to find them.
    private let volunteerCell, dateCell, startCell, endCell, hoursCell, submittedCell: Int
    /// Each column's slot in `Values` (0 date, 1 start, 2 end, 3 hours, 4 submitted_at), -1 for text.
    private let valueSlots: SIMD32<Int8>
    /// The cells of `ActivityCells.readOutsideWindow` the file has, as runs of neighbouring cells
    /// in its order (lanes `0..<keyRunCount`, each from its first cell to its last): what lies
    /// between two neighbouring cells of a plain row is a comma and the quotes of a quoted cell,
    /// ASCII, so a run is checked as one stretch. (The excel spelling's key cells are two runs:
    /// its first six and `submitted_at`.)
    private let keyRunFirst: SIMD8<Int16>, keyRunLast: SIMD8<Int16>
    private let keyRunCount: Int

    /// True when the cells a row outside the window is read by (`ActivityCells.readOutsideWindow`)
    /// hold only ASCII: a row of a GB18030 file that is, and is dated outside the window, is read
    /// from its own bytes, which are then the same as its UTF-8 (`readActivities`). `end` is the
    /// end of the text the row lies in (a stretch's last word may be read past its end, masked).
    ///
    /// Asked of every row of a GB18030 week, so it reads each run of key cells as one stretch, a
    /// word at a time, the runs taken from their vectors lane by lane (a lane picked by a
    /// variable index stored the vector to the stack and read it back at every cell, each read
    /// waiting on the store; with a byte loop per cell that was four fifths of the row loop's own
    /// time). A run whose stretch holds more than its cells can only say "not ASCII" where the
    /// cells are: such a row is decoded, as any other.
    @inline(__always)
    func keyCellsAreASCII(_ row: PlainRow, end: UnsafePointer<UInt8>) -> Bool {
        let n = keyRunCount, first = keyRunFirst, last = keyRunLast
        guard n > 0 else { return true }
        var any = ActivityScanner.bytesOred(row, from: Int(first[0]), to: Int(last[0]), end)
        if n > 1 { any |= ActivityScanner.bytesOred(row, from: Int(first[1]), to: Int(last[1]), end) }
        if n > 2 { any |= ActivityScanner.bytesOred(row, from: Int(first[2]), to: Int(last[2]), end) }
        if n > 3 { any |= ActivityScanner.bytesOred(row, from: Int(first[3]), to: Int(last[3]), end) }
        if n > 4 { any |= ActivityScanner.bytesOred(row, from: Int(first[4]), to: Int(last[4]), end) }
        if n > 5 { any |= ActivityScanner.bytesOred(row, from: Int(first[5]), to: Int(last[5]), end) }
        if n > 6 { any |= ActivityScanner.bytesOred(row, from: Int(first[6]), to: Int(last[6]), end) }
        if n > 7 { any |= ActivityScanner.bytesOred(row, from: Int(first[7]), to: Int(last[7]), end) }
        return any & 0x8080_8080_8080_8080 == 0
    }

    /// The bytes of `row` from the start of cell `a` to the end of cell `b` or-ed together into
    /// a word, eight lanes: a byte of 0x80 or more sets the top bit of one of them.
    @inline(__always)
    static func bytesOred(_ row: PlainRow, from a: Int, to b: Int, _ end: UnsafePointer<UInt8>) -> UInt64 {
        let p = row.base + row.cells[2 * a]
        let n = row.cells[2 * b + 1] - row.cells[2 * a]
        var any: UInt64 = 0
        var j = 0
        while j + 8 <= n {
            any |= UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
            j += 8
        }
        guard j < n else { return any }
        if end - (p + j) >= 8 {
            // The last bytes in one word, the bytes past the stretch masked off (little-endian:
            // byte i is bits 8i…8i+7).
            let word = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
            return any | word & ((1 << UInt64(8 * (n - j))) &- 1)
        }
        while j < n {
            any |= UInt64(p[j])
            j += 1
        }
        return any
    }

    private let identityLayout = IdentityLayout.table

    /// The parsed values of a row this reader found valid.
    struct Values {
        var date: Int
        var start: Int? = nil
        var end: Int? = nil
        var hours: Int? = nil
        var submitted: Int? = nil
    }

    /// Validates a row from its cells; nil when anything is doubtful.
    func values(_ row: PlainRow, _ reader: inout ValueReader) -> Values? {
        var v = Values(date: 0)
        return read(row, &reader, into: &v) ? v : nil
    }

    /// `values`, written into the caller's `Values`: false when anything is doubtful. The row
    /// loop keeps one `Values` for all its rows (an optional result, returned through memory,
    /// was loaded whole right after its fields were stored). The checks are `RowParser.activity`'s,
    /// on values read the same way; a row they fail is read again by the parser, which says why.
    func read(_ row: PlainRow, _ reader: inout ValueReader, into v: inout Values) -> Bool {
        guard !row.blank(volunteerCell), dateCell >= 0, let date = reader.date(row.cell(dateCell)) else { return false }
        var start: Int?, end: Int?, hours: Int?
        if !row.blank(startCell) {
            guard let t = reader.time(row.cell(startCell)), t < 86_400 else { return false }
            start = t
        }
        if !row.blank(endCell) {
            guard let t = reader.time(row.cell(endCell)) else { return false }
            end = t
        }
        if !row.blank(hoursCell) {
            guard let h = reader.hours(row.cell(hoursCell)) else { return false }
            hours = h
        }
        guard case .success(let clock) = SessionTime.resolve(start: start, end: end, hours: hours),
              SessionTime.check(start: clock.start, end: clock.end, hours: hours) == nil else { return false }
        (start, end) = clock
        var submitted: Int?
        if !row.blank(submittedCell) {
            guard let t = reader.instant(row.cell(submittedCell)) else { return false }
            submitted = t
        }
        v.date = date
        v.start = start
        v.end = end
        v.hours = hours
        v.submitted = submitted
        return true
    }

    func inWindow(_ day: Int) -> Bool { window.map { $0.contains(day) } ?? true }

    /// A row's cells as the hashes read them.
    struct Cells: HashedCells {
        let row: PlainRow
        let values: Values
        let cells: CellMap
        let valueSlots: SIMD32<Int8>

        @inline(__always)
        func withText<R>(at position: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
            let i = cells[position]
            guard i >= 0 else { return body(nil) }
            let t = UnicodeTrim.trim(row.cell(i))
            return body(t.count == 0 ? nil : t)
        }

        @inline(__always)
        func value(at position: Int) -> Int? {
            switch valueSlots[position] {
            case 0: return values.date
            case 1: return values.start
            case 2: return values.end
            case 3: return values.hours
            case 4: return values.submitted
            default: preconditionFailure("column \(ActivityCells.columns[position].key) is not a value")
            }
        }

        func forEachItem(at position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            let i = cells[position]
            guard i >= 0 else { return }
            ListSplit.forEachItem(row.cell(i), body)
        }
    }

    /// The identity hash (`RowHash.identity`), and whether the row has a `record_id`.
    @inline(__always)
    func identity(_ row: PlainRow, _ v: Values) -> (RowKey, Bool) {
        let (key, hasRecordID) = RowHash.identity(Cells(row: row, values: v, cells: cells, valueSlots: valueSlots), layout: identityLayout)
        return (key, hasRecordID)
    }

    /// The content hash (`RowHash.content`).
    func content(_ row: PlainRow, _ v: Values) -> RowKey {
        RowHash.content(Cells(row: row, values: v, cells: cells, valueSlots: valueSlots))
    }

    /// The record of a row this reader found valid, built from the values it read and the
    /// row's cells: what `RowParser.activity` builds from the same row's strings (the importer
    /// asserts the two equal in debug builds and under the fuzzer), without parsing the values
    /// a second time or looking each column up by its key.
    /// - Parameters:
    ///   - names: the part's cache of repeated names.
    ///   - text: whether to read the row's words and media (`Importer.keepsText`); without, the
    ///     record is what `ActivityRecord.keepingText(false)` makes of the parser's.
    func record(_ row: PlainRow, _ v: Values, parser: RowParser, source: SourceLine, names: NameCache, text: Bool) -> ActivityRecord {
        let c = cells
        /// A cell's trimmed text, nil when absent or blank; a name through the cache.
        @inline(__always) func string(_ position: Int) -> String? {
            let i = c[position]
            guard i >= 0 else { return nil }
            let t = UnicodeTrim.trim(row.cell(i))
            guard t.count > 0 else { return nil }
            return ActivityCells.columns[position].value == .name ? names.string(t) : String(decoding: t, as: UTF8.self)
        }
        /// A text cell, when the record keeps its text.
        @inline(__always) func words(_ position: Int) -> String? { text ? string(position) : nil }
        let media = words(ActivityCells.media).map { RowParser.split($0).map { MediaRef.guess($0, baseFolder: parser.folder) } } ?? []
        return ActivityRecord(
            recordID: string(ActivityCells.recordID), volunteerID: string(ActivityCells.volunteer)!,
            date: CivilDate(dayNumber: v.date), start: v.start, end: v.end, hours: v.hours,
            team: string(ActivityCells.team), activity: words(ActivityCells.activity),
            category: words(ActivityCells.category), location: words(ActivityCells.location), media: media,
            unit: string(ActivityCells.unit), submittedAt: v.submitted, title: words(ActivityCells.title),
            description: words(ActivityCells.description), source: source)
    }

    /// The content hash of a row read earlier from its bytes, read again.
    func content(of bytes: UnsafeBufferPointer<UInt8>, reader: inout ValueReader) -> RowKey? {
        guard let base = bytes.baseAddress else { return nil }
        let cells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * cellCount)
        defer { cells.deallocate() }
        guard PlainRow.split(base, 0, bytes.count, expected: cellCount, into: cells) != nil else { return nil }
        let row = PlainRow(base: base, cells: cells)
        guard let v = values(row, &reader) else { return nil }
        return content(row, v)
    }
}

/// A row whose quoted cells hold a doubled quote or a line break, as the general reader split
/// it, copied with each cell unescaped into a buffer of its own: a `PlainRow` over that copy is
/// read as a plain row is (`ActivityScanner`). One buffer per part, reused row after row.
struct UnquotedRows {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let cells: UnsafeMutablePointer<Int>

    init(cellCount: Int) {
        capacity = 4_096
        bytes = .allocate(capacity: capacity)
        cells = .allocate(capacity: 2 * max(cellCount, 1))
    }

    func deallocate() {
        bytes.deallocate()
        cells.deallocate()
    }

    /// The row `reader` last read (`fields`, as many as the header's cells), its cells
    /// unescaped (`""` to `"`), valid until the next call.
    mutating func row(_ reader: CSVReader, _ fields: [CSVReader.Field]) -> PlainRow {
        let total = fields.reduce(0) { $0 + ($1.end - $1.start) }
        if total > capacity {
            bytes.deallocate()
            capacity = max(total, 2 * capacity)
            bytes = .allocate(capacity: capacity)
        }
        var at = 0
        for (k, f) in fields.enumerated() {
            cells[2 * k] = at
            at += reader.unescape(f, into: bytes + at)
            cells[2 * k + 1] = at
        }
        return PlainRow(base: UnsafePointer(bytes), cells: cells)
    }
}

/// One CSV row split at its commas without the general reader: the common case of a row whose
/// cells hold no line break and no doubled quote. Cell `k` is `base[cells[2k]..<cells[2k+1]]`,
/// its quotes (if it had them) already left out.
struct PlainRow {
    let base: UnsafePointer<UInt8>
    let cells: UnsafeMutablePointer<Int>

    @inline(__always)
    func cell(_ k: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + cells[2 * k], count: cells[2 * k + 1] - cells[2 * k])
    }

    /// True when the column is absent, or its cell empty or only white space.
    @inline(__always)
    func blank(_ k: Int) -> Bool {
        guard k >= 0 else { return true }
        let s = cells[2 * k], e = cells[2 * k + 1]
        if s == e { return true }
        let c = base[s]
        // Text that starts with a byte no white space starts with is not blank.
        if c > 0x20, c < 0x80 || c > 0xE3 { return false }
        return UnicodeTrim.trim(cell(k)).count == 0
    }

    /// The offset of the first byte at or after `i` that is a comma, quote, CR or LF (or any
    /// other byte below 45), or `n`: eight bytes at a time, since cells are mostly plain text.
    @inline(__always)
    static func nextSpecial(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i + 8 <= n {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            // A byte below 45 (`,` is 44, `"` 34, CR 13, LF 10) sets its high bit here; the
            // lowest such byte is exact (borrows only disturb the bytes above it).
            let t = (w &- 0x2D2D_2D2D_2D2D_2D2D) & ~w & 0x8080_8080_8080_8080
            if t != 0 { return i + t.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n, p[i] >= 45 { i += 1 }
        return i
    }

    /// Splits the row that starts at `pos` into exactly `expected` cells.
    /// - Returns: the offset after the row's line end, or nil when the row is not plain (a quote
    ///   inside a cell, a doubled quote, a line break in a cell, text after a closing quote, or
    ///   another number of cells): then the general reader reads it.
    @inline(__always)
    static func split(_ p: UnsafePointer<UInt8>, _ pos: Int, _ n: Int, expected: Int,
                      into cells: UnsafeMutablePointer<Int>) -> Int? {
        var specials = SpecialBytes(p, n, vector: false)
        return split(p, pos, n, expected: expected, into: cells, specials: &specials)
    }

    @inline(__always)
    static func split(_ p: UnsafePointer<UInt8>, _ pos: Int, _ n: Int, expected: Int,
                      into cells: UnsafeMutablePointer<Int>, specials: inout SpecialBytes) -> Int? {
        var i = pos
        var k = 0
        while true {
            let s: Int, e: Int
            if i < n, p[i] == 34 {
                var j = i + 1
                while j < n {
                    let c = p[j]
                    if c == 34 || c == 10 || c == 13 { break }
                    j += 1
                }
                guard j < n, p[j] == 34, j + 1 >= n || p[j + 1] != 34 else { return nil }
                s = i + 1
                e = j
                i = j + 1
                guard i >= n || p[i] == 44 || p[i] == 10 || p[i] == 13 else { return nil }
            } else {
                s = i
                while true {
                    i = specials.next(i)
                    guard i < n else { break }
                    let c = p[i]
                    if c == 44 || c == 10 || c == 13 { break }
                    if c == 34 { return nil }
                    i += 1
                }
                e = i
            }
            guard k < expected else { return nil }
            cells[2 * k] = s
            cells[2 * k + 1] = e
            k += 1
            guard i < n else { return k == expected ? n : nil }
            let c = p[i]
            if c == 44 { i += 1; continue }
            var next = i + 1
            if c == 13, next < n, p[next] == 10 { next += 1 }
            return k == expected ? next : nil
        }
    }
}

/// Splits the plain rows of a buffer from an index of its separators (AVX2 or AVX-512): the offsets
/// of every comma, quote, CR and LF in order, and of the quotes, CRs and LFs alone. A row is plain
/// when the first quote or line end after its start is a line end and is its `expected`th
/// separator: its cells are then read off the index, with no byte compared and no bit counted per
/// row. A row with a quote is walked cell by cell on the same index (`splitQuoted`): a cell whose
/// first byte is a quote ends at the next quote, which must be followed by a comma or a line end —
/// the plain rows `PlainRow.split` reads, and no others. A row that reaches past the blocks scanned
/// so far (the buffer's last, partial block included) is left to `PlainRow.split`.
///
/// The index is made ahead of the rows, a step at a time, in one pass with the buffer's text
/// check when it has one (`fh_scan_index_avx2`, or `fh_scan_index_avx512`: `Kernel`): each byte
/// is read from memory once, and each 64-byte block's separators are written out once, not once
/// for every row that shares the block (a row of a typical log spans three blocks, and the
/// splitter that took the bits of each block from its start for every row spent a quarter of the
/// parse there). The caller owns the index's memory (`deallocate`).
struct SeparatorIndex {
    /// `split` results that are not a row's end: a row that is not plain (the general reader
    /// reads it), and one that reaches past the blocks scanned (`PlainRow.split` decides).
    static let notPlain = -1, unscanned = -2

    let p: UnsafePointer<UInt8>
    let n: Int
    /// Blocks scanned in one step.
    let step: Int
    /// The two arrays (the same as in `index`, whose pointers C declares nullable).
    private let separators: UnsafeMutablePointer<UInt32>, ends: UnsafeMutablePointer<UInt32>
    private var index: fh_scan_index
    /// The first entries not before the row being split (entries before it are dropped at the
    /// next step).
    private var separatorAt = 0, endAt = 0
    /// Blocks scanned so far.
    private(set) var scanned = 0
    /// Whether the scan also checks the text (a part of a deferred buffer), and its state.
    let validating: Bool
    private var state = fh_scan_state()

    /// The scan's code: AVX2, or AVX-512 where the processor has it (`fh_scan_index_avx512`,
    /// the same index at 64 bytes a step: the scan a third faster).
    enum Kernel: CaseIterable, Sendable {
        case avx2, avx512

        /// What this processor runs: `FIVEHOURS_NO_AVX512` set keeps AVX2 (tests of the AVX2
        /// code on a machine that would otherwise never run it), as `FIVEHOURS_NO_AVX2` keeps
        /// neither (`UTF8Check.avx2`).
        static let fastest: Kernel = fh_has_avx512() != 0 && getenv("FIVEHOURS_NO_AVX512") == nil ? .avx512 : .avx2

        /// The kernels this processor can run, for the tests that compare them.
        static let available: [Kernel] = fh_has_avx512() != 0 ? [.avx2, .avx512] : [.avx2]
    }
    let kernel: Kernel

    /// How far ahead of a row the blocks are scanned: a row longer than this may be left to
    /// `PlainRow.split`.
    static let lookahead = 4096

    /// Offsets are 32-bit: a longer buffer is split by `PlainRow.split` alone.
    static func fits(_ n: Int) -> Bool { n < Int(UInt32.max) - 64 }

    /// - Parameter step: blocks per scan step (2,048 blocks are 128 KB, which stay in the
    ///   core's cache until the rows are split).
    init(_ p: UnsafePointer<UInt8>, _ n: Int, validating: Bool, step: Int = 2048, kernel: Kernel = .fastest) {
        precondition(step > 0 && SeparatorIndex.fits(n), "a step of at least one block, a buffer under 4 GB")
        self.p = p
        self.n = n
        self.validating = validating
        self.step = step
        self.kernel = kernel
        // What is kept of the last step (entries at or after a row start that is less than the
        // look-ahead before the scanned end), one step's worth, and the scan's slack.
        let capacity = SeparatorIndex.lookahead + 64 * step + Int(FH_INDEX_SLACK)
        separators = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
        index = fh_scan_index(separators: separators, separator_count: 0, ends: ends, end_count: 0)
    }

    func deallocate() {
        separators.deallocate()
        ends.deallocate()
    }

    /// Scans, a step at a time, until the blocks reach `lookahead` past `pos` (or the last full
    /// block).
    /// - Returns: false when the text check has found a bad byte (a zero, or not UTF-8).
    @inline(__always)
    mutating func scan(ahead pos: Int) -> Bool {
        guard scanned << 6 < pos + SeparatorIndex.lookahead, scanned < n >> 6 else { return true }
        return scanMore(to: pos + SeparatorIndex.lookahead, keepingFrom: pos)
    }

    /// - Parameter keep: the start of the row being split: entries before it are dropped and the
    ///   rest moved to the front, so that the arrays never hold more than a step and the look-ahead.
    private mutating func scanMore(to end: Int, keepingFrom keep: Int) -> Bool {
        let blocks = n >> 6
        while scanned < blocks, scanned << 6 < end {
            drop(before: keep)
            let count = min(step, blocks - scanned)
            switch kernel {
            case .avx2: fh_scan_index_avx2(p + (scanned << 6), count, UInt32(scanned << 6), validating ? 1 : 0, &state, &index)
            case .avx512: fh_scan_index_avx512(p + (scanned << 6), count, UInt32(scanned << 6), validating ? 1 : 0, &state, &index)
            }
            scanned += count
            if validating, fh_scan_failed_avx2(&state) != 0 { return false }
        }
        return true
    }

    private mutating func drop(before pos: Int) {
        while separatorAt < index.separator_count, Int(separators[separatorAt]) < pos { separatorAt += 1 }
        while endAt < index.end_count, Int(ends[endAt]) < pos { endAt += 1 }
        let keptSeparators = index.separator_count - separatorAt, keptEnds = index.end_count - endAt
        separators.update(from: separators + separatorAt, count: keptSeparators)
        ends.update(from: ends + endAt, count: keptEnds)
        (index.separator_count, index.end_count, separatorAt, endAt) = (keptSeparators, keptEnds, 0, 0)
    }

    /// Ends the text check: scans what is left, then checks the last bytes (after the last full
    /// block). True when the whole buffer is valid UTF-8 without a zero byte.
    mutating func finish() -> Bool {
        guard scanMore(to: n, keepingFrom: n) else { return false }
        let rest = scanned << 6
        return fh_scan_finish_avx2(p + rest, n - rest, &state) != 0
    }

    /// Splits the row that starts at `pos` into exactly `expected` cells.
    /// - Parameter cells: room for `2 × expected` bounds.
    /// - Returns: the offset after the row's line end; `notPlain` when the row is not plain (another
    ///   number of cells, a line break or a doubled quote in a cell, a quote inside a cell, text
    ///   after a closing quote: the general reader says what is wrong); `unscanned` when the row
    ///   reaches past the blocks scanned (`PlainRow.split` must decide).
    @inline(__always)
    mutating func split(_ pos: Int, expected: Int, into cells: UnsafeMutablePointer<Int>) -> Int {
        // The row's first quote or line end.
        let endCount = index.end_count
        var e = endAt
        while e < endCount, Int(ends[e]) < pos { e += 1 }
        endAt = e
        guard e < endCount else { return SeparatorIndex.unscanned }
        let end = Int(ends[e])
        let ch = p[end]
        if ch == 34 { return splitQuoted(pos, expected: expected, into: cells) }
        // It must be the row's `expected`th separator: the ones before it are then its commas.
        let seps = separators, count = index.separator_count
        var s = separatorAt
        // Stops at `end` at the latest (every line end and quote is a separator too); bounded
        // all the same, so that a broken index ends in the general reader, not past the array.
        while s < count, Int(seps[s]) < pos { s += 1 }
        guard s < count else { return SeparatorIndex.unscanned }
        let last = s + expected - 1
        guard last < count, Int(seps[last]) == end else {
            separatorAt = s
            return SeparatorIndex.notPlain
        }
        cells[0] = pos
        var w = cells + 1
        for k in s..<last {
            let comma = Int(seps[k])
            w[0] = comma
            w[1] = comma &+ 1
            w += 2
        }
        w[0] = end
        separatorAt = last + 1
        endAt = e + 1
        return rowEnd(after: end)
    }

    /// The offset after the line end at `end` (CR LF taken together).
    @inline(__always)
    private func rowEnd(after end: Int) -> Int {
        var next = end + 1
        if p[end] == 13, next < n, p[next] == 10 { next += 1 }
        return next
    }

    /// `split` for a row that holds a quote: its cells walked off the separators one by one. A
    /// cell that starts with a quote runs to the next separator that is a quote (commas before
    /// it are its text; a line end before it is a line break in the cell: not plain), and that
    /// quote must be followed at once by a comma or a line end (a quote: doubled, not plain);
    /// its text is between the two quotes. Any other cell runs to the next separator, which
    /// must not be a quote. The same rows and cells as `PlainRow.split`.
    private mutating func splitQuoted(_ pos: Int, expected: Int, into cells: UnsafeMutablePointer<Int>) -> Int {
        let seps = separators, count = index.separator_count
        var s = separatorAt
        while s < count, Int(seps[s]) < pos { s += 1 }
        separatorAt = s
        var start = pos
        var k = 0
        while true {
            guard s < count else { return SeparatorIndex.unscanned }
            var at = Int(seps[s])
            if at == start, p[at] == 34 {
                // The closing quote: the first quote or line end after the opening one.
                var t = s + 1
                while t < count, p[Int(seps[t])] == 44 { t += 1 }
                guard t + 1 < count else { return SeparatorIndex.unscanned }
                let close = Int(seps[t])
                at = Int(seps[t + 1])
                guard p[close] == 34, at == close + 1, p[at] != 34 else { return SeparatorIndex.notPlain }
                cells[2 * k] = start + 1
                cells[2 * k + 1] = close
                s = t + 1
            } else {
                guard p[at] != 34 else { return SeparatorIndex.notPlain }
                cells[2 * k] = start
                cells[2 * k + 1] = at
            }
            k += 1
            if p[at] == 44 {
                guard k < expected else { return SeparatorIndex.notPlain }
                start = at + 1
                s += 1
                continue
            }
            guard k == expected else { return SeparatorIndex.notPlain }
            separatorAt = s + 1
            return rowEnd(after: at)
        }
    }
}

/// Finds CSV's special bytes (comma, quote, CR, LF) ahead of a position: 64 bytes at a time
/// with AVX2 (`fh_csv_commas_avx2`, its two masks as one), the mask kept for the next cells; near the end of the
/// buffer, or without AVX2, eight bytes at a time (`PlainRow.nextSpecial`, which may also stop at
/// other bytes below 45: the caller looks at the byte it stops at).
struct SpecialBytes {
    let p: UnsafePointer<UInt8>
    let n: Int
    let vector: Bool
    /// The 64 bytes from `base` are described by `mask` (bit i: `p[base + i]` is special).
    private var base = Int.min / 2
    private var mask: UInt64 = 0

    init(_ p: UnsafePointer<UInt8>, _ n: Int, vector: Bool = UTF8Check.avx2) {
        self.p = p
        self.n = n
        self.vector = vector
    }

    @inline(__always)
    mutating func next(_ i: Int) -> Int {
        let d = i &- base
        if d >= 0, d < 64 {
            let m = mask >> UInt64(d)
            if m != 0 { return i + m.trailingZeroBitCount }
            return scan(from: base + 64)
        }
        return scan(from: i)
    }

    private mutating func scan(from start: Int) -> Int {
        var b = start
        if vector {
            while b + 64 <= n {
                var others: UInt64 = 0
                let m = fh_csv_commas_avx2(p + b, &others) | others
                if m != 0 {
                    base = b
                    mask = m
                    return b + m.trailingZeroBitCount
                }
                b += 64
            }
        }
        base = Int.min / 2
        return PlainRow.nextSpecial(p, b, n)
    }
}

/// Trims white space (any Unicode white space, as `String.trimmingSpaces` does) from UTF-8 bytes.
enum UnicodeTrim {
    /// True when the cell is empty or only white space (spaces, tabs, the full-width and the
    /// no-break space): the one test of a blank cell, and of a blank row (all its cells blank),
    /// which is skipped and not counted.
    static func isBlank(_ b: UnsafeBufferPointer<UInt8>) -> Bool { trim(b).isEmpty }

    /// Zero-width spaces and joiners, the word joiner, the BOM, the direction marks and the bidi
    /// embeddings, overrides and isolates: not white space to Unicode, but nothing on screen —
    /// what a copy from a chat or a web page leaves around an id or a name. Trimmed from a
    /// cell's ends as white space is (`V001\u{200B}` is the roster's `V001`), read past in a
    /// header name and before a formula's first character.
    static let invisibleScalars: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                                0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF]

    @inline(__always)
    static func trim(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        // Most cells start with a byte no white space or invisible character starts with (ASCII,
        // a CJK character's E4–E9), and end in a visible ASCII character (an id, a date, a
        // number): nothing to trim, decided by two bytes.
        if let f = b.first, let l = b.last, f > 0x20, f < 0x80 || (f > 0xE3 && f != 0xEF), l > 0x20, l < 0x80 { return b }
        return trimmed(b)
    }

    private static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var s = 0, e = b.count
        guard e > 0 else { return b }
        while s < e, let len = whitespaceLength(b, at: s) { s += len }
        while e > s, let len = whitespaceLengthBackward(b, endingAt: e) { e -= len }
        return s == 0 && e == b.count ? b : UnsafeBufferPointer(rebasing: b[s..<e])
    }

    /// The byte length of the white-space or invisible scalar (`invisibleScalars`) at `i`, or
    /// nil: what a cell is trimmed of. Only scalars whose first byte is 09–0D, 20, C2, E1, E2, E3
    /// or EF can be either, so most text is decided by one byte.
    @inline(__always)
    static func whitespaceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let c = b[i]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        guard c == 0xC2 || (c >= 0xE1 && c <= 0xE3) || c == 0xEF else { return nil }
        guard let (scalar, len) = decode(b, at: i), scalar.properties.isWhitespace || invisibleScalars.contains(scalar.value) else { return nil }
        return len
    }

    @inline(__always)
    static func whitespaceLengthBackward(_ b: UnsafeBufferPointer<UInt8>, endingAt e: Int) -> Int? {
        let c = b[e - 1]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        guard c >= 0x80 else { return nil }
        var s = e - 1
        while s > 0, b[s] & 0xC0 == 0x80, e - s < 4 { s -= 1 }
        guard let len = whitespaceLength(b, at: s), s + len == e else { return nil }
        return len
    }

    static func decode(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int)? {
        let c = b[i]
        let len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
        guard i + len <= b.count else { return nil }
        var v = len == 1 ? UInt32(c) : len == 2 ? UInt32(c & 0x1F) : len == 3 ? UInt32(c & 0x0F) : UInt32(c & 0x07)
        for k in 1..<len { v = (v << 6) | UInt32(b[i + k] & 0x3F) }
        return Unicode.Scalar(v).map { ($0, len) }
    }
}

/// A text's first and last eight bytes as two words (little-endian). A text under eight bytes
/// is both words: its first and last four bytes (two, one) side by side, which overlap and so
/// hold all of its bytes; for a given length, equal words are equal texts. With its length,
/// equal for equal texts, and for texts of at most 16 bytes only for equal texts. The name
/// cache and the cells' memo hash them; the column lookup compares them.
/// - Complexity: two loads, whatever the length (the times and hours of a log are 1–7 bytes).
@inline(__always)
func headAndTail(_ b: UnsafeBufferPointer<UInt8>) -> (head: UInt64, tail: UInt64) {
    guard let p = b.baseAddress, b.count > 0 else { return (0, 0) }
    let n = b.count
    let raw = UnsafeRawPointer(p)
    if n >= 8 {
        return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
    }
    let word: UInt64
    if n >= 4 {
        word = UInt64(raw.loadUnaligned(as: UInt32.self)) | UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
    } else if n >= 2 {
        word = UInt64(raw.loadUnaligned(as: UInt16.self)) | UInt64(raw.loadUnaligned(fromByteOffset: n - 2, as: UInt16.self)) << 16
    } else {
        word = UInt64(p[0])
    }
    return (word, word)
}

/// Texts that repeat from record to record — team, activity, category, location and unit names,
/// and a roster's lists of teams, of which a log or a roster has a few hundred — made into a
/// `String` (or a list of them) once and shared. A text over 15 bytes (six Chinese characters)
/// is a heap object: without the cache every record allocates and checks its own copies, and the
/// stages after the import chase a hundred thousand copies of one name or list spread over
/// memory, where one stays in the cache (a rule that looks at every volunteer's teams spent most
/// of its time loading lists). One cache per part of a file, on one thread; a class, so that the
/// fields of a row (`RowFields`, read without `mutating`) can use it.
final class NameCache {
    static let slots = 256
    /// Direct-mapped by a hash of a text's length, first and last bytes (`slot(of:)`); an empty
    /// slot holds "" under the key 0, which no text matches (a key is odd, and the text's bytes
    /// are compared too).
    private let names = UnsafeMutablePointer<String>.allocate(capacity: NameCache.slots)
    private let nameKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: NameCache.slots)
    /// Lists by the text of their cell, in the same way.
    private let lists = UnsafeMutablePointer<[String]>.allocate(capacity: NameCache.slots)
    private let listTexts = UnsafeMutablePointer<String>.allocate(capacity: NameCache.slots)
    private let listKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: NameCache.slots)

    init() {
        names.initialize(repeating: "", count: NameCache.slots)
        nameKeys.initialize(repeating: 0, count: NameCache.slots)
        lists.initialize(repeating: [], count: NameCache.slots)
        listTexts.initialize(repeating: "", count: NameCache.slots)
        listKeys.initialize(repeating: 0, count: NameCache.slots)
    }

    deinit {
        names.deinitialize(count: NameCache.slots)
        lists.deinitialize(count: NameCache.slots)
        listTexts.deinitialize(count: NameCache.slots)
        names.deallocate()
        nameKeys.deallocate()
        lists.deallocate()
        listTexts.deallocate()
        listKeys.deallocate()
    }

    /// A text's key (odd) and slot.
    @inline(__always)
    private static func slot(of b: UnsafeBufferPointer<UInt8>) -> (key: UInt64, slot: Int) {
        let (first, last) = headAndTail(b)
        let key = ((first &* 0x9E37_79B9_7F4A_7C15) ^ last ^ UInt64(b.count)) | 1
        return (key, Int(truncatingIfNeeded: (key &* 0xC2B2_AE3D_27D4_EB4F) >> 56) & (NameCache.slots - 1))
    }

    /// True when `s` is spelt with exactly the bytes of `b`. The string's own bytes are compared:
    /// a text that `String` had to repair (not UTF-8) never matches, and is made again each time,
    /// as without the cache.
    @inline(__always)
    private static func same(_ s: String, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        s.utf8.count == b.count && s.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 } == true
    }

    /// The text of `b` (valid UTF-8 is read as is, like `String(decoding:as:)`): the cached
    /// string when its bytes are the same, else a new one, which takes the slot.
    func string(_ b: UnsafeBufferPointer<UInt8>) -> String {
        // Up to 15 bytes a string is held inline, with nothing to share.
        guard b.count > 15 else { return String(decoding: b, as: UTF8.self) }
        let (key, slot) = NameCache.slot(of: b)
        if nameKeys[slot] == key, NameCache.same(names[slot], b) { return names[slot] }
        let s = String(decoding: b, as: UTF8.self)
        names[slot] = s
        nameKeys[slot] = key
        return s
    }

    /// The list `make` makes of a cell's (non-empty) bytes: the cached list when the cell's text
    /// is the same, else a new one, which takes the slot.
    func list(_ b: UnsafeBufferPointer<UInt8>, _ make: () -> [String]) -> [String] {
        let (key, slot) = NameCache.slot(of: b)
        if listKeys[slot] == key, NameCache.same(listTexts[slot], b) { return lists[slot] }
        let list = make()
        lists[slot] = list
        listTexts[slot] = String(decoding: b, as: UTF8.self)
        listKeys[slot] = key
        return list
    }
}

/// Splits a list cell on the roster/media separators (`;` `；` `、` `|`), trimmed, empty items dropped.
enum ListSplit {
    static func forEachItem(_ b: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0, i = 0
        let n = b.count
        func emit(_ s: Int, _ e: Int) {
            let t = UnicodeTrim.trim(UnsafeBufferPointer(rebasing: b[s..<e]))
            if t.count > 0 { body(t) }
        }
        while i < n {
            let c = b[i]
            if c == 0x3B || c == 0x7C { emit(start, i); i += 1; start = i; continue }
            if i + 2 < n, (c == 0xEF && b[i + 1] == 0xBC && b[i + 2] == 0x9B) || (c == 0xE3 && b[i + 1] == 0x80 && b[i + 2] == 0x81) {
                emit(start, i); i += 3; start = i; continue
            }
            i += 1
        }
        emit(start, n)
    }
}
