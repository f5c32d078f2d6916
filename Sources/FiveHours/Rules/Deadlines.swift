import Foundation

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
    /// - Returns: on time when the first copy came at or before `due`; late when all came after;
    ///   with no copy, missing once `now` is at or after `due`, pending before.
    public static func status(due: Int, submitted: [Int], now: Int) -> DeadlineStatus {
        let seen = submitted.filter { $0 <= now }
        if let first = seen.min() {
            if first <= due { return .onTime(at: first) }
            return .late(at: first, minutes: (first - due + 59) / 60)
        }
        // Due at 15:00 means missing at 15:00: the Friday batch that runs at the due instant
        // names the summaries that did not come (a copy stamped 15:00 itself is on time).
        return now >= due ? .missing : .pending
    }
}

/// Each unit's submissions, grouped for the deadline rules.
struct SubmissionIndex: Sendable {
    /// One index made on first use and shared (the deadline rules of a week, the weeks of a year).
    final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private let make: @Sendable () -> SubmissionIndex
        private var made: SubmissionIndex?

        init(_ ledger: Ledger, weekEndsOn: Weekday, now: Int) {
            make = { SubmissionIndex(ledger, weekEndsOn: weekEndsOn, now: now) }
        }

        var index: SubmissionIndex {
            lock.withLock {
                if made == nil { made = make() }
                return made!
            }
        }
    }

    var daily: [String: [CivilDate: [Submission]]] = [:]
    var weekly: [String: [CivilDate: [Submission]]] = [:]
    /// Each unit's roster copies: when, and the row that says so (a submission or a roster row).
    var roster: [String: [(at: Int, source: SourceLine)]] = [:]

    init(_ ledger: Ledger, weekEndsOn: Weekday, now: Int) {
        for s in ledger.submissions where s.submittedAt <= now {
            switch s.kind {
            case .daily: daily[s.unit, default: [:]][s.period!, default: []].append(s)
            case .weekly:
                // A weekly summary dated on any day of a week counts for that week.
                let last = Week.containing(s.period!, endsOn: weekEndsOn).lastDay
                weekly[s.unit, default: [:]][last, default: []].append(s)
            case .roster: roster[s.unit, default: []].append((s.submittedAt, s.source))
            case .station: break // stations are judged by `StationReadiness`
            }
        }
        for c in ledger.rosterCopies where c.at <= now { roster[c.unit, default: []].append((c.at, c.source)) }
    }
}

/// Daily bulletins (简报): due each day of `daily_bulletin_days` at `daily_bulletin_due`, from the
/// campaign's `start_date` on (`Campaign.owesBulletin`).
public struct DailyBulletinRule: Rule {
    public let name = RuleName.dailyBulletin

    public static func statuses(_ c: RuleContext) -> [String: [(CivilDate, DeadlineStatus)]] {
        let index = c.submissions
        var out: [String: [(CivilDate, DeadlineStatus)]] = [:]
        for unit in c.campaign.units {
            out[unit.name] = c.week.week.days.filter(c.campaign.owesBulletin).map { day in
                let due = c.campaign.bulletinDue(on: day)
                let copies = index.daily[unit.name]?[day]?.map(\.submittedAt) ?? []
                return (day, Deadline.status(due: due, submitted: copies, now: c.now))
            }
        }
        return out
    }

    public func findings(in c: RuleContext) -> [Finding] {
        let all = DailyBulletinRule.statuses(c)
        var out: [Finding] = []
        let say = c.say
        let due = TimeOfDay.format(c.campaign.rules.dailyBulletinDue)
        for unit in c.campaign.units {
            for (day, status) in all[unit.name] ?? [] {
                let subject = say("简报 \(day)", "bulletin \(day)")
                switch status {
                case .late(let at, let minutes):
                    let when = c.campaign.zone.format(at)
                    let copy = c.submissions.daily[unit.name]?[day]?.first { $0.submittedAt == at }
                    out.append(Finding(name, severity: .warning, unit: unit.name, subject: subject, date: day,
                                       detail: say("简报 \(when) 报送，迟 \(minutes) 分钟（应于 \(due) 前）",
                                                   "bulletin sent \(when), \(minutes) min late (due by \(due))"),
                                       source: copy?.source))
                case .missing:
                    out.append(Finding(name, severity: .error, unit: unit.name, subject: subject, date: day,
                                       detail: say("未报送 \(day) 的简报（应于当天 \(due) 前）", "no bulletin for \(day) (due that day by \(due))")))
                default: break
                }
            }
        }
        return out
    }
}

/// Weekly summaries (周总结及下周计划): due the week's last day at `weekly_summary_due`.
public struct WeeklySummaryRule: Rule {
    public let name = RuleName.weeklySummary

    public static func statuses(_ c: RuleContext) -> [String: (DeadlineStatus, [Submission])] {
        let index = c.submissions
        let last = c.week.week.lastDay
        let due = c.campaign.summaryDue(of: c.week.week)
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
        let say = c.say
        let subject = say("周总结 \(last)", "weekly summary \(last)")
        return c.campaign.units.compactMap { unit in
            switch all[unit.name]?.0 {
            case .late(let at, let minutes)?:
                let when = c.campaign.zone.format(at)
                let copy = all[unit.name]?.1.first { $0.submittedAt == at }
                return Finding(name, severity: .warning, unit: unit.name, subject: subject, date: last,
                               detail: say("周总结 \(when) 报送，迟 \(minutes) 分钟（应于 \(last) \(due) 前）",
                                           "weekly summary sent \(when), \(minutes) min late (due by \(last) \(due))"),
                               source: copy?.source)
            case .missing?:
                return Finding(name, severity: .error, unit: unit.name, subject: subject, date: last,
                               detail: say("未报送本周总结及下周计划（应于 \(last) \(due) 前）",
                                           "no summary of this week and plan for the next (due by \(last) \(due))"))
            default: return nil
            }
        }
    }
}

/// The rosters of the teams (志愿服务队人员名单): due `roster_due`.
public struct RosterDeadlineRule: Rule {
    public let name = RuleName.rosterDeadline

    public static func statuses(_ c: RuleContext) -> [String: DeadlineStatus] {
        guard let due = c.campaign.rules.rosterDue else { return [:] }
        let index = c.submissions
        var out: [String: DeadlineStatus] = [:]
        for unit in c.campaign.units {
            out[unit.name] = Deadline.status(due: due, submitted: index.roster[unit.name]?.map(\.at) ?? [], now: c.now)
        }
        return out
    }

    public func findings(in c: RuleContext) -> [Finding] {
        guard let due = c.campaign.rules.rosterDue else { return [] }
        let all = RosterDeadlineRule.statuses(c)
        let say = c.say
        let subject = say("名单", "roster")
        let dueText = c.campaign.zone.format(due)
        return c.campaign.units.compactMap { unit in
            switch all[unit.name] {
            case .late(let at, let minutes)?:
                let when = c.campaign.zone.format(at)
                let copy = c.submissions.roster[unit.name]?.first { $0.at == at }
                return Finding(name, severity: .warning, unit: unit.name, subject: subject,
                               detail: say("志愿服务队名单 \(when) 报送，迟 \(minutes) 分钟（应于 \(dueText) 前）",
                                           "team roster sent \(when), \(minutes) min late (due by \(dueText))"),
                               source: copy?.source)
            case .missing?:
                return Finding(name, severity: .error, unit: unit.name, subject: subject,
                               detail: say("未报送志愿服务队名单（应于 \(dueText) 前）", "no team roster (due by \(dueText))"))
            default: return nil
            }
        }
    }
}
