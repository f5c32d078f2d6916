/// The state of one deadline at `--now`.
public enum DeadlineStatus: Sendable, Equatable {
    case onTime(at: Int)
    /// Submitted after the due instant, by this many minutes (rounded up).
    case late(at: Int, minutes: Int)
    case missing
    /// Not due yet and not submitted yet.
    case pending

    public var key: String {
        switch self {
        case .onTime: return "on_time"
        case .late: return "late"
        case .missing: return "missing"
        case .pending: return "pending"
        }
    }
}

/// Judges deadlines: on time when any copy was handed in at or before the due instant.
public enum Deadline {
    /// - Parameters:
    ///   - due: the due instant.
    ///   - submitted: instants of the copies handed in (those after `now` are ignored).
    public static func status(due: Int, submitted: [Int], now: Int) -> DeadlineStatus {
        let seen = submitted.filter { $0 <= now }
        if let first = seen.min() {
            if first <= due { return .onTime(at: first) }
            return .late(at: first, minutes: (first - due + 59) / 60)
        }
        return now > due ? .missing : .pending
    }
}

/// Each unit's submissions, grouped for the deadline rules.
struct SubmissionIndex {
    var daily: [String: [CivilDate: [Submission]]] = [:]
    var weekly: [String: [CivilDate: [Submission]]] = [:]
    var roster: [String: [Int]] = [:]

    init(_ ledger: Ledger, weekEndsOn: Weekday, now: Int) {
        for s in ledger.submissions where s.submittedAt <= now {
            switch s.kind {
            case .daily: daily[s.unit, default: [:]][s.period!, default: []].append(s)
            case .weekly:
                // A weekly summary dated on any day of a week counts for that week.
                let last = Week.containing(s.period!, endsOn: weekEndsOn).lastDay
                weekly[s.unit, default: [:]][last, default: []].append(s)
            case .roster: roster[s.unit, default: []].append(s.submittedAt)
            }
        }
        for v in ledger.volunteers {
            if let t = v.submittedAt, t <= now { roster[v.unit, default: []].append(t) }
        }
    }
}

/// Daily bulletins (简报): due each day of `daily_bulletin_days` at `daily_bulletin_due`.
public struct DailyBulletinRule: Rule {
    public let key = "daily_bulletin"

    public static func statuses(_ c: RuleContext) -> [String: [(CivilDate, DeadlineStatus)]] {
        let index = SubmissionIndex(c.ledger, weekEndsOn: c.campaign.rules.weekEndsOn, now: c.now)
        var out: [String: [(CivilDate, DeadlineStatus)]] = [:]
        for unit in c.campaign.units {
            out[unit.name] = c.week.week.days.filter { c.campaign.rules.dailyBulletinDays.contains($0.weekday) }.map { day in
                let due = c.campaign.zone.instant(day, at: c.campaign.rules.dailyBulletinDue)
                let copies = index.daily[unit.name]?[day]?.map(\.submittedAt) ?? []
                return (day, Deadline.status(due: due, submitted: copies, now: c.now))
            }
        }
        return out
    }

    public func findings(in c: RuleContext) -> [Finding] {
        let all = DailyBulletinRule.statuses(c)
        var out: [Finding] = []
        for unit in c.campaign.units {
            for (day, status) in all[unit.name] ?? [] {
                switch status {
                case .late(let at, let minutes):
                    out.append(Finding(rule: key, severity: .warning, unit: unit.name, subject: "简报 \(day)", date: day,
                                       detail: "简报 \(c.campaign.zone.format(at)) 报送，迟 \(minutes) 分钟（应于 \(TimeOfDay.format(c.campaign.rules.dailyBulletinDue)) 前）"))
                case .missing:
                    out.append(Finding(rule: key, severity: .error, unit: unit.name, subject: "简报 \(day)", date: day,
                                       detail: "未报送 \(day) 的简报（应于当天 \(TimeOfDay.format(c.campaign.rules.dailyBulletinDue)) 前）"))
                default: break
                }
            }
        }
        return out
    }
}

/// Weekly summaries (周总结及下周计划): due the week's last day at `weekly_summary_due`.
public struct WeeklySummaryRule: Rule {
    public let key = "weekly_summary"

    public static func statuses(_ c: RuleContext) -> [String: (DeadlineStatus, [Submission])] {
        let index = SubmissionIndex(c.ledger, weekEndsOn: c.campaign.rules.weekEndsOn, now: c.now)
        let last = c.week.week.lastDay
        let due = c.campaign.zone.instant(last, at: c.campaign.rules.weeklySummaryDue)
        var out: [String: (DeadlineStatus, [Submission])] = [:]
        for unit in c.campaign.units {
            let copies = index.weekly[unit.name]?[last] ?? []
            out[unit.name] = (Deadline.status(due: due, submitted: copies.map(\.submittedAt), now: c.now), copies)
        }
        return out
    }

    public func findings(in c: RuleContext) -> [Finding] {
        let all = WeeklySummaryRule.statuses(c)
        let last = c.week.week.lastDay
        let due = TimeOfDay.format(c.campaign.rules.weeklySummaryDue)
        return c.campaign.units.compactMap { unit in
            switch all[unit.name]?.0 {
            case .late(let at, let minutes)?:
                return Finding(rule: key, severity: .warning, unit: unit.name, subject: "周总结 \(last)", date: last,
                               detail: "周总结 \(c.campaign.zone.format(at)) 报送，迟 \(minutes) 分钟（应于 \(last) \(due) 前）")
            case .missing?:
                return Finding(rule: key, severity: .error, unit: unit.name, subject: "周总结 \(last)", date: last,
                               detail: "未报送本周总结及下周计划（应于 \(last) \(due) 前）")
            default: return nil
            }
        }
    }
}

/// The rosters of the teams (志愿服务队人员名单): due `roster_due`.
public struct RosterDeadlineRule: Rule {
    public let key = "roster_deadline"

    public static func statuses(_ c: RuleContext) -> [String: DeadlineStatus] {
        guard let due = c.campaign.rules.rosterDue else { return [:] }
        let index = SubmissionIndex(c.ledger, weekEndsOn: c.campaign.rules.weekEndsOn, now: c.now)
        var out: [String: DeadlineStatus] = [:]
        for unit in c.campaign.units {
            out[unit.name] = Deadline.status(due: due, submitted: index.roster[unit.name] ?? [], now: c.now)
        }
        return out
    }

    public func findings(in c: RuleContext) -> [Finding] {
        guard let due = c.campaign.rules.rosterDue else { return [] }
        let all = RosterDeadlineRule.statuses(c)
        return c.campaign.units.compactMap { unit in
            switch all[unit.name] {
            case .late(let at, let minutes)?:
                return Finding(rule: key, severity: .warning, unit: unit.name, subject: "名单",
                               detail: "志愿服务队名单 \(c.campaign.zone.format(at)) 报送，迟 \(minutes) 分钟（应于 \(c.campaign.zone.format(due)) 前）")
            case .missing?:
                return Finding(rule: key, severity: .error, unit: unit.name, subject: "名单",
                               detail: "未报送志愿服务队名单（应于 \(c.campaign.zone.format(due)) 前）")
            default: return nil
            }
        }
    }
}
