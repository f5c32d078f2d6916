import ArgumentParser
import FiveHours
import Foundation

/// The `fivehours` command: argument parsing, then one call into the library per subcommand.
///
/// Exit status (contract §1): 0 reports written; 2 usage or campaign-file error; 1 what stops
/// the run (an input that cannot be opened, an output that cannot be written, a held lock).
@main
struct FiveHoursCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fivehours",
        abstract: "Reports for the campaign 人人都是志愿者 每周奉献五小时 (everyone volunteers five hours a week).",
        version: FiveHoursVersion.current,
        subcommands: [Weekly.self, Daily.self, Monthly.self, Yearly.self, Check.self, Templates.self]
    )

    /// `fivehours` with no subcommand is a usage error (exit 2, contract §1): the help goes to
    /// stderr, so that a batch script missing its subcommand fails instead of reporting success.
    /// (`fivehours --help` asks for the help: exit 0.)
    func run() throws {
        StandardError.write(FiveHoursCommand.helpMessage() + "\n")
        StandardError.write("fivehours: no subcommand; give one: weekly, daily, monthly, yearly, check or templates\n")
        throw ExitCode(2)
    }

    static func main() {
        // A limit on file size (`ulimit -f`, systemd's LimitFSIZE=) would kill the run at the
        // write that crosses it, with no reason given and the staging folder left; ignored, the
        // write fails instead and the run stops as for any output it cannot write (exit 1).
        signal(SIGXFSZ, SIG_IGN)
        StandardError.prepare()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            Self.finish(with: error)
        }
        do {
            try command.run()
        } catch {
            Self.finish(with: error, in: type(of: command))
        }
    }

    /// Maps every error to the contract's exit codes, with a one-line message on stderr — the
    /// last line, which a cron job keeps (`tail -n 1`, BATCH.md): a usage error's usage comes
    /// before it.
    /// - Parameter command: the subcommand whose `run` threw, for its usage; nil while parsing
    ///   (the parser's error knows the subcommand).
    static func finish(with error: Error, in command: ParsableCommand.Type? = nil) -> Never {
        // A message may name an input path; no phone number in it either (a file named after one).
        func say(_ s: String) { StandardError.write("fivehours: " + TerminalText.line(PhoneScrubber.scrub(s, known: [])) + "\n") }
        switch error {
        case let e as CampaignError: say(e.description); Foundation.exit(2)
        case let e as Pipeline.UsageError: say(e.description); Foundation.exit(2)
        case let e as InputOpenError: say(e.description); Foundation.exit(1)
        case let e as OutputError: say(e.description); Foundation.exit(1)
        case let e as TemplateError: say(e.description); Foundation.exit(1)
        case let e as ExitCode: Foundation.exit(e.rawValue)
        default:
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // While parsing, ArgumentParser writes `Error: <reason>` and then the subcommand's
            // usage: the usage first, the reason last. What a subcommand's `run` throws is said alone.
            let reason = (command ?? Self.self).message(for: error)
            if command == nil {
                let full = fullMessage(for: error)
                let usage = full.hasPrefix("Error: " + reason) ? String(full.dropFirst(("Error: " + reason).count)) : ""
                for line in usage.split(separator: "\n") where !line.isEmpty { StandardError.write(TerminalText.safe(String(line)) + "\n") }
            }
            say(reason)
            // Usage errors are 2 in the contract, not ArgumentParser's 64.
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The campaign file (YAML).")
    var config: String

    @Option(name: .long, help: "Use this instant as the current time (ISO 8601, e.g. 2019-08-09T15:00:00+08:00).")
    var now: String?

    @Flag(name: .long, help: "No progress lines and no summary line on stderr (errors are still printed).")
    var quiet = false

    @Option(name: .long, help: "The language of every word the report writes: zh-CN or en (overrides output.language).")
    var language: String?

    func validate() throws {
        if let language, Language(parsing: language) == nil {
            throw ValidationError("--language takes zh-CN or en, not '\(language)'")
        }
    }

    /// The last line on stderr: what the run wrote and found (also when stderr is a file, for
    /// cron's mail). `--quiet` silences it with the progress.
    func summary(_ line: String) {
        guard !quiet else { return }
        if isatty(STDERR_FILENO) == 1 { TerminalProgress.shared.finish() }
        StandardError.write(TerminalText.line(line) + "\n")
    }

    /// Plain lines when stderr is a file or a pipe; on a terminal, one status line rewritten in
    /// place with a bar of the stages passed (import, files, week and rules, writing).
    func progress(_ line: String) {
        guard !quiet else { return }
        guard isatty(STDERR_FILENO) == 1 else {
            StandardError.write(TerminalText.line(line) + "\n")
            return
        }
        TerminalProgress.shared.show(line)
    }
}

/// The terminal's status line: `[####······] importing …`, redrawn on each step, ended with a
/// newline when the run says it wrote its files.
final class TerminalProgress: @unchecked Sendable {
    static let shared = TerminalProgress()
    private var step = 0
    private var open = false

    /// Ends the status line, if one is showing, so that the next line starts clean.
    func finish() {
        if open { StandardError.write("\n"); open = false }
    }

    func show(_ line: String) {
        step += 1
        let done = line.hasPrefix("wrote") || line.hasPrefix("checked")
        let filled = done ? 10 : min(9, step)
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: 10 - filled)
        let text = TerminalText.line(line.trimmingCharacters(in: .whitespaces))
        let shown = text.count > 70 ? String(text.prefix(69)) + "…" : text
        StandardError.write("\r\u{1B}[K[\(bar)] \(shown)\(done ? "\n" : "")")
        open = !done
    }
}

/// Options of the commands that write reports.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output folder (default: output.dir of the campaign file).")
    var out: String?

    @Option(name: .long, help: "Formats to write: any of html, md, csv, xlsx, comma-separated.")
    var format: String = "html,md,csv,xlsx"

    @Option(name: .customLong("csv-header"), help: "CSV header row: labels (Chinese) or keys.")
    var csvHeader: String = "labels"

    @Flag(name: .long, help: "Mask volunteers' names in HTML and Markdown, for posting.")
    var `public` = false

    @Option(name: .long, help: "A folder of Mustache templates to use instead of the shipped ones.")
    var templates: String?

    func validate() throws {
        if let out, out.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--out names no folder; give the folder to write the reports into (or leave --out out for output.dir)")
        }
        _ = try formats()
        guard CSVHeaderStyle(rawValue: csvHeader) != nil else {
            throw ValidationError("--csv-header takes 'labels' or 'keys', not '\(csvHeader)'")
        }
    }

    func formats() throws -> [ReportFormat] {
        var out: [ReportFormat] = []
        for part in format.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            let name = part == "markdown" ? "md" : part
            guard let f = ReportFormat(rawValue: name) else {
                throw ValidationError("--format takes html, md, csv and xlsx, comma-separated; '\(part)' is none of them")
            }
            if !out.contains(f) { out.append(f) }
        }
        guard !out.isEmpty else { throw ValidationError("--format names no format; use html, md, csv or xlsx") }
        return out
    }
}

/// Parses a date option (any of the contract's spellings).
func parseDate(_ s: String, option: String) throws -> CivilDate {
    guard let d = ValueParser.date(s) else {
        throw ValidationError("\(option) '\(s)' is not a date; write it as 2019-08-09")
    }
    return d
}

/// Builds the library's options once the campaign's time zone is known.
func pipelineOptions(_ common: CommonOptions, _ output: OutputOptions?, zone: CampaignZone) throws -> Pipeline.Options {
    var o = Pipeline.Options(configPath: common.config)
    o.language = common.language.flatMap(Language.init(parsing:))
    if let n = common.now {
        guard let t = ValueParser.instant(n, in: zone) else {
            throw Pipeline.UsageError(description: "--now '\(n)' is not an instant; write it as 2019-08-09T15:00:00+08:00")
        }
        o.now = t
    }
    if let output {
        o.outDir = output.out
        o.formats = try output.formats()
        o.csvHeader = CSVHeaderStyle(rawValue: output.csvHeader) ?? .labels
        o.isPublic = output.public
        o.templates = output.templates.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }
    return o
}

/// The output folder of a run, as `--out` or the campaign file names it.
func outputFolder(_ options: Pipeline.Options, campaign: Campaign) -> String {
    options.outDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? campaign.output.dir
}

/// Ends the process once the report is written, without freeing the run's data one object at
/// a time: the system takes the memory back at once, and releases the output folder's lock with
/// the process. `keeping` is the run's data (`Pipeline.Loaded`): held to the end, since Swift
/// lets a value go after its last use — a year's 3.5 million records were freed one by one
/// while the report folder was written, a third of a second of a yearly run.
func endAtOnce(keeping data: Pipeline.Loaded) -> Never {
    withExtendedLifetime(data) {
        fflush(nil) // every stream: the path printed on stdout
        exit(0)
    }
}

/// Takes the output folder's lock before any work, so that a second run on the same folder
/// fails at once (issue 6) instead of importing everything first.
func lockOutput(_ outDir: String) throws -> ReportFolder.Lock {
    try ReportFolder(parent: outDir, name: "").lock()
}

/// Runs `make`, which makes a run's files into a report folder under the output folder (whose
/// lock the caller holds), each written as it is made; then puts the folder in place,
/// atomically. A run that fails on the way removes what it wrote: the earlier report stays.
func writeReport<T>(outDir: String, lock: ReportFolder.Lock, _ make: (ReportFiles) throws -> (T, copies: [(String, String)]))
    throws -> (path: String, files: ReportFiles, result: T) {
    let out = ReportFiles.writing(under: outDir)
    do {
        let (result, copies) = try make(out)
        var clock = Stopwatch()
        let path = try out.commit(copies: copies)
        clock.lap("write the report folder (what was left of it)")
        withExtendedLifetime(lock) {}
        return (path, out, result)
    } catch {
        out.abandon()
        throw error
    }
}

struct Weekly: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The Friday batch: import, check, write the weekly summary of one week.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("week-ending"), help: "The week's last day (must fall on rules.week_ends_on).")
    var weekEnding: String?

    // Dates are checked while the command line is parsed, so that their error shows this
    // subcommand's usage.
    func validate() throws { _ = try weekEnding.map { try parseDate($0, option: "--week-ending") } }

    func run() throws {
        let weekEnd = try weekEnding.map { try parseDate($0, option: "--week-ending") }
        let campaign = try CampaignLoader.load(path: common.config)
        var options = try pipelineOptions(common, output, zone: campaign.zone)
        options.weekEnding = weekEnd
        _ = try Pipeline.week(options, campaign: campaign, now: Pipeline.now(options))
        let outDir = outputFolder(options, campaign: campaign)
        try InputFiles.checkNamedPaths(of: campaign)
        let lock = try lockOutput(outDir)
        let loaded = try Pipeline.load(options, progress: common.progress)
        common.progress("building the week, checking the rules, rendering")
        let (path, files, summary) = try writeReport(outDir: outDir, lock: lock) { out in
            (try Pipeline.weekly(loaded, options: options, into: out), copies: [])
        }
        common.progress("wrote \(summary.filesWritten) files to \(path)")
        print(TerminalText.line(path))
        common.summary(summary.line("weekly \(files.folder.dropFirst("weekly-".count))", wroteTo: path))
        endAtOnce(keeping: loaded)
    }
}

struct Daily: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the daily bulletin of one day.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The day of the bulletin.")
    var date: String

    func validate() throws { _ = try parseDate(date, option: "--date") }

    func run() throws {
        let day = try parseDate(date, option: "--date")
        let campaign = try CampaignLoader.load(path: common.config)
        var options = try pipelineOptions(common, output, zone: campaign.zone)
        options.date = day
        let outDir = outputFolder(options, campaign: campaign)
        try InputFiles.checkNamedPaths(of: campaign)
        let lock = try lockOutput(outDir)
        let loaded = try Pipeline.load(options, progress: common.progress)
        common.progress("building the day, checking the rules, rendering")
        let (path, files, summary) = try writeReport(outDir: outDir, lock: lock) { out in
            let (copies, summary) = try Pipeline.daily(loaded, options: options, into: out)
            return (summary, copies: copies)
        }
        common.progress("wrote \(summary.filesWritten) files to \(path)")
        print(TerminalText.line(path))
        common.summary(summary.line("daily \(files.folder.dropFirst("daily-".count))", wroteTo: path))
        endAtOnce(keeping: loaded)
    }
}

/// `--month YYYY-MM` as a period (also `2019-8`, `2019/08`, `2019年8月`).
func parseMonth(_ s: String) -> Period? {
    let t = s.trimmingCharacters(in: .whitespaces)
    let parts = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "")
        .split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "/" || $0 == "." }
    guard parts.count == 2, parts[0].count == 4, (1...2).contains(parts[1].count),
          parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
          let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
    return Period.month(m, of: y)
}

/// `--year YYYY` as a period.
func parseYear(_ s: String) -> Period? {
    let t = s.trimmingCharacters(in: .whitespaces)
    guard t.count == 4, t.allSatisfy({ $0.isASCII && $0.isNumber }), let y = Int(t) else { return nil }
    return Period.year(y)
}

/// Runs `monthly` or `yearly`: the same steps as `weekly`, over the period.
func runRollup(_ common: CommonOptions, _ output: OutputOptions, period: Period, weekEnding: String?, yearly: Bool) throws {
    let campaign = try CampaignLoader.load(path: common.config)
    var options = try pipelineOptions(common, output, zone: campaign.zone)
    options.period = period
    // Weekly's `--week-ending`, taken as the contract's "same options as weekly": it must name a
    // week of the period (the month or year of its last day, begun once the campaign had); the
    // report covers all of them.
    if let weekEnding {
        let week = try Pipeline.week(ending: try parseDate(weekEnding, option: "--week-ending"), campaign: campaign)
        guard period.contains(week.lastDay) else {
            throw Pipeline.UsageError(description: "--week-ending \(week.lastDay) is not a week of \(period) (a week belongs to the month and year of its last day)")
        }
        let held = Rollup.weeksHeld(in: period, campaign: campaign)
        guard held.contains(week) else {
            let instead = held.first.map { "name \($0.lastDay) or a later week of \(period)" } ?? "no week of \(period) is held: leave --week-ending out"
            throw Pipeline.UsageError(description: "--week-ending \(week.lastDay) names a week that began before the campaign did (campaign.start_date \(campaign.startDate.map { "\($0)" } ?? "")): the reports hold no one to it; \(instead)")
        }
    }
    let outDir = outputFolder(options, campaign: campaign)
    try InputFiles.checkNamedPaths(of: campaign)
    let lock = try lockOutput(outDir)
    let loaded = try Pipeline.load(options, progress: common.progress)
    common.progress("building the weeks of \(period), checking the rules, rendering")
    let (path, files, summary) = try writeReport(outDir: outDir, lock: lock) { out in
        (yearly ? try Pipeline.yearly(loaded, options: options, into: out) : try Pipeline.monthly(loaded, options: options, into: out), copies: [])
    }
    common.progress("wrote \(summary.filesWritten) files to \(path)")
    print(TerminalText.line(path))
    let kind = yearly ? "yearly" : "monthly"
    common.summary(summary.line("\(kind) \(files.folder.dropFirst(kind.count + 1))", wroteTo: path))
    endAtOnce(keeping: loaded)
}

struct Monthly: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The monthly assessment (月考核) of one month into <out>/monthly-YYYY-MM/.",
        discussion: "A week belongs to the month of its last day; hours count every day of the month. See docs/rollups.md.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The month, as YYYY-MM (e.g. 2019-08).")
    var month: String
    @Option(name: .customLong("week-ending"), help: "As weekly takes it: must name a week of the month (the report covers them all).")
    var weekEnding: String?

    func validate() throws {
        guard parseMonth(month) != nil else { throw ValidationError("--month '\(month)' is not a month; write it as 2019-08") }
        _ = try weekEnding.map { try parseDate($0, option: "--week-ending") }
    }

    func run() throws {
        try runRollup(common, output, period: parseMonth(month)!, weekEnding: weekEnding, yearly: false)
    }
}

struct Yearly: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The year's roll-up and award lists (评优评先) into <out>/yearly-YYYY/.",
        discussion: "A week belongs to the year of its last day; hours count every day of the year. See docs/rollups.md.")
    @OptionGroup var common: CommonOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The year, as YYYY (e.g. 2019).")
    var year: String
    @Option(name: .customLong("week-ending"), help: "As weekly takes it: must name a week of the year (the report covers them all).")
    var weekEnding: String?

    func validate() throws {
        guard parseYear(year) != nil else { throw ValidationError("--year '\(year)' is not a year; write it as 2019") }
        _ = try weekEnding.map { try parseDate($0, option: "--week-ending") }
    }

    func run() throws {
        try runRollup(common, output, period: parseYear(year)!, weekEnding: weekEnding, yearly: true)
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import and check only: print every file, rejected row and finding; write nothing.",
        discussion: "Exits 1 when any finding has severity error.")
    @OptionGroup var common: CommonOptions
    @Option(name: .customLong("week-ending"), help: "The week's last day (must fall on rules.week_ends_on).")
    var weekEnding: String?

    // Dates are checked while the command line is parsed, so that their error shows this
    // subcommand's usage.
    func validate() throws { _ = try weekEnding.map { try parseDate($0, option: "--week-ending") } }

    func run() throws {
        let weekEnd = try weekEnding.map { try parseDate($0, option: "--week-ending") }
        let campaign = try CampaignLoader.load(path: common.config)
        var options = try pipelineOptions(common, nil, zone: campaign.zone)
        options.weekEnding = weekEnd
        options.showsPreviousWeek = false
        _ = try Pipeline.week(options, campaign: campaign, now: Pipeline.now(options))
        let loaded = try Pipeline.load(options, progress: common.progress)
        let (text, errors, summary) = try Pipeline.check(loaded, options: options)
        common.progress("checked \(loaded.ledger.files.count) files")
        print(TerminalText.safe(text), terminator: "")
        fflush(nil)
        common.summary(summary.line("check", wroteTo: nil))
        if errors > 0 { throw ExitCode(1) }
    }
}

struct Templates: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy the shipped report templates into a folder, to edit them.")
    @Option(name: .long, help: "Where to put the templates.")
    var out: String

    func validate() throws {
        if out.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--out names no folder; give the folder to copy the templates into") }
    }

    func run() throws {
        // The folders one level at a time, and each file made with the system's own answer, so
        // that a file in the way or a folder not ours is said in words, not as Foundation's error.
        try ReportFolder.makeFolders(out)
        for (name, bytes) in ReportRenderer.shipped {
            let target = (out as NSString).appendingPathComponent(name)
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd < 0, errno == EEXIST {
                StandardError.write("fivehours: \(TerminalText.line(target)) exists; left as it is\n")
                continue
            }
            guard fd >= 0 else { throw OutputError.system(errno, path: target, doing: "write the template") }
            defer { close(fd) }
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw OutputError.system(errno, path: target, doing: "write the template") }
                written += n
            }
            print(TerminalText.line(target))
        }
    }
}
