import CFastBytes
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
    ///
    /// Three steps, each on every core: the records are sorted into sessions and spans in parts
    /// of the input (`gather`); the parts' sessions are joined in input order while their spans are
    /// placed volunteer by volunteer (a counting sort: each part knows how many spans each
    /// volunteer has in it); then each volunteer's spans are swept once, in clock order, for the
    /// union, the days and the cap (`sweep`), volunteers in ranges. A year is millions of
    /// sessions: no step of it runs on one core.
    /// - Parameter order: the ledger's volunteers in the reports' order, whose days on the roster
    ///   (`VolunteerOrder.fromDay`, `untilDay`) it read once: not read from each volunteer again.
    func count(_ ledger: Ledger, number: [Int], order: VolunteerOrder, lookup: VolunteerLookup = .bySize) -> Result {
        let volunteers = ledger.volunteers
        // Each volunteer's number and days on the roster in one place (`VolunteerSlot`): reading
        // the volunteer's box for each session would miss the cache.
        let slots = volunteers.indices.map { VolunteerSlot(number: number[$0], fromDay: order.fromDay[$0], untilDay: order.untilDay[$0]) }
        let rostered = ledger.index
        let byTable = lookup.byTable(records: ledger.activities.count, volunteers: volunteers.count)
        let table = byTable ? VolunteerTable(rostered, slots: slots) : nil
        let activities = ledger.activities
        let volunteerCount = (number.max() ?? -1) + 1
        // A span's clock is 32-bit seconds from the origin (`Span`): 68 years, where a year's
        // roll-up needs 54 weeks.
        precondition((weekCount + 1) * 7 * 86_400 < Int(Int32.max), "a period of \(weekCount) weeks is too long to count")
        var clock = Stopwatch()
        // In parts from a few hundred records on, so that the roll-up tests, whose weekly
        // references have few, compare the two ways.
        let parts = activities.count < 256 ? 1 : 8
        let gathered = ConcurrentSlots<Gathered>(parts)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let range = (activities.count * p / parts)..<(activities.count * (p + 1) / parts)
            gathered[p] = table.map { gather(range, activities, finder: $0, volunteers: volunteers, volunteerCount: volunteerCount) }
                ?? gather(range, activities, finder: IndexFinder(index: rostered, slots: slots), volunteers: volunteers, volunteerCount: volunteerCount)
        }
        clock.lap("    sessions gathered")

        // Where each part's sessions go, and its teams and units numbered in the order of all parts.
        var facts = CountingFacts()
        var teams = Names(), units = Names()
        var firstSession = [0]
        var teamNumbers: [[Int32]] = [], unitNumbers: [[Int32]] = []
        var unrostered: [ActivityRecord] = []
        var inactive: [Int: [String: [ActivityRecord]]] = [:]
        // Where each part's spans of each volunteer go (`place`): volunteer by volunteer, each
        // volunteer's in input order.
        var placed: [[Int32]] = []
        for p in 0..<parts {
            var g = gathered.take(p)!
            firstSession.append(firstSession[p] + g.sessions.count)
            teamNumbers.append(g.teams.names.map { Int32(teams.number($0)) })
            unitNumbers.append(g.units.names.map { Int32(units.number($0)) })
            for m in g.mismatches { facts.mismatches.append(.init(session: m.session + firstSession[p], hoursSeconds: m.hoursSeconds)) }
            unrostered += g.unrostered
            for (k, a) in g.inactive { inactive[k, default: [:]][a.volunteerID, default: []].append(a) }
            placed.append(g.spansPerVolunteer)
            (g.unrostered, g.inactive, g.spansPerVolunteer) = ([], [], [])
            gathered[p] = g
        }
        let firstSpan = Counting.place(&placed, volunteers: volunteerCount), at = firstSpan[volunteerCount]
        let places = placed, firsts = firstSession, teamsOf = teamNumbers, unitsOf = unitNumbers, spanFirsts = firstSpan
        // The spans are needed only until they are swept; each part is let go once it is placed.
        let spans = UnsafeMutableBufferPointer<Span>.allocate(capacity: at)
        // What each session counts, in 4 bytes a session: as gathered, then as the sweep closes
        // its day (`closeDay`), then copied into the sessions in order.
        let counted = UnsafeMutableBufferPointer<Int32>.allocate(capacity: firstSession[parts])
        var swept: [Swept] = []
        let sessions = [Session](unsafeUninitializedCapacity: firstSession[parts]) { buffer, initialized in
            let out = UnsafeSendable((sessions: buffer, spans: spans, counted: counted))
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let g = gathered.take(p)!
                var s = firsts[p]
                for var session in g.sessions {
                    if session.team >= 0 { session.team = teamsOf[p][Int(session.team)] }
                    if session.unit >= 0 { session.unit = unitsOf[p][Int(session.unit)] }
                    (out.value.sessions.baseAddress! + s).initialize(to: session)
                    out.value.counted[s] = Int32(clamping: session.countedSeconds)
                    s += 1
                }
                var next = places[p]
                let offset = Int32(firsts[p])
                for var span in g.spans {
                    if span.session >= 0 { span.session += offset }
                    let v = Int(span.volunteer)
                    (out.value.spans.baseAddress! + Int(next[v])).initialize(to: span)
                    next[v] += 1
                }
            }
            initialized = firsts[parts]
            clock.lap("    sessions joined, spans placed")
            // Each volunteer's spans swept in ranges of volunteers, each range's facts in order.
            let ranges = volunteerCount == 0 ? 0 : min(volunteerCount, 4 * parts)
            let results = ConcurrentSlots<Swept>(ranges)
            DispatchQueue.concurrentPerform(iterations: ranges) { r in
                let vs = (volunteerCount * r / ranges)..<(volunteerCount * (r + 1) / ranges)
                results[r] = sweep(vs, firstSpan: spanFirsts, spans: out.value.spans, sessions: out.value.sessions, counted: out.value.counted,
                                   activities: activities)
            }
            swept = (0..<ranges).map { results.take($0)! }
            let total = firsts[parts]
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                for s in (total * p / parts)..<(total * (p + 1) / parts) { out.value.sessions[s].countedSeconds = Int(out.value.counted[s]) }
            }
        }
        spans.deallocate()
        counted.deallocate()
        var days: [DayTotal] = []
        days.reserveCapacity(swept.reduce(0) { $0 + $1.days.count })
        for r in swept.indices {
            days += swept[r].days
            facts.overlaps += swept[r].overlaps
            facts.days += swept[r].flaggedDays
            swept[r] = Swept()
        }
        clock.lap("    union, days and cap")
        // Sessions of volunteers on a roster but not active that week, week by week, by id.
        for k in inactive.keys.sorted() {
            for (id, records) in inactive[k]!.sorted(by: { $0.key < $1.key }) {
                facts.inactive.append(.init(volunteer: rostered[id]!, sessions: records))
            }
        }
        return Result(sessions: sessions, teams: teams.names, units: units.names, unrostered: unrostered, facts: facts, days: days)
    }

    /// The prefix sums of a counting sort in parts: given how many spans each part holds of each
    /// volunteer (`counts[p][v]`), turns each count into the place of part p's first span of v —
    /// volunteer by volunteer, each volunteer's parts in order — and returns where each
    /// volunteer's spans begin (and, last, their total).
    static func place(_ counts: inout [[Int32]], volunteers: Int) -> [Int] {
        var first = [Int](repeating: 0, count: volunteers + 1)
        var at = 0
        for v in 0..<volunteers {
            first[v] = at
            for p in counts.indices {
                let n = Int(counts[p][v])
                counts[p][v] = Int32(at)
                at += n
            }
        }
        first[volunteers] = at
        return first
    }

    /// What the sweep of a range of volunteers found, in volunteer order.
    struct Swept {
        var days: [DayTotal] = []
        var overlaps: [CountingFacts.Overlap] = []
        var flaggedDays: [CountingFacts.Day] = []
    }

    /// The union, the days and the cap of the volunteers `range`, whose spans (`firstSpan[v]..<
    /// firstSpan[v + 1]`) are in input order: each volunteer's are sorted into clock order (then
    /// file and line) and swept once. A timed session adds only the time no earlier one covered; a
    /// day's sessions (all before the next day's, in clock order) are then totalled and capped.
    private func sweep(_ range: Range<Int>, firstSpan: [Int], spans: UnsafeMutableBufferPointer<Span>,
                       sessions: UnsafeMutableBufferPointer<Session>, counted: UnsafeMutableBufferPointer<Int32>,
                       activities: [ActivityRecord]) -> Swept {
        var out = Swept()
        // A day per span at most: room made once, not grown by doubling (a year's ranges would
        // leave their outgrown arrays behind in the allocator's arenas of the threads).
        out.days.reserveCapacity(firstSpan[range.upperBound] - firstSpan[range.lowerBound])
        for v in range {
            var mine = UnsafeMutableBufferPointer(rebasing: spans[firstSpan[v]..<firstSpan[v + 1]])
            guard !mine.isEmpty else { continue }
            if mine.count > 1 { mine.sort { ($0.start, $0.file, $0.line, $0.record) < ($1.start, $1.file, $1.line, $1.record) } }
            var coveredUntil = Int.min
            var coveredBy = -1
            var dayFirst = 0
            for k in mine.indices {
                let sp = mine[k]
                if sp.isTimed {
                    let add = max(0, sp.end - max(sp.start, coveredUntil))
                    if sp.session >= 0 {
                        if sp.start < coveredUntil, coveredBy >= 0 {
                            out.overlaps.append(.init(session: Int(sp.session), coveredBy: activities[Int(mine[coveredBy].record)].source,
                                                      seconds: min(sp.end, coveredUntil) - sp.start))
                        }
                    }
                    mine[k].counted = add
                    if sp.end > coveredUntil { coveredUntil = sp.end; coveredBy = k }
                } else {
                    mine[k].counted = sp.end - sp.start
                }
                if k + 1 == mine.count || mine[k + 1].day != sp.day {
                    closeDay(UnsafeMutableBufferPointer(rebasing: mine[dayFirst...k]), volunteer: Int32(v), sessions: sessions,
                             counted: counted, activities: activities, into: &out)
                    dayFirst = k + 1
                }
            }
        }
        return out
    }

    /// One volunteer's day: its sessions' total after the union, capped at `max_daily_hours` (the
    /// excess taken from the day's latest sessions: clock order, then input order; sessions given
    /// by hours alone count as latest), flagged above the review line.
    ///
    /// The day's spans hold what each session counts (`Span.counted`, set by the sweep); each
    /// session's figure is written once, when its day is closed, into `counted` (4 bytes a
    /// session, copied into the sessions in order after the sweep): reading it back from the
    /// sessions, which lie in input order while the spans lie by volunteer, missed the cache at
    /// every session (nine tenths of a year's closing of days), and writing it there missed it too.
    private func closeDay(_ day: UnsafeMutableBufferPointer<Span>, volunteer: Int32, sessions: UnsafeMutableBufferPointer<Session>,
                          counted: UnsafeMutableBufferPointer<Int32>, activities: [ActivityRecord], into out: inout Swept) {
        var total = 0, count = 0
        var first = Int.max, last = -1
        for sp in day where sp.session >= 0 {
            total += sp.counted
            count += 1
            first = min(first, Int(sp.session))
            last = max(last, Int(sp.session))
        }
        guard count > 0 else { return }
        defer { for sp in day where sp.session >= 0 { counted[Int(sp.session)] = Int32(sp.counted) } }
        let dayNumber = day[0].day
        let date = origin.adding(days: dayNumber)
        func source(_ session: Int) -> SourceLine { activities[Int(sessions[session].recordIndex)].source }
        if total > rules.maxDailySeconds {
            var capped = CountingFacts.Day(volunteer: Int(volunteer), date: date, total: total, counted: rules.maxDailySeconds,
                                           first: source(first), last: source(last))
            var excess = total - rules.maxDailySeconds
            let latestFirst = day.indices.filter { day[$0].session >= 0 }.sorted { i, j in
                let a = day[i], b = day[j]
                return (a.isTimed ? a.start : Int.max, a.file, a.line, a.record) > (b.isTimed ? b.start : Int.max, b.file, b.line, b.record)
            }
            for k in latestFirst where excess > 0 {
                let cut = min(excess, day[k].counted)
                if cut > 0, capped.cut == nil { capped.cut = source(Int(day[k].session)) }
                day[k].counted -= cut
                excess -= cut
            }
            out.flaggedDays.append(capped)
            total = rules.maxDailySeconds
        } else if total > rules.reviewDailySeconds {
            out.flaggedDays.append(.init(volunteer: Int(volunteer), date: date, total: total, counted: total,
                                         first: source(first), last: source(last)))
        }
        out.days.append(DayTotal(volunteer: volunteer, day: Int32(dayNumber), seconds: total, sessions: Int32(count)))
    }

    /// A session, or a timed session on a week's eve that covers time in the week only
    /// (`session` -1), as plain integers, so that no record or string is touched in the sweep.
    /// 32 bytes: a year has millions. Its clock is counted in seconds from the first week's first
    /// midnight (a year is 32 million of them, and no session lasts a day).
    struct Span {
        /// The volunteer's number while the spans are gathered and placed by volunteer; then, in
        /// the sweep, which reads them volunteer by volunteer, the seconds the span counts
        /// (`counted`): the span stays 32 bytes.
        private var slot: Int32
        var session: Int32
        var record: Int32
        var file: Int32
        var line: Int32
        private var clock: Int32
        private var length: Int32
        let isTimed: Bool

        init(volunteer: Int32, session: Int32, record: Int32, source: SourceLine, day: Int, start: Int?, seconds: Int) {
            slot = volunteer
            self.session = session
            self.record = record
            file = Int32(clamping: source.fileIndex)
            line = Int32(clamping: source.line)
            clock = Int32(clamping: day * 86_400 + (start ?? 0))
            length = Int32(clamping: seconds)
            isTimed = start != nil
        }

        /// The volunteer's number (until the sweep).
        var volunteer: Int32 { slot }
        /// The seconds the span counts after the union and the cap (in the sweep; less than a day).
        var counted: Int {
            get { Int(slot) }
            set { slot = Int32(clamping: newValue) }
        }
        /// Seconds from the origin's midnight to the start; a session given by hours alone starts
        /// at its day's midnight here and takes no part in the union.
        var start: Int { Int(clock) }
        var end: Int { Int(clock) + Int(length) }
        /// Days after the origin.
        var day: Int { Counting.floorDiv(Int(clock), 86_400) }
    }

    /// What one part of the records holds for the sweep; sessions numbered within the part.
    struct Gathered {
        var sessions: [Session] = []
        /// The teams and units of `sessions`, numbered as this part met them.
        var teams = Names(), units = Names()
        var mismatches: [CountingFacts.HoursMismatch] = []
        /// A span per session, and per timed session on a week's eve that reaches into the week.
        var spans: [Span] = []
        /// Per volunteer number, how many of `spans` are the volunteer's.
        var spansPerVolunteer: [Int32] = []
        var unrostered: [ActivityRecord] = []
        /// Sessions of rostered volunteers in a week they were not active, with the week.
        var inactive: [(Int, ActivityRecord)] = []
    }

    /// Sorts the records of `range` into sessions that count (a rostered volunteer active in the
    /// session's week), sessions of volunteers not active that week, unrostered ones, and the
    /// spans the sweep reads (a week's eve included).
    /// Each record's volunteer is looked up here, where its record is read anyway: a pass of its
    /// own read each of a year's millions of records (a cache miss each) a second time. The
    /// lookup of the record eight ahead is asked for first (`VolunteerFinder.prefetch`), so that
    /// its line of the table is on its way while this one is gathered; its id's hash is kept
    /// for its turn, in a ring of eight.
    private func gather<Finder: VolunteerFinder>(_ range: Range<Int>, _ activities: [ActivityRecord], finder: Finder,
                                                 volunteers: [Volunteer], volunteerCount: Int) -> Gathered {
        let originDay = origin.dayNumber
        func active(_ found: Found, _ k: Int) -> Bool { found.slot.isActive(inWeekFrom: originDay + 7 * k) }
        var out = Gathered()
        // Room for every record of the range (a year's are nearly all sessions): grown by
        // doubling, the arrays would be copied and left half empty.
        out.sessions.reserveCapacity(range.count)
        out.spans.reserveCapacity(range.count)
        let ahead = 8
        var hashes = [Int](repeating: 0, count: ahead)
        for ai in range.prefix(ahead) { hashes[ai % ahead] = finder.prefetch(activities[ai].volunteerID) }
        for ai in range {
            let hash = hashes[ai % ahead]
            if ai + ahead < range.upperBound { hashes[ai % ahead] = finder.prefetch(activities[ai + ahead].volunteerID) }
            let a = activities[ai]
            let offset = a.date.dayNumber - originDay
            let k = Counting.floorDiv(offset, 7)
            // Timed and on the last day of week k: the eve of week k + 1.
            let eve = a.start != nil && offset - 7 * k == 6 && k + 1 < weekCount
            guard k >= -1, k < weekCount, k >= 0 || eve else { continue }
            let found = finder.find(a.volunteerID, hash: hash)
            // The record's span, made here and appended by the caller: a local function that
            // appended it itself would capture `out`, and every access to `out` in the loop would
            // then be checked for exclusivity at run time (a tenth of a year's gathering).
            func span(_ volunteer: Found, session: Int) -> Span {
                Span(volunteer: volunteer.slot.number, session: Int32(session), record: Int32(ai), source: a.source, day: offset,
                     start: a.start, seconds: a.seconds)
            }
            guard k >= 0 else {
                if let found, active(found, 0) { out.spans.append(span(found, session: -1)) }
                continue
            }
            guard let found else { out.unrostered.append(a); continue }
            guard active(found, k) else {
                out.inactive.append((k, a))
                if eve, active(found, k + 1) { out.spans.append(span(found, session: -1)) }
                continue
            }
            let team = Counting.team(of: a, volunteer: volunteers[Int(found.ledger)])
            let seconds = a.seconds
            out.sessions.append(Session(recordIndex: Int32(ai), team: team.map { Int32(out.teams.number($0)) } ?? -1,
                                        unit: a.unit.map { Int32(out.units.number($0)) } ?? -1, volunteer: Int(found.slot.number), date: a.date,
                                        countedSeconds: seconds))
            if let h = a.hours, a.start != nil, abs(h - seconds) > 60 {
                out.mismatches.append(.init(session: out.sessions.count - 1, hoursSeconds: h))
            }
            out.spans.append(span(found, session: out.sessions.count - 1))
        }
        // Counted after the loop, not in it: there the counts missed the cache among the records,
        // the names and the volunteers (a fifth of the loop's time in a year).
        out.spansPerVolunteer = [Int32](repeating: 0, count: volunteerCount)
        for sp in out.spans { out.spansPerVolunteer[Int(sp.volunteer)] += 1 }
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

    /// What the counting reads of a ledger volunteer for each of its sessions, in 12 bytes: its
    /// number and the days it is on the roster (an open end as `Int32.min` or `.max`). One
    /// array, so that a session's volunteer costs one cache miss, not one per fact: a year looks
    /// up millions at random.
    struct VolunteerSlot: Sendable {
        var number: Int32
        var fromDay: Int32
        var untilDay: Int32

        init(number: Int32, fromDay: Int32, untilDay: Int32) {
            self.number = number
            self.fromDay = fromDay
            self.untilDay = untilDay
        }

        /// From day numbers as `VolunteerOrder` keeps them (an open end `Int.min` or `.max`).
        init(number: Int, fromDay: Int, untilDay: Int) {
            self.init(number: Int32(number), fromDay: Int32(clamping: fromDay), untilDay: Int32(clamping: untilDay))
        }

        /// Active on at least one day of the week that starts on `firstDay` (`VolunteerWeek.isActive`).
        func isActive(inWeekFrom firstDay: Int) -> Bool {
            VolunteerWeek.isActive(fromDay: Int(fromDay), untilDay: Int(untilDay), firstDay: firstDay, lastDay: firstDay + 6)
        }
    }

    /// A volunteer the counting found by id: its place in the ledger and what the counting
    /// reads of it.
    struct Found {
        var slot: VolunteerSlot
        var ledger: Int32
    }

    /// How the counting finds each session's volunteer by id. Both find what `Ledger.index`
    /// finds; they differ only in speed.
    enum VolunteerLookup: Sendable {
        /// `VolunteerTable` when the records are many against the volunteers (a month, a year),
        /// else the ledger's own index: the table costs its making (an allocation the system
        /// hands out fresh, 100,000 ids hashed), which a week's few sessions a volunteer do not
        /// repay.
        case bySize
        case table, index

        func byTable(records: Int, volunteers: Int) -> Bool {
            switch self {
            case .table: return true
            case .index: return false
            case .bySize: return records >= 3 * volunteers && volunteers > 0
            }
        }
    }

    /// What finds a session's volunteer by id (`VolunteerLookup`).
    protocol VolunteerFinder {
        /// Asks for the memory a later `find` of this id reads, and returns the id's hash for
        /// it (the id read, and hashed, only by a finder that uses them).
        func prefetch(_ id: @autoclosure () -> String) -> Int
        /// The volunteer of `id`, whose `prefetch` returned `hash`.
        func find(_ id: String, hash: Int) -> Found?
    }

    /// The ledger's index (`Ledger.index`) and the slots by ledger volunteer: two lookups.
    struct IndexFinder: VolunteerFinder {
        let index: [String: Int]
        let slots: [VolunteerSlot]

        @inline(__always)
        func find(_ id: String, hash: Int) -> Found? {
            guard let li = index[id] else { return nil }
            return Found(slot: slots[li], ledger: Int32(li))
        }

        func prefetch(_ id: @autoclosure () -> String) -> Int { 0 }
    }

    /// The roster's ids each beside its volunteer's slot and place in the ledger, in one open
    /// table of 32-byte entries: a lookup reads one line of memory, where the ledger's index (its
    /// ids, then its values) and then the slots read three at random — two thirds of a year's
    /// gathering waited on them. Hashed and compared as `Dictionary` hashes and compares (the
    /// run's seeded `Hasher`, so that no roster can be spelt to collide; `==`, so that a
    /// decomposed spelling finds its composed id): it finds exactly what the ledger's index finds.
    struct VolunteerTable: VolunteerFinder {
        struct Entry {
            var id: String
            var found: Found
        }
        private var entries: [Entry]
        private let mask: Int

        init(_ index: [String: Int], slots: [VolunteerSlot]) {
            // At most three quarters full: a probe that finds reads one or two entries.
            var capacity = 16
            while capacity * 3 < index.count * 4 { capacity *= 2 }
            mask = capacity - 1
            let empty = Entry(id: "", found: Found(slot: VolunteerSlot(number: -1, fromDay: 0, untilDay: 0), ledger: -1))
            entries = [Entry](repeating: empty, count: capacity)
            for (id, li) in index {
                var at = id.hashValue & mask
                while entries[at].found.ledger >= 0 { at = (at + 1) & mask }
                entries[at] = Entry(id: id, found: Found(slot: slots[li], ledger: Int32(li)))
            }
        }

        @inline(__always)
        func find(_ id: String, hash: Int) -> Found? {
            var at = hash & mask
            while true {
                let ledger = entries[at].found.ledger
                if ledger < 0 { return nil }
                if entries[at].id == id { return entries[at].found }
                at = (at + 1) & mask
            }
        }

        @inline(__always)
        func prefetch(_ id: @autoclosure () -> String) -> Int {
            let hash = id().hashValue
            entries.withUnsafeBufferPointer { fh_prefetch($0.baseAddress! + (hash & mask)) }
            return hash
        }
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
