/// Builds one week (§4 "Counting") from the settled ledger.
///
/// Sessions count whole for the day of their `date`. Overlapping sessions of one volunteer
/// count once: sessions are swept in clock order and each adds only the time no earlier session
/// covered (sessions given by `hours` alone have no clock time and add in full). Then each day
/// is capped at `max_daily_hours`, taking the excess from the day's latest sessions.
public struct WeekBuilder: Sendable {
    public let campaign: Campaign

    public init(campaign: Campaign) { self.campaign = campaign }

    /// - Parameters:
    ///   - inProgress: the week is still running (its weekly summary is not due yet): nobody is
    ///     short yet; a volunteer below the requirement is `partial`, held to nothing so far.
    public func build(_ ledger: Ledger, week: Week, inProgress: Bool = false) -> WeekData {
        var facts = CountingFacts()
        let rules = campaign.rules

        // Rostered volunteers active at least one day of the week, in unit order: the campaign
        // file's units first, then unknown units by name, each in roster order. Sorted by integer
        // keys, not by comparing the volunteers themselves, which would copy their strings.
        var unitRank = SmallIndex()
        for (i, u) in campaign.units.enumerated() where unitRank[u.name] == nil { unitRank[u.name] = i }
        var unknownUnits = SmallIndex()
        for v in ledger.volunteers where unitRank[v.unit] == nil && unknownUnits[v.unit] == nil { unknownUnits[v.unit] = 0 }
        for (i, u) in unknownUnits.keys.sorted().enumerated() { unitRank[u] = campaign.units.count + i }
        let first = week.firstDay, last = week.lastDay
        var keyed: [(rank: Int, index: Int)] = []
        keyed.reserveCapacity(ledger.volunteers.count)
        for (i, v) in ledger.volunteers.enumerated() {
            if let f = v.activeFrom, f > last { continue }
            if let u = v.activeUntil, u < first { continue }
            keyed.append((unitRank[v.unit]!, i))
        }
        keyed.sort { ($0.rank, $0.index) < ($1.rank, $1.index) }
        var positions = Array(repeating: -1, count: ledger.volunteers.count)
        var byUnit: [String: [Int]] = [:]
        var volunteers: [VolunteerWeek] = []
        volunteers.reserveCapacity(keyed.count)
        // One array of zeros shared by every volunteer until a session is added to one.
        let noDays = Array(repeating: 0, count: 7)
        var run: (rank: Int, unit: String, members: [Int]) = (-1, "", [])
        for (i, k) in keyed.enumerated() {
            let v = ledger.volunteers[k.index]
            positions[k.index] = i
            // Volunteers come sorted by unit: gather each unit's run, then store it once.
            if k.rank != run.rank {
                if run.rank >= 0 { byUnit[run.unit] = run.members }
                run = (k.rank, v.unit, [])
            }
            run.members.append(i)
            let partial = (v.activeFrom.map { $0 > first } ?? false) || (v.activeUntil.map { $0 < last } ?? false)
            volunteers.append(VolunteerWeek(volunteer: v, seconds: 0, requiredSeconds: partial ? 0 : rules.weeklySeconds,
                                            status: partial ? .partial : .short, daily: noDays, sessions: 0))
        }
        if run.rank >= 0 { byUnit[run.unit] = run.members }
        let rostered = ledger.index

        // Sessions of the week (and of the day before, which may run past midnight into it).
        var sessions: [Session] = []
        var unrostered: [ActivityRecord] = []
        var inactive: [String: [ActivityRecord]] = [:]
        var dayBefore: [ActivityRecord] = []
        for a in ledger.activities {
            if a.date == week.firstDay.adding(days: -1), a.start != nil { dayBefore.append(a); continue }
            guard week.contains(a.date) else { continue }
            guard let li = rostered[a.volunteerID], positions[li] >= 0 else {
                if rostered[a.volunteerID] != nil { inactive[a.volunteerID, default: []].append(a) } else { unrostered.append(a) }
                continue
            }
            let vi = positions[li]
            // The volunteer is read only when the session needs it (no team of its own, a
            // finding): reading a hundred thousand volunteers in session order misses the cache.
            let team = a.team ?? { let teams = volunteers[vi].volunteer.teams; return teams.count == 1 ? teams[0] : nil }()
            sessions.append(Session(record: a, volunteer: vi, team: team, countedSeconds: a.seconds))
            if let h = a.hours, a.start != nil, abs(h - a.seconds) > 60 {
                facts.mismatches.append(.init(session: sessions.count - 1, hoursSeconds: h))
            }
        }

        // Overlaps: per volunteer, sweep timed sessions in clock order. Spans are plain integers
        // sorted once (volunteer, start, file, line), so that no volunteer or string is copied here.
        struct Span { var volunteer: Int; var start: Int; var end: Int; var file: Int; var line: Int; var session: Int }
        var spans: [Span] = []
        for (si, s) in sessions.enumerated() where s.record.start != nil {
            let r = s.record
            let t = r.date.dayNumber * 86_400 + r.start!
            spans.append(Span(volunteer: s.volunteer!, start: t, end: t + r.seconds, file: r.source.fileIndex, line: r.source.line, session: si))
        }
        for r in dayBefore {
            guard let li = rostered[r.volunteerID], positions[li] >= 0 else { continue }
            let vi = positions[li]
            let t = r.date.dayNumber * 86_400 + r.start!
            spans.append(Span(volunteer: vi, start: t, end: t + r.seconds, file: r.source.fileIndex, line: r.source.line, session: -1))
        }
        spans.sort { ($0.volunteer, $0.start, $0.file, $0.line) < ($1.volunteer, $1.start, $1.file, $1.line) }
        var k = 0
        while k < spans.count {
            let vi = spans[k].volunteer
            var coveredUntil = Int.min
            var coveredBy = -1
            while k < spans.count, spans[k].volunteer == vi {
                let sp = spans[k]
                let add = max(0, sp.end - max(sp.start, coveredUntil))
                if sp.session >= 0 {
                    if sp.start < coveredUntil, coveredBy >= 0 {
                        let other = spans[coveredBy].session >= 0 ? sessions[spans[coveredBy].session].record.source
                            : dayBefore.first { $0.source.fileIndex == spans[coveredBy].file && $0.source.line == spans[coveredBy].line }!.source
                        facts.overlaps.append(.init(session: sp.session, coveredBy: other, seconds: min(sp.end, coveredUntil) - sp.start))
                    }
                    sessions[sp.session].countedSeconds = add
                }
                if sp.end > coveredUntil { coveredUntil = sp.end; coveredBy = k }
                k += 1
            }
        }

        // Per day: the cap, then the volunteer's totals. Sessions grouped by (volunteer, day).
        // Each with its counted seconds, taken in session order: summed in volunteer order,
        // reading them from the sessions would jump around memory.
        let perDay = sessions.indices.map { si in
            (sessions[si].volunteer!, week.firstDay.days(to: sessions[si].record.date), si, sessions[si].countedSeconds)
        }.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var g = 0
        while g < perDay.count {
            let (vi, day, _, _) = perDay[g]
            var end = g
            var total = 0
            while end < perDay.count, perDay[end].0 == vi, perDay[end].1 == day { total += perDay[end].3; end += 1 }
            let list = perDay[g..<end].map(\.2)
            g = end
            let date = week.firstDay.adding(days: day)
            if total > rules.maxDailySeconds {
                facts.days.append(.init(volunteer: vi, date: date, total: total, counted: rules.maxDailySeconds,
                                        first: sessions[list.first!].record.source, last: sessions[list.last!].record.source))
                var excess = total - rules.maxDailySeconds
                // Take the excess from the day's latest sessions (clock order, then input order).
                let latestFirst = list.sorted { a, b in
                    let ra = sessions[a].record, rb = sessions[b].record
                    return (ra.start ?? Int.max, ra.source) > (rb.start ?? Int.max, rb.source)
                }
                for si in latestFirst where excess > 0 {
                    let cut = min(excess, sessions[si].countedSeconds)
                    sessions[si].countedSeconds -= cut
                    excess -= cut
                }
                total = rules.maxDailySeconds
            } else if total > rules.reviewDailySeconds {
                facts.days.append(.init(volunteer: vi, date: date, total: total, counted: total,
                                        first: sessions[list.first!].record.source, last: sessions[list.last!].record.source))
            }
            volunteers[vi].daily[day] += total
            volunteers[vi].seconds += total
            volunteers[vi].sessions += list.count
        }

        for i in volunteers.indices where volunteers[i].status != .partial {
            volunteers[i].status = volunteers[i].seconds >= volunteers[i].requiredSeconds ? .met : .short
            if inProgress, volunteers[i].status == .short {
                volunteers[i].status = .partial
                volunteers[i].requiredSeconds = 0
            }
        }

        // Sessions of volunteers on a roster but not active that week.
        for id in inactive.keys.sorted() {
            facts.inactive.append(.init(volunteer: ledger.index[id]!, sessions: inactive[id]!))
        }

        return WeekData(week: week, inProgress: inProgress, volunteers: volunteers, sessions: sessions, unrostered: unrostered,
                        facts: facts, ledgerIndex: rostered, positions: positions, byUnit: byUnit)
    }
}

/// A map from a few strings (the units of a campaign) to integers, searched in a list while it
/// is short: comparing a dozen Chinese names is cheaper than hashing one, which `Dictionary`
/// does with Unicode normalisation. A long list (a file full of unknown units) moves to a dictionary.
struct SmallIndex {
    private(set) var keys: [String] = []
    private var values: [Int] = []
    /// Each key's length and first six bytes in one word: most keys are told apart by that
    /// alone, so that a lookup reads the looked-up text once, not once per key.
    private var prints: [UInt64] = []
    private var large: [String: Int]?

    static func fingerprint(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { b in
            var v = UInt64(truncatingIfNeeded: b.count) << 48
            for i in 0..<min(6, b.count) { v |= UInt64(b[i]) << UInt64(8 * i) }
            return v
        }
    }

    subscript(key: String) -> Int? {
        get {
            if let large { return large[key] }
            let print = SmallIndex.fingerprint(key)
            for k in prints.indices where prints[k] == print && keys[k].sameBytes(as: key) { return values[k] }
            for k in keys.indices where keys[k] == key { return values[k] } // the same text, spelt otherwise (NFC/NFD)
            return nil
        }
        set {
            precondition(newValue != nil, "SmallIndex only adds")
            if large != nil { if large![key] == nil { keys.append(key) }; large![key] = newValue; return }
            if let k = keys.firstIndex(of: key) { values[k] = newValue!; return }
            keys.append(key)
            values.append(newValue!)
            prints.append(SmallIndex.fingerprint(key))
            if keys.count > 32 { large = Dictionary(uniqueKeysWithValues: zip(keys, values)) }
        }
    }
}
