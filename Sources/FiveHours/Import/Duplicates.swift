/// Settles duplicate activity rows over all files, in input order (§4).
///
/// The same `record_id` twice: identical content counts once (merged), different content keeps
/// the first and rejects the other. Without `record_id`, rows identical in volunteer, date,
/// start, end and hours count once. This runs over every row of every week, so that a file's
/// accounting (read = counted + merged + rejected) does not depend on which week is reported.
enum Duplicates {
    static func settle(_ result: inout ImportResult) {
        var first = FirstOccurrence(capacity: result.scanned.count)
        var drop: Set<Int32> = []
        for i in result.scanned.indices {
            let row = result.scanned[i]
            let j = first.firstIndex(of: row.identity, orInsert: Int32(i), in: result.scanned)
            guard j != Int32(i) else { continue }
            let kept = result.scanned[Int(j)]
            let record = row.record >= 0 ? result.activities[Int(row.record)] : nil
            if row.record >= 0 { drop.insert(row.record) }
            let here = source(of: row, in: result), keptSource = source(of: kept, in: result)
            let date = CivilDate(dayNumber: Int(row.date))
            if !row.hasRecordID || row.content == kept.content {
                result.files[Int(row.fileIndex)].merged += 1
                guard let record else { continue }
                let finding = row.hasRecordID
                    ? Finding(rule: "duplicate", severity: .info, unit: record.unit ?? "", subject: record.volunteerID, date: date,
                              detail: "记录编号 \(record.recordID ?? "") 重复且内容相同，已与 \(keptSource) 合并计一次", source: here)
                    : Finding(rule: "duplicate", severity: .warning, unit: record.unit ?? "", subject: record.volunteerID, date: date,
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
            for (i, a) in result.activities.enumerated() where !drop.contains(Int32(i)) { kept.append(a) }
            result.activities = kept
        }
        result.scanned = []
        result.buffers = [:]
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
    private var slots: [Int32]
    /// 32 bits of each slot's key, checked before the row itself is touched.
    private var tags: [UInt32]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        tags = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// The index of the first row with `key`; when there is none, records `index` and returns it.
    mutating func firstIndex(of key: RowKey, orInsert index: Int32, in rows: [ScannedRow]) -> Int32 {
        var i = Int(truncatingIfNeeded: key.a) & mask
        let tag = UInt32(truncatingIfNeeded: key.b >> 32)
        return rows.withUnsafeBufferPointer { rows in
            tags.withUnsafeMutableBufferPointer { tags in
                slots.withUnsafeMutableBufferPointer { slots in
                    while true {
                        let s = slots[i]
                        if s < 0 { slots[i] = index; tags[i] = tag; return index }
                        if tags[i] == tag, rows[Int(s)].identity == key { return s }
                        i = (i + 1) & mask
                    }
                }
            }
        }
    }
}
