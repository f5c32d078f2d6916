import Dispatch
import Foundation

/// What every rule sees: the campaign, the week, the ledger it was built from, and the clock.
public struct RuleContext: Sendable {
    public let campaign: Campaign
    public var week: WeekData
    public let ledger: Ledger
    /// `--now`: deadlines ahead of it are pending, submissions stamped after it do not exist yet.
    public let now: Int
    private let submissionIndex: SubmissionIndex.Shared

    public init(campaign: Campaign, week: WeekData, ledger: Ledger, now: Int) {
        self.campaign = campaign
        self.week = week
        self.ledger = ledger
        self.now = now
        submissionIndex = SubmissionIndex.Shared(ledger, weekEndsOn: campaign.rules.weekEndsOn, now: now)
    }

    /// The same campaign, ledger and clock for another week: the weeks of a month or a year
    /// share one index of the submissions.
    func with(week: WeekData) -> RuleContext {
        var c = self
        c.week = week
        return c
    }

    /// The ledger's submissions by unit and day (up to `now`), made once per context and the
    /// contexts made from it (`with(week:)`), for every deadline rule.
    var submissions: SubmissionIndex { submissionIndex.index }

    /// Words in the report's language (`output.language`, or `--language`).
    public var say: Wording { Wording(campaign.output.language) }

    /// `V001 王继跃`: how a finding names a volunteer.
    static func subject(_ v: Volunteer) -> String { "\(v.id) \(v.name)" }
}

/// A campaign requirement that turns the week into findings; never throws for bad data.
///
/// A new rule is a case of `RuleName` (with its labels), one type conforming to this protocol,
/// its tests, and a line in `RuleSet.all`. Rules read the facts the counting stage recorded
/// (`WeekData.facts`) and the ledger; they are the only makers of findings, apart from the
/// import's duplicate findings (kept in the ledger and listed by `DuplicateRule`) and the daily
/// bulletin's `missing_media`.
public protocol Rule: Sendable {
    var name: RuleName { get }
    func findings(in context: RuleContext) -> [Finding]
}

extension Rule {
    /// The key written in `findings.csv`'s `rule` column.
    public var key: String { name.key }
}

public enum RuleSet {
    /// Every rule, in the order their findings are listed.
    public static let all: [any Rule] = [
        FiveHoursRule(), LiaisonRule(), DailyBulletinRule(), WeeklySummaryRule(), RosterDeadlineRule(), StationReadinessRule(),
        UnknownUnitRule(), UnknownTeamRule(), UnrosteredRule(), LateRecordRule(), UnknownColumnRule(),
        OverlapRule(), DuplicateRule(), HoursMismatchRule(), DailyCapRule(), LongDayRule(), InactiveVolunteerRule(),
    ]

    /// The week's findings of every rule, ordered by severity, then rule (in the order of
    /// `RuleName`), then the order the rule made them, so that a rerun lists them identically.
    /// - Parameter beside: other work that reads the week (the weekly report model), run first
    ///   among the rules' parts, so that the rules fill the cores around it: nested inside a
    ///   concurrent loop of its own, the rules would run on one thread.
    public static func evaluate(_ context: RuleContext, beside: (@Sendable () -> Void)? = nil) -> [Finding] {
        // Rules are independent of one another: run on both cores, gathered in the order of `all`.
        let parts = RulePart.parts(of: all, in: context)
        let first = beside == nil ? 0 : 1
        let found = ConcurrentSlots<[Finding]>(parts.count)
        var clock = Stopwatch()
        DispatchQueue.concurrentPerform(iterations: first + parts.count) { k in
            if k < first { beside?() } else { found[k - first] = parts[k - first].findings(in: context) }
        }
        clock.lap("  rules")
        return ordered(parts: (0..<parts.count).map { found.take($0) ?? [] })
    }

    /// Findings by severity, then rule order, then the order given.
    public static func ordered(_ out: [Finding]) -> [Finding] { ordered(parts: [out]) }

    /// The findings of `parts`, in the report's order: by severity, then rule order, then the
    /// order given (the parts in order, each in its own) — sorted by counting (`bucket`), each
    /// finding copied once, straight from its part into its place: a week of a million overlaps
    /// sorted its keys and copied each finding twice (once to join the parts, once to order them;
    /// a copy counts a reference on each of its texts), 0.4 s on one core.
    static func ordered(parts: [[Finding]]) -> [Finding] {
        var keys: [[UInt16]] = []
        var starts = [Int](repeating: 0, count: bucketCount + 1)
        for part in parts {
            keys.append(part.withUnsafeBufferPointer { fs in
                fs.indices.map { i in
                    let b = bucket(fs[i].severity, fs[i].rule)
                    starts[Int(b) + 1] += 1
                    return b
                }
            })
        }
        for b in 0..<bucketCount { starts[b + 1] += starts[b] }
        var next = starts
        return [Finding](unsafeUninitializedCapacity: starts[bucketCount]) { buffer, initialized in
            for (p, part) in parts.enumerated() {
                part.withUnsafeBufferPointer { fs in
                    for i in fs.indices {
                        let b = Int(keys[p][i])
                        (buffer.baseAddress! + next[b]).initialize(to: fs[i])
                        next[b] += 1
                    }
                }
            }
            initialized = starts[bucketCount]
        }
    }

    /// The places of the findings `keeping` keeps, in the report's order (`ordered`).
    static func order(_ out: [Finding], keeping: (Int) -> Bool) -> [Int] {
        var buckets = [[Int]](repeating: [], count: bucketCount)
        out.withUnsafeBufferPointer { fs in
            for i in fs.indices where keeping(i) { buckets[Int(bucket(fs[i].severity, fs[i].rule))].append(i) }
        }
        return buckets.flatMap { $0 }
    }

    /// The report's order of findings, as one number: severity first, then the rule's place in
    /// `RuleName`; within a bucket, findings keep the order they were given.
    private static let bucketCount = 3 * RuleName.allCases.count
    @inline(__always)
    private static func bucket(_ severity: Finding.Severity, _ rule: RuleName) -> UInt16 {
        UInt16(severity.rank * RuleName.allCases.count + rule.order)
    }
}

/// A rule, or a stretch of one, to run beside the others: each rule is a part, and the overlap
/// rule's findings are made in stretches of 20,000 overlaps (a thousand volunteers with
/// overlapping sessions every day make a million: as one part, one core made them all while
/// the other waited). The parts' findings, joined in order, are the rules' in order.
struct RulePart: Sendable {
    let rule: any Rule
    /// The stretch of the week's overlaps (`CountingFacts.overlaps`), for the overlap rule.
    let overlaps: Range<Int>?

    static func parts(of rules: [any Rule], in context: RuleContext) -> [RulePart] {
        let overlaps = context.week.facts.overlaps.count
        let stretches = max(1, min(8, overlaps / 20_000))
        return rules.flatMap { rule in
            rule.key == OverlapRule().key
                ? (0..<stretches).map { k in RulePart(rule: rule, overlaps: (overlaps * k / stretches)..<(overlaps * (k + 1) / stretches)) }
                : [RulePart(rule: rule, overlaps: nil)]
        }
    }

    func findings(in context: RuleContext) -> [Finding] {
        overlaps.map { OverlapRule().findings(in: context, overlaps: $0) } ?? rule.findings(in: context)
    }
}
