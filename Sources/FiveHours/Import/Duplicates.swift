import Dispatch

/// Settles duplicate activity rows over all files, in input order (§4).
///
/// The same `record_id` twice: identical content counts once (merged), different content keeps
/// the first and rejects the other. Without `record_id`, rows identical in volunteer, date,
/// start, end and hours count once. This runs over every row of every week, so that a file's
/// accounting (read = counted + merged + rejected) does not depend on which week is reported.
enum Duplicates {
    /// - Parameter keepsText: whether the records keep their text (`Importer.keepsText`); when
    ///   not, a record's content hash is not its row's, and the row's is read instead.
    static func settle(_ result: inout ImportParts, zone: CampaignZone, keepsText: Bool = true, language: Language = .zhCN) {
        let say = Wording(language)
        let parts = result.scannedParts
        let groups = result.identityParts
        var starts: [Int] = []
        var count = 0
        for p in parts { starts.append(count); count += p.count }
        let offsets = starts
        /// The part and the position in it of a global row index (parts are few: a linear search).
        func place(_ g: Int) -> (Int, Int) {
            var p = parts.count - 1
            while offsets[p] > g { p -= 1 }
            return (p, g - offsets[p])
        }
        /// The content hashes (first lane) of the rows read again from their bytes, by global
        /// row index (`readAgain`).
        var readAgainContents: [Int: UInt64] = [:]
        /// The content hash (first lane) of the row at `position` in part `p`: what the import
        /// kept (a row that cannot be read again), from its record when the record keeps every
        /// field (its text: `keepsText`), or as read again from its bytes — the
        /// row's content as written, whatever the run keeps.
        func content(_ p: Int, _ position: Int) -> UInt64 {
            let row = parts[p][position]
            if let c = result.storedContents[p][position] { return c }
            if row.record >= 0 && keepsText { return result.activities[result.partRecordBase[p] + Int(row.record)].contentKey.a }
            guard let c = readAgainContents[offsets[p] + position] else { preconditionFailure("a row's content was not read again") }
            return c
        }
        // Each row's first occurrence. Rows with the same identity are in the same group (by the
        // identity's top byte), so each group is settled alone, with a table small enough to stay
        // in the core's cache, and the groups are shared between both cores. Within a group the
        // rows are in input order (parts in order, each part's rows in order), so "first" is
        // the first in the input.
        var clock = Stopwatch()
        let chunks = min(IdentityGroups.count, 16)
        let repeats = ConcurrentSlots<[(row: Int, first: Int)]>(chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var found: [(row: Int, first: Int)] = []
            var rows: [(key: RowKey, row: Int)] = []
            var table = FirstOccurrence()
            let per = IdentityGroups.count / chunks
            for group in chunk * per..<(chunk + 1) * per {
                rows.removeAll(keepingCapacity: true)
                for p in groups.indices {
                    groups[p].forEach(in: group) { key, position in rows.append((key, offsets[p] + position)) }
                }
                guard rows.count > 1 else { continue }
                table.reset(capacity: rows.count)
                rows.withUnsafeBufferPointer { rows in
                    for i in rows.indices {
                        let j = table.firstIndex(of: rows[i].key, orInsert: i) { rows[$0].key }
                        if j != i { found.append((rows[i].row, rows[j].row)) }
                    }
                }
            }
            repeats[chunk] = found
        }
        // Settled in input order, as one pass would: the two halves' repeats merged by row.
        var list: [(row: Int, first: Int)] = []
        for chunk in 0..<chunks { list += repeats.take(chunk) ?? [] }
        list.sort { $0.row < $1.row }
        clock.lap("    repeats found")
        // Contents are compared only for repeats of a record_id (see the loop below).
        let compared = list.filter { pair in
            let (p, position) = place(pair.row)
            return parts[p][position].hasRecordID
        }
        readAgainContents = readAgain(compared.flatMap { [$0.row, $0.first] }, keepsText: keepsText,
                                      result: result, parts: parts, place: place, zone: zone)
        clock.lap("    repeats read again")
        var drop: Set<Int> = []
        // Rejected rows are quoted from their files in input order: the pages behind the last
        // one are let go in steps (`TextBuffer.release`), as `readAgain` does, not around each
        // row — a year's few thousand conflicting repeats each let go of 4 MB around it, faulted
        // back by the next one, and the system calls were half of this loop.
        var released: [Int: Int] = [:]
        // A finding names the unit that reported the row (its own `unit`: the one that logged it
        // twice), else its volunteer's on the rosters (the first row of an id, as the ledger keeps
        // it): a log without a unit column left the unit of its duplicates empty. The rosters'
        // units are gathered only when a finding needs them.
        var rosterUnits: [String: String]?
        func unit(of record: ActivityRecord) -> String {
            if let own = record.unit { return own }
            if rosterUnits == nil {
                var units: [String: String] = [:]
                for v in result.volunteers where units[v.id] == nil { units[v.id] = v.unit }
                rosterUnits = units
            }
            return rosterUnits![record.volunteerID] ?? ""
        }
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
                    ? Finding(.duplicate, severity: .info, unit: unit(of: record), subject: record.volunteerID, date: record.date,
                              detail: say("记录编号 \(record.recordID ?? "") 重复且内容相同，已与 \(keptSource) 合并计一次",
                                          "record_id \(record.recordID ?? "") repeated with the same content; merged with \(keptSource)"), source: here)
                    : Finding(.duplicate, severity: .warning, unit: unit(of: record), subject: record.volunteerID, date: record.date,
                              detail: say("与 \(keptSource) 的志愿者、日期、时间与时长完全相同，只计一次",
                                          "same volunteer, date, times and hours as \(keptSource); counted once"), source: here)
                result.findings.append(finding)
            } else {
                result.files[Int(row.fileIndex)].rejected += 1
                let text = rawText(row, in: result, released: &released[Int(row.fileIndex), default: 0])
                // An XML row's start tag, or the text of a row whose file's bytes were not kept
                // (`TextBuffer.isInMemory`), is quoted from its file once all are settled (its
                // record made there).
                if text == nil {
                    result.unquoted.append((result.rejects.count, row, content(p, position), keptSource, record))
                }
                // A CSV row outside the period has no record: its id is read from its text (an
                // unquoted row's once its record is read again, `Importer.quoteAgain`).
                let rid = record?.recordID ?? text.flatMap { Duplicates.recordID(ofRow: $0, fileIndex: Int(row.fileIndex), in: result) }
                result.rejects.append(Reject(source: here, reason: Duplicates.conflict(rid, keptAt: keptSource, say: say),
                                             record: text.map { PhoneScrubber.scrub($0, known: result.phones) } ?? ""))
            }
        }
        for file in released.keys { result.buffers[file]?.releaseAll() }
        clock.lap("    settled")
        if !drop.isEmpty { result.activities.remove(at: drop.sorted()) }
        clock.lap("    dropped")
        result.scannedParts = []
        result.identityParts = []
        result.storedContents = []
        result.partRecordBase = []
        result.buffers = [:]
        result.scanners = [:]
        clock.lap("    freed")
    }

    /// The content hashes of the rows among `rows` (global indexes) that must be read again
    /// from their file's bytes (neither a record nor a hash kept at import): read in file order.
    /// A large file's rows are read from the file (`TextBuffer.withRow`); a file read from its
    /// mapping has the pages behind the reader let go. Repeats fall anywhere in a year of logs;
    /// read from the mapping in the order of their identities, they touched most of a large
    /// file's pages again, and a mapped page read stays resident (a log with 1 % of repeats
    /// peaked at three times the memory of one without).
    private static func readAgain(_ rows: [Int], keepsText: Bool, result: ImportParts, parts: [ScannedPart], place: (Int) -> (Int, Int),
                                  zone: CampaignZone) -> [Int: UInt64] {
        var wanted: [(file: Int, start: Int, length: Int, global: Int)] = []
        for g in Set(rows) {
            let (p, position) = place(g)
            let row = parts[p][position]
            guard row.record < 0 || !keepsText, result.storedContents[p][position] == nil else { continue }
            wanted.append((Int(row.fileIndex), row.start, Int(row.length), g))
        }
        wanted.sort { ($0.file, $0.start) < ($1.file, $1.start) }
        var out: [Int: UInt64] = [:]
        out.reserveCapacity(wanted.count)
        var reader = ValueReader(zone: zone)
        var released = 0, releasedFile = -1
        for w in wanted {
            guard let scanner = result.scanners[w.file], let buffer = result.buffers[w.file] else {
                preconditionFailure("a row read by the fast path has its file's buffer and scanner")
            }
            // A row the fast path read is read again from the same bytes — unless its file changed
            // under the run (written again in place, cut short: a mapped file's pages, and a
            // GB18030 file decoded in parts, are read again from the file). Such a row's content
            // then matches no other row's: never a trap (RELIABILITY.md, item 15).
            let key = buffer.withRow(w.start..<(w.start + w.length), { scanner.content(of: $0, reader: &reader) })
            out[w.global] = key?.a ?? 0x9E37_79B9_7F4A_7C15 &* UInt64(w.global + 1)
            if releasedFile != w.file { releasedFile = w.file; released = 0 }
            buffer.releaseRowsRead(upTo: w.start, released: &released)
        }
        for file in Set(wanted.map(\.file)) { result.buffers[file]?.releaseAll() }
        return out
    }

    static func source(of row: ScannedRow, in result: ImportParts) -> SourceLine {
        SourceLine(fileIndex: Int(row.fileIndex), file: result.files[Int(row.fileIndex)].path, line: Int(row.line))
    }

    /// Why a row whose record_id an earlier row with other content has is rejected.
    static func conflict(_ recordID: String?, keptAt kept: SourceLine, say: Wording) -> String {
        let rid = recordID.map { "\($0) " } ?? ""
        return say("记录编号(record_id) \(rid)已在 \(kept) 使用，内容不同；保留先出现的一条",
                   "record_id \(rid)is already used at \(kept) with other content; the first one is kept")
    }

    /// The record_id cell of a CSV row's text (`rawText`), trimmed; nil when it has none.
    static func recordID(ofRow text: String, fileIndex: Int, in result: ImportParts) -> String? {
        guard let cell = result.scanners[fileIndex].map({ $0.cells[ActivityCells.recordID] }), cell >= 0 else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            var reader = CSVReader(bytes)
            var fields: [CSVReader.Field] = []
            guard (try? reader.next(into: &fields)) != nil, cell < fields.count else { return nil }
            let id = reader.withBytes(fields[cell]) { String(decoding: UnicodeTrim.trim($0), as: UTF8.self) }
            return id.isEmpty ? nil : id
        }
    }

    /// The row's text as written, without its line end. Rows are read in input order: the
    /// file's pages before the row are let go in steps, `released` saying how far.
    static func rawText(_ row: ScannedRow, in result: ImportParts, released: inout Int) -> String? {
        guard row.length > 0, let buffer = result.buffers[Int(row.fileIndex)] else { return nil }
        let range = row.start..<(row.start + Int(row.length))
        buffer.releaseRowsRead(upTo: row.start, released: &released)
        return buffer.withRow(range, text(ofRow:))
    }

    /// A CSV row's text as `rejects.csv` quotes a repeat (before its phone numbers are masked):
    /// its bytes as written, without the line end.
    static func text(ofRow bytes: UnsafeBufferPointer<UInt8>) -> String {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 10 || bytes[end - 1] == 13 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
    }
}

/// The identity hashes of a part's rows, grouped by their top byte: the duplicate check settles
/// each group alone (see `Duplicates`).
///
/// Rows are appended in input order; `group()` then sorts them by group with a counting sort,
/// which keeps each group's rows in input order. A year of rows is millions of identities: a
/// single table over all of them missed the cache on nearly every probe, and was most of the
/// duplicate check's time; a group's table fits in the cache.
struct IdentityGroups: Sendable {
    static let count = 256

    /// An identity (four 32-bit words, so that the entry is 20 bytes, not 24) and the row's
    /// position in its part.
    struct Entry {
        var a0, a1, b0, b1: UInt32
        var position: UInt32
        init(_ key: RowKey, _ position: Int) {
            a0 = UInt32(truncatingIfNeeded: key.a); a1 = UInt32(truncatingIfNeeded: key.a >> 32)
            b0 = UInt32(truncatingIfNeeded: key.b); b1 = UInt32(truncatingIfNeeded: key.b >> 32)
            self.position = UInt32(truncatingIfNeeded: position)
        }
        var key: RowKey { RowKey(a: UInt64(a1) << 32 | UInt64(a0), b: UInt64(b1) << 32 | UInt64(b0)) }
        var group: Int { Int(a1 >> 24) }
    }

    private var entries: [Entry] = []
    /// Where each group begins in `entries`, and its end (`count + 1` values); empty until grouped.
    private var starts: [Int32] = []

    mutating func reserveCapacity(_ n: Int) { entries.reserveCapacity(n) }

    mutating func append(_ key: RowKey, position: Int) {
        precondition(starts.isEmpty, "identities appended after they were grouped")
        entries.append(Entry(key, position))
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Sorts the entries by group, each group's in the order they were appended.
    mutating func group() {
        guard starts.isEmpty else { return }
        self = entries.withUnsafeBufferPointer { IdentityGroups(grouping: $0) }
    }

    /// The entries of `unsorted` (appended in input order), grouped: made from the buffer a part's
    /// reader filled, without an array of them in between.
    init(grouping unsorted: UnsafeBufferPointer<Entry>) {
        // Plain pointers in both passes: millions of entries, and an array's checks in each step.
        var begins = [Int32](repeating: 0, count: IdentityGroups.count + 1)
        begins.withUnsafeMutableBufferPointer { begins in
            for e in unsorted { begins[e.group + 1] += 1 }
            for g in 0..<IdentityGroups.count { begins[g + 1] += begins[g] }
        }
        starts = begins
        var next = begins
        entries = [Entry](unsafeUninitializedCapacity: unsorted.count) { out, n in
            next.withUnsafeMutableBufferPointer { next in
                for e in unsorted {
                    let g = e.group
                    (out.baseAddress! + Int(next[g])).initialize(to: e)
                    next[g] += 1
                }
            }
            n = unsorted.count
        }
    }

    init() {}

    /// Calls `body` with the identity and the position of each row of `group`, in input order.
    func forEach(in group: Int, _ body: (RowKey, Int) -> Void) {
        guard !starts.isEmpty else { return }
        for i in Int(starts[group])..<Int(starts[group + 1]) { body(entries[i].key, Int(entries[i].position)) }
    }
}

/// An open-addressing table from a row's identity to the first row that had it, for one group
/// of `IdentityGroups` at a time.
///
/// `RowKey` is already a well-mixed 128-bit hash, so its first lane indexes the table directly;
/// Swift's `Dictionary` would hash it again with SipHash, which took most of this stage's time.
struct FirstOccurrence {
    /// Each slot holds the row's index + 1 in its low 32 bits (0: empty) and 32 bits of the key
    /// above them, so that a probe reads one word, and the row itself only when those agree.
    private var slots: [UInt64] = []
    private var shift = 64

    /// Empties the table and makes room for `capacity` keys at most half full (linear probing
    /// stays short there); never full, so a probe always ends.
    mutating func reset(capacity: Int) {
        var bits = 4
        while 1 << bits < 2 * capacity { bits += 1 }
        if slots.count == 1 << bits {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            slots = Array(repeating: 0, count: 1 << bits)
        }
        shift = 64 - bits
    }

    /// The index of the first row with `key`; when there is none, records `index` and returns it.
    /// The slot comes from the key's first lane without its top byte (the same for the whole
    /// group), the tag from its second.
    mutating func firstIndex(of key: RowKey, orInsert index: Int, key keyAt: (Int) -> RowKey) -> Int {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: (key.a << 8) >> UInt64(shift))
        let tag = key.b >> 32
        return slots.withUnsafeMutableBufferPointer { slots in
            while true {
                let s = slots[i]
                if s == 0 {
                    slots[i] = tag << 32 | UInt64(UInt32(truncatingIfNeeded: index) &+ 1)
                    return index
                }
                if s >> 32 == tag {
                    let j = Int(UInt32(truncatingIfNeeded: s) &- 1)
                    if keyAt(j) == key { return j }
                }
                i = (i + 1) & mask
            }
        }
    }
}

extension Array {
    /// Removes the elements at `sorted` (ascending, each once), keeping the others in order: they
    /// are moved down in place, not copied into a new array. A year's repeats are dropped from
    /// its 3.5 million records so; copying the kept ones counted a reference on each (a cache
    /// miss on its box) and the old array's release another: a quarter of a second.
    mutating func remove(at sorted: [Int]) {
        guard let first = sorted.first else { return }
        withUnsafeMutableBufferPointer { buffer in
            var write = first, next = 0
            for read in first..<buffer.count {
                if next < sorted.count, sorted[next] == read { next += 1; continue }
                buffer.swapAt(write, read)
                write += 1
            }
        }
        removeLast(sorted.count)
    }
}

