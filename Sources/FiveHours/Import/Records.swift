/// Where a value came from: the input file (as the user named it, relative to the campaign
/// folder) and the physical line. Every figure in a report can be traced back through these.
///
/// The numbers are kept in 32 bits (a file of more lines would be over 2 GB of line ends, and
/// the duplicate check's rows keep theirs so already, `ScannedRow`): every record holds one, and
/// a year holds millions of records.
public struct SourceLine: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var file: String
    private var lineNumber: Int32
    private var fileNumber: Int32

    /// Index of the file in the import's file list (input order); orders lines across files.
    public var fileIndex: Int {
        get { Int(fileNumber) }
        set { fileNumber = Int32(clamping: newValue) }
    }

    public var line: Int {
        get { Int(lineNumber) }
        set { lineNumber = Int32(clamping: newValue) }
    }

    public init(fileIndex: Int, file: String, line: Int) {
        self.file = file
        lineNumber = Int32(clamping: line)
        fileNumber = Int32(clamping: fileIndex)
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }

    public static func < (a: SourceLine, b: SourceLine) -> Bool {
        (a.fileIndex, a.line) < (b.fileIndex, b.line)
    }
}

/// One volunteer on a roster (花名册).
///
/// A value whose fields live in one copy-on-write box (`Shared`): the week, the rules and the
/// reports pass a hundred thousand volunteers around, and copying nine strings and a list costs
/// ten atomic reference counts where the box costs one.
@dynamicMemberLookup
public struct Volunteer: Sendable, Equatable {
    public struct Fields: Sendable, Equatable {
        public var id: String
        public var name: String
        public var unit: String
        public var teams: [String]
        public var role: String
        /// Marked as the unit's liaison (联络员), by role or by the liaison column.
        public var isLiaison: Bool
        public var grid: String
        public var building: String
        public var floor: String
        public var activeFrom: CivilDate?
        public var activeUntil: CivilDate?
        public var submittedAt: Int?
        public var source: SourceLine
    }

    private var fields: Shared<Fields>

    public init(id: String, name: String, unit: String, teams: [String], role: String, isLiaison: Bool, grid: String,
                building: String, floor: String, activeFrom: CivilDate?, activeUntil: CivilDate?, submittedAt: Int?, source: SourceLine) {
        fields = Shared(Fields(id: id, name: name, unit: unit, teams: teams, role: role, isLiaison: isLiaison, grid: grid,
                               building: building, floor: floor, activeFrom: activeFrom, activeUntil: activeUntil,
                               submittedAt: submittedAt, source: source))
    }

    public subscript<T>(dynamicMember key: WritableKeyPath<Fields, T>) -> T {
        _read { yield fields.value[keyPath: key] }
        // In place: `record.source.line += n` changes the line without copying the source out and
        // back (its file name counted twice), for every record of a part read from a file's middle.
        _modify { yield &fields.value[keyPath: key] }
    }

    /// True when the volunteer is on the roster on `day` (both ends inclusive).
    public func isActive(on day: CivilDate) -> Bool {
        if let f = self.activeFrom, day < f { return false }
        if let u = self.activeUntil, day > u { return false }
        return true
    }

    /// Every field, as text: what the differential checks of the readers compare.
    var fieldsDescription: String { "\(fields.value)" }

    /// Equal in every field that was read (the source aside): a roster row given twice.
    /// `submitted_at` aside: it says when a copy of the roster was handed in, not who the volunteer
    /// is — a unit that hands its roster in again, a row unchanged, gives the same volunteer
    /// (each copy's time still counts for the roster deadline, `Ledger.rosterCopies`).
    func sameContent(as o: Volunteer) -> Bool {
        var a = fields.value
        a.source = o.source
        a.submittedAt = o.submittedAt
        return a == o.fields.value
    }

    /// The columns in which a row given under the same id differs from `o`, by their keys.
    func differences(from o: Volunteer) -> [String] {
        let a = fields.value, b = o.fields.value
        var out: [String] = []
        if a.name != b.name { out.append("name") }
        if a.unit != b.unit { out.append("unit") }
        if a.teams != b.teams { out.append("teams") }
        if a.role != b.role { out.append("role") }
        if a.isLiaison != b.isLiaison { out.append("liaison") }
        if a.grid != b.grid { out.append("grid") }
        if a.building != b.building { out.append("building") }
        if a.floor != b.floor { out.append("floor") }
        if a.activeFrom != b.activeFrom { out.append("active_from") }
        if a.activeUntil != b.activeUntil { out.append("active_until") }
        return out
    }
}

/// A value kept in one class instance that copies share until one of them changes it
/// (copy on write): a copy costs one reference count, whatever the value holds.
struct Shared<Value: Sendable & Equatable>: @unchecked Sendable, Equatable {
    // Sendable: the box is changed only through `value`'s `_modify`, and only when this copy
    // holds the sole reference, so no other thread can be reading it.
    private final class Box {
        // No dynamic exclusivity check on each read: a box is changed only by the copy that holds
        // its sole reference (`_modify` below), so no access to it can overlap a change; the check
        // was a few per cent of a year's run, on every field read of millions of records.
        @exclusivity(unchecked) var value: Value
        init(_ value: Value) { self.value = value }
    }
    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        // Read in place (a borrow, no copy of the whole value), so that reading one field of a
        // record costs what reading one field costs.
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    static func == (a: Shared, b: Shared) -> Bool { a.box === b.box || a.box.value == b.box.value }
}

/// A photo or video that an activity references.
public struct MediaRef: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable { case photo, video, link }
    public var kind: Kind
    /// As written: a path relative to the input file, or a URL.
    public var href: String
    /// The folder of the input file that named it, to resolve a relative path.
    public var baseFolder: String

    public var isURL: Bool { MediaRef.isWebAddress(href) }

    /// `http://` or `https://`, in any case (a scheme is not case-sensitive: `HTTP://…` is a
    /// link too): what media and the Markdown writer take for a web address.
    static func isWebAddress(_ text: String) -> Bool {
        let scheme = text.prefix(8).lowercased()
        return scheme.hasPrefix("http://") || scheme.hasPrefix("https://")
    }

    /// Photos by extension; a URL or unknown extension is a link.
    static func guess(_ href: String, baseFolder: String) -> MediaRef {
        MediaRef(kind: kind(byExtension: href) ?? .link, href: href, baseFolder: baseFolder)
    }

    /// A photo or a video by the name's extension, nil for any other name. The one list: what a
    /// log's media is guessed to be, and the only files the daily bulletin copies.
    static func kind(byExtension name: String) -> Kind? {
        let lower = name.lowercased()
        if photoExtensions.contains(where: { lower.hasSuffix($0) }) { return .photo }
        if videoExtensions.contains(where: { lower.hasSuffix($0) }) { return .video }
        return nil
    }

    static let photoExtensions = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"]
    static let videoExtensions = [".mp4", ".mov", ".m4v", ".webm", ".avi"]
}

/// One service session as a unit logged it (服务记录), before the week is built.
///
/// Its fields live in one copy-on-write box (`Shared`), like a volunteer's: a session is copied
/// into the week, its findings and the reports.
@dynamicMemberLookup
public struct ActivityRecord: Sendable, Equatable {
    public struct Fields: Sendable, Equatable {
        public var recordID: String?
        public var volunteerID: String
        public var date: CivilDate {
            get { CivilDate(dayNumber: Int(day)) }
            set { day = Int32(clamping: newValue.dayNumber) }
        }
        /// Seconds after midnight; nil when the row gives `hours` only.
        public var start: Int? {
            get { Fields.optional(startOrNone) }
            set { startOrNone = Fields.stored(newValue) }
        }
        public var end: Int? {
            get { Fields.optional(endOrNone) }
            set { endOrNone = Fields.stored(newValue) }
        }
        /// The `hours` cell, in seconds, when given.
        public var hours: Int? {
            get { Fields.optional(hoursOrNone) }
            set { hoursOrNone = Fields.stored(newValue) }
        }
        public var team: String?
        public var unit: String?
        public var submittedAt: Int? {
            get { Fields.optional(submittedOrNone) }
            set { submittedOrNone = Fields.stored(newValue) }
        }
        public var source: SourceLine
        // The numbers are kept as plain integers, the optional ones with `.min` for none (an
        // `Int?` takes 16 bytes), the day and the times of day in 32 bits: a year keeps millions
        // of records, and these take 24 bytes where a day and four optionals took 72; with the
        // source's numbers in 32 bits the box is 144 bytes rather than 176. The source's 24 bytes
        // end on a 4-byte boundary, which the day fills. No value a row can hold is near the
        // limits (days run to the year 9999, a session's times to two days, hours to 24);
        // `stored` keeps one off them all the same, rather than trap.
        fileprivate var day: Int32
        fileprivate var startOrNone: Int32
        fileprivate var endOrNone: Int32
        fileprivate var hoursOrNone: Int32
        fileprivate var submittedOrNone: Int

        @inline(__always) private static func optional(_ v: Int) -> Int? { v == .min ? nil : v }
        @inline(__always) fileprivate static func stored(_ v: Int?) -> Int { v.map { max($0, .min + 1) } ?? .min }
        @inline(__always) private static func optional(_ v: Int32) -> Int? { v == .min ? nil : Int(v) }
        @inline(__always) fileprivate static func stored(_ v: Int?) -> Int32 { v.map { Int32(clamping: max($0, Int(Int32.min) + 1)) } ?? .min }

        /// The session's own words and media, nil when it has none or the run does not show
        /// them (`Period.showsSessionText`): only the daily bulletin does, and a year holds
        /// millions of sessions. One reference here instead of six fields in every record.
        var text: Shared<SessionText>?

        /// A field of the session's text (`record.activity`, `record.media`, … through
        /// `ActivityRecord`'s member lookup): empty when the record holds none.
        subscript<T>(text key: WritableKeyPath<SessionText, T>) -> T {
            get { text.map { $0.value[keyPath: key] } ?? SessionText.none[keyPath: key] }
            set { changeText { $0[keyPath: key] = newValue } }
        }

        /// Changes the text, keeping `text` nil exactly when it is empty (so that two records
        /// with the same words are equal however they were made).
        private mutating func changeText(_ change: (inout SessionText) -> Void) {
            var t = text?.value ?? SessionText()
            change(&t)
            text = t.isEmpty ? nil : Shared(t)
        }
    }

    private var fields: Shared<Fields>

    public init(recordID: String?, volunteerID: String, date: CivilDate, start: Int?, end: Int?, hours: Int?, team: String?,
                activity: String?, category: String?, location: String?, media: [MediaRef], unit: String?, submittedAt: Int?,
                title: String?, description: String?, source: SourceLine) {
        // A session with no words or media (a week's, a month's or a year's: millions) makes no
        // `SessionText` to find that out.
        let words = SessionText.holdsWords(activity: activity, category: category, location: location, media: media, title: title,
                                           description: description)
        let text = words ? Shared(SessionText(activity: activity, category: category, location: location, media: media,
                                              title: title, description: description)) : nil
        // The memberwise initializer: with one of its own, the fields were made on the stack and
        // copied into the box (a reference counted up and down on each of their strings).
        fields = Shared(Fields(recordID: recordID, volunteerID: volunteerID, team: team, unit: unit, source: source,
                               day: Int32(clamping: date.dayNumber), startOrNone: Fields.stored(start), endOrNone: Fields.stored(end),
                               hoursOrNone: Fields.stored(hours), submittedOrNone: Fields.stored(submittedAt), text: text))
    }

    public subscript<T>(dynamicMember key: WritableKeyPath<Fields, T>) -> T {
        _read { yield fields.value[keyPath: key] }
        // In place: `record.source.line += n` changes the line without copying the source out and
        // back (its file name counted twice), for every record of a part read from a file's middle.
        _modify { yield &fields.value[keyPath: key] }
    }

    /// The session's words and media (`SessionText`), read and written as the record's own fields.
    public subscript<T>(dynamicMember key: WritableKeyPath<SessionText, T>) -> T {
        get { fields.value[text: key] }
        set { fields.value[text: key] = newValue }
    }

    /// The session's length (`SessionTime.seconds`).
    public var seconds: Int { SessionTime.seconds(start: self.start, end: self.end, hours: self.hours) }

    /// True when the record holds words or media (`SessionText`).
    public var hasText: Bool { fields.value.text != nil }

    /// A text cell of the record for its hashes (`HashedCells`): each field read in place through
    /// the box, not through the member lookup's key paths (made and projected at run time, the
    /// words copied whole for each): hashing the content of a row the general reader read was a
    /// third of reading a log whose every row has a quoted cell.
    func withText<R>(at position: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        let text: String?
        switch position {
        case ActivityCells.recordID: text = fields.value.recordID
        case ActivityCells.volunteer: text = fields.value.volunteerID
        case ActivityCells.team: text = fields.value.team
        case ActivityCells.activity: text = fields.value.text?.value.activity
        case ActivityCells.category: text = fields.value.text?.value.category
        case ActivityCells.location: text = fields.value.text?.value.location
        case ActivityCells.unit: text = fields.value.unit
        case ActivityCells.title: text = fields.value.text?.value.title
        case ActivityCells.description: text = fields.value.text?.value.description
        default: preconditionFailure("column \(ActivityCells.columns[position].key) is not text")
        }
        guard var text else { return body(nil) }
        return text.withUTF8 { body($0) }
    }

    /// A value cell of the record (seconds, or a day number), for its hashes.
    func value(at position: Int) -> Int? {
        switch position {
        case ActivityCells.date: return fields.value.date.dayNumber
        case ActivityCells.start: return fields.value.start
        case ActivityCells.end: return fields.value.end
        case ActivityCells.hours: return fields.value.hours
        case ActivityCells.submitted: return fields.value.submittedAt
        default: preconditionFailure("column \(ActivityCells.columns[position].key) is not a value")
        }
    }

    /// The items of the record's list cell (its media), in order, for its hashes.
    func forEachItem(at position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        precondition(position == ActivityCells.media, "column \(ActivityCells.columns[position].key) is not a list")
        guard let media = fields.value.text?.value.media else { return }
        for m in media {
            var href = m.href
            href.withUTF8(body)
        }
    }

    /// The record, without its words and media unless `keep` (`Importer.keepsText`).
    public func keepingText(_ keep: Bool) -> ActivityRecord {
        guard !keep, hasText else { return self }
        var r = self
        r.fields.value.text = nil
        return r
    }
}

/// What a session's row says of it beside its times: what was done, where, and its photos.
/// Only the daily bulletin shows it; the other reports count and judge sessions without it.
public struct SessionText: Sendable, Equatable {
    public var activity: String?
    public var category: String?
    public var location: String?
    public var media: [MediaRef] = []
    public var title: String?
    public var description: String?

    /// No words, no media: what a record without text reads as.
    static let none = SessionText()

    /// Field by field, not `== none`: a year makes millions of records without words, and the
    /// comparison (with a copy of `none` for each) was a tenth of making them.
    var isEmpty: Bool {
        !SessionText.holdsWords(activity: activity, category: category, location: location, media: media, title: title,
                                description: description)
    }

    /// Whether these fields hold any text or media: what `isEmpty` says of a `SessionText` made
    /// of them, without making one.
    @inline(__always)
    static func holdsWords(activity: String?, category: String?, location: String?, media: [MediaRef], title: String?,
                           description: String?) -> Bool {
        activity != nil || category != nil || location != nil || !media.isEmpty || title != nil || description != nil
    }
}

/// What a unit handed in (报送记录): a daily bulletin, a weekly summary, a roster, or the report
/// that a workstation's service station is ready (clause 6).
public struct Submission: Sendable, Equatable {
    public enum Kind: String, Sendable { case daily, weekly, roster, station }
    public var unit: String
    public var kind: Kind
    /// The day (daily) or the week's last day (weekly); nil for a roster or a station when not given.
    public var period: CivilDate?
    public var submittedAt: Int
    public var title: String?
    public var summary: String?
    public var plan: String?
    public var source: SourceLine
}

/// A row or file that could not be read: listed in `rejects.csv`, never silently dropped.
public struct Reject: Sendable, Equatable {
    public var source: SourceLine
    public var reason: String
    /// The raw row, phone numbers blanked; empty for a whole file. A row longer than
    /// `shownBytes` is cut there, ending in `…`.
    public var record: String
    /// True when the whole file was rejected.
    public var wholeFile: Bool = false

    init(source: SourceLine, reason: String, record: String, wholeFile: Bool = false) {
        self.source = source
        self.reason = reason
        self.record = Reject.shown(record)
        self.wholeFile = wholeFile
    }

    /// How much of a rejected row rejects.csv shows: a real row is a few hundred bytes; a
    /// "row" of hundreds of megabytes (a file with no line ends, a cell pasted without end)
    /// would be copied into every report format and scrubbed whole.
    static let shownBytes = 8_192

    static func shown(_ record: String) -> String {
        guard record.utf8.count > shownBytes else { return record }
        let utf8 = record.utf8
        var end = utf8.index(utf8.startIndex, offsetBy: shownBytes)
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) } // not inside a character's bytes
        return String(decoding: utf8[..<end], as: UTF8.self) + "…"
    }
}

/// What the import learned about one input file: for `check`, and the manifest's accounting.
public struct InputFileReport: Sendable {
    public var path: String
    public var absolutePath: String
    public var kind: InputKind
    /// `UTF-8`, `UTF-8 (BOM)`, `GB18030` or `XML`.
    public var format: String
    public var sha256: String
    public var byteCount: Int
    /// Data rows read (header and blank lines aside).
    public var read = 0
    /// Rows that were readable and counted (`read − merged − rejected`).
    public var counted: Int { read - merged - rejected }
    /// Rows that repeated another and were counted once.
    public var merged = 0
    public var rejected = 0
    /// Header cells that name no known column.
    public var unknownColumns: [String] = []
    /// The physical line of a CSV file's header (after a `sep=,` line and blank lines), where
    /// the `unknown_column` finding points.
    public var headerLine = 1
    /// Why the whole file was rejected, when it was.
    public var fileRejected: String?
}

/// The rule of a session's time (§4), written once for every reader of activity rows.
enum SessionTime {
    /// The length: `end − start` (across midnight when `end` is earlier), else `hours`.
    @inline(__always)
    static func seconds(start: Int?, end: Int?, hours: Int?) -> Int {
        if let s = start, let e = end { return e >= s ? e - s : e + 86_400 - s }
        return hours ?? 0
    }

    /// Which of a row's clock times and hours make its time: both clock times, or else the
    /// hours (a lone clock time is not a span).
    @inline(__always)
    static func resolve(start: Int?, end: Int?, hours: Int?) -> Result<(start: Int?, end: Int?), RowError> {
        if start != nil, end == nil, hours == nil { return .failure(.missing("end", "结束时间")) }
        if end != nil, start == nil, hours == nil { return .failure(.missing("start", "开始时间")) }
        if start == nil || end == nil {
            if hours == nil {
                return .failure(RowError(reason: "缺少服务时长(hours)，或开始时间(start)与结束时间(end)", english: "hours is missing, or start and end"))
            }
            return .success((nil, nil))
        }
        return .success((start, end))
    }

    /// A session of no time, or of more than a day, cannot be counted.
    @inline(__always)
    static func check(start: Int?, end: Int?, hours: Int?) -> RowError? {
        let s = seconds(start: start, end: end, hours: hours)
        if s <= 0 {
            return start != nil ? RowError(reason: "开始时间与结束时间相同，服务时长为零", english: "start and end are the same time: no time served")
                : RowError(reason: "服务时长(hours) 为零或负数", english: "hours is zero or negative")
        }
        if s > 24 * 3600 {
            // A few seconds over would show as 24.00: then the seconds over are said instead.
            if Hours.format(s) == Hours.format(24 * 3600) {
                return RowError(reason: "服务时长(hours) 比 24 小时多 \(s - 24 * 3600) 秒，超过 24 小时", english: "hours is \(s - 24 * 3600) s more than 24 hours")
            }
            return RowError(reason: "服务时长(hours) \(Hours.format(s)) 小时超过 24 小时", english: "hours \(Hours.format(s)) is more than 24 hours")
        }
        return nil
    }
}
