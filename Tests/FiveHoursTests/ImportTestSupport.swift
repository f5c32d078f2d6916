import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import FiveHours

/// Helpers shared by the import-stage tests: bytes in other encodings, temporary folders and a
/// whole-buffer CSV read. Tests never write into the working tree, only under the temp folder.
enum ImportTestSupport {
    /// The files a pipeline stage (`Pipeline.weekly`, `Pipeline.monthly`, …) makes, kept in memory.
    static func files(of stage: (Pipeline.Loaded, Pipeline.Options, ReportFiles) throws -> RunSummary, _ loaded: Pipeline.Loaded,
                      options: Pipeline.Options) throws -> [(String, [UInt8])] {
        let out = ReportFiles()
        _ = try stage(loaded, options, out)
        return out.files
    }

    /// `text` encoded as GB18030 through glibc's iconv (independent of the code under test).
    static func gb18030(_ text: String) -> [UInt8] {
        let cd = iconv_open("GB18030", "UTF-8")
        precondition(cd != iconv_t(bitPattern: -1), "iconv cannot write GB18030 on this machine")
        defer { iconv_close(cd) }
        var input = Array(text.utf8)
        let capacity = input.count * 4 + 16
        var output = [UInt8](repeating: 0, count: capacity)
        var inLeft = input.count
        var outLeft = capacity
        let r: Int = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            }
        }
        precondition(r != -1 && inLeft == 0, "cannot encode \(text) as GB18030")
        return Array(output[0..<(capacity - outLeft)])
    }

    /// A random tag for a test's file or folder name, in letters only. A UUID's digits can form
    /// something the phone scrubber masks (`…-1358-4292-910D-…` reads as a mobile number), and a
    /// path printed in a message would then differ from the one the test expects.
    static func uniqueTag() -> String {
        let letters = Array("abcdefghijklmnop")
        return String(UUID().uuidString.lowercased().compactMap { c in c.hexDigitValue.map { letters[$0] } })
    }

    /// A fresh, empty folder under the system's temporary directory.
    static func makeTempFolder(_ label: String = "import") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fivehours-tests-\(label)-\(uniqueTag())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` at `relative` under `folder`, creating intermediate folders.
    @discardableResult
    static func write(_ bytes: [UInt8], to relative: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url
    }

    @discardableResult
    static func write(_ text: String, to relative: String, in folder: URL) throws -> URL {
        try write(Array(text.utf8), to: relative, in: folder)
    }

    static func remove(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }

    /// One CSV record as the reader produced it.
    struct Row: Equatable, CustomStringConvertible {
        var line: Int
        var fields: [String]
        var problem: CSVReader.RecordProblem?
        var description: String { "\(line): \(fields)\(problem.map { " \($0)" } ?? "")" }
    }

    /// Decodes `bytes` like an input file and reads every record.
    static func csvRows(_ bytes: [UInt8], skipHint: Bool = true) throws -> [Row] {
        let buffer = try TextBuffer.decode(copying: bytes)
        var reader = CSVReader(buffer.bytes)
        if skipHint { try reader.skipSeparatorHint() }
        var fields: [CSVReader.Field] = []
        var rows: [Row] = []
        while let (line, problem) = try reader.next(into: &fields) {
            rows.append(Row(line: line, fields: fields.map { reader.string($0) }, problem: problem))
        }
        withExtendedLifetime(buffer) {}
        return rows
    }

    static func csvRows(_ text: String) throws -> [Row] {
        try csvRows(Array(text.utf8))
    }

    /// The decoded text of a buffer.
    static func text(of buffer: TextBuffer) -> String {
        String(decoding: buffer.bytes, as: UTF8.self)
    }
}

extension UnreadableFile {
    /// A reader's error as the tests name it: by its line, column and English reason.
    init(line: Int, column: Int? = nil, reason: String) {
        self.init(line: line, column: column, reason: reason, chinese: "")
    }
}
