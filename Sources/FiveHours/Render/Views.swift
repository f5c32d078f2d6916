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

    func findingGroups(_ findings: [Finding], schema: Bool, limit: Int = 30) -> [[String: Any]] {
        var order: [String] = []
        var groups: [String: [Finding]] = [:]
        if schema {
            order = ["x"]
            groups = ["x": [Finding(rule: "x", severity: .info, detail: "")]]
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
            return [
                "rule": rule, "rule_label": labels["rule.\(rule)"], "count": all.count, "severity": worst.rawValue,
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
            "units_count": r.units.count, "volunteers_count": r.volunteers.count, "met": r.met, "short": r.short,
            "partial": r.partial, "hours": Hours.format(r.totalSeconds), "compliance": rateText,
            "required_hours": Hours.format(r.rules.weeklySeconds),
        ]
        if let p = r.previousWeekSeconds {
            let delta = r.totalSeconds - p
            d["change"] = "\(delta >= 0 ? "+" : "")\(Hours.format(delta)) \(l["hours.unit"])（\(l["previous"]) \(Hours.format(p))）"
            d["has_change"] = true
        } else {
            d["change"] = l["no.previous"]
            d["has_change"] = false
        }
        d["day_heads"] = r.days.map { day -> [String: Any] in
            ["label": l["day.\(dayKeys[day.weekdayIndex])"], "date": "\(day.month)/\(day.day)"]
        }
        let placeholderUnit = WeeklyReport.UnitRow(name: "", kind: "", volunteers: 0, met: 0, short: 0, partial: 0, complianceRate: "",
                                                   compliancePercent: nil, seconds: 0, liaisons: [], liaisonStatus: .ok, daily: [.pending],
                                                   dailyOnTime: 0, dailyLate: 0, dailyMissing: 0, weekly: .pending, sessions: 0)
        d["units"] = support.list(r.units, placeholder: placeholderUnit, schema: schema) { u in
            let weekly = support.status(u.weekly)
            return [
                "name": u.name, "kind": l[u.kind], "volunteers": u.volunteers, "met": u.met, "short": u.short, "partial": u.partial,
                "rate": u.complianceRate.isEmpty ? "—" : Percent.text(u.complianceRate), "hours": u.hours, "sessions": u.sessions,
                "liaisons": u.liaisons.isEmpty ? "—" : u.liaisons.map(support.name).joined(separator: "、"),
                "liaison_status": u.liaisonStatus.rawValue, "liaison_label": l["liaison.\(u.liaisonStatus.rawValue)"],
                "liaison_ok": u.liaisonStatus == .ok,
                "daily": u.daily.map(support.status), "weekly": weekly,
                "daily_on_time": u.dailyOnTime, "daily_late": u.dailyLate, "daily_missing": u.dailyMissing,
                "summary_title": support.text(u.summaryTitle ?? ""), "summary": support.text(u.summary ?? ""),
                "plan": support.text(u.plan ?? ""), "has_plan": u.summary != nil || u.plan != nil,
                "low": (u.compliancePercent ?? 100) < 80,
            ]
        }
        d["has_plans"] = r.units.contains { $0.summary != nil || $0.plan != nil }
        // The chart is markup (not scrubbed as a whole): its unit names are scrubbed here.
        d["chart_svg"] = schema ? "" : ComplianceChart.svg(r.units.map { u in
            var u = u
            u.name = support.text(u.name)
            return u
        }, labels: l)
        let placeholderTeam = WeeklyReport.TeamRow(name: "", leads: [], focus: false, known: true, volunteers: 0, seconds: 0, sessions: 0)
        let teams = r.teams.filter(\.focus) + r.teams.filter { !$0.focus }
        d["teams"] = support.list(teams, placeholder: placeholderTeam, schema: schema) { t in
            ["name": t.name, "leads": t.leads.isEmpty ? "—" : t.leads.joined(separator: "、"), "focus": t.focus, "known": t.known,
             "volunteers": t.volunteers, "hours": t.hours, "sessions": t.sessions]
        }
        d["unassigned_hours"] = Hours.format(r.unassignedSeconds)
        d["has_unassigned"] = r.unassignedSeconds > 0

        // Volunteers short of the requirement, grouped by unit; long lists are cut (the CSV has all).
        // By index, not by copying rows: a hundred thousand volunteers pass through here.
        var unitNumber = SmallIndex()
        var members: [[Int]] = []
        var order: [String] = []
        if !schema {
            r.volunteers.withUnsafeBufferPointer { vs in
                for i in vs.indices where vs[i].status == .short {
                    let k: Int
                    if let n = unitNumber[vs[i].unit] { k = n } else { k = members.count; unitNumber[vs[i].unit] = k; members.append([]); order.append(vs[i].unit) }
                    members[k].append(i)
                }
            }
        }
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

        // Rankings: units by compliance (then hours), volunteers by hours.
        let rankedUnits = r.units.filter { $0.compliancePercent != nil }.sorted {
            ($0.compliancePercent!, $0.seconds, $1.name) > ($1.compliancePercent!, $1.seconds, $0.name)
        }
        let unitRanks = Ranking.competition(rankedUnits.map { [$0.compliancePercent!, $0.seconds] })
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
            ["rank": schema ? 1 : volunteerRanks[i], "name": support.name(v.name), "unit": v.unit, "hours": Hours.format(v.seconds), "sessions": v.sessions]
        }
        d["finding_groups"] = support.findingGroups(r.findings, schema: schema)
        d["has_findings"] = !r.findings.isEmpty
        d["findings_count"] = r.findings.count
        d["rejects_count"] = r.rejects.count
        d["rejects_text"] = r.rejects.isEmpty ? l["rejects.none"] : l.format("rejects.count", "\(r.rejects.count)")
        return d
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
        d["activities"] = support.list(r.activities, placeholder: placeholderActivity, schema: schema) { a in
            let time = a.start.isEmpty ? "" : "\(a.start)–\(a.end)"
            return [
                "time": time, "has_time": !time.isEmpty, "name": support.name(a.name), "unit": a.unit, "team": a.team,
                "title": support.text(a.title.isEmpty ? a.activity : a.title), "description": support.text(a.description),
                "has_description": !a.description.isEmpty, "category": a.category, "location": support.text(a.location),
                "hours": Hours.format(a.seconds), "source": support.isPublic ? "" : "\(a.source)",
                "photos": a.media.filter { $0.kind == .photo && $0.sourcePath != nil }.map { ["href": $0.href, "alt": support.text("\(a.title.isEmpty ? a.activity : a.title) — \(a.location)")] },
                "videos": a.media.filter { $0.kind == .video && $0.sourcePath != nil }.map { ["href": $0.href, "label": $0.label] },
                "links": a.media.filter { $0.sourcePath == nil || $0.kind == .link }.map { ["href": support.text($0.href), "label": support.text($0.label)] },
                "has_media": !a.media.isEmpty,
                "has_photos": a.media.contains { $0.kind == .photo && $0.sourcePath != nil },
            ]
        }
        let placeholderReporting = DailyReport.UnitReporting(unit: "", status: .pending, title: nil)
        d["reporting"] = support.list(r.reporting, placeholder: placeholderReporting, schema: schema) { u in
            ["unit": u.unit, "status": support.status(u.status), "title": support.text(u.title ?? "")]
        }
        d["finding_groups"] = support.findingGroups(r.findings, schema: schema)
        d["has_findings"] = !r.findings.isEmpty
        d["rejects_count"] = r.rejects.count
        d["rejects_text"] = r.rejects.isEmpty ? l["rejects.none"] : l.format("rejects.count", "\(r.rejects.count)")
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
enum ComplianceChart {
    static func svg(_ units: [WeeklyReport.UnitRow], labels: Labels) -> String {
        let rowH = 26, top = 8, labelW = 118, barW = 200
        let height = top * 2 + rowH * max(units.count, 1)
        var s = "<svg class=\"chart\" role=\"img\" aria-label=\"\(HTMLEscape.escape(labels["section.chart"]))\" viewBox=\"0 0 \(labelW + barW + 52) \(height)\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (i, u) in units.enumerated() {
            let y = top + i * rowH
            let pct = u.compliancePercent
            let w = (pct ?? 0) * barW / 100
            let cls = pct == nil ? "none" : pct! >= 90 ? "good" : pct! >= 70 ? "fair" : "poor"
            s += "<text x=\"\(labelW - 6)\" y=\"\(y + 17)\" text-anchor=\"end\" class=\"label\">\(HTMLEscape.escape(u.name))</text>"
            s += "<rect x=\"\(labelW)\" y=\"\(y + 5)\" width=\"\(barW)\" height=\"16\" rx=\"3\" class=\"track\"/>"
            if w > 0 { s += "<rect x=\"\(labelW)\" y=\"\(y + 5)\" width=\"\(w)\" height=\"16\" rx=\"3\" class=\"bar \(cls)\"/>" }
            s += "<text x=\"\(labelW + barW + 6)\" y=\"\(y + 17)\" class=\"value\">\(pct.map { "\($0)%" } ?? "—")</text>"
        }
        return s + "</svg>"
    }
}
