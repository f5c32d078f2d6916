import Foundation

/// The pipeline, stage by stage:
///
///     campaign file ──▶ CampaignLoader ──▶ Campaign
///     input files   ──▶ Importer       ──▶ ImportResult (records + rejects)
///                       Ledger          ──▶ duplicates settled; every row counted, merged or rejected
///                       WeekBuilder     ──▶ WeekData (sessions, overlaps, caps, statuses)
///                       RuleSet         ──▶ [Finding]
///                       WeeklyReport / DailyReport (plain values, formatted)
///                       renderers       ──▶ HTML, Markdown, CSV bytes
///     ReportFolder  ──▶ <out>/weekly-<date>/ written atomically
///
/// Each stage takes values and returns values; only the importer and the report folder touch
/// the file system.
public enum Pipeline {
    /// What the command line asked for.
    public struct Options: Sendable {
        public var configPath: String
        public var weekEnding: CivilDate?
        public var date: CivilDate?
        public var outDir: String?
        public var formats: [ReportFormat] = ReportFormat.allCases
        public var csvHeader: CSVHeaderStyle = .labels
        public var isPublic = false
        /// `--now`, already parsed; nil means the clock.
        public var now: Int?
        public var templates: String?
        /// A period named on the command line (`monthly --month`, `yearly --year`); nil for the
        /// week or day of the options above.
        public var period: Period?
        /// `--language`: overrides the campaign file's `output.language` for every word the run writes.
        public var language: Language?
        /// Whether last week is shown beside this one (the headline of the HTML and Markdown
        /// summary). Only then are last week's sessions read into records; a CSV-only run or
        /// `check` reads this week's and its eve's.
        public var showsPreviousWeek: Bool {
            get { (formats.contains(.html) || formats.contains(.md)) && previousWeekWanted }
            set { previousWeekWanted = newValue }
        }
        private var previousWeekWanted = true

        public init(configPath: String) { self.configPath = configPath }
    }

    /// A problem with the command line that only the campaign file reveals (exit 2).
    public struct UsageError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Everything up to the settled ledger.
    public struct Loaded: Sendable {
        public var campaign: Campaign
        public var campaignSHA256: String
        public var ledger: Ledger
        /// Input files still being hashed: the manifest waits for them (`manifestFiles()`).
        var pendingDigests: [(fileIndex: Int, task: DigestTask)] = []

        /// The input files with every SHA-256 filled in, once computed.
        func manifestFiles() throws -> [InputFileReport] {
            var files = ledger.files
            try DigestTask.fill(&files, from: pendingDigests)
            return files
        }
    }

    public static func load(_ options: Options, progress: (String) -> Void) throws -> Loaded {
        var campaign = try CampaignLoader.load(path: options.configPath)
        if let language = options.language { campaign.output.language = language }
        let sha = FileManager.default.contents(atPath: options.configPath).map { SHA256.hex(of: [UInt8]($0)) } ?? ""
        // Not named: before the rosters are read no roster number is known to scrub from the
        // campaign's name (the reports show it scrubbed with them).
        progress("importing inputs")
        var clock = Stopwatch()
        var importer = Importer(campaign: campaign, window: sessionDays(options, campaign: campaign))
        importer.keepsText = (try? period(options, campaign: campaign))?.showsSessionText ?? true
        if let out = options.outDir { importer.outputFolder = URL(fileURLWithPath: out).standardizedFileURL.path }
        let imported = try importer.run(waitingForDigests: false)
        let digests = imported.pendingDigests
        clock.lap("import")
        let ledger = Ledger(consume imported, language: campaign.output.language)
        clock.lap("ledger")
        // Each file's counts once the ledger has settled the rosters' repeated ids, as `check`
        // and the manifest give them.
        for f in ledger.files {
            progress(PhoneScrubber.scrub("  \(f.path): \(f.format), \(f.read) row\(f.read == 1 ? "" : "s"), \(f.rejected) rejected\(f.fileRejected.map { " — file rejected: \($0)" } ?? "")", known: ledger.phones))
        }
        for path in ledger.skipped {
            progress(PhoneScrubber.scrub("  \(path): " + skippedNote.en, known: ledger.phones))
        }
        return Loaded(campaign: campaign, campaignSHA256: sha, ledger: ledger, pendingDigests: digests)
    }

    /// The period the run reports: the one named (`--month`, `--year`), the day of `--date`,
    /// or the week of `--week-ending` (or of `now`).
    public static func period(_ options: Options, campaign: Campaign) throws -> Period {
        if let p = options.period { return p }
        if let d = options.date { return .day(d) }
        return .week(try week(options, campaign: campaign, now: now(options)))
    }

    /// The days whose sessions the import makes into records, from the period: a day's whole
    /// week (the day is counted as its week counts it: overlaps and caps), a week with the week
    /// before when the summary shows the change against it, and always the eve, whose sessions
    /// may run past midnight. Rows outside are validated and hashed, never made into records.
    static func sessionDays(_ options: Options, campaign: Campaign) -> ClosedRange<CivilDate>? {
        guard let period = try? period(options, campaign: campaign) else { return nil }
        let endsOn = campaign.rules.weekEndsOn
        switch period.kind {
        case .day:
            return Period.week(Week.containing(period.first, endsOn: endsOn)).sessionDays(endsOn: endsOn)
        case .week where options.showsPreviousWeek:
            return period.union(.week(Week(lastDay: period.last).previous)).sessionDays(endsOn: endsOn)
        default:
            return period.sessionDays(endsOn: endsOn)
        }
    }

    /// The instant `--now` names, or the clock.
    public static func now(_ options: Options) -> Int {
        options.now ?? Int(Date().timeIntervalSince1970)
    }

    /// The week `--week-ending` names (it must fall on `week_ends_on`), or else the latest week
    /// whose weekly summary is due at or before `now`: the Friday 15:00 batch reports the week
    /// ending that day, and a run on Saturday still reports it (contract §1).
    public static func week(_ options: Options, campaign: Campaign, now: Int) throws -> Week {
        let endsOn = campaign.rules.weekEndsOn
        if let d = options.weekEnding { return try week(ending: d, campaign: campaign) }
        let current = Week.containing(campaign.zone.date(of: now), endsOn: endsOn)
        return summaryDue(of: current, campaign: campaign) <= now ? current : current.previous
    }

    /// The week `--week-ending` names: `d` must fall on `week_ends_on` (a usage error otherwise).
    public static func week(ending d: CivilDate, campaign: Campaign) throws -> Week {
        let endsOn = campaign.rules.weekEndsOn
        guard d.weekday == endsOn else {
            throw UsageError(description: "--week-ending \(d) is a \(d.weekday), but weeks end on \(endsOn) (rules.week_ends_on)")
        }
        return Week(lastDay: d)
    }

    /// The instant the week's weekly summary is due: its last day at `rules.weekly_summary_due`.
    public static func summaryDue(of week: Week, campaign: Campaign) -> Int {
        campaign.summaryDue(of: week)
    }

    /// Whether the week is still running at `now`: its weekly summary is not due yet. Such a
    /// week (only ever one named by `--week-ending`) is reported as in progress, with the hours
    /// so far and nobody short.
    public static func isInProgress(_ week: Week, campaign: Campaign, now: Int) -> Bool {
        now < summaryDue(of: week, campaign: campaign)
    }

    /// The weekly summary: checks the week and makes the files of `<out>/weekly-<date>/` into `out`.
    public static func weekly(_ loaded: Loaded, options: Options, into out: ReportFiles) throws -> RunSummary {
        let campaign = loaded.campaign
        let now = now(options)
        let week = try week(options, campaign: campaign, now: now)
        try out.open("weekly-\(week.lastDay)")
        var clock = Stopwatch()
        let builder = WeekBuilder(campaign: campaign)
        let inProgress = isInProgress(week, campaign: campaign, now: now)
        // Last week is only shown in the HTML and Markdown headline; when it is, build both weeks at once.
        let readable = options.formats.contains(.html) || options.formats.contains(.md)
        final class Weeks: @unchecked Sendable { var this: WeekData?; var previous: WeekData? }
        let weeks = Weeks()
        let ledgerForWeeks = loaded.ledger
        DispatchQueue.concurrentPerform(iterations: options.showsPreviousWeek ? 2 : 1) { k in
            if k == 0 { weeks.this = builder.build(ledgerForWeeks, week: week, inProgress: inProgress) } else { weeks.previous = builder.build(ledgerForWeeks, week: week.previous) }
        }
        let data = weeks.this!
        let previous = weeks.previous
        clock.lap("week (and the week before)")
        // The rules and the report model only read the week: made side by side on both cores, as
        // one list of parts — the report model first, then each rule, a week's many overlaps in
        // stretches (`RuleSet.evaluate(_:beside:)`, `RulePart`) — so that no part waits for
        // another's core (a week of a million overlaps kept one core on them for a second while
        // the other had finished). Then the CSV tables, one after the other, a long one made in
        // chunks on both cores.
        let ledger = loaded.ledger
        let made = ConcurrentSlots<WeeklyReport>(1)
        let findings = RuleSet.evaluate(RuleContext(campaign: campaign, week: data, ledger: ledger, now: now)) {
            made[0] = WeeklyReport.make(campaign: campaign, ledger: ledger, week: data, findings: [], now: now, previous: previous)
        }
        var report = made.take(0)!
        report.findings = findings
        clock.lap("  rules, in order")
        let labels = Labels(campaign.output.language)
        let csv = options.formats.contains(.csv), style = options.csvHeader
        // No phone number in any cell (an id, a unit or team name, a source's file name), in any
        // spelling (`PhoneScrubber`). Each table goes to the report folder as soon as it is made,
        // to be written while the next is made.
        if csv {
            let phones = ledger.phones
            try out.add("volunteers.csv", PhoneScrubber.scrub(bytes: CSVTables.volunteers(report, style: style, labels: labels), known: phones))
            try out.add("units.csv", PhoneScrubber.scrub(bytes: CSVTables.units(report, style: style, labels: labels), known: phones))
            try out.add("teams.csv", PhoneScrubber.scrub(bytes: CSVTables.teams(report, style: style, labels: labels), known: phones))
            clock.lap("  volunteers.csv, units.csv, teams.csv")
            try out.add("findings.csv", PhoneScrubber.scrub(bytes: CSVTables.findings(findings, style: style, labels: labels), known: phones))
            try out.add("rejects.csv", CSVTables.rejects(ledger.rejects, phones: phones, style: style, labels: labels))
            clock.lap("  findings.csv, rejects.csv")
        }
        clock.lap("rules and report model, and their CSV tables")
        // The workbook needs only the tables: it is written on a thread of its own meanwhile.
        let sheets = report, phones = ledger.phones
        let workbook = options.formats.contains(.xlsx)
            ? WorkbookJob { try WorkbookWriter.weekly(sheets, phones: phones, style: style, labels: labels) } : nil
        let manifest = try makeManifest(loaded, options: options, command: "weekly", week: week, date: nil, now: now)
        report.inputFingerprint = manifest.inputs_fingerprint
        clock.lap("manifest (waits for the input hashes)")
        report.knownNames = loaded.ledger.volunteers.map { $0.name }
        let renderer = try ReportRenderer(campaign: campaign, templatesFolder: options.templates, isPublic: options.isPublic, phones: loaded.ledger.phones)
        clock.lap("csv")
        if readable {
            // One view for both; the HTML and the Markdown rendered at once.
            let prepared = renderer.prepare(report)
            clock.lap("html and markdown: the view")
            let wanted: [ReportFormat] = [.html, .md].filter { options.formats.contains($0) }
            let rendered = ConcurrentSlots<Result<[UInt8], Error>>(wanted.count)
            let model = report
            // Both renderings only read the renderer and the prepared view (plain dictionaries).
            let shared = UnsafeSendable((renderer, prepared))
            DispatchQueue.concurrentPerform(iterations: wanted.count) { k in
                let (renderer, prepared) = shared.value
                rendered[k] = Result { wanted[k] == .html ? try renderer.weeklyHTML(model, prepared: prepared)
                                                          : try renderer.weeklyMarkdown(model, prepared: prepared) }
            }
            for (k, format) in wanted.enumerated() {
                try out.add(format == .html ? "weekly-summary.html" : "weekly-summary.md", try rendered.take(k)!.get())
            }
        }
        clock.lap("html and markdown")
        if let workbook {
            try out.add("weekly-summary.xlsx", try workbook.wait())
            clock.lap("xlsx (what was left of it)")
        }
        try out.add("manifest.json", manifest.json())
        return RunSummary(findings: findings, ledger: loaded.ledger, files: out.names.count)
    }

    /// The daily bulletin of `options.date`.
    /// Makes the files of `<out>/daily-<date>/` into `out`; returns the media files to copy
    /// beside them (name → source path).
    public static func daily(_ loaded: Loaded, options: Options, into out: ReportFiles) throws -> (copies: [(String, String)], summary: RunSummary) {
        let campaign = loaded.campaign
        let now = now(options)
        guard let date = options.date else { throw UsageError(description: "daily needs --date") }
        try out.open("daily-\(date)")
        let week = Week.containing(date, endsOn: campaign.rules.weekEndsOn)
        let data = WeekBuilder(campaign: campaign).build(loaded.ledger, week: week)
        let findings = RuleSet.evaluate(RuleContext(campaign: campaign, week: data, ledger: loaded.ledger, now: now))
        var report = DailyReport.make(campaign: campaign, ledger: loaded.ledger, week: data, findings: findings, date: date, now: now)
        if options.isPublic { MediaFiles.neutralNames(&report) }
        let manifest = try makeManifest(loaded, options: options, command: "daily", week: nil, date: date, now: now)
        report.inputFingerprint = manifest.inputs_fingerprint
        report.knownNames = loaded.ledger.volunteers.map { $0.name }
        let labels = Labels(campaign.output.language)
        var copies: [(String, String)] = []
        if options.formats.contains(.csv) {
            let phones = loaded.ledger.phones
            try out.add("activities.csv", PhoneScrubber.scrub(bytes: CSVTables.activities(report, style: options.csvHeader, labels: labels), known: phones))
            try out.add("findings.csv", PhoneScrubber.scrub(bytes: CSVTables.findings(report.findings, style: options.csvHeader, labels: labels), known: phones))
            try out.add("rejects.csv", CSVTables.rejects(loaded.ledger.rejects, phones: phones, style: options.csvHeader, labels: labels))
        }
        let renderer = try ReportRenderer(campaign: campaign, templatesFolder: options.templates, isPublic: options.isPublic, phones: loaded.ledger.phones)
        var clock = Stopwatch()
        let prepared = options.formats.contains(.html) || options.formats.contains(.md) ? renderer.prepare(report) : nil
        clock.lap("daily: the view\(options.isPublic ? " (and the name mask)" : "")")
        if options.formats.contains(.html) { try out.add("daily-bulletin.html", try renderer.dailyHTML(report, prepared: prepared)) }
        if options.formats.contains(.md) { try out.add("daily-bulletin.md", try renderer.dailyMarkdown(report, prepared: prepared)) }
        clock.lap("daily: html and markdown")
        if options.formats.contains(.html) || options.formats.contains(.md) {
            var seen = Set<String>()
            for a in report.activities {
                for m in a.media { if let src = m.sourcePath, seen.insert(m.href).inserted { copies.append((m.href, src)) } }
            }
        }
        if options.formats.contains(.xlsx) {
            try out.add("daily-bulletin.xlsx", try WorkbookWriter.daily(report, phones: loaded.ledger.phones, style: options.csvHeader, labels: labels))
        }
        try out.add("manifest.json", manifest.json())
        return (copies, RunSummary(findings: report.findings, ledger: loaded.ledger, files: out.names.count + copies.count))
    }

    /// What is said of a workbook beside the inputs (`Ledger.skipped`).
    static let skippedNote = (zh: "不是 CSV 或 XML，未读入；若是要读入的数据，请另存为“CSV UTF-8”（或 CSV）",
                              en: "not CSV or XML, not read; if it holds data to read, save it as 'CSV UTF-8' (or CSV)")

    /// `check`: the findings of the week and every reject, as text for stdout.
    public static func check(_ loaded: Loaded, options: Options) throws -> (text: String, errors: Int, summary: RunSummary) {
        let campaign = loaded.campaign
        let now = now(options)
        let week = try week(options, campaign: campaign, now: now)
        // `check` writes no manifest: the inputs' hashes are not needed.
        for (_, task) in loaded.pendingDigests { task.cancel() }
        var clock = Stopwatch()
        let inProgress = isInProgress(week, campaign: campaign, now: now)
        let data = WeekBuilder(campaign: campaign).build(loaded.ledger, week: week, inProgress: inProgress)
        clock.lap("week")
        let findings = RuleSet.evaluate(RuleContext(campaign: campaign, week: data, ledger: loaded.ledger, now: now))
        clock.lap("rules")
        defer { clock.lap("check text") }
        // Headings and figures in the run's language, as the reports' (`Wording`, `Labels`); the
        // lines themselves (paths, reasons, details) are the data's or already in that language.
        let say = Wording(campaign.output.language), l = Labels(campaign.output.language)
        let ledger = loaded.ledger
        let phones = ledger.phones
        // A line is tokenised only where a stretch of its digits is as long as the rosters' shortest
        // number (a million findings each hold a date).
        let minimum = PhoneScrubber.minimumDigits(known: phones)
        // One value on one line: a line break in a path, a reason or a record is shown as `␊`.
        let scrubbed: @Sendable (String) -> String = { text in TerminalText.line(PhoneScrubber.scrub(text, known: phones, minimum: minimum)) }
        let name = scrubbed(campaign.name)
        let due = campaign.zone.format(summaryDue(of: week, campaign: campaign))
        var out = say("fivehours check — \(name)，\(l["week"]) \(week.firstDay) … \(week.lastDay)\(inProgress ? "（\(l["in_progress"])：周总结 \(due) 截止）" : "")\n\n",
                      "fivehours check — \(name), week \(week.firstDay) … \(week.lastDay)\(inProgress ? " (in progress: the weekly summary is due \(due))" : "")\n\n")
        out += say("输入文件（\(ledger.files.count)）：\n", "Files (\(ledger.files.count)):\n")
        for f in ledger.files {
            let path = scrubbed(f.path)
            out += say("  \(path)  [\(f.kind.label), \(f.format)]  读入 \(f.read)，计入 \(f.counted)，合并 \(f.merged)，未读入 \(f.rejected)",
                       "  \(path)  [\(f.kind.rawValue), \(f.format)]  read \(f.read), counted \(f.counted), merged \(f.merged), rejected \(f.rejected)")
            if let why = f.fileRejected { out += "\n    \(say("整个文件未读入：", "FILE REJECTED: "))\(scrubbed(why))" }
            out += "\n"
        }
        for path in ledger.skipped { out += "  \(scrubbed(path))  \(say(skippedNote.zh, skippedNote.en))\n" }
        out += say("\n\(l["section.rejects"])（\(ledger.rejects.count)）：\n", "\nRejected (\(ledger.rejects.count)):\n")
        out += lines(ledger.rejects.count) { i in
            let j = ledger.rejects[i]
            var text = "  \(scrubbed("\(j.source): \(j.reason)"))\n"
            if !j.record.isEmpty { text += "      \(scrubbed(j.record))\n" }
            return text
        }
        out += say("\n\(l["section.findings"])（\(findings.count)）：\n", "\nFindings (\(findings.count)):\n")
        out += lines(findings.count) { i in
            let f = findings[i]
            var line = "  \(say(l[f.severity.rawValue], f.severity.rawValue.uppercased())) \(f.rule)"
            if !f.unit.isEmpty { line += " [\(f.unit)]" }
            if !f.subject.isEmpty { line += " \(f.subject)" }
            if let d = f.date { line += " \(d)" }
            line += "\(say.colon)\(f.detail)"
            if let s = f.source { line += say.parenthesized("\(s)") }
            return scrubbed(line) + "\n"
        }
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        var met = 0, short = 0, partial = 0, notMetYet = 0
        for i in data.volunteers.indices {
            switch data.volunteers[i].status {
            case .met: met += 1
            case .short: short += 1
            case .partial: if data.volunteers[i].notMetYet { notMetYet += 1 } else { partial += 1 }
            }
        }
        // While the week runs nobody is short: those held all week and not there yet are "not met yet".
        let (shortLabel, shortCount) = data.inProgress ? (l["not_met_yet"], notMetYet) : (l["short"], short)
        out += say("\n在队志愿者 \(data.volunteers.count) 名：\(l["met"]) \(met)，\(shortLabel) \(shortCount)，\(l["partial"]) \(partial)；\(l["error"]) \(errors)，\(l["warning"]) \(warnings)，未读入 \(ledger.rejects.count)。\n",
                   "\n\(data.volunteers.count) volunteers active, \(met) met, \(shortCount) \(shortLabel.lowercased()), \(partial) partial; \(errors) errors, \(warnings) warnings, \(ledger.rejects.count) rejected.\n")
        return (out, errors, RunSummary(findings: findings, ledger: ledger, files: 0))
    }

    /// The text of `count` items, each made by `item`, in order: a long list (every finding of
    /// 100,000 volunteers, each line scrubbed of phone numbers) is made in chunks on both cores.
    static func lines(_ count: Int, _ item: @Sendable (Int) -> String) -> String {
        let chunk = 2_048
        let chunks = (count + chunk - 1) / chunk
        let texts = ConcurrentSlots<String>(chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var text = ""
            for i in c * chunk..<min(count, (c + 1) * chunk) { text += item(i) }
            texts[c] = text
        }
        var out = ""
        for c in 0..<chunks { out += texts.take(c) ?? "" }
        return out
    }

    static func makeManifest(_ loaded: Loaded, options: Options, command: String, week: Week?, date: CivilDate?, now: Int) throws -> Manifest {
        let campaign = loaded.campaign
        // The inputs' paths without phone numbers (a file named after a volunteer's mobile), nor
        // a whole-file reason (it may quote a header cell or an XML tag the file wrote).
        let phones = loaded.ledger.phones
        var files = try loaded.manifestFiles()
        for i in files.indices {
            files[i].path = PhoneScrubber.scrub(files[i].path, known: phones)
            files[i].fileRejected = files[i].fileRejected.map { PhoneScrubber.scrub($0, known: phones) }
        }
        return Manifest(
            campaign: .init(path: PhoneScrubber.scrub(URL(fileURLWithPath: campaign.path).lastPathComponent, known: phones), sha256: loaded.campaignSHA256),
            options: .init(command: command, week_ending: week.map { "\($0.lastDay)" }, date: date.map { "\($0)" },
                           now: campaign.zone.iso8601(now), formats: options.formats.map(\.rawValue),
                           csv_header: options.csvHeader.rawValue, public: options.isPublic, language: campaign.output.language.rawValue),
            files: files)
    }
}

/// What a run did, for the last line on stderr (what a cron mail shows): files written, findings
/// by severity, rejected rows and files.
public struct RunSummary: Sendable, Equatable {
    public var filesWritten: Int
    public var errors: Int
    public var warnings: Int
    public var infos: Int
    /// Rows (and whole files) listed in rejects.csv.
    public var rejects: Int
    public var inputFiles: Int
    public var inputFilesRejected: Int

    public init(findings: [Finding], ledger: Ledger, files: Int) {
        var e = 0, w = 0, i = 0
        for f in findings {
            switch f.severity {
            case .error: e += 1
            case .warning: w += 1
            case .info: i += 1
            }
        }
        (errors, warnings, infos) = (e, w, i)
        filesWritten = files
        rejects = ledger.rejects.count
        inputFiles = ledger.files.count
        inputFilesRejected = ledger.files.filter { $0.fileRejected != nil }.count
    }

    /// `fivehours: weekly 2019-08-09: 8 files written to reports/weekly-2019-08-09; findings: 12 errors, 30 warnings, 4 info; 4 rejected; inputs: 13 files (0 rejected whole)`
    public func line(_ what: String, wroteTo folder: String?) -> String {
        var s = "fivehours: \(what): "
        if let folder { s += "\(filesWritten) files written to \(folder); " } else { s += "nothing written; " }
        s += "findings: \(errors) errors, \(warnings) warnings, \(infos) info; \(rejects) rejected; "
        s += "inputs: \(inputFiles) files (\(inputFilesRejected) rejected whole)"
        return s
    }
}

/// The report formats of `--format`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, md, csv, xlsx
}
