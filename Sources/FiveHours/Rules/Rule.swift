/// What every rule sees: the campaign, the week, the ledger it was built from, and the clock.
public struct RuleContext: Sendable {
    public var campaign: Campaign
    public var week: WeekData
    public var ledger: Ledger
    /// `--now`: deadlines ahead of it are pending, submissions stamped after it do not exist yet.
    public var now: Int
}

/// A campaign requirement that turns the week into findings; never throws for bad data.
///
/// A new rule is one type conforming to this protocol, its tests, and a line in `Rules.all`.
public protocol Rule: Sendable {
    /// The key written in `findings.csv`'s `rule` column.
    var key: String { get }
    func findings(in context: RuleContext) -> [Finding]
}

public enum RuleSet {
    /// Every rule, in the order their findings are listed.
    public static let all: [any Rule] = [
        FiveHoursRule(), LiaisonRule(), DailyBulletinRule(), WeeklySummaryRule(), RosterDeadlineRule(),
        UnknownUnitRule(), UnknownTeamRule(), UnrosteredRule(), LateRecordRule(), UnknownColumnRule(),
    ]

    /// The week's findings: the counting stage's and every rule's, ordered by severity, rule,
    /// unit, date and source so that a rerun lists them identically.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        var out = context.week.findings
        for rule in all { out += rule.findings(in: context) }
        let ruleOrder = Dictionary(uniqueKeysWithValues: (all.map(\.key) + ["overlap", "duplicate", "hours_mismatch", "daily_cap", "long_day", "inactive_volunteer", "missing_media"]).enumerated().map { ($1, $0) })
        return out.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            if x.severity != y.severity { return x.severity < y.severity }
            let rx = ruleOrder[x.rule] ?? 99, ry = ruleOrder[y.rule] ?? 99
            if rx != ry { return rx < ry }
            return a.offset < b.offset
        }.map(\.element)
    }
}
