import Foundation
import Yams

/// A mistake in the campaign file: where it is and what was expected.
///
/// Printed as `campaign.yaml:12: rules.weekly_hours: expected a number of hours, found 'five'`.
public struct CampaignError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var keyPath: String
    public var message: String

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
    }
}

/// Reads the campaign file (§2) into a `Campaign`.
///
/// The YAML is composed into Yams nodes and walked by hand, rather than decoded with
/// `Decodable`, so that every error, unknown keys included, carries the line it is on.
public enum CampaignLoader {
    /// The largest campaign file read: it lists units and teams, not people.
    static let maximumSize = 1 << 20

    public static func load(path: String) throws(CampaignError) -> Campaign {
        let url = URL(fileURLWithPath: path)
        // A campaign file is a few kilobytes: a device, a FIFO or a file of a hundred megabytes
        // named by mistake is refused before it is read (a 100 MB name took 14 s and 1 GB).
        var st = stat()
        if stat(url.path, &st) == 0 {
            guard InputFiles.isRegular(st) else {
                throw CampaignError(file: path, line: nil, keyPath: "", message: "the campaign file is not a regular file but \(InputFiles.kind(st))")
            }
            guard st.st_size <= maximumSize else {
                throw CampaignError(file: path, line: nil, keyPath: "",
                                    message: "the campaign file is \(st.st_size) bytes; a campaign file is a few kilobytes (at most \(maximumSize >> 20) MB) — is this the right file?")
            }
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CampaignError(file: path, line: nil, keyPath: "", message: "cannot read the campaign file (does it exist?)")
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(data: bytes, encoding: .utf8) else {
            // The line of the first byte that is not UTF-8 (GBK from Notepad, UTF-16): the
            // line a reader opens the file at.
            var scalars = bytes.makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            var valid = 0
            scan: while true {
                switch parser.parseScalar(from: &scalars) {
                case .valid(let scalar): valid += scalar.count
                case .emptyInput, .error: break scan
                }
            }
            let line = bytes.prefix(valid).filter { $0 == 10 }.count + 1
            throw CampaignError(file: URL(fileURLWithPath: path).lastPathComponent, line: line, keyPath: "",
                                message: "the campaign file is not UTF-8 (GBK or UTF-16?); save it as UTF-8")
        }
        return try parse(text, path: path)
    }

    /// Parses campaign YAML; `path` names the file in errors and anchors relative paths.
    public static func parse(_ text: String, path: String) throws(CampaignError) -> Campaign {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let folder = URL(fileURLWithPath: CampaignLoader.followingLinks(path)).deletingLastPathComponent().path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: name, text: text)
        } catch {
            throw CampaignError(file: name, line: nil, keyPath: "", message: "\(error)")
        }
        let walker = NodeWalker(file: name)
        guard let root else {
            throw CampaignError(file: name, line: 1, keyPath: "", message: "the campaign file is empty")
        }
        let top = try walker.mapping(root, path: "", allowed: ["campaign", "rules", "units", "teams", "inputs", "output", "assessment"])

        guard let campaignNode = top["campaign"] else {
            throw walker.error(root, "", "missing section 'campaign' (name, organizer, timezone)")
        }
        let c = try walker.mapping(campaignNode, path: "campaign", allowed: ["name", "organizer", "timezone", "start_date"])
        guard let nameNode = c["name"] else { throw walker.error(campaignNode, "campaign", "missing key 'name'") }
        let campaignName = try walker.string(nameNode, path: "campaign.name")
        var organizer = ""
        if let n = c["organizer"] { organizer = try walker.string(n, path: "campaign.organizer") }
        var zone = CampaignZone.shanghai
        if let z = c["timezone"] {
            let written = try walker.string(z, path: "campaign.timezone")
            let id = CampaignZone.oldNames[written.uppercased()] ?? written
            if let why = CampaignZone.ambiguity(of: id) {
                throw walker.error(z, "campaign.timezone", why)
            }
            guard let parsed = CampaignZone(identifier: id) else {
                throw walker.error(z, "campaign.timezone", "unknown time zone '\(id)'; use an IANA name such as Asia/Shanghai")
            }
            zone = parsed
        }
        var startDate: CivilDate?
        if let n = c["start_date"] { startDate = try walker.date(n, path: "campaign.start_date") }

        var rules = Rules()
        if let r = top["rules"] {
            let m = try walker.mapping(r, path: "rules", allowed: [
                "weekly_hours", "week_ends_on", "daily_bulletin_due", "daily_bulletin_days",
                "weekly_summary_due", "roster_due", "liaisons_per_unit", "max_daily_hours",
                "review_daily_hours", "station_due",
            ])
            if let n = m["weekly_hours"] { rules.weeklySeconds = try walker.hours(n, path: "rules.weekly_hours") }
            if let n = m["week_ends_on"] { rules.weekEndsOn = try walker.weekday(n, path: "rules.week_ends_on") }
            if let n = m["daily_bulletin_due"] { rules.dailyBulletinDue = try walker.time(n, path: "rules.daily_bulletin_due") }
            if let n = m["daily_bulletin_days"] {
                let items = try walker.sequence(n, path: "rules.daily_bulletin_days")
                var days: [Weekday] = []
                for (i, item) in items.enumerated() {
                    let d = try walker.weekday(item, path: "rules.daily_bulletin_days[\(i)]")
                    if !days.contains(d) { days.append(d) }
                }
                rules.dailyBulletinDays = days.sorted { $0.rawValue < $1.rawValue }
            }
            if let n = m["weekly_summary_due"] { rules.weeklySummaryDue = try walker.time(n, path: "rules.weekly_summary_due") }
            if let n = m["roster_due"] { rules.rosterDue = try walker.deadline(n, path: "rules.roster_due", zone: zone) }
            if let n = m["liaisons_per_unit"] {
                rules.liaisonsPerUnit = try walker.integer(n, path: "rules.liaisons_per_unit", range: 0...100)
            }
            if let n = m["max_daily_hours"] {
                rules.maxDailySeconds = try walker.hours(n, path: "rules.max_daily_hours")
                if rules.maxDailySeconds > 24 * 3600 {
                    throw walker.error(n, "rules.max_daily_hours", "expected at most 24 hours")
                }
            }
            if let n = m["station_due"] { rules.stationDue = try walker.deadline(n, path: "rules.station_due", zone: zone) }
            if let n = m["review_daily_hours"] {
                rules.reviewDailySeconds = try walker.hours(n, path: "rules.review_daily_hours")
                if rules.reviewDailySeconds > 24 * 3600 {
                    throw walker.error(n, "rules.review_daily_hours", "expected at most 24 hours")
                }
            }
        }

        var units: [UnitSpec] = []
        var unitNames = Set<String>()
        if let u = top["units"] {
            for (i, item) in try walker.sequence(u, path: "units").enumerated() {
                let p = "units[\(i)]"
                let m = try walker.mapping(item, path: p, allowed: ["name", "kind", "station_ready"])
                guard let n = m["name"] else { throw walker.error(item, p, "missing key 'name'") }
                let unitName = try walker.string(n, path: "\(p).name")
                var kind = UnitSpec.Kind.department
                if let k = m["kind"] {
                    let s = try walker.string(k, path: "\(p).kind")
                    switch s.lowercased() {
                    case "department", "科室": kind = .department
                    case "workstation", "工作站": kind = .workstation
                    case "other", "其他": kind = .other
                    default: throw walker.error(k, "\(p).kind", "expected department (科室), workstation (工作站) or other (其他), found '\(s)'")
                    }
                }
                // A set, not a scan of the units so far: 40,000 units load at once.
                guard unitNames.insert(unitName).inserted else {
                    throw walker.error(n, "\(p).name", "unit '\(unitName)' is listed twice")
                }
                var ready: Int?
                if let r = m["station_ready"] {
                    guard kind == .workstation else {
                        throw walker.error(r, "\(p).station_ready",
                                           "only a workstation (kind: workstation) has a service station; '\(unitName)' is a \(kind.rawValue)")
                    }
                    ready = try walker.moment(r, path: "\(p).station_ready", zone: zone)
                }
                units.append(UnitSpec(name: unitName, kind: kind, stationReady: ready))
            }
        }

        var teams: [TeamSpec] = []
        var teamNames = Set<String>()
        if let t = top["teams"] {
            for (i, item) in try walker.sequence(t, path: "teams").enumerated() {
                let p = "teams[\(i)]"
                let m = try walker.mapping(item, path: p, allowed: ["name", "focus", "leads"])
                guard let n = m["name"] else { throw walker.error(item, p, "missing key 'name'") }
                let teamName = try walker.string(n, path: "\(p).name")
                var focus = false
                if let f = m["focus"] { focus = try walker.bool(f, path: "\(p).focus") }
                var leads: [String] = []
                if let l = m["leads"] {
                    if case .scalar = l {
                        leads = [try walker.string(l, path: "\(p).leads")]
                    } else {
                        leads = try walker.sequence(l, path: "\(p).leads").enumerated().map { (k, node) throws(CampaignError) in
                            try walker.string(node, path: "\(p).leads[\(k)]")
                        }
                    }
                }
                guard teamNames.insert(teamName).inserted else {
                    throw walker.error(n, "\(p).name", "team '\(teamName)' is listed twice")
                }
                teams.append(TeamSpec(name: teamName, focus: focus, leads: leads))
            }
        }

        var inputs = Inputs()
        if let i = top["inputs"] {
            let m = try walker.mapping(i, path: "inputs", allowed: ["rosters", "activities", "submissions"])
            func paths(_ key: String) throws(CampaignError) -> [String] {
                guard let n = m[key] else { return [] }
                let raw: [String]
                if case .scalar = n {
                    raw = [try walker.string(n, path: "inputs.\(key)")]
                } else {
                    raw = try walker.sequence(n, path: "inputs.\(key)").enumerated().map { (k, node) throws(CampaignError) in
                        try walker.string(node, path: "inputs.\(key)[\(k)]")
                    }
                }
                return raw.map { resolve($0, against: folder) }
            }
            inputs.rosters = try paths("rosters")
            inputs.activities = try paths("activities")
            inputs.submissions = try paths("submissions")
        } else {
            throw walker.error(root, "", "missing section 'inputs' (rosters, activities, submissions)")
        }

        var output = OutputSettings()
        output.dir = resolve("reports", against: folder)
        if let o = top["output"] {
            let m = try walker.mapping(o, path: "output", allowed: ["dir", "language", "templates"])
            if let d = m["dir"] { output.dir = resolve(try walker.string(d, path: "output.dir"), against: folder) }
            if let l = m["language"] {
                let s = try walker.string(l, path: "output.language")
                switch s.lowercased() {
                case "zh-cn", "zh", "zh_cn", "zh-hans": output.language = .zhCN
                case "en", "en-us", "en-gb": output.language = .en
                default: throw walker.error(l, "output.language", "expected 'zh-CN' or 'en', found '\(s)'")
                }
            }
            if let t = m["templates"] { output.templates = resolve(try walker.string(t, path: "output.templates"), against: folder) }
        }

        var campaign = Campaign(name: campaignName, organizer: organizer, zone: zone, startDate: startDate, rules: rules,
                                units: units, teams: teams, inputs: inputs, output: output,
                                path: URL(fileURLWithPath: path).standardizedFileURL.path)
        if let a = top["assessment"] { campaign.assessment = try assessment(a, walker: walker) }
        return campaign
    }

    /// The `assessment:` section (docs/rollups.md): weights, the late credit, the star levels.
    static func assessment(_ node: Node, walker: NodeWalker) throws(CampaignError) -> Assessment {
        var out = Assessment()
        let m = try walker.mapping(node, path: "assessment", allowed: ["weights", "late_credit", "star_hours"])
        if let w = m["weights"] {
            let wm = try walker.mapping(w, path: "assessment.weights",
                                        allowed: ["compliance", "daily_bulletins", "weekly_summaries", "liaison", "roster"])
            func weight(_ key: String) throws(CampaignError) -> Double? {
                guard let n = wm[key] else { return nil }
                let s = try walker.string(n, path: "assessment.weights.\(key)")
                guard let v = Double(s), v >= 0, v <= 1000 else {
                    throw walker.error(n, "assessment.weights.\(key)", "expected a number of points from 0 to 1000, found '\(s)'")
                }
                return v
            }
            if let v = try weight("compliance") { out.weights.compliance = v }
            if let v = try weight("daily_bulletins") { out.weights.dailyBulletins = v }
            if let v = try weight("weekly_summaries") { out.weights.weeklySummaries = v }
            if let v = try weight("liaison") { out.weights.liaison = v }
            if let v = try weight("roster") { out.weights.roster = v }
        }
        if let n = m["late_credit"] {
            let s = try walker.string(n, path: "assessment.late_credit")
            guard let v = Double(s), v >= 0, v <= 1 else {
                throw walker.error(n, "assessment.late_credit", "expected a share from 0 to 1 such as 0.5, found '\(s)'")
            }
            out.lateCredit = v
        }
        if let n = m["star_hours"] {
            var levels: [Int] = []
            for (i, item) in try walker.sequence(n, path: "assessment.star_hours").enumerated() {
                let v = try walker.integer(item, path: "assessment.star_hours[\(i)]", range: 1...1_000_000)
                if let last = levels.last, v <= last {
                    throw walker.error(item, "assessment.star_hours[\(i)]", "expected hours in ascending order, found \(v) after \(last)")
                }
                levels.append(v)
            }
            guard !levels.isEmpty else {
                throw walker.error(n, "assessment.star_hours", "expected at least one star level's hours, e.g. [100, 300, 600, 1000, 1500]; leave the key out for those")
            }
            out.starHours = levels
        }
        return out
    }

    /// The campaign file itself when `path` is a symbolic link to it (`etc/campaign.yaml →
    /// ../campaign/campaign.yaml`): its folder is the one its inputs are relative to, the file's
    /// own, not the link's. Only the file's own links are followed, not its folders', so that
    /// paths keep the spelling the operator gave them.
    static func followingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = target.hasPrefix("/") ? target
                : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL.path
        }
        return current
    }

    static func resolve(_ p: String, against folder: String) -> String {
        if p.hasPrefix("/") { return URL(fileURLWithPath: p).standardizedFileURL.path }
        return URL(fileURLWithPath: folder).appendingPathComponent(p).standardizedFileURL.path
    }

    /// What most likely broke the YAML near `line` (libyaml names where it stopped, often the
    /// line after): a tab in a line's indentation, or a key followed by a full-width colon `：`
    /// (typed with a Chinese input method) — the two slips of a campaign file edited by hand.
    static func syntaxHint(text: String, near line: Int) -> (line: Int, message: String)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for n in stride(from: min(line, lines.count), through: max(1, line - 2), by: -1) {
            let l = lines[n - 1]
            if l.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                return (n, "line \(n) is indented with a tab; YAML indents with spaces only — replace the tab with spaces")
            }
            let code = l.prefix { $0 != "#" }
            if let colon = code.firstIndex(of: "："), !code[..<colon].contains(":"), !code[..<colon].contains("\""), !code[..<colon].contains("'") {
                return (n, "line \(n) has a full-width colon '：' after '\(code[..<colon].trimmingCharacters(in: .whitespaces))'; write a half-width ':' after a key")
            }
        }
        return nil
    }

    static func syntaxError(_ error: YamlError, file: String, text: String) -> CampaignError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let ctx = context.map { "\($0.text) " } ?? ""
            let said = "YAML syntax: \(ctx)\(problem) (column \(mark.column))"
            if let hint = syntaxHint(text: text, near: mark.line) {
                return CampaignError(file: file, line: hint.line, keyPath: "", message: "\(hint.message) (\(said))")
            }
            return CampaignError(file: file, line: mark.line, keyPath: "", message: said)
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams names the first of the two; the error is the second, the next line written
            // with the same indentation and key.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let first = context.mark.line
            var again: Int?
            if first >= 1, first <= lines.count, let key = duplicates.first {
                let indent = lines[first - 1].prefix { $0 == " " || $0 == "-" }.count
                again = lines.indices.dropFirst(first).first { i in
                    let l = lines[i]
                    return l.prefix { $0 == " " || $0 == "-" }.count == indent && l.dropFirst(indent).hasPrefix("\(key):")
                }.map { $0 + 1 }
            }
            let lineNote = again.map { _ in " (first on line \(first))" } ?? ""
            return CampaignError(file: file, line: again ?? first, keyPath: "",
                                 message: "key '\(duplicates.joined(separator: "', '"))' appears twice\(lineNote); keep one")
        case let .reader(problem, offset, value, _):
            // A control character or a byte the reader refuses: on its line, in the usual layout.
            // libyaml's reader counts characters (scalars), not bytes.
            let line = offset.map { o in text.unicodeScalars.prefix(o).filter { $0 == "\n" }.count + 1 }
            let what = value > 0 ? " (character code \(value))" : ""
            return CampaignError(file: file, line: line, keyPath: "", message: "YAML: \(problem.trimmingCharacters(in: CharacterSet(charactersIn: ": ")))\(what)")
        default:
            return CampaignError(file: file, line: nil, keyPath: "", message: "YAML: \(error)")
        }
    }
}

/// Typed access to Yams nodes with errors that name the file, line and key path.
struct NodeWalker {
    let file: String

    func error(_ node: Node, _ path: String, _ message: String) -> CampaignError {
        CampaignError(file: file, line: node.mark?.line, keyPath: path, message: message)
    }

    /// A mapping whose keys are all in `allowed`; an unknown key is an error on its own line.
    func mapping(_ node: Node, path: String, allowed: [String]) throws(CampaignError) -> [String: Node] {
        guard case let .mapping(m) = node else {
            // `language： en` under a key alone is one string to YAML, not a key and a value: the
            // full-width colon (a Chinese input method's) is what to fix, on its own line.
            if case let .scalar(scalar) = node, let colon = scalar.string.firstIndex(of: "："),
               !scalar.string[..<colon].contains(":"), !scalar.string[..<colon].isEmpty {
                let key = scalar.string[..<colon].trimmingCharacters(in: .whitespaces)
                throw error(node, path, "a full-width colon '：' after '\(key)'; write a half-width ':' after a key")
            }
            throw error(node, path, "expected a mapping of keys (\(allowed.joined(separator: ", ")))")
        }
        var result: [String: Node] = [:]
        for (k, v) in m {
            let key = k.string ?? ""
            guard allowed.contains(key) else {
                let here = path.isEmpty ? key : "\(path).\(key)"
                throw CampaignError(file: file, line: k.mark?.line, keyPath: here,
                                    message: "unknown key '\(key)'; expected one of \(allowed.joined(separator: ", "))")
            }
            // `key:` with nothing after it, `~` or `null` (plain, not quoted), means "not set".
            if case .scalar(let s) = v, s.tag.description == Tag.Name.null.rawValue
                || (s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)) {
                continue
            }
            result[key] = v
        }
        return result
    }

    func sequence(_ node: Node, path: String) throws(CampaignError) -> [Node] {
        guard case let .sequence(s) = node else { throw error(node, path, "expected a list") }
        return Array(s)
    }

    func string(_ node: Node, path: String) throws(CampaignError) -> String {
        guard case let .scalar(s) = node else { throw error(node, path, "expected a text value") }
        let v = s.string.trimmingSpaces
        guard !v.isEmpty else { throw error(node, path, "expected a text value, found nothing") }
        return v
    }

    func bool(_ node: Node, path: String) throws(CampaignError) -> Bool {
        let s = try string(node, path: path)
        guard let b = ValueParser.boolean(s) else { throw error(node, path, "expected true or false, found '\(s)'") }
        return b
    }

    func integer(_ node: Node, path: String, range: ClosedRange<Int>) throws(CampaignError) -> Int {
        let s = try string(node, path: path)
        guard let v = Int(s), range.contains(v) else {
            throw error(node, path, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(s)'")
        }
        return v
    }

    func hours(_ node: Node, path: String) throws(CampaignError) -> Int {
        let s = try string(node, path: path)
        guard let v = ValueParser.hours(s), v > 0 else {
            throw error(node, path, "expected a positive number of hours such as 5 or 2.5, found '\(s)'")
        }
        return v
    }

    func time(_ node: Node, path: String) throws(CampaignError) -> Int {
        // YAML 1.1 reads an unquoted 15:30 as the sexagesimal number 930; the node keeps the source text.
        let s = try string(node, path: path)
        if let t = ValueParser.time(s) { return t }
        throw error(node, path, "expected a time of day such as \"15:30\", found '\(s)'")
    }

    func weekday(_ node: Node, path: String) throws(CampaignError) -> Weekday {
        let s = try string(node, path: path)
        guard let d = Weekday(spelling: s) else {
            throw error(node, path, "expected a weekday (mon … sun, or monday … sunday), found '\(s)'")
        }
        return d
    }

    func date(_ node: Node, path: String) throws(CampaignError) -> CivilDate {
        let s = try string(node, path: path)
        guard let d = ValueParser.date(s) else { throw error(node, path, "expected a date such as 2019-08-02, found '\(s)'") }
        return d
    }

    /// A date (the start of that day: the day something happened) or a full instant.
    func moment(_ node: Node, path: String, zone: CampaignZone) throws(CampaignError) -> Int {
        let s = try string(node, path: path)
        if let d = ValueParser.date(s) { return zone.instant(d, at: 0) }
        if let i = ValueParser.instant(s, in: zone) { return i }
        throw error(node, path, "expected a date such as 2019-07-28 or an instant such as 2019-07-28T10:00:00+08:00, found '\(s)'")
    }

    /// A date (the end of that day) or a full instant.
    func deadline(_ node: Node, path: String, zone: CampaignZone) throws(CampaignError) -> Int {
        let s = try string(node, path: path)
        if let d = ValueParser.date(s) { return zone.instant(d, at: 86_400) - 1 }
        if let i = ValueParser.instant(s, in: zone) { return i }
        throw error(node, path, "expected a date such as 2019-08-02 or an instant such as 2019-08-02T18:00:00+08:00, found '\(s)'")
    }
}
