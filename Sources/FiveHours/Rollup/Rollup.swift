import Dispatch

/// A month or a year, counted and reduced to what the monthly assessment and the yearly roll-up
/// show (docs/rollups.md).
///
/// Two kinds of weeks matter: the weeks that *belong* to the period (their last day falls in it:
/// `Period.weeks`), which give the per-week statuses, deadlines and compliance exactly as each
/// week's summary would; and, for the hours, every week that holds a day of the period. A
/// volunteer's hours in the period are the sum of the day totals (after the union of overlaps and
/// the daily cap) of the period's days, so that a month's hours are what its days counted,
/// whichever weeks those days belong to. All those weeks are counted in one sweep (`build`).
public struct Rollup: Sendable {
    /// The state of one volunteer in one week of the period.
    public enum WeekStatus: UInt8, Sendable {
        /// Not active that week: not listed.
        case inactive = 0
        case met, short, partial
        /// The week is not over at `--now`: not judged yet (never short).
        case inProgress

        /// Held to the requirement (active all seven days) and not met, or not met yet: the
        /// hours beside it never round up to the requirement (`Hours.shown`).
        var heldAndNotMet: Bool { self == .short || self == .inProgress }

        public var key: String {
            switch self {
            case .inactive: return ""
            case .met: return "met"
            case .short: return "short"
            case .partial: return "partial"
            case .inProgress: return "in_progress"
            }
        }
    }

    /// One week that belongs to the period.
    public struct WeekInfo: Sendable {
        public var week: Week
        /// The week's weekly summary is due at or before `--now`: the week is over and judged.
        public var isOver: Bool
        /// `--now` is at or after the week's first midnight. A week not started has no
        /// volunteer's row and counts in no volunteer's weeks: it has nothing yet to show.
        public var hasStarted: Bool = true
        /// One per unit of the campaign file, in its order.
        public var units: [UnitWeek]
    }

    /// One unit in one week: the figures of the weekly summary's `units.csv`.
    public struct UnitWeek: Sendable {
        public var unit: String
        public var volunteers: Int
        public var met: Int
        public var short: Int
        public var partial: Int
        public var seconds: Int
        public var dailyOnTime: Int
        public var dailyLate: Int
        public var dailyMissing: Int
        public var dailyPending: Int
        /// Of `dailyOnTime`, the bulletins handed in before a due instant still ahead at `--now`
        /// (today's, sent before its hour): shown as the week's summary shows them, scored only
        /// once due — as a unit that has not sent today's yet is not scored missing.
        public var dailyEarly: Int = 0
        public var weekly: DeadlineStatus
        public var liaisonStatus: LiaisonRule.Status
        public var complianceRate: String { Rate.format(met, of: met + short) }
        public var compliancePercent: Int? { met + short == 0 ? nil : (met * 200 + (met + short)) / (2 * (met + short)) }
    }

    /// One rostered volunteer active on at least one day of the period.
    public struct VolunteerTotal: Sendable {
        public var volunteer: Volunteer
        /// Counted seconds over the period's days.
        public var seconds: Int
        /// Sessions dated in the period that count for the volunteer.
        public var sessions: Int
        public var weeksRequired: Int
        public var weeksMet: Int
        public var weeksPartial: Int
        public var weeksInProgress: Int
        /// Rules of the counting stage that touched the volunteer's days in the period
        /// (`daily_cap`, `overlap`, `hours_mismatch`, `long_day`), sorted.
        public var flags: [String]
        /// Active on a day of the period, or with sessions counted on one: a row of
        /// `volunteers.csv` and the report's lists. Otherwise the volunteer was active only on
        /// days of the period's first week before the period began (one who left on July 30 is
        /// partial in the week ending August 2, August's), and only that week's row shows it.
        public var listed: Bool = true
        /// The volunteer's unit as its place among the campaign file's units (`campaign.units`),
        /// -1 for a unit the file does not list.
        public var campaignUnit: Int
        public var weeksShort: Int { weeksRequired - weeksMet }
    }

    /// Hours of one team, over the period or over one month of it.
    public struct TeamTally: Sendable {
        public var name: String
        /// The month (1…12) of the year; nil for the whole period.
        public var month: Int?
        public var leads: [String]
        public var focus: Bool
        public var known: Bool
        public var volunteers: Int
        public var seconds: Int
        public var sessions: Int
        /// Seconds of the team's sessions served by volunteers of its lead units.
        public var leadSeconds: Int
    }

    public var period: Period
    public var weeks: [WeekInfo]
    /// In the weekly summary's order: the campaign file's units, unknown units by name, roster order.
    public var volunteers: [VolunteerTotal]
    /// Per week of `weeks` and volunteer of `volunteers`: `[w * volunteers.count + v]`.
    public var weekSeconds: [Int32]
    public var weekStatus: [WeekStatus]
    /// The campaign's teams (focus teams first), then teams only the logs name; for a year also
    /// one tally per team and month (`monthlyTeams`).
    public var teams: [TeamTally]
    public var monthlyTeams: [TeamTally]
    public var unassignedSeconds: Int
    /// For a year, the same per month (`[m]`, 1…12; index 0 unused), so that the team × month
    /// table adds up to the team table; empty for a month.
    public var monthlyUnassignedSeconds: [Int] = []
    /// Each unit's roster deadline; empty when the campaign sets none, or when the deadline is
    /// not the period's business at `--now` (`Campaign.rosterIsDue`).
    public var rosterStatus: [String: DeadlineStatus]
    public var findings: [Finding]

    public func seconds(week w: Int, volunteer v: Int) -> Int { Int(weekSeconds[w * volunteers.count + v]) }
    public func status(week w: Int, volunteer v: Int) -> WeekStatus { weekStatus[w * volunteers.count + v] }
}

extension Rollup {
    /// Rules whose findings on a volunteer's day mark the volunteer's hours for review.
    /// The findings of the period's lists, each once (a finding its weeks repeat, e.g. a roster
    /// rule judged every week, is the same rule, unit, subject, date, detail and source), in the
    /// report's order.
    static func once(_ all: [Finding]) -> [Finding] {
        // Sorted by their identity's hash (then place), each run of equal hashes holds every
        // repeat of a finding, its first place first: the others are marked.
        // Hashed on both cores: a year has some 200,000 findings, each with its texts' bytes.
        let hashes = all.map(parallelFrom: 16_384, Identity.hash)
        var byHash = all.indices.map { (hashes[$0], $0) }
        byHash.sort { $0 < $1 }
        var repeated = [Bool](repeating: false, count: all.count)
        var run = 0
        while run < byHash.count {
            var end = run + 1
            while end < byHash.count, byHash[end].0 == byHash[run].0 { end += 1 }
            for i in run..<end where !repeated[byHash[i].1] {
                for j in (i + 1)..<end where !repeated[byHash[j].1] && Identity.same(all[byHash[i].1], all[byHash[j].1]) {
                    repeated[byHash[j].1] = true
                }
            }
            run = end
        }
        return RuleSet.order(all, keeping: { !repeated[$0] }).map { all[$0] }
    }

    /// What makes two findings the same for `once`: rule, unit, subject, date, detail and source,
    /// the texts compared and hashed by their bytes. A week that repeats a finding makes it from
    /// the same values, so its bytes are the same; hashing a string as a `String` reads it
    /// through Unicode normalization, and a year of overlaps and duplicates has some 200,000
    /// findings with Chinese details (a text key for each in a set was a tenth of the run).
    enum Identity {
        static func hash(_ f: Finding) -> Int {
            var h = Hasher()
            h.combine(f.rule.order)
            h.combine(f.date?.dayNumber ?? .min)
            h.combine(f.source?.fileIndex ?? -1)
            h.combine(f.source?.line ?? -1)
            combine(f.unit, into: &h)
            combine(f.subject, into: &h)
            combine(f.detail, into: &h)
            return h.finalize()
        }

        static func same(_ f: Finding, _ g: Finding) -> Bool {
            f.rule == g.rule && f.date == g.date && f.source?.fileIndex == g.source?.fileIndex && f.source?.line == g.source?.line
                && f.unit.sameBytes(as: g.unit) && f.subject.sameBytes(as: g.subject) && f.detail.sameBytes(as: g.detail)
        }

        private static func combine(_ text: String, into h: inout Hasher) {
            h.combine(text.utf8.count)
            if text.utf8.withContiguousStorageIfAvailable({ h.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
                var text = text
                text.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
            }
        }
    }

    static let flaggingRules: Set<String> = [RuleName.dailyCap.key, RuleName.overlap.key, RuleName.hoursMismatch.key, RuleName.longDay.key]

    /// The rules that turn the counting stage's facts into findings.
    static let countingRules: [any Rule] = [OverlapRule(), DuplicateRule(), HoursMismatchRule(), DailyCapRule(), LongDayRule(),
                                            InactiveVolunteerRule()]

    /// The weeks a period holds to account: those that belong to it (their last day is in it),
    /// except weeks that began before the campaign did (`campaign.start_date`): nobody was held to
    /// five hours, or to bulletins, in a week the campaign had not started. The weeks the reports
    /// judge, and the weeks `--week-ending` may name.
    public static func weeksHeld(in period: Period, campaign: Campaign) -> [Week] {
        period.weeks(endsOn: campaign.rules.weekEndsOn).filter { w in campaign.startDate.map { w.firstDay >= $0 } ?? true }
    }

    /// Builds the period from the settled ledger in one pass over its sessions.
    ///
    /// The weeks that hold a day of the period are counted at once (`Counting`, the weekly
    /// summary's own sweep), giving each volunteer's day totals; a week's hours are the sum of its
    /// days, its statuses judged by the weekly summary's rules (`VolunteerWeek`). Two kinds of
    /// week matter: those that *belong* to the period (their last day is in it: `Period.weeks`)
    /// give the per-week statuses, deadlines and compliance; the period's own days give the hours,
    /// whichever week they belong to.
    /// - Complexity: O(sessions + weeks × volunteers), the second term in plain integers.
    public static func build(_ ledger: Ledger, campaign: Campaign, period: Period, now: Int, byMonth: Bool) -> Rollup {
        let endsOn = campaign.rules.weekEndsOn
        let belonging = Rollup.weeksHeld(in: period, campaign: campaign)
        // Every week that holds a day of the period is counted, for the hours of its days.
        var weeks: [Week] = []
        var week = Week.containing(period.first, endsOn: endsOn)
        while week.firstDay <= period.last {
            weeks.append(week)
            week = Week(lastDay: week.lastDay.adding(days: 7))
        }
        let origin = weeks[0].firstDay
        var clock = Stopwatch()

        // Volunteers are numbered in the reports' order (unit, then roster), so that the facts
        // come out as each week's do.
        let n = ledger.volunteers.count
        let order = VolunteerOrder(ledger, campaign: campaign)
        var number = [Int](repeating: 0, count: n)
        for (k, li) in order.all.enumerated() { number[li] = k }
        var counted = Counting(rules: campaign.rules, origin: origin, weekCount: weeks.count).count(ledger, number: number, order: order)
        clock.lap("  sessions of \(weeks.count) weeks counted")

        // Seconds per (week, volunteer number); the period's seconds and sessions per volunteer number.
        var weekSeconds = [Int32](repeating: 0, count: weeks.count * n)
        var periodSeconds = [Int](repeating: 0, count: n), periodSessions = [Int](repeating: 0, count: n)
        // The period's days that count: those of its weeks that have begun at `--now`. A week not
        // begun has no rows in volunteer-weeks.csv or unit-weeks.csv; a session dated in it (a
        // log should not hold one yet: a date typed wrong, a session entered ahead) counts in no
        // total either — in the month's hours but in no week's, it could be traced to no row. A
        // week in progress counts all its days, as its own summary does.
        let lastCounted = weeks.last { now >= campaign.zone.instant($0.firstDay, at: 0) }.map { min($0.lastDay, period.last) }
        let periodDays = origin.days(to: period.first)..<(lastCounted.map { origin.days(to: $0) + 1 } ?? origin.days(to: period.first))
        for d in counted.days {
            let v = Int(d.volunteer), day = Int(d.day)
            weekSeconds[day / 7 * n + v] += Int32(clamping: d.seconds)
            if periodDays.contains(day) {
                periodSeconds[v] += d.seconds
                periodSessions[v] += Int(d.sessions)
            }
        }
        counted.days = [] // summed: only the sums are kept
        let span = Span(ledger: ledger, campaign: campaign, period: period, lastCounted: lastCounted, now: now, weeks: weeks,
                        belongs: weeks.map { belonging.contains($0) }, order: order, number: number, counted: counted,
                        weekSeconds: weekSeconds, periodSeconds: periodSeconds, periodSessions: periodSessions)
        clock.lap("  day totals summed")

        // Independent parts, on both cores: the period's rules, the teams, the weeks judged, and
        // each counting rule apart (a year's overlaps alone were the longest part, left to run on
        // one core while the other waited) — the overlaps themselves in stretches when there are
        // many (a thousand volunteers with overlapping sessions every day: a million of them).
        let everyone = span.everyone()
        let context = RuleContext(campaign: campaign, week: everyone, ledger: ledger, now: now)
        let pieces = RulePart.parts(of: Rollup.countingRules.filter { $0.key != DuplicateRule().key }, in: context)
        let judged = ConcurrentSlots<JudgedWeeks>(1), whole = ConcurrentSlots<WholePeriod>(1)
        let marked = ConcurrentSlots<CountingFindings>(pieces.count)
        let tallied = ConcurrentSlots<(teams: [TeamTally], monthly: [TeamTally], unassigned: Int, unassignedByMonth: [Int])>(1)
        DispatchQueue.concurrentPerform(iterations: 3 + pieces.count) { part in
            var own = Stopwatch()
            switch part {
            case 0: whole[0] = span.wholePeriod(); own.lap("    the period's rules")
            case 1: judged[0] = span.judgeWeeks(); own.lap("    the weeks judged")
            case 2: tallied[0] = span.teams(byMonth: byMonth); own.lap("    the teams")
            default:
                let piece = pieces[part - 3]
                marked[part - 3] = span.dealt(piece.findings(in: context), everyone: everyone); own.lap("    \(piece.rule.key)")
            }
        }
        let weeksJudged = judged.take(0)!, periodPart = whole.take(0)!, teams = tallied.take(0)!
        // The rules' findings dealt to their weeks, read below part by part in the rules' order, as
        // one pass would have made them (not joined first: each finding copied once more and let
        // go, four references counted each way, for a year's 180,000); the flags joined.
        let countingParts = pieces.indices.map { marked.take($0)! }
        var flagsOf = [Set<String>](repeating: [], count: n)
        for part in countingParts {
            for (v, keys) in part.flags.enumerated() where !keys.isEmpty { flagsOf[v].formUnion(keys) }
        }
        clock.lap("  weeks judged, findings, teams")

        // On both cores: 100,000 volunteers, each with its strings counted once more.
        let flags = flagsOf, rows = span.rows, listed = span.listed, seconds = periodSeconds, sessions = periodSessions
        let volunteers: [VolunteerTotal] = Array(rows.indices).map(parallelFrom: 16_384) { r in
            let v = rows[r], c = weeksJudged.counts[r]
            return VolunteerTotal(volunteer: ledger.volunteers[order.all[v]], seconds: seconds[v], sessions: sessions[v],
                                  weeksRequired: c.required, weeksMet: c.met, weeksPartial: c.partial, weeksInProgress: c.inProgress,
                                  flags: flags[v].sorted(), listed: listed[r], campaignUnit: order.campaignUnit(order.all[v]))
        }

        // Findings: the counting rules' on the period's days, the weekly rules' on the weeks that
        // belong, and the period's (the five-hour rule's are volunteer-weeks.csv), each once —
        // gathered in one list, each copied once (a year of overlaps has 200,000).
        var all: [Finding] = []
        all.reserveCapacity(weeks.indices.reduce(0) { total, k in
            total + weeksJudged.duplicates[k].count + countingParts.reduce(0) { $0 + $1.byWeek[k].count } + weeksJudged.findings[k].count
        })
        for k in weeks.indices {
            let belongs = span.belongs[k]
            // A finding on a day is the period's when the day is (the day's hours are); one with no
            // day, when its week belongs.
            func isThePeriods(_ f: Finding) -> Bool { f.date.map(span.counts) ?? belongs }
            for f in weeksJudged.duplicates[k] where isThePeriods(f) { all.append(f) }
            for part in countingParts { for f in part.byWeek[k] where isThePeriods(f) { all.append(f) } }
            all += weeksJudged.findings[k]
        }
        for list in periodPart.findings { all += list }
        let findings = Rollup.once(all)
        clock.lap("  volunteers and findings of the period")
        return Rollup(period: period, weeks: weeksJudged.infos, volunteers: volunteers, weekSeconds: weeksJudged.weekSeconds,
                      weekStatus: weeksJudged.weekStatus, teams: teams.teams, monthlyTeams: teams.monthly,
                      unassignedSeconds: teams.unassigned, monthlyUnassignedSeconds: teams.unassignedByMonth, rosterStatus: weeksJudged.rosterStatus,
                      findings: findings)
    }

    /// What `build` counted, for its three parts. Volunteers are numbered in the reports' order.
    struct Span: Sendable {
        let ledger: Ledger
        let campaign: Campaign
        let period: Period
        /// The period's last day that counts (`counts`): the last day of its last week begun at
        /// `--now`, or of the period; nil when no week of it has begun.
        let lastCounted: CivilDate?
        let now: Int
        /// Every week that holds a day of the period; `belongs[k]`: week k's last day is in it.
        let weeks: [Week]
        let belongs: [Bool]
        let order: VolunteerOrder
        /// Per ledger volunteer, its number.
        let number: [Int]
        let counted: Counting.Result
        /// `[k * volunteers + number]`: counted seconds of week k.
        let weekSeconds: [Int32]
        let periodSeconds: [Int]
        let periodSessions: [Int]
        /// Each volunteer's days of activity (numbered), read once.
        let activeFrom: [CivilDate?]
        let activeUntil: [CivilDate?]
        /// The volunteers active on a day of the period or in a week that belongs to it, or with
        /// sessions counted on one of its days, in order: the rows of its weeks.
        let rows: [Int]
        /// Per row, whether `volunteers.csv` lists it (`VolunteerTotal.listed`).
        let listed: [Bool]

        init(ledger: Ledger, campaign: Campaign, period: Period, lastCounted: CivilDate?, now: Int, weeks: [Week], belongs: [Bool],
             order: VolunteerOrder, number: [Int], counted: Counting.Result, weekSeconds: [Int32], periodSeconds: [Int], periodSessions: [Int]) {
            self.ledger = ledger
            self.campaign = campaign
            self.period = period
            self.lastCounted = lastCounted
            self.now = now
            self.weeks = weeks
            self.belongs = belongs
            self.order = order
            self.number = number
            self.counted = counted
            self.weekSeconds = weekSeconds
            self.periodSeconds = periodSeconds
            self.periodSessions = periodSessions
            // From the days `VolunteerOrder` read in the ledger's order, not from each volunteer again.
            let from = order.all.map { li in order.fromDay[li] == .min ? nil : CivilDate(dayNumber: order.fromDay[li]) }
            let until = order.all.map { li in order.untilDay[li] == .max ? nil : CivilDate(dayNumber: order.untilDay[li]) }
            activeFrom = from
            activeUntil = until
            // The volunteers active on a day of the period, and any other whose sessions count on
            // one: a week counts a volunteer active on any of its days for all seven (§2), so one
            // who left on July's last day has counted sessions on August's first days, and one who
            // joins in September on August's last — listed, so that every counted hour is a row's.
            // And, for their weeks only, one active only on the days before the 1st of the month's
            // first week (which belongs to the month): partial in that week, as its summary and
            // unit-weeks.csv say — not a volunteer of the month in volunteers.csv.
            // (A week not started at `--now` has no volunteer-weeks: it lists nobody.)
            let held = weeks.indices.filter { belongs[$0] }.map { weeks[$0] }.filter { now >= campaign.zone.instant($0.firstDay, at: 0) }
            var rows: [Int] = [], listed: [Bool] = []
            for v in order.all.indices {
                if VolunteerWeek.isActive(from: from[v], until: until[v], first: period.first, last: period.last) || periodSessions[v] > 0 {
                    rows.append(v)
                    listed.append(true)
                } else if held.contains(where: { VolunteerWeek.isActive(from: from[v], until: until[v], first: $0.firstDay, last: $0.lastDay) }) {
                    rows.append(v)
                    listed.append(false)
                }
            }
            self.rows = rows
            self.listed = listed
        }

        func isActive(_ v: Int, in week: Week) -> Bool {
            VolunteerWeek.isActive(from: activeFrom[v], until: activeUntil[v], first: week.firstDay, last: week.lastDay)
        }

        /// Whether a day's sessions and findings are the period's: a day of the period in a week
        /// begun at `--now` (`lastCounted`).
        func counts(_ day: CivilDate) -> Bool {
            guard let lastCounted else { return false }
            return day >= period.first && day <= lastCounted
        }
    }

    struct JudgedWeeks {
        var infos: [WeekInfo] = []
        var weekSeconds: [Int32]
        var weekStatus: [WeekStatus]
        var counts: [(required: Int, met: Int, partial: Int, inProgress: Int)]
        /// Per week counted: the duplicates dated in it, the weekly rules' findings.
        var duplicates: [[Finding]]
        var findings: [[Finding]]
        var rosterStatus: [String: DeadlineStatus] = [:]
    }

    struct CountingFindings {
        /// Per week counted, the counting rules' findings dated in it.
        var byWeek: [[Finding]]
        /// Per volunteer number, the flagging rules that touched a day of the period.
        var flags: [Set<String>]
    }

    struct WholePeriod {
        /// Per rule of the period, its findings.
        var findings: [[Finding]]
    }
}

extension Rollup.Span {
    /// Each week that belongs: every volunteer's status, each unit's row, the weekly rules
    /// (liaisons, bulletins, summaries); for every week counted, its duplicates.
    func judgeWeeks() -> Rollup.JudgedWeeks {
        let n = number.count, rows = self.rows.count, rules = campaign.rules
        let belongingCount = belongs.filter { $0 }.count
        var out = Rollup.JudgedWeeks(weekSeconds: [Int32](repeating: 0, count: belongingCount * rows),
                                     weekStatus: [Rollup.WeekStatus](repeating: .inactive, count: belongingCount * rows),
                                     counts: Array(repeating: (0, 0, 0, 0), count: rows),
                                     duplicates: Array(repeating: [], count: weeks.count), findings: Array(repeating: [], count: weeks.count))
        // Each campaign unit's volunteers (numbers), by the unit's place in the order.
        var unitRankOf = SmallIndex()
        for (i, u) in campaign.units.enumerated() where unitRankOf[u.name] == nil { unitRankOf[u.name] = i }
        var members = [[Int]](repeating: [], count: campaign.units.count)
        for v in 0..<n {
            let rank = order.unitRank[order.all[v]]
            if rank < campaign.units.count { members[rank].append(v) }
        }
        let liaisons = (0..<n).filter { order.isLiaison[order.all[$0]] }
        let weeklyRules: [any Rule] = RuleSet.all.filter { Rollup.weeklyRules.contains($0.key) }
        var status = [Rollup.WeekStatus](repeating: .inactive, count: n)
        out.duplicates = DuplicateRule.byWeek(ledger.findings, weeks: weeks)
        // One context per ledger for every week: the submissions are indexed once, not per week.
        let none = WeekData(week: weeks[0], volunteers: [], sessions: [], records: [], teams: [], units: [], unrostered: [], facts: CountingFacts(),
                            ledgerIndex: [:], positions: [], byUnit: [:])
        let everything = RuleContext(campaign: campaign, week: none, ledger: ledger, now: now)
        for (k, week) in weeks.enumerated() {
            // The week as the deadline and liaison rules read it: its active liaisons.
            var positions = [Int](repeating: -1, count: n)
            var liaisonWeeks: [VolunteerWeek] = []
            var byUnit: [String: [Int]] = [:]
            for v in liaisons where isActive(v, in: week) {
                let li = order.all[v], volunteer = ledger.volunteers[li]
                positions[li] = liaisonWeeks.count
                byUnit[volunteer.unit, default: []].append(liaisonWeeks.count)
                let partial = VolunteerWeek.isPartial(from: activeFrom[v], until: activeUntil[v], in: week)
                liaisonWeeks.append(VolunteerWeek(volunteer: volunteer, seconds: Int(weekSeconds[k * n + v]),
                                                  requiredSeconds: partial ? 0 : rules.weeklySeconds, status: partial ? .partial : .short,
                                                  daily: [], sessions: 0))
            }
            let data = WeekData(week: week, volunteers: liaisonWeeks, sessions: [], records: [], teams: [], units: [], unrostered: [], facts: CountingFacts(),
                                ledgerIndex: ledger.index, positions: positions, byUnit: byUnit)
            let context = everything.with(week: data)
            if k == 0, campaign.rosterIsDue(in: period, now: now) { out.rosterStatus = RosterDeadlineRule.statuses(context) }
            guard belongs[k] else { continue }
            let isOver = now >= campaign.summaryDue(of: week)
            let hasStarted = now >= campaign.zone.instant(week.firstDay, at: 0)
            for v in 0..<n {
                guard hasStarted, isActive(v, in: week) else { status[v] = .inactive; continue }
                if VolunteerWeek.isPartial(from: activeFrom[v], until: activeUntil[v], in: week) {
                    status[v] = .partial
                } else {
                    let met = VolunteerWeek.status(seconds: Int(weekSeconds[k * n + v]), required: rules.weeklySeconds) == .met
                    status[v] = !isOver ? .inProgress : met ? .met : .short
                }
            }
            let w = out.infos.count
            for (r, v) in self.rows.enumerated() {
                let s = status[v]
                out.weekSeconds[w * rows + r] = weekSeconds[k * n + v]
                out.weekStatus[w * rows + r] = s
                switch s {
                case .met: out.counts[r].required += 1; out.counts[r].met += 1
                case .short: out.counts[r].required += 1
                case .partial: out.counts[r].partial += 1
                case .inProgress: out.counts[r].inProgress += 1
                case .inactive: break
                }
            }
            // A week's liaison and deadline findings say "this week": each is dated by its week's
            // last day, which the period's reports show; a week not started has none yet.
            if hasStarted {
                for rule in weeklyRules {
                    out.findings[k] += rule.findings(in: context).map { f in
                        var f = f
                        if f.date == nil { f.date = week.lastDay }
                        return f
                    }
                }
            }
            let daily = DailyBulletinRule.statuses(context)
            let weekly = WeeklySummaryRule.statuses(context)
            let units = campaign.units.map { u in
                var row = Rollup.UnitWeek(unit: u.name, volunteers: 0, met: 0, short: 0, partial: 0, seconds: 0, dailyOnTime: 0, dailyLate: 0,
                                          dailyMissing: 0, dailyPending: 0, weekly: weekly[u.name]?.0 ?? .missing,
                                          liaisonStatus: LiaisonRule.status(of: u.name, in: context).1)
                for v in members[unitRankOf[u.name]!] where status[v] != .inactive {
                    row.volunteers += 1
                    row.seconds += Int(weekSeconds[k * n + v])
                    switch status[v] {
                    case .met: row.met += 1
                    case .short: row.short += 1
                    case .partial: row.partial += 1
                    case .inProgress, .inactive: break
                    }
                }
                for (day, s) in daily[u.name] ?? [] {
                    switch s {
                    case .onTime:
                        row.dailyOnTime += 1
                        if now < campaign.bulletinDue(on: day) { row.dailyEarly += 1 }
                    case .late: row.dailyLate += 1
                    case .missing: row.dailyMissing += 1
                    case .pending: row.dailyPending += 1
                    }
                }
                return row
            }
            out.infos.append(Rollup.WeekInfo(week: week, isOver: isOver, hasStarted: hasStarted, units: units))
        }
        return out
    }

    /// Every volunteer of the period as one long week's, with every session counted: what the
    /// counting rules look at.
    func everyone() -> WeekData {
        WeekData(
            week: weeks[weeks.count - 1],
            volunteers: VolunteerOrder.inPlaces(number, count: order.all.count) { li in
                VolunteerWeek(volunteer: ledger.volunteers[li], seconds: 0, requiredSeconds: 0, status: .partial, daily: [], sessions: 0)
            },
            sessions: counted.sessions, records: ledger.activities, teams: counted.teams, units: counted.units, unrostered: counted.unrostered, facts: counted.facts, ledgerIndex: ledger.index, positions: number,
            byUnit: [:])
    }

    /// A counting rule's findings over every week counted at once (`everyone`), dealt to their
    /// weeks, and the volunteers they mark for review.
    func dealt(_ found: [Finding], everyone: WeekData) -> Rollup.CountingFindings {
        var out = Rollup.CountingFindings(byWeek: Array(repeating: [], count: weeks.count), flags: Array(repeating: [], count: number.count))
        let origin = weeks[0].firstDay
        for f in found {
            guard let date = f.date else { continue }
            if Rollup.flaggingRules.contains(f.rule.key), counts(date), let li = ReviewMark.volunteer(of: f, in: everyone) {
                out.flags[number[li]].insert(f.rule.key)
            }
            out.byWeek[origin.days(to: date) / 7].append(f)
        }
        return out
    }

    /// The period's sessions, week by week in input order (as each week lists them), as
    /// indexes into the counted sessions.
    func sessionsOfPeriod() -> [Int] {
        let origin = weeks[0].firstDay
        let sessions = counted.sessions
        let inPeriod = sessions.indices.filter { counts(sessions[$0].date) }
        return Counting.grouped(inPeriod, by: { origin.days(to: sessions[$0].date) / 7 }, count: weeks.count)
    }

    /// The teams' tallies over the period's sessions.
    func teams(byMonth: Bool) -> (teams: [Rollup.TeamTally], monthly: [Rollup.TeamTally], unassigned: Int, unassignedByMonth: [Int]) {
        let sessions = counted.sessions
        return Rollup.teams(sessions, sessions.indices.filter { counts(sessions[$0].date) }, names: counted.teams, campaign: campaign, ledger: ledger,
                            order: order, byMonth: byMonth)
    }

    /// The rules that look at sessions, teams and units once over the whole period — its
    /// volunteers, its counted sessions and its unrostered ones, as one long week.
    func wholePeriod() -> Rollup.WholePeriod {
        let origin = weeks[0].firstDay
        var clock = Stopwatch()
        // The period's own volunteers: not those only its first week's days before it knew.
        let rows = listed.allSatisfy { $0 } ? self.rows : self.rows.indices.filter { listed[$0] }.map { self.rows[$0] }
        let ordered = sessionsOfPeriod()
        var rowOf = [Int](repeating: -1, count: number.count)
        for (r, v) in rows.enumerated() { rowOf[v] = r }
        var own: [Session] = []
        own.reserveCapacity(ordered.count)
        for si in ordered where rowOf[counted.sessions[si].volunteer] >= 0 {
            var s = counted.sessions[si]
            s.volunteer = rowOf[s.volunteer]
            own.append(s)
        }
        let unrosteredInPeriod = counted.unrostered.indices.filter { counts(counted.unrostered[$0].date) }
        let unrostered = Counting.grouped(unrosteredInPeriod, by: { origin.days(to: counted.unrostered[$0].date) / 7 }, count: weeks.count)
            .map { counted.unrostered[$0] }
        let byUnit = order.byUnit(rows.map { order.all[$0] })
        var positions = [Int](repeating: -1, count: number.count)
        for (r, v) in rows.enumerated() { positions[order.all[v]] = r }
        let volunteers = VolunteerOrder.inPlaces(positions, count: rows.count) { li in
            VolunteerWeek(volunteer: ledger.volunteers[li], seconds: periodSeconds[number[li]], requiredSeconds: 0, status: .partial, daily: [],
                          sessions: periodSessions[number[li]])
        }
        clock.lap("      the period's sessions and volunteers")
        let periodWeek = WeekData(week: Week(lastDay: period.last), volunteers: volunteers, sessions: own, records: ledger.activities,
                                  teams: counted.teams, units: counted.units, unrostered: unrostered,
                                  facts: CountingFacts(), ledgerIndex: ledger.index, positions: positions, byUnit: byUnit)
        let context = RuleContext(campaign: campaign, week: periodWeek, ledger: ledger, now: now)
        let counting = Set(Rollup.countingRules.map(\.key))
        // The roster deadline only where it is the period's business (`Campaign.rosterIsDue`).
        let rosterDue = campaign.rosterIsDue(in: period, now: now)
        let periodRules: [any Rule] = RuleSet.all.filter {
            !Rollup.weeklyRules.contains($0.key) && !counting.contains($0.key) && $0.key != FiveHoursRule().key
                && (rosterDue || $0.key != RosterDeadlineRule().key)
        }
        let found = ConcurrentSlots<[Finding]>(periodRules.count)
        DispatchQueue.concurrentPerform(iterations: periodRules.count) { k in
            var own = Stopwatch()
            found[k] = periodRules[k].findings(in: context)
            own.lap("      \(periodRules[k].key)")
        }
        return Rollup.WholePeriod(findings: (0..<periodRules.count).map { found.take($0) ?? [] })
    }
}

extension Rollup {
    /// Rules judged week by week (their verdicts are the weeks'); the others see the whole
    /// period at once; the five-hour rule's verdicts are volunteer-weeks.csv.
    static let weeklyRules: Set<String> = [LiaisonRule().key, DailyBulletinRule().key, WeeklySummaryRule().key]

    /// The teams' hours over the period's sessions (`indexes` into `sessions`, volunteers
    /// numbered as in `order`): the campaign's teams (focus teams first), then the others by
    /// name; per month for a year.
    ///
    /// Tallied in one slot per team and month (numbered, not hashed by name): a year is millions
    /// of sessions, and its volunteers are counted once per slot by sorting (`TeamSlot.volunteers`), not by
    /// hashing each session's volunteer into a set.
    static func teams(_ sessions: [Session], _ indexes: [Int], names: [String], campaign: Campaign, ledger: Ledger, order: VolunteerOrder,
                      byMonth: Bool) -> (teams: [TeamTally], monthly: [TeamTally], unassigned: Int, unassignedByMonth: [Int]) {
        // Each volunteer's unit as its place in the campaign file (-1 for a unit it does not list).
        let unitOf = order.all.map { Int32(order.campaignUnit($0)) }
        // Sessions come with their team numbered (`Session.team`, an index into `names`); each
        // team's row of lead units is looked up once, when its first session is met, and its slots
        // made then, in one array (a slot for the period, or one per month of a year): a year adds
        // millions of sessions to a few slots, and a log may name a new team in every row.
        var teamNumber = SmallIndex()
        let slotsPerTeam = byMonth ? 13 : 1
        var firstSlot = [Int32](repeating: -1, count: names.count)
        var slots: [TeamSlot] = []
        // Whether each unit of the campaign file leads each team it lists, a row per team; per
        // team met, its row (-1 for a team the campaign file does not list, which has none).
        let unitCount = campaign.units.count
        let leads = campaign.teams.flatMap { team in campaign.units.map { team.leads.contains($0.name) } }
        var leadRow = [Int32](repeating: -1, count: names.count)
        var shown = names
        // The month of each day the sessions fall on, worked out once per day, not per session.
        let firstDay = indexes.lazy.map { sessions[$0].date.dayNumber }.min() ?? 0
        let lastDay = indexes.lazy.map { sessions[$0].date.dayNumber }.max() ?? 0
        let monthOf = byMonth ? (firstDay...lastDay).map { CivilDate(dayNumber: $0).month } : []
        var unassigned = 0, unassignedByMonth = [Int](repeating: 0, count: byMonth ? 13 : 0)
        for i in indexes {
            let s = sessions[i]
            let v = s.volunteer, counted = s.countedSeconds
            guard s.team >= 0 else {
                unassigned += counted
                if byMonth { unassignedByMonth[monthOf[s.date.dayNumber - firstDay]] += counted }
                continue
            }
            let t = Int(s.team)
            if firstSlot[t] < 0 {
                // Shown as the period's first session of the team spells it (a number stands for
                // every Unicode spelling of a name, and the first met may lie outside the period).
                let name = Counting.team(of: ledger.activities[Int(s.recordIndex)], volunteer: ledger.volunteers[order.all[v]]) ?? names[t]
                shown[t] = name
                teamNumber[name] = t
                firstSlot[t] = Int32(slots.count)
                slots += Array(repeating: TeamSlot(), count: slotsPerTeam)
                leadRow[t] = Int32(campaign.teams.firstIndex { $0.name == name } ?? -1)
            }
            let month = byMonth ? monthOf[s.date.dayNumber - firstDay] : 0
            let u = Int(unitOf[v]), row = Int(leadRow[t])
            slots[Int(firstSlot[t]) + month].add(seconds: counted, volunteer: v, lead: u >= 0 && row >= 0 && leads[row * unitCount + u])
        }
        let used = names.indices.filter { firstSlot[$0] >= 0 }
        func slot(_ t: Int, _ month: Int) -> TeamSlot? { firstSlot[t] < 0 || month >= slotsPerTeam ? nil : slots[Int(firstSlot[t]) + month] }
        // Who served, counted once per slot and once per team over its slots: each volunteer
        // marked with the count's own stamp as it is met (no sorting, no hashing).
        var mark = [Int32](repeating: -1, count: order.all.count)
        var stamp: Int32 = -1
        func distinct(_ months: [Int], of t: Int) -> Int {
            stamp += 1
            var n = 0
            for m in months {
                for v in slots[Int(firstSlot[t]) + m].people where mark[Int(v)] != stamp {
                    mark[Int(v)] = stamp
                    n += 1
                }
            }
            return n
        }
        // Who served in each slot (beside `slots`), and in each team over its slots.
        var servedInSlot = [Int](repeating: 0, count: slots.count), servedInTeam = [Int](repeating: 0, count: names.count)
        for t in used {
            let months = (0..<slotsPerTeam).filter { slots[Int(firstSlot[t]) + $0].sessions > 0 }
            for m in months { servedInSlot[Int(firstSlot[t]) + m] = distinct([m], of: t) }
            servedInTeam[t] = distinct(months, of: t)
        }
        let orderedSpecs = campaign.teams.filter(\.focus) + campaign.teams.filter { !$0.focus }
        let knownNames = Set(campaign.teams.map(\.name))
        let others = Set(used.map { shown[$0] }).subtracting(knownNames).sorted()
        func tally(_ name: String, month: Int?) -> TeamTally {
            let spec = campaign.teams.first { $0.name == name }
            var sum = TeamSlot()
            var people = 0
            if let t = teamNumber[name] {
                for m in month.map({ [$0] }) ?? Array(0...12) { if let slot = slot(t, m) { sum.add(slot) } }
                people = month.map { m in slot(t, m) == nil ? 0 : servedInSlot[Int(firstSlot[t]) + m] } ?? servedInTeam[t]
            }
            return TeamTally(name: name, month: month, leads: spec?.leads ?? [], focus: spec?.focus ?? false, known: spec != nil,
                             volunteers: people, seconds: sum.seconds, sessions: sum.sessions,
                             leadSeconds: sum.leadSeconds)
        }
        let all = orderedSpecs.map(\.name) + others
        let teams = all.map { tally($0, month: nil) }
        var monthly: [TeamTally] = []
        if byMonth { for name in all { for m in 1...12 { monthly.append(tally(name, month: m)) } } }
        return (teams, monthly, unassigned, unassignedByMonth)
    }

    /// One team's sessions in one month (or the whole period): seconds, sessions, the seconds
    /// of its lead units' volunteers, and who served (each session's volunteer number; counted
    /// once by `teams`).
    struct TeamSlot {
        var seconds = 0
        var sessions = 0
        var leadSeconds = 0
        var people: [Int32] = []

        mutating func add(seconds: Int, volunteer: Int, lead: Bool) {
            self.seconds += seconds
            sessions += 1
            if lead { leadSeconds += seconds }
            people.append(Int32(volunteer))
        }

        /// The figures of another slot added (not its people: `teams` counts those once).
        mutating func add(_ o: TeamSlot) {
            seconds += o.seconds
            sessions += o.sessions
            leadSeconds += o.leadSeconds
        }
    }
}

/// Which volunteer a counting finding is about, to mark their hours for review.
enum ReviewMark {
    /// The ledger index of the volunteer a counting finding names (`<id> <name>`).
    static func volunteer(of f: Finding, in data: WeekData) -> Int? {
        var at = f.subject.startIndex
        while let space = f.subject[at...].firstIndex(of: " ") {
            let id = String(f.subject[..<space])
            if let li = data.ledgerIndex[id], data.positions[li] >= 0 { return li }
            at = f.subject.index(after: space)
        }
        return nil
    }
}
