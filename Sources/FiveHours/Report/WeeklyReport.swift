/// The weekly summary as plain values: every number counted and formatted, ready for the
/// HTML, Markdown and CSV renderers, which only lay it out.
public struct WeeklyReport: Sendable {
    public struct UnitRow: Sendable {
        public var name: String
        public var kind: String
        public var volunteers: Int
        public var met: Int
        public var short: Int
        /// Active only some days of the week (`partial`, not `notMetYet`).
        public var partial: Int
        /// Held all week, the week still running, not met yet (`VolunteerWeek.notMetYet`).
        public var notMetYet: Int = 0
        /// `0.67`, or empty when nobody was held to the requirement.
        public var complianceRate: String
        /// 0…100 for the chart; nil when there is no rate.
        public var compliancePercent: Int?
        public var seconds: Int
        public var hours: String { Hours.format(seconds) }
        public var liaisons: [String]
        public var liaisonStatus: LiaisonRule.Status
        public var daily: [DeadlineStatus]
        public var dailyOnTime: Int
        public var dailyLate: Int
        public var dailyMissing: Int
        public var weekly: DeadlineStatus
        /// The roster deadline's state, when the campaign sets `roster_due`.
        public var roster: DeadlineStatus?
        public var summaryTitle: String?
        public var summary: String?
        public var plan: String?
        public var sessions: Int
    }

    public struct TeamRow: Sendable {
        public var name: String
        public var leads: [String]
        public var focus: Bool
        /// Known to the campaign file.
        public var known: Bool
        public var volunteers: Int
        public var seconds: Int
        public var sessions: Int
        public var hours: String { Hours.format(seconds) }
    }

    public struct VolunteerRow: Sendable {
        public var id: String
        public var name: String
        public var unit: String
        public var teams: [String]
        public var seconds: Int
        public var requiredSeconds: Int
        public var shortfallSeconds: Int
        public var status: VolunteerWeek.Status
        /// `VolunteerWeek.notMetYet`: `status` is `partial` for the CSVs, the reports say "not met yet".
        public var notMetYet: Bool = false
        public var daily: [Int]
        public var sessions: Int
        public var isLiaison: Bool
        public var role: String
        /// The week holds a day of theirs that was capped or is above the review line, an
        /// overlap or hours that disagree with start and end: rankings mark them.
        public var flagged: Bool = false
    }

    /// Why last week is or is not compared with this one in the headline.
    public enum PreviousWeek: Sendable, Equatable {
        /// Last week's total hours.
        case shown(seconds: Int)
        /// No session at all last week.
        case none
        /// Last week's logs look incomplete: fewer than half as many volunteers logged
        /// sessions as this week (here, the number who did).
        case incomplete(volunteers: Int)
        /// This week is still running: a part of a week is not compared with a whole one.
        case thisWeekInProgress
    }

    public var campaignName: String
    public var organizer: String
    public var week: Week
    /// The week's days that owe a daily bulletin (`rules.daily_bulletin_days`): the columns of
    /// the bulletin grid, one for each status in `UnitRow.daily`.
    public var days: [CivilDate]
    public var now: Int
    public var zone: CampaignZone
    public var rules: Rules
    public var units: [UnitRow]
    public var teams: [TeamRow]
    /// Seconds of sessions that no team claims (no team column, several teams on the roster).
    public var unassignedSeconds: Int
    public var volunteers: [VolunteerRow]
    public var findings: [Finding]
    public var rejects: [Reject]
    public var totalSeconds: Int
    public var previousWeekSeconds: Int?
    public var previousWeekCompliance: String?
    public var previousWeek: PreviousWeek = .none
    /// The week is still running at `now` (its weekly summary is not due yet).
    public var inProgress: Bool = false
    /// The weekly summary's due instant.
    public var summaryDue: Int = 0
    public var inputFingerprint: String = ""
    /// Every rostered name, so that `--public` masks names in free text too.
    public var knownNames: [String] = []

    public var met: Int { count(.met) }
    public var short: Int { count(.short) }
    /// Active only some days of the week.
    public var partial: Int { count(.partial) - notMetYet }
    /// Held all week, the week still running, not met yet.
    public var notMetYet: Int {
        var n = 0
        for i in volunteers.indices where volunteers[i].notMetYet { n += 1 }
        return n
    }

    /// Counted by index: iterating the rows (or `filter(…).count`) would copy each one, six
    /// reference counts a row, a hundred thousand rows a call.
    func count(_ status: VolunteerWeek.Status) -> Int {
        var n = 0
        for i in volunteers.indices where volunteers[i].status == status { n += 1 }
        return n
    }
    public var complianceRate: String { Rate.format(met, of: met + short) }

    /// Builds the report of `week` from the week's data and the rules' findings.
    public static func make(campaign: Campaign, ledger: Ledger, week data: WeekData, findings: [Finding], now: Int,
                            previous: WeekData? = nil) -> WeeklyReport {
        let context = RuleContext(campaign: campaign, week: data, ledger: ledger, now: now)
        let daily = DailyBulletinRule.statuses(context)
        let weekly = WeeklySummaryRule.statuses(context)
        let rosters = RosterDeadlineRule.statuses(context)

        let units: [UnitRow] = campaign.units.map { u in
            // The unit's volunteers read in place, not copied out (100,000 weeks, each with its
            // volunteer and days counted once more).
            var met = 0, short = 0, partial = 0, notMetYet = 0, seconds = 0, sessions = 0
            let members = data.byUnit[u.name] ?? []
            for i in members {
                switch data.volunteers[i].status {
                case .met: met += 1
                case .short: short += 1
                case .partial: if data.volunteers[i].notMetYet { notMetYet += 1 } else { partial += 1 }
                }
                seconds += data.volunteers[i].seconds
                sessions += data.volunteers[i].sessions
            }
            let (liaisons, liaisonStatus) = LiaisonRule.status(of: u.name, in: context)
            let statuses = (daily[u.name] ?? []).map(\.1)
            let (weeklyStatus, copies) = weekly[u.name] ?? (.missing, [])
            let shown = copies.filter { $0.submittedAt <= now }.sorted { $0.submittedAt > $1.submittedAt }.first
            return UnitRow(
                name: u.name, kind: u.kind.rawValue, volunteers: members.count, met: met, short: short,
                partial: partial, notMetYet: notMetYet,
                complianceRate: Rate.format(met, of: met + short),
                compliancePercent: met + short == 0 ? nil : (met * 200 + (met + short)) / (2 * (met + short)),
                seconds: seconds, liaisons: liaisons.map(\.name), liaisonStatus: liaisonStatus,
                daily: statuses,
                dailyOnTime: statuses.filter { if case .onTime = $0 { return true } else { return false } }.count,
                dailyLate: statuses.filter { if case .late = $0 { return true } else { return false } }.count,
                dailyMissing: statuses.filter { $0 == .missing }.count,
                weekly: weeklyStatus, roster: rosters[u.name], summaryTitle: shown?.title, summary: shown?.summary, plan: shown?.plan,
                sessions: sessions)
        }

        // Teams: the campaign's, focus teams first, then teams only the data names.
        // Tallied by the sessions' team numbers (`Session.team`: each name numbered by the
        // counting, as first spelt), without reading each session's record again.
        var tally = [(seconds: Int, sessions: Int, people: Set<Int>)](repeating: (0, 0, []), count: data.teams.count)
        var unassigned = 0
        for s in data.sessions {
            guard s.team >= 0 else { unassigned += s.countedSeconds; continue }
            let k = Int(s.team)
            tally[k].seconds += s.countedSeconds
            tally[k].sessions += 1
            tally[k].people.insert(s.volunteer)
        }
        var teamSeconds: [String: Int] = [:], teamSessions: [String: Int] = [:], teamPeople: [String: Set<Int>] = [:]
        for (k, name) in data.teams.enumerated() where tally[k].sessions > 0 {
            teamSeconds[name] = tally[k].seconds
            teamSessions[name] = tally[k].sessions
            teamPeople[name] = tally[k].people
        }
        var teams: [TeamRow] = campaign.teams.map { t in
            TeamRow(name: t.name, leads: t.leads, focus: t.focus, known: true, volunteers: teamPeople[t.name]?.count ?? 0,
                    seconds: teamSeconds[t.name] ?? 0, sessions: teamSessions[t.name] ?? 0)
        }
        let known = Set(campaign.teams.map(\.name))
        for name in teamSeconds.keys.filter({ !known.contains($0) }).sorted() {
            teams.append(TeamRow(name: name, leads: [], focus: false, known: false, volunteers: teamPeople[name]?.count ?? 0,
                                 seconds: teamSeconds[name] ?? 0, sessions: teamSessions[name] ?? 0))
        }

        // Volunteers whose hours rest on something the rules flagged: a capped or long day, an
        // overlap, hours that disagree with start and end.
        var flagged = Set<Int>()
        for d in data.facts.days { flagged.insert(d.volunteer) }
        for o in data.facts.overlaps { flagged.insert(data.sessions[o.session].volunteer) }
        for m in data.facts.mismatches { flagged.insert(data.sessions[m.session].volunteer) }
        // On both cores: 100,000 volunteers, read in the week's order (by unit), each a cache miss.
        let marked = flagged, week = data.volunteers
        let volunteers = Array(week.indices).map(parallelFrom: 16_384) { i in
            let v = week[i]
            return VolunteerRow(id: v.volunteer.id, name: v.volunteer.name, unit: v.volunteer.unit, teams: v.volunteer.teams,
                         seconds: v.shownSeconds, requiredSeconds: v.requiredSeconds, shortfallSeconds: v.shortfallSeconds,
                         status: v.status, notMetYet: v.notMetYet, daily: v.daily, sessions: v.sessions, isLiaison: v.volunteer.isLiaison, role: v.volunteer.role,
                         flagged: marked.contains(i))
        }
        var previousSeconds: Int?, previousRate: String?
        let previousWeek = comparison(this: data, previous: previous)
        if case .shown = previousWeek, let p = previous {
            previousSeconds = p.volunteers.reduce(0) { $0 + $1.seconds }
            let pm = p.volunteers.count { $0.status == .met }, ps = p.volunteers.count { $0.status == .short }
            previousRate = Rate.format(pm, of: pm + ps)
        }
        return WeeklyReport(
            campaignName: campaign.name, organizer: campaign.organizer, week: data.week,
            days: data.week.days.filter(campaign.owesBulletin), now: now,
            zone: campaign.zone, rules: campaign.rules, units: units, teams: teams, unassignedSeconds: unassigned,
            volunteers: volunteers, findings: findings, rejects: ledger.rejects,
            totalSeconds: data.volunteers.reduce(0) { $0 + $1.seconds },
            previousWeekSeconds: previousSeconds, previousWeekCompliance: previousRate, previousWeek: previousWeek,
            inProgress: data.inProgress, summaryDue: Pipeline.summaryDue(of: data.week, campaign: campaign))
    }

    /// Whether last week's data is there to compare with: it is shown only when at least half as
    /// many volunteers logged sessions last week as this week (and at least one). One stray row
    /// in last week's dates, when its logs are not among the inputs, says nothing about last week.
    static func comparison(this data: WeekData, previous: WeekData?) -> PreviousWeek {
        if data.inProgress { return .thisWeekInProgress }
        guard let p = previous, !p.sessions.isEmpty else { return .none }
        func logged(_ w: WeekData) -> Int { w.volunteers.count { $0.sessions > 0 } }
        let before = logged(p), now = logged(data)
        guard before > 0, before * 2 >= now else { return .incomplete(volunteers: before) }
        return .shown(seconds: p.volunteers.reduce(0) { $0 + $1.seconds })
    }
}

/// Rates for people: `met / total` with two decimals, rounded half up; empty for 0 / 0.
public enum Rate {
    public static func format(_ part: Int, of total: Int) -> String {
        guard total > 0 else { return "" }
        let cents = (part * 200 + total) / (2 * total)
        return "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
    }
}
