/// The values of a log's cells read at the speed millions of rows need, whatever their spelling.
///
/// There is one reading of each value: `ValueParser` (the contract's grammar of dates, times,
/// hours and instants). What this adds is structure, not a second grammar: a column of a log
/// repeats a few hundred spellings of its dates, times and hours in millions of rows, so each
/// column remembers what its recent cells meant (`CellMemo`, keyed by the cell's exact bytes) and
/// asks the parser only for a cell it has not seen. That holds for every spelling alike —
/// `2024/6/8`, `2019年8月5日`, `9:00`, `2.5小时` — not for one that a shortcut recognises.
/// An instant (`2024-05-24T01:44:09`, `2024/6/9 12:24`) is unique to the second, so it is read
/// by the parser's own steps (`Cursor.localDateTime`) with only its date part remembered, and
/// the zone's offset cached per day (`ZoneCache`).
///
/// One reader per part of a file, on one thread.
struct ValueReader {
    private var dates = CellMemo(), times = CellMemo(), hours = CellMemo(), instantDates = CellMemo()
    private var zone: ZoneCache

    init(zone: CampaignZone) { self.zone = ZoneCache(zone: zone) }

    /// The day number of a date cell (`ValueParser.date`).
    @inline(__always)
    mutating func date(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        dates.value(of: b) { ValueParser.date($0)?.dayNumber }
    }

    /// Seconds after midnight of a time cell (`ValueParser.time`).
    @inline(__always)
    mutating func time(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        times.value(of: b) { ValueParser.time($0) }
    }

    /// Seconds of an hours cell (`ValueParser.hours`).
    @inline(__always)
    mutating func hours(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        hours.value(of: b) { ValueParser.hours($0) }
    }

    /// Seconds since the epoch of an instant cell (`ValueParser.instant`): the cell read by the
    /// parser's steps, its date part through the memo; one with an offset by the parser itself.
    @inline(__always)
    mutating func instant(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var c = Cursor(trimming: b)
        guard let local = c.localDateTime(dates: &instantDates) else { return nil }
        guard c.atEnd else { return ValueParser.instant(b, in: zone.zone) }
        return zone.utc(local: local)
    }
}

/// What the recent cells of one column meant: a direct-mapped table from a cell's exact bytes
/// (up to 16, compared whole) to the value the parser gave it, nil included.
struct CellMemo {
    static let slots = 512
    /// A cell's length + 1 (0: an empty slot), its first and last eight bytes, and its value
    /// (`Int.min` for a cell the parser refused).
    private struct Entry {
        var length = 0
        var head: UInt64 = 0, tail: UInt64 = 0
        var value = 0
    }
    private var entries = [Entry](repeating: Entry(), count: CellMemo.slots)

    /// The value of `b`: remembered, or `parse`d and remembered. A cell over 16 bytes is parsed
    /// each time.
    @inline(__always)
    mutating func value(of b: UnsafeBufferPointer<UInt8>, _ parse: (UnsafeBufferPointer<UInt8>) -> Int?) -> Int? {
        guard b.count <= 16 else { return parse(b) }
        let (head, tail) = headAndTail(b)
        let slot = Int(truncatingIfNeeded: ((head ^ (tail &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(b.count)) &* 0xC2B2_AE3D_27D4_EB4F) >> 55)
            & (CellMemo.slots - 1)
        return entries.withUnsafeMutableBufferPointer { entries in
            let e = entries[slot]
            if e.length == b.count + 1, e.head == head, e.tail == tail { return e.value == Int.min ? nil : e.value }
            let v = parse(b)
            entries[slot] = Entry(length: b.count + 1, head: head, tail: tail, value: v ?? Int.min)
            return v
        }
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

    /// UTC seconds of local wall-clock seconds (`CampaignZone.utc(fromLocal:)`).
    mutating func utc(local: Int) -> Int {
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let slot = day & 4095
        if days[slot] != day {
            // Offsets change at most at a transition; cache a day only when both ends agree.
            let o1 = zone.utc(fromLocal: day * 86_400) - day * 86_400
            let o2 = zone.utc(fromLocal: day * 86_400 + 86_399) - (day * 86_400 + 86_399)
            guard o1 == o2 else { return zone.utc(fromLocal: local) }
            days[slot] = day
            offsets[slot] = o1
        }
        return local + offsets[slot]
    }
}
