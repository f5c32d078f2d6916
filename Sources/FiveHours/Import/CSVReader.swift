/// An RFC 4180 reader over UTF-8 bytes, written for speed and for exact error positions.
///
/// It never copies a field: a record is a list of byte ranges into the buffer, and a field
/// becomes a `String` only when a stage asks for it (`CSVRecord.string(_:)`). Quoted fields,
/// `""` escapes, newlines inside quotes, CRLF, LF and a lone CR all work; every record knows its
/// number and the physical line it starts on.
struct CSVReader {
    /// One field's bytes: `start..<end` in the buffer; `escaped` when it holds `""` pairs.
    struct Field {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    /// What can go wrong in one record; the record is rejected, the file read on.
    enum RecordProblem: Equatable {
        /// `"abc"def`: text after a closing quote.
        case textAfterQuote(column: Int)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// The most cells of a record kept in `fields`; a header may not have more.
    static let storedCellLimit = 65_536
    /// How many cells the last record read has: `fields.count`, unless it has more than
    /// `storedCellLimit`.
    private(set) var cellCount = 0
    private(set) var position = 0
    /// Where the last record read (`next`) starts.
    private(set) var recordStart = 0
    private(set) var line = 1
    /// Physical records read so far (header included, blank lines excluded).
    private(set) var recordNumber = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, line: Int = 1) {
        self.bytes = bytes
        self.line = line
    }

    var atEnd: Bool { position >= bytes.count }

    /// Continues at a record boundary that another reader (`PlainRow`) reached.
    mutating func resume(at position: Int, line: Int) {
        self.position = position
        self.line = line
    }

    /// Skips an Excel `sep=,` first line. Another separator is an error: we read commas only.
    mutating func skipSeparatorHint() throws(UnreadableFile) {
        let hint = Array("sep=".utf8)
        guard bytes.count >= 5, hint.indices.allSatisfy({ bytes[$0] | 0x20 == hint[$0] | 0x20 }) else { return }
        let sep = bytes[4]
        guard sep == UInt8(ascii: ",") else {
            throw UnreadableFile(line: 1, reason: "the first line 'sep=\(Character(Unicode.Scalar(sep)))' asks for another separator; fivehours reads comma-separated files: save as CSV (comma delimited)",
                                 chinese: "第一行 'sep=\(Character(Unicode.Scalar(sep)))' 指定了其他分隔符；fivehours 只读逗号分隔的文件：请另存为 CSV（逗号分隔）")
        }
        position = 5
        if position < bytes.count, bytes[position] == 13 { position += 1 }
        if position < bytes.count, bytes[position] == 10 { position += 1 }
        line = 2
    }

    /// Reads the next record into `fields`.
    /// - Returns: the line it starts on and any problem, or nil at the end of the buffer.
    /// - Throws: `UnreadableFile` for a quote that is never closed: nothing after it can be
    ///   trusted, so the file is rejected whole.
    mutating func next(into fields: inout [Field]) throws(UnreadableFile) -> (line: Int, problem: RecordProblem?)? {
        fields.removeAll(keepingCapacity: true)
        cellCount = 0
        // Cells beyond the limit are counted, not kept: a row of 100 million commas is one ragged
        // row, and keeping its cells took 2.4 GB.
        func add(_ f: Field) {
            if fields.count < CSVReader.storedCellLimit { fields.append(f) }
            cellCount += 1
        }
        let n = bytes.count
        guard position < n, let p = bytes.baseAddress else { return nil }
        let startLine = line
        var problem: RecordProblem?
        var i = position
        recordStart = position
        recordNumber += 1
        while true {
            if i < n, p[i] == 34 { // quoted field
                let quoteLine = line
                i += 1
                let s = i
                var escaped = false
                while true {
                    guard i < n else {
                        throw UnreadableFile(line: quoteLine, reason: "a quote (\") opened on line \(quoteLine) is never closed; check that cell's quotes",
                                                 chinese: "第 \(quoteLine) 行开始的引号 (\") 没有结束；检查那一格的引号")
                    }
                    let c = p[i]
                    if c == 34 {
                        if i + 1 < n, p[i + 1] == 34 { escaped = true; i += 2; continue }
                        break
                    }
                    if c == 10 { line += 1 } else if c == 13, i + 1 < n, p[i + 1] != 10 { line += 1 }
                    i += 1
                }
                add(Field(start: s, end: i, escaped: escaped))
                i += 1 // closing quote
                if i < n, p[i] != 44, p[i] != 10, p[i] != 13 {
                    if problem == nil { problem = .textAfterQuote(column: cellCount) }
                    while i < n, p[i] != 44, p[i] != 10, p[i] != 13 { i += 1 }
                }
            } else {
                let s = i
                while i < n {
                    let c = p[i]
                    if c == 44 || c == 10 || c == 13 { break }
                    i += 1
                }
                add(Field(start: s, end: i, escaped: false))
            }
            // After a field: a comma, a line end or the end of the buffer.
            if i >= n { position = n; break }
            let c = p[i]
            if c == 44 { i += 1; if i >= n { add(Field(start: n, end: n, escaped: false)); position = n; break }; continue }
            if c == 13 { i += 1; if i < n, p[i] == 10 { i += 1 } } else { i += 1 }
            line += 1
            position = i
            break
        }
        return (startLine, problem)
    }

    /// The last record's bytes as written, its line end left out: what `rejects.csv` shows of a
    /// row that could not be split into the header's cells.
    var recordBytes: UnsafeBufferPointer<UInt8> {
        var end = position
        while end > recordStart, bytes[end - 1] == 10 || bytes[end - 1] == 13 { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[recordStart..<end])
    }

    /// The field's text, with `""` pairs unescaped.
    func string(_ f: Field) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])
        guard f.escaped, !slice.isEmpty else { return String(decoding: slice, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: slice.count) { unescape(f, into: $0.baseAddress!) }
    }

    /// Writes the field's bytes with each doubled quote (`""`) as one, at `out` (room for the
    /// field's length); returns how many. The one unescaping of a quoted cell: `string` and the
    /// rows copied for the fast scanner (`UnquotedRows`) go through it.
    func unescape(_ f: Field, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard f.escaped else {
            out.initialize(from: bytes.baseAddress! + f.start, count: f.end - f.start)
            return f.end - f.start
        }
        var at = 0, k = f.start
        while k < f.end {
            out[at] = bytes[k]
            at += 1
            k += bytes[k] == 34 && k + 1 < f.end && bytes[k + 1] == 34 ? 2 : 1
        }
        return at
    }

    /// Calls `body` with the field's bytes (unescaped into a temporary copy when needed).
    @inline(__always)
    func withBytes<T>(_ f: Field, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if !f.escaped { return body(UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])) }
        var s = string(f)
        return s.withUTF8(body)
    }

    /// True when the field is empty or only white space (`UnicodeTrim.isBlank`).
    func isBlank(_ f: Field) -> Bool {
        withBytes(f, UnicodeTrim.isBlank)
    }
}
