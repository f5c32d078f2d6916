import Dispatch

/// The counting of §4 over a run of whole weeks: which sessions count, the union of each
/// volunteer's overlapping sessions, the daily cap, and each volunteer's day totals.
///
/// One week (`WeekBuilder`) and a month or a year (`Rollup`) are counted by this one sweep, so a
/// year's figures are its weeks' by construction:
///
/// - A session counts when its volunteer is on a roster and active in the session's *week* (on at
///   least one of its days), as the weekly summary lists them; other rostered volunteers' sessions
///   are facts for the inactive-volunteer rule, unrostered ones count for nobody.
/// - Overlaps: each volunteer's timed sessions are swept in clock order (then file and line), and
///   each adds only the time no earlier one covered. A session on a week's eve (the day before its
///   first day) may run past midnight into the week: it covers time there even when the volunteer
///   was not active in the eve's own week. Sessions given by `hours` alone add in full. No session
///   lasts 24 hours (`SessionTime`), so only the eve reaches into a week: sweeping a year at once
///   gives each week exactly what sweeping it alone gives.
/// - The cap: each volunteer's day is capped at `max_daily_hours`, the excess taken from the
///   day's latest sessions (clock order, then input order).
struct Counting: Sendable {
    /// One volunteer's counted seconds on one day, after the union and the cap.
    struct DayTotal: Sendable {
        /// The volunteer's number (`number` of `count`).
        var volunteer: Int32
        /// Days after the first week's first day.
        var day: Int32
        var seconds: Int
        /// Sessions dated that day that count for the volunteer (including any the union left at 0).
        var sessions: Int32
    }

    /// What the sweep counted, for the week's or the period's stages.
    struct Result: Sendable {
        /// Sessions that count, in input order; `volunteer` is the volunteer's number.
        var sessions: [Session]
        /// The teams the sessions count for (`Session.team`) and the units their records name
        /// (`Session.unit`), in the order first met.
        var teams: [String]
        var units: [String]
        /// Sessions of volunteers on no roster.
        var unrostered: [ActivityRecord]
        /// Overlaps, hours that disagree, long and capped days (volunteer numbers), and rostered
        /// volunteers' sessions in weeks they were not active (one fact per week and volunteer,
        /// week by week, by id).
        var facts: CountingFacts
        /// Sorted by volunteer number, then day.
        var days: [DayTotal]
    }

    let rules: Rules
    /// The first day of the first week counted.
    let origin: CivilDate
    let weekCount: Int

    /// Counts the ledger's sessions dated in the weeks (and on the first week's eve).
    ///
    /// - Parameter number: per ledger volunteer, the volunteer's number in the result — the order
    ///   in which volunteers' facts come out; it must be ≥ 0 for every volunteer active in a week
    ///   counted.
    func count(_ ledger: Ledger, number: [Int]) -> Result {
        let volunteers = ledger.volunteers
        let originDay = origin.dayNumber
        // Which weeks each volunteer is active in, as bits (`ActiveWeeks`): reading the volunteer,
        // or even its two dates, for each session would miss the cache.
        let activeWeeks = ActiveWeeks(volunteers, origin: origin, weekCount: weekCount)

        var facts = CountingFacts()
        let rostered = ledger.index
        let activities = ledger.activities
        var clock = Stopwatch()
        // The records gathered in parts on both cores, then joined in input order (in parts from
        // a few hundred records on, so that the roll-up tests, whose weekly references have few,
        // compare the two ways).
        let parts = activities.count < 256 ? 1 : 8
        let gathered = ConcurrentSlots<Gathered>(parts)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let range = (activities.count * p / parts)..<(activities.count * (p + 1) / parts)
            gathered[p] = gather(range, activities, rostered: rostered, number: number, activeWeeks: activeWeeks, volunteers: volunteers)
        }
        var sessions: [Session] = []
        var unrostered: [ActivityRecord] = []
        var spans: [Span] = []
        var inactive: [Int: [String: [ActivityRecord]]] = [:]
        var teams = Names(), units = Names()
        // Joined in place (room made once): a year's sessions and spans are hundreds of megabytes.
        sessions.reserveCapacity((0..<parts).reduce(0) { $0 + gathered.peek($1) { $0!.sessions.count } })
        spans.reserveCapacity((0..<parts).reduce(0) { $0 + gathered.peek($1) { $0!.spans.count } })
        for p in 0..<parts {
            var g = gathered.take(p)!
            let offset = sessions.count
            // Each part numbered its teams as it met them: renumbered in the order of all parts.
            let teamNumber = g.teams.names.map { Int32(teams.number($0)) }, unitNumber = g.units.names.map { Int32(units.number($0)) }
            for s in g.sessions {
                var s = s
                if s.team >= 0 { s.team = teamNumber[Int(s.team)] }
                if s.unit >= 0 { s.unit = unitNumber[Int(s.unit)] }
                sessions.append(s)
            }
            g.sessions = []
            unrostered += g.unrostered
            for m in g.mismatches { facts.mismatches.append(.init(session: m.session + offset, hoursSeconds: m.hoursSeconds)) }
            for var sp in g.spans {
                if sp.session >= 0 { sp.session += Int32(offset) }
                spans.append(sp)
            }
            g.spans = []
            for (k, a) in g.inactive { inactive[k, default: [:]][a.volunteerID, default: []].append(a) }
        }

        clock.lap("    sessions gathered")
        // The union: each volunteer's spans in clock order (a counting sort by volunteer, then
        // each volunteer's few sessions).
        let volunteerCount = (number.max() ?? -1) + 1
        spans = Counting.grouped(spans, by: { Int($0.volunteer) }, count: volunteerCount) { a, b in
            (a.start, a.file, a.line) < (b.start, b.file, b.line)
        }
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
                        facts.overlaps.append(.init(session: Int(sp.session), coveredBy: activities[Int(spans[coveredBy].record)].source,
                                                    seconds: min(sp.end, coveredUntil) - sp.start))
                    }
                    sessions[Int(sp.session)].countedSeconds = add
                }
                if sp.end > coveredUntil { coveredUntil = sp.end; coveredBy = k }
                k += 1
            }
        }
        spans = []
        clock.lap("    overlaps")

        // Per day: the cap, then the day's total. Sessions grouped by (volunteer, day), each day's
        // in input order.
        struct Counted { var volunteer: Int32; var day: Int32; var session: Int32; var seconds: Int }
        var perDay = [Counted]()
        perDay.reserveCapacity(sessions.count)
        for si in sessions.indices {
            let s = sessions[si]
            perDay.append(Counted(volunteer: Int32(s.volunteer), day: Int32(s.date.dayNumber - originDay), session: Int32(si),
                                  seconds: s.countedSeconds))
        }
        perDay = Counting.grouped(perDay, by: { Int($0.volunteer) }, count: volunteerCount) { a, b in (a.day, a.session) < (b.day, b.session) }
        clock.lap("    days grouped")
        var days: [DayTotal] = []
        var g = 0
        while g < perDay.count {
            let (vi, day) = (perDay[g].volunteer, perDay[g].day)
            var end = g
            var total = 0
            while end < perDay.count, perDay[end].volunteer == vi, perDay[end].day == day { total += perDay[end].seconds; end += 1 }
            let first = Int(perDay[g].session), last = Int(perDay[end - 1].session)
            let date = origin.adding(days: Int(day))
            if total > rules.maxDailySeconds {
                facts.days.append(.init(volunteer: Int(vi), date: date, total: total, counted: rules.maxDailySeconds,
                                        first: activities[Int(sessions[first].recordIndex)].source,
                                        last: activities[Int(sessions[last].recordIndex)].source))
                var excess = total - rules.maxDailySeconds
                // Take the excess from the day's latest sessions (clock order, then input order).
                let latestFirst = perDay[g..<end].map { Int($0.session) }.sorted { a, b in
                    let ra = activities[Int(sessions[a].recordIndex)], rb = activities[Int(sessions[b].recordIndex)]
                    return (ra.start ?? Int.max, ra.source) > (rb.start ?? Int.max, rb.source)
                }
                for si in latestFirst where excess > 0 {
                    let cut = min(excess, sessions[si].countedSeconds)
                    sessions[si].countedSeconds -= cut
                    excess -= cut
                }
                total = rules.maxDailySeconds
            } else if total > rules.reviewDailySeconds {
                facts.days.append(.init(volunteer: Int(vi), date: date, total: total, counted: total,
                                        first: activities[Int(sessions[first].recordIndex)].source,
                                        last: activities[Int(sessions[last].recordIndex)].source))
            }
            days.append(DayTotal(volunteer: vi, day: day, seconds: total, sessions: Int32(end - g)))
            g = end
        }

        clock.lap("    days capped")
        // Sessions of volunteers on a roster but not active that week, week by week, by id.
        for k in inactive.keys.sorted() {
            for (id, records) in inactive[k]!.sorted(by: { $0.key < $1.key }) {
                facts.inactive.append(.init(volunteer: rostered[id]!, sessions: records))
            }
        }
        return Result(sessions: sessions, teams: teams.names, units: units.names, unrostered: unrostered, facts: facts, days: days)
    }

    /// A timed session as plain integers, so that no record or string is touched in the sweep.
    /// `session` is -1 for a session on a week's eve that covers time in the week only.
    /// 32 bytes: a year has millions (its length fits 32 bits, as no session lasts a day).
    struct Span {
        var volunteer: Int32
        var session: Int32
        var record: Int32
        var file: Int32
        var start: Int
        private var length: Int32
        private var lineNumber: Int32

        init(volunteer: Int32, session: Int32, record: Int32, file: Int32, start: Int, end: Int, line: Int) {
            self.volunteer = volunteer
            self.session = session
            self.record = record
            self.file = file
            self.start = start
            length = Int32(clamping: end - start)
            lineNumber = Int32(clamping: line)
        }

        var end: Int { start + Int(length) }
        var line: Int { Int(lineNumber) }
    }

    /// What one part of the records holds for the sweep; sessions numbered within the part.
    struct Gathered {
        var sessions: [Session] = []
        /// The teams and units of `sessions`, numbered as this part met them.
        var teams = Names(), units = Names()
        var mismatches: [CountingFacts.HoursMismatch] = []
        var spans: [Span] = []
        var unrostered: [ActivityRecord] = []
        /// Sessions of rostered volunteers in a week they were not active, with the week.
        var inactive: [(Int, ActivityRecord)] = []
    }

    /// Sorts the records of `range` into sessions that count (a rostered volunteer active in the
    /// session's week), sessions of volunteers not active that week, unrostered ones, and the
    /// spans the union sweeps (a week's eve included).
    /// Each record's volunteer is looked up here, where its record is read anyway: a pass of its
    /// own read each of a year's millions of records (a cache miss each) a second time.
    private func gather(_ range: Range<Int>, _ activities: [ActivityRecord], rostered: [String: Int], number: [Int], activeWeeks: ActiveWeeks,
                        volunteers: [Volunteer]) -> Gathered {
        let originDay = origin.dayNumber
        func active(_ li: Int, _ k: Int) -> Bool { activeWeeks.contains(volunteer: li, week: k) }
        var out = Gathered()
        // Room for every record of the range (a year's are nearly all sessions, most timed): grown
        // by doubling, the arrays would be copied and left half empty.
        out.sessions.reserveCapacity(range.count)
        out.spans.reserveCapacity(range.count)
        for ai in range {
            let a = activities[ai]
            let offset = a.date.dayNumber - originDay
            let k = Counting.floorDiv(offset, 7)
            // Timed and on the last day of week k: the eve of week k + 1.
            let eve = a.start != nil && offset - 7 * k == 6 && k + 1 < weekCount
            guard k >= -1, k < weekCount, k >= 0 || eve else { continue }
            let li = rostered[a.volunteerID]
            func span(_ li: Int, session: Int) {
                let t = a.date.dayNumber * 86_400 + a.start!
                out.spans.append(Span(volunteer: Int32(number[li]), session: Int32(session), record: Int32(ai), file: Int32(a.source.fileIndex),
                                      start: t, end: t + a.seconds, line: a.source.line))
            }
            guard k >= 0 else {
                if let li, active(li, 0) { span(li, session: -1) }
                continue
            }
            guard let li else { out.unrostered.append(a); continue }
            guard active(li, k) else {
                out.inactive.append((k, a))
                if eve, active(li, k + 1) { span(li, session: -1) }
                continue
            }
            let team = Counting.team(of: a, volunteer: volunteers[li])
            let seconds = a.seconds
            out.sessions.append(Session(recordIndex: Int32(ai), team: team.map { Int32(out.teams.number($0)) } ?? -1,
                                        unit: a.unit.map { Int32(out.units.number($0)) } ?? -1, volunteer: number[li], date: a.date,
                                        countedSeconds: seconds))
            if let h = a.hours, a.start != nil, abs(h - seconds) > 60 {
                out.mismatches.append(.init(session: out.sessions.count - 1, hoursSeconds: h))
            }
            if a.start != nil { span(li, session: out.sessions.count - 1) }
        }
        return out
    }

    /// `items` grouped by `key` (0..<count) in a stable counting sort (each group in the items'
    /// order), each group then sorted by `within` when given: the volunteers' groups are small,
    /// so this is linear in practice.
    static func grouped<T>(_ items: [T], by key: (T) -> Int, count: Int, within: ((T, T) -> Bool)? = nil) -> [T] {
        guard !items.isEmpty else { return items }
        var starts = [Int](repeating: 0, count: count + 1)
        for x in items { starts[key(x) + 1] += 1 }
        for i in 0..<count { starts[i + 1] += starts[i] }
        var next = starts
        var out = [T](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            for x in items {
                let k = key(x)
                (buffer.baseAddress! + next[k]).initialize(to: x)
                next[k] += 1
            }
            initialized = items.count
        }
        if let within {
            for v in 0..<count where starts[v + 1] - starts[v] > 1 { out[starts[v]..<starts[v + 1]].sort(by: within) }
        }
        return out
    }

    /// Per volunteer, the weeks counted in which it is active (`VolunteerWeek.isActive`), one bit
    /// per week: a year's sessions look it up millions of times.
    struct ActiveWeeks: Sendable {
        private let words: Int
        private let bits: [UInt64]

        init(_ volunteers: [Volunteer], origin: CivilDate, weekCount: Int) {
            let words = (weekCount + 63) / 64
            var bits = [UInt64](repeating: 0, count: volunteers.count * words)
            for (li, v) in volunteers.enumerated() {
                for k in 0..<weekCount {
                    let first = origin.adding(days: 7 * k)
                    if VolunteerWeek.isActive(from: v.activeFrom, until: v.activeUntil, first: first, last: first.adding(days: 6)) {
                        bits[li * words + k / 64] |= 1 << UInt64(k % 64)
                    }
                }
            }
            self.words = words
            self.bits = bits
        }

        func contains(volunteer li: Int, week k: Int) -> Bool { bits[li * words + k / 64] >> UInt64(k % 64) & 1 == 1 }
    }

    /// The team a session counts for: its own `team`, else its volunteer's only team (the
    /// volunteer read only when the record names none), spelt as there.
    static func team(of record: ActivityRecord, volunteer: @autoclosure () -> Volunteer) -> String? {
        if let own = record.team { return own }
        let teams = volunteer().teams
        return teams.count == 1 ? teams[0] : nil
    }

    /// Names (of teams, of units) numbered in the order first met. A year names a few teams and
    /// units millions of times: they are compared byte for byte (`SmallIndex`), not hashed.
    struct Names {
        private var index = SmallIndex()
        private(set) var names: [String] = []

        mutating func number(_ name: String) -> Int {
            if let k = index[name] { return k }
            index[name] = names.count
            names.append(name)
            return names.count - 1
        }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
