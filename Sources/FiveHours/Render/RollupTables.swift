import Dispatch

/// The CSV files of the monthly and yearly folders (docs/rollups.md lists every column).
///
/// Same writer as the weekly files: UTF-8 with a BOM, CRLF, RFC 4180 quoting, formula-like cells
/// neutralised; headers are the keys below or their labels (`RollupLabels.csv`).
public enum RollupTables {
    /// The contract's four keys first (`volunteer_id,name,unit,hours`), then the project's.
    public static let volunteerKeys = ["volunteer_id", "name", "unit", "hours", "teams", "role", "liaison", "grid", "building", "floor",
                                       "sessions", "weeks_required", "weeks_met", "weeks_partial", "weeks_in_progress",
                                       "star_level", "award_candidate", "flagged"]
    public static let volunteerWeekKeys = ["volunteer_id", "week_ending", "hours", "required_hours", "status"]
    public static let unitKeys = ["unit", "kind", "rank", "score", "volunteers", "hours", "weeks_over", "met", "short", "compliance_rate",
                                  "compliance_points", "daily_on_time", "daily_late", "daily_missing", "daily_points",
                                  "weekly_on_time", "weekly_late", "weekly_missing", "weekly_points", "liaison_ok_weeks",
                                  "liaison_points", "roster_status", "roster_points"]
    public static let unitWeekKeys = ["unit", "week_ending", "week_status", "volunteers", "met", "short", "partial", "compliance_rate",
                                      "hours", "liaison_status", "daily_on_time", "daily_late", "daily_missing", "daily_pending",
                                      "weekly_status", "roster_status"]
    public static let teamKeys = ["team", "period", "focus", "lead_units", "volunteers", "hours", "sessions", "lead_units_hours",
                                  "lead_units_share"]

    static func header(_ keys: [String], _ style: CSVHeaderStyle, _ labels: Labels) -> [String] {
        style == .keys ? keys : keys.map { RollupLabels.csv(labels.language)[$0] ?? labels.csvHeader([$0])[0] }
    }

    public static func volunteers(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        let rows = r.volunteers
        return CSVWriter.file(header: header(volunteerKeys, style, labels), count: rows.count) { i, line in
            let v = rows[i]
            line.cell(v.id)
            line.cell(v.name)
            line.cell(v.unit)
            line.cell(Hours.format(v.seconds))
            line.cell(joining: v.teams)
            line.cell(v.role)
            line.cell(v.isLiaison ? "yes" : "no")
            line.cell(v.grid)
            line.cell(v.building)
            line.cell(v.floor)
            line.cell(String(v.sessions))
            line.cell(String(v.weeksRequired))
            line.cell(String(v.weeksMet))
            line.cell(String(v.weeksPartial))
            line.cell(String(v.weeksInProgress))
            line.cell(String(v.stars))
            line.cell(v.award)
            line.cell(joining: v.flags)
        }
    }

    /// One row per volunteer and week of the period in which the volunteer was active, by volunteer
    /// then week; written in chunks on every core (a year of 100,000 volunteers is millions of rows).
    public static func volunteerWeeks(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        let rollup = r.rollup
        let weeks = rollup.weeks.map { "\($0.week.lastDay)" }
        let required = Hours.format(r.rules.weeklySeconds), zero = Hours.format(0)
        let count = rollup.volunteers.count
        let chunk = 4_096
        let chunks = (count + chunk - 1) / chunk
        let parts = ConcurrentSlots<[UInt8]>(max(chunks, 1))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * chunk, hi = min(count, lo + chunk)
            var line = CSVWriter.Line()
            for v in lo..<hi {
                let id = rollup.volunteers[v].volunteer.id
                for w in weeks.indices {
                    let status = rollup.status(week: w, volunteer: v)
                    guard status != .inactive else { continue }
                    line.cell(id)
                    line.cell(weeks[w])
                    line.cell(Hours.format(rollup.seconds(week: w, volunteer: v)))
                    line.cell(status == .partial ? zero : required)
                    line.cell(status.key)
                    line.end()
                }
            }
            parts[c] = line.out
        }
        var out = CSVWriter.file(header: header(volunteerWeekKeys, style, labels), count: 0) { _, _ in }
        var pieces: [[UInt8]] = []
        for c in 0..<chunks { pieces.append(parts.take(c) ?? []) }
        out.reserveCapacity(out.count + pieces.reduce(0) { $0 + $1.count })
        for p in pieces { out += p }
        return out
    }

    public static func units(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        CSVWriter.file(header: header(unitKeys, style, labels), rows: r.units.map { u in
            [u.name, u.kind, u.rank.map(String.init) ?? "", u.score, "\(u.volunteers)", Hours.format(u.seconds), "\(u.weeksOver)",
             "\(u.met)", "\(u.short)", u.complianceRate, points(u.compliance),
             "\(u.dailyOnTime)", "\(u.dailyLate)", "\(u.dailyMissing)", points(u.daily),
             "\(u.weeklyOnTime)", "\(u.weeklyLate)", "\(u.weeklyMissing)", points(u.weekly),
             "\(u.liaisonOkWeeks)", points(u.liaison), u.roster?.key ?? "", points(u.rosterPart)]
        })
    }

    /// The points of a part, empty when it does not apply.
    static func points(_ p: RollupReport.Part) -> String { p.applies ? RollupReport.decimal(p.points) : "" }

    public static func unitWeeks(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        var rows: [[String]] = []
        for (ui, u) in r.units.enumerated() {
            for w in r.weeks {
                let uw = w.units[ui]
                rows.append([u.name, "\(w.week.lastDay)", w.isOver ? "over" : "in_progress", "\(uw.volunteers)", "\(uw.met)", "\(uw.short)",
                             "\(uw.partial)", uw.complianceRate, Hours.format(uw.seconds), uw.liaisonStatus.rawValue,
                             "\(uw.dailyOnTime)", "\(uw.dailyLate)", "\(uw.dailyMissing)", "\(uw.dailyPending)", uw.weekly.key,
                             u.roster?.key ?? ""])
            }
        }
        return CSVWriter.file(header: header(unitWeekKeys, style, labels), rows: rows)
    }

    public static func teams(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        var rows: [[String]] = []
        func row(_ t: Rollup.TeamTally, _ period: String) -> [String] {
            [t.name, period, t.focus ? "yes" : "no", t.leads.joined(separator: ";"), "\(t.volunteers)", Hours.format(t.seconds),
             "\(t.sessions)", Hours.format(t.leadSeconds), t.leads.isEmpty ? "" : Rate.format(t.leadSeconds, of: t.seconds)]
        }
        let year = r.period.first.year
        for t in r.rollup.teams {
            rows.append(row(t, r.periodName))
            for m in r.rollup.monthlyTeams where m.name == t.name {
                rows.append(row(m, "\(year)-\(m.month! < 10 ? "0" : "")\(m.month!)"))
            }
        }
        return CSVWriter.file(header: header(teamKeys, style, labels), rows: rows)
    }
}
