import Foundation

/// The records of rejected rows that the reader did not keep, read again from their files.
///
/// `rejects.csv` shows a rejected row as it was written: a CSV row re-quoted with its phone
/// columns blanked (`rawRecord`), an XML record as its start tag without `phone` (`quoted`),
/// phone numbers masked in both. The reader keeps no row's text — a year has millions and a
/// roster a hundred thousand — so the few rows that may turn out rejected only once every file is
/// read are read again: a roster row whose volunteer_id repeats an earlier one (the ledger rejects
/// it when the content differs), and an activity row that `Duplicates.settle` rejected for a
/// conflicting record_id when the import kept no bytes of its file to quote it from: an XML row,
/// or a row of a small CSV file (`TextBuffer.isInMemory`; a mapped file's row is quoted from its
/// bytes, which stay mapped until then).
///
/// Each file is read again once, loaded whole as the import loads it (its bytes checked, a
/// GB18030 file decoded). A CSV activity row is read alone at its place in the text, which the
/// import kept (a few rows of each of thousands of small logs: parsing each log up to its last
/// such row took longer than reading them all the first time); a roster row or an XML record is
/// found by its line, the file parsed up to the last one wanted. Either way a record is matched
/// to its row by what reading it again gives (the same volunteer, the same content), so that
/// two records on one line of an XML file are told apart and a file changed during the run
/// cannot lend another row's text. A file that cannot be read again, or no longer holds the row,
/// leaves the record empty for a roster row, and for an activity its fields described
/// (`Ledger.describe`; empty when the period kept no record of it).
extension Importer {
    func quoteAgain(_ result: inout ImportParts) {
        quoteRepeatedVolunteers(&result)
        quoteActivities(&result)
    }

    /// `ImportParts.rosterRecords`: every roster row whose volunteer_id an earlier row has, quoted.
    /// An id is the same as the ledger finds it (`String` equality: the same text in NFC or NFD),
    /// so an id with a byte that is not ASCII is hashed in its composed form (NFC).
    /// - Complexity: O(n) over the roster: its ids are hashed by `RowHasher` into a
    ///   `FirstOccurrence` table (a set of a hundred thousand strings took a sixth of the roster's time).
    private func quoteRepeatedVolunteers(_ result: inout ImportParts) {
        let keys = result.volunteers.map { v in
            var h = RowHasher(domain: 0x1D)
            h.combine(v.id.utf8.allSatisfy { $0 < 0x80 } ? v.id : v.id.precomposedStringWithCanonicalMapping)
            return h.finalize()
        }
        var table = FirstOccurrence()
        table.reset(capacity: keys.count)
        var wanted: [Int: [Int: [Int]]] = [:] // file → line → positions in `volunteers`
        for k in keys.indices where table.firstIndex(of: keys[k], orInsert: k, key: { keys[$0] }) != k {
            let v = result.volunteers[k]
            wanted[v.source.fileIndex, default: [:]][v.source.line, default: []].append(k)
        }
        for (fileIndex, lines) in wanted {
            readAgain(fileIndex, result.files[fileIndex], kind: .roster, lines: Set(lines.keys), phones: result.phones) { line, read, record in
                guard let again = read.volunteers.first, let positions = lines[line] else { return }
                for k in positions where result.rosterRecords[k] == nil && result.volunteers[k].sameContent(as: again) {
                    result.rosterRecords[k] = record
                    return
                }
            }
        }
    }

    /// The activity rows rejected for a conflicting record_id that `Duplicates.settle` could not
    /// quote: an XML row's start tag, a CSV row's text as written (`Duplicates.text(ofRow:)`). A
    /// row that cannot be read again (its file changed or went away during the run) shows its
    /// record's fields (`Ledger.describe`), or nothing when the period kept no record of it.
    private func quoteActivities(_ result: inout ImportParts) {
        let pending = result.unquoted
        result.unquoted = []
        let say = Wording(campaign.output.language)
        var quoted = Set<Int>() // by reject
        /// The row read again as `read` and quoted as `record`, when it is the one rejected.
        func quote(_ row: ImportParts.Unquoted, _ read: ImportParts, _ record: String) {
            result.rejects[row.reject].record = Reject.shown(record)
            if let id = read.activities.first?.recordID {
                result.rejects[row.reject].reason = Duplicates.conflict(id, keptAt: row.keptAt, say: say)
            }
            quoted.insert(row.reject)
        }
        // Read with no window: a row outside the period gets its record here, and the
        // reason its record_id.
        var reader = Importer(campaign: campaign, window: nil, sizes: sizes)
        reader.keepsText = keepsText
        for (fileIndex, rows) in Dictionary(grouping: pending, by: { Int($0.row.fileIndex) }) {
            let file = result.files[fileIndex]
            if file.format != "XML" {
                // A CSV row is read at its place in the file's text, alone.
                reader.readAgain(fileIndex, file, rows: rows.map(\.row), phones: result.phones) { k, read in
                    (read.activities.first?.contentKey.a ?? read.storedContent[0]) == rows[k].content
                } quote: { k, read, record in quote(rows[k], read, record) }
                continue
            }
            // The rows still to quote, by line (a line holds one record, or a few): each record
            // read again finds its row among its own line's, not among every row of the file.
            var left = Dictionary(grouping: rows, by: { Int($0.row.line) })
            reader.readAgain(fileIndex, file, kind: .activity, lines: Set(left.keys), phones: result.phones) { line, read, record in
                guard let content = read.activities.first?.contentKey.a ?? read.storedContent[0],
                      let i = left[line]?.firstIndex(where: { $0.content == content }) else { return }
                quote(left[line]![i], read, record)
                left[line]!.remove(at: i)
            }
        }
        for row in pending where !quoted.contains(row.reject) {
            result.rejects[row.reject].record = Reject.shown(PhoneScrubber.scrub(row.record.map(Ledger.describe) ?? "", known: result.phones))
        }
    }

    /// Reads CSV activity rows of input file `fileIndex` again, each at its place in the file's
    /// text (`ScannedRow.start` and `length`: the file loaded as the import loaded it, not hashed
    /// again) and alone, into a result of its own; hands each to `matches`, and when it is the row
    /// read at first (its content), to `quote` with its text as written, phone numbers masked.
    /// A row that no longer parses there, or another row's, is passed over.
    private func readAgain(_ fileIndex: Int, _ file: InputFileReport, rows: [ScannedRow], phones: Set<String>,
                           matches: (_ row: Int, _ read: ImportParts) -> Bool, quote: (_ row: Int, _ read: ImportParts, _ record: String) -> Void) {
        let parser = RowParser(zone: campaign.zone, file: file.absolutePath)
        guard let buffer = try? TextBuffer.load(path: file.absolutePath, hashing: false) else { return }
        var header = CSVReader(buffer.bytes)
        guard let (map, cellCount) = try? Importer.readHeader(&header, kind: .activity) else { return }
        let lookup = ColumnLookup(map)
        var fields: [CSVReader.Field] = []
        for (k, row) in rows.enumerated() {
            let range = row.start..<(row.start + Int(row.length))
            guard row.length > 0, range.upperBound <= buffer.count else { continue }
            let bytes = UnsafeBufferPointer(rebasing: buffer.bytes[range])
            var reader = CSVReader(bytes, line: Int(row.line))
            guard let (line, problem) = (try? reader.next(into: &fields)) ?? nil, problem == nil, reader.cellCount == cellCount else { continue }
            var read = ImportParts()
            _ = accept(CSVRow(reader: reader, fields: fields, lookup: lookup), kind: .activity,
                       source: SourceLine(fileIndex: fileIndex, file: file.path, line: line), parser: parser, context: [:], into: &read)
            guard matches(k, read) else { continue }
            quote(k, read, PhoneScrubber.scrub(Duplicates.text(ofRow: bytes), known: phones))
        }
    }

    /// Reads the rows of input file `fileIndex` that start on `lines` again, each into a result
    /// of its own (what the import made of it: its volunteer, its activity or content hash),
    /// and hands each with its record, as `rejects.csv` shows it, to `body`: a roster row
    /// re-quoted without its phone (`rawRecord`), an XML record as its start tag (`quoted`).
    /// - Parameter phones: the rosters' numbers, masked in the records.
    private func readAgain(_ fileIndex: Int, _ file: InputFileReport, kind: InputKind, lines: Set<Int>, phones: Set<String>,
                           _ body: (_ line: Int, _ read: ImportParts, _ record: String) -> Void) {
        let source = { (line: Int) in SourceLine(fileIndex: fileIndex, file: file.path, line: line) }
        let parser = RowParser(zone: campaign.zone, file: file.absolutePath)
        var phones = phones
        do {
            if file.format == "XML" {
                let buffer = try TextBuffer.mapRaw(path: file.absolutePath)
                let expected = kind.xmlRecord, keys = kind.xmlNames
                var report = file
                // Records on other lines are passed over as bytes, never made into strings.
                try XMLReader.forEachRecord(in: buffer.bytes, name: file.path, fastName: expected,
                                            fast: { record, _, _ in !lines.contains(record.line) }) { rec in
                    guard rec.name == expected, lines.contains(rec.line) else { return }
                    var read = ImportParts()
                    readXMLRecord(rec, expected: expected, keys: keys, kind: kind, display: file.path, fileIndex: fileIndex,
                                  parser: parser, report: &report, into: &read)
                    body(rec.line, read, Importer.quoted(rec))
                }
            } else {
                let buffer = try TextBuffer.load(path: file.absolutePath)
                var reader = CSVReader(buffer.bytes)
                let (header, cellCount) = try Importer.readHeader(&reader, kind: kind)
                let lookup = ColumnLookup(header)
                var fields: [CSVReader.Field] = []
                var left = lines.count
                while left > 0, let (line, problem) = try reader.next(into: &fields) {
                    guard lines.contains(line) else { continue }
                    left -= 1
                    guard problem == nil, reader.cellCount == cellCount else { continue }
                    var read = ImportParts()
                    _ = accept(CSVRow(reader: reader, fields: fields, lookup: lookup), kind: kind, source: source(line), parser: parser,
                               context: [:], into: &read)
                    body(line, read, rawRecord(reader: reader, fields: fields, header: header, phones: &phones))
                }
            }
        } catch {
            return // the file changed or went away since it was read: the records stay as they were
        }
    }
}
