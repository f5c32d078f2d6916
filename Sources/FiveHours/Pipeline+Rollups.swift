import Dispatch

/// The monthly assessment and the yearly roll-up: the same stages as the weekly summary over
/// every week of the period (docs/rollups.md).
///
///     Ledger ──▶ Rollup.build (the period's weeks counted in one sweep, each week judged)
///            ──▶ RollupReport (scores, ranks, stars, award marks)
///            ──▶ CSV tables, workbook, HTML and Markdown ──▶ <out>/monthly-YYYY-MM/ or <out>/yearly-YYYY/
extension Pipeline {
    /// The monthly assessment of `options.period` (a month).
    public static func monthly(_ loaded: Loaded, options: Options, into out: ReportFiles) throws -> RunSummary {
        try rollup(loaded, options: options, kind: .monthly, into: out)
    }

    /// The year's roll-up and award lists of `options.period` (a year).
    public static func yearly(_ loaded: Loaded, options: Options, into out: ReportFiles) throws -> RunSummary {
        try rollup(loaded, options: options, kind: .yearly, into: out)
    }

    static func rollup(_ loaded: Loaded, options: Options, kind: RollupReport.Kind, into out: ReportFiles) throws -> RunSummary {
        guard let period = options.period, period.kind == (kind == .monthly ? .month : .year) else {
            throw UsageError(description: kind == .monthly ? "monthly needs --month YYYY-MM" : "yearly needs --year YYYY")
        }
        try out.open(RollupReport.folderName(kind: kind, period: period))
        let campaign = loaded.campaign
        let now = now(options)
        var clock = Stopwatch()
        let data = Rollup.build(loaded.ledger, campaign: campaign, period: period, now: now, byMonth: kind == .yearly)
        clock.lap("the period's weeks counted and judged")
        var report = RollupReport.make(kind: kind, rollup: data, campaign: campaign, ledger: loaded.ledger, now: now)
        clock.lap("report model")
        let labels = Labels(campaign.output.language)
        let style = options.csvHeader
        let base = kind == .monthly ? "monthly-assessment" : "yearly-summary"
        // The workbook needs only the tables: it is written on a thread of its own meanwhile,
        // created at `--now` (`report.now`) so that a rerun gives the same bytes.
        let sheets = report, rejects = loaded.ledger.rejects, phones = loaded.ledger.phones
        let workbook = options.formats.contains(.xlsx)
            ? WorkbookJob {
                kind == .monthly ? try WorkbookWriter.monthly(sheets, rejects: rejects, phones: phones, style: style, labels: labels)
                                 : try WorkbookWriter.yearly(sheets, rejects: rejects, phones: phones, style: style, labels: labels)
            } : nil
        if options.formats.contains(.csv) {
            let model = report
            // Each table, made in pieces (a long one in chunks on every core, never joined), and
            // whether it is scrubbed already, cell by cell, as it is made.
            let makers: [(String, scrubbed: Bool, () -> [[UInt8]])] = [
                ("volunteers.csv", false, { [RollupTables.volunteers(model, style: style, labels: labels)] }),
                ("volunteer-weeks.csv", true, { RollupTables.volunteerWeeks(model, phones: phones, style: style, labels: labels) }),
                ("units.csv", false, { [RollupTables.units(model, style: style, labels: labels)] }),
                ("unit-weeks.csv", false, { [RollupTables.unitWeeks(model, style: style, labels: labels)] }),
                ("teams.csv", false, { [RollupTables.teams(model, style: style, labels: labels)] }),
                ("findings.csv", false, { [CSVTables.findings(model.findings, style: style, labels: labels)] }),
                ("rejects.csv", false, { [CSVTables.rejects(rejects, phones: phones, style: style, labels: labels)] }),
            ]
            // One table after the other, each on every core: the large ones are written in chunks
            // on every core (`CSVWriter.inChunks`), which they would not be inside another
            // concurrent loop (libdispatch runs a nested loop on one thread when the outer one
            // holds the cores: a year's volunteer-weeks.csv took one core for 0.7 s). Each goes to
            // `out` as soon as it is made, to be written while the next is made.
            for (name, scrubbed, make) in makers {
                var own = Stopwatch()
                let made = make()
                own.lap("  \(name) made")
                // Every line scrubbed of phone numbers, as the weekly tables are.
                try out.add(name, pieces: scrubbed ? made : made.map { PhoneScrubber.scrub(bytes: $0, known: phones) })
                own.lap("  \(name) scrubbed")
            }
            clock.lap("csv")
        }
        var manifest = try makeManifest(loaded, options: options, command: kind.rawValue, week: nil, date: nil, now: now)
        clock.lap("manifest (waits for the input hashes)")
        manifest.options.period = report.periodName
        report.inputFingerprint = manifest.inputs_fingerprint
        report.knownNames = loaded.ledger.volunteers.map { $0.name }
        if options.formats.contains(.html) || options.formats.contains(.md) {
            let renderer = try ReportRenderer(campaign: campaign, templatesFolder: options.templates, isPublic: options.isPublic,
                                              phones: loaded.ledger.phones)
            if options.formats.contains(.html) { try out.add("\(base).html", try renderer.rollupHTML(report)) }
            if options.formats.contains(.md) { try out.add("\(base).md", try renderer.rollupMarkdown(report)) }
            clock.lap("html and markdown")
        }
        if let workbook {
            try out.add("\(base).xlsx", try workbook.wait())
            clock.lap("xlsx (what was left of it)")
        }
        try out.add("manifest.json", manifest.json())
        return RunSummary(findings: report.findings, ledger: loaded.ledger, files: out.names.count)
    }
}
