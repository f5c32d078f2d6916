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
/// Each file is read again once (loaded whole as the import loads it — its bytes checked, a
/// GB18030 roster decoded — and parsed only up to its last wanted row); a record is matched to
/// its row by its line and by what reading it again gives (the same volunteer, the same content),
/// so that two records on one line of an XML file are told apart. A file that cannot be read
/// again, or no longer holds the row, leaves the record as it was (empty for a roster row, the
/// parsed fields for an activity).
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
    /// quote: an XML row's start tag, a CSV row's text as written (`Duplicates.text(ofRow:)`).
    private func quoteActivities(_ result: inout ImportParts) {
        let pending = result.unquoted
        result.unquoted = []
        for (fileIndex, rows) in Dictionary(grouping: pending, by: { Int($0.row.fileIndex) }) {
            // The rows still to quote, by line (a line holds one record, or a few): each record
            // read again finds its row among its own line's, not among every row of the file.
            var left = Dictionary(grouping: rows, by: { Int($0.row.line) })
            // Read with no window: a row outside the period gets its record here, and the
            // reason its record_id.
            var reader = Importer(campaign: campaign, window: nil, sizes: sizes)
            reader.keepsText = keepsText
            let say = Wording(campaign.output.language)
            reader.readAgain(fileIndex, result.files[fileIndex], kind: .activity, lines: Set(left.keys), phones: result.phones) { line, read, record in
                guard let content = read.activities.first?.contentKey.a ?? read.storedContent[0],
                      let i = left[line]?.firstIndex(where: { $0.content == content }) else { return }
                let row = left[line]![i]
                result.rejects[row.reject].record = Reject.shown(record)
                if let id = read.activities.first?.recordID {
                    result.rejects[row.reject].reason = Duplicates.conflict(id, keptAt: row.keptAt, say: say)
                }
                left[line]!.remove(at: i)
            }
        }
    }

    /// Reads the rows of input file `fileIndex` that start on `lines` again, each into a result
    /// of its own (what the import made of it: its volunteer, its activity or content hash),
    /// and hands each with its record, as `rejects.csv` shows it, to `body`: a roster row
    /// re-quoted without its phone (`rawRecord`), an activity row as written (as
    /// `Duplicates.rawText` quotes one from the bytes it kept).
    /// - Parameter phones: the rosters' numbers, masked in the records.
    private func readAgain(_ fileIndex: Int, _ file: InputFileReport, kind: InputKind, lines: Set<Int>, phones: Set<String>,
                           _ body: (_ line: Int, _ read: ImportParts, _ record: String) -> Void) {
        let source = { (line: Int) in SourceLine(fileIndex: fileIndex, file: file.path, line: line) }
        let parser = RowParser(zone: campaign.zone, folder: URL(fileURLWithPath: file.absolutePath).deletingLastPathComponent().path)
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
                while left > 0 {
                    let start = reader.position
                    guard let (line, problem) = try reader.next(into: &fields) else { break }
                    guard lines.contains(line) else { continue }
                    left -= 1
                    guard problem == nil, reader.cellCount == cellCount else { continue }
                    var read = ImportParts()
                    _ = accept(CSVRow(reader: reader, fields: fields, lookup: lookup), kind: kind, source: source(line), parser: parser,
                               context: [:], into: &read)
                    let record = kind == .activity
                        ? PhoneScrubber.scrub(Duplicates.text(ofRow: UnsafeBufferPointer(rebasing: buffer.bytes[start..<reader.position])), known: phones)
                        : rawRecord(reader: reader, fields: fields, header: header, phones: &phones)
                    body(line, read, record)
                }
            }
        } catch {
            return // the file changed or went away since it was read: the records stay as they were
        }
    }
}
