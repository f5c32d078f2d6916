import Foundation

/// The daily bulletin (简报) as plain values.
public struct DailyReport: Sendable {
    public struct ActivityRow: Sendable {
        public var recordID: String
        public var volunteerID: String
        public var name: String
        public var unit: String
        public var team: String
        public var start: String
        public var end: String
        public var seconds: Int
        public var activity: String
        public var title: String
        public var description: String
        public var category: String
        public var location: String
        public var media: [MediaItem]
        public var source: SourceLine
    }

    /// A photo or video as the report references it.
    public struct MediaItem: Sendable, Equatable {
        public var kind: MediaRef.Kind
        /// Relative to the report (`media/…`), or the URL as written.
        public var href: String
        /// The file to copy beside the report; nil for a URL.
        public var sourcePath: String?
        public var label: String

        /// What the report links to: a copied file's name with the ASCII characters an address
        /// gives meaning to percent-encoded (`media/x y#1.png` → `media/x%20y%231.png`: the `#`
        /// would end the path, and the photo would not load), and the brackets that end a
        /// Markdown link; other characters as they are (a browser sends them in UTF-8); a web
        /// address as it was written.
        public var link: String {
            guard sourcePath != nil else { return href }
            let hex = Array("0123456789ABCDEF".unicodeScalars)
            var out = String.UnicodeScalarView()
            for s in href.unicodeScalars {
                let v = s.value
                let plain = v > 0x7F || (v > 0x20 && v < 0x7F && !" \"#%<>?[\\]^`{|}()".unicodeScalars.contains(s))
                if plain {
                    out.append(s)
                } else {
                    out.append("%")
                    out.append(hex[Int(v >> 4)])
                    out.append(hex[Int(v & 0xF)])
                }
            }
            return String(out)
        }
    }

    public struct Tally: Sendable {
        public var name: String
        public var seconds: Int
        public var sessions: Int
        public var volunteers: Int
        public var hours: String { Hours.format(seconds) }
    }

    public struct UnitReporting: Sendable {
        public var unit: String
        public var status: DeadlineStatus
        public var title: String?
    }

    public var campaignName: String
    public var organizer: String
    public var date: CivilDate
    public var issueNumber: Int?
    public var now: Int
    public var zone: CampaignZone
    public var rules: Rules
    public var activities: [ActivityRow]
    public var teams: [Tally]
    public var units: [Tally]
    public var reporting: [UnitReporting]
    public var findings: [Finding]
    public var rejects: [Reject]
    public var totalSeconds: Int { activities.reduce(0) { $0 + $1.seconds } }
    public var volunteerCount: Int { Set(activities.map(\.volunteerID)).count }
    public var inputFingerprint: String = ""
    /// Every rostered name, so that `--public` masks names in free text too.
    public var knownNames: [String] = []

    /// Builds the bulletin of `date`; missing media files become findings.
    public static func make(campaign: Campaign, ledger: Ledger, week data: WeekData, findings: [Finding],
                            date: CivilDate, now: Int) -> DailyReport {
        var rows: [ActivityRow] = []
        var extraFindings: [Finding] = []
        var usedNames: [String: String] = [:] // report href → source path
        let say = Wording(campaign.output.language)
        let todays = data.sessions.filter { $0.date == date }.sorted { a, b in
            let ra = data.record(of: a), rb = data.record(of: b)
            return (ra.start ?? Int.max, ra.source) < (rb.start ?? Int.max, rb.source)
        }
        for s in todays {
            let v = data.volunteers[s.volunteer].volunteer
            let r = data.record(of: s)
            var media: [MediaItem] = []
            for m in r.media {
                if m.isURL {
                    media.append(MediaItem(kind: m.kind, href: m.href, sourcePath: nil, label: m.href))
                    continue
                }
                guard let path = MediaFiles.resolve(m) else {
                    extraFindings.append(MissingMediaRule.finding(.outside, href: m.href, unit: v.unit, date: date, source: r.source, say: say))
                    continue
                }
                // Only photos and videos are copied, by the file's own name whatever the log calls
                // it (`type="photo"`): a media cell naming the roster or another unit's log beside
                // it would otherwise publish that file, phone numbers and all.
                guard MediaRef.kind(byExtension: path) != nil else {
                    extraFindings.append(MissingMediaRule.finding(.notPhotoOrVideo, href: m.href, unit: v.unit, date: date, source: r.source, say: say))
                    continue
                }
                // A folder, a FIFO or a device named as media is that row's finding, never the bulletin's failure.
                if let problem = MediaFiles.problem(path) {
                    extraFindings.append(MissingMediaRule.finding(problem, href: m.href, unit: v.unit, date: date, source: r.source, say: say))
                    continue
                }
                // One file named twice in a cell (`media/a.png;./media/../media/a.png`) is shown once.
                guard !media.contains(where: { $0.sourcePath == path }) else { continue }
                let href = MediaFiles.reportName(for: path, used: &usedNames, phones: ledger.phones)
                media.append(MediaItem(kind: m.kind, href: href, sourcePath: path, label: (m.href as NSString).lastPathComponent))
            }
            rows.append(ActivityRow(
                recordID: r.recordID ?? "", volunteerID: v.id, name: v.name, unit: v.unit, team: data.team(of: s) ?? "",
                start: r.start.map { TimeOfDay.format($0) } ?? "", end: r.end.map { TimeOfDay.format($0) } ?? "",
                seconds: s.countedSeconds, activity: r.activity ?? r.title ?? "", title: r.title ?? r.activity ?? "",
                description: r.description ?? "", category: r.category ?? "", location: r.location ?? "", media: media, source: r.source))
        }

        func tally(_ key: (ActivityRow) -> String, order: [String]) -> [Tally] {
            var seconds: [String: Int] = [:], sessions: [String: Int] = [:], people: [String: Set<String>] = [:]
            for a in rows {
                let k = key(a)
                seconds[k, default: 0] += a.seconds
                sessions[k, default: 0] += 1
                people[k, default: []].insert(a.volunteerID)
            }
            let extra = seconds.keys.filter { !order.contains($0) }.sorted()
            return (order + extra).filter { seconds[$0] != nil }.map {
                Tally(name: $0, seconds: seconds[$0]!, sessions: sessions[$0]!, volunteers: people[$0]!.count)
            }
        }
        let focusFirst = campaign.teams.filter(\.focus).map(\.name) + campaign.teams.filter { !$0.focus }.map(\.name)

        let context = RuleContext(campaign: campaign, week: data, ledger: ledger, now: now)
        let statuses = DailyBulletinRule.statuses(context)
        let index = context.submissions
        let reporting: [UnitReporting] = campaign.units.compactMap { u in
            guard let st = statuses[u.name]?.first(where: { $0.0 == date })?.1 else { return nil }
            let title = index.daily[u.name]?[date]?.sorted { $0.submittedAt < $1.submittedAt }.first?.title
            return UnitReporting(unit: u.name, status: st, title: title)
        }
        let issue = campaign.startDate.map { $0.days(to: date) + 1 }.flatMap { $0 > 0 ? $0 : nil }
        return DailyReport(
            campaignName: campaign.name, organizer: campaign.organizer, date: date, issueNumber: issue, now: now,
            zone: campaign.zone, rules: campaign.rules, activities: rows,
            teams: tally({ $0.team }, order: focusFirst), units: tally({ $0.unit }, order: campaign.units.map(\.name)),
            reporting: reporting, findings: findings.filter { $0.date == date && $0.rule.scope == .day } + extraFindings,
            rejects: ledger.rejects)
    }
}
