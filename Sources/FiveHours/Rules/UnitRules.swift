/// Every volunteer serves no less than `weekly_hours` a week (每周服务时长不少于5小时).
public struct FiveHoursRule: Rule {
    public let name = RuleName.fiveHours

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        return c.week.volunteers.filter { $0.status == .short }.map { v in
            let h = Hours.format(v.shownSeconds), gap = Hours.format(v.shortfallSeconds), need = Hours.format(v.requiredSeconds)
            return Finding(name, unit: v.volunteer.unit, subject: RuleContext.subject(v.volunteer), date: c.week.week.lastDay,
                           detail: say("本周服务 \(h) 小时，差 \(gap) 小时达到 \(need) 小时",
                                       "served \(h) h this week, \(gap) h short of \(need) h"),
                           source: v.volunteer.source)
        }
    }
}

/// Each unit names `liaisons_per_unit` liaisons (明确一名联络员).
public struct LiaisonRule: Rule {
    public let name = RuleName.liaison

    public enum Status: String, Sendable { case ok, missing, multiple }

    /// The unit's active liaisons this week and the verdict.
    public static func status(of unit: String, in c: RuleContext) -> ([Volunteer], Status) {
        var liaisons: [Volunteer] = []
        for i in c.week.byUnit[unit] ?? [] where c.week.volunteers[i].volunteer.isLiaison { liaisons.append(c.week.volunteers[i].volunteer) }
        let n = c.campaign.rules.liaisonsPerUnit
        return (liaisons, liaisons.count == n ? .ok : liaisons.count < n ? .missing : .multiple)
    }

    public func findings(in c: RuleContext) -> [Finding] {
        var out: [Finding] = []
        let say = c.say
        let n = c.campaign.rules.liaisonsPerUnit
        let subject = say("联络员", "liaison")
        let rosteredLiaisons = c.ledger.volunteers.filter { $0.isLiaison }
        for unit in c.campaign.units {
            let (liaisons, status) = LiaisonRule.status(of: unit.name, in: c)
            switch status {
            case .ok: break
            case .missing:
                out.append(Finding(name, severity: .error, unit: unit.name, subject: subject,
                                   detail: liaisons.isEmpty ? say("本周没有在队的联络员（应明确 \(n) 名）", "no active liaison this week (\(n) required)")
                                                            : say("只有 \(liaisons.count) 名联络员（应为 \(n) 名）", "only \(liaisons.count) liaisons (\(n) required)")))
            case .multiple:
                let names = liaisons.map { "\($0.name)\(say.parenthesized("\($0.source)"))" }.joined(separator: say.listSeparator)
                out.append(Finding(name, severity: .warning, unit: unit.name, subject: subject,
                                   detail: say("有 \(liaisons.count) 名联络员：\(names)；应为 \(n) 名", "\(liaisons.count) liaisons: \(names); \(n) required"),
                                   source: liaisons.last?.source))
            }
            // A liaison on the roster who is not active this week cannot do the job.
            for v in rosteredLiaisons where v.unit == unit.name && c.week.position(of: v.id) == nil {
                let from = v.activeFrom.map { "\($0)" } ?? "—", until = v.activeUntil.map { "\($0)" } ?? "—"
                out.append(Finding(name, severity: .warning, unit: unit.name, subject: RuleContext.subject(v),
                                   detail: say("联络员 \(v.name) 本周不在队（入队 \(from)，离队 \(until)）",
                                               "liaison \(v.name) is not active this week (joined \(from), left \(until))"),
                                   source: v.source))
            }
            // Active only some days of the week by the roster's dates — not `partial` as a week in
            // progress makes everyone short of the hours, which says nothing of the liaison.
            for i in c.week.byUnit[unit.name] ?? [] where c.week.volunteers[i].volunteer.isLiaison {
                let v = c.week.volunteers[i]
                guard VolunteerWeek.isPartial(from: v.volunteer.activeFrom, until: v.volunteer.activeUntil, in: c.week.week) else { continue }
                out.append(Finding(name, severity: .info, unit: unit.name, subject: RuleContext.subject(v.volunteer),
                                   detail: say("联络员 \(v.volunteer.name) 本周只部分时间在队", "liaison \(v.volunteer.name) is active for only part of the week"),
                                   source: v.volunteer.source))
            }
        }
        return out
    }
}

/// Units the campaign file does not know (on rosters or in logs): their sessions still count.
public struct UnknownUnitRule: Rule {
    public let name = RuleName.unknownUnit

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        // Compared byte for byte first (`SmallIndex`): a month's or a year's sessions name a few
        // units millions of times.
        var known = SmallIndex()
        for u in c.campaign.units { known[u.name] = 0 }
        var seen: [String: (count: Int, source: SourceLine)] = [:]
        // Each unit once (the week groups volunteers by unit), in the week's order.
        let order = c.week.byUnit.filter { known[$0.key] == nil }.sorted { $0.value[0] < $1.value[0] }.map(\.key)
        for u in order {
            let members = c.week.byUnit[u]!
            seen[u] = (members.count, c.week.volunteers[members[0]].volunteer.source)
        }
        var out = order.map { u in
            Finding(name, unit: u, subject: u,
                    detail: say("单位“\(u)”不在活动方案的单位名单中（\(seen[u]!.count) 名志愿者）；检查名称或把它加入 units:",
                                "unit \"\(u)\" is not among the campaign file's units (\(seen[u]!.count) volunteers); check the name or add it to units:"),
                    source: seen[u]!.source)
        }
        var logged: [String: SourceLine] = [:]
        var logOrder: [String] = []
        // Each unit the records name is judged once (`Session.unit`, numbered); a session's
        // record is read only for the first session of a unit the campaign does not know.
        let judged = c.week.units.map { known[$0] == nil && seen[$0] == nil }
        var noted = [Bool](repeating: false, count: c.week.units.count)
        for s in c.week.sessions where s.unit >= 0 && judged[Int(s.unit)] && !noted[Int(s.unit)] {
            noted[Int(s.unit)] = true
            let r = c.week.record(of: s)
            guard let u = r.unit, logged[u] == nil else { continue }
            logged[u] = r.source
            logOrder.append(u)
        }
        out += logOrder.map { u in
            Finding(name, unit: u, subject: u,
                    detail: say("服务记录的报送单位“\(u)”不在活动方案的单位名单中", "the activity log's unit \"\(u)\" is not among the campaign file's units"),
                    source: logged[u]!)
        }
        // Submissions under a name the campaign does not know: likely a misspelt unit whose
        // bulletins would otherwise show as missing without a hint.
        var submitted: [String: (Int, SourceLine)] = [:]
        var subOrder: [String] = []
        for sub in c.ledger.submissions where known[sub.unit] == nil && seen[sub.unit] == nil && logged[sub.unit] == nil {
            if submitted[sub.unit] == nil { submitted[sub.unit] = (0, sub.source); subOrder.append(sub.unit) }
            submitted[sub.unit]!.0 += 1
        }
        out += subOrder.map { u in
            Finding(name, unit: u, subject: u,
                    detail: say("报送记录的单位“\(u)”不在活动方案的单位名单中（\(submitted[u]!.0) 条报送未计入任何单位）；检查名称",
                                "the submissions' unit \"\(u)\" is not among the campaign file's units (\(submitted[u]!.0) submissions count for no unit); check the name"),
                    source: submitted[u]!.1)
        }
        // A team's lead unit that `units:` does not list: a misspelling in the campaign file
        // itself, which would leave the team's lead share without its unit.
        var leadNoted = Set<String>()
        for team in c.campaign.teams {
            for lead in team.leads where known[lead] == nil && seen[lead] == nil && logged[lead] == nil && submitted[lead] == nil
                && leadNoted.insert(lead).inserted {
                out.append(Finding(name, unit: lead, subject: lead,
                                   detail: say("活动方案中服务队“\(team.name)”的牵头单位“\(lead)”不在单位名单中；检查名称或把它加入 units:",
                                               "the campaign file names \"\(lead)\" a lead unit of team \"\(team.name)\" but not among its units; check the name or add it to units:")))
            }
        }
        return out
    }
}

/// Teams the campaign file does not know: the hours still count for the volunteer.
public struct UnknownTeamRule: Rule {
    public let name = RuleName.unknownTeam

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        // Most volunteers name the same few teams: the campaign's names are compared byte for
        // byte first (a sure "known"), and only the others are hashed.
        var known = SmallIndex()
        for t in c.campaign.teams { known[t.name] = 0 }
        var first: [String: (SourceLine, String, Int)] = [:]
        var order: [String] = []
        func note(_ t: String, _ source: SourceLine, _ unit: String) {
            if first[t] == nil { first[t] = (source, unit, 0); order.append(t) }
            first[t]!.2 += 1
        }
        // The week's volunteers whose roster names a team the campaign does not know, looked for
        // in the ledger's order — the order their rosters were read and their boxes made, so
        // that the reads follow each other in memory; in the week's order (by unit) each of
        // 100,000 volunteers was a cache miss — then noted in the week's order.
        let week = c.week
        var named: [Int] = []
        for (li, v) in c.ledger.volunteers.enumerated() where li < week.positions.count && week.positions[li] >= 0 {
            if v.teams.contains(where: { known[$0] == nil }) { named.append(week.positions[li]) }
        }
        for i in named.sorted() {
            for t in week.volunteers[i].volunteer.teams where known[t] == nil {
                note(t, week.volunteers[i].volunteer.source, week.volunteers[i].volunteer.unit)
            }
        }
        // A session's own team is its `Session.team` (numbered): each number is judged once, and
        // the record read only for a team the campaign does not know (the session's team may
        // also be its volunteer's only team, noted above, when the record names none).
        let unknown = week.teams.map { known[$0] == nil }
        for s in week.sessions where s.team >= 0 && unknown[Int(s.team)] {
            let r = week.record(of: s)
            guard let t = r.team else { continue }
            note(t, r.source, week.volunteers[s.volunteer].volunteer.unit)
        }
        return order.map { t in
            Finding(name, unit: first[t]!.1, subject: t,
                    detail: say("服务队“\(t)”不在活动方案的服务队名单中（出现 \(first[t]!.2) 次）；检查名称或把它加入 teams:",
                                "team \"\(t)\" is not among the campaign file's teams (named \(first[t]!.2) times); check the name or add it to teams:"),
                    source: first[t]!.0)
        }
    }
}

/// Sessions of volunteers on no roster count for nobody.
public struct UnrosteredRule: Rule {
    public let name = RuleName.unrostered

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        var groups: [String: [ActivityRecord]] = [:]
        var order: [String] = []
        for a in c.week.unrostered {
            if groups[a.volunteerID] == nil { order.append(a.volunteerID) }
            groups[a.volunteerID, default: []].append(a)
        }
        return order.map { id in
            let list = groups[id]!
            let total = list.reduce(0) { $0 + $1.seconds }
            let h = Hours.format(total)
            return Finding(name, unit: list[0].unit ?? "", subject: id, date: list[0].date,
                           detail: say("志愿者编号 \(id) 不在任何花名册上：\(list.count) 条记录共 \(h) 小时不计入任何人",
                                       "volunteer id \(id) is on no roster: \(list.count) sessions, \(h) h, count for nobody"),
                           source: list[0].source)
        }
    }
}

/// Sessions recorded more than ten working days after they happened (全国志愿服务信息系统
/// 记录办法 art. 11).
public struct LateRecordRule: Rule {
    public let name = RuleName.lateRecord

    /// Monday–Friday days after `from` up to and including `to`.
    static func workingDays(from: CivilDate, to: CivilDate) -> Int {
        guard to > from else { return 0 }
        var n = 0
        var d = from.adding(days: 1)
        while d <= to { if d.weekdayIndex < 5 { n += 1 }; d = d.adding(days: 1) }
        return n
    }

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        return c.week.sessions.compactMap { s in
            let r = c.week.record(of: s)
            guard let at = r.submittedAt else { return nil }
            // No run of twelve days holds more than ten working days, and a local day is at most
            // one after the UTC day: a session recorded sooner than that is not late, and its
            // instant need not go through the zone (a year is millions of sessions).
            guard Counting.floorDiv(at, 86_400) + 1 - s.date.dayNumber > 12 else { return nil }
            let day = c.campaign.zone.date(of: at)
            let n = LateRecordRule.workingDays(from: r.date, to: day)
            guard n > 10 else { return nil }
            let v = c.week.volunteers[s.volunteer].volunteer
            let when = c.campaign.zone.format(at)
            return Finding(name, unit: v.unit, subject: RuleContext.subject(v), date: r.date,
                           detail: say("服务后第 \(n) 个工作日才记录（\(when)），超过 10 个工作日",
                                       "recorded \(n) working days after the session (\(when)), more than 10"),
                           source: r.source)
        }
    }
}

/// Header cells that name no known column: one finding per file, not per row.
public struct UnknownColumnRule: Rule {
    public let name = RuleName.unknownColumn

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        return c.ledger.files.enumerated().filter { !$0.element.unknownColumns.isEmpty }.map { i, f in
            let columns = f.unknownColumns.joined(separator: say.listSeparator)
            return Finding(name, subject: f.path,
                    detail: say("未识别的列（已忽略）：\(columns)", "columns not recognised (ignored): \(columns)"),
                    source: SourceLine(fileIndex: i, file: f.path, line: f.headerLine))
        }
    }
}
