/// A service session that counts this week, after duplicates were merged.
///
/// Plain integers, no strings or references: a year holds millions of sessions, sorted, filtered
/// and copied by several stages, and a copy that retained the record (and its team's name) cost
/// more than the stages' own work. The record is read through the week (`WeekData.record(of:)`)
/// when a finding or a report needs its cells.
public struct Session: Sendable {
    /// The record's place in the ledger's activities.
    public var recordIndex: Int32
    /// The team it is counted for — its own `team`, else the volunteer's only team — as an index
    /// into the week's `teams`; -1 for none.
    public var team: Int32
    /// The record's own `unit` as an index into the week's `units`; -1 for none.
    public var unit: Int32
    private var day: Int32
    private var counted: Int32
    /// Index into `WeekData.volunteers` (in `Counting.Result`: the volunteer's number).
    public var volunteer: Int

    init(recordIndex: Int32, team: Int32, unit: Int32, volunteer: Int, date: CivilDate, countedSeconds: Int) {
        self.recordIndex = recordIndex
        self.team = team
        self.unit = unit
        self.volunteer = volunteer
        day = Int32(clamping: date.dayNumber)
        counted = Int32(clamping: countedSeconds)
    }

    /// The record's `date` (kept as a day number: 32 bytes a session, for millions of them).
    public var date: CivilDate { CivilDate(dayNumber: Int(day)) }
    /// Seconds it adds to the volunteer's week after the union of overlaps and the daily cap (a
    /// session is shorter than a day).
    public var countedSeconds: Int {
        get { Int(counted) }
        set { counted = Int32(clamping: newValue) }
    }
}

/// One rostered volunteer's week.
public struct VolunteerWeek: Sendable {
    public enum Status: String, Sendable { case met, short, partial }
    public var volunteer: Volunteer
    public var seconds: Int
    public var requiredSeconds: Int
    public var status: Status
    /// Counted seconds per day of the week (index 0 = the week's first day).
    public var daily: [Int]
    public var sessions: Int
    /// The requirement the week is measured against: `weekly_hours` for a volunteer active all
    /// seven days, also while the week runs (when `requiredSeconds` is still 0); 0 for one
    /// active only some days.
    public var goalSeconds: Int = 0
    /// The seconds the reports show beside the status (`Hours.shown`): `seconds` unless a week
    /// not met would round up to its goal.
    public var shownSeconds: Int { Hours.shown(seconds, met: status == .met, goal: goalSeconds) }
    /// What the reports show as missing (`Hours.shortfall`): the requirement less the hours shown.
    public var shortfallSeconds: Int { Hours.shortfall(shown: shownSeconds, required: requiredSeconds) }
    /// Held to the requirement (active all seven days) in a week still running, and not met
    /// yet: `partial` in the CSVs (held to nothing so far, counting.md), but not one of those
    /// active only some days — the reports say "not met yet" (尚未达标), not "partial".
    public var notMetYet: Bool { status == .partial && goalSeconds > 0 }
}

/// The week built from the import: what the rules judge and the reports show.
public struct WeekData: Sendable {
    public var week: Week
    /// The week is still running at `--now` (its weekly summary is not due yet).
    public var inProgress: Bool = false
    /// Active rostered volunteers, in unit order (the campaign file's, then unknown units by
    /// name), then roster input order.
    public var volunteers: [VolunteerWeek]
    /// Sessions of the week that count (rostered, active, not duplicates), in input order.
    public var sessions: [Session]
    /// The ledger's activities, which the sessions index (shared, not copied).
    public var records: [ActivityRecord]
    /// The teams the sessions count for (`Session.team`), each numbered once: names that differ
    /// only in their Unicode spelling (NFC, NFD) share a number, listed as first met.
    public var teams: [String]
    /// The units the sessions' records name (`Session.unit`).
    public var units: [String]
    /// The record a session was counted from.
    public func record(of s: Session) -> ActivityRecord { records[Int(s.recordIndex)] }
    /// The team a session counts for, if any, spelt as its record (or its volunteer's roster)
    /// spells it: what a report shows of that session.
    public func team(of s: Session) -> String? {
        s.team >= 0 ? Counting.team(of: record(of: s), volunteer: volunteers[s.volunteer].volunteer) : nil
    }
    /// The unit a session's record names, if any.
    public func unit(of s: Session) -> String? { s.unit >= 0 ? units[Int(s.unit)] : nil }
    /// Sessions of volunteers on no roster: they count for nobody.
    public var unrostered: [ActivityRecord]
    /// Facts recorded while counting, for the rules to judge (`CountingRules.swift`).
    public var facts: CountingFacts
    /// Per volunteer id, the index into the ledger's volunteers (the ledger's own map, shared).
    var ledgerIndex: [String: Int]
    /// Per ledger volunteer, the index into `volunteers`, or -1 when not active this week.
    var positions: [Int]
    /// The index into `volunteers` of the volunteer with this id, when active this week.
    public func position(of id: String) -> Int? {
        guard let l = ledgerIndex[id], positions[l] >= 0 else { return nil }
        return positions[l]
    }
    /// Per unit, the indexes into `volunteers` of its volunteers, in order.
    public var byUnit: [String: [Int]]
}

/// What the counting stage observed, as facts: the rules turn them into findings.
public struct CountingFacts: Sendable {
    /// A session whose `hours` differs from `end − start` by more than a minute.
    public struct HoursMismatch: Sendable {
        /// Index into `WeekData.sessions`.
        public var session: Int
        /// The `hours` cell, in seconds.
        public var hoursSeconds: Int
    }
    /// A session that lost time to an earlier-starting one of the same volunteer.
    public struct Overlap: Sendable {
        public var session: Int
        /// The session that covered the lost time.
        public var coveredBy: SourceLine
        /// The overlapping seconds.
        public var seconds: Int
    }
    /// A volunteer's day above the campaign's review line (`rules.review_daily_hours`) or its
    /// cap (`rules.max_daily_hours`), after the union of overlaps.
    public struct Day: Sendable {
        /// Index into `WeekData.volunteers`.
        public var volunteer: Int
        public var date: CivilDate
        /// The day's total after the union, before the cap.
        public var total: Int
        /// What counts after the cap.
        public var counted: Int
        /// The day's first and last session in input order.
        public var first: SourceLine
        public var last: SourceLine
        /// On a capped day, the session the cap cut first (the day's latest: clock order, then
        /// input order, hours-only sessions latest): where the excess went uncounted.
        public var cut: SourceLine? = nil
        public var isCapped: Bool { counted < total }
    }
    /// A rostered volunteer not active this week, with their sessions of the week.
    public struct Inactive: Sendable {
        /// Index into the ledger's volunteers.
        public var volunteer: Int
        public var sessions: [ActivityRecord]
    }

    public var mismatches: [HoursMismatch] = []
    public var overlaps: [Overlap] = []
    public var days: [Day] = []
    /// By volunteer id.
    public var inactive: [Inactive] = []
    public init() {}
}
