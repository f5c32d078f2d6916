import Synchronization
/// The kinds of input file (§3) and the columns each may have.
public enum InputKind: String, Sendable, CaseIterable {
    case roster, activity, submission

    /// The column table: every column this kind knows, once — its key, the Chinese aliases a
    /// header may use, the XML attribute names that stand for it, whether it is required, what
    /// its cells hold, whether it is part of a row's identity and whether a header may have it
    /// more than once. Everything that depends on
    /// the columns is derived from here: the header map, the XML attribute map, the cell
    /// layout of the activity reader (`ActivityCells`), and the identity and content hashes
    /// (`RowHash`, in this order). Adding a column is one line here, plus the outputs that show it.
    public var columns: [Column] { InputKind.tables[self]! }

    private static let tables: [InputKind: [Column]] = [
        .roster: [
            Column("volunteer_id", ["志愿者编号", "编号"], xml: ["id", "volunteer-id"], required: true),
            Column("name", ["姓名"], required: true),
            Column("unit", ["单位", "所属单位"], required: true),
            Column("teams", ["服务队", "志愿服务队"], value: .list),
            Column("role", ["职务", "角色"]),
            Column("liaison", ["联络员", "是否联络员"], value: .boolean),
            // Beyond the contract's three aliases, the other ways rosters head the column: a
            // number under a header not known would not be known to mask elsewhere.
            Column("phone", ["电话", "联系电话", "手机", "手机号", "手机号码", "电话号码", "联系方式", "移动电话"], repeats: true),
            Column("grid", ["网格"]),
            Column("building", ["楼栋"]),
            Column("floor", ["楼层"]),
            Column("active_from", ["入队日期"], value: .date),
            Column("active_until", ["离队日期"], value: .date),
            Column("submitted_at", ["报送时间"], value: .instant),
        ],
        .activity: [
            Column("record_id", ["记录编号"], xml: ["id", "record-id"]),
            Column("volunteer_id", ["志愿者编号", "编号"], xml: ["volunteer", "volunteer-id"], required: true, identity: true),
            Column("date", ["日期", "服务日期"], required: true, value: .date, identity: true),
            Column("start", ["开始时间"], value: .time, identity: true),
            Column("end", ["结束时间"], value: .time, identity: true),
            Column("hours", ["时长", "服务时长", "服务时长(小时)"], value: .hours, identity: true),
            Column("team", ["服务队"], value: .name),
            Column("activity", ["活动", "活动名称", "服务内容"], value: .name),
            Column("category", ["类别", "服务类别"], value: .name),
            Column("location", ["地点"], value: .name),
            Column("media", ["图片", "影像", "附件"], value: .list),
            Column("unit", ["报送单位"], value: .name),
            Column("submitted_at", ["报送时间"], value: .instant),
            // Beyond the contract's table: the XML form's <title> and <description>.
            Column("title", ["标题"]),
            Column("description", ["描述", "活动描述", "内容描述"]),
        ],
        .submission: [
            Column("unit", ["单位", "报送单位"], required: true),
            Column("kind", ["类型"], required: true),
            Column("period", ["日期", "周期"], required: true, value: .date),
            Column("submitted_at", ["报送时间"], required: true, value: .instant),
            Column("title", ["标题"]),
            Column("summary", ["总结"]),
            Column("plan", ["下周计划"]),
        ],
    ]

    /// The position of column `key` in the table.
    func position(_ key: String) -> Int {
        guard let i = columns.firstIndex(where: { $0.key == key }) else { preconditionFailure("no column '\(key)' in the \(self) table") }
        return i
    }

    /// XML attribute name → column key: each column's own names, its key, and its key spelt
    /// with hyphens (`submitted-at`).
    var xmlNames: [String: String] { InputKind.xmlTables[self]! }

    private static let xmlTables: [InputKind: [String: String]] = {
        var out: [InputKind: [String: String]] = [:]
        for kind in InputKind.allCases {
            var names: [String: String] = [:]
            for c in kind.columns {
                for n in [c.key, String(c.key.map { $0 == "_" ? "-" : $0 })] + c.xml where names[n] == nil { names[n] = c.key }
            }
            out[kind] = names
        }
        return out
    }()

    /// The name of the kind's record element in XML.
    var xmlRecord: String {
        switch self {
        case .roster: return "volunteer"
        case .activity: return "activity"
        case .submission: return "submission"
        }
    }

    /// The Chinese name of the kind, for messages.
    /// "a roster file", "an activity file": the kind in an English sentence.
    var aFile: String { (self == .activity ? "an " : "a ") + rawValue + " file" }

    var label: String {
        switch self {
        case .roster: return "花名册"
        case .activity: return "服务记录"
        case .submission: return "报送记录"
        }
    }
}

/// One column of an input kind: its key and the spellings that name it (see `InputKind.columns`).
public struct Column: Sendable {
    /// What a column's cells hold: how they are read, and how the content hash takes them.
    public enum Value: Sendable {
        /// Free text, trimmed.
        case text
        /// A name that repeats from row to row (a team, a unit): text, made into one shared string.
        case name
        /// Items separated by `;` `；` `、` or `|`.
        case list
        case date, time, hours, instant, boolean
    }

    public let key: String
    public let aliases: [String]
    /// XML attribute names beyond the key itself and its hyphenated spelling.
    public let xml: [String]
    public let required: Bool
    public let value: Value
    /// Part of an activity row's identity when it has no `record_id` (§4: volunteer, date,
    /// start, end and hours).
    public let identity: Bool
    /// Whether a header may name this column more than once: a roster's `phone` (a landline
    /// column and a mobile one, `电话` and `手机`), whose every column is read. Any other key
    /// named twice rejects the file (`HeaderMap`).
    public let repeats: Bool

    init(_ key: String, _ aliases: [String], xml: [String] = [], required: Bool = false, value: Value = .text, identity: Bool = false,
         repeats: Bool = false) {
        self.key = key
        self.aliases = aliases
        self.xml = xml
        self.required = required
        self.value = value
        self.identity = identity
        self.repeats = repeats
    }

    /// `volunteer_id (志愿者编号, 编号)`, for messages.
    var spelled: String { "'\(key)' (\(aliases.joined(separator: ", ")))" }
}

/// Header cell normalisation: trimmed, case-folded, full-width ASCII (`（小时）`) folded to
/// half-width, inner white space removed — so `服务时长（小时）` and ` Volunteer_ID ` both match,
/// and so does a header Excel wrapped in its cell (Alt+Enter: `志愿者⏎编号`) or one pasted with a
/// no-break or zero-width space: what the user sees on screen is the name.
enum HeaderName {
    static func normalize(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for s in raw.trimmingSpaces.unicodeScalars {
            var v = s.value
            if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }
            if s.properties.isWhitespace || UnicodeTrim.invisibleScalars.contains(v) { continue }
            if let u = Unicode.Scalar(v) { out.append(u) }
        }
        return String(out).lowercased()
    }

}

/// Where each known column sits in one file's header.
struct HeaderMap: Sendable {
    /// The one cell of text of a row that names no column with it — a title above the header
    /// (`2019年8月志愿者名单,,,,`) — or nil.
    static func title(_ cells: [String], names: (String) -> Bool) -> String? {
        let named = cells.filter { !HeaderName.normalize($0).isEmpty }
        guard named.count == 1, !names(HeaderName.normalize(named[0])) else { return nil }
        return named[0].trimmingSpaces
    }

    /// What a header missing its columns most likely is, when it shows: cells separated by tabs
    /// (Excel's "Text (Tab delimited)"), by semicolons or by full-width commas, which a
    /// comma-separated reader sees as one cell; or one cell of text, a title above the header.
    static func hint(_ cells: [String], names: (String) -> Bool) -> (String?, String?) {
        let text = cells.joined(separator: ",")
        if text.contains("\t") {
            return ("the header is separated by tabs: save the file as CSV (comma-separated)", "表头用制表符分隔：请另存为 CSV（逗号分隔）")
        }
        if cells.count == 1, text.contains(";") || text.contains("；") {
            return ("the header is separated by semicolons: save the file as CSV (comma-separated)", "表头用分号分隔：请另存为 CSV（逗号分隔）")
        }
        if cells.count == 1, text.contains("，") {
            return ("the header is separated by full-width commas (，): use the comma (,)", "表头用全角逗号（，）分隔：请改用半角逗号 (,)")
        }
        if title(cells, names: names) != nil {
            return ("if line 1 is a title, delete it: the header must be the first row", "若第一行是标题，请删除：表头必须是第一行")
        }
        return (nil, nil)
    }

    /// Column index by key (the first, for a key that `repeats`).
    var index: [String: Int] = [:]
    /// The further columns of a key that `repeats`, in header order.
    var repeated: [String: [Int]] = [:]
    /// Header cells that name no known column (one finding per file).
    var unknown: [String] = []
    /// The header's physical line in its file.
    private(set) var line: Int

    /// Every column of `key`, in header order: one, or none, except for a key that `repeats`.
    func columns(_ key: String) -> [Int] {
        guard let first = index[key] else { return [] }
        return [first] + (repeated[key] ?? [])
    }

    /// Each kind's columns by every normalized spelling of their keys and aliases, made once:
    /// normalizing them again for every file (Unicode properties of every character) was a
    /// tenth of reading a log handed in as 10,000 small files.
    static let lookups: [InputKind: [String: Column]] = {
        var out: [InputKind: [String: Column]] = [:]
        for kind in InputKind.allCases {
            var lookup: [String: Column] = [:]
            for c in kind.columns {
                lookup[HeaderName.normalize(c.key)] = c
                for a in c.aliases { lookup[HeaderName.normalize(a)] = c }
            }
            out[kind] = lookup
        }
        return out
    }()

    /// `init(cells:kind:line:)`, remembered for the headers that map (up to 256 of them): a log
    /// handed in as thousands of files repeats a few headers, each cell normalized again in
    /// every file otherwise.
    static func mapping(_ cells: [String], kind: InputKind, line: Int) throws(UnreadableFile) -> HeaderMap {
        // By the cells' bytes, not `String ==` (canonical equivalence): an unknown column is
        // named as its own file spells it.
        let key = HeaderKey(kind: kind, cells: cells.map { Array($0.utf8) })
        if var known = mapped.withLock({ $0[key] }) {
            known.line = line
            return known
        }
        let map = try HeaderMap(cells: cells, kind: kind, line: line)
        mapped.withLock { if $0.count < 256 { $0[key] = map } }
        return map
    }

    private struct HeaderKey: Hashable { let kind: InputKind; let cells: [[UInt8]] }
    private static let mapped = Mutex<[HeaderKey: HeaderMap]>([:])

    /// Maps a header row.
    /// - Throws: `UnreadableFile` for a blank or duplicate header cell, two cells naming one
    ///   key (unless its column `repeats`), or a missing required column: no row of such a file
    ///   can be read with confidence.
    init(cells: [String], kind: InputKind, line: Int) throws(UnreadableFile) {
        self.line = line
        let lookup = HeaderMap.lookups[kind]!
        // A first row with one cell of text and nothing a header names (`2019年8月服务记录,,,,`):
        // a title above the header, not a header with blank cells.
        if cells.count > 1, let title = HeaderMap.title(cells, names: { lookup[$0] != nil }) {
            throw UnreadableFile(line: line, reason: "line \(line) looks like a title ('\(title)'), not a header; the header must be the first row: delete the rows above it",
                                 chinese: "第 \(line) 行像是标题（“\(title)”），不是表头；表头必须是第一行，请删除表头上面的行")
        }
        var seen: [String: Int] = [:]
        for (i, cell) in cells.enumerated() {
            let norm = HeaderName.normalize(cell)
            if norm.isEmpty {
                throw UnreadableFile(line: line, column: i + 1,
                                     reason: "header cell \(i + 1) is blank; give every column a name or delete the empty column",
                                     chinese: "表头第 \(i + 1) 格是空的；给每一列起名，或删除空列")
            }
            // The same header twice is refused — unless it names a column that may repeat (a
            // roster's `手机,手机`, as `电话,手机` may).
            if let first = seen[norm], lookup[norm]?.repeats != true {
                throw UnreadableFile(line: line, column: i + 1,
                                     reason: "header '\(cell.trimmingSpaces)' appears twice (columns \(first + 1) and \(i + 1)); rename or delete one",
                                     chinese: "表头“\(cell.trimmingSpaces)”出现两次（第 \(first + 1) 列和第 \(i + 1) 列）；改名或删除其中一列")
            }
            seen[norm] = i
            if let column = lookup[norm] {
                let key = column.key
                if let other = index[key] {
                    if column.repeats {
                        repeated[key, default: []].append(i)
                        continue
                    }
                    throw UnreadableFile(line: line, column: i + 1,
                                         reason: "columns \(other + 1) '\(cells[other].trimmingSpaces)' and \(i + 1) '\(cell.trimmingSpaces)' both mean '\(key)'; keep one",
                                         chinese: "第 \(other + 1) 列“\(cells[other].trimmingSpaces)”和第 \(i + 1) 列“\(cell.trimmingSpaces)”都表示 '\(key)'；只保留一列")
                }
                index[key] = i
            } else {
                unknown.append(cell.trimmingSpaces)
            }
        }
        let missing = kind.columns.filter { $0.required && index[$0.key] == nil }
        if !missing.isEmpty {
            let (hint, chineseHint) = HeaderMap.hint(cells) { lookup[$0] != nil }
            throw UnreadableFile(line: line, reason: "missing column \(missing.map(\.spelled).joined(separator: ", ")); \(hint ?? "is this a \(kind.label) (\(kind.rawValue)) file?")",
                                 chinese: "缺少列 \(missing.map(\.spelled).joined(separator: "、"))；\(chineseHint ?? "这是\(kind.label)文件吗？")")
        }
        if kind == .activity, index["hours"] == nil, index["start"] == nil || index["end"] == nil {
            throw UnreadableFile(line: line, reason: "missing column 'hours' (时长, 服务时长) or both 'start' and 'end' (开始时间, 结束时间)",
                                 chinese: "缺少“服务时长”(hours) 列，或“开始时间”(start) 与“结束时间”(end) 两列")
        }
    }
}
