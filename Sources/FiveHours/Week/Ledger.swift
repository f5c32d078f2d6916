import Dispatch

/// The import after duplicates are settled: every row is now counted, merged or rejected.
///
/// Duplicates are settled over all rows, whatever their week, so that `manifest.json` adds up
/// the same way whichever week is reported: per file, read = counted + merged + rejected.
public struct Ledger: Sendable {
    public var volunteers: [Volunteer]
    /// Per volunteer id, the index into `volunteers`.
    public var index: [String: Int]
    public var activities: [ActivityRecord]
    public var submissions: [Submission]
    /// Each reason and record scrubbed of phone numbers, every roster's included: the reports'
    /// tables write them as they are.
    public var rejects: [Reject]
    public var files: [InputFileReport]
    /// Workbooks and text exports beside the inputs, not read (`ImportResult.skipped`).
    public var skipped: [String]
    public var phones: Set<String>
    /// Findings about duplicates, dated by the record they concern.
    public var findings: [Finding]
    /// When each roster row that counts — kept, or merged as the same volunteer handed in again —
    /// says its roster was handed in (`submitted_at`), and where: the roster deadline's copies
    /// (`DeadlineIndex`), the earliest deciding. A row rejected for conflicting content is no copy.
    public var rosterCopies: [RosterCopy]

    public struct RosterCopy: Sendable {
        public var unit: String
        public var at: Int
        public var source: SourceLine
    }

    /// Settles roster duplicates: a volunteer id given twice with identical content counts once;
    /// with different content the first in input order is kept and the other rejected. (Activity
    /// rows were settled by the importer, which sees every row; see `Duplicates`.)
    /// - Parameter language: the language of the findings' details (`output.language`).
    public init(_ input: consuming ImportResult, language: Language = .zhCN) {
        let say = Wording(language)
        var rejects = input.rejects
        var files = input.files
        var findings: [Finding] = input.findings

        var volunteers: [Volunteer] = []
        var rosterCopies: [RosterCopy] = []
        var byID: [String: Int] = [:]
        byID.reserveCapacity(input.volunteers.count)
        volunteers.reserveCapacity(input.volunteers.count)
        let roster = input.volunteers
        input.volunteers = []
        for (k, v) in roster.enumerated() {
            if let first = byID[v.id] {
                let kept = volunteers[first]
                if v.sameContent(as: kept) {
                    files[v.source.fileIndex].merged += 1
                    findings.append(Finding(.duplicate, severity: .info, unit: v.unit, subject: "\(v.id) \(v.name)",
                                            detail: say("花名册重复登记，已与 \(kept.source) 合并计一次", "listed twice on the rosters; merged with \(kept.source)"),
                                            source: v.source))
                } else {
                    files[v.source.fileIndex].rejected += 1
                    // Which columns differ, as the header names them (`姓名(name)`).
                    let keys = v.differences(from: kept)
                    let differ = keys.map { key in (InputKind.roster.columns.first { $0.key == key }?.aliases.first).map { "\($0)(\(key))" } ?? key }
                    rejects.append(Reject(source: v.source,
                                          reason: say("志愿者编号(volunteer_id) \(v.id) 已在 \(kept.source) 登记（\(kept.name)，\(kept.unit)），内容不同（\(differ.joined(separator: "、"))）；编号在所有花名册中须唯一",
                                                      "volunteer_id \(v.id) is already listed at \(kept.source) (\(kept.name), \(kept.unit)) with other content (\(keys.joined(separator: ", "))); an id must be unique across all rosters"),
                                          record: input.rosterRecords[k] ?? ""))
                    continue
                }
                if let t = v.submittedAt { rosterCopies.append(RosterCopy(unit: v.unit, at: t, source: v.source)) }
                continue
            }
            byID[v.id] = volunteers.count
            volunteers.append(v)
            if let t = v.submittedAt { rosterCopies.append(RosterCopy(unit: v.unit, at: t, source: v.source)) }
        }

        // Phone numbers never reach an output (§5): names, places and texts sometimes carry one,
        // so every free-text field is scrubbed once, here, with every roster's numbers known.
        let phones = input.phones
        // A text whose stretches of digits are all shorter than any number to mask is left
        // untouched without being tokenised (`PhoneScrubber.minimumDigits`).
        let minimum = PhoneScrubber.minimumDigits(known: phones)
        func cleaned(_ s: String?) -> String? { Ledger.cleaned(s, phones, minimum: minimum) }
        for i in volunteers.indices {
            if let c = cleaned(volunteers[i].name) { volunteers[i].name = c }
            if let c = cleaned(volunteers[i].role) { volunteers[i].role = c }
            if let c = cleaned(volunteers[i].grid) { volunteers[i].grid = c }
            if let c = cleaned(volunteers[i].building) { volunteers[i].building = c }
            if let c = cleaned(volunteers[i].floor) { volunteers[i].floor = c }
        }
        var activities = input.activities
        input.activities = [] // the records are now this ledger's alone: scrubbing one copies nothing
        let keepsText = input.keepsText
        // On both cores (a year holds millions of records).
        activities.changeEach(parallelFrom: 65_536) { a in
            guard a.hasText else { return }
            // Text the run does not show (read by the general reader or from XML, after the
            // duplicate check quoted it where needed) is dropped, not scrubbed.
            guard keepsText else { a = a.keepingText(false); return }
            if let c = Ledger.cleaned(a.activity, phones, minimum: minimum) { a.activity = c }
            if let c = Ledger.cleaned(a.category, phones, minimum: minimum) { a.category = c }
            if let c = Ledger.cleaned(a.location, phones, minimum: minimum) { a.location = c }
            if let c = Ledger.cleaned(a.title, phones, minimum: minimum) { a.title = c }
            if let c = Ledger.cleaned(a.description, phones, minimum: minimum) { a.description = c }
        }
        var submissions = input.submissions
        for i in submissions.indices {
            if let c = cleaned(submissions[i].title) { submissions[i].title = c }
            if let c = cleaned(submissions[i].summary) { submissions[i].summary = c }
            if let c = cleaned(submissions[i].plan) { submissions[i].plan = c }
        }

        self.volunteers = volunteers
        self.rosterCopies = rosterCopies
        self.index = byID
        self.activities = activities
        self.submissions = submissions
        // A rejected row's record and reason were scrubbed of what looks like a phone number as
        // they were made; a roster's own numbers (7 digits and up, any shape) are known only now
        // that every roster is read — and only now do a file read in parts and read whole know
        // the same numbers.
        // On both cores: a log with a fifth of its rows rejected has hundreds of thousands, each
        // row with its date and time (a stretch of ten digits and more, tokenised).
        rejects.changeEach(parallelFrom: 4_096) { r in
            if let c = Ledger.cleaned(r.record, phones, minimum: minimum) { r.record = c }
            if let c = Ledger.cleaned(r.reason, phones, minimum: minimum) { r.reason = c }
        }
        self.rejects = rejects
        self.files = files
        self.skipped = input.skipped
        self.phones = input.phones
        self.findings = findings
    }

    /// The text scrubbed, or nil when it holds no phone number (then nothing is written, and
    /// no shared record is copied).
    static func cleaned(_ s: String?, _ phones: Set<String>, minimum: Int) -> String? {
        guard let s else { return nil }
        let c = Ledger.scrub(s, known: phones, minimum: minimum)
        return c == s ? nil : c
    }

    /// `PhoneScrubber.scrub`, skipped without a copy for text with fewer than `minimum` digits
    /// in a stretch (ASCII or full-width: `PhoneScrubber.mayHoldPhone`, over the string's bytes
    /// in place).
    static func scrub(_ s: String, known: Set<String>, minimum: Int) -> String {
        let may = s.utf8.withContiguousStorageIfAvailable { PhoneScrubber.mayHoldPhone($0, minimum: minimum) } ?? true
        return may ? PhoneScrubber.scrub(s, known: known, minimum: minimum) : s
    }

    /// A readable rendering of a parsed activity, for `rejects.csv`.
    static func describe(_ a: ActivityRecord) -> String {
        var cells = [a.recordID ?? "", a.volunteerID, a.date.description]
        cells.append(a.start.map { TimeOfDay.format($0) } ?? "")
        cells.append(a.end.map { TimeOfDay.format($0) } ?? "")
        cells.append(a.hours.map(Hours.format) ?? "")
        cells.append(a.team ?? "")
        cells.append(a.activity ?? a.title ?? "")
        cells.append(a.location ?? "")
        return cells.map { c in c.contains(",") || c.contains("\"") ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c }
            .joined(separator: ",")
    }
}
