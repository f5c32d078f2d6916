/// Seven calendar days ending on the campaign's `week_ends_on` weekday.
public struct Week: Sendable, Equatable, Hashable {
    public let lastDay: CivilDate
    public var firstDay: CivilDate { lastDay.adding(days: -6) }
    public var days: [CivilDate] { (0..<7).map { firstDay.adding(days: $0) } }

    public init(lastDay: CivilDate) { self.lastDay = lastDay }

    /// The week, ending on `endsOn`, that holds `date`.
    public static func containing(_ date: CivilDate, endsOn: Weekday) -> Week {
        let ahead = (endsOn.rawValue - date.weekdayIndex + 7) % 7
        return Week(lastDay: date.adding(days: ahead))
    }

    public func contains(_ date: CivilDate) -> Bool { date >= firstDay && date <= lastDay }

    public var previous: Week { Week(lastDay: lastDay.adding(days: -7)) }
}

/// A rule's verdict on one thing: a volunteer, a unit, a deadline, a row.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        case error, warning, info
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }
    /// The rule that made it (its key, e.g. `five_hours`, is `rule.key`).
    public var rule: RuleName
    public var severity: Severity
    public var unit: String
    /// What the finding is about: a volunteer (`V001 王继跃`), a team, a file.
    public var subject: String
    public var date: CivilDate?
    public var detail: String
    public var source: SourceLine?

    /// A finding of `rule`, with the rule's usual severity unless another is given.
    public init(_ rule: RuleName, severity: Severity? = nil, unit: String = "", subject: String = "", date: CivilDate? = nil,
                detail: String, source: SourceLine? = nil) {
        self.rule = rule
        self.severity = severity ?? rule.severity
        self.unit = unit
        self.subject = subject
        self.date = date
        self.detail = detail
        self.source = source
    }
}
