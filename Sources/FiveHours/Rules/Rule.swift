import Dispatch

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

    /// The week's findings: the counting stage's and every rule's, ordered by severity, then
    /// rule (in the order of `all`), then the order the rules made them, so that a rerun lists
    /// them identically.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        // Rules are independent of one another: run on both cores, gathered in the order of `all`.
        let found = ConcurrentSlots<[Finding]>(all.count)
        var clock = Stopwatch()
        DispatchQueue.concurrentPerform(iterations: all.count) { k in found[k] = all[k].findings(in: context) }
        clock.lap("  rules")
        var out = context.week.findings
        for k in 0..<found.count { out += found.take(k) ?? [] }
        let ruleOrder = Dictionary(uniqueKeysWithValues: (all.map(\.key) + ["overlap", "duplicate", "hours_mismatch", "daily_cap", "long_day", "inactive_volunteer", "missing_media"]).enumerated().map { ($1, $0) })
        // Sort integer keys, not the findings themselves (copying them is most of the cost).
        let keys = out.enumerated().map { (i, f) in (f.severity.rank, ruleOrder[f.rule] ?? 99, i) }
        return keys.sorted { $0 < $1 }.map { out[$0.2] }
    }
}
