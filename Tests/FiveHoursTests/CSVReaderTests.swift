import Testing
@testable import FiveHours

private typealias Row = ImportTestSupport.Row

/// RFC 4180 reading (CSVReader) and encoding detection (TextBuffer), with exact lines.
@Suite("CSVReader")
struct CSVReaderTests {
    @Test func plainRecordsAndLines() throws {
        let rows = try ImportTestSupport.csvRows("a,b,c\n1,2,3\n4,,6\n")
        #expect(rows == [
            Row(line: 1, fields: ["a", "b", "c"]),
            Row(line: 2, fields: ["1", "2", "3"]),
            Row(line: 3, fields: ["4", "", "6"]),
        ])
    }

    @Test func lastRecordWithoutLineEndAndTrailingComma() throws {
        let rows = try ImportTestSupport.csvRows("a,b\n1,")
        #expect(rows == [Row(line: 1, fields: ["a", "b"]), Row(line: 2, fields: ["1", ""])])
    }

    @Test func quotedFieldsWithDoubledQuotesAndCommas() throws {
        let rows = try ImportTestSupport.csvRows(#"""
        id,text
        1,"say ""hi"", then go"
        2,"",x
        3,"a,b"
        """#)
        #expect(rows == [
            Row(line: 1, fields: ["id", "text"]),
            Row(line: 2, fields: ["1", #"say "hi", then go"#]),
            Row(line: 3, fields: ["2", "", "x"]),
            Row(line: 4, fields: ["3", "a,b"]),
        ])
    }

    @Test func quotedNewlinesMoveTheNextRecordsLine() throws {
        let text = "id,note\n1,\"first\nsecond\nthird\"\n2,after\n3,\"cr\r\nlf\"\n4,end\n"
        let rows = try ImportTestSupport.csvRows(text)
        #expect(rows == [
            Row(line: 1, fields: ["id", "note"]),
            Row(line: 2, fields: ["1", "first\nsecond\nthird"]),
            Row(line: 5, fields: ["2", "after"]),
            Row(line: 6, fields: ["3", "cr\r\nlf"]),
            Row(line: 8, fields: ["4", "end"]),
        ])
    }

    @Test("CRLF, LF and lone CR line ends", arguments: ["\r\n", "\n", "\r"])
    func lineEnds(_ eol: String) throws {
        let text = ["h1,h2", "a,b", "\"q\(eol)q\",c", "d,e"].joined(separator: eol) + eol
        let rows = try ImportTestSupport.csvRows(text)
        #expect(rows == [
            Row(line: 1, fields: ["h1", "h2"]),
            Row(line: 2, fields: ["a", "b"]),
            Row(line: 3, fields: ["q\(eol)q", "c"]),
            Row(line: 5, fields: ["d", "e"]),
        ])
    }

    @Test func mixedLineEnds() throws {
        let rows = try ImportTestSupport.csvRows("a\r\nb\rc\nd")
        #expect(rows.map(\.line) == [1, 2, 3, 4])
        #expect(rows.map(\.fields) == [["a"], ["b"], ["c"], ["d"]])
    }

    @Test func blankLinesAreEmptyRecordsButKeepTheLineCount() throws {
        let rows = try ImportTestSupport.csvRows("a,b\n\n1,2\r\n\r\n3,4\n")
        #expect(rows == [
            Row(line: 1, fields: ["a", "b"]),
            Row(line: 2, fields: [""]),
            Row(line: 3, fields: ["1", "2"]),
            Row(line: 4, fields: [""]),
            Row(line: 5, fields: ["3", "4"]),
        ])
    }

    @Test func textAfterAClosingQuoteIsARecordProblem() throws {
        let rows = try ImportTestSupport.csvRows("a,b,c\n\"x\"y,\"ok\"z,w\n1,2,3\n")
        #expect(rows == [
            Row(line: 1, fields: ["a", "b", "c"]),
            Row(line: 2, fields: ["x", "ok", "w"], problem: .textAfterQuote(column: 1)),
            Row(line: 3, fields: ["1", "2", "3"]),
        ])
    }

    @Test func unterminatedQuoteRejectsTheFileAtTheLineWhereItOpened() throws {
        let text = "id,note\n1,ok\n2,\"never\nclosed\n3,x\n"
        let error = #expect(throws: UnreadableFile.self) { try ImportTestSupport.csvRows(text) }
        #expect(error == UnreadableFile(line: 3, reason: "a quote (\") opened on line 3 is never closed; check that cell's quotes"))
    }

    @Test func unterminatedQuoteAfterQuotedNewlines() throws {
        let text = "id,note\n1,\"two\nlines\"\n2,\"open"
        let error = #expect(throws: UnreadableFile.self) { try ImportTestSupport.csvRows(text) }
        #expect(error?.line == 4)
    }

    @Test func utf8BOMIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("编号,姓名\r\nV1,张三\r\n".utf8)
        let buffer = try TextBuffer.decode(copying: bytes)
        #expect(buffer.encoding == .utf8BOM)
        #expect(buffer.byteCount == bytes.count)
        #expect(ImportTestSupport.text(of: buffer) == "编号,姓名\r\nV1,张三\r\n")
        let rows = try ImportTestSupport.csvRows(bytes)
        #expect(rows == [Row(line: 1, fields: ["编号", "姓名"]), Row(line: 2, fields: ["V1", "张三"])])
    }

    @Test func plainUTF8() throws {
        let buffer = try TextBuffer.decode(copying: Array("编号,姓名\nV1,𠮷田\n".utf8))
        #expect(buffer.encoding == .utf8)
        #expect(ImportTestSupport.text(of: buffer) == "编号,姓名\nV1,𠮷田\n")
    }

    @Test func emptyBufferHasNoRecords() throws {
        #expect(try ImportTestSupport.csvRows([]) == [])
    }

    @Test func gb18030EncoderHelperIsRight() {
        // Known GB18030 bytes, so that the round trips below do not test iconv against itself only.
        // 𠮷 is U+20BB7: linear 0x20BB7 − 0x10000 = 68,535 from 0x90308130 gives 95 34 B2 35.
        #expect(ImportTestSupport.gb18030("𠮷") == [0x95, 0x34, 0xB2, 0x35])
        #expect(ImportTestSupport.gb18030("\u{20000}") == [0x95, 0x32, 0x82, 0x36])
        #expect(ImportTestSupport.gb18030("编号") == [0xB1, 0xE0, 0xBA, 0xC5])
        #expect(ImportTestSupport.gb18030("a,1") == Array("a,1".utf8))
    }

    @Test func gb18030IsDetectedAndDecoded() throws {
        let text = "志愿者编号,姓名,单位\r\nV001,𠮷田,\"党政办,第一\"\r\nV002,王继跃,第一工作站\r\n"
        let bytes = ImportTestSupport.gb18030(text)
        #expect(bytes != Array(text.utf8))
        let buffer = try TextBuffer.decode(copying: bytes)
        #expect(buffer.encoding == .gb18030)
        #expect(buffer.byteCount == bytes.count)
        #expect(ImportTestSupport.text(of: buffer) == text)
        let rows = try ImportTestSupport.csvRows(bytes)
        #expect(rows == [
            Row(line: 1, fields: ["志愿者编号", "姓名", "单位"]),
            Row(line: 2, fields: ["V001", "𠮷田", "党政办,第一"]),
            Row(line: 3, fields: ["V002", "王继跃", "第一工作站"]),
        ])
    }

    @Test("four-byte GB18030 characters decode exactly and round-trip", arguments: [
        ([UInt8(0x95), 0x34, 0xB2, 0x35], "𠮷"),      // U+20BB7
        ([0x95, 0x32, 0x82, 0x36], "\u{20000}"),     // the first supplementary-plane character
        ([0x81, 0x30, 0x81, 0x30], "\u{80}"),        // the first four-byte BMP code
        ([0x81, 0x35, 0xF4, 0x37], "\u{E7C7}"),      // the one GB18030-2005 moved out of the PUA
    ])
    func fourByteGB18030(_ bytes: [UInt8], text: String) throws {
        let buffer = try TextBuffer.decode(copying: [0xB1, 0xE0] + bytes + [0x0A])
        #expect(buffer.encoding == .gb18030)
        #expect(ImportTestSupport.text(of: buffer) == "编\(text)\n")
        #expect(ImportTestSupport.gb18030(ImportTestSupport.text(of: buffer)) == [0xB1, 0xE0] + bytes + [0x0A])
    }

    @Test func nulByteRejectsTheFile() throws {
        let bytes: [UInt8] = Array("a,b\n1,2\nx".utf8) + [0] + Array("y,3\n".utf8)
        let error = #expect(throws: UnreadableFile.self) { try TextBuffer.decode(copying: bytes) }
        #expect(error == UnreadableFile(line: 3, reason: "NUL byte at byte offset 9: this is not a text file (UTF-16 or a binary file?); save it as CSV"))
    }

    @Test("UTF-16 with a BOM is rejected", arguments: [[UInt8(0xFF), 0xFE], [0xFE, 0xFF]])
    func utf16BOM(_ bom: [UInt8]) throws {
        // "a,b\n" in UTF-16: every other byte is NUL, but the BOM names the real problem first.
        let body: [UInt8] = bom == [0xFF, 0xFE] ? [0x61, 0, 0x2C, 0, 0x62, 0, 0x0A, 0] : [0, 0x61, 0, 0x2C, 0, 0x62, 0, 0x0A]
        let error = #expect(throws: UnreadableFile.self) { try TextBuffer.decode(copying: bom + body) }
        #expect(error == UnreadableFile(line: 1, reason: "the file is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' or plain CSV"))
    }

    @Test func bytesThatAreNeitherUTF8NorGB18030() throws {
        let bytes: [UInt8] = Array("a,b\n1,2\n3,".utf8) + [0xFF, 0xFF] + Array("\n".utf8)
        let error = #expect(throws: UnreadableFile.self) { try TextBuffer.decode(copying: bytes) }
        #expect(error == UnreadableFile(line: 3, reason: "bytes at offset 10 are neither UTF-8 nor GB18030; save the file as 'CSV UTF-8'"))
    }

    @Test func truncatedGB18030SequenceAtTheEndIsRejected() throws {
        // 编 then the first byte of 号 alone.
        let bytes: [UInt8] = [0xB1, 0xE0, 0x0A, 0xBA]
        let error = #expect(throws: UnreadableFile.self) { try TextBuffer.decode(copying: bytes) }
        #expect(error?.line == 2)
        #expect(error?.reason.contains("offset 3") == true)
    }

    @Test func bomThenInvalidUTF8IsNotGuessed() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\n".utf8) + [0xB1, 0xE0]
        let error = #expect(throws: UnreadableFile.self) { try TextBuffer.decode(copying: bytes) }
        #expect(error == UnreadableFile(line: 2, reason: "the file starts with a UTF-8 BOM but byte offset 7 is not UTF-8; save it again as 'CSV UTF-8'"))
    }

    @Test("invalid UTF-8 forms are not UTF-8", arguments: [
        [UInt8(0xC0), 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
    ])
    func utf8Check(_ bad: [UInt8]) {
        let bytes = Array("abcdefghij".utf8) + bad
        let offset = bytes.withUnsafeBufferPointer { UTF8Check.firstInvalid($0) }
        #expect(offset == 10)
        #expect(Array("ok 𠮷 编号 é".utf8).withUnsafeBufferPointer { UTF8Check.firstInvalid($0) } == nil)
    }

    @Test("an Excel sep=, line is skipped", arguments: ["sep=,\n", "sep=,\r\n", "SEP=,\r\n"])
    func separatorHintComma(_ hint: String) throws {
        let rows = try ImportTestSupport.csvRows(hint + "a,b\n1,2\n")
        #expect(rows == [Row(line: 2, fields: ["a", "b"]), Row(line: 3, fields: ["1", "2"])])
    }

    @Test func separatorHintAfterBOM() throws {
        let rows = try ImportTestSupport.csvRows([0xEF, 0xBB, 0xBF] + Array("sep=,\r\na,b\r\n".utf8))
        #expect(rows == [Row(line: 2, fields: ["a", "b"])])
    }

    @Test("another separator is rejected", arguments: [";", "\t", "|"])
    func separatorHintOther(_ sep: String) throws {
        let error = #expect(throws: UnreadableFile.self) { try ImportTestSupport.csvRows("sep=\(sep)\na\(sep)b\n") }
        #expect(error == UnreadableFile(line: 1, reason: "the first line 'sep=\(sep)' asks for another separator; fivehours reads comma-separated files: save as CSV (comma delimited)"))
    }

    @Test func aHeaderNamedSepIsNotAHint() throws {
        let rows = try ImportTestSupport.csvRows("separator,b\n1,2\n")
        #expect(rows.first == Row(line: 1, fields: ["separator", "b"]))
    }

    @Test func lineNumbersOfManyRecords() throws {
        var text = "id,v\n"
        for i in 1...2000 { text += i % 100 == 0 ? "\(i),\"multi\nline\"\n" : "\(i),x\n" }
        let rows = try ImportTestSupport.csvRows(text)
        #expect(rows.count == 2001)
        // Record k (1-based data row) starts on line 1 + k + (multi-line records before it).
        var expected = 2
        var mismatches: [Int] = []
        for (k, row) in rows.dropFirst().enumerated() {
            if row.line != expected { mismatches.append(k + 1) }
            expected += (k + 1) % 100 == 0 ? 2 : 1
        }
        #expect(mismatches.isEmpty)
        #expect(rows.last?.line == 2020)
    }
}
