import Foundation

/// The campaign file (§2 of the contract), decoded into plain values.
///
/// Everything the later stages need to judge a week comes from here: which units and teams are
/// held to account, the thresholds and deadlines, and where the inputs are.
public struct Campaign: Sendable {
    public var name: String
    public var organizer: String
    public var zone: CampaignZone
    /// The campaign's first day, from which daily bulletins are numbered (第 N 期). Optional
    /// (`campaign.start_date`); without it the bulletin number is left out.
    public var startDate: CivilDate?
    public var rules: Rules
    public var units: [UnitSpec]
    public var teams: [TeamSpec]
    public var inputs: Inputs
    public var output: OutputSettings
    /// How the monthly assessment scores units and the yearly roll-up gives stars (`assessment:`).
    public var assessment = Assessment()
    /// Where the campaign file lives; relative paths in it were resolved against its folder.
    public var path: String

    public init(name: String, organizer: String = "", zone: CampaignZone, startDate: CivilDate? = nil,
                rules: Rules = Rules(), units: [UnitSpec] = [], teams: [TeamSpec] = [],
                inputs: Inputs = Inputs(), output: OutputSettings = OutputSettings(), path: String = "") {
        self.name = name
        self.organizer = organizer
        self.zone = zone
        self.startDate = startDate
        self.rules = rules
        self.units = units
        self.teams = teams
        self.inputs = inputs
        self.output = output
        self.path = path
    }

    /// Whether each unit owes a daily bulletin on `day`: a day of `daily_bulletin_days`, once the
    /// campaign has begun (`start_date`) — before it, nobody was asked for one. The one rule
    /// for the bulletin rule, the week's summary and the daily bulletin's own table.
    public func owesBulletin(on day: CivilDate) -> Bool {
        rules.dailyBulletinDays.contains(day.weekday) && startDate.map { day >= $0 } ?? true
    }

    /// The instant `day`'s bulletin is due: that day at `daily_bulletin_due`.
    public func bulletinDue(on day: CivilDate) -> Int { zone.instant(day, at: rules.dailyBulletinDue) }

    /// The instant `week`'s summary is due: its last day at `weekly_summary_due`. A week is over
    /// (judged) from then on, and in progress before.
    public func summaryDue(of week: Week) -> Int { zone.instant(week.lastDay, at: rules.weeklySummaryDue) }

    /// Whether the roster deadline (`rules.roster_due`) is the business of `period` at `now`:
    /// it has passed by `now` and falls within the period or before it. A month that ended
    /// before the deadline shows no roster status, finding or score part, however early the
    /// rosters came; every period after it does (a missing roster stays missing).
    public func rosterIsDue(in period: Period, now: Int) -> Bool {
        guard let due = rules.rosterDue else { return false }
        return due <= now && due < zone.instant(period.last.adding(days: 1), at: 0)
    }
}

/// The campaign's requirements: thresholds and deadlines.
public struct Rules: Sendable {
    /// The weekly requirement, in seconds (5 h = 18,000 s).
    public var weeklySeconds: Int = 5 * 3600
    public var weekEndsOn: Weekday = .friday
    /// Seconds after local midnight.
    public var dailyBulletinDue: Int = 15 * 3600 + 30 * 60
    public var dailyBulletinDays: [Weekday] = Weekday.allCases
    public var weeklySummaryDue: Int = 15 * 3600
    /// An instant (seconds since the epoch), or nil when the campaign sets no roster deadline.
    public var rosterDue: Int?
    public var liaisonsPerUnit: Int = 1
    public var maxDailySeconds: Int = 12 * 3600
    /// A day above this (within the cap) is reported for review (`long_day`, info):
    /// `rules.review_daily_hours`, 8 h by default — the review line of the national volunteer
    /// service information system.
    public var reviewDailySeconds: Int = 8 * 3600
    /// When the workstations' service stations are due (clause 6, `rules.station_due`): an instant,
    /// or nil for the notice's default, the end of 31 July of the campaign year
    /// (`StationReadiness.due`).
    public var stationDue: Int?

    public init() {}
}

/// A department (科室) or workstation (工作站) that the rules hold to account.
public struct UnitSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case department, workstation, other }
    public var name: String
    public var kind: Kind
    /// When the workstation's service station (志愿服务站) was ready to the “六有一落实” standard
    /// (`station_ready:`, clause 6): the instant (a date is that day's start), or nil when the
    /// campaign file does not say. Only a workstation may carry it.
    public var stationReady: Int?
    public init(name: String, kind: Kind, stationReady: Int? = nil) {
        self.name = name
        self.kind = kind
        self.stationReady = stationReady
    }
}

/// A volunteer service team (志愿服务队) and the units that lead it (牵头单位).
public struct TeamSpec: Sendable, Equatable {
    public var name: String
    /// One of the notice's “four focuses” (四个重点); reports list these first.
    public var focus: Bool
    public var leads: [String]
    public init(name: String, focus: Bool = false, leads: [String] = []) {
        self.name = name
        self.focus = focus
        self.leads = leads
    }
}

/// Input files or folders, already resolved to absolute paths.
public struct Inputs: Sendable {
    public var rosters: [String] = []
    public var activities: [String] = []
    public var submissions: [String] = []
    public init(rosters: [String] = [], activities: [String] = [], submissions: [String] = []) {
        self.rosters = rosters
        self.activities = activities
        self.submissions = submissions
    }
}

/// The language of the reports' labels.
public enum Language: String, Sendable, CaseIterable {
    case zhCN = "zh-CN"
    case en

    /// `zh-CN` or `en` as `output.language` and `--language` accept them (`zh`, `zh_CN`,
    /// `zh-Hans`, `en-US`, `en-GB` too, in any case).
    public init?(parsing s: String) {
        switch s.trimmingCharacters(in: .whitespaces).lowercased() {
        case "zh-cn", "zh", "zh_cn", "zh-hans": self = .zhCN
        case "en", "en-us", "en-gb", "en_us", "en_gb": self = .en
        default: return nil
        }
    }
}

public struct OutputSettings: Sendable {
    public var dir: String = "reports"
    public var language: Language = .zhCN
    /// A folder of Mustache templates that replaces the shipped ones (`output.templates`).
    public var templates: String?
    public init() {}
}

/// The campaign's time zone, with the conversions the rules need.
///
/// Instants are plain `Int` seconds since the epoch; local times are seconds since the epoch
/// of the local wall clock. China has had no summer time since 1991, but the conversion still
/// asks the zone database, so another zone works too.
public struct CampaignZone: Sendable, Equatable {
    public let identifier: String
    let zone: TimeZone

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    public static let shanghai = CampaignZone(identifier: "Asia/Shanghai")!

    public static func == (a: CampaignZone, b: CampaignZone) -> Bool { a.identifier == b.identifier }

    /// The instant at which the local wall clock shows `local` seconds. Near a change of offset
    /// (summer time) a local time has two readings, one with the offset before the change and one
    /// with the offset after:
    /// - a time the clock shows twice (the hour repeated when summer time ends) is its first pass;
    /// - a time the clock skips (`02:45` when 02:00 jumps to 03:00) is read with the offset before
    ///   the jump, so it lands as far after the jump as it was after 02:00 (`03:45`), as java.time
    ///   reads it.
    public func utc(fromLocal local: Int) -> Int {
        // The offsets a day before and a day after: a time near a change lies between them.
        let before = offset(at: local - 86_400), after = offset(at: local + 86_400)
        let early = local - before, late = local - after
        guard before != after else { return early }
        let readings = [early, late].filter { self.local(fromUTC: $0) == local }
        return readings.min() ?? early
    }

    private func offset(at instant: Int) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))) }

    /// Local wall-clock seconds of an instant.
    public func local(fromUTC instant: Int) -> Int {
        instant + zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The local calendar day of an instant.
    public func date(of instant: Int) -> CivilDate {
        let l = local(fromUTC: instant)
        return CivilDate(dayNumber: l >= 0 ? l / 86_400 : (l - 86_399) / 86_400)
    }

    /// The instant of `seconds` after local midnight of `date`.
    public func instant(_ date: CivilDate, at seconds: Int) -> Int {
        utc(fromLocal: date.dayNumber * 86_400 + seconds)
    }

    /// `2019-08-05 15:30` in local time.
    public func format(_ instant: Int, seconds: Bool = false) -> String {
        let l = local(fromUTC: instant)
        let day = l >= 0 ? l / 86_400 : (l - 86_399) / 86_400
        let t = l - day * 86_400
        return "\(CivilDate(dayNumber: day)) \(TimeOfDay.format(t, seconds: seconds))"
    }

    /// ISO 8601 with the zone's offset, `2019-08-09T15:00:00+08:00`.
    public func iso8601(_ instant: Int) -> String {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        let l = instant + offset
        let day = l >= 0 ? l / 86_400 : (l - 86_399) / 86_400
        let t = l - day * 86_400
        let sign = offset < 0 ? "-" : "+"
        let o = abs(offset)
        return "\(CivilDate(dayNumber: day))T\(TimeOfDay.format(t, seconds: true))\(sign)\(TimeOfDay.two(o / 3600)):\(TimeOfDay.two(o % 3600 / 60))"
    }
}

/// Formatting of seconds since midnight.
enum TimeOfDay {
    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `09:00`, or `09:00:05` with seconds; 86,400 s and beyond wrap (a session past midnight).
    static func format(_ seconds: Int, seconds withSeconds: Bool = false) -> String {
        // An end written `24:00` (the day's end) is shown as written, not as the next midnight.
        if seconds == 86_400 { return withSeconds ? "24:00:00" : "24:00" }
        let s = ((seconds % 86_400) + 86_400) % 86_400
        let base = "\(two(s / 3600)):\(two(s % 3600 / 60))"
        return withSeconds || s % 60 != 0 ? "\(base):\(two(s % 60))" : base
    }
}
