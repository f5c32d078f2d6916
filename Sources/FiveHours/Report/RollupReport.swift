/// The monthly assessment (月考核) or the year's roll-up (评优评先) as plain values: the unit
/// scores with their parts, the volunteers with their weeks, stars and award marks, the teams.
///
/// Built from a `Rollup`; the renderers only lay it out. docs/rollups.md gives every rule.
public struct RollupReport: Sendable {
    public enum Kind: String, Sendable { case monthly, yearly }

    /// One part of a unit's score: a share earned out of what was due, and its weight.
    public struct Part: Sendable {
        /// What was earned — `full` counts 1 each (on time, met, a liaison's week), `late` counts
        /// `credit` each — of what was due.
        public var full = 0
        public var late = 0
        public var credit: Double = 0
        public var due = 0
        public var weight: Double

        public init(weight: Double, credit: Double = 0) {
            self.weight = weight
            self.credit = credit
        }

        /// Nothing was due (no week over yet, no roster deadline), or its weight is 0 (weights are
        /// read to a millionth): the part is left out of the score.
        public var applies: Bool { due > 0 && Self.millionths(weight) > 0 }
        public var earned: Double { Double(full) + credit * Double(late) }
        /// `weight × earned / due`, the points the part gives (out of `weight`), in hundredths
        /// rounded half up from the exact value: the weight and the credit are taken as the
        /// decimals the campaign file writes (to a millionth) and multiplied in integers, so that
        /// 7 × 2.3 / 4 = 4.025 gives 4.03, as every figure is rounded, not 4.02 as binary
        /// fractions would.
        public var pointsCents: Int {
            guard applies else { return 0 }
            return Self.halfUp(weighted * 100, Int128(due) * 1_000_000_000_000)
        }

        /// `weight × earned`, in millionths of each: the points are `weighted / (10¹² × due)`.
        var weighted: Int128 { Self.millionths(weight) * (Int128(full) * 1_000_000 + Self.millionths(credit) * Int128(late)) }

        static func millionths(_ x: Double) -> Int128 { Int128((x * 1_000_000).rounded()) }

        /// `n / d` rounded half up, both at least 0.
        static func halfUp(_ n: Int128, _ d: Int128) -> Int { Int((2 * n + d) / (2 * d)) }

        /// The score out of 100, in hundredths, of the parts that apply: `100 × Σ points / Σ
        /// weights`, from the exact points (not the rounded ones: weights that add up to 1 would
        /// leave whole numbers), rounded once, half up; nil when no part applies.
        ///
        /// In millionths, `100 × Σ points / Σ weights` in hundredths is `X / (100 × Σ weights)`
        /// with `X = Σ weighted / due`, summed over the dues' least common multiple. A campaign
        /// far beyond any real one (a thousand weeks of a hundred thousand volunteers, weights in
        /// the thousands) could overflow 128 bits; it gets the binary-fraction score instead.
        static func scoreCents(_ parts: [Part]) -> Int? {
            let applying = parts.filter(\.applies)
            let weights = applying.reduce(Int128(0)) { $0 + millionths($1.weight) }
            guard weights > 0 else { return nil }
            func gcd(_ a: Int128, _ b: Int128) -> Int128 { b == 0 ? a : gcd(b, a % b) }
            var common: Int128 = 1
            for p in applying {
                let d = Int128(p.due), (m, o) = (common / gcd(common, d)).multipliedReportingOverflow(by: d)
                guard !o else { return approximateScoreCents(applying) }
                common = m
            }
            var sum: Int128 = 0
            for p in applying {
                let (term, o1) = p.weighted.multipliedReportingOverflow(by: common / Int128(p.due))
                let (next, o2) = sum.addingReportingOverflow(term)
                guard !o1, !o2 else { return approximateScoreCents(applying) }
                sum = next
            }
            let (denominator, o) = common.multipliedReportingOverflow(by: 100 * weights)
            guard !o, sum < Int128.max / 4, denominator < Int128.max / 4 else { return approximateScoreCents(applying) }
            return halfUp(sum, denominator)
        }

        private static func approximateScoreCents(_ applying: [Part]) -> Int {
            let weights = applying.reduce(0) { $0 + $1.weight }
            let points = applying.reduce(0.0) { $0 + $1.weight * $1.earned / Double($1.due) }
            return Int((100 * points / weights * 100).rounded(.toNearestOrAwayFromZero))
        }
    }

    public struct UnitScore: Sendable {
        public var name: String
        public var kind: String
        public var volunteers: Int
        public var seconds: Int
        /// Met and short over the weeks that are over.
        public var met: Int
        public var short: Int
        public var dailyOnTime: Int
        public var dailyLate: Int
        public var dailyMissing: Int
        public var weeklyOnTime: Int
        public var weeklyLate: Int
        public var weeklyMissing: Int
        public var liaisonOkWeeks: Int
        public var weeksOver: Int
        public var roster: DeadlineStatus?
        public var compliance: Part
        public var daily: Part
        public var weekly: Part
        public var liaison: Part
        public var rosterPart: Part
        /// The score out of 100 in hundredths (8750 = 87.50); nil when no part applies.
        public var scoreCents: Int?
        public var rank: Int?
        /// Compliance per week of the period (nil where nobody was held), for the trend chart.
        public var trend: [Int?]
        /// The workstation's service station at `--now` (clause 6); nil for another kind of unit or
        /// when the campaign does not track stations. Shown, not scored.
        public var station: DeadlineStatus? = nil
        public var complianceRate: String { Rate.format(met, of: met + short) }
        public var score: String { scoreCents.map(RollupReport.decimal) ?? "" }
        public var parts: [Part] { [compliance, daily, weekly, liaison, rosterPart] }
    }

    public struct VolunteerRow: Sendable {
        public var id: String
        public var name: String
        public var unit: String
        public var teams: [String]
        public var role: String
        public var isLiaison: Bool
        public var grid: String
        public var building: String
        public var floor: String
        public var seconds: Int
        public var sessions: Int
        public var weeksRequired: Int
        public var weeksMet: Int
        public var weeksPartial: Int
        public var weeksInProgress: Int
        public var stars: Int
        /// `yes` (met every required week, nothing flagged), `review` (the same, but a day of theirs
        /// was capped or flagged) or `no`.
        public var award: String
        public var flags: [String]
    }

    public var kind: Kind
    public var period: Period
    public var campaignName: String
    public var organizer: String
    public var now: Int
    public var zone: CampaignZone
    public var rules: Rules
    public var assessment: Assessment
    public var rollup: Rollup
    public var units: [UnitScore]
    public var volunteers: [VolunteerRow]
    public var findings: [Finding]
    public var rejects: [Reject]
    public var inputFingerprint: String = ""
    /// Every rostered name, so that `--public` masks names in free text too.
    public var knownNames: [String] = []
    /// When the workstations' service stations are due (clause 6); nil when the campaign does not
    /// track stations.
    public var stationDue: Int? = nil

    public var weeks: [Rollup.WeekInfo] { rollup.weeks }
    public var totalSeconds: Int { volunteers.reduce(0) { $0 + $1.seconds } }
    /// The report folder of a month's or a year's roll-up: `monthly-2019-08` or `yearly-2019`.
    public static func folderName(kind: Kind, period: Period) -> String {
        kind == .monthly ? "monthly-\(String("\(period.first)".prefix(7)))" : "yearly-\(period.first.year)"
    }
    /// `2019-08` or `2019`.
    public var periodName: String { kind == .monthly ? String("\(period.first)".prefix(7)) : "\(period.first.year)" }

    /// `87.50` from 8750.
    static func decimal(_ cents: Int) -> String {
        "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
    }

    /// Two decimals of a share, rounded half away from zero.
    static func decimal(_ value: Double) -> String { decimal(Int((value * 100).rounded(.toNearestOrAwayFromZero))) }

    public static func make(kind: Kind, rollup: Rollup, campaign: Campaign, ledger: Ledger, now: Int) -> RollupReport {
        let a = campaign.assessment
        let over = rollup.weeks.indices.filter { rollup.weeks[$0].isOver }
        let stations = StationReadiness.judge(campaign, ledger: ledger, now: now, year: rollup.period.last.year)
        // Volunteers and their hours per unit of the campaign file, by each volunteer's place
        // there (`VolunteerTotal.campaignUnit`: reading each volunteer's unit again missed the
        // cache 100,000 times); a unit the file names twice is its first.
        var unitNumber = SmallIndex()
        for (i, u) in campaign.units.enumerated() where unitNumber[u.name] == nil { unitNumber[u.name] = i }
        var unitVolunteers = [Int](repeating: 0, count: campaign.units.count), unitSeconds = unitVolunteers
        for v in rollup.volunteers where v.listed && v.campaignUnit >= 0 {
            unitVolunteers[v.campaignUnit] += 1
            unitSeconds[v.campaignUnit] += v.seconds
        }
        var units: [UnitScore] = campaign.units.enumerated().map { (ui, u) in
            let k = unitNumber[u.name]!
            var s = UnitScore(name: u.name, kind: u.kind.rawValue, volunteers: unitVolunteers[k], seconds: unitSeconds[k],
                              met: 0, short: 0, dailyOnTime: 0, dailyLate: 0, dailyMissing: 0, weeklyOnTime: 0, weeklyLate: 0,
                              weeklyMissing: 0, liaisonOkWeeks: 0, weeksOver: over.count, roster: rollup.rosterStatus[u.name],
                              compliance: Part(weight: a.weights.compliance),
                              daily: Part(weight: a.weights.dailyBulletins, credit: a.lateCredit),
                              weekly: Part(weight: a.weights.weeklySummaries, credit: a.lateCredit),
                              liaison: Part(weight: a.weights.liaison),
                              rosterPart: Part(weight: a.weights.roster, credit: a.lateCredit), scoreCents: nil, rank: nil, trend: [],
                              station: stations?.statuses[u.name])
            // What was due at `--now` is scored, and only that: a bulletin of a day not due yet,
            // or the summary of a week in progress, counts nowhere — also when handed in early.
            for w in rollup.weeks {
                let uw = w.units[ui]
                s.trend.append(uw.compliancePercent)
                s.dailyOnTime += uw.dailyOnTime - uw.dailyEarly
                s.dailyLate += uw.dailyLate
                s.dailyMissing += uw.dailyMissing
                guard w.isOver else { continue }
                switch uw.weekly {
                case .onTime: s.weeklyOnTime += 1
                case .late: s.weeklyLate += 1
                case .missing: s.weeklyMissing += 1
                case .pending: break
                }
                s.met += uw.met
                s.short += uw.short
                if uw.liaisonStatus == .ok { s.liaisonOkWeeks += 1 }
            }
            s.compliance.full = s.met
            s.compliance.due = s.met + s.short
            (s.daily.full, s.daily.late) = (s.dailyOnTime, s.dailyLate)
            s.daily.due = s.dailyOnTime + s.dailyLate + s.dailyMissing
            (s.weekly.full, s.weekly.late) = (s.weeklyOnTime, s.weeklyLate)
            s.weekly.due = s.weeklyOnTime + s.weeklyLate + s.weeklyMissing
            s.liaison.full = s.liaisonOkWeeks
            s.liaison.due = over.count
            // The roster has a status only in a period whose business it is, once it is due at
            // `--now` and by the period's end (`Campaign.rosterIsDue`, in `Rollup.build`): a
            // roster handed in early is not yet owed, nor in a month before its deadline.
            switch s.roster {
            case .onTime?: s.rosterPart.full = 1; s.rosterPart.due = 1
            case .late?: s.rosterPart.late = 1; s.rosterPart.due = 1
            case .missing?: s.rosterPart.due = 1
            case .pending?, nil: break
            }
            s.scoreCents = Part.scoreCents(s.parts)
            return s
        }
        // Ranks: by score, ties share a rank (1, 1, 3); units without a score are not ranked.
        let ranked = units.indices.filter { units[$0].scoreCents != nil }.sorted { a, b in
            (units[a].scoreCents!, -a) > (units[b].scoreCents!, -b)
        }
        let ranks = Ranking.competition(ranked.map { [units[$0].scoreCents!] })
        for (k, i) in ranked.enumerated() { units[i].rank = ranks[k] }

        // On both cores: a row per volunteer (100,000), each with its strings counted once more —
        // read where the roll-up holds it, not first copied into a list of the listed ones (a
        // reference counted, and let go, on each of 100,000 boxes: a cache miss each).
        let totals = rollup.volunteers
        let listed = totals.indices.filter { totals[$0].listed }
        let volunteers = listed.map(parallelFrom: 16_384) { i in
            let t = totals[i], v = t.volunteer
            let candidate = t.weeksRequired > 0 && t.weeksMet == t.weeksRequired
            return VolunteerRow(id: v.id, name: v.name, unit: v.unit, teams: v.teams, role: v.role, isLiaison: v.isLiaison, grid: v.grid,
                                building: v.building, floor: v.floor, seconds: t.seconds, sessions: t.sessions,
                                weeksRequired: t.weeksRequired, weeksMet: t.weeksMet, weeksPartial: t.weeksPartial,
                                weeksInProgress: t.weeksInProgress, stars: a.stars(seconds: t.seconds),
                                award: candidate ? (t.flags.isEmpty ? "yes" : "review") : "no", flags: t.flags)
        }
        return RollupReport(kind: kind, period: rollup.period, campaignName: campaign.name, organizer: campaign.organizer, now: now,
                            zone: campaign.zone, rules: campaign.rules, assessment: a, rollup: rollup, units: units,
                            volunteers: volunteers, findings: rollup.findings, rejects: ledger.rejects, stationDue: stations?.due)
    }
}
