import CFastBytes
import Foundation
import Testing
@testable import FiveHours

/// A file that mixes UTF-8 and GB18030: rows pasted from a UTF-8 source into a GBK export (or
/// two exports joined with `copy /b`). The UTF-8 of Chinese is valid GB18030 whenever a cell
/// holds an even number of characters, so such a row decodes without an error into other
/// characters; `GB18030.firstUTF8Line` finds it, and the file is rejected whole naming the line
/// (formats.md §6), as a UTF-8 file with a GBK line is.
@Suite("Files mixing UTF-8 and GB18030")
struct MixedEncodingTests {
    /// The rule as stated, in Swift: the first line (split at line feeds and carriage returns) that is valid UTF-8 and
    /// holds at least `least` characters U+3000–U+9FFF.
    static func reference(_ bytes: [UInt8], least: Int) -> Int? {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 10, bytes[end] != 13 { end += 1 }
            if let line = String(validating: bytes[start..<end], as: UTF8.self),
               line.unicodeScalars.filter({ (0x3000...0x9FFF).contains($0.value) }).count >= least {
                return start
            }
            start = end + 1
        }
        return nil
    }

    static let pieces: [[UInt8]] = [
        Array("小".utf8), Array("红".utf8), Array("象".utf8), ImportTestSupport.gb18030("张"), ImportTestSupport.gb18030("伟"),
        ImportTestSupport.gb18030("区"), [0xC7, 0xF8], [0xB0, 0xA1], Array("a,".utf8), Array(",".utf8), [10], [13, 10], [13],
        [0xE4], [0x80], Array("é".utf8), Array("😀".utf8), [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80], Array("　".utf8), Array("12".utf8),
    ]

    @Test("the line finder: the AVX2 kernel, the scalar one and the rule stated in Swift agree on random mixtures")
    func kernelsAgree() {
        var rng = SplitMix(seed: 0x5EED_0018)
        var found = 0
        for round in 0..<40_000 {
            var bytes: [UInt8] = []
            let utf8Heavy = round % 3 != 0
            for _ in 0..<Int.random(in: 0...(round % 7 == 0 ? 300 : 60), using: &rng) {
                let k = utf8Heavy && Int.random(in: 0..<4, using: &rng) > 0 ? Int.random(in: 0..<3, using: &rng) : Int.random(in: 0..<Self.pieces.count, using: &rng)
                bytes += Self.pieces[k]
            }
            let least = Int.random(in: 0...4, using: &rng)
            let expected = Self.reference(bytes, least: least)
            if expected != nil { found += 1 }
            bytes.withUnsafeBufferPointer { b in
                let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
                let scalar = fh_first_utf8_line(p, b.count, Int32(least))
                #expect((scalar < 0 ? nil : scalar) == expected, "scalar, \(bytes)")
                if UTF8Check.avx2 {
                    let wide = fh_first_utf8_line_avx2(p, b.count, Int32(least))
                    #expect((wide < 0 ? nil : wide) == expected, "AVX2, \(bytes)")
                }
            }
        }
        #expect(found > 5_000 && found < 35_000, "\(found) mixtures hold a UTF-8 line")
    }

    @Test("a GBK line's last bytes (F0–FE before its line end) do not hide the UTF-8 line after it")
    func lineAfterAGBKLine() {
        let text = ImportTestSupport.gb18030("编号,地点\r\nF1,园区\r\n") + Array("F1,小红象志愿服务队\r\n".utf8)
        text.withUnsafeBufferPointer { b in
            #expect(GB18030.firstUTF8Line(in: b, vector: false) == Self.reference(text, least: 3))
            if UTF8Check.avx2 { #expect(GB18030.firstUTF8Line(in: b, vector: true) == Self.reference(text, least: 3)) }
            #expect(Self.reference(text, least: 3) != nil)
        }
    }

    /// A log whose rows are GBK but one, which is UTF-8: `utf8Row` (1-based among the rows).
    static func mixedLog(rows: Int, utf8Row: Int, cell: String) -> [UInt8] {
        var bytes = ImportTestSupport.gb18030("记录编号,志愿者编号,日期,时长,服务队,活动\r\n")
        for n in 1...rows {
            let row = "R\(n),V\(1 + n % 4),2019-0\(n % 2 == 0 ? 8 : 3)-0\(5 + n % 5),1,小红象志愿服务队,\(n == utf8Row ? cell : "巡逻")\r\n"
            bytes += n == utf8Row ? Array(row.utf8) : ImportTestSupport.gb18030(row)
        }
        return bytes
    }

    @Test("a GBK log with a row saved as UTF-8 is rejected whole at that row, its cells even (read without an error) or odd", arguments: ["清洁家园", "图书整理与阅读推广"])
    func utf8RowInAGBKLog(cell: String) throws {
        var s = Scenario()
        s.activities = ""
        s.files["activities/log.csv"] = Self.mixedLog(rows: 6, utf8Row: 2, cell: cell)
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.rejects.filter { $0.source.file == "activities/log.csv" }.map { "\($0.source.line) \($0.wholeFile) \($0.reason)" }
        #expect(rejects == ["3 true 整个文件未读入：这一行是 UTF-8 编码，而第 1 行是 GB18030（GBK）编码；一个文件只能用一种编码：请把整个文件重新另存为“CSV UTF-8”"])
        #expect(outcome.loaded.ledger.activities.isEmpty)
    }

    @Test("a UTF-8 log with a row saved as GBK, its UTF-8 lines read without an error as GB18030, is rejected whole at that row")
    func gbkRowInAUTF8Log() throws {
        var s = Scenario()
        s.activities = ""
        // Every UTF-8 cell of an even number of characters: the whole file decodes as GB18030.
        var bytes = Array("record_id,volunteer_id,date,hours,team,activity\r\nR1,V1,2019-08-05,1,春雨行动,清洁家园\r\n".utf8)
        bytes += ImportTestSupport.gb18030("R2,V2,2019-08-05,1,春雨行动,清洁家园\r\n")
        bytes += Array("R3,V3,2019-08-06,1,春雨行动,清洁家园\r\n".utf8)
        s.files["activities/log.csv"] = bytes
        let outcome = try s.run(language: .en)
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.rejects.filter { $0.source.file == "activities/log.csv" }.map { "\($0.source.line) \($0.reason)" }
        #expect(rejects == ["3 whole file rejected: this line is GB18030 (GBK), but line 2 is UTF-8; one file holds one encoding: save the whole file again as 'CSV UTF-8'"])
    }

    @Test("GBK whose bytes happen to be valid UTF-8 (郑伟, 谢平) is read as GBK, not taken for a mixture")
    func gbkThatIsValidUTF8() throws {
        var s = Scenario()
        s.roster = ""
        s.files["rosters/roster.csv"] = ImportTestSupport.gb18030("volunteer_id,name,unit\nV1,郑伟,甲科\nV2,谢平,乙科\n")
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        #expect(outcome.rejects.isEmpty, "\(outcome.rejects)")
        #expect(outcome.loaded.ledger.volunteers.map(\.name) == ["郑伟", "谢平"])
    }

    static func write(_ bytes: [UInt8]) throws -> String {
        let folder = try ImportTestSupport.makeTempFolder("mixed")
        return try ImportTestSupport.write(bytes, to: "log.csv", in: folder).path
    }

    @Test("decoded block by block (transcode), the UTF-8 row is named whatever the blocks' size: read without an error (said once the file is decoded) or not (the decoder's failure, its line read from the file)",
          arguments: ["清洁家园", "图书整理与阅读推广"])
    func blockByBlock(cell: String) throws {
        var failures: [String] = []
        for utf8Row in [1, 2, 7, 20] {
            let path = try Self.write(Self.mixedLog(rows: 20, utf8Row: utf8Row, cell: cell))
            defer { ImportTestSupport.remove(URL(fileURLWithPath: path).deletingLastPathComponent()) }
            for block in [1, 2, 3, 5, 7, 16, 31, 64, 100, 129, 200, 257, 1000] {
                do {
                    _ = try GB18030.transcode(path: path, digest: nil, block: block)
                    failures.append("row \(utf8Row) block \(block): read")
                } catch let e as UnreadableFile {
                    if e.line != utf8Row + 1 || !e.reason.hasPrefix("this line is UTF-8, but line 1 is GB18030") {
                        failures.append("row \(utf8Row) block \(block): line \(e.line) \(e.reason)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("lines ending in a lone carriage return are lines too: a small file, and a large one decoded block by block", arguments: [6, 40_000])
    func loneCarriageReturns(rows: Int) throws {
        var bytes = ImportTestSupport.gb18030("记录编号,志愿者编号,日期,时长,服务队,活动\r")
        for n in 1...rows {
            let row = "R\(n),V\(1 + n % 4),2019-08-0\(5 + n % 3),1,小红象志愿服务队,\(n == 2 ? "清洁家园" : "巡逻")\r"
            bytes += n == 2 ? Array(row.utf8) : ImportTestSupport.gb18030(row)
        }
        let path = try Self.write(bytes)
        defer { ImportTestSupport.remove(URL(fileURLWithPath: path).deletingLastPathComponent()) }
        let error = #expect(throws: UnreadableFile.self) { try TextBuffer.load(path: path) }
        #expect(error?.line == 3 && error?.reason.hasPrefix("this line is UTF-8, but line 1 is GB18030") == true, "\(String(describing: error))")
    }

    @Test("a byte's line, counted in memory or read from the file in blocks of any size, is the CSV reader's: a line feed, or a carriage return not followed by one")
    func lineNumbers() throws {
        var rng = SplitMix(seed: 0x11E5)
        for _ in 0..<40 {
            let bytes = (0..<Int.random(in: 1...60, using: &rng)).map { _ in [UInt8(10), 13, 13, 65, 0xB0][Int.random(in: 0..<5, using: &rng)] }
            let path = try Self.write(bytes)
            defer { ImportTestSupport.remove(URL(fileURLWithPath: path).deletingLastPathComponent()) }
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            for offset in 0...bytes.count {
                // The reference: lines as CSVReader counts them (LF, CR not before an LF).
                var line = 1
                for i in 0..<offset where bytes[i] == 10 || (bytes[i] == 13 && (i + 1 >= bytes.count || bytes[i + 1] != 10)) { line += 1 }
                #expect(bytes.withUnsafeBufferPointer { TextBuffer.lineNumber(at: offset, in: $0) } == line)
                for block in 1...5 {
                    #expect(try GB18030.lineNumber(at: offset, in: fd, path: path, block: block) == line, "\(bytes) offset \(offset) block \(block)")
                }
            }
        }
    }

    @Test("a large mixed file is rejected at the same line in parts (on its own bytes for a week, decoded without a window) as in one pass")
    func inParts() throws {
        var s = Scenario()
        s.activities = ""
        for (cell, utf8Row) in [("清洁家园", 1_500), ("图书整理与阅读推广", 2_900), ("清洁家园", 1)] {
            s.files["activities/log.csv"] = Self.mixedLog(rows: 3_000, utf8Row: utf8Row, cell: cell)
            let folder = try s.write()
            defer { ImportTestSupport.remove(folder) }
            let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
            let window = CivilDate(year: 2019, month: 8, day: 3)!...CivilDate(year: 2019, month: 8, day: 9)!
            var seen: [String] = []
            for (w, sizes) in [(window, Importer.Sizes(parallel: .max, deferred: .max, part: .max)),
                               (window, Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 5 << 10)),
                               (nil, Importer.Sizes(parallel: 1 << 10, deferred: 1 << 10, part: 5 << 10))] as [(ClosedRange<CivilDate>?, Importer.Sizes)] {
                let result = try Importer(campaign: campaign, window: w, sizes: sizes).read()
                seen.append(result.rejects.filter { $0.source.file == "activities/log.csv" }.map { "\($0.source.line) \($0.wholeFile) \($0.reason)" }.joined())
                #expect(result.activities.isEmpty)
            }
            #expect(seen.allSatisfy { $0 == "\(utf8Row + 1) true 整个文件未读入：这一行是 UTF-8 编码，而第 1 行是 GB18030（GBK）编码；一个文件只能用一种编码：请把整个文件重新另存为“CSV UTF-8”" },
                    "\(seen)")
        }
    }
}
