import Dispatch
@testable import FiveHours

/// The roll-up as it was first built, kept as the reference the one-pass `Rollup.build` is
/// tested against: every week of the period built by `WeekBuilder` on its own and judged by the
/// weekly rules, then reduced — slow (53 weekly builds for a year) but plainly the weeks' figures.
extension Rollup {
    /// Builds the period from the settled ledger.
    ///
    /// The ledger's sessions are dealt to their weeks in one pass (a session on a week's eve goes to
    /// that week too), then the weeks are built on every core, each reduced at once to a few
    /// integers per volunteer, so that a year holds 53 small arrays rather than 53 weeks.
    /// - Complexity: O(sessions + weeks × volunteers).
    static func reference(_ ledger: Ledger, campaign: Campaign, period: Period, now: Int, byMonth: Bool) -> Rollup {
        let endsOn = campaign.rules.weekEndsOn
        // The weeks held to account: those that belong to the period (their last day is in it),
        // except weeks that began before the campaign did (`campaign.start_date`): nobody was held
        // to five hours, or to bulletins, in a week the campaign had not started.
        let belonging = period.weeks(endsOn: endsOn).filter { w in campaign.startDate.map { w.firstDay >= $0 } ?? true }
        // Every week that holds a day of the period is built, for the hours of its days.
        var weeks: [Week] = []
        var week = Week.containing(period.first, endsOn: endsOn)
        while week.firstDay <= period.last {
            weeks.append(week)
            week = Week(lastDay: week.lastDay.adding(days: 7))
        }
        let built = weeks
        let origin = built[0].firstDay.dayNumber
        var clock = Stopwatch()

        // Deal the sessions to the built weeks, keeping input order.
        var buckets = Array(repeating: [Int32](), count: built.count)
        ledger.activities.withUnsafeBufferPointer { acts in
            for i in acts.indices {
                let a = acts[i]
                let offset = a.date.dayNumber - origin
                let k = offset >= 0 ? offset / 7 : -1
                if k >= 0 && k < built.count { buckets[k].append(Int32(i)) }
                // The eve of week k + 1 is week k's last day; the first week's eve is before origin.
                if a.start != nil, offset == 7 * (k + 1) - 1, k + 1 < built.count, k + 1 >= 0 { buckets[k + 1].append(Int32(i)) }
            }
        }

        clock.lap("  sessions dealt to \(built.count) weeks")
        let n = ledger.volunteers.count
        // Each volunteer's unit as its place in the campaign file (-1 for a unit it does not list).
        var unitNumber = SmallIndex()
        for (i, u) in campaign.units.enumerated() where unitNumber[u.name] == nil { unitNumber[u.name] = i }
        let unitOf = ledger.volunteers.map { Int32(unitNumber[$0.unit] ?? -1) }
        let builder = WeekBuilder(campaign: campaign)
        // Rules judged week by week (their verdicts are the weeks'); the others see the whole period
        // at once (below); the five-hour rule's verdicts are volunteer-weeks.csv.
        let weekly = Set([LiaisonRule().key, DailyBulletinRule().key, WeeklySummaryRule().key])
        let rules: [any Rule] = RuleSet.all.filter { weekly.contains($0.key) }
        let counting = Set(Rollup.countingRules.map(\.key))
        // The roster deadline is the period's only when it has passed by --now and falls in or
        // before the period (its last instant: before the next day's midnight).
        let rosterIsThePeriods = campaign.rules.rosterDue.map { $0 <= now && $0 < campaign.zone.instant(period.last.adding(days: 1), at: 0) } ?? false
        let periodRules: [any Rule] = RuleSet.all.filter {
            !weekly.contains($0.key) && !counting.contains($0.key) && $0.key != FiveHoursRule().key
                && (rosterIsThePeriods || $0.key != RosterDeadlineRule().key)
        }
        let slots = ConcurrentSlots<ReferenceDigest>(built.count)
        let shared = UnsafeSendable((ledger, buckets))
        DispatchQueue.concurrentPerform(iterations: built.count) { k in
            let (ledger, buckets) = shared.value
            var own = ledger
            own.activities = buckets[k].map { ledger.activities[Int($0)] }
            let data = builder.build(own, week: built[k])
            slots[k] = ReferenceDigest(data, ledger: own, campaign: campaign, period: period, now: now, belongs: belonging.contains(built[k]),
                              rules: rules, byMonth: byMonth, rosterWanted: k == 0, unitOf: unitOf, records: buckets[k])
        }
        var digests: [ReferenceDigest] = []
        for k in 0..<built.count { digests.append(slots.take(k)!) }
        clock.lap("  weeks built, judged and reduced")

        // Volunteers active in the period, in the weekly summary's order.
        var unitRank = SmallIndex()
        for (i, u) in campaign.units.enumerated() where unitRank[u.name] == nil { unitRank[u.name] = i }
        var unknown = SmallIndex()
        for v in ledger.volunteers where unitRank[v.unit] == nil && unknown[v.unit] == nil { unknown[v.unit] = 0 }
        for (i, u) in unknown.keys.sorted().enumerated() { unitRank[u] = campaign.units.count + i }

        var flags = Array(repeating: Set<String>(), count: n)
        for d in digests { for (li, rule) in d.flags { flags[li].insert(rule) } }
        // Summed digest by digest, each read once in order (a digest per volunteer would be copied
        // a hundred thousand times).
        var periodSeconds = [Int](repeating: 0, count: n), periodSessions = [Int](repeating: 0, count: n)
        for d in digests {
            for li in 0..<n {
                periodSeconds[li] += Int(d.periodSeconds[li])
                periodSessions[li] += Int(d.periodSessions[li])
            }
        }
        let belongingDigests = digests.filter(\.belongs)
        // Listed: active on a day of the period, or with sessions counted on its days, or listed
        // in the summary of a week that belongs to it.
        var keyed: [(rank: Int, index: Int)] = []
        for (i, v) in ledger.volunteers.enumerated() {
            guard VolunteerWeek.isActive(from: v.activeFrom, until: v.activeUntil, first: period.first, last: period.last)
                || periodSessions[i] > 0 || belongingDigests.contains(where: { $0.status[i] != .inactive }) else { continue }
            keyed.append((unitRank[v.unit]!, i))
        }
        keyed.sort { ($0.rank, $0.index) < ($1.rank, $1.index) }
        let rows = keyed.count
        var weekSeconds = [Int32](repeating: 0, count: belongingDigests.count * rows)
        var weekStatus = [WeekStatus](repeating: .inactive, count: belongingDigests.count * rows)
        var counts = [(required: Int, met: Int, partial: Int, inProgress: Int)](repeating: (0, 0, 0, 0), count: rows)
        for (w, d) in belongingDigests.enumerated() {
            for r in 0..<rows {
                let li = keyed[r].index
                let status = d.status[li]
                weekSeconds[w * rows + r] = d.seconds[li]
                weekStatus[w * rows + r] = status
                switch status {
                case .met: counts[r].required += 1; counts[r].met += 1
                case .short: counts[r].required += 1
                case .partial: counts[r].partial += 1
                case .inProgress: counts[r].inProgress += 1
                case .inactive: break
                }
            }
        }
        var volunteers: [VolunteerTotal] = []
        volunteers.reserveCapacity(rows)
        for r in 0..<rows {
            let li = keyed[r].index
            volunteers.append(VolunteerTotal(volunteer: ledger.volunteers[li], seconds: periodSeconds[li], sessions: periodSessions[li],
                                             weeksRequired: counts[r].required, weeksMet: counts[r].met, weeksPartial: counts[r].partial,
                                             weeksInProgress: counts[r].inProgress, flags: flags[li].sorted(),
                                             listed: Self.activeOnADay(ledger.volunteers[li], of: period) || periodSessions[li] > 0,
                                             campaignUnit: campaign.units.firstIndex { $0.name == ledger.volunteers[li].unit } ?? -1))
        }

        // Teams: the campaign's (focus teams first), then the others by name; per month for a year.
        var tallies: [TeamKey: TeamSum] = [:]
        var unassigned = 0, unassignedByMonth = [Int](repeating: 0, count: byMonth ? 13 : 0)
        for d in digests {
            unassigned += d.unassigned
            for (m, sec) in d.unassignedByMonth { unassignedByMonth[m] += sec }
            for (key, sum) in d.teams { tallies[key, default: TeamSum()].add(sum) }
        }
        let orderedSpecs = campaign.teams.filter(\.focus) + campaign.teams.filter { !$0.focus }
        let knownNames = Set(campaign.teams.map(\.name))
        let others = Set(tallies.keys.map(\.team)).subtracting(knownNames).sorted()
        func tally(_ name: String, month: Int?) -> TeamTally {
            let spec = campaign.teams.first { $0.name == name }
            let sum = month == nil
                ? tallies.filter { $0.key.team == name }.values.reduce(into: TeamSum()) { $0.add($1) }
                : tallies[TeamKey(team: name, month: month!)] ?? TeamSum()
            return TeamTally(name: name, month: month, leads: spec?.leads ?? [], focus: spec?.focus ?? false, known: spec != nil,
                             volunteers: sum.people.count, seconds: sum.seconds, sessions: sum.sessions, leadSeconds: sum.leadSeconds)
        }
        let names = orderedSpecs.map(\.name) + others
        let teams = names.map { tally($0, month: nil) }
        var monthly: [TeamTally] = []
        if byMonth {
            let months = Array(1...12)
            for name in names { for m in months { monthly.append(tally(name, month: m)) } }
        }

        // The rules that look at sessions, teams and units once over the whole period: its volunteers,
        // its counted sessions and its unrostered ones, as one long week.
        var rowOf = [Int](repeating: -1, count: n)
        for (r, k) in keyed.enumerated() { rowOf[k.index] = r }
        var byUnit: [String: [Int]] = [:]
        for (r, k) in keyed.enumerated() { byUnit[ledger.volunteers[k.index].unit, default: []].append(r) }
        var allSessions: [Session] = []
        var allUnrostered: [ActivityRecord] = []
        var teamNames = Counting.Names(), unitNames = Counting.Names()
        for d in digests {
            for ((var s, team), unit) in zip(zip(d.sessions, d.sessionTeams), d.sessionUnits) where rowOf[s.volunteer] >= 0 {
                s.volunteer = rowOf[s.volunteer]
                s.team = team.map { Int32(teamNames.number($0)) } ?? -1
                s.unit = unit.map { Int32(unitNames.number($0)) } ?? -1
                allSessions.append(s)
            }
            allUnrostered += d.unrostered
        }
        let periodWeek = WeekData(
            week: Week(lastDay: period.last),
            volunteers: volunteers.map { VolunteerWeek(volunteer: $0.volunteer, seconds: $0.seconds, requiredSeconds: 0, status: .partial,
                                                       daily: [], sessions: $0.sessions) },
            sessions: allSessions, records: ledger.activities, teams: teamNames.names, units: unitNames.names, unrostered: allUnrostered, facts: CountingFacts(), ledgerIndex: ledger.index, positions: rowOf, byUnit: byUnit)
        let periodContext = RuleContext(campaign: campaign, week: periodWeek, ledger: ledger, now: now)
        let periodFound = ConcurrentSlots<[Finding]>(periodRules.count)
        DispatchQueue.concurrentPerform(iterations: periodRules.count) { k in periodFound[k] = periodRules[k].findings(in: periodContext) }

        // Findings: the counting stage's on the period's days, the weekly rules' on its weeks, and
        // the period's (the five-hour rule's are volunteer-weeks.csv), each once.
        var lists = digests.map(\.findings)
        for k in 0..<periodRules.count { lists.append(periodFound.take(k) ?? []) }
        let findings = Rollup.once(Array(lists.joined()))

        clock.lap("  volunteers, teams and findings of the period")
        return Rollup(period: period, weeks: belongingDigests.map { WeekInfo(week: $0.week, isOver: $0.isOver, hasStarted: $0.hasStarted, units: $0.units) },
                      volunteers: volunteers, weekSeconds: weekSeconds, weekStatus: weekStatus, teams: teams, monthlyTeams: monthly,
                      unassignedSeconds: unassigned, monthlyUnassignedSeconds: unassignedByMonth,
                      rosterStatus: rosterIsThePeriods ? digests.first?.roster ?? [:] : [:], findings: findings)
    }

    /// One built week, reduced: per ledger volunteer a few integers, per unit a row, the findings.
    struct ReferenceDigest {
        var week: Week
        var belongs: Bool
        var isOver: Bool
        var hasStarted = true
        var seconds: [Int32]
        var status: [WeekStatus]
        var periodSeconds: [Int32]
        var periodSessions: [Int32]
        var flags: [(Int, String)] = []
        var units: [UnitWeek] = []
        var findings: [Finding] = []
        var teams: [TeamKey: TeamSum] = [:]
        var unassigned = 0
        /// For a year, the unassigned seconds by month of the session's date.
        var unassignedByMonth: [Int: Int] = [:]
        var roster: [String: DeadlineStatus]?
        /// The week's counted sessions dated in the period, `volunteer` being the ledger's index and
        /// `recordIndex` the record's in the whole ledger; their teams by name.
        var sessions: [Session] = []
        var sessionTeams: [String?] = []
        var sessionUnits: [String?] = []
        var unrostered: [ActivityRecord] = []

        init(_ data: WeekData, ledger: Ledger, campaign: Campaign, period: Period, now: Int, belongs: Bool,
             rules: [any Rule], byMonth: Bool, rosterWanted: Bool, unitOf: [Int32], records: [Int32]) {
            let n = ledger.volunteers.count
            week = data.week
            self.belongs = belongs
            isOver = now >= campaign.zone.instant(data.week.lastDay, at: campaign.rules.weeklySummaryDue)
            hasStarted = now >= campaign.zone.instant(data.week.firstDay, at: 0)
            seconds = [Int32](repeating: 0, count: n)
            status = [WeekStatus](repeating: .inactive, count: n)
            periodSeconds = [Int32](repeating: 0, count: n)
            periodSessions = [Int32](repeating: 0, count: n)
            let over = isOver, started = hasStarted
            // A day's sessions and findings are the period's when the day is and its week has begun
            // at `--now` (a week not begun counts nothing, as it lists nobody).
            func counts(_ day: CivilDate) -> Bool { started && period.contains(day) }
            // Which of the week's days count for the period (0…6).
            let days = (0..<7).filter { counts(data.week.firstDay.adding(days: $0)) }
            var ledgerOf = [Int](repeating: -1, count: data.volunteers.count)
            // Read in place: copying each volunteer's week retains its volunteer and its days.
            data.volunteers.withUnsafeBufferPointer { vs in
                data.positions.withUnsafeBufferPointer { positions in
                    for li in 0..<n {
                        let p = positions[li]
                        guard p >= 0 else { continue }
                        ledgerOf[p] = li
                        seconds[li] = Int32(vs[p].seconds)
                        // A week not started lists nobody.
                        if started { switch vs[p].status {
                        case .partial: status[li] = .partial
                        case .met: status[li] = over ? .met : .inProgress
                        case .short: status[li] = over ? .short : .inProgress
                        } }
                        if days.count == 7 {
                            periodSeconds[li] = Int32(vs[p].seconds)
                        } else {
                            var s = 0
                            for d in days { s += vs[p].daily[d] }
                            periodSeconds[li] = Int32(s)
                        }
                    }
                }
            }
            // Sessions and teams, over the period's days. Teams are numbered in the week (`SmallIndex`):
            // hashing a Chinese name per session would cost more than the rest of the tally.
            var teamNumber = SmallIndex()
            var names: [String] = []
            var leads: [Set<Int32>] = []
            var sums: [Int: TeamSum] = [:]
            for s in data.sessions where counts(data.record(of: s).date) {
                let li = ledgerOf[s.volunteer]
                var own = s
                own.volunteer = li
                own.recordIndex = records[Int(s.recordIndex)]
                sessions.append(own)
                sessionTeams.append(data.team(of: s))
                sessionUnits.append(data.unit(of: s))
                periodSessions[li] += 1
                guard let team = data.team(of: s) else {
                    unassigned += s.countedSeconds
                    if byMonth { unassignedByMonth[data.record(of: s).date.month, default: 0] += s.countedSeconds }
                    continue
                }
                let t: Int
                if let k = teamNumber[team] { t = k } else {
                    t = names.count
                    teamNumber[team] = t
                    names.append(team)
                    leads.append(Set((campaign.teams.first { $0.name == team }?.leads ?? []).compactMap { u in
                        campaign.units.firstIndex { $0.name == u }.map(Int32.init) }))
                }
                let key = t * 100 + (byMonth ? data.record(of: s).date.month : 0)
                let lead = unitOf[li] >= 0 && leads[t].contains(unitOf[li])
                // Changed in place: a copy of the tally would copy its set of people on every insert.
                sums[key, default: TeamSum()].add(seconds: s.countedSeconds, volunteer: li, lead: lead)
            }
            for (key, sum) in sums { teams[TeamKey(team: names[key / 100], month: key % 100)] = sum }
            unrostered = data.unrostered.filter { counts($0.date) }
            // Days that a counting rule touched: the volunteer is marked for review.
            let counted = Rollup.countingRules.flatMap { $0.findings(in: RuleContext(campaign: campaign, week: data, ledger: ledger, now: now)) }
            for f in counted where Rollup.flaggingRules.contains(f.rule.key) {
                guard let date = f.date, counts(date), let li = ReviewMark.volunteer(of: f, in: data) else { continue }
                flags.append((li, f.rule.key))
            }
            findings = counted.filter { f in f.date.map(counts) ?? belongs }
            guard belongs || rosterWanted else { return }
            let context = RuleContext(campaign: campaign, week: data, ledger: ledger, now: now)
            // The bulletin and summary deadlines read only the submissions: they are judged on a
            // ledger without the roster and the sessions, whose submission index is much cheaper.
            var slim = ledger
            slim.volunteers = []
            slim.activities = []
            let deadlines = RuleContext(campaign: campaign, week: data, ledger: slim, now: now)
            if rosterWanted { roster = RosterDeadlineRule.statuses(context) }
            guard belongs else { return }
            // A week's own findings dated by its last day when they name no day; none before it starts.
            for rule in rules where hasStarted {
                let deadlineRule = rule.key == DailyBulletinRule().key || rule.key == WeeklySummaryRule().key
                findings += rule.findings(in: deadlineRule ? deadlines : context).map { f in
                    var f = f
                    if f.date == nil { f.date = data.week.lastDay }
                    return f
                }
            }
            let daily = DailyBulletinRule.statuses(deadlines)
            let weekly = WeeklySummaryRule.statuses(deadlines)
            units = campaign.units.map { u in
                var row = UnitWeek(unit: u.name, volunteers: 0, met: 0, short: 0, partial: 0, seconds: 0, dailyOnTime: 0, dailyLate: 0,
                                   dailyMissing: 0, dailyPending: 0, weekly: weekly[u.name]?.0 ?? .missing,
                                   liaisonStatus: LiaisonRule.status(of: u.name, in: context).1)
                for p in data.byUnit[u.name] ?? [] where hasStarted {
                    let v = data.volunteers[p]
                    row.volunteers += 1
                    row.seconds += v.seconds
                    // A week in progress is not judged: nobody in it is met or short yet.
                    switch v.status {
                    case .met: if isOver { row.met += 1 }
                    case .short: if isOver { row.short += 1 }
                    case .partial: row.partial += 1
                    }
                }
                for (day, s) in daily[u.name] ?? [] {
                    switch s {
                    case .onTime:
                        row.dailyOnTime += 1
                        // Handed in before its hour, which `now` has not reached: not scored yet.
                        if now < campaign.zone.instant(day, at: campaign.rules.dailyBulletinDue) { row.dailyEarly += 1 }
                    case .late: row.dailyLate += 1
                    case .missing: row.dailyMissing += 1
                    case .pending: row.dailyPending += 1
                    }
                }
                return row
            }
        }
    }
}

extension Rollup {
    struct TeamKey: Hashable { var team: String; var month: Int }

    struct TeamSum {
        var seconds = 0
        var sessions = 0
        var leadSeconds = 0
        var people = Set<Int>()
        mutating func add(seconds: Int, volunteer: Int, lead: Bool) {
            self.seconds += seconds
            sessions += 1
            people.insert(volunteer)
            if lead { leadSeconds += seconds }
        }
        mutating func add(_ o: TeamSum) {
            seconds += o.seconds
            sessions += o.sessions
            leadSeconds += o.leadSeconds
            people.formUnion(o.people)
        }
    }

    /// Whether a volunteer is on the roster on some day of the period, day by day (the listing
    /// rule written out, not `VolunteerWeek.isActive`).
    static func activeOnADay(_ v: Volunteer, of period: Period) -> Bool {
        var day = period.first
        while day <= period.last {
            if (v.activeFrom.map { $0 <= day } ?? true) && (v.activeUntil.map { day <= $0 } ?? true) { return true }
            day = day.adding(days: 1)
        }
        return false
    }
}
