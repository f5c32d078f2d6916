import Foundation

/// Read access to the cells of one row, by column key, from a CSV record or an XML element.
protocol RowFields {
    /// The trimmed text of a column, nil when absent or blank.
    func text(_ key: String) -> String?
    /// The items of a list column (`RowParser.split` of its text), nil when absent or blank.
    func list(_ key: String) -> [String]?
}

extension RowFields {
    func list(_ key: String) -> [String]? { text(key).map(RowParser.split) }
}

/// Turns one row's cells into a record, or into the reason a liaison can act on.
///
/// The same functions serve CSV and XML, so a value means the same wherever it was written.
/// Reasons are in Chinese, the liaisons' language, with the column's key for the office.
struct RowParser: Sendable {
    let zone: CampaignZone
    /// The folder of the file being read, for media paths.
    let folder: String

    /// The parser of the rows of the file at `path`: its folder is the path up to its last `/`
    /// (what `URL.deletingLastPathComponent` gives of a file's path, without making a URL —
    /// thousands of small logs made one each, twice when their repeats were quoted).
    init(zone: CampaignZone, file path: String) {
        self.zone = zone
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
            folder = slash == path.utf8.startIndex ? "/" : String(path[..<slash])
        } else {
            folder = FileManager.default.currentDirectoryPath
        }
    }

    init(zone: CampaignZone, folder: String) {
        self.zone = zone
        self.folder = folder
    }

    /// A list cell's items: split on `;` `；` `、` `|`, trimmed, empty ones dropped.
    static func split(_ s: String) -> [String] {
        var s = s
        return s.withUTF8 { split($0) { String(decoding: $0, as: UTF8.self) } }
    }

    /// The items of a list cell's bytes, each made into a string by `make`.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ make: (UnsafeBufferPointer<UInt8>) -> String) -> [String] {
        // Counted first, so that the list is made once at its size (a roster has a list of
        // teams on every row, and growing it item by item reallocated it).
        var count = 0
        ListSplit.forEachItem(bytes) { _ in count += 1 }
        var items: [String] = []
        items.reserveCapacity(count)
        ListSplit.forEachItem(bytes) { items.append(make($0)) }
        return items
    }

    /// True when `text` contains `word`, compared as UTF-8 bytes (no locale, no Foundation).
    static func contains(_ text: String, _ word: String, caseInsensitiveASCII: Bool = false) -> Bool {
        var text = text, word = word
        return text.withUTF8 { t in
            word.withUTF8 { w in
                guard !w.isEmpty, t.count >= w.count else { return w.isEmpty }
                func fold(_ b: UInt8) -> UInt8 { caseInsensitiveASCII && b >= 65 && b <= 90 ? b + 32 : b }
                outer: for i in 0...(t.count - w.count) {
                    for k in 0..<w.count where fold(t[i + k]) != fold(w[k]) { continue outer }
                    return true
                }
                return false
            }
        }
    }

    func volunteer(_ row: some RowFields, source: SourceLine, defaultUnit: String? = nil) -> Result<Volunteer, RowError> {
        guard let id = row.text("volunteer_id") else { return .failure(.missing("volunteer_id", "志愿者编号")) }
        guard let name = row.text("name") else { return .failure(.missing("name", "姓名")) }
        guard let unit = row.text("unit") ?? defaultUnit else { return .failure(.missing("unit", "单位")) }
        let role = row.text("role") ?? ""
        var liaison = RowParser.contains(role, "联络员") || RowParser.contains(role, "liaison", caseInsensitiveASCII: true)
        if let l = row.text("liaison") {
            guard let b = ValueParser.boolean(l) else { return .failure(.invalid("liaison", "是否联络员", l, .yesNo)) }
            liaison = liaison || b
        }
        var from: CivilDate?, until: CivilDate?, submitted: Int?
        if let s = row.text("active_from") {
            guard let d = ValueParser.date(s) else { return .failure(.invalid("active_from", "入队日期", s, .date)) }
            from = d
        }
        if let s = row.text("active_until") {
            guard let d = ValueParser.date(s) else { return .failure(.invalid("active_until", "离队日期", s, .date)) }
            until = d
        }
        if let f = from, let u = until, u < f {
            return .failure(RowError(reason: "离队日期(active_until) \(u) 早于入队日期(active_from) \(f)",
                                     english: "active_until \(u) is before active_from \(f)"))
        }
        if let s = row.text("submitted_at") {
            guard let t = ValueParser.instant(s, in: zone) else { return .failure(.invalid("submitted_at", "报送时间", s, .instant)) }
            submitted = t
        }
        return .success(Volunteer(
            id: id, name: name, unit: unit, teams: row.list("teams") ?? [],
            role: role, isLiaison: liaison, grid: row.text("grid") ?? "", building: row.text("building") ?? "",
            floor: row.text("floor") ?? "", activeFrom: from, activeUntil: until, submittedAt: submitted, source: source))
    }

    func activity(_ row: some RowFields, source: SourceLine, defaultUnit: String? = nil,
                  defaultSubmittedAt: Int? = nil, media extra: [MediaRef] = []) -> Result<ActivityRecord, RowError> {
        guard let vid = row.text("volunteer_id") else { return .failure(.missing("volunteer_id", "志愿者编号")) }
        guard let ds = row.text("date") else { return .failure(.missing("date", "日期")) }
        guard let date = ValueParser.date(ds) else { return .failure(.invalid("date", "日期", ds, .date)) }
        var start: Int?, end: Int?, hours: Int?
        if let s = row.text("start") {
            guard let t = ValueParser.time(s), t < 86_400 else { return .failure(.invalid("start", "开始时间", s, .startTime)) }
            start = t
        }
        if let s = row.text("end") {
            guard let t = ValueParser.time(s) else { return .failure(.invalid("end", "结束时间", s, .endTime)) }
            end = t
        }
        if let s = row.text("hours") {
            guard let h = ValueParser.hours(s) else { return .failure(.invalid("hours", "服务时长", s, .hours)) }
            hours = h
        }
        switch SessionTime.resolve(start: start, end: end, hours: hours) {
        case .success(let clock): (start, end) = clock
        case .failure(let error): return .failure(error)
        }
        var submitted = defaultSubmittedAt
        if let s = row.text("submitted_at") {
            guard let t = ValueParser.instant(s, in: zone) else { return .failure(.invalid("submitted_at", "报送时间", s, .instant)) }
            submitted = t
        }
        var media = extra
        if let m = row.text("media") {
            media = RowParser.split(m).map { MediaRef.guess($0, baseFolder: folder) } + extra
        }
        let record = ActivityRecord(
            recordID: row.text("record_id"), volunteerID: vid, date: date, start: start, end: end, hours: hours,
            team: row.text("team"), activity: row.text("activity"), category: row.text("category"),
            location: row.text("location"), media: media, unit: row.text("unit") ?? defaultUnit,
            submittedAt: submitted, title: row.text("title"), description: row.text("description"), source: source)
        if let error = SessionTime.check(start: start, end: end, hours: hours) { return .failure(error) }
        return .success(record)
    }

    func submission(_ row: some RowFields, source: SourceLine) -> Result<Submission, RowError> {
        guard let unit = row.text("unit") else { return .failure(.missing("unit", "单位")) }
        guard let k = row.text("kind") else { return .failure(.missing("kind", "类型")) }
        let kind: Submission.Kind
        switch k.lowercased() {
        case "daily", "简报", "日报", "每日简报": kind = .daily
        case "weekly", "周总结", "周报", "本周总结": kind = .weekly
        case "roster", "名单", "花名册", "人员名单": kind = .roster
        case "station", "服务站", "站点", "服务站建成": kind = .station
        default: return .failure(.invalid("kind", "类型", k, .kind))
        }
        // A bulletin's or a summary's period says which day or week it reports; a roster's or a
        // station's means nothing, so whatever it holds (`见附件`) is ignored, not judged.
        var period: CivilDate?
        if kind == .daily || kind == .weekly {
            guard let p = row.text("period") else { return .failure(.missing("period", "日期")) }
            guard let d = ValueParser.date(p) else { return .failure(.invalid("period", "日期", p, .date)) }
            period = d
        }
        guard let s = row.text("submitted_at") else { return .failure(.missing("submitted_at", "报送时间")) }
        guard let at = ValueParser.instant(s, in: zone) else { return .failure(.invalid("submitted_at", "报送时间", s, .instant)) }
        return .success(Submission(unit: unit, kind: kind, period: period, submittedAt: at, title: row.text("title"),
                                   summary: row.text("summary"), plan: row.text("plan"), source: source))
    }
}

/// Why a row was rejected, in words a liaison can act on: in Chinese (the liaisons' language,
/// with the column's key for the office) and in English (`--language en`).
struct RowError: Error, Equatable {
    var reason: String
    var english: String

    /// - Parameter english: the English wording; tests that compare errors give the Chinese alone.
    init(reason: String, english: String = "") {
        self.reason = reason
        self.english = english
    }

    /// The reason in the report's language.
    func reason(in language: Language) -> String { language == .en ? english : reason }

    /// Two errors are the same when they say the same (the Chinese is the reference wording).
    static func == (a: RowError, b: RowError) -> Bool { a.reason == b.reason }

    /// A row that names its columns again: two exports pasted one under the other.
    static let headerAgain = RowError(reason: "这一行是表头的重复（两份导出接在了一起？）；删除这一行",
                                      english: "this row repeats the header (two exports pasted together?); delete it")

    /// Whether each required column's cell of `row` names that column (`日期` under 日期): the
    /// header again, rejected as that rather than as a bad date.
    static func repeatsHeader(_ row: some RowFields, kind: InputKind) -> Bool {
        let required = requiredNames[kind] ?? []
        return !required.isEmpty && required.allSatisfy { column in
            guard let text = row.text(column.key) else { return false }
            return column.names.contains(HeaderName.normalize(text))
        }
    }

    /// Each kind's required columns with the names a header may give them, normalized: read
    /// from the header map's own table (`HeaderMap.lookups`).
    private static let requiredNames: [InputKind: [(key: String, names: Set<String>)]] = Dictionary(uniqueKeysWithValues:
        InputKind.allCases.map { kind in
            let lookup = HeaderMap.lookups[kind] ?? [:]
            return (kind, kind.columns.filter(\.required).map { c in (c.key, Set(lookup.filter { $0.value.key == c.key }.keys)) })
        })

    static func missing(_ key: String, _ label: String) -> RowError {
        RowError(reason: "缺少\(label)(\(key))", english: "\(key) is missing")
    }

    /// - Parameter what: what the value should be, in Chinese and in English.
    static func invalid(_ key: String, _ label: String, _ value: String, _ what: Expected) -> RowError {
        // A space the reader cannot see (a no-break, full-width or zero-width one inside the value,
        // `2019-08-05 15:30` pasted from a web page): the message would look right without saying so.
        let hidden = value.unicodeScalars.first { ($0.value > 0x7F && $0.properties.isWhitespace) || UnicodeTrim.invisibleScalars.contains($0.value) }
            .map { String(format: "U+%04X", $0.value) }
        return RowError(reason: "\(label)(\(key)) '\(value)' \(what.zh)\(hidden.map { "（值中有看不见的空格 \($0)，请改为普通空格或删去）" } ?? "")",
                        english: "\(key) '\(value)' \(what.en)\(hidden.map { " (the value holds an invisible space \($0): type an ordinary space or delete it)" } ?? "")")
    }

    /// What a cell should hold, said in both languages.
    struct Expected {
        let zh: String, en: String
        static let date = Expected(zh: "不是有效日期（如 2019-08-05 或 2019/8/5）", en: "is not a date (write it as 2019-08-05 or 2019/8/5)")
        static let anInstant = Expected(zh: "不是有效时间", en: "is not a date and time")
        static let instant = Expected(zh: "不是有效时间（如 2019/8/5 16:05）", en: "is not a date and time (e.g. 2019/8/5 16:05)")
        static let startTime = Expected(zh: "不是有效时间（如 9:00）", en: "is not a time of day (e.g. 9:00)")
        static let endTime = Expected(zh: "不是有效时间（如 11:30）", en: "is not a time of day (e.g. 11:30)")
        static let hours = Expected(zh: "不是有效时长（如 2.5 或 2:30）", en: "is not a number of hours (e.g. 2.5 or 2:30)")
        static let yesNo = Expected(zh: "应为 是/否", en: "should be yes or no (是/否)")
        static let kind = Expected(zh: "应为 简报(daily)、周总结(weekly)、名单(roster) 或 服务站(station)",
                                   en: "should be daily (简报), weekly (周总结), roster (名单) or station (服务站)")
    }
}

/// Hours for people: seconds shown with two decimals, rounded half up.
public enum Hours {
    /// `2.50`; exact integer arithmetic, no binary-float surprises.
    public static func format(_ seconds: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let i = digits(seconds, into: buf)
            return String(decoding: UnsafeBufferPointer(rebasing: buf[i...]), as: UTF8.self)
        }
    }

    /// `format`'s bytes appended to `out` without making a string: a year's volunteer-weeks.csv
    /// writes millions of hours.
    static func write(_ seconds: Int, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let i = digits(seconds, into: buf)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i...]))
        }
    }

    /// `format`'s bytes written at `p` (room for 24): how many. The row writer of a year's
    /// volunteer-weeks.csv writes into memory it reserved (`CSVWriter.RawLine`).
    @inline(__always)
    static func write(_ seconds: Int, at p: UnsafeMutablePointer<UInt8>) -> Int {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let i = digits(seconds, into: buf)
            p.initialize(from: buf.baseAddress! + i, count: 24 - i)
            return 24 - i
        }
    }

    /// Hundredths of an hour, rounded half up (of the magnitude): the one rounding of every
    /// hours figure the reports show.
    @inline(__always)
    public static func cents(_ seconds: Int) -> Int { (abs(seconds) * 100 + 1800) / 3600 }

    /// The seconds a week's hours show beside its verdict: the counted ones, except that a week
    /// not met whose hours would round up to its goal (short of it by 18 s or less) shows 0.01 h
    /// less than the goal — `5.00` beside `short`, or beside a running week's `partial`, would
    /// contradict itself. The verdict is still judged on the counted seconds
    /// (`VolunteerWeek.status`).
    public static func shown(_ seconds: Int, met: Bool, goal: Int) -> Int {
        !met && goal > 0 && seconds < goal && cents(seconds) >= cents(goal) ? (cents(goal) - 1) * 36 : seconds
    }

    /// What a week shows as missing: the requirement less the hours shown, both as shown (so that
    /// the two add up to the requirement: 4.99 and 0.01, never 0.02), as seconds.
    public static func shortfall(shown: Int, required: Int) -> Int { max(0, cents(required) - cents(shown)) * 36 }

    /// The digits written backwards into the end of `buf` (24 bytes); returns where they start.
    private static func digits(_ seconds: Int, into buf: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let cents = Hours.cents(seconds)
        var i = 24
        var v = cents
        i -= 1; buf[i] = UInt8(48 + v % 10); v /= 10
        i -= 1; buf[i] = UInt8(48 + v % 10); v /= 10
        i -= 1; buf[i] = 46
        repeat { i -= 1; buf[i] = UInt8(48 + v % 10); v /= 10 } while v > 0
        if seconds < 0 && cents > 0 { i -= 1; buf[i] = 45 }
        return i
    }
}
