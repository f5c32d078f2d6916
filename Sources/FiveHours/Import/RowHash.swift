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
    @inline(__always)
    static func identity(_ row: some HashedCells) -> (key: RowKey, hasRecordID: Bool) {
        let recordID: RowKey? = row.withText(at: ActivityCells.recordID) { t in
            guard let t else { return nil }
            var h = RowHasher(domain: 1)
            h.combine(t)
            return h.finalize()
        }
        if let recordID { return (recordID, true) }
        var h = RowHasher(domain: 2)
        for i in ActivityCells.identity { combine(row, at: i, into: &h) }
        return (h.finalize(), false)
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
            row.withText(at: i) { t in
                if let t { h.combine(1); h.combine(t) } else { h.combine(0) }
            }
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
    func withText<R>(at position: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        let text: String?
        switch position {
        case ActivityCells.recordID: text = self.recordID
        case ActivityCells.volunteer: text = self.volunteerID
        case ActivityCells.team: text = self.team
        case ActivityCells.activity: text = self.activity
        case ActivityCells.category: text = self.category
        case ActivityCells.location: text = self.location
        case ActivityCells.unit: text = self.unit
        case ActivityCells.title: text = self.title
        case ActivityCells.description: text = self.description
        default: preconditionFailure("column \(ActivityCells.columns[position].key) is not text")
        }
        guard var text else { return body(nil) }
        return text.withUTF8 { body($0) }
    }

    func value(at position: Int) -> Int? {
        switch position {
        case ActivityCells.date: return self.date.dayNumber
        case ActivityCells.start: return self.start
        case ActivityCells.end: return self.end
        case ActivityCells.hours: return self.hours
        case ActivityCells.submitted: return self.submittedAt
        default: preconditionFailure("column \(ActivityCells.columns[position].key) is not a value")
        }
    }

    func forEachItem(at position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        precondition(position == ActivityCells.media, "column \(ActivityCells.columns[position].key) is not a list")
        for m in self.media {
            var href = m.href
            href.withUTF8(body)
        }
    }

    /// What makes two rows "the same record" (`RowHash.identity`).
    var identityKey: RowKey { RowHash.identity(self).key }

    /// Every parsed field: equal for rows whose content is identical after parsing.
    var contentKey: RowKey { RowHash.content(self) }
}
