import CFastBytes
import Foundation

/// Everything read from the inputs: the import stage's output and the ledger's input. Every
/// activity row of the inputs is here as a record (dated in the period's window), as a merged
/// duplicate (counted in its file's `merged`), or as a reject.
public struct ImportResult: Sendable {
    public var volunteers: [Volunteer]
    public var activities: [ActivityRecord]
    public var submissions: [Submission]
    public var rejects: [Reject]
    /// Each input file with its encoding, hash and row counts, in input order.
    public var files: [InputFileReport]
    /// Workbooks and text exports found beside the inputs, not read (`InputFiles.Entry.skipped`),
    /// as their paths are shown.
    public var skipped: [String]
    /// Phone numbers seen on rosters (digits only), so that no output ever shows one.
    public var phones: Set<String>
    /// Findings made while settling duplicate activity rows, dated by their row.
    public var findings: [Finding]
    /// The records, as `rejects.csv` shows them, of the roster rows whose volunteer_id repeats
    /// an earlier row's, by position in `volunteers`: those the ledger rejects (`Importer.quoteAgain`).
    var rosterRecords: [Int: String]
    /// Files whose SHA-256 is still being computed (their `sha256` is empty until then): see
    /// `Importer.run(waitingForDigests:)`.
    var pendingDigests: [(fileIndex: Int, task: DigestTask)]
    /// Whether the records keep their words and media (`Importer.keepsText`); when false the
    /// ledger drops what the reader had to read anyway (a row it read in general, an XML one).
    public var keepsText = true

    init(_ parts: consuming ImportParts) {
        volunteers = parts.volunteers
        activities = parts.activities
        submissions = parts.submissions
        rejects = parts.rejects
        files = parts.files
        skipped = parts.skipped
        phones = parts.phones
        findings = parts.findings
        rosterRecords = parts.rosterRecords
        pendingDigests = parts.pendingDigests
    }
}

/// What the reader of the inputs keeps while it reads: the records and rejects so far, and the
/// bookkeeping of the duplicate check (every activity row's place and identity, by part) that
/// `Duplicates.settle` consumes. Internal to the import: the next stage gets an `ImportResult`.
struct ImportParts: Sendable {
    var volunteers: [Volunteer] = []
    var activities: [ActivityRecord] = []
    var submissions: [Submission] = []
    var rejects: [Reject] = []
    var files: [InputFileReport] = []
    /// See `ImportResult.skipped`.
    var skipped: [String] = []
    /// Phone numbers seen on rosters (digits only), so that no output ever shows one.
    var phones: Set<String> = []
    /// Findings made while settling duplicate activity rows, dated by their row.
    var findings: [Finding] = []
    /// See `ImportResult.rosterRecords`.
    var rosterRecords: [Int: String] = [:]
    /// Rejected activity rows whose record `Duplicates.settle` could not quote (an XML file's
    /// bytes are not kept, nor a small CSV file's): by index in `rejects`, with the row, its
    /// content hash and its record when the period kept one (what the reject shows, its fields
    /// described, if the row cannot be read again), for `Importer.quoteAgain`.
    var unquoted: [Unquoted] = []
    typealias Unquoted = (reject: Int, row: ScannedRow, content: UInt64, keptAt: SourceLine, record: ActivityRecord?)
    /// Every readable activity row of a part (a file or a part of one), hashed, in input order:
    /// here for an XML file, in `scannedRows` for a CSV file's part (then `scanned` is empty).
    var scanned: [ScannedRow] = []
    /// The rows of a part read by the CSV activity loop, in its memory, and what their lines
    /// are moved by (`shiftLines`).
    var scannedRows: ScannedRows?
    var scannedLineShift: Int32 = 0
    /// The parts' rows, kept as they were read (not copied into one array), and the index of
    /// each part's first record in `activities`: for the duplicate check.
    var scannedParts: [ScannedPart] = []
    /// The identity hashes of the part's rows (`scanned` or `scannedRows`), and the same per part
    /// once appended, grouped.
    var identities = IdentityGroups()
    var identityParts: [IdentityGroups] = []
    /// Content hashes (first lane) of the rows of `scanned` that have neither a record nor plain
    /// bytes to compute it from again, by position; and the same per part once appended.
    var storedContent = StoredContent()
    var storedContents: [StoredContent] = []
    var partRecordBase: [Int] = []
    /// The buffers of activity files, kept until duplicates are settled (to quote a rejected one).
    var buffers: [Int: TextBuffer] = [:]
    /// How each activity CSV file's rows were read, to compute a pending content hash.
    var scanners: [Int: ActivityScanner] = [:]
    /// Activity and roster rows read from their bytes (tests: that the paths compared with the
    /// reference reader are taken).
    var plainRowsRead = 0
    /// How many parts each CSV file was read in, and whether its checks were deferred (tests).
    var readInParts: [Int: (parts: Int, deferred: Bool)] = [:]
    /// Files whose SHA-256 is still being computed (their `sha256` is empty until then): see
    /// `Importer.run(waitingForDigests:)`.
    var pendingDigests: [(fileIndex: Int, task: DigestTask)] = []
    init() {}

    /// Appends a part read separately (a file, or a part of one), re-basing its record indexes.
    mutating func append(_ part: ImportParts) {
        appendAll(but: part, recordBase: activities.count)
        // The first part's lists are taken over whole, not copied element by element.
        if activities.isEmpty { activities = part.activities } else { activities += part.activities }
    }

    /// Appends the parts of one file in order (each slot filled), their records joined on every
    /// core, each part let go by the core that copied it: a year's parts hold millions of
    /// records, and a record costs a cache miss on its box when it is copied (to count the
    /// reference) and another when its part lets it go.
    ///
    /// After another file's records, the parts are appended one by one (`append(_:)`): joining
    /// would copy the earlier records again for every file.
    mutating func append(parts: ConcurrentSlots<ImportParts>) {
        guard activities.isEmpty else {
            for k in 0..<parts.count { append(parts.take(k)!) }
            return
        }
        var base = 0
        var starts: [Int] = []
        for k in 0..<parts.count {
            let count = parts.peek(k) { part in
                appendAll(but: part!, recordBase: base)
                return part!.activities.count
            }
            starts.append(base)
            base += count
        }
        let first = starts
        activities = [ActivityRecord](unsafeUninitializedCapacity: base) { buffer, initialized in
            let out = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: parts.count) { k in
                parts.take(k)!.activities.withUnsafeBufferPointer { (out.value.baseAddress! + first[k]).initialize(from: $0.baseAddress!, count: $0.count) }
            }
            initialized = base
        }
    }

    /// Everything of `part` but its records, which begin at `recordBase` of `activities`.
    private mutating func appendAll(but part: ImportParts, recordBase: Int) {
        // A CSV part's rows with their line shift; an XML file's, whose lines were moved in
        // place, copied once.
        let rows = part.scannedRows.map { ScannedPart(rows: $0, lineShift: part.scannedLineShift) }
            ?? (part.scanned.isEmpty ? nil : ScannedPart(rows: ScannedRows(copying: part.scanned), lineShift: 0))
        if let rows {
            partRecordBase.append(recordBase)
            scannedParts.append(rows)
            var groups = part.identities
            groups.group()
            identityParts.append(groups)
            storedContents.append(part.storedContent)
        }
        if volunteers.isEmpty { volunteers = part.volunteers } else { volunteers += part.volunteers }
        submissions += part.submissions
        rejects += part.rejects
        // Room made first: a set that grows while it takes another's elements rehashes them all
        // at every doubling (100,000 numbers from two roster parts: a tenth of the roster's time).
        if phones.isEmpty {
            phones = part.phones
        } else if !part.phones.isEmpty {
            phones.reserveCapacity(phones.count + part.phones.count)
            phones.formUnion(part.phones)
        }
        findings += part.findings
        plainRowsRead += part.plainRowsRead
    }

    /// Keeps an activity row for the duplicate check: where it is, and its identity.
    @inline(__always)
    mutating func scan(_ identity: RowKey, _ row: ScannedRow) {
        identities.append(identity, position: scanned.count)
        scanned.append(row)
    }

    /// Waits for the digests still being computed and fills them in.
    mutating func awaitDigests() throws {
        try DigestTask.fill(&files, from: pendingDigests)
        pendingDigests = []
    }

    /// Moves every line number of a part read from the middle of a file.
    mutating func shiftLines(by n: Int) {
        guard n != 0 else { return }
        for i in activities.indices { activities[i].source.line += n }
        for i in volunteers.indices { volunteers[i].source.line += n }
        for i in submissions.indices { submissions[i].source.line += n }
        for i in scanned.indices { scanned[i].line += Int32(n) }
        scannedLineShift += Int32(n)
        for i in rejects.indices { rejects[i].source.line += n }
    }
}

/// Content hashes kept at import for rows that cannot be read again, by their position in
/// their part: appended in order (positions only grow), looked up by binary search on the rare
/// repeat. Two plain arrays: an XML file keeps one for nearly every row.
struct StoredContent: Sendable {
    private var positions: [Int32] = []
    private var values: [UInt64] = []

    mutating func append(_ value: UInt64, at position: Int) {
        positions.append(Int32(truncatingIfNeeded: position))
        values.append(value)
    }

    subscript(position: Int) -> UInt64? {
        var lo = 0, hi = positions.count
        let p = Int32(truncatingIfNeeded: position)
        while lo < hi {
            let mid = (lo + hi) / 2
            if positions[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        return lo < positions.count && positions[lo] == p ? values[lo] : nil
    }
}

/// The import stage: input paths in, records and rejects out.
///
/// Folders are read recursively; `.csv` and `.xml` files are taken in the byte order of their
/// UTF-8 paths, across all folders of one kind (the contract's "input order"). A row that cannot
/// be read is a `Reject`; a file that cannot be parsed at all is one `Reject` for the whole file;
/// a path that does not exist stops the run with `InputOpenError`.
public struct Importer: Sendable {
    /// The longest row read, in bytes (16 MB); a longer one is rejected (`RowJob.readRow`).
    static let longestRow = 16 << 20

    public let campaign: Campaign
    /// The folder that display paths are relative to (the campaign file's).
    let root: String
    /// Activity rows dated in this window become records; the others are validated, hashed for
    /// the duplicate check and counted. nil: every row becomes a record.
    let window: ClosedRange<Int>?
    /// Whether the records of the window keep their words and media (`SessionText`): only a
    /// report that shows them needs them (`Period.showsSessionText`). Without, a plain CSV row's
    /// text cells are not read into strings at all, and a year's records are a third smaller.
    public var keepsText = true

    /// Whether a large GB18030 activity file is read on its own bytes, each row decoded only when
    /// it must be (`RowJob.readActivities`), rather than decoded part by part: when the window is
    /// at most nine weeks (a day's, a week's or a month's run), so that most rows of a log that
    /// spans longer lie outside it and are never decoded. A longer window makes most rows
    /// records, which are read from decoded text in any case: a part is then decoded whole.
    var readsGB18030InPlace: Bool { window.map { $0.count <= 63 } ?? false }

    /// When a file is read in parts, and how large they are.
    struct Sizes: Sendable {
        /// Files smaller than this are read in one piece.
        var parallel = 4 << 20
        /// Files at least this large are mapped without a first pass (`TextBuffer.loadDeferred`).
        var deferred = 16 << 20
        /// Whether the accelerated readers run: rows split and read from their bytes
        /// (`RowJob.readRoster`, `ActivityScanner` through a `ValueReader`) and XML activities
        /// outside the window checked from theirs (`XMLActivityShortcut`). Off, every row goes
        /// through the reference — the general reader and `RowParser` — which they must equal:
        /// the one switch that tests and the import fuzz target turn to compare the two.
        var accelerated = true
        /// About this much of a large file goes to each part (at least two, at most 256): small enough that the parts in flight keep little of the file resident.
        var part = 8 << 20
        /// The parts of a GB18030 file are a quarter as large (of its bytes: about a third of a
        /// UTF-8 part's text), so that a part's decoded text, written into its core's buffer,
        /// is still in that core's cache when its rows are read. On the benchmark's year (205
        /// parts against 102 at half the size, 7 alternated runs): the parts' lap 0.601 s
        /// against 0.614 s, the peak 250.9 MB against 252.1 MB.
        var decodedPart: Int { max(1, part / 4) }
    }
    let sizes: Sizes
    /// The run's output folder (`--out`, else `output.dir`): never read as input (`InputFiles`).
    public var outputFolder: String?
    /// Hashes of large files started before any file is read (see `run`).
    let earlyDigests = EarlyDigests()

    /// - Parameter window: the days (as `CivilDate.dayNumber`) whose sessions the run reports.
    public init(campaign: Campaign, window: ClosedRange<CivilDate>? = nil) {
        self.init(campaign: campaign, window: window, sizes: Sizes())
    }

    init(campaign: Campaign, window: ClosedRange<CivilDate>?, sizes: Sizes) {
        self.sizes = sizes
        self.campaign = campaign
        self.root = URL(fileURLWithPath: campaign.path).deletingLastPathComponent().path
        self.window = window.map { $0.lowerBound.dayNumber...$0.upperBound.dayNumber }
        self.outputFolder = campaign.output.dir
    }

    /// - Parameter waitingForDigests: false to return while large files are still being hashed
    ///   on another core (their `sha256` empty, `pendingDigests` naming them): the stages after
    ///   the import, several of them on one core, then run beside the hash. The manifest waits.
    public func run(waitingForDigests: Bool = true) throws -> ImportResult {
        var result = ImportResult(try read(waitingForDigests: waitingForDigests))
        result.keepsText = keepsText
        return result
    }

    /// `run`, with the reader's own bookkeeping (tests: how each file was read).
    func read(waitingForDigests: Bool = true) throws -> ImportParts {
        var result = ImportParts()
        var clock = Stopwatch()
        // Which files are read, and which are refused unopened (`InputFiles`).
        let listed = try InputFiles.lists(of: campaign, outputFolder: outputFolder)
        let lists = listed.map { ($0.kind, $0.entries.filter { $0.refusal == nil && !$0.skipped }.map(\.path)) }
        // The hash of a large file needs a core for as long as a third of the import. Started
        // now, it also takes the moments a core is idle while the rosters are read and merged;
        // a file's reader takes its task over, and a task no reader took is stopped.
        for (_, files) in lists {
            for file in files { earlyDigests.start(file, minimumSize: sizes.deferred) }
        }
        defer { earlyDigests.cancelRest() }
        for (kind, entries) in listed {
            for entry in entries {
                if entry.skipped { result.skipped.append(displayPath(entry.path)); continue }
                if let why = entry.refusal { refuse(entry.path, kind: kind, reason: why, into: &result); continue }
                try read(entry.path, kind: kind, into: &result)
            }
            clock.lap("  read \(kind.rawValue) files")
        }
        // The hashes still running share the cores from now on (`DigestTask.hurry`).
        for (_, task) in result.pendingDigests { task.hurry() }
        Duplicates.settle(&result, zone: campaign.zone, keepsText: keepsText, language: campaign.output.language)
        clock.lap("  duplicates")
        quoteAgain(&result)
        clock.lap("  records of repeated rows")
        if waitingForDigests {
            try result.awaitDigests()
            clock.lap("  hashes")
        }
        return result
    }

    func displayPath(_ path: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    func read(_ path: String, kind: InputKind, into result: inout ImportParts) throws {
        let display = displayPath(path)
        let isXML = path.lowercased().hasSuffix(".xml")
        var clock = Stopwatch()
        defer { clock.lap("    \(display)") }
        // A large CSV file is mapped without a pass over it first: its hash and its UTF-8 check
        // are made while its rows are read. Anything unusual (GB18030, a broken quote, a bad
        // byte) and it is read again the ordinary way, which says exactly what is wrong.
        if !isXML, let buffer = try TextBuffer.loadDeferred(path: path, minimumSize: sizes.deferred) {
            if try read(buffer, path: path, display: display, kind: kind, into: &result) { return }
            // A file cut short while its parts were read is not read again: it is rejected.
            if buffer.wasCut {
                let report = InputFileReport(path: display, absolutePath: path, kind: kind, format: "?", sha256: "", byteCount: buffer.byteCount)
                reject(file: report, index: result.files.count, .cutShort, into: &result)
                return
            }
            clock.lap("    \(display) is read again: not plain UTF-8 throughout, or a part did not end at a row's end")
        }
        // Read the ordinary way, which hashes the bytes it loads: a hash started early for this
        // file (one that `loadDeferred` turned down, GB18030 say) would be work thrown away.
        earlyDigests.take(path)?.cancel()
        let buffer: TextBuffer
        do {
            buffer = try isXML ? TextBuffer.mapRaw(path: path) : TextBuffer.load(path: path)
        } catch let e as UnreadableFile {
            // The bytes are there but are not text we read: the manifest still records their hash,
            // made as they were read or, else, streamed from the file (never read whole).
            let (fd, size) = try TextBuffer.openForReading(path)
            defer { close(fd) }
            let sha = try e.sha256 ?? TextBuffer.hash(fd: fd, path: path, cancelled: { false })
            let report = InputFileReport(path: display, absolutePath: path, kind: kind, format: isXML ? "XML" : "?",
                                         sha256: sha, byteCount: size)
            reject(file: report, index: result.files.count, e, into: &result)
            return
        }
        clock.lap("    load \(display)")
        _ = try read(buffer, path: path, display: display, kind: kind, into: &result)
    }

    /// Reads a loaded file into `result`.
    /// - Returns: false, with nothing added to `result`, when a deferred buffer turns out not to
    ///   be plain UTF-8 or cannot be read in parts: the caller reads the file again the ordinary way.
    /// Reads an activity file already loaded (tests: a buffer whose file changes after loading).
    func readLoaded(_ buffer: TextBuffer, path: String, into result: inout ImportParts) throws -> Bool {
        try read(buffer, path: path, display: displayPath(path), kind: .activity, into: &result)
    }

    private func read(_ buffer: TextBuffer, path: String, display: String, kind: InputKind, into result: inout ImportParts) throws -> Bool {
        let fileIndex = result.files.count
        let isXML = path.lowercased().hasSuffix(".xml")
        var report = InputFileReport(path: display, absolutePath: path, kind: kind, format: isXML ? "XML" : buffer.encoding.rawValue,
                                     sha256: buffer.sha256, byteCount: buffer.byteCount)
        let parser = RowParser(zone: campaign.zone, file: path)
        let before = result.rejects.count
        do {
            if isXML {
                // Read into a part of its own, appended whole only when the file was read to the end.
                var part = ImportParts()
                part.phones = result.phones
                // libxml2 parses on one core while the records are read on the other
                // (`XMLReader.forEachRecord`); a mapped file is hashed when a core is idle, until
                // the manifest needs it (`ImportParts.pendingDigests`).
                let digest = try buffer.deferredPath.map { try earlyDigests.take($0) ?? DigestTask(path: $0) }
                var failure: UnreadableFile?
                do {
                    try readXML(buffer, kind: kind, display: display, fileIndex: fileIndex, parser: parser, report: &report, into: &part)
                } catch let e as UnreadableFile {
                    failure = e
                }
                if let digest { result.pendingDigests.append((fileIndex, digest)) }
                report.sha256 = buffer.sha256
                if let failure { throw failure }
                result.append(part)
            } else if buffer.deferredPath != nil {
                do {
                    guard try readCSV(buffer, kind: kind, display: display, fileIndex: fileIndex, parser: parser, report: &report, into: &result)
                    else { return false }
                } catch is UnreadableFile {
                    return false
                }
                report.sha256 = buffer.sha256
            } else {
                _ = try readCSV(buffer, kind: kind, display: display, fileIndex: fileIndex, parser: parser, report: &report, into: &result)
            }
            if buffer.wasCut { throw UnreadableFile.cutShort }
        } catch let e as UnreadableFile {
            // Nothing of a file that fails part-way is kept: drop what it already gave.
            result.rejects.removeSubrange(before...)
            switch kind {
            case .roster: result.volunteers.removeAll { $0.source.fileIndex == fileIndex }
            case .activity:
                result.activities.removeAll { $0.source.fileIndex == fileIndex }
                result.buffers[fileIndex] = nil
                result.scanners[fileIndex] = nil
            case .submission: result.submissions.removeAll { $0.source.fileIndex == fileIndex }
            }
            report.read = 0
            report.rejected = 0
            report.unknownColumns = []
            reject(file: report, index: fileIndex, e, into: &result)
            return true
        }
        result.files.append(report)
        return true
    }

    /// A whole file rejected: its report with the reason, and its one line in rejects.csv — the
    /// one wording of every whole-file reject (a reader's `UnreadableFile`, a file refused unopened).
    func reject(file report: InputFileReport, index: Int, _ e: UnreadableFile, into result: inout ImportParts) {
        var r = report
        let col = e.column.map { ":\($0)" } ?? ""
        r.fileRejected = e.reason(in: campaign.output.language)
        result.files.append(r)
        result.rejects.append(Reject(source: SourceLine(fileIndex: index, file: "\(report.path)", line: e.line),
                                     reason: Wording(campaign.output.language)(
                                         "整个文件未读入\(col.isEmpty ? "" : "（第 \(col.dropFirst()) 列）")：\(e.chinese)",
                                         "whole file rejected\(col.isEmpty ? "" : " (column \(col.dropFirst()))"): \(e.reason)"),
                                     record: "", wholeFile: true))
    }

    // MARK: CSV

    struct CSVRow: RowFields {
        let reader: CSVReader
        let fields: [CSVReader.Field]
        let lookup: ColumnLookup
        func text(_ key: String) -> String? {
            guard let i = lookup.index(key), i < fields.count else { return nil }
            return reader.withBytes(fields[i]) { raw in
                let t = UnicodeTrim.trim(raw)
                return t.count == 0 ? nil : String(decoding: t, as: UTF8.self)
            }
        }
    }

    /// A plain row's cells by column key, for the parser (the rows of a roster; in debug builds,
    /// the activity rows of the reported window, to check their records), with the part's cache
    /// of repeated names when it has one.
    fileprivate struct PlainRowFields: RowFields {
        let row: PlainRow
        let lookup: ColumnLookup
        var names: NameCache? = nil
        func text(_ key: String) -> String? {
            guard let i = lookup.index(key) else { return nil }
            let t = UnicodeTrim.trim(row.cell(i))
            guard t.count > 0 else { return nil }
            return names?.string(t) ?? String(decoding: t, as: UTF8.self)
        }
        /// The items made from the cell's bytes, the list and each item through the cache (a
        /// roster's teams: a few dozen lists for a hundred thousand volunteers). A CSV buffer is
        /// valid UTF-8 (checked, or decoded, when it is read), so splitting its bytes gives the
        /// items that splitting the cell's text gives.
        func list(_ key: String) -> [String]? {
            guard let i = lookup.index(key) else { return nil }
            let t = UnicodeTrim.trim(row.cell(i))
            guard t.count > 0 else { return nil }
            guard let names else { return RowParser.split(t) { String(decoding: $0, as: UTF8.self) } }
            return names.list(t) { RowParser.split(t, names.string) }
        }
    }

    /// Column indexes by key, searched in a short list: cheaper than hashing the key of every
    /// cell of every row into the header's dictionary. The parser asks for a dozen keys a row.
    struct ColumnLookup: Sendable {
        /// A key as its length and its first and last eight bytes (`headAndTail`): equal words
        /// mean equal keys up to 16 bytes, which every column key of the contract is; a longer
        /// key's bytes are compared too.
        struct Entry: Sendable {
            var length: Int
            var head: UInt64, tail: UInt64
            var index: Int
            var bytes: [UInt8]
        }
        let entries: [Entry]

        init(_ header: HeaderMap) {
            entries = header.index.map { name, index in
                var name = name
                let (head, tail) = name.withUTF8(headAndTail)
                return Entry(length: name.utf8.count, head: head, tail: tail, index: index, bytes: Array(name.utf8))
            }
        }

        func index(_ key: String) -> Int? {
            // The key's bytes in place (the parser's keys are literals, most of them small
            // strings): the generic `first` and `last` of its UTF-8 view were a tenth of the
            // roster's time, and comparing each candidate's bytes through its own array a fifth.
            var key = key
            return key.withUTF8 { b in
                let (head, tail) = headAndTail(b)
                for e in entries where e.length == b.count && e.head == head && e.tail == tail {
                    if b.count <= 16 || e.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 }) {
                        return e.index
                    }
                }
                return nil
            }
        }
    }

    /// Reads a CSV file's header: the first row that is not blank, after any `sep=,` line.
    /// - Returns: the header and its number of cells; `reader` is left at the first data row.
    /// - Throws: `UnreadableFile` when there is no header, or it cannot be read.
    static func readHeader(_ reader: inout CSVReader, kind: InputKind) throws(UnreadableFile) -> (HeaderMap, cellCount: Int) {
        try reader.skipSeparatorHint()
        var fields: [CSVReader.Field] = []
        while let (line, problem) = try reader.next(into: &fields) {
            if fields.allSatisfy({ reader.isBlank($0) }) && problem == nil && reader.cellCount == fields.count { continue }
            if case .textAfterQuote(let column)? = problem {
                throw UnreadableFile(line: line, column: column, reason: "header cell \(column) has text after its closing quote; fix the header row",
                                     chinese: "表头第 \(column) 格引号结束后还有文字；请改正表头")
            }
            guard reader.cellCount <= CSVReader.storedCellLimit else {
                throw UnreadableFile(line: line, reason: "the header has \(reader.cellCount) cells, more than \(CSVReader.storedCellLimit); this is not \(kind.aFile)",
                                     chinese: "表头有 \(reader.cellCount) 格，超过 \(CSVReader.storedCellLimit) 格；这不是\(kind.label)文件")
            }
            return (try HeaderMap.mapping(fields.map { reader.string($0) }, kind: kind, line: line), fields.count)
        }
        throw UnreadableFile(line: 1, reason: "the file is empty: it has no header row (\(kind.columns.filter(\.required).map(\.key).joined(separator: ", ")) …)",
                             chinese: "文件是空的：没有表头行（\(kind.columns.filter(\.required).map(\.key).joined(separator: "、")) …）")
    }

    /// - Returns: false when a deferred buffer needs the ordinary read (see `read(_:path:display:kind:into:)`).
    private func readCSV(_ buffer: TextBuffer, kind: InputKind, display: String, fileIndex: Int, parser: RowParser,
                         report: inout InputFileReport, into result: inout ImportParts) throws -> Bool {
        // A GB18030 file decoded part by part has only its first lines decoded yet.
        let decoder = buffer.decoder
        var reader = CSVReader(decoder == nil ? buffer.bytes : UnsafeBufferPointer(rebasing: buffer.bytes[..<buffer.checkedPrefix]))
        let (header, cellCount) = try Importer.readHeader(&reader, kind: kind)
        let body = reader.position, firstLine = reader.line
        let deferred = buffer.deferredPath
        // The header of a deferred buffer must lie in its checked start (a decoded one's first
        // lines, which end at a line end: a header that reads to their end may go on after it).
        guard deferred == nil || body <= buffer.checkedPrefix else { return false }
        if let decoder, body == buffer.checkedPrefix, decoder.headEnd < decoder.raw.count { return false }
        report.unknownColumns = header.unknown
        report.headerLine = header.line
        /// A mapped activity file's buffer and scanner stay until duplicates are settled: a
        /// repeated row is read again from its bytes (its content hash, or its text for
        /// `rejects.csv`). One held in memory does not stay: its rows keep what would be read
        /// again (`RowJob.storesContent`), and a rejected repeat is quoted from the file read
        /// again (`Importer.quoteAgain`).
        let keepsBytes = !buffer.isInMemory
        func keepForDuplicates() {
            guard kind == .activity, keepsBytes else { return }
            result.buffers[fileIndex] = buffer
            result.scanners[fileIndex] = ActivityScanner(header: header, cellCount: cellCount, window: window)
        }
        let job = RowJob(importer: self, kind: kind, display: display, fileIndex: fileIndex, parser: parser, header: header,
                         lookup: ColumnLookup(header), cellCount: cellCount, phoneColumns: header.columns("phone"),
                         storesContent: !keepsBytes)

        // A large file is read in parts at once, each split after a line end. The first part
        // is read from its true start, and each part that reads to its end without an open quote
        // ends at a row's end, so the next one starts at one: if a split fell inside a quoted
        // cell, the part before it ends in an open quote and throws, and the file is read again
        // in one piece. Parts are more than cores, so that both stay busy to the end; each part of
        // a deferred buffer checks its own bytes (an activity part a block ahead of its rows, the
        // others first), and its hash is read apart (`DigestTask`). A GB18030 file is cut into
        // parts on its own bytes, after its first lines, and each part decoded where it is read —
        // or, an activity file for a short window, read on its own bytes, in parts of a UTF-8
        // file's size (`readsGB18030InPlace`). (None when a GB18030 file's first lines changed
        // under the run: read the ordinary way.)
        let inPlace = decoder != nil && kind == .activity && readsGB18030InPlace
        guard let bounds = Importer.partBounds(of: buffer, body: body, sizes: sizes, cells: cellCount, decoding: !inPlace) else { return false }
        if bounds.count > 2 || deferred != nil {
            let count = bounds.count - 1
            // Each part's result and the line its reader stopped at.
            let slots = ConcurrentSlots<(Result<ImportParts, Error>, end: Int)>(count)
            // The hash is read from the file on its own, beside the parts and the stages
            // after the import, until the manifest needs it (`ImportParts.pendingDigests`).
            let digest = try deferred.map { try earlyDigests.take($0) ?? DigestTask(path: $0) }
            var clock = Stopwatch()
            DispatchQueue.concurrentPerform(iterations: count) { k in
                do {
                    var part = ImportParts()
                    var counts = InputFileReport(path: display, absolutePath: "", kind: kind, format: "", sha256: "", byteCount: 0)
                    let own = job.withOwnFileName(), first = k == 0 ? firstLine : 1
                    let end: Int
                    if let decoder, inPlace {
                        var places = RowPlaces(inPlaceAt: bounds[k])
                        end = try own.readActivities(UnsafeBufferPointer(rebasing: decoder.raw[bounds[k]..<bounds[k + 1]]), places: &places,
                                                     mapped: buffer, firstLine: first, checking: true, gb18030: true, report: &counts,
                                                     into: &part)
                    } else if let decoder {
                        // Decoded text is UTF-8 without NUL bytes by its making.
                        end = try decoder.withPart(bounds[k]..<bounds[k + 1]) { text, places in
                            try own.read(text, places: &places, mapped: nil, firstLine: first, checking: false, report: &counts, into: &part)
                        }
                    } else {
                        end = try own.read(buffer, range: bounds[k]..<bounds[k + 1], firstLine: first, checking: deferred != nil,
                                           report: &counts, into: &part)
                    }
                    part.identities.group() // here, on both cores, rather than in the merge
                    part.files = [counts]
                    slots[k] = (.success(part), end)
                } catch {
                    slots[k] = (.failure(error), 0)
                }
            }
            decoder?.letBuffersGo()
            let how = inPlace ? ", each read on its GB18030 bytes"
                : decoder != nil ? ", each decoded from GB18030"
                : deferred != nil ? ", each with its UTF-8 check" : ""
            clock.lap("      \(count) parts\(how)")
            // Each part numbered its lines from 1: shifted by the lines of the parts before it,
            // on both cores (a year's parts hold millions of records), in the slots, so that
            // shifting copies nothing.
            var shifts: [Int] = []
            var lineEnd = 0
            for k in 0..<count {
                guard let end = slots.peek(k, { slot -> Int? in if case (.success, let end)? = slot { return end } else { return nil } }) else { break }
                shifts.append(k == 0 ? 0 : lineEnd - 1)
                lineEnd = k == 0 ? end : end + lineEnd - 1
            }
            if shifts.count == count {
                let shifted = ConcurrentSlots<ImportParts>(count), shifts = shifts
                DispatchQueue.concurrentPerform(iterations: count) { k in
                    guard case (.success(var part), _)? = slots.take(k) else { return }
                    part.shiftLines(by: shifts[k])
                    shifted[k] = part
                }
                buffer.releaseAll()
                keepForDuplicates()
                for k in 0..<count {
                    shifted.peek(k) { part in
                        report.read += part!.files[0].read
                        report.rejected += part!.files[0].rejected
                    }
                }
                result.append(parts: shifted)
                result.readInParts[fileIndex] = (count, deferred != nil)
                if let digest { result.pendingDigests.append((fileIndex, digest)) }
                clock.lap("      merge")
                return true
            }
            // Read again the ordinary way, which hashes the file itself.
            digest?.cancel()
            if deferred != nil { return false }
        }
        keepForDuplicates()
        var part = ImportParts()
        _ = try job.read(buffer, range: body..<buffer.count, firstLine: firstLine, checking: false, report: &report, into: &part)
        result.append(part)
        result.readInParts[fileIndex] = (1, false)
        return true
    }

    /// Where the parts of `buffer`'s rows, from `body`, begin and end (`RowJob.parts`); a GB18030
    /// file decoded in parts is cut on its own bytes, after its first lines, into parts of
    /// `Sizes.decodedPart` (of `Sizes.part` when it is read on its own bytes, not `decoding`).
    /// Each cut looks for a line end in the file and lets go of the pages
    /// that maps at once (`TextBuffer.releasePages(of:around:)`: up to 2 MB a cut), before the
    /// next; each part maps them again as it reads them. Kept, the cuts of the benchmark's year
    /// held 200 MB of the file before any part had read a row. Nil when a GB18030 file's first
    /// lines no longer hold the line ends they were decoded with (`PartDecoder.rawOffset(ofHead:)`).
    static func partBounds(of buffer: TextBuffer, body: Int, sizes: Sizes, cells: Int? = nil, decoding: Bool = true) -> [Int]? {
        if let decoder = buffer.decoder {
            var decodedSizes = sizes
            if decoding { decodedSizes.part = sizes.decodedPart }
            guard let start = decoder.rawOffset(ofHead: body) else { return nil }
            // Cut on the file's own bytes: a comma, a quote and a line feed are never part of a
            // GB18030 character, so its rows' cells are told apart as in UTF-8.
            return RowJob.parts(decoder.raw, from: start, sizes: decodedSizes, cells: cells, letGo: decoder.releaseFile(around:))
        }
        return RowJob.parts(buffer.bytes, from: body, sizes: sizes, cells: cells, letGo: buffer.releasePages(around:))
    }

    /// Reads the data rows of one CSV file, or of one part of it, into a partial result.
    struct RowJob: Sendable {
        let importer: Importer
        let kind: InputKind
        private(set) var display: String
        let fileIndex: Int
        let parser: RowParser
        let header: HeaderMap
        let lookup: ColumnLookup
        let cellCount: Int
        /// A roster's phone columns (`HeaderMap.columns`): every number in them is kept, to be
        /// masked wherever it appears.
        let phoneColumns: [Int]
        /// The file's bytes are not kept for the duplicate check (`TextBuffer.isInMemory`): each
        /// row with a record_id keeps now the content hash that `Duplicates` would otherwise read
        /// again from its bytes (a row without one is never compared by content).
        let storesContent: Bool

        /// Where the parts of a file's rows begin and end: `bounds[k]..<bounds[k + 1]` is part
        /// `k`, each after a line end. One part for a small file; for a large one about
        /// `sizes.part` each, at least two and at most 256.
        /// - Parameter letGo: given the bytes each cut read, as soon as it has read them.
        /// - Parameter cells: the header's cells, when known: a cut is made after a line feed
        ///   that a row of that many cells follows (`startsRow`), not after one inside a quoted
        ///   cell (Alt+Enter in a description), where the part before would end in an open quote
        ///   and the file be read again in one piece.
        static func parts(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, sizes: Sizes, cells: Int? = nil,
                          letGo: (Range<Int>) -> Void) -> [Int] {
            let size = bytes.count - start
            guard size > sizes.parallel else { return [start, bytes.count] }
            let count = max(2, min(256, size / sizes.part))
            var bounds = [start]
            var searched = start // every byte before it has been looked at for a line end
            cutting: for k in 1..<count {
                let from = max(start + size / count * k, bounds.last!, searched)
                guard from < bytes.count, let base = bytes.baseAddress else { break }
                var i = from
                // The first line feed a row follows, of the next 64 (then the first found: a cut
                // the parts cannot use still reads the file again in one piece).
                var first = -1
                for attempt in 0..<64 {
                    // The next line feed, 16 MB at a time, each stretch let go once searched (a line
                    // of a gigabyte would hold the file's pages); none left ends the cutting: a file of
                    // one long line was searched once per cut, to its end (a 1 GB line took 20 s).
                    while i < bytes.count {
                        let stretch = min(16 << 20, bytes.count - i)
                        if let p = memchr(base + i, 10, stretch) {
                            let at = UnsafeRawPointer(p) - UnsafeRawPointer(base)
                            letGo(i..<min(at + 1, bytes.count))
                            i = at
                            break
                        }
                        letGo(i..<(i + stretch))
                        i += stretch
                    }
                    // A cut after the line feed; none when it is the file's last byte, or there is none.
                    guard i + 1 < bytes.count else {
                        if first < 0 { break cutting }
                        i = first
                        break
                    }
                    if first < 0 { first = i }
                    guard let cells else { break }
                    let (starts, read) = startsRow(bytes, at: i + 1, cells: cells)
                    letGo((i + 1)..<(i + 1 + read))
                    if starts { break }
                    if attempt == 63 { i = first; break }
                    i += 1
                }
                bounds.append(i + 1)
                searched = i + 1
            }
            bounds.append(bytes.count)
            return bounds
        }

        /// Whether a row of `cells` cells starts at `start`, as far as 64 KB of it show, and how
        /// many bytes were read to tell. After a line feed inside a quoted cell comes the rest of
        /// that cell: the closing quote falls in a cell that is not quoted, or opens one that
        /// text follows, or the cells are fewer.
        static func startsRow(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, cells: Int) -> (Bool, read: Int) {
            let window = UnsafeBufferPointer(rebasing: bytes[start..<min(bytes.count, start + 65_536)])
            var reader = CSVReader(window)
            var fields: [CSVReader.Field] = []
            guard let (_, problem) = try? reader.next(into: &fields) else { return (false, window.count) }
            let read = reader.position
            // A row cut short by the window's end (not the file's) may go on.
            guard problem == nil, reader.cellCount == cells, read < window.count || start + read == bytes.count else { return (false, read) }
            for f in fields where !(f.start > 0 && window[f.start - 1] == 34) {
                if UnsafeBufferPointer(rebasing: window[f.start..<f.end]).contains(34) { return (false, read) }
            }
            return (true, read)
        }

        /// Built only where a row needs it: copying the file name for every row would cost an
        /// atomic reference count on a string all the parts share.
        func source(_ line: Int) -> SourceLine { SourceLine(fileIndex: fileIndex, file: display, line: line) }

        /// Where a row read from `text` up to `end` ends in the part: there, or when the text is
        /// a row decoded on its own, the end of its bytes (`fileSpan`, from the part's start) —
        /// once the reader has read the whole text, as it holds that one row.
        @inline(__always)
        static func end(of end: Int, in text: UnsafeBufferPointer<UInt8>, _ fileSpan: Range<Int>?, partStart: Int) throws -> Int {
            guard let fileSpan else { return end }
            guard end == text.count else { throw BadBytes() }
            return fileSpan.upperBound - partStart
        }

        /// The same job with a file name of its own (a copy of the text, not of the reference):
        /// every record of a part holds it, and parts on two cores counting references on one
        /// string wait for each other's cache line at every record (a roster part's volunteers
        /// spent a tenth of their time in `swift_retain`).
        func withOwnFileName() -> RowJob {
            var job = self
            job.display = String(decoding: Array(display.utf8), as: UTF8.self)
            return job
        }

        /// The bytes of a part of a deferred buffer are not UTF-8, or hold a NUL, or (a decoded
        /// GB18030 part) its rows no longer match the file's line ends (`RowPlaces`): the file is
        /// read again the ordinary way, which says where.
        struct BadBytes: Error {}

        /// - Parameter checking: the part's bytes are not yet known to be UTF-8 without NUL
        ///   bytes (a deferred buffer): they are checked here, and `BadBytes` thrown if not.
        /// - Returns: the line the reader stopped at (the next part's first line).
        func read(_ buffer: TextBuffer, range: Range<Int>, firstLine: Int, checking: Bool, report: inout InputFileReport,
                  into result: inout ImportParts) throws -> Int {
            var places = RowPlaces(inPlaceAt: range.lowerBound)
            return try read(UnsafeBufferPointer(rebasing: buffer.bytes[range]), places: &places, mapped: buffer, firstLine: firstLine,
                            checking: checking, report: &report, into: &result)
        }

        /// The same for the text of a part, `bytes`, its rows placed in the file by `places`.
        /// - Parameter mapped: the mapped buffer `bytes` lie in, whose pages are let go behind the
        ///   rows (nil for a decoded part's text, which its buffer keeps for the next part).
        func read(_ bytes: UnsafeBufferPointer<UInt8>, places: inout RowPlaces, mapped: TextBuffer?, firstLine: Int, checking: Bool,
                  report: inout InputFileReport, into result: inout ImportParts) throws -> Int {
            if kind == .activity {
                return try readActivities(bytes, places: &places, mapped: mapped, firstLine: firstLine, checking: checking,
                                          report: &report, into: &result)
            }
            if checking, !UTF8Check.isPlainText(bytes) { throw BadBytes() }
            if kind == .roster {
                // A roster row is rarely under 64 bytes; a set that grows rehashes at every doubling.
                result.phones.reserveCapacity(bytes.count / 64)
                if importer.sizes.accelerated { return try readRoster(bytes, firstLine: firstLine, report: &report, into: &result) }
            }
            var reader = CSVReader(bytes, line: firstLine)
            var fields: [CSVReader.Field] = []
            while true {
                guard let (line, problem) = try reader.next(into: &fields) else { break }
                readRow(reader: reader, fields: fields, line: line, problem: problem, report: &report, into: &result)
            }
            return reader.line
        }

        /// The rows of a roster. A plain row (no line break or doubled quote in a cell: `PlainRow`) is
        /// split from its bytes and given to the same parser as any other row, its repeated names
        /// made into strings once (`NameCache`: a roster names a few dozen teams in a hundred
        /// thousand rows). A row that is not plain, or that the parser rejects, is read again by
        /// the general reader, which says what is wrong and quotes it in `rejects.csv`.
        /// - Returns: the line the reader stopped at (the next part's first line).
        func readRoster(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, report: inout InputFileReport,
                        into result: inout ImportParts) throws -> Int {
            guard let p = bytes.baseAddress else { return firstLine }
            let n = bytes.count
            var reader = CSVReader(bytes, line: firstLine)
            var fields: [CSVReader.Field] = []
            let cells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * cellCount)
            defer { cells.deallocate() }
            let row = PlainRow(base: p, cells: cells)
            let plain = PlainRowFields(row: row, lookup: lookup, names: NameCache())
            var specials = SpecialBytes(p, n)
            var pos = 0
            var line = firstLine
            while pos < n {
                if let next = PlainRow.split(p, pos, n, expected: cellCount, into: cells, specials: &specials), next - pos <= Importer.longestRow {
                    // A row of cells that are empty or only white space is skipped without
                    // being counted, as the general reader does (`CSVReader.isBlank`).
                    if (0..<cellCount).allSatisfy({ UnicodeTrim.isBlank(row.cell($0)) }) {
                        pos = next
                        line += 1
                        continue
                    }
                    if importer.accept(plain, kind: .roster, source: source(line), parser: parser, context: [:], into: &result) == nil {
                        report.read += 1
                        result.plainRowsRead += 1
                        for i in phoneColumns { PhoneScrubber.insertNumbers(of: UnicodeTrim.trim(row.cell(i)), into: &result.phones) }
                        pos = next
                        line += 1
                        continue
                    }
                }
                reader.resume(at: pos, line: line)
                guard let (rowLine, problem) = try reader.next(into: &fields) else { break }
                readRow(reader: reader, fields: fields, line: rowLine, problem: problem, report: &report, into: &result)
                pos = reader.position
                line = reader.line
            }
            return line
        }

        /// One row read by the general reader: counted, turned into a record, or rejected.
        /// - Returns: the parsed activity, for the caller to keep (activity files only).
        @discardableResult
        func readRow(reader: CSVReader, fields: [CSVReader.Field], line: Int, problem: CSVReader.RecordProblem?,
                     report: inout InputFileReport, into result: inout ImportParts) -> ActivityRecord? {
            if problem == nil, reader.cellCount == fields.count, fields.allSatisfy({ reader.isBlank($0) }) { return nil }
            report.read += 1
            // No row of these files is 16 MB long: such a "row" is a stray quote or a file without
            // line ends, and its text would be copied into every report format (a 300 MB name made
            // 2.3 GB of reports; a 1 GB cell exhausted the memory of the daily bulletin).
            let length = reader.recordBytes.count
            if length > Importer.longestRow {
                report.rejected += 1
                // Scrubbed beyond the cut, so that a number across it is found whole.
                let shown = String(decoding: UnsafeBufferPointer(rebasing: reader.recordBytes.prefix(Reject.shownBytes + 64)), as: UTF8.self)
                result.rejects.append(Reject(source: source(line), reason: Wording(importer.campaign.output.language)(
                    "这一行有 \(length) 字节，超过 16 MB；检查是否少了换行或多了引号",
                    "this row is \(length) bytes long, over 16 MB; look for a missing line end or a stray quote"),
                                             record: PhoneScrubber.scrub(shown, known: [])))
                return nil
            }
            if case .textAfterQuote(let column)? = problem {
                report.rejected += 1
                result.rejects.append(Reject(source: source(line), reason: Wording(importer.campaign.output.language)(
                    "第 \(column) 列：引号结束后还有文字；整格用引号括起，格内引号写成两个 (\"\")",
                    "column \(column): text after the closing quote; quote the whole cell and double any quote inside it (\"\")"),
                                             record: importer.malformedRecord(reader: reader, fields: fields, header: header, cellCount: cellCount,
                                                                              phones: &result.phones)))
                return nil
            }
            if reader.cellCount != cellCount {
                report.rejected += 1
                result.rejects.append(Reject(source: source(line), reason: Wording(importer.campaign.output.language)(
                    "这一行有 \(reader.cellCount) 列，表头有 \(cellCount) 列；检查多余或缺少的逗号",
                    "this row has \(reader.cellCount) cells and the header \(cellCount); look for an extra or a missing comma"),
                                             record: importer.malformedRecord(reader: reader, fields: fields, header: header, cellCount: cellCount,
                                                                              phones: &result.phones)))
                return nil
            }
            let row = CSVRow(reader: reader, fields: fields, lookup: lookup)
            if kind == .activity {
                switch parser.activity(row, source: source(line)) {
                case .success(let a): return a
                case .failure(let error):
                    report.rejected += 1
                    let error = RowError.repeatsHeader(row, kind: kind) ? RowError.headerAgain : error
                    result.rejects.append(Reject(source: source(line), reason: error.reason(in: importer.campaign.output.language),
                                                 record: importer.rawRecord(reader: reader, fields: fields, header: header, phones: &result.phones)))
                    return nil
                }
            }
            for i in phoneColumns {
                reader.withBytes(fields[i]) { PhoneScrubber.insertNumbers(of: UnicodeTrim.trim($0), into: &result.phones) }
            }
            if let error = importer.accept(row, kind: kind, source: source(line), parser: parser, context: [:], into: &result) {
                report.rejected += 1
                result.rejects.append(Reject(source: source(line), reason: error.reason(in: importer.campaign.output.language),
                                             record: importer.rawRecord(reader: reader, fields: fields, header: header, phones: &result.phones)))
            }
            return nil
        }

        /// The rows of an activity file: plain rows are split and checked from their bytes
        /// (`PlainRow`, `ActivityScanner`); a row they doubt is read by the general reader and
        /// the parser. Only rows dated in the window become records.
        ///
        /// - Parameter gb18030: `bytes` are a GB18030 file's own, read where they lie
        ///   (`Importer.readsGB18030InPlace`). They are checked ahead of the rows by the decoder's
        ///   rule (`GB18030.isText`) and split as UTF-8 is: a comma, a quote and a line end are
        ///   never part of a GB18030 character. A plain row dated outside the window whose cells it
        ///   is read by are ASCII (`ActivityScanner.keyCellsAreASCII`) — on a week, nearly all of
        ///   a year's rows — is read from its bytes, which are then its UTF-8; any other row is
        ///   decoded on its own (`DecodedRow`) and read from its text as a row of a UTF-8 file is,
        ///   placed by its bytes in the file (`fileSpan`).
        func readActivities(_ bytes: UnsafeBufferPointer<UInt8>, places: inout RowPlaces, mapped buffer: TextBuffer?, firstLine: Int,
                            checking: Bool, gb18030: Bool = false, report: inout InputFileReport, into result: inout ImportParts) throws -> Int {
            guard let p = bytes.baseAddress else { return firstLine }
            let n = bytes.count
            // The check of a deferred part runs ahead of the rows: its bytes are then still in
            // the core's cache when the rows are split, instead of read twice from memory. With
            // AVX2 the UTF-8 check is the separator index's own pass (`SeparatorIndex.scan`, 128
            // KB at a time); without it, and for GB18030, it runs in blocks of 128 KB that each
            // end after a line end (no character is split).
            // A row longer than what is checked ahead of it, and with AVX2 the rows in the part's
            // last bytes after its last full 64-byte block, may be read before they are checked
            // (`finish` checks them at the end); whatever they became is thrown away with the
            // part if the check fails.
            let vector = UTF8Check.avx2 && SeparatorIndex.fits(n)
            // Without AVX2, an empty index of a step's size, never scanned.
            var separators = SeparatorIndex(p, vector ? n : 0, validating: checking && vector && !gb18030, step: vector ? 2048 : 1)
            defer { separators.deallocate() }
            var checked = gb18030 || (checking && !vector) ? 0 : n
            // Whether `checkAhead` has anything to do: asked before `checked` is read, which the
            // local function captures (each read of it an access checked at run time).
            let checksAhead = checked < n
            @inline(__always) func checkAhead(_ pos: Int) throws {
                while checked < n, checked < pos + SeparatorIndex.lookahead {
                    var end = min(n, checked + (128 << 10))
                    while end < n, p[end - 1] != 10 { end += 1 }
                    let stretch = UnsafeBufferPointer(start: p + checked, count: end - checked)
                    guard gb18030 ? GB18030.isText(stretch) && GB18030.firstUTF8Line(in: stretch) == nil : UTF8Check.isPlainText(stretch)
                    else { throw BadBytes() }
                    checked = end
                }
            }
            var reader = CSVReader(bytes, line: firstLine)
            var fields: [CSVReader.Field] = []
            let scanner = ActivityScanner(header: header, cellCount: cellCount, window: importer.window)
            var values = ValueReader(zone: importer.campaign.zone)
            let cells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * cellCount)
            defer { cells.deallocate() }
            let row = PlainRow(base: p, cells: cells)
            // The part's rows and their identities, handed to `result` at the end, with room for
            // as many rows as its first line feeds foretell (`KeptRows.expectedRows`).
            precondition(result.scanned.isEmpty && result.scannedRows == nil && result.identities.isEmpty,
                         "a part's activity rows are read into an empty result")
            var kept = KeptRows(capacity: KeptRows.expectedRows(in: bytes, cells: cellCount))
            defer { kept.deallocate() }
            let partStart = places.partStart
            var released = partStart
            var pos = 0
            var line = firstLine
            var specials = SpecialBytes(p, n)
            var v = ActivityScanner.Values(date: 0)
            let names = NameCache()
            var unquoted = UnquotedRows(cellCount: cellCount)
            defer { unquoted.deallocate() }
            // A GB18030 row decoded on its own, and its cells.
            var decoded = DecodedRow()
            defer { decoded.deallocate() }
            let decodedCells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * cellCount)
            defer { decodedCells.deallocate() }
            /// A row `scanner.read` took (its values `v`), from the text's bytes (`plain`) or
            /// copied with its quoted cells unescaped (`UnquotedRows`): counted, made into a record
            /// when it is dated in the window, kept for the duplicate check. `reference` is the row
            /// as the parser reads it — the plain row's cells, or the general reader's for a copy —
            /// which debug builds and the fuzzer hold the record to.
            /// `fileSpan`: the row's bytes in the file when it was decoded on its own (GB18030),
            /// else its place is `span` placed by `places`. The row's values `v` are given, not
            /// captured: a variable a local function captures is checked for exclusive access at
            /// run time wherever the loop reads it (2 % of a week's CPU); and given in place
            /// (`inout`, never changed here), not copied: a copy read the 72 bytes back in wide
            /// words right after `ActivityScanner.read` had stored them field by field, waiting on
            /// the stores at every row (a third of the row loop's own time).
            func keep<Fields: RowFields>(_ row: PlainRow, _ v: inout ActivityScanner.Values, reference: @autoclosure () -> Fields, line rowLine: Int,
                                         bytes span: Range<Int>, plain: Bool, fileSpan: Range<Int>? = nil) throws {
                report.read += 1
                result.plainRowsRead += 1
                let (identity, hasRecordID) = scanner.identity(row, v)
                var recordIndex: Int32 = -1
                if scanner.inWindow(v.date) {
                    let a = scanner.record(row, v, parser: parser, source: source(rowLine), names: names, text: importer.keepsText)
                    // Checked in debug builds (every test) and under the fuzzer, which builds
                    // in release: parsing the row a second time is what this path saves.
                    #if FUZZING
                    precondition(parser.activity(reference(), source: source(rowLine)).map { $0.keepingText(importer.keepsText) } == .success(a),
                                 "the fast check read a row otherwise than the parser: \(source(rowLine))")
                    #else
                    assert(parser.activity(reference(), source: source(rowLine)).map { $0.keepingText(importer.keepsText) } == .success(a),
                           "the fast check read a row otherwise than the parser: \(source(rowLine))")
                    #endif
                    recordIndex = Int32(result.activities.count)
                    result.activities.append(a)
                }
                // A copied row cannot be read again from its bytes (`Duplicates`), nor a row of a
                // file whose bytes are not kept (`storesContent`): its content is kept now, unless
                // its record keeps every field.
                if !plain || storesContent && hasRecordID, recordIndex < 0 || !importer.keepsText {
                    result.storedContent.append(scanner.content(row, v).a, at: kept.count)
                }
                guard let place = fileSpan ?? places.place(span, plain: plain) else { throw BadBytes() }
                kept.append(identity, ScannedRow(fileIndex: fileIndex, line: rowLine, record: recordIndex, start: place.lowerBound,
                                                 length: place.count, hasRecordID: hasRecordID))
                buffer?.release(upTo: place.upperBound, from: partStart, released: &released)
            }
            while pos < n {
                if vector {
                    guard separators.scan(ahead: pos) else { throw BadBytes() }
                }
                if checksAhead, checked < pos + SeparatorIndex.lookahead {
                    try checkAhead(pos)
                }
                var next = vector ? separators.split(pos, expected: cellCount, into: cells) : SeparatorIndex.unscanned
                if next == SeparatorIndex.unscanned {
                    next = PlainRow.split(p, pos, n, expected: cellCount, into: cells, specials: &specials) ?? SeparatorIndex.notPlain
                }
                // The row is read from here: the part's text, or (GB18030) its own text decoded,
                // which is `fileSpan` of the file.
                let text: UnsafeBufferPointer<UInt8>, textRow: PlainRow, textPos: Int, textNext: Int, fileSpan: Range<Int>?
                // A GB18030 row read where it lies (`v` holds its values). The limit of a row is of
                // its text, which may be twice its bytes (a two-byte character beyond the BMP is four
                // of UTF-8): a longer row is decoded, and held to the limit, as any other is.
                var readInPlace = false
                if gb18030, next >= 0, next - pos <= Importer.longestRow / 2, importer.sizes.accelerated, scanner.keyCellsAreASCII(row, end: p + n),
                   scanner.read(row, &values, into: &v), !scanner.inWindow(v.date) {
                    readInPlace = true
                }
                if gb18030, !readInPlace {
                    // Any other row, as far as it reaches (the general reader finds the end of one
                    // that is not plain), decoded and read from its text.
                    var end = next
                    if next < 0 {
                        reader = CSVReader(bytes, line: line) // (it may have read a decoded row last)
                        reader.resume(at: pos, line: line)
                        guard try reader.next(into: &fields) != nil else { break }
                        end = reader.position
                    }
                    text = try decoded.decode(UnsafeBufferPointer(start: p + pos, count: end - pos))
                    var rowSpecials = SpecialBytes(text.baseAddress!, text.count)
                    textRow = PlainRow(base: text.baseAddress!, cells: decodedCells)
                    textPos = 0
                    textNext = PlainRow.split(text.baseAddress!, 0, text.count, expected: cellCount, into: decodedCells,
                                              specials: &rowSpecials) ?? SeparatorIndex.notPlain
                    reader = CSVReader(text, line: line)
                    fileSpan = (partStart + pos)..<(partStart + end)
                } else {
                    (text, textRow, textPos, textNext, fileSpan) = (bytes, row, pos, next, nil)
                }
                if readInPlace || textNext >= 0 && textNext - textPos <= Importer.longestRow && importer.sizes.accelerated
                    && scanner.read(textRow, &values, into: &v) {
                    try keep(textRow, &v, reference: PlainRowFields(row: textRow, lookup: lookup), line: line, bytes: textPos..<textNext,
                             plain: true, fileSpan: fileSpan)
                    pos = try RowJob.end(of: textNext, in: text, fileSpan, partStart: partStart)
                    line += 1
                    continue
                }
                // The general reader, for this one row.
                reader.resume(at: textPos, line: line)
                guard let (rowLine, problem) = try reader.next(into: &fields) else { break }
                // A row the plain split turned down only for a doubled quote or a line break in a
                // quoted cell (what Excel writes of a description with quotes or Alt+Enter in it):
                // its cells unescaped into a buffer of this part and read from there as a plain
                // row is, not made into a record of strings by the parser first (four times the
                // time a row, for an export that quotes such a cell in every row).
                if problem == nil, reader.cellCount == cellCount, reader.position - textPos <= Importer.longestRow, importer.sizes.accelerated {
                    let copy = unquoted.row(reader, fields)
                    if scanner.read(copy, &values, into: &v) {
                        try keep(copy, &v, reference: CSVRow(reader: reader, fields: fields, lookup: lookup), line: rowLine,
                                 bytes: textPos..<reader.position, plain: false, fileSpan: fileSpan)
                        pos = try RowJob.end(of: reader.position, in: text, fileSpan, partStart: partStart)
                        line = reader.line
                        continue
                    }
                }
                if let a = readRow(reader: reader, fields: fields, line: rowLine, problem: problem, report: &report, into: &result) {
                    let keep = scanner.inWindow(a.date.dayNumber)
                    // Not a plain row: its content cannot be read again the fast way, so keep it —
                    // also when its record will lose its text (the duplicate check's contents are
                    // the rows' as written; see `Duplicates.settle`).
                    if !keep || !importer.keepsText { result.storedContent.append(a.contentKey.a, at: kept.count) }
                    guard let place = fileSpan ?? places.place(textPos..<reader.position, plain: false) else { throw BadBytes() }
                    kept.append(a.identityKey, ScannedRow(fileIndex: fileIndex, line: rowLine, record: keep ? Int32(result.activities.count) : -1,
                                                          start: place.lowerBound, length: place.count, hasRecordID: a.recordID != nil))
                    if keep { result.activities.append(a) }
                }
                pos = try RowJob.end(of: reader.position, in: text, fileSpan, partStart: partStart)
                line = reader.line
            }
            // The end of a last row that ran past the checked block (a quoted cell with line
            // breaks, which the general reader read whole), and the bytes after the last block.
            if separators.validating {
                guard separators.finish() else { throw BadBytes() }
            }
            try checkAhead(n)
            // (Only a part read in place has a mapped buffer: its end is its start plus its length.)
            buffer?.release(upTo: partStart + n, from: partStart, released: &released, force: true)
            // Handed over without a copy: the rows' memory, and the identities grouped from theirs.
            result.scannedRows = ScannedRows(taking: &kept.rows)
            result.identities = IdentityGroups(grouping: kept.identities.buffer)
            return line
        }
    }

    /// A row of a GB18030 part decoded on its own (`RowJob.readActivities`): a buffer reused row
    /// after row, grown for a longer one.
    struct DecodedRow {
        private var base: UnsafeMutablePointer<UInt8>?
        private var capacity = 0

        /// The UTF-8 of `bytes` (whole characters), valid until the next call; `BadBytes` when
        /// they are not GB18030 (the file changed since it was checked).
        mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> UnsafeBufferPointer<UInt8> {
            // The decoder's room (twice the length, and its vector stores' spare bytes).
            let need = 2 * bytes.count + 64
            if need > capacity {
                base?.deallocate()
                capacity = max(need, 4096)
                base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            }
            guard let (written, _) = try? GB18030.decode(bytes, into: base!, final: true), written > 0 else { throw RowJob.BadBytes() }
            return UnsafeBufferPointer(start: base, count: written)
        }

        func deallocate() { base?.deallocate() }
    }

    /// The row as it was written (its quotes as they were, its line end left out), with the
    /// phone columns' cells emptied and phone numbers elsewhere masked: what the contract's
    /// `rejects.csv` calls the raw row. A phone cell goes with its quotes; its commas stay, so
    /// that the row still has the header's cells.
    func rawRecord(reader: CSVReader, fields: [CSVReader.Field], header: HeaderMap, phones: inout Set<String>) -> String {
        let raw = reader.recordBytes
        let recordStart = reader.recordStart, recordEnd = recordStart + raw.count
        let bytes = reader.bytes
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var copied = recordStart
        for i in header.columns("phone").sorted() where i < fields.count {
            let f = fields[i]
            reader.withBytes(f) { PhoneScrubber.insertNumbers(of: UnicodeTrim.trim($0), into: &phones) }
            // A quoted cell's quotes are outside its field's bytes.
            let quoted = f.start > recordStart && bytes[f.start - 1] == UInt8(ascii: "\"")
            let low = quoted ? f.start - 1 : f.start, high = min(recordEnd, quoted ? f.end + 1 : f.end)
            guard low >= copied else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<low]))
            copied = high
        }
        if copied < recordEnd { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<recordEnd])) }
        return PhoneScrubber.scrub(String(decoding: out, as: UTF8.self), known: [])
    }

    /// A row that could not be split into the header's cells (a cell too many or too few, text
    /// after a closing quote), as it was written, phone numbers masked: re-quoting its cells would
    /// drop what is wrong with it.
    ///
    /// In a roster row a cell too many or too few moves the phone: it is in the phone column's
    /// place or as many cells after (or before) it as the row has too many (or too few). Each
    /// of those cells is read as the phone column is (`PhoneScrubber.insertNumbers`), so that its
    /// number is kept out of every output — but not the id's cell, nor a cell that is a date
    /// (`PhoneScrubber.isDateShaped`: registered, a date would be masked in every report).
    func malformedRecord(reader: CSVReader, fields: [CSVReader.Field], header: HeaderMap, cellCount: Int,
                         phones: inout Set<String>) -> String {
        let shift = reader.cellCount - cellCount
        var cells = Set<Int>()
        for p in header.columns("phone") {
            let low = max(0, min(p, p + shift)), high = min(fields.count - 1, max(p, p + shift))
            if low <= high { for k in low...high { cells.insert(k) } }
        }
        if let id = header.index["volunteer_id"] { cells.remove(id) }
        for k in cells.sorted() {
            reader.withBytes(fields[k]) { b in
                let cell = UnicodeTrim.trim(b)
                if !PhoneScrubber.isDateShaped(cell) { PhoneScrubber.insertNumbers(of: cell, into: &phones) }
            }
        }
        return PhoneScrubber.scrub(String(decoding: reader.recordBytes, as: UTF8.self), known: [])
    }

    /// Parses a row of `kind` and appends the record; returns the reason when it is rejected.
    func accept(_ row: some RowFields, kind: InputKind, source: SourceLine, parser: RowParser,
                        context: [String: String], media: [MediaRef] = [], into result: inout ImportParts) -> RowError? {
        // The header again (two exports pasted together) is said as that: a log's or a
        // submission's fails as a bad date or kind, a roster's would read as a volunteer named
        // 姓名 of the unit 单位 — looked at only when its id has no digit (a header has none).
        guard let error = acceptRow(row, kind: kind, source: source, parser: parser, context: context, media: media, into: &result) else {
            return nil
        }
        return RowError.repeatsHeader(row, kind: kind) ? .headerAgain : error
    }

    private func acceptRow(_ row: some RowFields, kind: InputKind, source: SourceLine, parser: RowParser,
                           context: [String: String], media: [MediaRef], into result: inout ImportParts) -> RowError? {
        switch kind {
        case .roster:
            switch parser.volunteer(row, source: source, defaultUnit: context["unit"]) {
            case .success(var v):
                if !v.id.utf8.contains(where: { $0 &- 48 < 10 }), RowError.repeatsHeader(row, kind: kind) { return .headerAgain }
                if v.submittedAt == nil, let s = context["submitted_at"] {
                    guard let t = ValueParser.instant(s, in: campaign.zone) else {
                        return .invalid("submitted_at", "报送时间", s, .anInstant)
                    }
                    v.submittedAt = t
                }
                result.volunteers.append(v)
            case .failure(let e): return e
            }
        case .activity:
            var defaultSubmitted: Int?
            if let s = context["submitted_at"] {
                guard let t = ValueParser.instant(s, in: campaign.zone) else {
                    return .invalid("submitted_at", "报送时间", s, .anInstant)
                }
                defaultSubmitted = t
            }
            switch parser.activity(row, source: source, defaultUnit: context["unit"], defaultSubmittedAt: defaultSubmitted, media: media) {
            case .success(let a):
                // Like the CSV fast path: a record only when the run reports its day.
                let keep = window.map { $0.contains(a.date.dayNumber) } ?? true
                // An XML row has no bytes to read again: its content is kept unless its record keeps
                // its text (see `Duplicates.settle`).
                if !keep || !keepsText { result.storedContent.append(a.contentKey.a, at: result.scanned.count) }
                result.scan(a.identityKey, ScannedRow(fileIndex: source.fileIndex,
                                                 line: source.line, record: keep ? Int32(result.activities.count) : -1,
                                                 start: 0, length: 0, hasRecordID: a.recordID != nil))
                if keep { result.activities.append(a) }
            case .failure(let e): return e
            }
        case .submission:
            // Attributes of <submissions unit="…" submitted-at="…"> are defaults for the records.
            switch parser.submission(RowWithDefaults(row: row, defaults: context), source: source) {
            case .success(let s): result.submissions.append(s)
            case .failure(let e): return e
            }
        }
        return nil
    }

    // MARK: XML

    private struct XMLRow: RowFields {
        var values: [String: String]
        func text(_ key: String) -> String? {
            guard let v = values[key]?.trimmingSpaces, !v.isEmpty else { return nil }
            return v
        }
    }

    /// `submitted-at` → `submitted_at`, without Foundation's string search (this runs for every
    /// attribute of every record).
    static func underscored(_ name: String) -> String {
        guard name.utf8.contains(UInt8(ascii: "-")) else { return name }
        return String(decoding: name.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    private func readXML(_ buffer: TextBuffer, kind: InputKind, display: String, fileIndex: Int, parser: RowParser,
                         report: inout InputFileReport, into result: inout ImportParts) throws {
        let expected = kind.xmlRecord
        let keys = kind.xmlNames
        // What both the shortcut and the ordinary path write to, in input order.
        final class Sink {
            var result: ImportParts
            var report: InputFileReport
            var firstOther: XMLRecord?
            var sawExpected = false
            init(_ result: ImportParts, _ report: InputFileReport) { self.result = result; self.report = report }
        }
        let sink = Sink(result, report)
        result = ImportParts()
        defer { result = sink.result; report = sink.report }
        var fast = kind == .activity && sizes.accelerated ? XMLActivityShortcut(importer: self, fileIndex: fileIndex) : nil
        defer { fast?.deallocate() }
        var released = 0
        do {
            try XMLReader.forEachRecord(in: buffer.bytes, name: display, consumed: { buffer.release(upTo: $0, from: 0, released: &released) },
                                        fastName: fast == nil ? nil : expected, fast: { record, context, version in
                guard fast!.take(record, context: context, contextVersion: version, report: &sink.report, into: &sink.result) else { return false }
                sink.sawExpected = true
                return true
            }) { rec in
                // An element no record by its name is one written wrongly only when it carries
                // the kind's columns (`<Activity volunteer=… date=…>`, `<record …>`); metadata
                // (`<meta created=…>`, a root `<export version=… count="0"/>`) is no row.
                if rec.name != expected, !XMLReader.recordNames.contains(rec.name), !Importer.carriesColumns(rec.attributes, kind: kind, keys: keys) { return }
                if rec.name == expected { sink.sawExpected = true } else if sink.firstOther == nil { sink.firstOther = rec }
                readXMLRecord(rec, expected: expected, keys: keys, kind: kind, display: display, fileIndex: fileIndex,
                              parser: parser, report: &sink.report, into: &sink.result)
            }
        } catch {
            throw XMLReader.withEncodingHint(error, bytes: buffer.bytes)
        }
        if let other = sink.firstOther, !sink.sawExpected {
            let renames = Importer.chineseRenames(other.attributes, kind: kind)
            throw UnreadableFile(line: other.line,
                                 reason: "XML: expected <\(expected)> elements in a \(kind.label) (\(kind.rawValue)) file, found <\(other.name)>"
                                     + (renames.isEmpty ? "" : "; XML attributes take their English names too (\(renames.joined(separator: ", ")))"),
                                 chinese: "XML：\(kind.label)文件应为 <\(expected)> 元素，却是 <\(other.name)>"
                                     + (renames.isEmpty ? "" : "；属性也要用英文名（\(renames.joined(separator: "，"))）"))
        }
    }

    /// The XML counterpart of the CSV fast path: an empty `<activity …/>` dated outside the
    /// reported window is checked and hashed from its attributes' bytes, without a dictionary
    /// or a string; anything else (a record of the window, child elements, a phone attribute, an
    /// attribute given twice, a value the check doubts) goes the ordinary way.
    struct XMLActivityShortcut {
        /// The attribute names of an activity and the cell each fills: from the column table
        /// (`InputKind.xmlNames`), each column at its own position (`CellMap.sequential`).
        static let names: [(name: [UInt8], cell: Int)] = InputKind.activity.xmlNames
            .map { (Array($0.key.utf8), InputKind.activity.position($0.value)) }
        static let phone = Array("phone".utf8)
        static let media = Array("media".utf8)

        let scanner: ActivityScanner
        let fileIndex: Int
        let zone: CampaignZone
        var reader: ValueReader
        /// The values of one record, one after the other, and where each cell lies in them.
        var scratch: UnsafeMutablePointer<UInt8>
        var capacity = 4096
        let cells: UnsafeMutablePointer<Int>
        /// The defaults of the enclosing element, as of `defaultsVersion`.
        var defaultsVersion = -1
        var defaultsUsable = false
        var defaultUnit: [UInt8]?
        var defaultSubmitted: Int?

        init(importer: Importer, fileIndex: Int) {
            scanner = ActivityScanner(cells: .sequential, cellCount: ActivityCells.count, window: importer.window)
            self.fileIndex = fileIndex
            zone = importer.campaign.zone
            reader = ValueReader(zone: importer.campaign.zone)
            scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            cells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * ActivityCells.count)
        }

        func deallocate() {
            scratch.deallocate()
            cells.deallocate()
        }

        static func cell(of name: UnsafeBufferPointer<UInt8>) -> Int? {
            for entry in names where entry.name.count == name.count && entry.name.elementsEqual(name) { return entry.cell }
            return nil
        }

        /// Child elements whose text stands for a column when no attribute gave it: named as
        /// the attributes are (`<submitted-at>` as `submitted-at="…"`), as the ordinary path reads them.
        static let childNames = names

        /// - Returns: true when the record was taken (counted and hashed), false to read it the ordinary way.
        mutating func take(_ record: RawXMLRecord, context: [String: String], contextVersion: Int,
                           report: inout InputFileReport, into result: inout ImportParts) -> Bool {
            if contextVersion != defaultsVersion { learn(context, version: contextVersion) }
            guard defaultsUsable, scanner.window != nil else { return false }
            cells.update(repeating: 0, count: 2 * scanner.cellCount)
            var used = 0
            var seen = 0, childSeen = 0
            var plain = true
            record.bytes.withUnsafeBufferPointer { all in
                // Attributes first, then children, as the ordinary path fills its values.
                for a in record.attributes {
                    let name = UnsafeBufferPointer(rebasing: all[a.name]), value = UnsafeBufferPointer(rebasing: all[a.value])
                    guard let cell = XMLActivityShortcut.cell(of: name) else {
                        if name.elementsEqual(XMLActivityShortcut.phone) { plain = false; return }
                        continue // not a column: the ordinary path ignores it too
                    }
                    // An empty attribute gives nothing (a child may give the column): the ordinary way.
                    guard seen & (1 << cell) == 0, !UnicodeTrim.trim(value).isEmpty, store(value, cell: cell, used: &used) else {
                        plain = false; return
                    }
                    seen |= 1 << cell
                }
                for c in record.children {
                    let name = UnsafeBufferPointer(rebasing: all[c.name]), text = UnsafeBufferPointer(rebasing: all[c.text])
                    // <media> (href, type), a child with attributes, or a phone: the ordinary way.
                    guard c.attributes.isEmpty, !name.elementsEqual(XMLActivityShortcut.phone),
                          !name.elementsEqual(XMLActivityShortcut.media) else { plain = false; return }
                    guard let entry = XMLActivityShortcut.childNames.first(where: { $0.name.elementsEqual(name) }) else { continue }
                    let cell = entry.cell
                    // An earlier child gave it: the ordinary way, which refuses two that differ.
                    if childSeen & (1 << cell) != 0 { plain = false; return }
                    childSeen |= 1 << cell
                    if seen & (1 << cell) != 0 { continue } // an attribute gave it
                    // A <team> counts only with text; any other child fills its column even when empty.
                    if cell == ActivityCells.team, UnicodeTrim.trim(text).isEmpty { continue }
                    guard store(text, cell: cell, used: &used) else { plain = false; return }
                    seen |= 1 << cell
                }
            }
            guard plain else { return false }
            let line = record.line
            var row = PlainRow(base: scratch, cells: cells)
            // A blank unit falls back to the enclosing element's (untrimmed, as the parser takes it).
            if row.blank(ActivityCells.unit), let unit = defaultUnit {
                let ok = unit.withUnsafeBufferPointer { store($0, cell: ActivityCells.unit, used: &used) }
                guard ok else { return false }
                row = PlainRow(base: scratch, cells: cells)
            }
            guard var v = scanner.values(row, &reader), !scanner.inWindow(v.date) else { return false }
            if row.blank(ActivityCells.submitted) { v.submitted = defaultSubmitted }
            report.read += 1
            let (identity, hasRecordID) = scanner.identity(row, v)
            // No bytes to read again later: the content hash is kept now.
            result.storedContent.append(scanner.content(row, v).a, at: result.scanned.count)
            result.scan(identity, ScannedRow(fileIndex: fileIndex, line: line, record: -1,
                                             start: 0, length: 0, hasRecordID: hasRecordID))
            return true
        }

        /// Appends a value to the scratch buffer as cell `cell`; false when it does not fit.
        private mutating func store(_ value: UnsafeBufferPointer<UInt8>, cell: Int, used: inout Int) -> Bool {
            guard used + value.count <= capacity else { return false }
            if let b = value.baseAddress, value.count > 0 { (scratch + used).update(from: b, count: value.count) }
            cells[2 * cell] = used
            used += value.count
            cells[2 * cell + 1] = used
            return true
        }

        /// Takes in the attributes of a new enclosing element. The shortcut stands aside when they
        /// could make its hashes differ from the parser's record: an empty unit, or one with white
        /// space around it (kept as written by the parser, trimmed by the hash of a cell),
        /// `submitted-at` given in both spellings, or one that is not an instant (every record is
        /// then rejected).
        private mutating func learn(_ context: [String: String], version: Int) {
            defaultsVersion = version
            defaultsUsable = true
            defaultUnit = nil
            defaultSubmitted = nil
            if let unit = context["unit"] {
                // An empty `unit=""` is a unit the parser keeps as "" and hashes as present; a
                // cell hashes it as absent. Either way the ordinary path decides.
                if unit.isEmpty || unit != unit.trimmingSpaces { defaultsUsable = false }
                defaultUnit = Array(unit.utf8)
            }
            if context["submitted-at"] != nil, context["submitted_at"] != nil { defaultsUsable = false }
            if let s = context["submitted-at"] ?? context["submitted_at"] {
                guard let t = ValueParser.instant(s, in: zone) else { defaultsUsable = false; return }
                defaultSubmitted = t
            }
        }
    }

    /// A rejected XML record as `rejects.csv` shows it: its start tag, attributes sorted, the
    /// phone attribute left out and phone numbers blanked.
    static func quoted(_ rec: XMLRecord) -> String {
        // A value's `&`, `<` and `"` as entities, as they must have been written: the tag stays XML.
        func escaped(_ v: String) -> String {
            v.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let attrs = rec.attributes.filter { $0.key != "phone" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\"\(escaped($0.value))\"" }.joined(separator: " ")
        return PhoneScrubber.scrub("<\(rec.name) \(attrs)>", known: [])
    }

    /// Whether XML attributes name at least two of the required columns of the file's kind other
    /// than `unit` (which an element holding records gives them): a volunteer's id and name, a
    /// session's volunteer and date, a submission's kind, period or time. That makes an element
    /// that is not the kind's record a row written wrongly (`<Activity volunteer=… date=…>`), not
    /// metadata (`<export date=… unit=… count="0"/>`, `<meta created=…/>`).
    /// A header's Chinese name counts too (`<志愿者 编号=… 姓名=…>`): such an element is a row
    /// written with CSV's words, which XML attributes do not take — rejected and said so, where it
    /// was read as metadata and its file had no rows, without a word.
    static func carriesColumns(_ attributes: [String: String], kind: InputKind, keys: [String: String]) -> Bool {
        var n = 0
        for name in attributes.keys {
            guard let key = keys[name] ?? chineseColumn(name, kind: kind)?.key, key != "unit",
                  kind.columns.contains(where: { $0.key == key && $0.required }) else { continue }
            n += 1
            if n >= 2 { return true }
        }
        return false
    }

    /// The column whose Chinese header alias an XML attribute is named by (`编号`, `姓名`), and the
    /// attribute name XML takes for it (`id`, `name`); nil for any other name.
    static func chineseColumn(_ name: String, kind: InputKind) -> (key: String, xmlName: String)? {
        guard name.utf8.contains(where: { $0 >= 0x80 }), let c = kind.columns.first(where: { $0.aliases.contains(name) }) else { return nil }
        return (c.key, c.xml.first ?? c.key)
    }

    /// The renames an element's attributes named in Chinese need (`姓名 → name`, sorted), for
    /// the message that rejects it: XML takes the English names (formats.md §7).
    static func chineseRenames(_ attributes: [String: String], kind: InputKind) -> [String] {
        attributes.keys.sorted().compactMap { n in chineseColumn(n, kind: kind).map { "\(n) → \($0.xmlName)" } }
    }

    func readXMLRecord(_ rec: XMLRecord, expected: String, keys: [String: String], kind: InputKind, display: String,
                               fileIndex: Int, parser: RowParser, report: inout InputFileReport, into result: inout ImportParts) {
        do {
            report.read += 1
            let source = SourceLine(fileIndex: fileIndex, file: display, line: rec.line)
            guard rec.name == expected else {
                // A record of another kind in this file, or an element with attributes that is no
                // record at all (`<Activity>`, `<record>`): not read here, but never dropped silently.
                report.rejected += 1
                let say = Wording(campaign.output.language)
                let reason = XMLReader.recordNames.contains(rec.name)
                    ? say("<\(rec.name)> 不属于\(kind.label)文件（应为 <\(expected)>）；把它放进对应的输入文件夹",
                          "<\(rec.name)> does not belong in \(kind.aFile) (<\(expected)> expected); put it in the folder of its kind")
                    : say("<\(rec.name)> 不是\(kind.label)文件的记录元素（应为 <\(expected)>，名称区分大小写）；其中的数据未读入：把它改名为 <\(expected)>",
                          "<\(rec.name)> is not a record element of \(kind.aFile) (<\(expected)> expected; names are case-sensitive); its data was not read: rename it <\(expected)>")
                let renames = Importer.chineseRenames(rec.attributes, kind: kind)
                let attributesToo = renames.isEmpty ? "" : say("，属性也要用英文名（\(renames.joined(separator: "，"))）",
                                                               ", and its attributes their English names (\(renames.joined(separator: ", ")))")
                result.rejects.append(Reject(source: source, reason: reason + attributesToo, record: Importer.quoted(rec)))
                return
            }
            var values: [String: String] = [:]
            // Two attributes that name one column (`volunteer` and `volunteer_id`, `volunteer-id`
            // and `volunteer_id`) with different values: which one is meant is not for the program to guess
            // (a dictionary's order would pick one at random). An empty one gives nothing.
            var attributeTwice: (names: String, first: String, second: String)?
            var namedBy: [String: String] = [:]
            for (k, v) in rec.attributes.sorted(by: { $0.key < $1.key }) {
                let key = keys[k] ?? Importer.underscored(k)
                let value = v.trimmingSpaces
                if let first = values[key]?.trimmingSpaces, !first.isEmpty {
                    if !value.isEmpty, value != first, attributeTwice == nil { attributeTwice = ("\(namedBy[key]!), \(k)", first, value) }
                    continue
                }
                values[key] = v
                namedBy[key] = k
            }
            var context: [String: String] = [:]
            for (k, v) in rec.context { context[Importer.underscored(k)] = v }
            var teams: [String] = values["teams"].map(RowParser.split) ?? []
            var media: [MediaRef] = []
            var fromChildren: [String: String] = [:], twice: (name: String, first: String, second: String)?
            // A child named as a record, with attributes, is a record written inside another
            // (`<activity …><activity id="K5" …/></activity>`; `<activity>清洁家园</activity>` is
            // the activity's name): its data is not read, so it is a reject of its own, beside the
            // record that holds it — named by its own line and start tag, where the liaison finds it.
            for c in rec.children where XMLReader.recordNames.contains(c.name) && Importer.carriesColumns(c.attributes, kind: kind, keys: keys) {
                report.read += 1
                report.rejected += 1
                let names = c.attributes.keys.sorted().joined(separator: ", ")
                let at = SourceLine(fileIndex: source.fileIndex, file: source.file, line: c.line > 0 ? c.line : source.line)
                result.rejects.append(Reject(source: at, reason: Wording(campaign.output.language)(
                    "<\(c.name)> 写在另一条记录 <\(rec.name)>（第 \(source.line) 行）之中，带有属性（\(names)）；其中的数据未读入：每条记录单独写",
                    "<\(c.name)> is written inside another record <\(rec.name)> (line \(source.line)), with attributes (\(names)); its data was not read: write each record on its own"),
                                             record: Importer.quoted(XMLRecord(name: c.name, line: at.line, attributes: c.attributes, context: rec.context))))
            }
            for c in rec.children {
                let text = c.text.trimmingSpaces
                switch c.name {
                case "team" where kind != .activity:
                    // A roster's volunteer may have several teams, one per child.
                    if !text.isEmpty { teams.append(text) }
                case "media":
                    let href = (c.attributes["href"] ?? text).trimmingSpaces
                    if href.isEmpty { break }
                    let kindAttr = c.attributes["type"].flatMap { MediaRef.Kind(rawValue: $0.lowercased()) }
                    var m = MediaRef.guess(href, baseFolder: parser.folder)
                    if let k = kindAttr { m.kind = k }
                    media.append(m)
                default:
                    // A session's `<team>` counts only with text (an empty one gives nothing).
                    if c.name == "team", text.isEmpty { break }
                    // A child names its column as an attribute would (`<submitted-at>`, `<record-id>`).
                    let key = keys[c.name] ?? Importer.underscored(c.name)
                    // The same column twice as children, differently (`<volunteer>V057</volunteer>
                    // <volunteer>V055</volunteer>`): which one is meant is not for the program to guess.
                    if let first = fromChildren[key], first != text, twice == nil { twice = (c.name, first, text) }
                    fromChildren[key] = fromChildren[key] ?? text
                    if values[key]?.trimmingSpaces.isEmpty ?? true { values[key] = text }
                }
            }
            if !teams.isEmpty { values["teams"] = teams.joined(separator: ";") }
            if let phone = values["phone"] { PhoneScrubber.insertNumbers(of: phone, into: &result.phones) }
            // One column given twice, differently, by two attributes or two children.
            let say = Wording(campaign.output.language)
            let given = attributeTwice.map { twice in
                say("属性 \(twice.names) 指同一列，值不同（“\(twice.first)”与“\(twice.second)”）；一条记录只写其中一个",
                    "the attributes \(twice.names) name the same column with different values ('\(twice.first)' and '\(twice.second)'); give one per record")
            } ?? twice.map { twice in
                say("<\(twice.name)> 出现两次，值不同（“\(twice.first)”与“\(twice.second)”）；一条记录只写一个",
                    "<\(twice.name)> is given twice with different values ('\(twice.first)' and '\(twice.second)'); give one per record")
            }
            if let given {
                report.rejected += 1
                result.rejects.append(Reject(source: source, reason: given, record: Importer.quoted(rec)))
                return
            }
            let row = XMLRow(values: values)
            if let error = accept(row, kind: kind, source: source, parser: parser, context: context, media: media, into: &result) {
                report.rejected += 1
                result.rejects.append(Reject(source: source, reason: error.reason(in: campaign.output.language), record: Importer.quoted(rec)))
            }
        }
    }
}

/// A row whose blank cells fall back to the attributes of the element that holds it.
struct RowWithDefaults<Row: RowFields>: RowFields {
    let row: Row
    let defaults: [String: String]
    func text(_ key: String) -> String? {
        if let v = row.text(key) { return v }
        guard let c = defaults[key]?.trimmingSpaces, !c.isEmpty else { return nil }
        return c
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 48 && value <= 57 }
}
