import Foundation
import Testing
@testable import FiveHours
#if canImport(Glibc)
import Glibc
#endif

/// GB18030 files read in parts — on their own bytes for a short window, each row that must be
/// decoded on its own (`RowJob.readActivities`); each part decoded whole without a window
/// (`GB18030.PartDecoder.withPart`, `RowPlaces`):
/// files of random shapes — LF, CRLF and lone CR line ends mixed row by row and inside quoted
/// cells, four-byte characters, long headers, repeats read again (in and out of the window),
/// conflicting repeats quoted in `rejects.csv`, a last row with or without a line end — read in
/// parts of random sizes (so that cuts and pieces fall everywhere) and in one piece.
@Suite("GB18030 files read in parts")
struct GB18030PartsTests {
    static func randomLog(_ rng: inout SplitMix, round: Int) -> String {
        let ends = ["\n", "\n", "\r\n", "\r"]
        var header = PartsTests.header
        if round % 3 == 1 { header = header.replacingOccurrences(of: "category", with: String(repeating: "备注", count: Int.random(in: 600...900, using: &rng))) }
        var text = header + ends.randomElement(using: &rng)!
        var rows: [String] = []
        for n in 0..<Int.random(in: 60...400, using: &rng) {
            let day = n % 3 == 0 ? "2019-08-0\(5 + n % 5)" : "2019-03-\(10 + n % 9)"
            let v = "V\(1 + n % 4)"
            let cellEnd = ends.randomElement(using: &rng)!
            var row: String
            switch Int.random(in: 0..<14, using: &rng) {
            case 0: row = "R\(n),\(v),\(day),09:00,10:30,,𠮷小红象志愿服务队,文明引导,,,,,2019-08-05 16:05"
            case 1: row = "R\(n),\(v),\(day),,,2.5,\"春雨行动志愿服务队\",\"义诊, 测血压\",,,,,"
            case 2: row = "R\(n),\(v),\(day),9:00,11:00,,,\"多行\(cellEnd)描述\(cellEnd)𠮷\",,,,," // line breaks in a cell
            case 3: row = ",\(v),\(day),10:00,12:00,,,,,,,," // no record_id: repeats merge
            case 4: row = rows.randomElement(using: &rng) ?? "" // a repeat, same content
            case 5:
                // A repeat of an id with other content: rejected, quoted from the file.
                row = (rows.randomElement(using: &rng) ?? "R0,V1,2019-03-10,,,1,,,,,,,").replacingOccurrences(of: ",,,,,", with: ",,,换了,,")
            case 6: row = "R\(n),\(v),2019/8/32,09:00,10:00,,,,,,,," // a bad date
            case 7: row = ""
            case 8: row = "R\(n),\(v),\(day),,,2:30,,\"x\"y,,,,," // text after a quote
            // Chinese in the cells a row is checked and identified by: read from its decoded
            // text, in the window and out of it (a full-width space trimmed, a date, hours).
            // The same in rows that read either way: no record_id and a full-width space around
            // the volunteer (its repeats merge with case 3's), a Chinese record_id.
            case 9: row = n % 2 == 0 ? "R\(n),\(v),2019年\(n % 3 == 0 ? "8月\(5 + n % 5)" : "3月\(10 + n % 9)")日,9:00,10:00,,,,,,,,"
                : ",\u{3000}\(v),\(day),10:00,12:00,,,,,,,,"
            case 10: row = n % 2 == 0 ? "号\(n % 23),\(v),\(day),,,2小时,,,,,,," : "号\(n % 23),\(v),\(day),09:00,10:00,,,,,,,,"
            default: row = "R\(n % 17),\(v),\(day),08:00,09:00,,,𠮷,,,,,"
            }
            rows.append(row)
        }
        for (k, row) in rows.enumerated() {
            text += row
            if k < rows.count - 1 || round % 2 == 0 { text += ends.randomElement(using: &rng)! }
        }
        return text
    }

    @Test("a row's key cells are ASCII exactly when no cell the row is read by outside the window holds a byte of 0x80 or more, whatever the columns' order")
    func keyCellsInAnyOrder() {
        var rng = SplitMix(seed: 0xC011)
        var disagreements: [String] = []
        let keys = Set(ActivityCells.readOutsideWindow)
        for _ in 0..<3_000 {
            // The table's columns in a random order, some left out: the key cells fall into runs
            // of neighbours in any pattern.
            let order = Array(0..<ActivityCells.count).shuffled(using: &rng).filter { _ in Int.random(in: 0..<5, using: &rng) > 0 }
            var map = ActivityScanner.CellMap()
            for (cell, position) in order.enumerated() { map[position] = cell }
            let scanner = ActivityScanner(cells: map, cellCount: order.count, window: nil)
            // A row of short cells, ASCII but for one or two cells given a Chinese character.
            var cellTexts = order.map { _ in Array("v\(Int.random(in: 0..<1000, using: &rng))".utf8) }
            var chinese = Set<Int>()
            for _ in 0..<Int.random(in: 0...2, using: &rng) where !order.isEmpty {
                let c = Int.random(in: 0..<order.count, using: &rng)
                cellTexts[c] += Array("志".utf8)
                chinese.insert(c)
            }
            var text: [UInt8] = []
            let cells = UnsafeMutablePointer<Int>.allocate(capacity: 2 * max(order.count, 1))
            defer { cells.deallocate() }
            for (c, t) in cellTexts.enumerated() {
                if c > 0 { text.append(44) }
                cells[2 * c] = text.count
                text += t
                cells[2 * c + 1] = text.count
            }
            text += [13, 10]
            let expected = !chinese.contains { keys.contains(order[$0]) }
            let got = text.withUnsafeBufferPointer { b in
                scanner.keyCellsAreASCII(PlainRow(base: b.baseAddress!, cells: cells), end: b.baseAddress! + b.count)
            }
            if got != expected { disagreements.append("columns \(order), Chinese in cells \(chinese.sorted()): \(got)") }
        }
        #expect(disagreements.count == 0, "\(disagreements.prefix(5))")
    }

    @Test("a stretch of a row's key cells is ASCII exactly when each of its bytes is below 0x80, whatever its length and however near the text's end")
    func keyCellsASCIICheck() {
        var rng = SplitMix(seed: 0xA5C11)
        var disagreements: [String] = []
        for round in 0..<20_000 {
            // A text of up to 64 bytes, mostly ASCII, with a byte of 0x80 or more here and there,
            // and one stretch of it: any start, any length to the text's end (in its last 8
            // bytes, where the check reads no word past the end, as often as not).
            let n = Int.random(in: 1...64, using: &rng)
            var text = (0..<n).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) }
            for _ in 0..<Int.random(in: 0...2, using: &rng) { text[Int.random(in: 0..<n, using: &rng)] = UInt8.random(in: 0x80...0xFF, using: &rng) }
            let start = round % 2 == 0 ? Int.random(in: max(0, n - 8)...n, using: &rng) : Int.random(in: 0...n, using: &rng)
            let end = Int.random(in: start...n, using: &rng)
            let expected = text[start..<end].allSatisfy { $0 < 0x80 }
            let cells = UnsafeMutablePointer<Int>.allocate(capacity: 2)
            defer { cells.deallocate() }
            (cells[0], cells[1]) = (start, end)
            let got = text.withUnsafeBufferPointer { b in
                ActivityScanner.bytesOred(PlainRow(base: b.baseAddress!, cells: cells), from: 0, to: 0, b.baseAddress! + n) & 0x8080_8080_8080_8080 == 0
            }
            if got != expected { disagreements.append("\(text[start..<end]) at \(start) of \(n): \(got)") }
        }
        #expect(disagreements.count == 0, "\(disagreements.prefix(5))")
    }

    @Test("GB18030 files of random shapes give in parts exactly what one pass gives")
    func randomShapesMatchOnePass() throws {
        var rng = SplitMix(seed: 2024)
        var inParts = 0
        for round in 0..<48 {
            let text = GB18030PartsTests.randomLog(&rng, round: round)
            var s = Scenario()
            s.files["activities/log.csv"] = ImportTestSupport.gb18030(text)
            let folder = try s.write()
            defer { ImportTestSupport.remove(folder) }
            let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
            let window = CivilDate(year: 2019, month: 7, day: 26)!...CivilDate(year: 2019, month: 8, day: 9)!
            let whole = PartsTests.summary(try Importer(campaign: campaign, window: window, sizes: Importer.Sizes(parallel: .max, deferred: .max, part: .max)).read())
            for part in [Int.random(in: 400...1200, using: &rng), Int.random(in: 1200...6000, using: &rng)] {
                for window in [window, nil] {
                    let reference = window == nil
                        ? PartsTests.summary(try Importer(campaign: campaign, window: nil, sizes: Importer.Sizes(parallel: .max, deferred: .max, part: .max)).read())
                        : whole
                    let result = try Importer(campaign: campaign, window: window, sizes: Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: part)).read()
                    let file = try #require(result.files.firstIndex { $0.path == "activities/log.csv" })
                    if result.readInParts[file]?.parts ?? 0 > 1 { inParts += 1 }
                    let got = PartsTests.summary(result)
                    #expect(got.count == reference.count, "round \(round) part \(part)")
                    for (a, b) in zip(got, reference) where a != b {
                        Issue.record("round \(round) part \(part) window \(window != nil)\nparts:    \(a)\none pass: \(b)")
                        break
                    }
                }
            }
        }
        #expect(inParts > 40, "\(inParts) imports read in more than one part")
    }

    /// Reads a log of repeated rows outside the window (their contents read again from the file by
    /// the duplicate check, `Duplicates.readAgain`), then cuts the file short before the check,
    /// as a unit writing its file again in place while the batch runs would.
    static func cutBeforeTheDuplicateCheck(gb18030: Bool) throws -> ImportParts {
        var text = PartsTests.header + "\n"
        let row = { (n: Int) in "R\(n),V\(1 + n % 4),2019-03-1\(n % 9),09:00,10:30,,小红象志愿服务队,文明引导,,,,,\n" }
        for n in 0..<400 { text += row(n) }
        for n in 380..<400 { text += row(n) } // repeats, the same content: merged
        var s = Scenario()
        s.files["activities/log.csv"] = gb18030 ? ImportTestSupport.gb18030(text) : Array(text.utf8)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let window = CivilDate(year: 2019, month: 7, day: 26)!...CivilDate(year: 2019, month: 8, day: 9)!
        let importer = Importer(campaign: campaign, window: window, sizes: Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 3 << 10))
        let path = folder.appendingPathComponent("activities/log.csv").path
        var parts = ImportParts()
        try importer.read(path, kind: .activity, into: &parts)
        let file = parts.files.firstIndex { $0.path == "activities/log.csv" }
        precondition(file.flatMap { parts.readInParts[$0]?.parts } ?? 0 > 1, "read in parts")
        precondition(truncate(path, 1 << 10) == 0)
        Duplicates.settle(&parts, zone: campaign.zone)
        // As a run does: its hash, read apart (and failing on the cut file), is waited for.
        _ = try? parts.awaitDigests()
        return parts
    }

    /// RELIABILITY.md item 15: a file cut short while it is read is never a signal. A GB18030
    /// file's repeats used to be read again from its decoded copy; now they are decoded again from
    /// the file, and a row that no longer decodes (or splits) trapped in `Duplicates.readAgain`
    /// ("a row read by the fast path cannot be read again").
    @Test("a file cut short before the duplicate check reads its repeats again without a trap", arguments: [true, false])
    func cutBeforeDuplicateCheckDoesNotTrap(gb18030: Bool) async {
        if gb18030 {
            let r = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
                _ = try GB18030PartsTests.cutBeforeTheDuplicateCheck(gb18030: true)
            }
            if let r, r.exitStatus != .exitCode(0) { Issue.record("\(String(decoding: r.standardErrorContent, as: UTF8.self).suffix(300))") }
        } else {
            await #expect(processExitsWith: .success) {
                _ = try GB18030PartsTests.cutBeforeTheDuplicateCheck(gb18030: false)
            }
        }
    }

    /// A GB18030 file mapped and its first lines decoded (`TextBuffer.loadDeferred`), then cut
    /// short before its parts are cut: `PartDecoder.rawOffset(ofHead:)` counts the line ends of the
    /// file's first lines again, which now read as zeros. Returns whether the parts were taken.
    static func cutAfterItsFirstLines() throws -> Bool {
        var text = PartsTests.header + "\r\n"
        for n in 0..<200 { text += "R\(n),V\(1 + n % 4),2019-03-1\(n % 9),09:00,10:30,,小红象志愿服务队,文明引导,,,,,\r\n" }
        var s = Scenario()
        s.files["activities/log.csv"] = ImportTestSupport.gb18030(text)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let importer = Importer(campaign: campaign, window: nil, sizes: Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 3 << 10))
        let path = folder.appendingPathComponent("activities/log.csv").path
        guard let buffer = try TextBuffer.loadDeferred(path: path, minimumSize: 1 << 10), buffer.decoder != nil else { return true }
        precondition(truncate(path, 16) == 0)
        var parts = ImportParts()
        let taken = try importer.readLoaded(buffer, path: path, into: &parts)
        // Not taken from the parts: the importer reads the file again, and rejects it as cut short.
        return taken && !buffer.wasCut
    }

    /// RELIABILITY.md item 15 again: a file cut short between the decoding of its first lines and
    /// the cutting of its parts trapped in `PartDecoder.rawOffset(ofHead:)` ("the header ends at a
    /// line end"): it must be turned down (read again the ordinary way, which rejects it).
    @Test("a GB18030 file cut short after its first lines are decoded is turned down, not a trap")
    func cutAfterFirstLinesDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            guard try !GB18030PartsTests.cutAfterItsFirstLines() else { exit(3) }
        }
    }
}
