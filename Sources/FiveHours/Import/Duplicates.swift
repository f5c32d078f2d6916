import Dispatch

/// Settles duplicate activity rows over all files, in input order (§4).
///
/// The same `record_id` twice: identical content counts once (merged), different content keeps
/// the first and rejects the other. Without `record_id`, rows identical in volunteer, date,
/// start, end and hours count once. This runs over every row of every week, so that a file's
/// accounting (read = counted + merged + rejected) does not depend on which week is reported.
enum Duplicates {
    static func settle(_ result: inout ImportResult, zone: CampaignZone) {
        let parts = result.scannedParts
        var starts: [Int] = []
        var count = 0
        for p in parts { starts.append(count); count += p.count }
        let offsets = starts, total = count
        /// The row at a global index (parts are few: a linear search is enough).
        /// The part and the position in it of a global row index (parts are few: a linear search).
        @Sendable func place(_ g: Int) -> (Int, Int) {
            var p = parts.count - 1
            while offsets[p] > g { p -= 1 }
            return (p, g - offsets[p])
        }
        /// The row at a global index.
        @Sendable func rowAt(_ g: Int) -> ScannedRow {
            let (p, position) = place(g)
            return parts[p][position]
        }
        var memo = ValueMemo(zone: zone)
        /// The content hash (first lane) of the row at `position` in part `p`: from its record,
        /// from what the import kept, or read again from its bytes.
        func content(_ p: Int, _ position: Int) -> UInt64 {
            let row = parts[p][position]
            if row.record >= 0 { return result.activities[result.partRecordBase[p] + Int(row.record)].contentKey.a }
            if let c = result.storedContents[p][position] { return c }
            guard let scanner = result.scanners[Int(row.fileIndex)], let buffer = result.buffers[Int(row.fileIndex)],
                  let key = scanner.content(of: UnsafeBufferPointer(rebasing: buffer.bytes[row.start..<(row.start + Int(row.length))]), memo: &memo)
            else { preconditionFailure("a row read by the fast path cannot be read again") }
            return key.a
        }
        // Each row's first occurrence, found on both cores at once: rows go to one of two tables
        // by their identity's top bit, each filled in input order, so "first" is unchanged.
        let repeats = ConcurrentSlots<[(row: Int, first: Int)]>(2)
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            // Sized by this half's own rows: the split goes by hash, not by count, and a table
            // with fewer slots than keys would probe for ever.
            var inHalf = 0
            for part in parts { for row in part where Int(row.identity.a >> 63) == half { inHalf += 1 } }
            var table = FirstOccurrence(capacity: inHalf)
            var found: [(row: Int, first: Int)] = []
            var g = 0
            for part in parts {
                for row in part {
                    if Int(row.identity.a >> 63) == half {
                        let j = Int(table.firstIndex(of: row.identity, orInsert: Int32(g), row: rowAt))
                        if j != g { found.append((g, j)) }
                    }
                    g += 1
                }
            }
            repeats[half] = found
        }
        // Settled in input order, as one pass would: the two halves' repeats merged by row.
        var list = (repeats.take(0) ?? []) + (repeats.take(1) ?? [])
        list.sort { $0.row < $1.row }
        var drop: Set<Int> = []
        for (g, j) in list {
            let (p, position) = place(g), (keptPart, keptPosition) = place(j)
            let row = parts[p][position]
            let kept = parts[keptPart][keptPosition]
            let recordIndex = row.record >= 0 ? result.partRecordBase[p] + Int(row.record) : nil
            let record = recordIndex.map { result.activities[$0] }
            if let recordIndex { drop.insert(recordIndex) }
            let here = source(of: row, in: result), keptSource = source(of: kept, in: result)
            if !row.hasRecordID || content(p, position) == content(keptPart, keptPosition) {
                result.files[Int(row.fileIndex)].merged += 1
                guard let record else { continue }
                let finding = row.hasRecordID
                    ? Finding(rule: "duplicate", severity: .info, unit: record.unit ?? "", subject: record.volunteerID, date: record.date,
                              detail: "记录编号 \(record.recordID ?? "") 重复且内容相同，已与 \(keptSource) 合并计一次", source: here)
                    : Finding(rule: "duplicate", severity: .warning, unit: record.unit ?? "", subject: record.volunteerID, date: record.date,
                              detail: "与 \(keptSource) 的志愿者、日期、时间与时长完全相同，只计一次", source: here)
                result.findings.append(finding)
            } else {
                result.files[Int(row.fileIndex)].rejected += 1
                let quoted = record.map(Ledger.describe) ?? rawText(row, in: result) ?? ""
                let rid = record?.recordID.map { "\($0) " } ?? ""
                result.rejects.append(Reject(source: here,
                                             reason: "记录编号(record_id) \(rid)已在 \(keptSource) 使用，内容不同；保留先出现的一条",
                                             record: PhoneScrubber.scrub(quoted, known: result.phones)))
            }
        }
        if !drop.isEmpty {
            var kept: [ActivityRecord] = []
            kept.reserveCapacity(result.activities.count - drop.count)
            for (i, a) in result.activities.enumerated() where !drop.contains(i) { kept.append(a) }
            result.activities = kept
        }
        result.scannedParts = []
        result.storedContents = []
        result.partRecordBase = []
        result.buffers = [:]
        result.scanners = [:]
    }

    static func source(of row: ScannedRow, in result: ImportResult) -> SourceLine {
        SourceLine(fileIndex: Int(row.fileIndex), file: result.files[Int(row.fileIndex)].path, line: Int(row.line))
    }

    /// The row's text as written, without its line end.
    static func rawText(_ row: ScannedRow, in result: ImportResult) -> String? {
        guard row.length > 0, let buffer = result.buffers[Int(row.fileIndex)] else { return nil }
        var end = row.start + Int(row.length)
        while end > row.start, buffer.bytes[end - 1] == 10 || buffer.bytes[end - 1] == 13 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer.bytes[row.start..<end]), as: UTF8.self)
    }
}

/// An open-addressing table from a row's identity to the first row that had it.
///
/// `RowKey` is already a well-mixed 128-bit hash, so its first lane indexes the table directly;
/// Swift's `Dictionary` would hash it again with SipHash, which took most of this stage's time.
struct FirstOccurrence {
    /// Each slot holds the row's index + 1 in its low 32 bits (0: empty) and 32 bits of the key
    /// above them, so that a probe reads one word, and the row itself only when those agree.
    private var slots: [UInt64]
    private let size: Int

    /// Room for `capacity` keys at most two-thirds full (linear probing stays short there); never
    /// full, so a probe always ends.
    init(capacity: Int) {
        size = max(16, capacity + capacity / 2 + 1)
        slots = Array(repeating: 0, count: size)
    }

    /// The index of the first row with `key`; when there is none, records `index` and returns it.
    /// The slot comes from the key's first lane without its top bit (which `Duplicates` uses to
    /// split the rows between two tables), scaled to the table by a multiply.
    mutating func firstIndex(of key: RowKey, orInsert index: Int32, row: (Int) -> ScannedRow) -> Int32 {
        let size = self.size
        var i = Int(truncatingIfNeeded: (key.a &<< 1).multipliedFullWidth(by: UInt64(size)).high)
        let tag = key.b >> 32
        return slots.withUnsafeMutableBufferPointer { slots in
            while true {
                let s = slots[i]
                if s == 0 {
                    slots[i] = tag << 32 | UInt64(UInt32(bitPattern: index) &+ 1)
                    return index
                }
                if s >> 32 == tag {
                    let j = Int32(bitPattern: UInt32(truncatingIfNeeded: s) &- 1)
                    if row(Int(j)).identity == key { return j }
                }
                i += 1
                if i == size { i = 0 }
            }
        }
    }
}
