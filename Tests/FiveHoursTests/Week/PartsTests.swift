import Foundation
import Testing
@testable import FiveHours
import CFastBytes

/// A large file is read in parts on both cores, its hash and UTF-8 check made alongside
/// (`Importer.Sizes`, `TextBuffer.loadDeferred`), and most rows are split from the separator index
/// or by `PlainRow` rather than the general reader, the plainest activity rows read by C. None of that may change a figure: read with tiny sizes (many parts,
/// deferred checks) and in one piece, a file must give the same records, rejects, duplicates,
/// line numbers and manifest entries, whatever its encoding and however broken it is.
@Suite("Files read in parts, with deferred checks")
struct PartsTests {
    /// Rows of every shape the fast path must either read exactly or hand to the general reader.
    static func rows() -> [String] {
        var rows: [String] = []
        for n in 0..<700 {
            let day = n % 3 == 0 ? "2019-08-0\(5 + n % 5)" : "2019-03-\(10 + n % 9)" // in and out of the window
            let v = "V\(1 + n % 4)"
            switch n % 14 {
            case 0: rows.append("R\(n),\(v),\(day),09:00,10:30,,小红象志愿服务队,文明引导,,,,,2019-08-05 16:05")
            case 1: rows.append("R\(n),\(v),\(day),,,2.5,\"春雨行动志愿服务队\",\"义诊, 测血压\",,,,,")
            case 2 where n < 20: rows.append("R\(n),\(v),\(day),9:00,11:00,,,\"多行\n描述\",,,,,") // a line break in a cell
            case 2, 3: rows.append("R\(n),\(v),\(day),08:00,09:00,,,\"他说\"\"好\"\"\",,,,,") // doubled quotes
            case 4: rows.append("R\(n),\(v),2019/8/32,09:00,10:00,,,,,,,,") // a bad date: rejected
            case 5: rows.append("R\(n),\(v),\(day),09:00,10:00,,,,,") // too few cells: rejected
            case 6: rows.append("  R\(n) , \(v) ,\(day), 07:30 ,\t08:00,, 小红象志愿服务队 ,,,,,, 2019/8/5 16:05 ")
            case 7: rows.append("R\(n - 7),\(v),\(day),09:00,10:30,,小红象志愿服务队,文明引导,,,,,2019-08-05 16:05") // repeat of row n-7's id
            case 8: rows.append(",\(v),\(day),10:00,12:00,,,,,,,,") // no record_id
            case 9: rows.append(",\(v),\(day),10:00,12:00,,,,,,,,") // the same again: merged
            case 10: rows.append("R\(n),\(v),\(day),23:00,01:00,,,,,,a.jpg;b.jpg,甲科,2019-08-05T16:05:00+08:00")
            case 11: rows.append("R\(n),\(v),\(day),,,2:30,,\"x\"y,,,,,") // text after a quote: rejected
            case 12: rows.append("")
            default: rows.append("R\(n),\(v),\(day),09:00,09:00,,,,,,,,") // zero hours: rejected
            }
        }
        return rows
    }

    static let header = "record_id,volunteer_id,date,start,end,hours,team,activity,category,location,media,unit,submitted_at"

    enum Variant: String, CaseIterable, CustomTestStringConvertible {
        case utf8, utf8BOM, crlf, gb18030, gb18030CRLF, nulLate, badByteLate, openQuoteLate, gb18030NulLate, gb18030BadByteLate, gb18030OpenQuoteLate
        /// GB18030 with lone CR line ends (parts are cut at LF: one part), with a long header (its
        /// bytes in the file and in the text far apart), and a header alone, without a line end.
        case gb18030LoneCR, gb18030LongHeader, gb18030HeaderAlone
        /// Nearly every row with a quoted cell of three lines (Alt+Enter in a description): the
        /// parts are cut where a row starts, not inside such a cell.
        case quotedBreaks, gb18030QuotedBreaks
        var testDescription: String { rawValue }

        var isGB18030: Bool { rawValue.hasPrefix("gb18030") }

        func bytes() -> [UInt8] {
            // Its `category` column named at length (unknown, and so ignored): 2.4 KB of the file,
            // 3.6 KB of text, so that the rows after it start at other offsets in each.
            let header = self == .gb18030LongHeader || self == .gb18030HeaderAlone
                ? PartsTests.header.replacingOccurrences(of: "category", with: String(repeating: "备注", count: 600)) : PartsTests.header
            var text = self == .gb18030HeaderAlone ? header : header + "\n" + PartsTests.rows().joined(separator: "\n") + "\n"
            // Four-byte GB18030 characters (𠮷) too, in the cells of every kind of row.
            if isGB18030 { text = text.replacingOccurrences(of: "小红象", with: "𠮷小红象").replacingOccurrences(of: "好", with: "𠮷") }
            if self == .crlf || self == .gb18030CRLF { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
            if self == .quotedBreaks || self == .gb18030QuotedBreaks {
                text = text.replacingOccurrences(of: ",文明引导,", with: ",\"文明\n引导 \"\"甲\"\"\n乙\",")
                    .replacingOccurrences(of: "\"义诊, 测血压\"", with: "\"义诊, 测血压\n第二行, \"\"引\"\"\n第三行\"")
            }
            if self == .gb18030LoneCR { text = text.replacingOccurrences(of: "\n", with: "\r") }
            if self == .openQuoteLate || self == .gb18030OpenQuoteLate { text += "R9999,V1,2019-08-05,09:00,10:00,,,\"never closed\n" }
            var b: [UInt8]
            switch self {
            case _ where isGB18030: b = ImportTestSupport.gb18030(text)
            case .utf8BOM: b = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
            default: b = Array(text.utf8)
            }
            if self == .nulLate || self == .gb18030NulLate { b.insert(0, at: b.count - 40) }
            // In GB18030 a lone 0x80 is no character's first byte.
            if self == .badByteLate { b.insert(0xFF, at: b.count - 40) }
            if self == .gb18030BadByteLate { b.insert(0x80, at: b.count - 40) }
            return b
        }
    }

    /// What an import gives, flattened to comparable text.
    /// - Parameter words: whether the records' words and media are compared (a run that does
    ///   not keep them may hold them from one reader and not from the other: they are not shown).
    static func summary(_ r: ImportParts, words: Bool = true) -> [String] {
        let ledger = Ledger(ImportResult(r))
        var out: [String] = []
        for f in ledger.files {
            out.append("file \(f.path) \(f.format) \(f.sha256) \(f.byteCount) read \(f.read) counted \(f.counted) merged \(f.merged) rejected \(f.rejected) \(f.fileRejected ?? "")")
        }
        for v in ledger.volunteers { out.append("volunteer \(v.fieldsDescription)") }
        out.append("phones \(ledger.phones.sorted())")
        for j in ledger.rejects { out.append("reject \(j.source): \(j.reason) | \(j.record)") }
        for a in ledger.activities.map({ $0.keepingText(words) }) {
            out.append("activity \(a.source) \(a.recordID ?? "-") \(a.volunteerID) \(a.date) \(a.start ?? -1) \(a.end ?? -1) \(a.hours ?? -1) \(a.team ?? "-") \(a.activity ?? "-") \(a.media.map(\.href)) \(a.unit ?? "-") \(a.submittedAt ?? -1)")
        }
        for f in ledger.findings { out.append("finding \(f.rule) \(f.source.map(\.description) ?? "") \(f.detail)") }
        return out
    }

    @Test("many parts and deferred checks give exactly what one pass gives", arguments: Variant.allCases)
    func partsMatchOnePass(_ variant: Variant) throws {
        var s = Scenario()
        s.files["activities/log.csv"] = variant.bytes() // in place of `s.activities`
        let folder = try s.write()
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let window = CivilDate(year: 2019, month: 7, day: 26)!...CivilDate(year: 2019, month: 8, day: 9)!
        let tiny = Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 3 << 10)
        let onePiece = Importer.Sizes(parallel: .max, deferred: .max, part: .max)
        let partsResult = try Importer(campaign: campaign, window: window, sizes: tiny).read()
        let inParts = PartsTests.summary(partsResult)
        let whole = PartsTests.summary(try Importer(campaign: campaign, window: window, sizes: onePiece).read())
        let activityFile = try #require(partsResult.files.firstIndex { $0.path == "activities/log.csv" })
        let how = partsResult.readInParts[activityFile]
        switch variant {
        // A GB18030 file too: each part decoded where it is read (`GB18030.PartDecoder`).
        case .utf8, .utf8BOM, .crlf, .gb18030, .gb18030CRLF, .gb18030LongHeader, .quotedBreaks, .gb18030QuotedBreaks:
            #expect(how?.parts ?? 0 > 8 && how?.deferred == true, "read in \(String(describing: how))")
        case .gb18030LoneCR, .gb18030HeaderAlone: #expect(how?.parts == 1 && how?.deferred == true, "read in \(String(describing: how))")
        case .nulLate, .badByteLate, .openQuoteLate, .gb18030NulLate, .gb18030BadByteLate, .gb18030OpenQuoteLate: #expect(how == nil)
        }
        #expect(inParts.count == whole.count)
        for (a, b) in zip(inParts, whole) where a != b { Issue.record("parts: \(a)\none pass: \(b)") }
        // The file was really read (or really rejected), not silently emptied.
        let file = try #require(whole.first { $0.hasPrefix("file activities/log.csv") })
        switch variant {
        case .nulLate, .badByteLate, .openQuoteLate, .gb18030NulLate, .gb18030BadByteLate, .gb18030OpenQuoteLate:
            #expect(!file.hasSuffix(" "), "the file is rejected whole: \(file)")
        case .gb18030HeaderAlone:
            #expect(file.contains("read 0 ") && file.hasSuffix(" "), "\(file)")
        default:
            #expect(file.contains("read 650"), "\(file)")
            #expect(whole.contains { $0.hasPrefix("reject") && $0.contains("日期") })
            #expect(whole.contains { $0.hasPrefix("finding duplicate") })
            #expect(whole.contains { $0.hasPrefix("reject") && $0.contains("record_id") }) // a conflicting repeat
        }
    }

    /// A small log is read whole into memory; kept for the duplicate check, ten thousand of them
    /// held every byte until it was done. Its bytes are let go once its rows are read, and its
    /// rows with a record_id keep their content hash instead; a mapped file's stay mapped (its
    /// pages are not resident). That the rejects and merges are the same either way is
    /// `partsMatchOnePass` (one piece, in memory, against parts of the mapped file).
    @Test("a small log's bytes are not kept for the duplicate check; a mapped log's are", arguments: [Variant.utf8, .gb18030])
    func smallLogsLetTheirBytesGo(_ variant: Variant) throws {
        var s = Scenario()
        s.files["activities/log.csv"] = variant.bytes()
        let folder = try s.write()
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let path = folder.appendingPathComponent("activities/log.csv").path
        let window = CivilDate(year: 2019, month: 7, day: 26)!...CivilDate(year: 2019, month: 8, day: 9)!
        for (sizes, kept) in [(Importer.Sizes(parallel: .max, deferred: .max, part: .max), false),
                              (Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 3 << 10), true)] {
            var parts = ImportParts()
            try Importer(campaign: campaign, window: window, sizes: sizes).read(path, kind: .activity, into: &parts)
            #expect(!parts.buffers.isEmpty == kept, "\(variant) deferred from \(sizes.deferred) bytes")
            #expect(!parts.scanners.isEmpty == kept)
            #expect(parts.files.first?.read == 650)
        }
    }

    /// Thousands of repeats of a `record_id` in a mapped log are read again from its bytes
    /// (`Duplicates.readAgain`); in a log held in memory their contents were kept as read
    /// (`RowJob.storesContent`) and a rejected one is quoted from the file read again. Merged and
    /// rejected alike either way, with the same rejects.csv records.
    @Test("thousands of record_id repeats read again from a mapped log settle as the contents a small log kept")
    func manyRepeatsReadAgainOrKept() throws {
        var rows = [PartsTests.header]
        for k in 0..<6_000 { rows.append("R\(k),V\(1 + k % 4),2019-03-\(10 + k % 9),09:00,10:30,,小红象志愿服务队,文明引导,,,,,") }
        // Each again, out of the week (read again, not kept as a record): the same (merged) or
        // with other words (rejected), the repeats in another order than the rows they repeat.
        for k in stride(from: 5_999, through: 0, by: -1) {
            let words = k % 3 == 0 ? "\"文明, 引导 \(k)\"" : "文明引导"
            rows.append("R\(k),V\(1 + k % 4),2019-03-\(10 + k % 9),09:00,10:30,,小红象志愿服务队,\(words),,,,,")
        }
        var s = Scenario()
        s.files["activities/log.csv"] = Array((rows.joined(separator: "\n") + "\n").utf8)
        let folder = try s.write()
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let window = CivilDate(year: 2019, month: 8, day: 3)!...CivilDate(year: 2019, month: 8, day: 9)!
        let mapped = try Importer(campaign: campaign, window: window, sizes: Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 64 << 10)).read()
        let inMemory = try Importer(campaign: campaign, window: window, sizes: Importer.Sizes(parallel: .max, deferred: .max, part: .max)).read()
        #expect(mapped.readInParts.values.contains { $0.deferred }, "the log was mapped, its repeats read again")
        let a = PartsTests.summary(mapped), b = PartsTests.summary(inMemory)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) where x != y { Issue.record("mapped: \(x)\nin memory: \(y)") }
        let file = try #require(mapped.files.first { $0.path == "activities/log.csv" })
        #expect(file.read == 12_000 && file.merged == 4_000 && file.rejected == 2_000, "\(file)")
        #expect(mapped.rejects.filter { $0.record.contains("文明, 引导") }.count == 2_000)
    }

    /// Cutting a large file into parts looks for a line end at each cut, and a page touched
    /// maps more than itself: the pages around it and, where the file system keeps large folios
    /// in the page cache (ext4 does), the whole folio, up to 2 MB. Kept, the cuts of the
    /// benchmark's year (a hundred of them) held 200 MB of the GB18030 file before any part had
    /// read a row, and set the run's peak. Each cut lets its pages go before the next: after the
    /// cuts, the mapping the parts read holds only what was read before them (the first lines).
    @Test("a file of one long line is searched for line ends once, not once per cut, each stretch let go")
    func oneLongLine() {
        var bytes = Array("record_id,volunteer_id,date,hours\n".utf8)
        let start = bytes.count
        bytes += [UInt8](repeating: 97, count: 40 << 20) // 40 MB, no line feed
        var sizes = Importer.Sizes()
        sizes.part = 1 << 20 // 40 cuts wanted
        var searched = 0, calls = 0
        let bounds = bytes.withUnsafeBufferPointer { b in
            Importer.RowJob.parts(b, from: start, sizes: sizes) { range in searched += range.count; calls += 1 }
        }
        #expect(bounds == [start, bytes.count])
        #expect(searched <= bytes.count - start) // each byte once (it was searched by every cut: 40 times)
        #expect(calls >= 2) // let go in stretches as the search goes
        // A line feed near the end still makes a cut there.
        bytes[bytes.count - 10] = 10
        let two = bytes.withUnsafeBufferPointer { b in Importer.RowJob.parts(b, from: start, sizes: sizes) { _ in } }
        #expect(two == [start, bytes.count - 9, bytes.count])
    }

    @Test("cutting a large file into parts leaves none of its pages mapped", arguments: [false, true])
    func cutsLetTheirPagesGo(gb18030: Bool) throws {
        let log = try PartsTests.largeLog(gb18030: gb18030, label: "cuts")
        defer { ImportTestSupport.remove(log.folder) }
        let buffer = try #require(try TextBuffer.loadDeferred(path: log.file.path, minimumSize: 1 << 20))
        #expect((buffer.decoder != nil) == gb18030)
        let bounds = try #require(Importer.partBounds(of: buffer, body: log.headLength, sizes: Importer.Sizes(part: 256 << 10)))
        #expect(bounds.count > 60)
        let start = buffer.decoder.map { UnsafeRawPointer($0.raw.baseAddress!) } ?? UnsafeRawPointer(buffer.base)
        let resident = try #require(PartsTests.residentKB(of: start))
        // The first lines' folio at most (2 MB); kept, the cuts held 6 MB of the UTF-8 file and
        // 12 MB of the GB18030 one (ext4, kernel 6.18), and 24 MB of either while it was still in
        // the page cache as its writes left it.
        #expect(resident <= 3 << 10, "\(resident) kB of the file mapped after \(bounds.count - 1) parts were cut")
    }

    /// A GB18030 part is decoded a piece at a time, each piece's pages of the file let go once it
    /// is decoded, and at the part's end the folios it shares with its neighbours: its fault
    /// there mapped the neighbour's bytes too, which the neighbour may have let go already.
    /// Decoded last part first, every part faults in a folio its neighbour has let go (kept, 10 MB
    /// of this file); the file's mapping must hold nothing after, and the parts' text must be the
    /// file's.
    @Test("a GB18030 file's parts let go of its pages as they are decoded, the folios they share with their neighbours too")
    func decodedPartsLetTheirPagesGo() throws {
        let (log, buffer, decoder, bounds) = try PartsTests.decodedLog("decoded")
        defer { ImportTestSupport.remove(log.folder) }
        #expect(bounds.count > 60)
        var texts: [[UInt8]] = []
        var rows: [(place: Range<Int>, text: [UInt8])] = []
        for k in (0..<(bounds.count - 1)).reversed() {
            texts.append(try decoder.withPart(bounds[k]..<bounds[k + 1]) { text, places in
                // Every tenth line placed in the file, to be decoded again from there below.
                var start = 0, line = 0
                for i in text.indices where text[i] == 10 {
                    if line % 10 == 0, let place = places.place(start..<(i + 1), plain: true) { rows.append((place, Array(text[start...i]))) }
                    start = i + 1
                    line += 1
                }
                return Array(text)
            })
        }
        let resident = try #require(PartsTests.residentKB(of: decoder.raw.baseAddress!))
        #expect(resident == 0, "\(resident) kB of the file mapped after its \(bounds.count - 1) parts were decoded")
        #expect(Array(texts.reversed().joined()) == log.utf8)
        // A row placed by its part is the same text when decoded again from the file.
        #expect(rows.count > 1_000)
        for row in rows.prefix(3_000) where buffer.withRow(row.place, { Array($0) }) != row.text {
            Issue.record("the row at \(row.place) of the file decodes otherwise than its part read it")
            break
        }
    }

    /// A decoded part's row that does not start after a line end (as when the file changed
    /// between the listing of its line ends and its decoding) is turned down (`RowPlaces.place`
    /// is nil: the part fails, and the file is read the ordinary way), never a trap.
    @Test("a decoded part's row that the file's line ends do not place is turned down")
    func unplacedRowsAreTurnedDown() throws {
        let (log, _, decoder, bounds) = try PartsTests.decodedLog("unplaced")
        defer { ImportTestSupport.remove(log.folder) }
        try decoder.withPart(bounds[1]..<bounds[2]) { text, places in
            let firstEnd = try #require(text.firstIndex(of: 10))
            var copy = places
            #expect(copy.place(1..<(firstEnd + 1), plain: true) == nil, "a row that starts inside a line")
            #expect(places.place(0..<(firstEnd + 1), plain: true) != nil)
            // The part's last line ends where the part ends in the file.
            let lastStart = try #require(text.dropLast().lastIndex(of: 10)) + 1
            var last = places
            #expect(last.place(lastStart..<text.count, plain: true)?.upperBound == bounds[2])
        }
    }

    /// The GB18030 `largeLog`, mapped to be decoded in parts (from its first byte, header
    /// included) of about 256 KB: its buffer, decoder and the parts' bounds.
    static func decodedLog(_ label: String) throws
        -> (log: (folder: URL, file: URL, utf8: [UInt8], headLength: Int), buffer: TextBuffer, decoder: GB18030.PartDecoder, bounds: [Int]) {
        let log = try PartsTests.largeLog(gb18030: true, label: label)
        let buffer = try #require(try TextBuffer.loadDeferred(path: log.file.path, minimumSize: 1 << 20))
        let decoder = try #require(buffer.decoder)
        let bounds = try #require(Importer.partBounds(of: buffer, body: 0, sizes: Importer.Sizes(part: 256 << 10)))
        return (log, buffer, decoder, bounds)
    }

    /// A log of 24 MB in UTF-8 or GB18030 (its rows repeated: only its size and its line ends
    /// matter), written to a new folder; `utf8` is its text, `headLength` its header's bytes.
    static func largeLog(gb18030: Bool, label: String) throws -> (folder: URL, file: URL, utf8: [UInt8], headLength: Int) {
        let header = "record_id,volunteer_id,date,start_time,end_time,activity\n"
        var block = ""
        for k in 0..<2_000 { block += "R\(100_000 + k),V\(10_000 + k % 977),2019-08-05,09:00,11:00,社区志愿服务 第\(k % 13)站\n" }
        let encode: (String) -> [UInt8] = { gb18030 ? ImportTestSupport.gb18030($0) : Array($0.utf8) }
        let head = encode(header), rows = encode(block)
        var bytes = head, utf8 = Array(header.utf8)
        bytes.reserveCapacity(24 << 20 + rows.count)
        while bytes.count < 24 << 20 {
            bytes += rows
            utf8 += block.utf8
        }
        let folder = try ImportTestSupport.makeTempFolder(label)
        let file = try ImportTestSupport.write(bytes, to: "log.csv", in: folder)
        // Out of the page cache, so that the reader's faults read it in as a run's do (in large
        // folios, by readahead), not as the writes left it.
        let fd = open(file.path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
            close(fd)
        }
        return (folder, file, utf8, head.count)
    }

    /// The resident kilobytes of the mapping that holds `address`, from /proc/self/smaps.
    static func residentKB(of address: UnsafeRawPointer) -> Int? {
        // Read to its end with read(2): a file of /proc has no size to read up to.
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        let smaps = String(decoding: bytes, as: UTF8.self)
        let at = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, let dash = range.firstIndex(of: "-"),
               let lo = UInt(range[..<dash], radix: 16), let hi = UInt(range[range.index(after: dash)...], radix: 16) {
                inside = lo <= at && at < hi
            } else if inside, fields.first == "Rss:", fields.count > 1 {
                return Int(fields[1])
            }
        }
        return nil
    }

    @Test("a bad byte is found wherever it lies in a part, though the check runs only a block ahead of the rows")
    func badByteInALaterBlock() throws {
        // Two parts of about 300 KB: the check runs in blocks of 128 KB (each ending at the first
        // line end past that size), so these bytes lie in a part's first, second and last block,
        // just past the first block's nominal size, and at the very end.
        var text = PartsTests.header + "\n"
        var n = 0
        while text.utf8.count < 600_000 {
            text += "R\(n),V\(1 + n % 4),2019-03-1\(n % 9),09:00,10:30,,小红象志愿服务队,文明引导,,,,,2019-08-05 16:05\n"
            n += 1
        }
        let body = PartsTests.header.utf8.count + 1
        let sizes = Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 300_000)
        func read(_ bytes: [UInt8]) throws -> ImportParts {
            var s = Scenario()
            s.files["activities/log.csv"] = bytes
            let folder = try s.write()
            let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
            return try Importer(campaign: campaign, window: nil, sizes: sizes).read()
        }
        // A last row whose quoted cell runs 200 KB over many lines: the general reader reads it
        // whole, past the checked block; the check of its end comes after the loop.
        var longRow = "R\(n),V1,2019-03-11,09:00,10:30,,小红象志愿服务队,\""
        while longRow.utf8.count < 200_000 { longRow += "很长的说明，一行又一行\n" }
        text += longRow + "\",,,,,\n"
        n += 1
        let clean = Array(text.utf8)
        let good = try read(clean)
        let file = try #require(good.files.firstIndex { $0.path == "activities/log.csv" })
        #expect(good.readInParts[file]?.parts == 2 && good.readInParts[file]?.deferred == true)
        #expect(good.files[file].read == n)
        for offset in [body + 10, body + 200_000, body + (128 << 10) + 1, 450_000, clean.count - 20, clean.count - 2] {
            for bad: UInt8 in [0, 0xFF] {
                var bytes = clean
                bytes[offset] = bad
                let result = try read(bytes)
                let f = try #require(result.files.firstIndex { $0.path == "activities/log.csv" })
                // Not taken from the parts: read again the ordinary way, which rejects the file.
                #expect(result.readInParts[f] == nil, "byte \(bad) at \(offset)")
                #expect(result.files[f].fileRejected != nil, "byte \(bad) at \(offset)")
            }
        }
    }

    @Test("a record built from the fast check's values is the record RowParser builds from the row's strings")
    func recordFromValuesMatchesParser() throws {
        let header = ["record_id", "volunteer_id", "date", "start", "end", "hours", "team", "activity", "category",
                      "location", "media", "unit", "submitted_at", "title", "description"]
        let rows = [
            "R1,V1,2019-08-05,09:00,11:30,,小红象志愿服务队,文明引导,文明实践,邻里中心,a.jpg；b.mp4 | https://x.cn/v,党政办,2019-08-05 16:05,标题,说明",
            " R2 , V2 ,2019/8/6, 9:00 ,\t10:00,1.5, 队 ,,, ,,,2019-08-06T16:05:00+08:00,,",
            ",V3,2019-08-07,,,6.5,,,,,、；,, ,\u{3000}全角空格\u{3000},",
            "R4,V4,20190808,23:00,01:00,2,,,,,photos/x.png,第一工作站,,,",
            "R5,V5,2019-08-09,,,12,,,,,,,2019/8/9 8:05,,",
        ]
        let map = try HeaderMap(cells: header, kind: .activity, line: 1)
        let scanner = ActivityScanner(header: map, cellCount: header.count, window: nil)
        let parser = RowParser(zone: .shanghai, folder: "/data/acts")
        let source = SourceLine(fileIndex: 0, file: "a.csv", line: 2)
        var memo = ValueReader(zone: .shanghai)
        for text in rows {
            let bytes = Array((text + "\n").utf8)
            try bytes.withUnsafeBufferPointer { b in
                let p = try #require(b.baseAddress)
                let cells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * header.count)
                defer { cells.deallocate() }
                let next = PlainRow.split(p, 0, b.count, expected: header.count, into: cells)
                try #require(next == b.count, "\(text)")
                let row = PlainRow(base: p, cells: cells)
                var v = ActivityScanner.Values(date: -1, start: 1, end: 2, hours: 3, submitted: 4) // stale values must not leak
                try #require(scanner.read(row, &memo, into: &v), "\(text)")
                var strings: [String: String] = [:]
                for (k, key) in header.enumerated() { strings[key] = String(decoding: row.cell(k), as: UTF8.self) }
                let expected = parser.activity(RowParserTests.Cells(values: strings), source: source)
                #expect(expected == .success(scanner.record(row, v, parser: parser, source: source, names: NameCache(), text: true)), "\(text)")
                // Without its text (a week's, a month's or a year's records): the same record, its words and media left out.
                let lean = scanner.record(row, v, parser: parser, source: source, names: NameCache(), text: false)
                #expect(expected.map { $0.keepingText(false) } == .success(lean), "\(text)")
                #expect(!lean.hasText && lean.activity == nil && lean.media.isEmpty, "\(text)")
            }
        }
    }

    @Test("a row split by PlainRow has the cells the general reader finds")
    func plainRowAgreesWithReader() {
        let lines = ["a,b,c\n", "\"a\",b,\"\"\n", "a,,\n", "a,b,c", "a,b,c\r\n", "a,b,c\rX", " a , b ,c \n", "中文,乙,丙\n"]
        for text in lines {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { b in
                let cells = UnsafeMutablePointer<Int>.allocate(capacity: 6)
                defer { cells.deallocate() }
                let next = PlainRow.split(b.baseAddress!, 0, b.count, expected: 3, into: cells)
                var reader = CSVReader(b)
                var fields: [CSVReader.Field] = []
                _ = try? reader.next(into: &fields)
                #expect(next == reader.position, "\(text.debugDescription)")
                let row = PlainRow(base: b.baseAddress!, cells: cells)
                for k in 0..<3 {
                    #expect(Array(row.cell(k)) == Array(reader.string(fields[k]).utf8), "\(text.debugDescription) cell \(k)")
                }
            }
        }
        // Rows the general reader must read: a doubled quote, a line break in a cell, text
        // after a quote, a quote inside a cell, another number of cells.
        for text in ["\"a\"\"b\",c,d\n", "\"a\nb\",c,d\n", "\"a\"x,c,d\n", "a\"b,c,d\n", "a,b\n", "a,b,c,d\n"] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { b in
                let cells = UnsafeMutablePointer<Int>.allocate(capacity: 6)
                defer { cells.deallocate() }
                #expect(PlainRow.split(b.baseAddress!, 0, b.count, expected: 3, into: cells) == nil, "\(text.debugDescription)")
            }
        }
    }

    @Test("rows split from the separator index have exactly the cells PlainRow finds, with each kernel this processor runs",
          .enabled(if: UTF8Check.avx2, "needs AVX2"), arguments: SeparatorIndex.Kernel.available)
    func separatorIndexAgreesWithPlainRow(kernel: SeparatorIndex.Kernel) {
        var rng = SplitMix(seed: 7)
        // Runs of commas put more than eight in a block (the index is written eight at a time).
        // Quoted cells, which the index walks too: around commas and line ends, empty, doubled
        // quotes, text after a closing quote, a quote inside a cell.
        let pieces: [[UInt8]] = ["a", "中文", ",", ",", ",", "\n", "\r\n", "\r", "\"", " ", "2019-08-05", "\"x,y\"", ",,,,,,,,,,,,",
                                 ",\"中文\",", ",\"\",", "\"a\"\"b\"", "\"x\ny\"", "\"x\r\n\"", "\"a\"b", "a\"b", ",\",,\",", "\"\"\"\""].map { Array($0.utf8) }
        var plainRows = 0, quotedRows = 0
        for round in 0..<600 {
            var bytes: [UInt8] = []
            // The longest span many steps of 64 blocks (4 KB), so that the index is cut back often.
            let length = Int.random(in: 0...(round < 200 ? 200 : round < 500 ? 3_000 : 30_000), using: &rng)
            while bytes.count < length { bytes += pieces.randomElement(using: &rng)! }
            let expected = [1, 2, 3, 5, 9, 13, 20].randomElement(using: &rng)!
            bytes.withUnsafeBufferPointer { b in
                guard let p = b.baseAddress else { return }
                let n = b.count
                // One canary past the cells: the splitter writes no more than the row's bounds.
                let fast = UnsafeMutablePointer<Int>.allocate(capacity: 2 * expected + 1)
                let slow = UnsafeMutablePointer<Int>.allocate(capacity: 2 * expected)
                defer { fast.deallocate(); slow.deallocate() }
                fast[2 * expected] = -12345
                // Steps of one to three blocks too: several steps, and cuts, in one scan.
                var index = SeparatorIndex(p, n, validating: false, step: [1, 2, 3, 64][round % 4], kernel: kernel)
                defer { index.deallocate() }
                var pos = 0
                while pos < n {
                    let scannedAhead = index.scan(ahead: pos)
                    #expect(scannedAhead)
                    let reference = PlainRow.split(p, pos, n, expected: expected, into: slow)
                    let got = index.split(pos, expected: expected, into: fast)
                    if got >= 0 { plainRows += 1 }
                    if got >= 0, UnsafeBufferPointer(rebasing: b[pos..<got]).contains(34) { quotedRows += 1 }
                    if got == SeparatorIndex.unscanned {
                        pos = (reference ?? pos) + (reference == nil ? 1 : 0)
                        continue
                    }
                    #expect(fast[2 * expected] == -12345, "round \(round) at \(pos): written past the cells")
                    #expect(got == (reference ?? SeparatorIndex.notPlain), "round \(round) at \(pos)")
                    guard let next = reference, got == next else { pos += 1; continue }
                    for k in 0..<(2 * expected) { #expect(fast[k] == slow[k], "round \(round) at \(pos) cell bound \(k)") }
                    pos = next
                }
            }
        }
        #expect(plainRows > 10_000, "the index split \(plainRows) rows itself")
        #expect(quotedRows > 1_000, "the index split \(quotedRows) rows with quoted cells itself")
    }

    @Test("the index's pass checks the text as the one-pass check does, across steps and the last bytes, with each kernel",
          .enabled(if: UTF8Check.avx2, "needs AVX2"), arguments: SeparatorIndex.Kernel.available)
    func indexPassChecksText(kernel: SeparatorIndex.Kernel) {
        var rng = SplitMix(seed: 11)
        let pieces: [[UInt8]] = ["a", "中文", "𠮷", "é", ",", "\n", " "].map { Array($0.utf8) }
        let bad: [[UInt8]] = [[0], [0xFF], [0xC0, 0x80], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80]]
        var invalid = 0
        for round in 0..<1500 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...(round < 500 ? 300 : 20_000), using: &rng)
            while bytes.count < length { bytes += pieces.randomElement(using: &rng)! }
            if round % 3 != 0, !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.insert(contentsOf: bad.randomElement(using: &rng)!, at: at)
            }
            if round % 7 == 0, let lead = [UInt8]([0xE4, 0xC3, 0xF0]).randomElement(using: &rng) { bytes.append(lead) } // cut off at the end
            bytes.withUnsafeBufferPointer { b in
                let reference = UTF8Check.isPlainText(b)
                if !reference { invalid += 1 }
                guard let p = b.baseAddress else { return }
                // Scanned in steps of 64 blocks, now and then asked to look ahead, then finished.
                var index = SeparatorIndex(p, b.count, validating: true, step: 64, kernel: kernel)
                defer { index.deallocate() }
                var ok = true
                var pos = 0
                while ok, pos < b.count { ok = index.scan(ahead: pos); pos += Int.random(in: 1...5000, using: &rng) }
                if ok { ok = index.finish() }
                #expect(ok == reference, "round \(round), \(b.count) bytes")
            }
        }
        #expect(invalid > 500)
    }

    @Test("UnicodeTrim trims bytes as a scalar-by-scalar trim of Unicode white space and the invisible characters does, its two-byte shortcut included")
    func trimAgreesWithString() {
        let spaces = [" ", "\t", "\r", "\n", "\u{3000}", "\u{A0}", "\u{85}", "\u{2002}", "\u{202F}", "\u{1680}", "\u{205F}",
                      "\u{200B}", "\u{FEFF}", "\u{200E}", "\u{202E}", "\u{2069}", "\u{2060}"]
        let cores = ["", "a", "S19-0000001", "V1", "中文", "a b", "\u{7F}", "x\u{3000}y", "é", "𠮷", "1.5", "~", "!",
                     "党政办", "a中", "中a", "\u{E000}", "\u{FFEE}", "\u{3001}", "𠮷中", "中𠮷", "１", "（一）", "x\u{200B}y", "\u{0}2.5"]
        var cases: [String] = []
        for c in cores {
            cases.append(c)
            for sp in spaces { cases += [sp + c, c + sp, sp + c + sp, sp + sp + c] }
        }
        for text in cases {
            var t = text
            let trimmed = t.withUTF8 { String(decoding: UnicodeTrim.trim($0), as: UTF8.self) }
            #expect(trimmed == FuzzEntry.trimmedByScalars(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("ValueReader reads what ValueParser reads, every spelling, first from the parser and then from its memory")
    func valueReaderAgreesWithParser() {
        var reader = ValueReader(zone: .shanghai)
        func bytes<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T { var s = s; return s.withUTF8(body) }
        let dates = ["2019-08-05", "2019-02-30", "2019/08/05", "20190805  ", "2019-13-01", "2019-08-06", "2019.8.5", "2019年8月5日",
                     "2019年8月5号", "2019-02-29", "2020-02-29", "1899-12-31", "1900-01-01", "2019-00-10", "2019-1a-05", "2019-08-00",
                     "2019-8-5  ", " 2019-8-05", "2019-08-32", "9999-12-31", "2019-08-5\t", "2019-08-0\t", "2019/8/5", "2019/8/05",
                     "\u{3000}2019/8/5", "2019年08月05日", "201908051"]
        let times = ["09:00", "24:00", "24:01", "23:60", "9:00", "ab:cd", "00:00", "12:34", "09:00:00", "9:00:59", "09:00:60", " 9:00 "]
        var hours = ["0", "7", "12", "2.5", "1a", "99", " 3", ".5", "2.", "2.x", "x.5", "2,5", "12.5", "1.25", "123", "24.9", "0.0",
                     "9.9", "2.5h", "2.5H", "2.5小时", "2.5 小时", "2:30", "2:3", "2:60", "1.333333333333"]
        for whole in ["0", "6", "23", "99"] { for tenth in 0...9 { hours.append("\(whole).\(tenth)") } }
        let instants = ["2019-08-05 16:05", "2019-08-05 24:00", "2019-08-05 24:30", "2019-02-30 10:00", "2019-08-05 1a:05",
                        "2019/08/05 16:05", "2019-08-05T16:05", "2019-08-05 16:60", "2019-0a-05 16:05", "2019-08-06 16:05",
                        "2020-02-29 10:00", "2019-02-29 10:00", "1899-12-31 10:00", "2019-8-06  16:05", "2019/8/9 12:24",
                        "2024-05-24T01:44:09", "2024-05-24T01:44:09.123", "2019-08-05T16:05:00+08:00", "2019-08-05T08:05:00Z",
                        "2019-08-05 16:05+0800", "2019年8月5日 16:05", "20190805T1605", "2019.8.5 9:05:07", "2019-08-05",
                        "2019-08-5\t 09:30", "2019-08-5\r 09:30", "2019-08-5\n 09:30", "2019-08-5  09:30", "2019-8-05\t 09:30",
                        "2019-08-05T 16:05", "2019-08-05TT16:05", " 2019-08-05 16:05 "]
        for round in 0..<3 {
            for d in dates { #expect(bytes(d) { reader.date($0) } == ValueParser.date(d)?.dayNumber, "\(d) round \(round)") }
            for t in times { #expect(bytes(t) { reader.time($0) } == ValueParser.time(t), "\(t) round \(round)") }
            for h in hours { #expect(bytes(h) { reader.hours($0) } == ValueParser.hours(h), "\(h) round \(round)") }
            for i in instants {
                #expect(bytes(i) { reader.instant($0) } == ValueParser.instant(i, in: .shanghai), "\(i) round \(round)")
            }
        }
    }

    @Test("repeats outside the reported week are settled from what was kept: records, plain bytes, quoted rows, XML")
    func repeatsOutsideTheWindow() throws {
        // March rows are outside the window of the week ending 2019-08-09: none becomes a record,
        // so each repeat's content comes from re-reading its bytes (plain rows) or from the
        // hash kept at import (a quoted row with a line break; an XML element).
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity
        P1,V1,2019-03-05,09:00,10:00,,小红象志愿服务队,文明引导
        Q1,V2,2019-03-05,09:00,10:00,,小红象志愿服务队,"两行
        描述"
        P1,V1,2019-03-05,09:00,10:00,,小红象志愿服务队,文明引导
        P1,V1,2019-03-05,09:00,10:00,,小红象志愿服务队,换了内容
        Q1,V2,2019-03-05,09:00,10:00,,小红象志愿服务队,"两行
        描述"
        Q1,V2,2019-03-05,09:00,10:00,,小红象志愿服务队,"两行
        别的描述"
        X1,V3,2019-03-06,09:00,10:00,,,同一条
        """
        s.files["activities/z.xml"] = Array("""
        <activities>
          <activity id="X1" volunteer="V3" date="2019-03-06" start="09:00" end="10:00" activity="同一条"/>
          <activity id="X2" volunteer="V3" date="2019-03-07" start="09:00" end="10:00" activity="甲"/>
          <activity id="X2" volunteer="V3" date="2019-03-07" start="09:00" end="10:00" activity="甲"/>
          <activity id="X2" volunteer="V3" date="2019-03-07" start="09:00" end="10:00" activity="乙"/>
        </activities>
        """.utf8)
        let o = try s.run()
        let csv = try #require(o.loaded.ledger.files.first { $0.path == "activities/log.csv" })
        let xml = try #require(o.loaded.ledger.files.first { $0.path == "activities/z.xml" })
        // CSV: P1 once merged, once rejected; Q1 (quoted, two lines) the same.
        #expect((csv.read, csv.merged, csv.rejected) == (7, 2, 2))
        // XML: X1 repeats the CSV's X1 with the same content (merged); X2 merged once, rejected once.
        #expect((xml.read, xml.merged, xml.rejected) == (4, 2, 1))
        let rejected = o.rejects.map(\.source.description)
        #expect(rejected == ["activities/log.csv:6", "activities/log.csv:9", "activities/z.xml:5"]) // the changed P1; the second Q1 repeat, on the line it starts
    }

    @Test("plain roster rows, split from their bytes, read exactly as the general reader reads them")
    func plainRosterRowsMatchGeneralReader() throws {
        // Every kind of row a roster from Excel has, in random order: quoted cells, a doubled
        // quote, a line break in a cell, blank rows (spaces and tabs: skipped uncounted; an
        // ideographic space: read and rejected), another number of cells, bad dates and flags,
        // repeated ids, teams separated every way, names over 15 bytes (the cache's) repeated
        // and unique, CRLF and lone CR line ends, and a last row without a line end.
        let longTeam = "社区邻里守望互助志愿服务队", otherTeam = "春雨行动志愿服务队"
        let rows = [
            "V1,王继跃,甲科,小红象志愿服务队,联络员,是,13800138001,2019-01-01,",
            "V2,张伟,甲科,\(longTeam);\(otherTeam),队员,,13800138002,,",
            "V3,\"李,娜\",乙科,\"\(longTeam)\",队员,否,138-0013-8003,,",
            "V4,\"赵\"\"敏\",第一站,\(otherTeam),站长,,,,",
            "V5,\"欧阳\n娜娜\",乙科,\(otherTeam),,,,,",
            ",,,,,,,,", " ,\t, ,  ,,,,,", "\u{3000},\u{3000},,,,,,,",
            "V6,钱七,甲科,\(longTeam)；\(otherTeam)、小红象志愿服务队|\(longTeam),联络员 liaison,,,,",
            "V7,孙八,甲科,,,也许,,,", "V8,周九,甲科,,,,,2019-02-30,", "V9,吴十,甲科,,,,,2019-03-01,2019-02-01",
            "V10,郑十一,甲科", "V11,王十二,甲科,,,,,,,,", "V1,王继跃,甲科,小红象志愿服务队,联络员,是,13800138001,2019-01-01,",
            "V1,王继跃,乙科,小红象志愿服务队,联络员,是,13800138001,2019-01-01,",
            "V12, 冯 ,\u{3000}甲科\u{3000},\t\(longTeam) ; ,,,,,",
            "V13,\(longTeam)的队长,\(longTeam),\(longTeam),,,13900139000,,", "V14,\"陈\"x,甲科,,,,,,",
        ]
        var rng = SplitMix(seed: 5)
        var plainRows = 0
        for round in 0..<40 {
            var text = "volunteer_id,name,unit,teams,role,liaison,phone,active_from,active_until\n"
            for k in 0..<Int.random(in: 20...200, using: &rng) {
                var row = rows.randomElement(using: &rng)!
                // Ids made unique now and then, so that most rows are kept, not repeats.
                if row.hasPrefix("V"), k % 3 == 0, let comma = row.firstIndex(of: ",") { row.insert(contentsOf: "-\(k)", at: comma) }
                text += row + ["\n", "\r\n", "\r"].randomElement(using: &rng)!
            }
            if round % 2 == 0 { text.removeLast() } // no line end after the last row
            var s = Scenario()
            s.roster = text
            let folder = try s.write()
            let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
            var general = Importer.Sizes(parallel: .max, deferred: .max, part: .max)
            general.accelerated = false
            let reference = PartsTests.summary(try Importer(campaign: campaign, window: nil, sizes: general).read())
            // In one piece, and in parts of a few hundred bytes with deferred checks.
            for sizes in [Importer.Sizes(parallel: .max, deferred: .max, part: .max), Importer.Sizes(parallel: 256, deferred: 512, part: 700)] {
                let plain = PartsTests.summary(try Importer(campaign: campaign, window: nil, sizes: sizes).read())
                #expect(plain.count == reference.count, "round \(round)")
                for (a, b) in zip(plain, reference) where a != b { Issue.record("round \(round)\nplain:   \(a)\ngeneral: \(b)") }
            }
            #expect(reference.contains { $0.hasPrefix("volunteer") && $0.contains(longTeam) }, "round \(round)")
            #expect(reference.contains { $0.hasPrefix("reject") }, "round \(round)")
            plainRows += try Importer(campaign: campaign, window: nil, sizes: Importer.Sizes(parallel: .max, deferred: .max, part: .max)).read().plainRowsRead
        }
        #expect(plainRows > 1_000, "\(plainRows) rows read from their bytes")
    }

    @Test("the name cache gives the string and the list of exactly the bytes asked for, shared when they repeat")
    func nameCacheGivesTheTextAskedFor() {
        var rng = SplitMix(seed: 13)
        // "é" composed and decomposed: texts `String ==` calls equal, with other bytes.
        let pieces: [[UInt8]] = ["志愿服务队", "小红象", "a", ";", "、", " ", "1234567", "社区", "\u{E9}", "e\u{301}"].map { Array($0.utf8) }
            + [[0xFF], [0xE4, 0xB8]]
        let cache = NameCache()
        // A few hundred texts, more than the cache's slots, asked for again and again.
        var texts: [[UInt8]] = []
        for _ in 0..<600 {
            var t: [UInt8] = []
            for _ in 0..<Int.random(in: 1...8, using: &rng) { t += pieces.randomElement(using: &rng)! }
            texts.append(t)
        }
        var shared = 0
        for _ in 0..<20_000 {
            let t = texts[Int.random(in: 0..<(Bool.random(using: &rng) ? 20 : texts.count), using: &rng)]
            t.withUnsafeBufferPointer { b in
                let s = cache.string(b)
                #expect(Array(s.utf8) == Array(String(decoding: b, as: UTF8.self).utf8))
                let list = cache.list(b) { RowParser.split(b) { String(decoding: $0, as: UTF8.self) } }
                #expect(list.map { Array($0.utf8) } == RowParser.split(String(decoding: b, as: UTF8.self)).map { Array($0.utf8) })
                // A repeat right after is the same storage (valid UTF-8 over 15 bytes only).
                if b.count > 15, UTF8Check.isPlainText(b) {
                    var again = cache.string(b), first = s
                    let p1 = first.withUTF8 { $0.baseAddress }, p2 = again.withUTF8 { $0.baseAddress }
                    if p1 == p2 { shared += 1 }
                }
            }
        }
        #expect(shared > 1_000, "repeats shared \(shared) times")
    }

    @Test("a text's head and tail words are equal for texts of one length up to 16 bytes only when the texts are")
    func headAndTailTellTextsApart() {
        var rng = SplitMix(seed: 17)
        // A small alphabet, so that texts of one length often share bytes, and often all of them.
        let alphabet: [UInt8] = [0x00, 0x20, 0x31, 0x3A, 0x80, 0xE4, 0xFF]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...16, using: &rng)
            let a = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            var b = a
            if n > 0, Bool.random(using: &rng) { b[Int.random(in: 0..<n, using: &rng)] = alphabet.randomElement(using: &rng)! }
            let wa = a.withUnsafeBufferPointer(headAndTail), wb = b.withUnsafeBufferPointer(headAndTail)
            #expect((wa.head == wb.head && wa.tail == wb.tail) == (a == b), "\(a) \(b)")
        }
    }

    @Test("a column is looked up by its exact key, whatever the key's length")
    func columnLookupFindsExactKeys() throws {
        var header = try HeaderMap(cells: ["volunteer_id", "name", "unit"], kind: .roster, line: 1)
        // Keys of every length from 1 to 24 bytes, and pairs that differ only in the middle of a
        // long key (same length, same first and last eight bytes) or in one short byte.
        let keys = (1...24).map { String(repeating: "k", count: $0) } + ["abcdefgh_1_stuvwxyz", "abcdefgh_2_stuvwxyz", "a", "b", "中文列", "中文行"]
        header.index = [:]
        for (i, k) in keys.enumerated() { header.index[k] = i }
        let lookup = Importer.ColumnLookup(header)
        for (i, k) in keys.enumerated() { #expect(lookup.index(k) == i, "\(k)") }
        for missing in ["", "abcdefgh_3_stuvwxyz", "c", "中文字", String(repeating: "k", count: 25), "kk k"] {
            #expect(lookup.index(missing) == nil, "\(missing)")
        }
    }

    @Test("activity logs read from their bytes (ActivityScanner) give exactly what the reference reader (RowParser for every row) gives")
    func activityRowsFromBytesMatchReference() throws {
        // Runs of rows on one day outside the window (what C reads), rows in the window, and
        // every kind of row that stops it: quotes, a line break in a cell, odd spellings, blank
        // rows, another number of cells, rows over 4 KB, repeats with and without a record_id,
        // LF, CRLF and lone CR line ends, and a last row without a line end. Headers with every
        // column, and with some absent or in another order.
        let headers = [
            "record_id,volunteer_id,date,start,end,hours,team,activity,submitted_at",
            "volunteer_id,date,hours,team",
            "date,start,end,volunteer_id,submitted_at,team",
        ]
        // Every spelling of the contract (§3), one per file as Excel or another system writes
        // it, and each cell now and then in another; in UTF-8, UTF-8 with a BOM and GB18030, with
        // English or Chinese headers.
        func spell(_ month: Int, _ day: Int, _ style: Int) -> String {
            switch style % 5 {
            case 0: return String(format: "2019-%02d-%02d", month, day)
            case 1: return "2019/\(month)/\(day)"
            case 2: return "2019.\(month).\(day)"
            case 3: return "2019年\(month)月\(day)日"
            default: return String(format: "2019%02d%02d", month, day)
            }
        }
        let times = [["09:00", "23:00"], ["9:00", "23:00"], ["09:00:00", "23:00:00"]]
        let endTimes = [["10:30", "01:00"], ["10:30", "1:00"], ["10:30:00", "01:00:00"]]
        let hourSpellings = [["2", "1.5"], ["2h", "1.5h"], ["2小时", "1.5小时"], ["2:00", "1:30"]]
        let chinese = ["record_id": "记录编号", "volunteer_id": "志愿者编号", "date": "日期", "start": "开始时间", "end": "结束时间",
                       "hours": "时长", "team": "服务队", "activity": "活动", "submitted_at": "报送时间"]
        var rng = SplitMix(seed: 31)
        var readFromBytes = 0
        for round in 0..<36 {
            let header = headers[round % headers.count].split(separator: ",").map(String.init)
            let style = round / 3
            var text = (round % 4 == 3 ? header.map { chinese[$0]! } : header).joined(separator: ",") + "\n"
            var day = 3
            for k in 0..<Int.random(in: 50...400, using: &rng) {
                if Int.random(in: 0..<40, using: &rng) == 0 { day = Int.random(in: 1...28, using: &rng) }
                let inWeek = Int.random(in: 0..<12, using: &rng) == 0
                let (month, dayOfMonth) = inWeek ? (8, Int.random(in: 5...9, using: &rng)) : (3, day)
                let cellStyle = Int.random(in: 0..<10, using: &rng) == 0 ? Int.random(in: 0..<15, using: &rng) : style
                let date = spell(month, dayOfMonth, cellStyle)
                let odd = Int.random(in: 0..<8, using: &rng) == 0
                let stamp = [spell(month, dayOfMonth, cellStyle) + " 16:05", spell(month, dayOfMonth, cellStyle) + "T16:05:07",
                             String(format: "2019-%02d-%02dT08:05:00Z", month, dayOfMonth), String(format: "2019-%02d-%02d 16:05:00+08:00", month, dayOfMonth),
                             spell(month, min(dayOfMonth + 1, 28), cellStyle) + " 8:00"][cellStyle % 5]
                let values: [String: String] = [
                    "record_id": odd ? [" R\(k)", "\"R\(k % 7)\"", "R\(k % 5)", ""].randomElement(using: &rng)! : (k % 3 == 0 ? "" : "R\(k)"),
                    "volunteer_id": odd ? ["V\(k % 3) ", "\"V,1\"", " "].randomElement(using: &rng)! : "V\(k % 9)",
                    "date": odd ? ["2019/3/\(day)", "2019-02-30", " \(date)", "\"\(date)\"", "2019年2月30日", "20190230"].randomElement(using: &rng)! : date,
                    "start": odd ? ["9:00", "24:00", " ", "9:60", "\" 9:00 \""].randomElement(using: &rng)! : (times[cellStyle % 3] + [""]).randomElement(using: &rng)!,
                    "end": (endTimes[cellStyle % 3] + [""]).randomElement(using: &rng)!,
                    "hours": odd ? ["2.25", "x", "0", "2:75", ".5", "25"].randomElement(using: &rng)! : ([""] + hourSpellings[cellStyle % 4]).randomElement(using: &rng)!,
                    "team": odd ? ["\"队\n甲\"", "\"a\"\"b\"", String(repeating: "长", count: 1_500)].randomElement(using: &rng)!
                        : ["小红象志愿服务队", "小红象志愿服务队", "\"小红象\"\"志愿\"\"服务队\"", "\"小红象\n服务队\""].randomElement(using: &rng)!,
                    // Quoted cells, around commas too: read off the separator index; with a doubled
                    // quote or a line break: copied unescaped (`UnquotedRows`) and read as plain.
                    "activity": ["文明引导", "\"文明,引导\"", "\"文明引导\"", "\"\"", "\"文明\"\"引导\"\"\"", "\"文明\r\n引导,\"\"甲\"\"\"",
                                 "\"\"\"\"\""].randomElement(using: &rng)!,
                    "submitted_at": odd ? ["2019-03-05T16:05", "2019-03-05 1a:05", "2019/3/5 8:00", "2019-03-05 16:05+25:00"].randomElement(using: &rng)!
                        : ["", stamp].randomElement(using: &rng)!,
                ]
                var cells = header.map { values[$0]! }
                if Int.random(in: 0..<60, using: &rng) == 0 { cells.removeLast() }
                let row = Int.random(in: 0..<80, using: &rng) == 0 ? "" : cells.joined(separator: ",")
                text += row + ["\n", "\n", "\r\n", "\r"].randomElement(using: &rng)!
                if Int.random(in: 0..<30, using: &rng) == 0 { text += row + "\n" } // the same row again
                // The same row again with its activity spelled otherwise: the same content (merged
                // with its record_id), or, once unescaped, other content (rejected).
                if Int.random(in: 0..<30, using: &rng) == 0, let a = header.firstIndex(of: "activity"), cells.count == header.count {
                    var again = cells
                    again[a] = ["文明\"引导\"", "\"文明\"\"引导\"\"\"", "文明\"\"引导\"\""].randomElement(using: &rng)!
                    text += again.joined(separator: ",") + "\n"
                }
            }
            if round % 2 == 0 { text.removeLast() } // no line end after the last row
            var s = Scenario()
            switch round % 3 {
            case 0: s.files["activities/log.csv"] = Array(text.utf8)
            case 1: s.files["activities/log.csv"] = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
            default: s.files["activities/log.csv"] = GB18030Tests.gb18030(text)
            }
            let folder = try s.write()
            let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
            let window = CivilDate(year: 2019, month: 8, day: 2)!...CivilDate(year: 2019, month: 8, day: 9)!
            for var sizes in [Importer.Sizes(parallel: .max, deferred: .max, part: .max), Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 3 << 10)] {
                // Records with their words (a daily bulletin's) and without (every other report's:
                // the duplicate check's contents then kept or read again otherwise).
                for keepsText in [true, false] {
                    func importer() -> Importer {
                        var i = Importer(campaign: campaign, window: window, sizes: sizes)
                        i.keepsText = keepsText
                        return i
                    }
                    sizes.accelerated = false
                    let reference = PartsTests.summary(try importer().read(), words: keepsText)
                    sizes.accelerated = true
                    let result = try importer().read()
                    readFromBytes += result.plainRowsRead
                    let fast = PartsTests.summary(result, words: keepsText)
                    #expect(fast.count == reference.count, "round \(round)")
                    for (a, b) in zip(fast, reference) where a != b { Issue.record("round \(round) keepsText \(keepsText)\nfrom bytes: \(a)\nreference:  \(b)") }
                }
            }
        }
        #expect(readFromBytes > 5_000, "\(readFromBytes) rows read from their bytes")
    }

    /// The campaign in `folder` imported (the week ending 2019-08-09) with the accelerated
    /// readers and without them, each summarised.
    static func bothWays(_ folder: URL) throws -> (fast: [String], ordinary: [String]) {
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let window = CivilDate(year: 2019, month: 8, day: 2)!...CivilDate(year: 2019, month: 8, day: 9)!
        var off = Importer.Sizes()
        off.accelerated = false
        return (PartsTests.summary(try Importer(campaign: campaign, window: window, sizes: Importer.Sizes()).read()),
                PartsTests.summary(try Importer(campaign: campaign, window: window, sizes: off).read()))
    }

    @Test("the XML shortcut stands aside for a column given twice as children: rejected when they differ, read when they agree, as the ordinary path does")
    func xmlShortcutChildrenTwice() throws {
        var s = Scenario()
        s.files["activities/a.xml"] = Array("""
        <activities submitted-at="2019-03-20T10:00:00+08:00">
        <activity date="2019-03-11" hours="1"><volunteer>V1</volunteer><volunteer>V2</volunteer></activity>
        <activity id="T2" date="2019-03-12" hours="1"><volunteer>V1</volunteer><volunteer>V1</volunteer></activity>
        <activity id="T3" volunteer="V3" date="2019-03-13" hours="2"><hours>3</hours><hours>4</hours></activity>
        </activities>
        """.utf8)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let (fast, ordinary) = try Self.bothWays(folder)
        #expect(fast == ordinary)
        #expect(ordinary.filter { $0.hasPrefix("reject") }.count == 2, "\(ordinary)")
    }

    @Test("the XML shortcut counts, hashes and settles exactly as the ordinary path")
    func xmlShortcutMatchesOrdinaryPath() throws {
        var s = Scenario()
        var xml = "<activities submitted-at=\"2019-03-20T10:00:00+08:00\">\n"
        for n in 0..<300 {
            let day = n % 5 == 0 ? "2019-08-0\(5 + n % 4)" : "2019-03-\(10 + n % 9)"
            let v = "V\(1 + n % 4)"
            switch n % 10 {
            case 0: xml += "<activity id=\"A\(n)\" volunteer=\"\(v)\" date=\"\(day)\" start=\"09:00\" end=\"10:30\" team=\"小红象志愿服务队\"/>\n"
            case 1: xml += "<activity id=\"A\(n)\" volunteer=\"\(v)\" date=\"\(day)\" hours=\"2.5\"><title>标题</title><team> </team><team>春雨行动志愿服务队</team></activity>\n"
            case 2: xml += "<activity record-id=\"A\(n - 2)\" volunteer-id=\"\(v)\" date=\"\(day)\" hours=\"1\"><description>  有空格  </description><submitted-at>2019/3/21 9:00</submitted-at></activity>\n"
            case 3: xml += "<activity id=\"A\(n)\" volunteer=\"\(v)\" date=\"2019/3/32\" hours=\"1\"/>\n" // a bad date
            case 4: xml += "<activity id=\"A\(n)\" volunteer=\"\(v)\" date=\"\(day)\" hours=\"1\"><media href=\"a.jpg\" type=\"photo\"/></activity>\n"
            case 5:
                // Row n-4 again, its title and team given as attributes: the same content, merged.
                let m = n - 4
                let mday = m % 5 == 0 ? "2019-08-0\(5 + m % 4)" : "2019-03-\(10 + m % 9)"
                xml += "<activity id=\"A\(m)\" volunteer=\"V\(1 + m % 4)\" date=\"\(mday)\" hours=\"2.5\" title=\"标题\" team=\"春雨行动志愿服务队\"/>\n"
            case 6: xml += "<activity volunteer=\"\(v)\" date=\"\(day)\" start=\"23:00\" end=\"01:00\" unit=\" \" media=\"x.jpg; y.mp4\" submitted-at=\"2019/3/21 8:00\"/>\n"
            case 7: xml += "<activity volunteer=\"\(v)\" date=\"\(day)\" start=\"23:00\" end=\"01:00\" unit=\" \" media=\"x.jpg; y.mp4\" submitted-at=\"2019/3/21 8:00\"/>\n"
            case 8: xml += "<activity id=\"A\(n)\" volunteer=\"\(v)\" date=\"\(day)\" hours=\"1\" phone=\"13800138000\"/>\n"
            default: xml += "<activity id=\"A\(n)\" volunteer=\"\(v)\" date=\"\(day)\" hours=\"0\"/>\n" // zero hours
            }
            if n == 150 { xml += "</activities>\n<activities unit=\"乙科\">\n" }
        }
        xml += "</activities>\n"
        // An empty enclosing unit: the parser keeps "" as the unit; the shortcut must stand aside
        // (a repeat read the ordinary way, here for its phone attribute, must still merge).
        xml += "<activities unit=\"\">\n<activity id=\"E1\" volunteer=\"V1\" date=\"2019-03-11\" hours=\"1\"/>\n"
        xml += "<activity id=\"E1\" volunteer=\"V1\" date=\"2019-03-11\" hours=\"1\" phone=\"13800000000\"/>\n</activities>\n"
        s.files["activities/a.xml"] = Array("<root>\n\(xml)</root>\n".utf8)
        let folder = try s.write()
        let (fast, ordinary) = try Self.bothWays(folder)
        #expect(fast.count == ordinary.count)
        for (a, b) in zip(fast, ordinary) where a != b { Issue.record("shortcut: \(a)\nordinary: \(b)") }
        let file = try #require(ordinary.first { $0.hasPrefix("file activities/a.xml") })
        #expect(file.contains("read 302"), "\(file)")
        #expect(ordinary.contains { $0.hasPrefix("reject") && $0.contains("record_id") }, "a conflicting repeat is rejected")
        // 30 bad dates, 30 zero hours, 30 conflicting repeats; 30 same-content repeats, 24 repeats
        // without an id and E1 merged.
        #expect(file.contains("merged 55 rejected 90"), "\(file)")
    }

    @Test("the duplicate check settles rows however their identities fall into its groups", .timeLimit(.minutes(1)))
    func identitiesInOneGroup() {
        // Every identity in one group (the same top byte), and the groups of a table's size: the
        // table must be sized by its group's rows (a table sized by a share of all rows once
        // filled up and probed for ever). Every fifth row repeats the row before it.
        for count in [1, 2, 17, 21, 40, 200, 1_000] {
            var result = ImportParts()
            result.files = [InputFileReport(path: "a.csv", absolutePath: "", kind: .activity, format: "UTF-8", sha256: "", byteCount: 0)]
            var repeats = 0
            for k in 0..<count {
                let same = k % 5 == 4
                if same { repeats += 1 }
                let n = UInt64(same ? k - 1 : k)
                result.scan(RowKey(a: 0xAB << 56 | (n &* 0x9E37_79B9_7F4A_7C15) >> 8, b: n),
                            ScannedRow(fileIndex: 0, line: k + 2, record: -1, start: 0, length: 0, hasRecordID: false))
            }
            var whole = ImportParts()
            whole.files = result.files
            whole.append(result)
            Duplicates.settle(&whole, zone: .shanghai)
            #expect(whole.files[0].merged == repeats && whole.rejects.isEmpty, "\(count) rows")
        }
    }

    @Test("records dropped by place keep the others in order, every element once", arguments: [0, 1, 2, 7, 50])
    func removeAtPlaces(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let count = seed == 0 ? 0 : 200
        // Classes, as records are boxes: a dropped or kept one counted twice or lost would show.
        final class Box { let n: Int; init(_ n: Int) { self.n = n } }
        struct Weak { weak var box: Box? }
        let drop = (0..<count).filter { _ in rng.next() % 4 == 0 } + (count > 0 && seed == 7 ? [count - 1] : [])
        var array = (0..<count).map { Box($0) }
        let watched = array.map { Weak(box: $0) }
        array.remove(at: drop.sorted())
        #expect(array.map(\.n) == (0..<count).filter { !drop.contains($0) })
        // The dropped ones are let go at once, the kept ones held once (let go with the array).
        #expect(watched.indices.allSatisfy { (watched[$0].box == nil) == drop.contains($0) })
        array = []
        #expect(watched.allSatisfy { $0.box == nil })
    }

    /// A part's kept rows get room for as many rows as its first line feeds foretell, not by
    /// doubling from a guess of 128 bytes a row.
    @Test("the rows a part is expected to hold, from its first line feeds")
    func expectedRows() {
        for (rowLength, rows) in [(40, 100_000), (117, 70_000), (300, 3_000), (50, 10)] {
            let text = Array(repeating: String(repeating: "x", count: rowLength - 2) + "\r\n", count: rows).joined()
            let expected = Array(text.utf8).withUnsafeBufferPointer { KeptRows.expectedRows(in: $0, cells: 13) }
            #expect(expected >= rows && expected <= rows + rows / 10 + 64, "\(rowLength)-byte rows: \(expected) for \(rows)")
        }
        // Lone CR line ends: rows of 128 bytes assumed.
        let crOnly = Array(repeating: String(repeating: "x", count: 99) + "\r", count: 1_000).joined()
        #expect(Array(crOnly.utf8).withUnsafeBufferPointer { KeptRows.expectedRows(in: $0, cells: 13) } == 100_000 / 128)
        // Blank lines (LF, CR LF) first are no rows; nor can there be more than a row for every 32 bytes.
        let blanks = Array((String(repeating: "\n", count: 100_000) + String(repeating: "\r\n", count: 50_000)
            + String(repeating: "R1,V1,2019-08-05,1\n", count: 1_000_000)).utf8)
        let guess = blanks.withUnsafeBufferPointer { KeptRows.expectedRows(in: $0, cells: 4) }
        #expect(guess <= blanks.count / 32 + 64, "\(guess) rows for \(blanks.count) bytes")
        let tiny = Array(String(repeating: "R1,V1,2019-08-05,1\n", count: 100_000).utf8)
        #expect(tiny.withUnsafeBufferPointer { KeptRows.expectedRows(in: $0, cells: 4) } == tiny.count / 32 + 64)
    }
}
