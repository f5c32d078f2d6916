/// The dictionaries the templates see, built from the report models.
///
/// Everything is already formatted here (the templates only lay out), masked with `--public`,
/// and cleared of phone numbers. `schema: true` builds one placeholder element for every list,
/// so that a template's tags can be checked even when a list is empty this week.
struct ViewSupport {
    let labels: Labels
    let isPublic: Bool
    let phones: Set<String>
    let mask: NameMask
    let zone: CampaignZone

    /// Free text from the inputs: phone numbers blanked, names masked when public (with
    /// `NameMask.marker`, which each format's escaper writes as its mask character).
    func text(_ s: String) -> String {
        let clean = PhoneScrubber.scrub(s, known: phones, mask: NameMask.markerBytes)
        return isPublic ? mask.maskNames(in: clean) : clean
    }

    /// A volunteer's name as the report may show it.
    func name(_ s: String) -> String { isPublic ? NameMask.masked(s) : s }

    func status(_ d: DeadlineStatus) -> [String: Any] {
        switch d {
        case .onTime(let at): return ["cell": "✓", "cls": "ok", "title": "\(labels["on_time"]) \(zone.format(at))", "label": labels["on_time"], "minutes": "", "late": false]
        case .late(_, let m): return ["cell": "\(m)′", "cls": "late", "title": labels.format("minutes.late", "\(m)"), "label": labels["late"], "minutes": "\(m)", "late": true]
        case .missing: return ["cell": "✗", "cls": "missing", "title": labels["missing"], "label": labels["missing"], "minutes": "", "late": false]
        case .pending: return ["cell": "…", "cls": "pending", "title": labels["pending"], "label": labels["pending"], "minutes": "", "late": false]
        }
    }

    func list<T>(_ items: [T], placeholder: @autoclosure () -> T, schema: Bool, _ f: (T) -> [String: Any]) -> [[String: Any]] {
        schema ? [f(placeholder())] : items.map(f)
    }

    /// The findings and rejects part of every report's view: the findings grouped by rule, their
    /// count, and the count of rejected rows in words.
    func addFindings(_ findings: [Finding], rejects: Int, schema: Bool, to d: inout [String: Any]) {
        d["finding_groups"] = findingGroups(findings, schema: schema)
        d["has_findings"] = !findings.isEmpty
        d["findings_count"] = findings.count
        d["rejects_count"] = rejects
        d["rejects_text"] = rejects == 0 ? labels["rejects.none"] : labels.format("rejects.count", "\(rejects)")
    }

    func findingGroups(_ findings: [Finding], schema: Bool, limit: Int = 30) -> [[String: Any]] {
        var order: [RuleName] = []
        var groups: [RuleName: [Finding]] = [:]
        if schema {
            order = [.fiveHours]
            groups = [.fiveHours: [Finding(.fiveHours, severity: .info, detail: "")]]
        } else {
            for f in findings {
                if groups[f.rule] == nil { order.append(f.rule) }
                groups[f.rule, default: []].append(f)
            }
        }
        return order.map { rule in
            let all = groups[rule]!
            let shown = all.prefix(limit)
            let worst = all.map(\.severity).min() ?? .info
            // How many each unit has, most first: a month's or a year's repeat the same rule
            // week after week, and a reader wants whom it concerns before the list.
            var perUnit: [(unit: String, count: Int)] = []
            for f in all where !f.unit.isEmpty {
                if let k = perUnit.firstIndex(where: { $0.unit == f.unit }) { perUnit[k].count += 1 } else { perUnit.append((f.unit, 1)) }
            }
            let byUnit = perUnit.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
                .map { "\($0.element.unit) \($0.element.count)" }.joined(separator: labels["sep"])
            return [
                "by_unit": labels.format("findings.by_unit", byUnit), "has_by_unit": !schema && !perUnit.isEmpty && (all.count > 1 || isPublic),
                "rule": rule.key, "rule_label": rule.label(labels.language), "count": all.count, "severity": worst.rawValue,
                "severity_label": labels[worst.rawValue],
                // `--public`: the count per rule only; the findings themselves (ids, sources with
                // line numbers, checking detail) are for the office, in findings.csv.
                "items": isPublic && !schema ? [] : shown.map { f -> [String: Any] in
                    ["severity": f.severity.rawValue, "severity_label": labels[f.severity.rawValue], "unit": f.unit,
                     "subject": text(f.subject), "date": f.date.map { "\($0)" } ?? "", "detail": text(f.detail),
                     "source": f.source.map { "\($0)" } ?? ""]
                },
                "more": all.count > limit && !isPublic ? labels.format("more", "\(all.count - limit)") : "",
                "has_more": all.count > limit && !isPublic,
            ]
        }
    }
}

struct WeeklyView {
    let report: WeeklyReport
    let support: ViewSupport

    init(report: WeeklyReport, labels: Labels, isPublic: Bool, phones: Set<String>) {
        self.report = report
        self.support = ViewSupport(labels: labels, isPublic: isPublic, phones: phones, mask: NameMask(names: isPublic ? report.volunteers.map(\.name) + report.knownNames : []), zone: report.zone)
    }

    func dictionary(schema: Bool) -> [String: Any] {
        let r = report, l = support.labels
        let dayKeys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let rateText = r.complianceRate.isEmpty ? "—" : Percent.text(r.complianceRate)
        var d: [String: Any] = [
            "lang": l.language.rawValue, "l": l.templateDictionary, "public": support.isPublic,
            "title": l["weekly.title"], "campaign": r.campaignName, "organizer": r.organizer,
            "week_first": "\(r.week.firstDay)", "week_last": "\(r.week.lastDay)",
            "generated": r.zone.format(r.now), "fingerprint": String(r.inputFingerprint.prefix(16)),
            "units_count": r.units.count, "volunteers_count": r.volunteers.count, "met": r.met,
            // While the week runs nobody is short: the column and the count say "not met yet".
            "short": r.inProgress ? r.notMetYet : r.short, "short_head": r.inProgress ? l["not_met_yet"] : l["short"],
            "partial": r.partial, "hours": Hours.format(r.totalSeconds), "compliance": rateText,
            "required_hours": Hours.format(r.rules.weeklySeconds),
        ]
        switch r.previousWeek {
        case .shown(let p):
            let delta = r.totalSeconds - p
            d["change"] = "\(delta >= 0 ? "+" : "")\(Hours.format(delta)) \(l["hours.unit"])\(l["lp"])\(l["previous"]) \(Hours.format(p))\(l["rp"])"
            d["has_change"] = true
        case .none:
            d["change"] = l["no.previous"]
            d["has_change"] = false
        case .incomplete(let n):
            d["change"] = l.format("previous.incomplete", "\(n)")
            d["has_change"] = false
        case .thisWeekInProgress:
            d["change"] = l["in_progress.change"]
            d["has_change"] = false
        }
        d["in_progress"] = r.inProgress
        d["in_progress_note"] = l.format("in_progress.note", r.zone.format(r.summaryDue))
        if r.inProgress { d["compliance"] = l["in_progress"] }
        d["panel"] = panel(schema: schema)
        d["day_heads"] = r.days.map { day -> [String: Any] in
            ["label": l["day.\(dayKeys[day.weekdayIndex])"], "date": "\(day.month)/\(day.day)"]
        }
        let placeholderUnit = WeeklyReport.UnitRow(name: "", kind: "", volunteers: 0, met: 0, short: 0, partial: 0, complianceRate: "",
                                                   compliancePercent: nil, seconds: 0, liaisons: [], liaisonStatus: .ok, daily: [.pending],
                                                   dailyOnTime: 0, dailyLate: 0, dailyMissing: 0, weekly: .late(at: 0, minutes: 1), sessions: 0)
        d["units"] = support.list(r.units, placeholder: placeholderUnit, schema: schema) { u in
            let weekly = support.status(u.weekly)
            return [
                "name": u.name, "kind": l[u.kind], "volunteers": u.volunteers, "met": u.met,
                "short": r.inProgress ? u.notMetYet : u.short, "partial": u.partial,
                // A week still running has no rate yet: only those already met, nobody short.
                "rate": u.complianceRate.isEmpty || r.inProgress ? "—" : Percent.text(u.complianceRate), "hours": u.hours, "sessions": u.sessions,
                "liaisons": u.liaisons.isEmpty ? "—" : u.liaisons.map(support.name).joined(separator: l["sep"]),
                "liaison_status": u.liaisonStatus.rawValue, "liaison_label": l["liaison.\(u.liaisonStatus.rawValue)"],
                "liaison_ok": u.liaisonStatus == .ok,
                "daily": u.daily.map(support.status), "weekly": weekly,
                "daily_on_time": u.dailyOnTime, "daily_late": u.dailyLate, "daily_missing": u.dailyMissing,
                "summary_title": support.text(u.summaryTitle ?? ""), "summary": support.text(u.summary ?? ""),
                "plan": support.text(u.plan ?? ""), "has_plan": u.summary != nil || u.plan != nil,
                "plan_placeholder": planPlaceholder(u), "has_placeholder": u.summary == nil && u.plan == nil,
                "low": !r.inProgress && ComplianceBand.of(u.compliancePercent) == "poor",
            ]
        }
        // Every unit has its place in 本周总结与下周计划: a missing summary shows as missing.
        d["has_plans"] = !r.units.isEmpty
        // The chart is markup (not scrubbed as a whole): its unit names are scrubbed here.
        d["chart_svg"] = schema || r.inProgress ? "" : ComplianceChart.svg(r.units.map { u in
            var u = u
            u.name = support.text(u.name)
            return u
        }, labels: l)
        let placeholderTeam = WeeklyReport.TeamRow(name: "", leads: [], focus: false, known: true, volunteers: 0, seconds: 0, sessions: 0)
        let teams = r.teams.filter(\.focus) + r.teams.filter { !$0.focus }
        d["teams"] = support.list(teams, placeholder: placeholderTeam, schema: schema) { t in
            ["name": t.name, "leads": t.leads.isEmpty ? "—" : t.leads.joined(separator: l["sep"]), "focus": t.focus, "known": t.known,
             "volunteers": t.volunteers, "hours": t.hours, "sessions": t.sessions]
        }
        d["unassigned_hours"] = Hours.format(r.unassignedSeconds)
        d["has_unassigned"] = r.unassignedSeconds > 0

        // Volunteers grouped by unit, in the report's order (units as first met): by index, not
        // by copying rows — a hundred thousand volunteers pass through here.
        func byUnit(_ keep: (WeeklyReport.VolunteerRow) -> Bool) -> (order: [String], members: [[Int]]) {
            var unitNumber = SmallIndex()
            var members: [[Int]] = [], order: [String] = []
            guard !schema else { return (order, members) }
            r.volunteers.withUnsafeBufferPointer { vs in
                for i in vs.indices where keep(vs[i]) {
                    let k: Int
                    if let n = unitNumber[vs[i].unit] { k = n } else { k = members.count; unitNumber[vs[i].unit] = k; members.append([]); order.append(vs[i].unit) }
                    members[k].append(i)
                }
            }
            return (order, members)
        }
        // Volunteers short of the requirement; long lists are cut (the CSV has all).
        let (order, members) = byUnit { $0.status == .short }
        let perUnit = 40
        let placeholderVolunteer = WeeklyReport.VolunteerRow(id: "", name: "", unit: "", teams: [], seconds: 0, requiredSeconds: 0,
                                                             shortfallSeconds: 0, status: .short, daily: [], sessions: 0, isLiaison: false, role: "")
        func member(_ v: WeeklyReport.VolunteerRow) -> [String: Any] {
            ["id": support.isPublic ? "" : v.id, "name": support.name(v.name), "hours": Hours.format(v.seconds),
             "shortfall": Hours.format(v.shortfallSeconds), "sessions": v.sessions]
        }
        d["short_groups"] = schema
            ? [["unit": "", "count": 0, "members": [member(placeholderVolunteer)], "more": "", "has_more": false]]
            : order.enumerated().map { k, u -> [String: Any] in
                let list = members[k].map { r.volunteers[$0] }.sorted { ($0.shortfallSeconds, $1.id) > ($1.shortfallSeconds, $0.id) }
                return ["unit": u, "count": list.count, "members": list.prefix(perUnit).map(member),
                        "more": list.count > perUnit ? l.format("more", "\(list.count - perUnit)") : "", "has_more": list.count > perUnit]
            }
        d["has_short"] = !order.isEmpty

        // Every active volunteer's week, by unit in the report's order (the contract's compliance
        // "per volunteer"); a unit's list is cut at 200 (volunteers.csv has every one).
        let perUnitAll = 200
        let (everyoneOrder, everyone) = byUnit { _ in true }
        func status(_ v: WeeklyReport.VolunteerRow) -> [String: Any] {
            // Met is met as soon as the hours are there; a week still running holds nobody short.
            let key = v.notMetYet ? "in_progress" : v.status.rawValue
            return ["id": support.isPublic ? "" : v.id, "name": support.name(v.name), "hours": Hours.format(v.seconds),
                    "status": key, "status_label": l[v.notMetYet ? "not_met_yet" : key]]
        }
        d["volunteer_groups"] = schema
            ? [["unit": "", "count": 0, "members": [status(placeholderVolunteer)], "more": "", "has_more": false]]
            : everyoneOrder.enumerated().map { k, u -> [String: Any] in
                let list = everyone[k]
                return ["unit": u, "count": list.count, "members": list.prefix(perUnitAll).map { status(r.volunteers[$0]) },
                        "more": list.count > perUnitAll ? l.format("more", "\(list.count - perUnitAll)") : "", "has_more": list.count > perUnitAll]
            }

        // Rankings: units by compliance (equal rates share a rank; listed by hours), volunteers by
        // counted hours (equal hours share a rank). An unfinished week ranks no unit.
        let rankedUnits = r.inProgress ? [] : r.units.filter { $0.compliancePercent != nil }.sorted {
            ($0.compliancePercent!, $0.seconds, $1.name) > ($1.compliancePercent!, $1.seconds, $0.name)
        }
        let unitRanks = Ranking.competition(rankedUnits.map { [$0.compliancePercent!] })
        d["rank_units"] = support.list(Array(rankedUnits.enumerated()), placeholder: (0, placeholderUnit), schema: schema) { i, u in
            ["rank": schema ? 1 : unitRanks[i], "name": u.name, "rate": Percent.text(u.complianceRate), "hours": u.hours, "met": u.met, "held": u.met + u.short]
        }
        // The ten with the most hours (ties by id), kept while scanning: no sort of every volunteer.
        var top: [Int] = []
        if !schema {
            r.volunteers.withUnsafeBufferPointer { vs in
                func before(_ a: Int, _ b: Int) -> Bool {
                    vs[a].seconds != vs[b].seconds ? vs[a].seconds > vs[b].seconds : vs[b].id > vs[a].id
                }
                for i in vs.indices where vs[i].seconds > 0 {
                    if top.count == 10, !before(i, top[9]) { continue }
                    let at = top.firstIndex { before(i, $0) } ?? top.count
                    top.insert(i, at: at)
                    if top.count > 10 { top.removeLast() }
                }
            }
        }
        let rankedVolunteers = top.map { r.volunteers[$0] }
        let volunteerRanks = Ranking.competition(rankedVolunteers.map { [$0.seconds] })
        d["rank_volunteers"] = support.list(Array(rankedVolunteers.enumerated()), placeholder: (0, placeholderVolunteer), schema: schema) { i, v in
            ["rank": schema ? 1 : volunteerRanks[i], "name": support.name(v.name), "unit": v.unit, "hours": Hours.format(v.seconds),
             "sessions": v.sessions, "flagged": schema || v.flagged]
        }
        d["has_flagged"] = schema || rankedVolunteers.contains { $0.flagged }
        support.addFindings(r.findings, rejects: r.rejects.count, schema: schema, to: &d)
        return d
    }
}

extension WeeklyView {
    /// What stands in 本周总结与下周计划 for a unit whose summary has no text: missing, not due
    /// yet, or sent without text.
    func planPlaceholder(_ u: WeeklyReport.UnitRow) -> String {
        let l = support.labels
        switch u.weekly {
        case .missing: return l["summary.missing"]
        case .pending: return l.format("summary.pending", report.zone.format(report.summaryDue))
        case .onTime, .late: return l["summary.empty"]
        }
    }

    /// The reporting-compliance panel at the top: bulletins, summaries, liaisons and rosters,
    /// each counted over the units, with the units that owe something named.
    func panel(schema: Bool) -> [String: Any] {
        let r = report, l = support.labels, sep = l["sep"]
        var bulletins = (onTime: 0, late: 0, missing: 0, pending: 0)
        var summaries = bulletins, rosters = bulletins
        var missingBulletin: [String] = [], missingSummary: [String] = [], lateSummary: [String] = []
        var missingRoster: [String] = [], liaisonToName: [String] = []
        var liaisonsOK = 0
        func add(_ s: DeadlineStatus, to t: inout (onTime: Int, late: Int, missing: Int, pending: Int)) {
            switch s {
            case .onTime: t.onTime += 1
            case .late: t.late += 1
            case .missing: t.missing += 1
            case .pending: t.pending += 1
            }
        }
        var hasRoster = false
        for u in r.units {
            for s in u.daily { add(s, to: &bulletins) }
            if u.daily.contains(.missing) { missingBulletin.append(u.name) }
            add(u.weekly, to: &summaries)
            if u.weekly == .missing { missingSummary.append(u.name) }
            if case .late = u.weekly { lateSummary.append(u.name) }
            if let roster = u.roster {
                hasRoster = true
                add(roster, to: &rosters)
                if roster == .missing { missingRoster.append(u.name) }
            }
            if u.liaisonStatus == .ok { liaisonsOK += 1 } else { liaisonToName.append(u.name) }
        }
        func counts(_ t: (onTime: Int, late: Int, missing: Int, pending: Int)) -> [String: Any] {
            ["on_time": t.onTime, "late": t.late, "missing": t.missing, "pending": t.pending,
             "has_late": schema || t.late > 0, "has_missing": schema || t.missing > 0, "has_pending": schema || t.pending > 0,
             "all_ok": !schema && t.late == 0 && t.missing == 0 && t.pending == 0]
        }
        func names(_ key: String, _ list: [String]) -> String { list.isEmpty ? "" : l.format(key, list.joined(separator: sep)) }
        return [
            "bulletins": counts(bulletins), "summaries": counts(summaries), "rosters": counts(rosters),
            "has_roster": schema || hasRoster,
            "liaisons_ok": liaisonsOK, "liaisons_total": r.units.count, "liaisons_all_ok": !schema && liaisonToName.isEmpty,
            "bulletins_missing_units": names("units.missing", missingBulletin),
            "summaries_missing_units": names("units.missing", missingSummary),
            "summaries_late_units": names("units.late", lateSummary),
            "rosters_missing_units": names("units.missing", missingRoster),
            "liaison_units": names("units.liaison", liaisonToName),
        ]
    }
}

struct DailyView {
    let report: DailyReport
    let support: ViewSupport

    init(report: DailyReport, labels: Labels, isPublic: Bool, phones: Set<String>) {
        self.report = report
        self.support = ViewSupport(labels: labels, isPublic: isPublic, phones: phones, mask: NameMask(names: isPublic ? report.activities.map(\.name) + report.knownNames : []), zone: report.zone)
    }

    func dictionary(schema: Bool) -> [String: Any] {
        let r = report, l = support.labels
        let dayKeys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        var d: [String: Any] = [
            "lang": l.language.rawValue, "l": l.templateDictionary, "public": support.isPublic,
            "title": l["daily.title"], "campaign": r.campaignName, "organizer": r.organizer,
            "date": "\(r.date)", "weekday": l["day.\(dayKeys[r.date.weekdayIndex])"],
            "issue": r.issueNumber.map { l.format("issue", "\($0)") } ?? "", "has_issue": r.issueNumber != nil,
            "generated": r.zone.format(r.now), "fingerprint": String(r.inputFingerprint.prefix(16)),
            "sessions": r.activities.count, "volunteers_count": r.volunteerCount, "hours": Hours.format(r.totalSeconds),
            "has_activities": !r.activities.isEmpty, "units_count": r.units.count,
        ]
        let placeholderTally = DailyReport.Tally(name: "", seconds: 0, sessions: 0, volunteers: 0)
        func tally(_ t: DailyReport.Tally) -> [String: Any] {
            ["name": t.name.isEmpty ? l["unassigned"] : t.name, "hours": t.hours, "sessions": t.sessions, "volunteers": t.volunteers]
        }
        d["teams"] = support.list(r.teams, placeholder: placeholderTally, schema: schema, tally)
        d["units"] = support.list(r.units, placeholder: placeholderTally, schema: schema, tally)
        let placeholderActivity = DailyReport.ActivityRow(recordID: "", volunteerID: "", name: "", unit: "", team: "", start: "", end: "",
                                                          seconds: 0, activity: "", title: "", description: "", category: "", location: "",
                                                          media: [DailyReport.MediaItem(kind: .photo, href: "", sourcePath: "", label: ""),
                                                                  DailyReport.MediaItem(kind: .video, href: "", sourcePath: "", label: ""),
                                                                  DailyReport.MediaItem(kind: .link, href: "", sourcePath: nil, label: "")],
                                                          source: SourceLine(fileIndex: 0, file: "", line: 0))
        func activity(_ a: DailyReport.ActivityRow) -> [String: Any] {
            let time = a.start.isEmpty ? "" : "\(a.start)–\(a.end)"
            return [
                "time": time, "has_time": !time.isEmpty, "name": support.name(a.name), "unit": a.unit, "team": a.team,
                "title": support.text(a.title.isEmpty ? a.activity : a.title), "description": support.text(a.description),
                "has_description": !a.description.isEmpty, "category": a.category, "location": support.text(a.location),
                "hours": Hours.format(a.seconds), "source": support.isPublic ? "" : "\(a.source)",
                "photos": a.media.filter { $0.kind == .photo && $0.sourcePath != nil }.map { ["href": $0.link, "alt": support.text([a.title.isEmpty ? a.activity : a.title, a.location].filter { !$0.isEmpty }.joined(separator: " — "))] },
                "videos": a.media.filter { $0.kind == .video && $0.sourcePath != nil }.map { ["href": $0.link, "label": $0.label] },
                "links": a.media.filter { $0.sourcePath == nil || $0.kind == .link }.map { ["href": support.text($0.link), "label": support.text($0.label)] },
                "has_media": !a.media.isEmpty,
                "has_photos": a.media.contains { $0.kind == .photo && $0.sourcePath != nil },
            ]
        }
        d["activities"] = support.list(r.activities, placeholder: placeholderActivity, schema: schema, activity)
        // The day's activities grouped by the volunteers' units, in the order of the units' tally
        // (the campaign file's order, then others by name); by start time within a unit.
        if schema {
            d["activity_groups"] = [["unit": "", "sessions": 0, "sessions_text": "", "hours": "", "volunteers": 0, "activities": [activity(placeholderActivity)]]]
        } else {
            var byUnit: [String: [DailyReport.ActivityRow]] = [:]
            for a in r.activities { byUnit[a.unit, default: []].append(a) }
            d["activity_groups"] = r.units.compactMap { t -> [String: Any]? in
                guard let list = byUnit[t.name] else { return nil }
                return ["unit": t.name, "sessions": t.sessions, "sessions_text": l.format("n.sessions", "\(t.sessions)"), "hours": t.hours,
                        "volunteers": t.volunteers, "activities": list.map(activity)]
            }
        }
        let placeholderReporting = DailyReport.UnitReporting(unit: "", status: .pending, title: nil)
        d["reporting"] = support.list(r.reporting, placeholder: placeholderReporting, schema: schema) { u in
            ["unit": u.unit, "status": support.status(u.status), "title": support.text(u.title ?? "")]
        }
        // Who reported today, counted for the head of the bulletin.
        var onTime = 0, late = 0, missing = 0, pending = 0
        var missingUnits: [String] = [], lateUnits: [String] = []
        for u in r.reporting {
            switch u.status {
            case .onTime: onTime += 1
            case .late: late += 1; lateUnits.append(u.unit)
            case .missing: missing += 1; missingUnits.append(u.unit)
            case .pending: pending += 1
            }
        }
        d["has_reporting"] = schema || !r.reporting.isEmpty
        d["reported"] = ["on_time": onTime, "late": late, "missing": missing, "pending": pending, "due": r.reporting.count,
                         "has_late": schema || late > 0, "has_missing": schema || missing > 0, "has_pending": schema || pending > 0,
                         "missing_units": missingUnits.isEmpty ? "" : l.format("units.missing", missingUnits.joined(separator: l["sep"])),
                         "late_units": lateUnits.isEmpty ? "" : l.format("units.late", lateUnits.joined(separator: l["sep"]))] as [String: Any]
        support.addFindings(r.findings, rejects: r.rejects.count, schema: schema, to: &d)
        return d
    }
}

/// Standard competition ranking ("1224"): equal keys share a rank, the next rank skips.
enum Ranking {
    /// - Parameter keys: sort keys of items already in ranked order.
    static func competition(_ keys: [[Int]]) -> [Int] {
        var ranks: [Int] = []
        for (i, k) in keys.enumerated() {
            ranks.append(i > 0 && keys[i - 1] == k ? ranks[i - 1] : i + 1)
        }
        return ranks
    }
}

/// `0.67` → `67%`.
enum Percent {
    static func text(_ rate: String) -> String {
        guard !rate.isEmpty else { return "—" }
        let parts = rate.split(separator: ".")
        let whole = Int(parts[0]) ?? 0, frac = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        return "\(whole * 100 + frac)%"
    }
}

/// The inline SVG bar chart of compliance per unit: no script, no external request.
/// How a compliance rate is coloured, in every chart and table: good from 90 %, fair from 80 %,
/// poor below (a unit table's row is marked low there too); none without a rate.
enum ComplianceBand {
    static func of(_ percent: Int?) -> String {
        guard let p = percent else { return "none" }
        return p >= 90 ? "good" : p >= 80 ? "fair" : "poor"
    }
}

enum ComplianceChart {
    /// The widest line of a label, in half-width characters (a CJK character is two). A longer
    /// unit name takes two lines, the second cut with `…` (the whole name in the label's
    /// `<title>` and in the units table), so that none is cut off at the chart's left edge and
    /// names that differ only in the middle (社区综合服务中心第一网格…, 第二网格…) stay apart.
    static let labelWidth = 16

    static func svg(_ units: [WeeklyReport.UnitRow], labels: Labels) -> String {
        let lines = units.map { label($0.name) }
        let twoLines = lines.contains { $0.count > 1 }
        let rowH = twoLines ? 36 : 26, top = 8, labelW = 118, barW = 200
        let height = top * 2 + rowH * max(units.count, 1)
        var s = "<svg class=\"chart\" role=\"img\" aria-label=\"\(HTMLEscape.escape(labels["section.chart"]))\" viewBox=\"0 0 \(labelW + barW + 52) \(height)\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (i, u) in units.enumerated() {
            let y = top + i * rowH + (rowH - 26) / 2
            let pct = u.compliancePercent
            let w = (pct ?? 0) * barW / 100
            let cls = ComplianceBand.of(pct)
            let shown = lines[i]
            if shown.count == 1 {
                s += "<text x=\"\(labelW - 6)\" y=\"\(y + 17)\" text-anchor=\"end\" class=\"label\">\(HTMLEscape.escape(shown[0]))</text>"
            } else {
                let title = shown.joined() == u.name ? "" : "<title>\(HTMLEscape.escape(u.name))</title>"
                s += "<text x=\"\(labelW - 6)\" y=\"\(y + 10)\" text-anchor=\"end\" class=\"label\">\(title)"
                    + "<tspan x=\"\(labelW - 6)\">\(HTMLEscape.escape(shown[0]))</tspan><tspan x=\"\(labelW - 6)\" dy=\"14\">\(HTMLEscape.escape(shown[1]))</tspan></text>"
            }
            s += "<rect x=\"\(labelW)\" y=\"\(y + 5)\" width=\"\(barW)\" height=\"16\" rx=\"3\" class=\"track\"/>"
            if w > 0 { s += "<rect x=\"\(labelW)\" y=\"\(y + 5)\" width=\"\(w)\" height=\"16\" rx=\"3\" class=\"bar \(cls)\"/>" }
            s += "<text x=\"\(labelW + barW + 6)\" y=\"\(y + 17)\" class=\"value\">\(pct.map { "\($0)%" } ?? "—")</text>"
        }
        return s + "</svg>"
    }

    /// `name` as one line of at most `labelWidth` half-width characters, or two, the second
    /// ending in `…` when the name is longer still.
    static func label(_ name: String) -> [String] {
        func width(_ c: Character) -> Int { c.unicodeScalars.first.map { $0.value >= 0x1100 ? 2 : 1 } ?? 1 }
        guard name.reduce(0, { $0 + width($1) }) > labelWidth else { return [name] }
        var lines = ["", ""], used = 0, line = 0
        for c in name {
            if used + width(c) > labelWidth {
                if line == 1 { break }
                line = 1
                used = 0
            }
            lines[line].append(c)
            used += width(c)
        }
        if lines.joined() != name {
            // Room for the `…` on the second line.
            while lines[1].reduce(0, { $0 + width($1) }) > labelWidth - 1 { lines[1].removeLast() }
            lines[1] += "…"
        }
        return lines
    }
}
