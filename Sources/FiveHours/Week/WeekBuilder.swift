/// Builds one week (§4 "Counting") from the settled ledger: its volunteers, and what
/// `Counting` counts over its seven days.
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
        let rules = campaign.rules
        let order = VolunteerOrder(ledger, campaign: campaign)
        let keyed = order.active(from: week.firstDay, to: week.lastDay)
        var positions = Array(repeating: -1, count: ledger.volunteers.count)
        for (i, li) in keyed.enumerated() { positions[li] = i }
        let byUnit = order.byUnit(keyed)
        // One array of zeros shared by every volunteer until a session is added to one.
        let noDays = Array(repeating: 0, count: 7)
        // Each volunteer's week made in the ledger's order and put in its place in the week's
        // (`VolunteerOrder.inPlaces`); `keyed` holds each volunteer once.
        var volunteers = VolunteerOrder.inPlaces(positions, count: keyed.count) { li in
            let partial = VolunteerWeek.isPartial(fromDay: order.fromDay[li], untilDay: order.untilDay[li], in: week)
            return VolunteerWeek(volunteer: ledger.volunteers[li], seconds: 0, requiredSeconds: partial ? 0 : rules.weeklySeconds,
                                 status: partial ? .partial : .short, daily: noDays, sessions: 0, goalSeconds: partial ? 0 : rules.weeklySeconds)
        }

        let counted = Counting(rules: rules, origin: week.firstDay, weekCount: 1).count(ledger, number: positions, order: order)
        for d in counted.days {
            let vi = Int(d.volunteer)
            volunteers[vi].daily[Int(d.day)] += d.seconds
            volunteers[vi].seconds += d.seconds
            volunteers[vi].sessions += Int(d.sessions)
        }
        for i in volunteers.indices where volunteers[i].status != .partial {
            volunteers[i].status = VolunteerWeek.status(seconds: volunteers[i].seconds, required: volunteers[i].requiredSeconds)
            if inProgress, volunteers[i].status == .short {
                volunteers[i].status = .partial
                volunteers[i].requiredSeconds = 0
            }
        }
        return WeekData(week: week, inProgress: inProgress, volunteers: volunteers, sessions: counted.sessions, records: ledger.activities, teams: counted.teams, units: counted.units, unrostered: counted.unrostered,
                        facts: counted.facts, ledgerIndex: ledger.index, positions: positions, byUnit: byUnit)
    }
}

/// The order in which reports list volunteers: by unit — the campaign file's units first, then
/// units it does not know by name — and within a unit in roster order. Sorted by integer keys,
/// not by comparing the volunteers themselves, which would copy their strings.
struct VolunteerOrder: Sendable {
    /// Per ledger volunteer, its unit's place in that order.
    let unitRank: [Int]
    /// Every ledger volunteer's index, in order.
    let all: [Int]
    let volunteers: [Volunteer]
    /// Per ledger volunteer, its first and last day on the roster as day numbers (an open end
    /// `.min` or `.max`): read from each volunteer once, in the ledger's order, for the weeks'
    /// questions of who is active (asked in the reports' order, they missed the cache).
    let fromDay: [Int], untilDay: [Int]
    /// Per ledger volunteer, marked as its unit's liaison: read with the days.
    let isLiaison: [Bool]
    /// How many units the campaign file lists: the ranks below are theirs.
    let listedUnits: Int

    /// The place of a ledger volunteer's unit among the campaign file's units (its first, when
    /// the file names it twice), -1 for a unit the file does not list: known here without
    /// reading the volunteer again (a box a volunteer, 100,000 of them at random).
    func campaignUnit(_ li: Int) -> Int { unitRank[li] < listedUnits ? unitRank[li] : -1 }

    init(_ ledger: Ledger, campaign: Campaign) {
        var rank = SmallIndex()
        for (i, u) in campaign.units.enumerated() where rank[u.name] == nil { rank[u.name] = i }
        var unknown = SmallIndex()
        for v in ledger.volunteers where rank[v.unit] == nil && unknown[v.unit] == nil { unknown[v.unit] = 0 }
        for (i, u) in unknown.keys.sorted().enumerated() { rank[u] = campaign.units.count + i }
        var unitRank: [Int] = [], fromDay: [Int] = [], untilDay: [Int] = [], isLiaison: [Bool] = []
        unitRank.reserveCapacity(ledger.volunteers.count)
        fromDay.reserveCapacity(ledger.volunteers.count)
        untilDay.reserveCapacity(ledger.volunteers.count)
        isLiaison.reserveCapacity(ledger.volunteers.count)
        for v in ledger.volunteers {
            unitRank.append(rank[v.unit]!)
            fromDay.append(v.activeFrom?.dayNumber ?? .min)
            untilDay.append(v.activeUntil?.dayNumber ?? .max)
            isLiaison.append(v.isLiaison)
        }
        self.unitRank = unitRank
        self.fromDay = fromDay
        self.untilDay = untilDay
        self.isLiaison = isLiaison
        all = ledger.volunteers.indices.sorted { (unitRank[$0], $0) < (unitRank[$1], $1) }
        volunteers = ledger.volunteers
        listedUnits = campaign.units.count
    }

    /// Per unit, the places in `listed` (ledger indexes in this order) of its volunteers. The
    /// volunteers come sorted by unit: each unit's run is gathered, then stored once, rather than
    /// hashing its name for every volunteer.
    func byUnit(_ listed: [Int]) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        var run: (rank: Int, unit: String, members: [Int]) = (-1, "", [])
        for (i, li) in listed.enumerated() {
            let rank = unitRank[li]
            if rank != run.rank {
                if run.rank >= 0 { out[run.unit, default: []] += run.members }
                run = (rank, volunteers[li].unit, [])
            }
            run.members.append(i)
        }
        if run.rank >= 0 { out[run.unit, default: []] += run.members }
        return out
    }

    /// A value made for each ledger volunteer that has a place (`place[li]`, -1 for none), put
    /// at its place: made in the ledger's order — the order the volunteers' boxes lie in memory
    /// — where making them in the reports' order (by unit) missed the cache once a volunteer.
    /// The places must be `0..<count`, each once.
    static func inPlaces<T>(_ place: [Int], count: Int, _ make: (Int) -> T) -> [T] {
        // Each place checked before it is filled: a place given twice would leave another empty
        // (and the array would hold memory never written).
        var filled = [Bool](repeating: false, count: count)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            var made = 0
            for li in place.indices where place[li] >= 0 {
                precondition(place[li] < count && !filled[place[li]], "a place beyond the list, or given twice")
                filled[place[li]] = true
                (buffer.baseAddress! + place[li]).initialize(to: make(li))
                made += 1
            }
            precondition(made == count, "a place of the list left empty")
            initialized = count
        }
    }

    /// The volunteers active on at least one day of `first … last`, in order.
    func active(from first: CivilDate, to last: CivilDate) -> [Int] {
        all.filter { li in VolunteerWeek.isActive(fromDay: fromDay[li], untilDay: untilDay[li], firstDay: first.dayNumber, lastDay: last.dayNumber) }
    }
}

extension VolunteerWeek {
    /// Active on at least one day of `first … last` (joined by its end, not left before its
    /// start): listed that week, or that month or year.
    static func isActive(from: CivilDate?, until: CivilDate?, first: CivilDate, last: CivilDate) -> Bool {
        isActive(fromDay: from?.dayNumber ?? .min, untilDay: until?.dayNumber ?? .max, firstDay: first.dayNumber, lastDay: last.dayNumber)
    }

    /// The same, on day numbers (an open end is `.min` or `.max`): what the counting keeps per
    /// volunteer, in a few bytes.
    @inline(__always)
    static func isActive(fromDay: Int, untilDay: Int, firstDay: Int, lastDay: Int) -> Bool {
        !(fromDay > lastDay || untilDay < firstDay)
    }

    /// Active for only part of the week (joined after its first day or left before its last):
    /// held to nothing that week.
    static func isPartial(from: CivilDate?, until: CivilDate?, in week: Week) -> Bool {
        isPartial(fromDay: from?.dayNumber ?? .min, untilDay: until?.dayNumber ?? .max, in: week)
    }

    /// The same, on day numbers (an open end is `.min` or `.max`).
    static func isPartial(fromDay: Int, untilDay: Int, in week: Week) -> Bool {
        fromDay > week.firstDay.dayNumber || untilDay < week.lastDay.dayNumber
    }

    /// The five-hour verdict on a week a volunteer was active for all of.
    static func status(seconds: Int, required: Int) -> Status { seconds >= required ? .met : .short }
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
    /// The keys by their fingerprint, in an open table of twice the most keys it holds: slot
    /// `s` holds a key's number + 1, 0 when empty. A lookup reads one or two slots, where a
    /// scan of the fingerprints read half of them (a year's sessions look up a team and a unit
    /// each: millions of lookups).
    private var slots = [Int32](repeating: 0, count: 2 * SmallIndex.most)
    private var large: [String: Int]?
    /// More keys than this move to a dictionary.
    static let most = 32

    static func fingerprint(_ s: String) -> UInt64 {
        func print(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var v = UInt64(truncatingIfNeeded: b.count) << 48
            for i in 0..<min(6, b.count) { v |= UInt64(b[i]) << UInt64(8 * i) }
            return v
        }
        // Read in place (as `sameBytes`): a copy would count a reference on a name both cores share.
        if let v = s.utf8.withContiguousStorageIfAvailable(print) { return v }
        var s = s
        return s.withUTF8(print)
    }

    @inline(__always)
    private static func slot(_ print: UInt64) -> Int {
        Int(truncatingIfNeeded: (print &* 0x9E37_79B9_7F4A_7C15) >> 58) // 6 bits: 64 = 2 × most slots
    }

    subscript(key: String) -> Int? {
        get {
            if large != nil { return large![key] }
            let print = SmallIndex.fingerprint(key)
            var s = SmallIndex.slot(print)
            while slots[s] != 0 {
                let k = Int(slots[s]) - 1
                if prints[k] == print && keys[k].sameBytes(as: key) { return values[k] }
                s = (s + 1) & (slots.count - 1)
            }
            for k in keys.indices where keys[k] == key { return values[k] } // the same text, spelt otherwise (NFC/NFD)
            return nil
        }
        set {
            precondition(newValue != nil, "SmallIndex only adds")
            if large != nil { if large![key] == nil { keys.append(key) }; large![key] = newValue; return }
            if let k = keys.firstIndex(of: key) { values[k] = newValue!; return }
            keys.append(key)
            values.append(newValue!)
            let print = SmallIndex.fingerprint(key)
            prints.append(print)
            if keys.count > SmallIndex.most { large = Dictionary(uniqueKeysWithValues: zip(keys, values)); return }
            var s = SmallIndex.slot(print)
            while slots[s] != 0 { s = (s + 1) & (slots.count - 1) }
            slots[s] = Int32(keys.count)
        }
    }
}
