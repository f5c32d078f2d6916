/// The kinds of input file (§3) and the columns each may have.
public enum InputKind: String, Sendable, CaseIterable {
    case roster, activity, submission

    /// Every column this kind knows, with the Chinese aliases a header may use.
    var columns: [Column] {
        switch self {
        case .roster:
            return [
                Column("volunteer_id", ["志愿者编号", "编号"], required: true),
                Column("name", ["姓名"], required: true),
                Column("unit", ["单位", "所属单位"], required: true),
                Column("teams", ["服务队", "志愿服务队"]),
                Column("role", ["职务", "角色"]),
                Column("liaison", ["联络员", "是否联络员"]),
                Column("phone", ["电话", "联系电话", "手机"]),
                Column("grid", ["网格"]),
                Column("building", ["楼栋"]),
                Column("floor", ["楼层"]),
                Column("active_from", ["入队日期"]),
                Column("active_until", ["离队日期"]),
                Column("submitted_at", ["报送时间"]),
            ]
        case .activity:
            return [
                Column("record_id", ["记录编号"]),
                Column("volunteer_id", ["志愿者编号", "编号"], required: true),
                Column("date", ["日期", "服务日期"], required: true),
                Column("start", ["开始时间"]),
                Column("end", ["结束时间"]),
                Column("hours", ["时长", "服务时长", "服务时长(小时)"]),
                Column("team", ["服务队"]),
                Column("activity", ["活动", "活动名称", "服务内容"]),
                Column("category", ["类别", "服务类别"]),
                Column("location", ["地点"]),
                Column("media", ["图片", "影像", "附件"]),
                Column("unit", ["报送单位"]),
                Column("submitted_at", ["报送时间"]),
                // Beyond the contract's table: the XML form's <title> and <description>.
                Column("title", ["标题"]),
                Column("description", ["描述", "活动描述", "内容描述"]),
            ]
        case .submission:
            return [
                Column("unit", ["单位", "报送单位"], required: true),
                Column("kind", ["类型"], required: true),
                Column("period", ["日期", "周期"], required: true),
                Column("submitted_at", ["报送时间"], required: true),
                Column("title", ["标题"]),
                Column("summary", ["总结"]),
                Column("plan", ["下周计划"]),
            ]
        }
    }

    /// The Chinese name of the kind, for messages.
    var label: String {
        switch self {
        case .roster: return "花名册"
        case .activity: return "服务记录"
        case .submission: return "报送记录"
        }
    }
}

/// One column: its key and the header spellings that name it.
struct Column: Sendable {
    let key: String
    let aliases: [String]
    let required: Bool

    init(_ key: String, _ aliases: [String], required: Bool = false) {
        self.key = key
        self.aliases = aliases
        self.required = required
    }

    /// `volunteer_id (志愿者编号, 编号)`, for messages.
    var spelled: String { "'\(key)' (\(aliases.joined(separator: ", ")))" }
}

/// Header cell normalisation: trimmed, case-folded, full-width ASCII (`（小时）`) folded to
/// half-width, inner spaces removed — so `服务时长（小时）` and ` Volunteer_ID ` both match.
enum HeaderName {
    static func normalize(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for s in raw.trimmingSpaces.unicodeScalars {
            var v = s.value
            if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }
            if v == 0x3000 || v == 0x20 || v == 0xFEFF { continue }
            if let u = Unicode.Scalar(v) { out.append(u) }
        }
        return String(out).lowercased()
    }
}

/// Where each known column sits in one file's header.
struct HeaderMap: Sendable {
    /// Column index by key.
    var index: [String: Int] = [:]
    /// Header cells that name no known column (one finding per file).
    var unknown: [String] = []

    /// Maps a header row.
    /// - Throws: `UnreadableFile` for a blank or duplicate header cell, or a missing required
    ///   column: no row of such a file can be read with confidence.
    init(cells: [String], kind: InputKind, line: Int) throws(UnreadableFile) {
        var lookup: [String: String] = [:]
        for c in kind.columns {
            lookup[HeaderName.normalize(c.key)] = c.key
            for a in c.aliases { lookup[HeaderName.normalize(a)] = c.key }
        }
        var seen: [String: Int] = [:]
        for (i, cell) in cells.enumerated() {
            let norm = HeaderName.normalize(cell)
            if norm.isEmpty {
                throw UnreadableFile(line: line, column: i + 1,
                                     reason: "header cell \(i + 1) is blank; give every column a name or delete the empty column")
            }
            if let first = seen[norm] {
                throw UnreadableFile(line: line, column: i + 1,
                                     reason: "header '\(cell.trimmingSpaces)' appears twice (columns \(first + 1) and \(i + 1)); rename or delete one")
            }
            seen[norm] = i
            if let key = lookup[norm] {
                if let other = index[key] {
                    throw UnreadableFile(line: line, column: i + 1,
                                         reason: "columns \(other + 1) '\(cells[other].trimmingSpaces)' and \(i + 1) '\(cell.trimmingSpaces)' both mean '\(key)'; keep one")
                }
                index[key] = i
            } else {
                unknown.append(cell.trimmingSpaces)
            }
        }
        let missing = kind.columns.filter { $0.required && index[$0.key] == nil }
        if !missing.isEmpty {
            throw UnreadableFile(line: line, reason: "missing column \(missing.map(\.spelled).joined(separator: ", ")); is this a \(kind.label) (\(kind.rawValue)) file?")
        }
        if kind == .activity, index["hours"] == nil, index["start"] == nil || index["end"] == nil {
            throw UnreadableFile(line: line, reason: "missing column 'hours' (时长, 服务时长) or both 'start' and 'end' (开始时间, 结束时间)")
        }
    }
}
