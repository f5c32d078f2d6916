/// The dictionary the monthly and yearly templates see, built from a `RollupReport`.
///
/// As for the weekly summary: everything formatted here, names masked with `--public`, free text
/// cleared of phone numbers, and `schema: true` gives one placeholder per list so that a
/// template's tags are checked even when a list is empty.
struct RollupView {
    let report: RollupReport
    let support: ViewSupport

    init(report: RollupReport, labels: Labels, isPublic: Bool, phones: Set<String>) {
        self.report = report
        self.support = ViewSupport(labels: labels, isPublic: isPublic, phones: phones,
                                   mask: NameMask(names: isPublic ? report.volunteers.map(\.name) + report.knownNames : []), zone: report.zone)
    }

    func dictionary(schema: Bool) -> [String: Any] {
        let r = report, l = support.labels
        let rl = RollupLabels.table(l.language)
        func label(_ k: String) -> String { rl[k] ?? l[k] }
        var met = 0, short = 0
        for u in r.units { met += u.met; short += u.short }
        let over = r.weeks.filter(\.isOver).count
        var d: [String: Any] = [
            "lang": l.language.rawValue, "l": RollupLabels.templateDictionary(l), "public": support.isPublic,
            "title": label(r.kind == .monthly ? "monthly.title" : "yearly.title"), "campaign": r.campaignName, "organizer": r.organizer,
            "period_name": r.periodName, "period_first": "\(r.period.first)", "period_last": "\(r.period.last)",
            "generated": r.zone.format(r.now), "fingerprint": String(r.inputFingerprint.prefix(16)),
            "volunteers_count": r.volunteers.count, "hours": Hours.format(r.totalSeconds),
            "compliance": Percent.text(Rate.format(met, of: met + short)), "met": met, "short": short,
            "weeks_count": r.weeks.count, "weeks_over": over, "weeks_in_progress": r.weeks.count - over,
            "has_in_progress": over < r.weeks.count, "units_count": r.units.count,
            "required_hours": Hours.format(r.rules.weeklySeconds), "monthly": r.kind == .monthly, "yearly": r.kind == .yearly,
            "parts_explain": rl["rollup.parts.explain"]!.replacingOccurrences(of: "%@", with: RollupReport.decimal(r.assessment.lateCredit)),
            "star_rule": rl["rollup.star.rule"]!.replacingOccurrences(of: "%@", with: r.assessment.starHours.map(String.init).joined(separator: " / "))
                .replacingOccurrences(of: "%n", with: RollupLabels.levels(r.assessment.starHours.count, language: l.language)),
        ]
        let placeholderWeek = Rollup.WeekInfo(week: Week(lastDay: r.period.last), isOver: true, units: [])
        d["weeks"] = support.list(r.weeks, placeholder: placeholderWeek, schema: schema) { w in
            ["first": "\(w.week.firstDay)", "last": "\(w.week.lastDay)", "short_last": "\(w.week.lastDay.month)/\(w.week.lastDay.day)",
             "over": w.isOver, "state": w.isOver ? label("rollup.over") : w.hasStarted ? label("rollup.in_progress") : label("rollup.not_started")]
        }
        // A year's 52 weeks in one line: the first and last, how many are over, which is in progress.
        let overWeeks = r.weeks.filter(\.isOver)
        let current = r.weeks.first { !$0.isOver && $0.hasStarted }
        let notStarted = r.weeks.filter { !$0.hasStarted }.count
        // In the report's language: `22 周：… — …；已结束 4（— 2019-08-23）；…`.
        let (colon, semi, lp, rp) = (label("colon"), label("semi"), label("lp"), label("rp"))
        var summary = label("rollup.n_weeks").replacingOccurrences(of: "%@", with: "\(r.weeks.count)")
        summary += "\(colon)\(r.weeks.first.map { "\($0.week.firstDay)" } ?? "") — \(r.weeks.last.map { "\($0.week.lastDay)" } ?? "")"
        summary += "\(semi)\(label("rollup.over")) \(overWeeks.count)"
        if let last = overWeeks.last { summary += "\(lp)— \(last.week.lastDay)\(rp)" }
        if let c = current { summary += "\(semi)\(label("rollup.in_progress")) \(c.week.firstDay) — \(c.week.lastDay)" }
        if notStarted > 0 { summary += "\(semi)\(label("rollup.not_started")) \(notStarted)" }
        d["weeks_summary"] = summary

        // The assessment: units in the campaign file's order, each score with its parts.
        func points(_ p: RollupReport.Part) -> String { p.applies ? RollupReport.decimal(p.pointsCents) : label("rollup.na") }
        func share(_ p: RollupReport.Part) -> String { p.due > 0 ? "\(RollupReport.decimal(p.earned).replacingOccurrences(of: ".00", with: ""))/\(p.due)" : "—" }
        let parts: [(String, KeyPath<RollupReport.UnitScore, RollupReport.Part>)] = [
            ("compliance", \.compliance), ("daily", \.daily), ("weekly", \.weekly), ("liaison", \.liaison), ("roster", \.rosterPart),
        ]
        d["weights"] = parts.enumerated().map { k, part -> [String: Any] in
            let w = r.units.first?[keyPath: part.1].weight ?? 0
            // Separated in the report's language (`；` or `; `), none after the last.
            return ["label": label("rollup.part.\(part.0)"), "weight": RollupReport.decimal(w).replacingOccurrences(of: ".00", with: ""),
                    "sep": k + 1 < parts.count ? label("semi") : ""]
        }
        let unitsInOrder = r.units.sorted { ($0.rank ?? Int.max) < ($1.rank ?? Int.max) }
        // Weeks not started are a tail of the period's weeks (at least one week is charted).
        let startedWeeks = max(1, r.weeks.filter(\.hasStarted).count)
        let placeholderUnit = RollupReport.UnitScore(
            name: "", kind: "", volunteers: 0, seconds: 0, met: 0, short: 0, dailyOnTime: 0, dailyLate: 0, dailyMissing: 0,
            weeklyOnTime: 0, weeklyLate: 0, weeklyMissing: 0, liaisonOkWeeks: 0, weeksOver: 0, roster: .pending,
            compliance: .init(weight: 0), daily: .init(weight: 0), weekly: .init(weight: 0),
            liaison: .init(weight: 0), rosterPart: .init(weight: 0), scoreCents: 0, rank: 1, trend: [nil])
        d["units"] = support.list(unitsInOrder, placeholder: placeholderUnit, schema: schema) { u in
            [
                "rank": u.rank.map(String.init) ?? "—", "name": u.name, "kind": l[u.kind], "score": u.score.isEmpty ? "—" : u.score,
                "volunteers": u.volunteers, "hours": Hours.format(u.seconds), "rate": Percent.text(u.complianceRate),
                "compliance_points": points(u.compliance), "compliance_share": share(u.compliance),
                "daily_points": points(u.daily), "daily_share": share(u.daily),
                "weekly_points": points(u.weekly), "weekly_share": share(u.weekly),
                "liaison_points": points(u.liaison), "liaison_share": share(u.liaison),
                "roster_points": points(u.rosterPart), "roster_label": u.roster.map { l[$0.key] } ?? label("rollup.na"),
                "daily_on_time": u.dailyOnTime, "daily_late": u.dailyLate, "daily_missing": u.dailyMissing,
                "weekly_on_time": u.weeklyOnTime, "weekly_late": u.weeklyLate, "weekly_missing": u.weeklyMissing,
                // The weeks that have started: a year's chart in August spread over all 52 weeks
                // was a tick at its left end.
                "chart_svg": schema ? "" : TrendChart.svg(Array(u.trend.prefix(startedWeeks)), over: Array(r.weeks.map(\.isOver).prefix(startedWeeks)),
                                                          unit: support.text(u.name), labels: l), // raw SVG: cleaned here
                "trend_text": u.trend.prefix(startedWeeks).map { $0.map { "\($0)%" } ?? "—" }.joined(separator: " "),
                "low": (u.scoreCents ?? 10_000) < 6_000,
            ]
        }
        // Units × weeks (the month's grid; a year's is in unit-weeks.csv).
        d["unit_weeks"] = support.list(Array(r.units.enumerated()), placeholder: (0, placeholderUnit), schema: schema) { ui, u in
            ["name": u.name, "cells": (schema ? [placeholderWeek] : r.weeks).map { w -> [String: Any] in
                guard ui < w.units.count else { return ["rate": "", "weekly": support.status(.pending), "liaison": "", "over": true] }
                let uw = w.units[ui]
                return ["rate": uw.compliancePercent.map { "\($0)%" } ?? "—", "weekly": support.status(uw.weekly),
                        "liaison": uw.liaisonStatus == .ok || !w.hasStarted ? "" : l["liaison.\(uw.liaisonStatus.rawValue)"], "over": w.isOver]
            }]
        }

        // Clause 6: each workstation's service station, when the campaign tracks them.
        let stations = r.units.filter { $0.station != nil }
        d["has_stations"] = r.stationDue != nil && !stations.isEmpty
        d["station_due"] = label("rollup.station.due").replacingOccurrences(of: "%@", with: r.stationDue.map { r.zone.format($0) } ?? "")
        d["stations"] = support.list(stations, placeholder: placeholderUnit, schema: schema) { u in
            let status = u.station ?? .pending
            var late = ""
            if case .late(_, let minutes) = status {
                late = label("station.days_late").replacingOccurrences(of: "%@", with: "\(StationReadiness.daysLate(minutes: minutes))")
            }
            return ["name": u.name, "status": label("station.\(status.key)"), "tag": support.status(status)["cls"] ?? "", "late": late,
                    "ready": RollupTables.readyDay(status, zone: r.zone).map { "\($0)" } ?? "—"]
        }

        // Volunteers: award candidates by hours (ties share a rank), those to review, stars.
        let placeholderVolunteer = RollupReport.VolunteerRow(id: "", name: "", unit: "", teams: [], role: "", isLiaison: false, grid: "",
                                                             building: "", floor: "", seconds: 0, sessions: 0, weeksRequired: 0, weeksMet: 0,
                                                             weeksPartial: 0, weeksInProgress: 0, stars: 0, award: "yes", flags: ["x"])
        var candidates: [Int] = [], review: [Int] = []
        var starCounts = Array(repeating: 0, count: r.assessment.starHours.count + 1)
        if !schema {
            r.volunteers.withUnsafeBufferPointer { vs in
                for i in vs.indices {
                    if vs[i].award == "yes" { candidates.append(i) } else if vs[i].award == "review" { review.append(i) }
                    starCounts[vs[i].stars] += 1
                }
            }
        }
        let limit = 30
        let awardCount = candidates.count
        candidates.sort { (r.volunteers[$0].seconds, r.volunteers[$1].id) > (r.volunteers[$1].seconds, r.volunteers[$0].id) }
        let shown = Array(candidates.prefix(limit))
        let ranks = Ranking.competition(shown.map { [r.volunteers[$0].seconds] })
        func volunteer(_ v: RollupReport.VolunteerRow) -> [String: Any] {
            ["id": support.isPublic ? "" : v.id, "name": support.name(v.name), "unit": v.unit, "hours": Hours.format(v.seconds),
             "weeks": "\(v.weeksMet)/\(v.weeksRequired)", "stars": String(repeating: "★", count: v.stars), "sessions": v.sessions,
             "flags": v.flags.map { l["rule.\($0)"] }.joined(separator: label("sep"))]
        }
        d["awards"] = support.list(Array(shown.enumerated()), placeholder: (0, 0), schema: schema) { k, i in
            var row = volunteer(schema ? placeholderVolunteer : r.volunteers[i])
            row["rank"] = schema ? 1 : ranks[k]
            return row
        }
        d["award_count"] = awardCount
        d["has_awards"] = awardCount > 0
        d["awards_more"] = awardCount > limit ? l.format("more", "\(awardCount - limit)") : ""
        d["has_awards_more"] = awardCount > limit
        review.sort { (r.volunteers[$0].seconds, r.volunteers[$1].id) > (r.volunteers[$1].seconds, r.volunteers[$0].id) }
        d["review"] = support.list(Array(review.prefix(limit)), placeholder: 0, schema: schema) { i in
            volunteer(schema ? placeholderVolunteer : r.volunteers[i])
        }
        d["has_review"] = !review.isEmpty
        d["review_count"] = review.count
        // How many reach each level (≥ its hours): those at that level and every level above it.
        var reaching = starCounts
        for k in stride(from: reaching.count - 2, through: 0, by: -1) { reaching[k] += reaching[k + 1] }
        d["stars"] = (1..<starCounts.count).map { k -> [String: Any] in
            ["stars": String(repeating: "★", count: k), "hours": "\(r.assessment.starHours[k - 1])", "count": reaching[k]]
        }

        // Teams, focus teams first, with the lead units' share; for a year also month by month.
        let placeholderTeam = Rollup.TeamTally(name: "", month: 1, leads: [], focus: false, known: true, volunteers: 0, seconds: 0,
                                               sessions: 0, leadSeconds: 0)
        d["teams"] = support.list(r.rollup.teams, placeholder: placeholderTeam, schema: schema) { t in
            ["name": t.name, "focus": t.focus, "known": t.known, "leads": t.leads.isEmpty ? "—" : t.leads.joined(separator: label("sep")),
             "volunteers": t.volunteers, "hours": Hours.format(t.seconds), "sessions": t.sessions,
             "lead_share": t.leads.isEmpty || t.seconds == 0 ? "—" : Percent.text(Rate.format(t.leadSeconds, of: t.seconds))]
        }
        d["unassigned_hours"] = Hours.format(r.rollup.unassignedSeconds)
        d["has_unassigned"] = r.rollup.unassignedSeconds > 0
        d["month_heads"] = (1...12).map { ["month": label("month.short").replacingOccurrences(of: "%@", with: "\($0)")] }
        // Sessions without a team, by month: the year's team × month table adds up to the team table.
        let unassignedMonths = r.rollup.monthlyUnassignedSeconds
        d["unassigned_months"] = (1...12).map { m in
            ["hours": m < unassignedMonths.count && unassignedMonths[m] > 0 ? Hours.format(unassignedMonths[m]) : "·"]
        }
        d["team_months"] = support.list(r.rollup.teams, placeholder: placeholderTeam, schema: schema) { t in
            let months = r.rollup.monthlyTeams.filter { $0.name == t.name }
            return ["name": t.name, "cells": (schema ? [placeholderTeam] : months).map { ["hours": $0.seconds == 0 ? "·" : Hours.format($0.seconds)] }]
        }

        // Clause 2: the squad by role; clause 5: the grid / building / floor network.
        var roleOrder: [String] = [], roles: [String: (count: Int, seconds: Int, met: Int, required: Int)] = [:]
        var placeOrder: [String] = [], places: [String: (grid: String, building: String, floor: String, count: Int, seconds: Int)] = [:]
        if !schema {
            for v in r.volunteers {
                let role = v.role.isEmpty ? "—" : v.role
                if roles[role] == nil { roleOrder.append(role); roles[role] = (0, 0, 0, 0) }
                roles[role]!.count += 1
                roles[role]!.seconds += v.seconds
                roles[role]!.met += v.weeksMet
                roles[role]!.required += v.weeksRequired
                guard !(v.grid.isEmpty && v.building.isEmpty && v.floor.isEmpty) else { continue }
                let key = "\(v.grid)\u{1F}\(v.building)\u{1F}\(v.floor)"
                if places[key] == nil { placeOrder.append(key); places[key] = (v.grid, v.building, v.floor, 0, 0) }
                places[key]!.count += 1
                places[key]!.seconds += v.seconds
            }
        }
        let shownRoles = roleOrder.filter { $0 != "—" }.sorted { (roles[$0]!.count, $1) > (roles[$1]!.count, $0) }.prefix(20)
        d["roles"] = schema ? [["role": "", "count": 0, "hours": "", "rate": ""]] : shownRoles.map { k -> [String: Any] in
            let x = roles[k]!
            return ["role": support.text(k), "count": x.count, "hours": Hours.format(x.seconds), "rate": Percent.text(Rate.format(x.met, of: x.required))]
        }
        d["has_roles"] = !shownRoles.isEmpty
        let shownPlaces = placeOrder.sorted().prefix(60)
        d["places"] = schema ? [["grid": "", "building": "", "floor": "", "count": 0, "hours": ""]] : shownPlaces.map { k -> [String: Any] in
            let x = places[k]!
            return ["grid": support.text(x.grid), "building": support.text(x.building), "floor": support.text(x.floor),
                    "count": x.count, "hours": Hours.format(x.seconds)]
        }
        d["has_places"] = !shownPlaces.isEmpty

        support.addFindings(r.findings, rejects: r.rejects.count, schema: schema, to: &d)
        return d
    }
}

/// A unit's weekly compliance as a small inline SVG line (no script, no request): one point a
/// week, a gap where nobody was held to the requirement. (A week in progress has no rate, so no
/// point; one given a rate while not over would be drawn hollow.)
enum TrendChart {
    static func svg(_ trend: [Int?], over: [Bool], unit: String, labels: Labels) -> String {
        let w = 160, h = 40, pad = 4
        let n = max(trend.count, 1)
        func x(_ i: Int) -> Int { n == 1 ? w / 2 : pad + i * (w - 2 * pad) / (n - 1) }
        func y(_ p: Int) -> Int { h - pad - p * (h - 2 * pad) / 100 }
        let values = trend.map { $0.map { "\($0)%" } ?? "—" }.joined(separator: " ")
        var s = "<svg class=\"trend\" role=\"img\" aria-label=\"\(HTMLEscape.escape("\(unit) \(labels["compliance"]): \(values)"))\" viewBox=\"0 0 \(w) \(h)\" xmlns=\"http://www.w3.org/2000/svg\">"
        s += "<line x1=\"\(pad)\" y1=\"\(y(100))\" x2=\"\(w - pad)\" y2=\"\(y(100))\" class=\"ref\"/>"
        s += "<line x1=\"\(pad)\" y1=\"\(y(0))\" x2=\"\(w - pad)\" y2=\"\(y(0))\" class=\"ref\"/>"
        // Runs of weeks with a value are one polyline each.
        var run: [String] = []
        func flush() {
            if run.count > 1 { s += "<polyline points=\"\(run.joined(separator: " "))\" class=\"line\"/>" }
            run = []
        }
        for (i, p) in trend.enumerated() {
            guard let p else { flush(); continue }
            run.append("\(x(i)),\(y(p))")
        }
        flush()
        if trend.count <= 16 {
            for (i, p) in trend.enumerated() {
                guard let p else { continue }
                let done = i < over.count ? over[i] : true
                let cls = !done ? "open" : ComplianceBand.of(p)
                s += "<circle cx=\"\(x(i))\" cy=\"\(y(p))\" r=\"3\" class=\"dot \(cls)\"/>"
            }
        } else if let i = trend.lastIndex(where: { $0 != nil }), let p = trend[i] {
            // The last week's dot, coloured by its own rate (it was green whatever the rate).
            let cls = (i < over.count ? over[i] : true) ? ComplianceBand.of(p) : "open"
            s += "<circle cx=\"\(x(i))\" cy=\"\(y(p))\" r=\"3\" class=\"dot \(cls)\"/>"
        }
        return s + "</svg>"
    }
}

extension ReportRenderer {
    /// The monthly assessment or the yearly roll-up as HTML (`monthly-assessment.html`,
    /// `yearly-summary.html`).
    public func rollupHTML(_ r: RollupReport) throws -> [UInt8] {
        let v = RollupView(report: r, labels: labels, isPublic: isPublic, phones: phones)
        var view = v.dictionary(schema: false), schema = v.dictionary(schema: true)
        view["css"] = try load("report.css")
        schema["css"] = ""
        return try render(RollupView.template(r.kind) + ".html", contentType: "FIVEHOURS_HTML", view: view, schema: schema, support: v.support)
    }

    public func rollupMarkdown(_ r: RollupReport) throws -> [UInt8] {
        let v = RollupView(report: r, labels: labels, isPublic: isPublic, phones: phones)
        return try render(RollupView.template(r.kind) + ".md", contentType: "FIVEHOURS_MD", view: v.dictionary(schema: false),
                          schema: v.dictionary(schema: true), support: v.support)
    }
}

extension RollupView {
    static func template(_ kind: RollupReport.Kind) -> String { kind == .monthly ? "monthly-assessment" : "yearly-summary" }
}
