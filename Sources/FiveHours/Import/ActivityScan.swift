/// One activity row as the duplicate check needs it: its identity and content hashes and
/// where it is. Rows outside the reported window are kept only in this form.
struct ScannedRow {
    var identity: RowKey
    /// The first lane of the content hash: rows with the same identity differ in content with
    /// certainty 1 − 2⁻⁶⁴ when these differ.
    var content: UInt64
    /// The row's bytes in its file's buffer, to quote it if it turns out to be a rejected duplicate.
    var start: Int
    var line: Int32
    /// Index into its part's `activities` when the row was turned into a record, else -1.
    var record: Int32
    var length: Int32
    var fileIndex: Int16
    /// The row has a `record_id` (its identity is that id, not its volunteer and times).
    var hasRecordID: Bool

    init(identity: RowKey, content: RowKey, fileIndex: Int, line: Int, record: Int32, start: Int, length: Int, hasRecordID: Bool) {
        self.identity = identity
        self.content = content.a
        self.start = start
        self.line = Int32(clamping: line)
        self.record = record
        self.length = Int32(clamping: length)
        self.fileIndex = Int16(clamping: fileIndex)
        self.hasRecordID = hasRecordID
    }
}

/// The fast path for activity CSV files: every row is validated from its bytes; only the rows
/// dated inside the window become `ActivityRecord`s with strings.
///
/// A year of logs is millions of rows, of which a weekly run reports two weeks' worth. Reading
/// the date first and decoding the other cells only for those rows is what makes the Friday batch
/// fast; the other rows are still checked field by field (a row that cannot be read is a reject
/// in any week) and hashed for the duplicate check. A row the fast check doubts goes through the
/// ordinary `RowParser`, which is the authority on what is wrong with it.
struct ActivityScanner {
    // Plain integers only: the scanner is copied for every row, and a reference inside it would
    // cost an atomic reference count there, contended between the two halves of a file.
    let window: ClosedRange<Int>?
    let columns: Columns

    /// Column indexes by key, -1 when absent.
    struct Columns {
        var recordID = -1, volunteer = -1, date = -1, start = -1, end = -1, hours = -1
        var team = -1, activity = -1, category = -1, location = -1, media = -1, unit = -1
        var submitted = -1, title = -1, description = -1

        init(_ h: HeaderMap) {
            func i(_ k: String) -> Int { h.index[k] ?? -1 }
            recordID = i("record_id"); volunteer = i("volunteer_id"); date = i("date"); start = i("start"); end = i("end")
            hours = i("hours"); team = i("team"); activity = i("activity"); category = i("category"); location = i("location")
            media = i("media"); unit = i("unit"); submitted = i("submitted_at"); title = i("title"); description = i("description")
        }
    }

    init(header: HeaderMap, window: ClosedRange<Int>?) {
        self.window = window
        self.columns = Columns(header)
    }

    /// The parsed values the fast check found valid.
    struct Values {
        var date: Int
        var start: Int?
        var end: Int?
        var hours: Int?
        var submitted: Int?
    }

    /// Validates a row from its bytes; nil when anything is doubtful.
    func values(_ reader: CSVReader, _ fields: [CSVReader.Field], offsets: inout ZoneCache) -> Values? {
        let c = columns
        guard !blank(reader, fields, c.volunteer) else { return nil }
        guard let date = reader.withBytes(fields[c.date], { ValueParser.date($0) }) else { return nil }
        var start: Int?, end: Int?, hours: Int?, submitted: Int?
        if c.start >= 0, !blank(reader, fields, c.start) {
            guard let t = reader.withBytes(fields[c.start], { ValueParser.time($0) }), t < 86_400 else { return nil }
            start = t
        }
        if c.end >= 0, !blank(reader, fields, c.end) {
            guard let t = reader.withBytes(fields[c.end], { ValueParser.time($0) }) else { return nil }
            end = t
        }
        if c.hours >= 0, !blank(reader, fields, c.hours) {
            guard let h = reader.withBytes(fields[c.hours], { ValueParser.hours($0) }) else { return nil }
            hours = h
        }
        if start == nil || end == nil {
            guard hours != nil else { return nil }
            start = nil
            end = nil
        }
        let seconds: Int
        if let s = start, let e = end { seconds = e >= s ? e - s : e + 86_400 - s } else { seconds = hours! }
        guard seconds > 0, seconds <= 86_400 else { return nil }
        if c.submitted >= 0, !blank(reader, fields, c.submitted) {
            guard let t = reader.withBytes(fields[c.submitted], { offsets.instant($0) }) else { return nil }
            submitted = t
        }
        return Values(date: date.dayNumber, start: start, end: end, hours: hours, submitted: submitted)
    }

    func inWindow(_ day: Int) -> Bool { window.map { $0.contains(day) } ?? true }

    /// The identity and content hashes, computed from bytes exactly as `ActivityRecord`'s are
    /// from strings.
    func keys(_ reader: CSVReader, _ fields: [CSVReader.Field], _ v: Values) -> (RowKey, RowKey, Bool) {
        let c = columns
        var identity: RowKey
        let hasRecordID = c.recordID >= 0 && !trimmedEmpty(reader, fields[c.recordID])
        if hasRecordID {
            var h = RowHasher(domain: 1)
            text(reader, fields, c.recordID, into: &h)
            identity = h.finalize()
        } else {
            var h = RowHasher(domain: 2)
            text(reader, fields, c.volunteer, into: &h)
            h.combine(v.date)
            h.combine(v.start)
            h.combine(v.end)
            h.combine(v.hours)
            identity = h.finalize()
        }
        var h = RowHasher(domain: 3)
        text(reader, fields, c.recordID, into: &h)
        text(reader, fields, c.volunteer, into: &h)
        h.combine(v.date)
        h.combine(v.start)
        h.combine(v.end)
        h.combine(v.hours)
        text(reader, fields, c.team, into: &h)
        text(reader, fields, c.activity, into: &h)
        text(reader, fields, c.category, into: &h)
        text(reader, fields, c.location, into: &h)
        if c.media >= 0, fields[c.media].end > fields[c.media].start {
            reader.withBytes(fields[c.media]) { bytes in
                var count = 0
                ListSplit.forEachItem(bytes) { _ in count += 1 }
                h.combine(count)
                ListSplit.forEachItem(bytes) { item in h.combine(1); h.combine(item) }
            }
        } else {
            h.combine(0)
        }
        text(reader, fields, c.unit, into: &h)
        h.combine(v.submitted)
        text(reader, fields, c.title, into: &h)
        text(reader, fields, c.description, into: &h)
        return (identity, h.finalize(), hasRecordID)
    }

    /// Hashes a text cell as `RowHasher.combine(String?)` hashes the trimmed string.
    func text(_ reader: CSVReader, _ fields: [CSVReader.Field], _ i: Int, into h: inout RowHasher) {
        guard i >= 0 else { h.combine(nil as String?); return }
        reader.withBytes(fields[i]) { raw in
            let t = UnicodeTrim.trim(raw)
            if t.count == 0 { h.combine(nil as String?) } else { h.combine(1); h.combine(t) }
        }
    }

    func blank(_ reader: CSVReader, _ fields: [CSVReader.Field], _ i: Int) -> Bool {
        i < 0 || trimmedEmpty(reader, fields[i])
    }

    func trimmedEmpty(_ reader: CSVReader, _ f: CSVReader.Field) -> Bool {
        if f.end == f.start { return true }
        return reader.withBytes(f) { UnicodeTrim.trim($0).count == 0 }
    }
}

/// Trims white space (any Unicode white space, as `String.trimmingSpaces` does) from UTF-8 bytes.
enum UnicodeTrim {
    static func trim(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var s = 0, e = b.count
        guard e > 0 else { return b }
        while s < e, let len = whitespaceLength(b, at: s) { s += len }
        while e > s, let len = whitespaceLengthBackward(b, endingAt: e) { e -= len }
        return s == 0 && e == b.count ? b : UnsafeBufferPointer(rebasing: b[s..<e])
    }

    /// The byte length of the white-space scalar at `i`, or nil. Only scalars whose first byte is
    /// 09–0D, 20, C2, E1, E2 or E3 can be white space, so most text is decided by one byte.
    @inline(__always)
    static func whitespaceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let c = b[i]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        guard c == 0xC2 || (c >= 0xE1 && c <= 0xE3) else { return nil }
        guard let (scalar, len) = decode(b, at: i), scalar.properties.isWhitespace else { return nil }
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

/// Local-to-UTC conversion with the zone's offset cached per local day: asking the zone
/// database for each of millions of `submitted_at` cells would dominate the import.
struct ZoneCache {
    let zone: CampaignZone
    /// Direct-mapped by day number: a year of logs touches a few hundred days.
    private var days = [Int](repeating: Int.min, count: 4096)
    private var offsets = [Int](repeating: 0, count: 4096)

    init(zone: CampaignZone) { self.zone = zone }

    mutating func instant(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var c = Cursor(trimming: bytes)
        guard let local = c.localDateTime() else { return nil }
        guard c.atEnd else { return ValueParser.instant(bytes, in: zone) } // with an offset: the general parser
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let d = CivilDate(dayNumber: day)
        let slot = d.dayNumber & 4095
        if days[slot] != d.dayNumber {
            // Offsets change at most at a transition; cache a day only when both ends agree.
            let o1 = zone.utc(fromLocal: d.dayNumber * 86_400) - d.dayNumber * 86_400
            let o2 = zone.utc(fromLocal: d.dayNumber * 86_400 + 86_399) - (d.dayNumber * 86_400 + 86_399)
            guard o1 == o2 else { return zone.utc(fromLocal: local) }
            days[slot] = d.dayNumber
            offsets[slot] = o1
        }
        return local + offsets[slot]
    }
}
