/// The report's tables, each described once and rendered twice: to a CSV file (`CSVWriter`)
/// and to a sheet of the workbook (`WorkbookWriter`).
///
/// A table is its columns (the contract's keys, in order) and a way to write row `i` cell by
/// cell into a `TableRowSink`. Each cell says what it is — text, hours, a count, a rate, a
/// decimal number, a date, a time — and each sink decides how that looks: the CSV sink writes
/// exactly the text the CSVs always had, the workbook sink a typed cell. So both get the same rows with the same values
/// (the same phone scrubbing, the same rounding) from one list of columns.
protocol ReportTable {
    /// The file's stem (`volunteers` for `volunteers.csv`), also the sheet's name with `--csv-header keys`.
    var name: String { get }
    /// The `Labels` key of the sheet's name in the report's language; `sheet.<name>` unless the
    /// table says otherwise (the rollups' `units` sheet is the assessment, `sheet.assessment`).
    var sheetKey: String { get }
    /// The contract's keys, in column order.
    var keys: [String] { get }
    var count: Int { get }
    /// The header row: the CSV's labels (`--csv-header labels`) or its keys.
    func header(style: CSVHeaderStyle, labels: Labels) -> [String]
    /// Writes row `i`: one call on `sink` per column, in the order of `keys`.
    func row<Sink: TableRowSink>(_ i: Int, into sink: inout Sink)
}

/// Where a table's cells go, one typed call per cell.
protocol TableRowSink {
    /// Text, shown as it is: ids, names, units, keys such as `met`.
    mutating func text(_ value: String)
    /// Several texts in one cell, `;`-separated.
    mutating func list(_ values: [String])
    /// Hours, from seconds: `2.50` (two decimals, rounded half up, as `Hours.format`).
    mutating func hours(_ seconds: Int)
    /// A whole number.
    mutating func count(_ value: Int)
    /// A rate as `Rate.format` wrote it (`0.67`), or empty when there is none.
    mutating func rate(_ text: String)
    /// A number with two decimals as `RollupReport.decimal` wrote it (`87.50`: a score, points),
    /// or empty when there is none.
    mutating func decimal(_ text: String)
    /// A calendar day, or an empty cell.
    mutating func date(_ value: CivilDate?)
    /// A time of day as `TimeOfDay.format` wrote it (`09:00`, `09:00:05`), or empty.
    mutating func time(_ text: String)
}

extension ReportTable {
    func header(style: CSVHeaderStyle, labels: Labels) -> [String] { CSVTables.header(keys, style, labels) }
    var sheetKey: String { "sheet.\(name)" }
}

extension TableRowSink {
    mutating func list(_ values: [String]) { values.count == 1 ? text(values[0]) : text(values.joined(separator: ";")) }
}

/// `volunteers.csv`: one row per rostered volunteer active in the week.
struct VolunteersTable: ReportTable {
    let report: WeeklyReport
    var name: String { "volunteers" }
    var keys: [String] { CSVTables.volunteerKeys }
    var count: Int { report.volunteers.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        // By index into the array: copying the row out would cost six reference counts a row.
        s.text(report.volunteers[i].id)
        s.text(report.volunteers[i].name)
        s.text(report.volunteers[i].unit)
        s.list(report.volunteers[i].teams)
        s.hours(report.volunteers[i].seconds)
        s.hours(report.volunteers[i].requiredSeconds)
        s.hours(report.volunteers[i].shortfallSeconds)
        s.text(report.volunteers[i].status.rawValue)
    }
}

/// `units.csv`: one row per unit of the campaign file, in its order.
struct UnitsTable: ReportTable {
    let report: WeeklyReport
    var name: String { "units" }
    var keys: [String] { CSVTables.unitKeys }
    var count: Int { report.units.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let u = report.units[i]
        s.text(u.name)
        s.text(u.kind)
        s.count(u.volunteers)
        s.count(u.met)
        s.count(u.short)
        s.rate(u.complianceRate)
        s.hours(u.seconds)
        s.list(u.liaisons)
        s.text(u.liaisonStatus.rawValue)
        s.count(u.dailyOnTime)
        s.count(u.dailyLate)
        s.count(u.dailyMissing)
        s.text(u.weekly.key)
    }
}

/// `teams.csv`: the campaign's teams, then any team only the logs name.
struct TeamsTable: ReportTable {
    let report: WeeklyReport
    var name: String { "teams" }
    var keys: [String] { CSVTables.teamKeys }
    var count: Int { report.teams.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let t = report.teams[i]
        s.text(t.name)
        s.list(t.leads)
        s.count(t.volunteers)
        s.hours(t.seconds)
        s.count(t.sessions)
    }
}

/// `findings.csv`: what the rules found.
struct FindingsTable: ReportTable {
    let findings: [Finding]
    var name: String { "findings" }
    var keys: [String] { CSVTables.findingKeys }
    var count: Int { findings.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        s.text(findings[i].rule.key)
        s.text(findings[i].severity.rawValue)
        s.text(findings[i].unit)
        s.text(findings[i].subject)
        s.date(findings[i].date)
        s.text(findings[i].detail)
        s.text(findings[i].source.map { "\($0)" } ?? "")
    }
}

/// `rejects.csv`: every row or file that could not be read, phone numbers blanked.
struct RejectsTable: ReportTable {
    let rejects: [Reject]
    let phones: Set<String>
    var name: String { "rejects" }
    var keys: [String] { CSVTables.rejectKeys }
    var count: Int { rejects.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        // The source names a file, and a file may be named after a person (`张三13800138005.csv`).
        // The reason and the record were scrubbed with these same numbers where every reject is
        // settled (`Ledger.init`); scrubbing them again here gave the same text, at a few per
        // cent of a weekly run (a year's log has thousands of rejects, each full of digits).
        s.text(PhoneScrubber.scrub("\(rejects[i].source)", known: phones))
        s.text(rejects[i].reason)
        s.text(rejects[i].record)
    }
}

/// `activities.csv` (daily): the day's sessions.
struct ActivitiesTable: ReportTable {
    let report: DailyReport
    var name: String { "activities" }
    var keys: [String] { CSVTables.activityKeys }
    var count: Int { report.activities.count }
    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let a = report.activities[i]
        s.text(a.recordID)
        s.text(a.volunteerID)
        s.text(a.name)
        s.text(a.unit)
        s.text(a.team)
        s.time(a.start)
        s.time(a.end)
        s.hours(a.seconds)
        s.text(a.activity)
        s.text(a.location)
    }
}

/// The week's units × days grid of daily bulletins, then the weekly summary: the grid of the
/// HTML summary, as a sheet of the workbook only (there is no CSV of it).
///
/// Columns: `unit`, one per day that owes a bulletin (keyed by its ISO date), `weekly_status`.
/// A cell is the status in the report's language (`按时`, `迟 12 分钟`, `未报`, `未到期`), or
/// its key (`on_time`, `late`, `missing`, `pending`) with `--csv-header keys`.
struct BulletinGridTable: ReportTable {
    let report: WeeklyReport
    let labels: Labels
    let style: CSVHeaderStyle
    var name: String { "bulletins" }
    var keys: [String] { ["unit"] + report.days.map { "\($0)" } + ["weekly_status"] }
    var count: Int { report.units.count }

    /// Header labels: the day columns as `2019-08-05 一` (date and weekday).
    func header(style: CSVHeaderStyle, labels: Labels) -> [String] {
        guard style == .labels else { return keys }
        return labels.csvHeader(["unit"]) + report.days.map { "\($0) \(labels["day.\($0.weekday.key)"])" }
            + labels.csvHeader(["weekly_status"])
    }

    func status(_ s: DeadlineStatus) -> String {
        guard style == .labels else { return s.key }
        if case .late(_, let minutes) = s { return labels.format("minutes.late", "\(minutes)") }
        return labels[s.key]
    }

    func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
        let u = report.units[i]
        s.text(u.name)
        for k in report.days.indices { s.text(k < u.daily.count ? status(u.daily[k]) : "") }
        s.text(status(u.weekly))
    }
}
