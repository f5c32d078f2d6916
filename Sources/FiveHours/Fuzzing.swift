import Foundation

/// Entry points for the libFuzzer targets (`Sources/FuzzInputs`, built and run by
/// `scripts/fuzz.sh`) and for the regression tests that replay what they found.
///
/// Each takes arbitrary bytes and must neither crash nor break an invariant; a broken invariant
/// is a `precondition` failure, which the fuzzer reports as a crash and saves the input for.
public enum FuzzEntry {
    /// The CSV path in memory: decoding (UTF-8, BOM, GB18030, rejects), the RFC 4180 reader,
    /// the header map and the row parsers of all three kinds.
    public static func csv(_ data: [UInt8]) {
        csvInMemory(data)
    }

    /// The same bytes through the whole importer, from files, as a roster, an activity log and a
    /// submissions file (CSV, or XML when they start with `<`): every row must be accounted for
    /// (read = counted + merged + rejected) and a rejected file leaves exactly one line.
    public static func importer(_ data: [UInt8]) {
        importFiles(data, name: data.first == UInt8(ascii: "<") ? "x.xml" : "x.csv")
    }

    /// The value parsers: dates, times, instants, hours, booleans and lists, byte and `String`
    /// forms alike.
    public static func values(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        let valid = data.withUnsafeBufferPointer { UTF8Check.firstInvalid($0) == nil }
        data.withUnsafeBufferPointer { b in
            let date = ValueParser.date(b)
            if valid { precondition(date == ValueParser.date(text), "date: bytes and String disagree") }
            if let d = date, (1000...9999).contains(d.year) {
                precondition(ValueParser.date(d.description) == d, "date does not round-trip: \(d)")
            }
            let time = ValueParser.time(b)
            if let t = time { precondition((0...86_400).contains(t), "time out of range: \(t)") }
            if valid { precondition(time == ValueParser.time(text), "time: bytes and String disagree") }
            let hours = ValueParser.hours(b)
            if let h = hours { precondition(h >= 0, "negative hours: \(h)") }
            if valid { precondition(hours == ValueParser.hours(text), "hours: bytes and String disagree") }
            let instant = ValueParser.instant(b, in: .shanghai)
            if valid { precondition(instant == ValueParser.instant(text, in: .shanghai), "instant: bytes and String disagree") }
            // The importer reads values through `ValueReader` (each column's recent cells
            // remembered, the zone's offset cached per day): the same values as the parser, the
            // second time from its memory.
            var reader = ValueReader(zone: .shanghai)
            for round in 0..<2 {
                precondition(reader.date(b) == date?.dayNumber, "date: the reader disagrees (round \(round))")
                precondition(reader.time(b) == time, "time: the reader disagrees (round \(round))")
                precondition(reader.hours(b) == hours, "hours: the reader disagrees (round \(round))")
                precondition(reader.instant(b) == instant, "instant: the reader disagrees (round \(round))")
            }
            // Trimming: as a scalar-by-scalar trim of Unicode white space.
            if valid {
                precondition(String(decoding: UnicodeTrim.trim(b), as: UTF8.self) == trimmedByScalars(text), "trim disagrees")
            }
        }
        _ = ValueParser.boolean(text)
        for item in RowParser.split(text) {
            precondition(!item.isEmpty && item == item.trimmingSpaces, "list item not trimmed: \(item.debugDescription)")
        }
    }

    /// Unicode white space and the invisible characters (`UnicodeTrim.invisibleScalars`: which
    /// ones is the rule's list) trimmed scalar by scalar: the reference for `UnicodeTrim` (here
    /// and in its test), independent of its byte code (`String.trimmingSpaces` calls it).
    static func trimmedByScalars(_ s: String) -> String {
        func trimmed(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace || UnicodeTrim.invisibleScalars.contains(c.value) }
        var scalars = Array(s.unicodeScalars)
        while let f = scalars.first, trimmed(f) { scalars.removeFirst() }
        while let l = scalars.last, trimmed(l) { scalars.removeLast() }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The XML reader over hostile bytes: records or a rejection with a line, and never the
    /// content of a file the document points at.
    public static func xml(_ data: [UInt8]) {
        let secret = Self.secretMarker
        let result: Result<[XMLRecord], UnreadableFile> = data.withUnsafeBufferPointer { b in
            do throws(UnreadableFile) { return .success(try XMLReader.records(in: b, name: "fuzz.xml")) } catch { return .failure(error) }
        }
        let mentionsSecret = String(decoding: data, as: UTF8.self).contains(secret)
        switch result {
        case .success(let records):
            for r in records {
                precondition(r.line >= 1, "record without a line")
                if !mentionsSecret {
                    let values = Array(r.attributes.values) + Array(r.context.values) + r.children.map(\.text)
                    precondition(!values.contains { $0.contains(secret) }, "an outside file's content reached a record")
                }
            }
        case .failure(let e):
            precondition(e.line >= 0 && !e.reason.isEmpty, "a rejection without a reason")
            precondition(!e.reason.contains("\n"), "a rejection reason on several lines")
            if !mentionsSecret { precondition(!e.reason.contains(secret), "an outside file's content reached a message") }
        }
    }

    // MARK: - Helpers

    /// A file outside any input, which hostile documents (see the seed corpus) point at.
    public static let secretPath = "/tmp/fivehours-fuzz-secret.txt"
    static let secretMarker: String = {
        let marker = "FIVEHOURS-FUZZ-SECRET-7f3a"
        try? Data((marker + "\n").utf8).write(to: URL(fileURLWithPath: secretPath))
        return marker
    }()

    private struct Row: RowFields {
        let cells: [String]
        let header: HeaderMap
        func text(_ key: String) -> String? {
            guard let i = header.index[key], i < cells.count else { return nil }
            let t = cells[i].trimmingSpaces
            return t.isEmpty ? nil : t
        }
    }

    private static func csvInMemory(_ data: [UInt8]) {
        guard let buffer = try? TextBuffer.decode(copying: data) else { return }
        defer { withExtendedLifetime(buffer) {} }
        for kind in InputKind.allCases {
            var reader = CSVReader(buffer.bytes)
            var fields: [CSVReader.Field] = []
            var header: HeaderMap?
            var lastLine = 0
            let parser = RowParser(zone: .shanghai, folder: "/nonexistent")
            do {
                try reader.skipSeparatorHint()
                while let (line, _) = try reader.next(into: &fields) {
                    precondition(line > lastLine, "lines do not increase: \(line) after \(lastLine)")
                    lastLine = line
                    precondition(!fields.isEmpty, "a record without fields")
                    let cells = fields.map { f -> String in
                        precondition(f.start <= f.end && f.end <= buffer.count, "a field outside the buffer")
                        return reader.string(f)
                    }
                    guard let h = header else {
                        header = try? HeaderMap(cells: cells, kind: kind, line: line)
                        if header == nil { break }
                        continue
                    }
                    let row = Row(cells: cells, header: h)
                    let source = SourceLine(fileIndex: 0, file: "x.csv", line: line)
                    switch kind {
                    case .roster: _ = parser.volunteer(row, source: source)
                    case .activity:
                        if case .success(let a) = parser.activity(row, source: source) {
                            precondition(a.seconds > 0 && a.seconds <= 86_400, "an accepted session of \(a.seconds) s")
                        }
                    case .submission: _ = parser.submission(row, source: source)
                    }
                }
            } catch {
                // An unreadable file: rejected whole, which is a correct outcome.
            }
        }
    }

    /// A campaign in a private temporary folder whose three input folders each hold one file.
    private static let campaignFolder: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-fuzz-\(getpid())").path
        let fm = FileManager.default
        for sub in ["r", "a", "s"] { try? fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true) }
        let yaml = """
        campaign:
          name: fuzz
          timezone: Asia/Shanghai
        units:
          - { name: 甲科, kind: department }
        inputs:
          rosters: [r]
          activities: [a]
          submissions: [s]
        """
        try? Data(yaml.utf8).write(to: URL(fileURLWithPath: dir + "/c.yaml"))
        return dir
    }()

    private static let fuzzCampaign: Campaign? = try? CampaignLoader.load(path: campaignFolder + "/c.yaml")

    private static func importFiles(_ data: [UInt8], name: String) {
        let dir = campaignFolder
        let fm = FileManager.default
        for sub in ["r", "a", "s"] {
            for old in ["x.csv", "x.xml"] where old != name { try? fm.removeItem(atPath: "\(dir)/\(sub)/\(old)") }
            try? Data(data).write(to: URL(fileURLWithPath: "\(dir)/\(sub)/\(name)"))
        }
        guard let campaign = fuzzCampaign else { preconditionFailure("the fuzz campaign does not load") }
        let week = CivilDate(year: 2019, month: 8, day: 3)!...CivilDate(year: 2019, month: 8, day: 9)!
        guard let imported = try? Importer(campaign: campaign, window: week).run() else {
            preconditionFailure("the importer stopped the run on a readable file")
        }
        let ledger = Ledger(imported)
        precondition(ledger.files.count == 3, "a file went missing")
        for f in ledger.files {
            precondition(f.read >= 0 && f.merged >= 0 && f.rejected >= 0 && f.counted >= 0, "negative counts for \(f.path)")
            if f.fileRejected != nil {
                precondition(f.read == 0, "a rejected file kept rows")
                precondition(ledger.rejects.filter { $0.wholeFile && $0.source.file == f.path }.count == 1, "a rejected file without exactly one reject line")
            }
        }
        let rowRejects = ledger.rejects.filter { !$0.wholeFile }.count
        precondition(rowRejects == ledger.files.reduce(0) { $0 + $1.rejected }, "rejects.csv and the counts disagree")
        // Differential: read in many tiny parts with deferred checks and the accelerated readers
        // (rows from their bytes, the XML shortcut), and in one piece through the reference, the same input must give
        // the same ledger.
        var tiny = Importer.Sizes(parallel: 64, deferred: 64, part: 96)
        tiny.accelerated = true
        var plain = Importer.Sizes(parallel: .max, deferred: .max, part: .max)
        plain.accelerated = false
        guard let a = try? Importer(campaign: campaign, window: week, sizes: tiny).run(),
              let b = try? Importer(campaign: campaign, window: week, sizes: plain).run() else {
            preconditionFailure("the importer stopped the run on a readable file")
        }
        let fa = fingerprint(Ledger(a)), fb = fingerprint(Ledger(b))
        precondition(fa == fb, "read in parts / in one piece differ:\n\(fa.joined(separator: "\n"))\n---\n\(fb.joined(separator: "\n"))")
        // A run that keeps no session text (a week's, a month's) settles the same duplicates and
        // rejects the same rows: only its records' words differ.
        var lean = Importer(campaign: campaign, window: week, sizes: tiny)
        lean.keepsText = false
        guard let c = try? lean.run() else { preconditionFailure("the importer stopped the run on a readable file") }
        let fl = fingerprint(Ledger(c), contents: false), fw = fingerprint(Ledger(a), contents: false)
        precondition(fl == fw, "with and without session text differ:\n\(fl.joined(separator: "\n"))\n---\n\(fw.joined(separator: "\n"))")
    }

    /// What a ledger holds, as comparable lines. A rejected row is compared as every output
    /// writes it: scrubbed with all the rosters' phone numbers (a part that read the row before
    /// another part's roster row knew fewer of them).
    /// - Parameter contents: whether the records' content hashes count (they hash the session's
    ///   text, which a run that does not show it leaves out).
    private static func fingerprint(_ l: Ledger, contents: Bool = true) -> [String] {
        l.files.map { "\($0.path) \($0.format) \($0.sha256) \($0.read) \($0.merged) \($0.rejected) \($0.fileRejected ?? "")" }
            + l.volunteers.map { "\($0.fieldsDescription)" } + [l.phones.sorted().joined(separator: " ")]
            + l.rejects.map { "\($0.source) \($0.reason) \(PhoneScrubber.scrub($0.record, known: l.phones))" }
            + l.activities.map { "\($0.source) \($0.identityKey)" + (contents ? " \($0.contentKey)" : "") }
            + l.findings.map { "\($0.rule) \($0.source.map(\.description) ?? "") \($0.detail)" }
    }
}
