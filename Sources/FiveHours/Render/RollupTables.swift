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
                                  "liaison_points", "roster_status", "roster_points", "station_status", "station_ready"]
    public static let unitWeekKeys = ["unit", "week_ending", "week_status", "volunteers", "met", "short", "partial", "compliance_rate",
                                      "hours", "liaison_status", "daily_on_time", "daily_late", "daily_missing", "daily_pending",
                                      "weekly_status", "roster_status"]
    public static let teamKeys = ["team", "period", "focus", "lead_units", "volunteers", "hours", "sessions", "lead_units_hours",
                                  "lead_units_share"]

    static func header(_ keys: [String], _ style: CSVHeaderStyle, _ labels: Labels) -> [String] {
        style == .keys ? keys : keys.map { RollupLabels.csv(labels.language)[$0] ?? labels.csvHeader([$0])[0] }
    }

    /// The tables of a monthly or yearly folder, in the order of its workbook's sheets.
    static func tables(_ r: RollupReport) -> [any ReportTable] {
        [RollupVolunteersTable(report: r), RollupVolunteerWeeksTable(report: r), RollupUnitsTable(report: r),
         RollupUnitWeeksTable(report: r), RollupTeamsTable(report: r)]
    }

    public static func volunteers(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        CSVTables.file(RollupVolunteersTable(report: r), style: style, labels: labels)
    }

    /// One row per volunteer and week of the period in which the volunteer was active, by volunteer
    /// then week; written in chunks on every core (a year of 100,000 volunteers is millions of rows).
    /// The cells are `RollupVolunteerWeeksTable`'s, written by volunteer and week instead of by row number.
    ///
    /// Scrubbed of phone numbers cell by cell: its only text from the
    /// data is the volunteer's id, scrubbed once per volunteer (`PhoneScrubber.scrub`), where
    /// scrubbing the file's lines would tokenise each of a year's five million rows (each holds
    /// a date, whose digits and dashes look like a number).
    ///
    /// The cells a year repeats millions of times — each volunteer's id, each week's date, the
    /// required hours, the statuses — are written once each (`EncodedCells`, by the CSV line's
    /// own rules) and copied into the rows in the order of `RollupVolunteerWeeksTable.cells`;
    /// `CSVChunkTests` holds the file to the table's rows written one by one.
    /// `volunteer-weeks.csv`, in pieces (`CSVWriter.inPieces`): a year's is 5.2 million rows.
    public static func volunteerWeeks(_ r: RollupReport, phones: Set<String>, style: CSVHeaderStyle, labels: Labels) -> [[UInt8]] {
        let table = RollupVolunteerWeeksTable(report: r, indexed: false)
        let rollup = r.rollup
        let count = rollup.volunteers.count
        let chunk = 4_096
        let minimum = PhoneScrubber.minimumDigits(known: phones)
        // Cells 0..<weeks: each week's date (scrubbed too: a roster's number may be spelt like one,
        // `2019 0809`); then the required hours, none, and each status.
        var repeated = EncodedCells()
        for d in table.weeks { repeated.add(scrubbingOf: phones) { $0.date(d) } }
        let required = repeated.count
        repeated.add { $0.hours(table.requiredSeconds) }
        repeated.add { $0.hours(0) }
        let statusBase = repeated.count
        var raw: UInt8 = 0
        while let s = Rollup.WeekStatus(rawValue: raw) {
            repeated.add { $0.text(s.key) }
            raw += 1
        }
        let repeatedCells = repeated, weekCount = table.weeks.count
        return CSVWriter.inPieces(header: table.header(style: style, labels: labels), count: (count + chunk - 1) / chunk) { c, line in
            repeatedCells.withCells { cells in
                rollup.weekSeconds.withUnsafeBufferPointer { seconds in
                    rollup.weekStatus.withUnsafeBufferPointer { statuses in
                        // The chunk's rows at once (a year's chunk is ~7 MB): not grown by doubling.
                        let volunteers = (c * chunk)..<min(count, (c + 1) * chunk)
                        // Each volunteer's id, scrubbed and encoded once for all its weeks.
                        var ids = EncodedCells()
                        for v in volunteers {
                            ids.add { $0.text(PhoneScrubber.scrub(rollup.volunteers[v].volunteer.id, known: phones, minimum: minimum)) }
                        }
                        // The chunk's room at once (a year's chunk is ~7 MB): per row its id, the
                        // longest of the other cells, 24 bytes of hours, four commas and CRLF.
                        var rows = 0, idBytes = 0
                        ids.withCells { ids in
                            for (k, v) in volunteers.enumerated() {
                                var mine = 0
                                for w in 0..<weekCount where statuses[w * count + v] != .inactive { mine += 1 }
                                rows += mine
                                idBytes += mine * ids[k].count
                            }
                        }
                        line.writeRaw(capacity: idBytes + rows * (3 * cells.longest + 24 + 6)) { raw in
                            ids.withCells { ids in
                                for (k, v) in volunteers.enumerated() {
                                    for w in 0..<weekCount {
                                        let status = statuses[w * count + v]
                                        guard status != .inactive else { continue }
                                        // The cells of `RollupVolunteerWeeksTable.cells`, in its order.
                                        raw.cell(encoded: ids[k])
                                        raw.cell(encoded: cells[w])
                                        raw.hours(Hours.shown(Int(seconds[w * count + v]), met: !status.heldAndNotMet, goal: table.requiredSeconds))
                                        raw.cell(encoded: cells[status == .partial ? required + 1 : required])
                                        raw.cell(encoded: cells[statusBase + Int(status.rawValue)])
                                        raw.end()
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public static func units(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        CSVTables.file(RollupUnitsTable(report: r), style: style, labels: labels)
    }

    /// The local day a station became ready (on time or late); nil when it is not ready.
    static func readyDay(_ s: DeadlineStatus, zone: CampaignZone) -> CivilDate? {
        switch s {
        case .onTime(let at), .late(let at, _): return zone.date(of: at)
        case .missing, .pending: return nil
        }
    }

    /// The points of a part, empty when it does not apply.
    static func points(_ p: RollupReport.Part) -> String { p.applies ? RollupReport.decimal(p.pointsCents) : "" }

    public static func unitWeeks(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        CSVTables.file(RollupUnitWeeksTable(report: r), style: style, labels: labels)
    }

    public static func teams(_ r: RollupReport, style: CSVHeaderStyle, labels: Labels) -> [UInt8] {
        CSVTables.file(RollupTeamsTable(report: r), style: style, labels: labels)
    }
}

/// A rollup table's header: the keys, or their rollup labels (`RollupLabels.csv`), else the weekly ones.
protocol RollupReportTable: ReportTable {}

extension RollupReportTable {
    func header(style: CSVHeaderStyle, labels: Labels) -> [String] { RollupTables.header(keys, style, labels) }
}

/// `volunteers.csv` of a month or year: one row per rostered volunteer active in the period.
struct RollupVolunteersTable: RollupReportTable {
    let report: RollupReport
    var name: String { "volunteers" }
    var keys: [String] { RollupTables.volunteerKeys }
    var count: Int { report.volunteers.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let v = report.volunteers[i]
        s.text(v.id)
        s.text(v.name)
        s.text(v.unit)
        s.hours(v.seconds)
        s.list(v.teams)
        s.text(v.role)
        s.text(v.isLiaison ? "yes" : "no")
        s.text(v.grid)
        s.text(v.building)
        s.text(v.floor)
        s.count(v.sessions)
        s.count(v.weeksRequired)
        s.count(v.weeksMet)
        s.count(v.weeksPartial)
        s.count(v.weeksInProgress)
        s.count(v.stars)
        s.text(v.award)
        s.list(v.flags)
    }
}

/// `volunteer-weeks.csv`: volunteer × week of the period in which the volunteer was active, by
/// volunteer then week. Row `i` is found through each volunteer's first row (`firstRow`, a binary
/// search) and a walk over that volunteer's weeks.
struct RollupVolunteerWeeksTable: RollupReportTable {
    let rollup: Rollup
    let weeks: [CivilDate]
    let requiredSeconds: Int
    /// `firstRow[v]`: the row number of volunteer `v`'s first active week; one more entry holding the count.
    let firstRow: [Int]

    init(report: RollupReport, indexed: Bool = true) {
        rollup = report.rollup
        weeks = rollup.weeks.map { $0.week.lastDay }
        requiredSeconds = report.rules.weeklySeconds
        var first: [Int] = []
        if indexed {
            first.reserveCapacity(rollup.volunteers.count + 1)
            var n = 0
            for v in rollup.volunteers.indices {
                first.append(n)
                for w in weeks.indices where rollup.status(week: w, volunteer: v) != .inactive { n += 1 }
            }
            first.append(n)
        }
        firstRow = first
    }

    var name: String { "volunteer-weeks" }
    var keys: [String] { RollupTables.volunteerWeekKeys }
    var count: Int { firstRow.last ?? 0 }

    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        // The last volunteer whose first row is at or before i.
        var lo = 0, hi = firstRow.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if firstRow[mid] <= i { lo = mid } else { hi = mid }
        }
        var k = i - firstRow[lo]
        for w in weeks.indices where rollup.status(week: w, volunteer: lo) != .inactive {
            if k == 0 { return cells(volunteer: lo, week: w, into: &s) }
            k -= 1
        }
    }

    /// The row of volunteer `v` in week `w` (one where the volunteer was active).
    func cells<Sink: TableRowSink>(volunteer v: Int, week w: Int, into s: inout Sink) {
        let status = rollup.status(week: w, volunteer: v)
        s.text(rollup.volunteers[v].volunteer.id)
        s.date(weeks[w])
        s.hours(Hours.shown(rollup.seconds(week: w, volunteer: v), met: !status.heldAndNotMet, goal: requiredSeconds))
        s.hours(status == .partial ? 0 : requiredSeconds)
        s.text(status.key)
    }
}

/// `units.csv` of a month or year: the assessment, one row per unit of the campaign file.
struct RollupUnitsTable: RollupReportTable {
    let report: RollupReport
    var name: String { "units" }
    var sheetKey: String { "sheet.assessment" }
    var keys: [String] { RollupTables.unitKeys }
    var count: Int { report.units.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let u = report.units[i]
        s.text(u.name)
        s.text(u.kind)
        if let rank = u.rank { s.count(rank) } else { s.text("") }
        s.decimal(u.score)
        s.count(u.volunteers)
        s.hours(u.seconds)
        s.count(u.weeksOver)
        s.count(u.met)
        s.count(u.short)
        s.rate(u.complianceRate)
        s.decimal(RollupTables.points(u.compliance))
        s.count(u.dailyOnTime)
        s.count(u.dailyLate)
        s.count(u.dailyMissing)
        s.decimal(RollupTables.points(u.daily))
        s.count(u.weeklyOnTime)
        s.count(u.weeklyLate)
        s.count(u.weeklyMissing)
        s.decimal(RollupTables.points(u.weekly))
        s.count(u.liaisonOkWeeks)
        s.decimal(RollupTables.points(u.liaison))
        s.text(u.roster?.key ?? "")
        s.decimal(RollupTables.points(u.rosterPart))
        s.text(u.station?.key ?? "")
        s.date(u.station.flatMap { RollupTables.readyDay($0, zone: report.zone) })
    }
}

/// `unit-weeks.csv`: unit × week of the period, by unit then week.
struct RollupUnitWeeksTable: RollupReportTable {
    let report: RollupReport
    var name: String { "unit-weeks" }
    var keys: [String] { RollupTables.unitWeekKeys }
    var count: Int { report.units.count * report.weeks.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let ui = i / report.weeks.count, w = report.weeks[i % report.weeks.count]
        let u = report.units[ui], uw = w.units[ui]
        s.text(u.name)
        s.date(w.week.lastDay)
        s.text(w.isOver ? "over" : w.hasStarted ? "in_progress" : "not_started")
        s.count(uw.volunteers)
        s.count(uw.met)
        s.count(uw.short)
        s.count(uw.partial)
        s.rate(uw.complianceRate)
        s.hours(uw.seconds)
        // A week not started has no liaison yet to judge (its rules make no finding either).
        s.text(w.hasStarted ? uw.liaisonStatus.rawValue : "")
        s.count(uw.dailyOnTime)
        s.count(uw.dailyLate)
        s.count(uw.dailyMissing)
        s.count(uw.dailyPending)
        s.text(uw.weekly.key)
        s.text(u.roster?.key ?? "")
    }
}

/// `teams.csv` of a month or year: each team's row for the period, and for a year its months after it.
struct RollupTeamsTable: RollupReportTable {
    let rows: [(tally: Rollup.TeamTally, period: String)]

    init(report r: RollupReport) {
        var rows: [(tally: Rollup.TeamTally, period: String)] = []
        let year = r.period.first.year
        for t in r.rollup.teams {
            rows.append((t, r.periodName))
            for m in r.rollup.monthlyTeams where m.name == t.name {
                rows.append((m, "\(year)-\(m.month! < 10 ? "0" : "")\(m.month!)"))
            }
        }
        self.rows = rows
    }

    var name: String { "teams" }
    var keys: [String] { RollupTables.teamKeys }
    var count: Int { rows.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let t = rows[i].tally
        s.text(t.name)
        s.text(rows[i].period)
        s.text(t.focus ? "yes" : "no")
        s.list(t.leads)
        s.count(t.volunteers)
        s.hours(t.seconds)
        s.count(t.sessions)
        s.hours(t.leadSeconds)
        s.rate(t.leads.isEmpty ? "" : Rate.format(t.leadSeconds, of: t.seconds))
    }
}
