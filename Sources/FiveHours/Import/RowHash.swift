/// The cell layout of an activity row, from the column table: the position of each column the
/// record has a field for. `ActivityScanner` maps a file's cells onto these positions, the XML
/// shortcut stores its attributes at them, and `RowHash` walks them in order.
enum ActivityCells {
    static let columns = InputKind.activity.columns
    static let count = columns.count
    static let recordID = InputKind.activity.position("record_id")
    static let volunteer = InputKind.activity.position("volunteer_id")
    static let date = InputKind.activity.position("date")
    static let start = InputKind.activity.position("start")
    static let end = InputKind.activity.position("end")
    static let hours = InputKind.activity.position("hours")
    static let team = InputKind.activity.position("team")
    static let activity = InputKind.activity.position("activity")
    static let category = InputKind.activity.position("category")
    static let location = InputKind.activity.position("location")
    static let media = InputKind.activity.position("media")
    static let unit = InputKind.activity.position("unit")
    static let submitted = InputKind.activity.position("submitted_at")
    static let title = InputKind.activity.position("title")
    static let description = InputKind.activity.position("description")
    /// The columns of a row's identity without a `record_id` (§4), in table order.
    static let identity = columns.indices.filter { columns[$0].identity }
    /// The columns a row dated outside the window is read by, in table order: its checks
    /// (`ActivityScanner.read`: the required columns and the values) and its identity
    /// (`RowHash.identity`: `record_id` and the identity columns). A GB18030 row whose cells of
    /// these columns are ASCII is read the same from its own bytes as decoded (`readActivities`).
    static let readOutsideWindow = columns.indices.filter { i in
        let c = columns[i]
        return i == recordID || c.identity || c.required || ![.text, .name, .list].contains(c.value)
    }
}

/// Where the identity's columns are and how each is hashed, from the column table, held inline:
/// the row loop hashes millions of identities and should read no global array to do it.
struct IdentityLayout: Sendable {
    private(set) var recordID = 0
    private(set) var count = 0
    private var positions = SIMD8<Int16>(repeating: -1)
    private var texts = SIMD8<Int16>(repeating: 0)

    static let table = IdentityLayout()

    private init() {
        precondition(ActivityCells.identity.count <= 8, "more identity columns than an IdentityLayout holds")
        recordID = ActivityCells.recordID
        for i in ActivityCells.identity {
            positions[count] = Int16(i)
            switch ActivityCells.columns[i].value {
            case .text, .name: texts[count] = 1
            case .list: preconditionFailure("a list column in the identity")
            default: texts[count] = 0
            }
            count += 1
        }
    }

    @inline(__always) func position(_ k: Int) -> Int { Int(positions[k]) }
    @inline(__always) func isText(_ k: Int) -> Bool { texts[k] != 0 }
}

/// An activity row as the hashes read it: its cells by position in the column table (text
/// trimmed, values parsed). A row read from a file's bytes and a parsed `ActivityRecord` both
/// give their cells this way, so that one function hashes both.
protocol HashedCells {
    /// Calls `body` with the trimmed bytes of a text, name or list cell; nil when absent or blank.
    func withText<R>(at position: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R
    /// The parsed value of a date, time, hours or instant cell (seconds, or a day number).
    func value(at position: Int) -> Int?
    /// Calls `body` with each item of a list cell, in order.
    func forEachItem(at position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void)
}

/// The duplicate rule's two hashes (§4), over the column table.
///
/// The identity says which rows are "the same record": its `record_id`, or, without one, the
/// columns marked `identity`. The content hash takes every column, in table order, each as its
/// kind of value: two rows with the same content hash are identical after parsing.
enum RowHash {
    /// The identity, and whether it is a `record_id`.
    /// - Parameter layout: the identity's columns (`IdentityLayout.table`; a row loop passes its
    ///   own copy).
    @inline(__always)
    static func identity(_ row: some HashedCells, layout: IdentityLayout = .table) -> (key: RowKey, hasRecordID: Bool) {
        let recordID: RowKey? = row.withText(at: layout.recordID) { t in
            guard let t else { return nil }
            var h = RowHasher(domain: 1)
            h.combine(t)
            return h.finalize()
        }
        if let recordID { return (recordID, true) }
        var h = RowHasher(domain: 2)
        for k in 0..<layout.count {
            let i = layout.position(k)
            if layout.isText(k) { combine(text: row, at: i, into: &h) } else { h.combine(row.value(at: i)) }
        }
        return (h.finalize(), false)
    }

    /// A text cell: 0 when blank, else 1 and its bytes.
    @inline(__always)
    private static func combine(text row: some HashedCells, at i: Int, into h: inout RowHasher) {
        row.withText(at: i) { t in
            if let t { h.combine(1); h.combine(t) } else { h.combine(0) }
        }
    }

    static func content(_ row: some HashedCells) -> RowKey {
        var h = RowHasher(domain: 3)
        for i in 0..<ActivityCells.count { combine(row, at: i, into: &h) }
        return h.finalize()
    }

    @inline(__always)
    private static func combine(_ row: some HashedCells, at i: Int, into h: inout RowHasher) {
        switch ActivityCells.columns[i].value {
        case .text, .name:
            combine(text: row, at: i, into: &h)
        case .list:
            var n = 0
            row.forEachItem(at: i) { _ in n += 1 }
            h.combine(n)
            row.forEachItem(at: i) { item in h.combine(item) }
        case .date, .time, .hours, .instant, .boolean:
            h.combine(row.value(at: i))
        }
    }
}

extension ActivityRecord: HashedCells {
    // `withText(at:_:)`, `value(at:)` and `forEachItem(at:_:)` are in Records.swift, beside the record's box.

    /// What makes two rows "the same record" (`RowHash.identity`).
    var identityKey: RowKey { RowHash.identity(self).key }

    /// Every parsed field: equal for rows whose content is identical after parsing.
    var contentKey: RowKey { RowHash.content(self) }
}
