/// The name of every rule that makes findings: its key in `findings.csv`, its place in the
/// order findings are listed, its usual severity, whether it judges a day or the whole week,
/// and its label in each report language.
///
/// The order of the cases is the order of `docs/counting.md` §10: findings are sorted by
/// severity, then by this order, then in the order the rule made them. A new rule is a case
/// here, a label in `RuleName.labels` (a test fails without one), and a type conforming to `Rule`.
public enum RuleName: String, CaseIterable, Sendable, CustomStringConvertible {
    case fiveHours = "five_hours"
    case liaison
    case dailyBulletin = "daily_bulletin"
    case weeklySummary = "weekly_summary"
    case rosterDeadline = "roster_deadline"
    case stationReadiness = "station_readiness"
    case unknownUnit = "unknown_unit"
    case unknownTeam = "unknown_team"
    case unrostered
    case lateRecord = "late_record"
    case unknownColumn = "unknown_column"
    case overlap
    case duplicate
    case hoursMismatch = "hours_mismatch"
    case dailyCap = "daily_cap"
    case longDay = "long_day"
    case inactiveVolunteer = "inactive_volunteer"
    case missingMedia = "missing_media"

    /// The key written in `findings.csv` (`five_hours`).
    public var key: String { rawValue }
    public var description: String { rawValue }

    /// The place of the rule in the listing order (0 first).
    public var order: Int { RuleName.orderTable[self]! }
    private static let orderTable: [RuleName: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    /// The severity of the rule's usual finding. Some rules also make findings of another
    /// severity (a missing liaison is an error, a second one a warning; a missing bulletin is an
    /// error, a late one a warning); `severities` lists every severity a rule may give.
    public var severity: Finding.Severity {
        switch self {
        case .liaison, .dailyBulletin, .weeklySummary, .rosterDeadline, .stationReadiness: return .error
        case .lateRecord, .unknownColumn, .longDay: return .info
        default: return .warning
        }
    }

    /// Every severity the rule's findings may have.
    public var severities: Set<Finding.Severity> {
        switch self {
        case .liaison: return [.error, .warning, .info]
        case .dailyBulletin, .weeklySummary, .rosterDeadline, .stationReadiness: return [.error, .warning]
        case .duplicate: return [.warning, .info]
        default: return [severity]
        }
    }

    /// What a finding of the rule is about: one day (a session, a day's total, a day's bulletin)
    /// or the whole week (a volunteer's week, a unit, a file). The daily bulletin shows only the
    /// day's findings of day rules; the weekly summary shows all.
    public enum Scope: Sendable { case day, week }
    public var scope: Scope {
        switch self {
        case .dailyBulletin, .lateRecord, .overlap, .duplicate, .hoursMismatch, .dailyCap, .longDay, .missingMedia: return .day
        case .fiveHours, .liaison, .weeklySummary, .rosterDeadline, .stationReadiness, .unknownUnit, .unknownTeam, .unrostered,
             .unknownColumn, .inactiveVolunteer: return .week
        }
    }

    /// The rule's label (the heading of its group of findings) in `language`.
    public func label(_ language: Language) -> String {
        guard let pair = RuleName.labels[self] else { return rawValue }
        return language == .en ? pair.en : pair.zh
    }

    /// The labels of every rule, in both languages. `RuleNameTests` fails for a rule without one.
    static let labels: [RuleName: (zh: String, en: String)] = [
        .fiveHours: ("五小时要求", "Five hours"),
        .liaison: ("联络员", "Liaisons"),
        .dailyBulletin: ("每日简报", "Daily bulletins"),
        .weeklySummary: ("周总结", "Weekly summaries"),
        .rosterDeadline: ("名单报送", "Roster deadline"),
        .stationReadiness: ("服务站建设", "Service stations"),
        .unknownUnit: ("未知单位", "Unknown units"),
        .unknownTeam: ("未知服务队", "Unknown teams"),
        .unrostered: ("不在花名册", "Not on a roster"),
        .lateRecord: ("补录超期", "Recorded late"),
        .unknownColumn: ("未识别的列", "Unknown columns"),
        .overlap: ("时间重叠", "Overlaps"),
        .duplicate: ("重复记录", "Duplicates"),
        .hoursMismatch: ("时长不符", "Hours disagree"),
        .dailyCap: ("超过每日上限", "Daily cap"),
        .longDay: ("单日超审核线", "Long days"),
        .inactiveVolunteer: ("不在队", "Inactive volunteers"),
        .missingMedia: ("附件缺失", "Missing media"),
    ]
}

/// Words the program writes in the report's language: each text is given in both languages at
/// the place it is made, and only the one in force is built.
///
///     let say = Wording(.en)
///     say("未报送 \(day) 的简报", "no bulletin for \(day)")
public struct Wording: Sendable {
    public let language: Language
    public init(_ language: Language) { self.language = language }

    public func callAsFunction(_ zh: @autoclosure () -> String, _ en: @autoclosure () -> String) -> String {
        language == .en ? en() : zh()
    }

    /// The list separator: `、` in Chinese, `, ` in English.
    public var listSeparator: String { language == .en ? ", " : "、" }
    /// `（…）` in Chinese, ` (…)` in English.
    public func parenthesized(_ s: String) -> String { language == .en ? " (\(s))" : "（\(s)）" }
    /// The colon after a label: `：` in Chinese, `: ` in English.
    public var colon: String { language == .en ? ": " : "：" }
}
