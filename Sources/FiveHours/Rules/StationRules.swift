/// Clause 6 of the notice: every workstation finishes its volunteer service station (志愿服务站) to
/// the “六有一落实” standard before the end of July.
///
/// A station is ready at the earlier of the unit's `station_ready:` in the campaign file and its
/// first submission of kind `station` (each only once it is at or before `--now`). Readiness is
/// judged like every other deadline (`Deadline.status`): `on_time`, `late`, `missing` (overdue and
/// not ready) or `pending` (not due and not ready yet). Only workstations are judged, and only
/// when the campaign tracks stations at all (docs/counting.md §7).
public enum StationReadiness {
    /// The stations' due instant: `rules.station_due`, else the end of 31 July of the campaign
    /// year — the year of `campaign.start_date`, or without one `year` (the report's year).
    public static func due(_ campaign: Campaign, year: Int) -> Int {
        if let due = campaign.rules.stationDue { return due }
        let y = campaign.startDate?.year ?? year
        // 31 July always exists; the fallback only keeps the library free of a force-unwrap.
        let day = CivilDate(year: y, month: 7, day: 31) ?? CivilDate(dayNumber: 0)
        return campaign.zone.instant(day, at: 86_400) - 1
    }

    /// Each workstation's station at `now`, and the due instant; nil when the campaign does not
    /// track stations (no `rules.station_due`, no unit's `station_ready`, no `station` submission).
    /// - Parameter year: the year of the report's period, for the default deadline.
    public static func judge(_ campaign: Campaign, ledger: Ledger, now: Int, year: Int) -> (due: Int, statuses: [String: DeadlineStatus])? {
        var reports: [String: [Int]] = [:]
        for s in ledger.submissions where s.kind == .station && s.submittedAt <= now { reports[s.unit, default: []].append(s.submittedAt) }
        let tracked = campaign.rules.stationDue != nil || campaign.units.contains { $0.stationReady != nil } || !reports.isEmpty
        guard tracked else { return nil }
        let due = due(campaign, year: year)
        var out: [String: DeadlineStatus] = [:]
        for unit in campaign.units where unit.kind == .workstation {
            let copies = (reports[unit.name] ?? []) + (unit.stationReady.map { [$0] } ?? [])
            out[unit.name] = Deadline.status(due: due, submitted: copies, now: now)
        }
        return (due, out)
    }

    /// Whole days late, rounded up (a station ready the day after a date deadline is one day late).
    static func daysLate(minutes: Int) -> Int { (minutes + 1_439) / 1_440 }
}

/// Service stations (clause 6): a workstation whose station is overdue (error) or was ready late
/// (warning), once per report; and a station submission of a unit that is not a workstation (warning).
public struct StationReadinessRule: Rule {
    public let name = RuleName.stationReadiness

    public func findings(in c: RuleContext) -> [Finding] {
        guard let judged = StationReadiness.judge(c.campaign, ledger: c.ledger, now: c.now, year: c.week.week.lastDay.year) else {
            return []
        }
        let (due, statuses) = judged
        let say = c.say
        let zone = c.campaign.zone
        let dueText = zone.format(due)
        let subject = say("服务站", "service station")
        var out: [Finding] = c.campaign.units.compactMap { unit in
            switch statuses[unit.name] {
            case .late(let at, let minutes)?:
                let day = zone.date(of: at), days = StationReadiness.daysLate(minutes: minutes)
                // The submission that reported it, when that is what made the station ready.
                let source = c.ledger.submissions.first { $0.kind == .station && $0.unit == unit.name && $0.submittedAt == at }?.source
                return Finding(name, severity: .warning, unit: unit.name, subject: subject, date: day,
                               detail: say("服务站 \(day) 建成，迟 \(days) 天（应于 \(dueText) 前按“六有一落实”标准建成）",
                                           "service station ready on \(day), \(days) days late (due by \(dueText))"),
                               source: source)
            case .missing?:
                return Finding(name, severity: .error, unit: unit.name, subject: subject,
                               detail: say("服务站逾期未按“六有一落实”标准建成（应于 \(dueText) 前）；建成后在活动方案写 station_ready 或报送“服务站”",
                                           "service station overdue, not ready to the standard (due by \(dueText)); once ready, set station_ready in the campaign file or submit kind station"))
            default: return nil
            }
        }
        // A station reported by a unit that is not a workstation counts for no unit: said once per unit.
        let kinds = Dictionary(c.campaign.units.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        var told = Set<String>()
        for s in c.ledger.submissions where s.kind == .station && s.submittedAt <= c.now {
            guard let kind = kinds[s.unit], kind != .workstation, told.insert(s.unit).inserted else { continue }
            out.append(Finding(name, severity: .warning, unit: s.unit, subject: subject,
                               detail: say("\(s.unit)不是工作站，没有服务站；这条“服务站”报送不计入任何单位",
                                           "\(s.unit) is not a workstation and has no service station; this station submission counts for no unit"),
                               source: s.source))
        }
        return out
    }
}
