import Foundation
import Testing
@testable import FiveHours

/// Files on disk, as a unit would hand them in: `Fixtures/import/` (read-only; copied as a resource).
@Suite("Import fixtures")
struct ImportFixtureTests {
    static func fixture(_ name: String) throws -> URL {
        let base = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return base.appendingPathComponent("import").appendingPathComponent(name)
    }

    @Test("a file's hash, read a megabyte at a time, is the SHA-256 of its bytes", arguments: [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (9 << 20) + 7])
    func hashOfAFileInSteps(size: Int) throws {
        var rng = SplitMix(seed: UInt64(size))
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-hash-\(size)-\(getpid()).bin")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (fd, _) = try TextBuffer.openForReading(url.path)
        defer { close(fd) }
        #expect(try TextBuffer.hash(fd: fd, path: url.path) { false } == SHA256.hex(of: bytes))
        let task = try DigestTask(path: url.path)
        #expect(try task.wait() == SHA256.hex(of: bytes))
        // Raised to the ordinary policy while it runs (once every file is read), and again by the
        // wait: the same digest.
        let hurried = try DigestTask(path: url.path)
        hurried.hurry()
        hurried.hurry()
        #expect(try hurried.wait() == SHA256.hex(of: bytes))
    }

    @Test("hashes started before the files are read: only large files, taken once by their reader, the rest stopped")
    func earlyDigests() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-early-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let large = Array(repeating: UInt8(ascii: "x"), count: 5000), small = Array("small".utf8)
        let a = dir.appendingPathComponent("a.csv").path, b = dir.appendingPathComponent("b.csv").path
        try Data(large).write(to: URL(fileURLWithPath: a))
        try Data(small).write(to: URL(fileURLWithPath: b))
        let early = EarlyDigests()
        early.start(a, minimumSize: 4096)
        early.start(b, minimumSize: 4096)
        early.start(dir.appendingPathComponent("missing.csv").path, minimumSize: 0) // left to its reader
        #expect(early.take(b) == nil)
        let task = try #require(early.take(a))
        #expect(early.take(a) == nil) // taken once
        #expect(try task.wait() == SHA256.hex(of: large))
        early.start(a, minimumSize: 4096)
        early.cancelRest()
        #expect(early.take(a) == nil)
    }

    @Test func gb18030RosterIsMappedAndDecoded() throws {
        let url = try Self.fixture("roster-gb18030.csv")
        let buffer = try TextBuffer.load(path: url.path)
        #expect(buffer.encoding == .gb18030)
        #expect(buffer.byteCount == 151)
        #expect(buffer.sha256 == "41a95ab1d2afc80a0a896b1a761c54d48be9f7265b8196a2eca641c7b699b154")
        var reader = CSVReader(buffer.bytes)
        var fields: [CSVReader.Field] = []
        var rows: [[String]] = []
        var lines: [Int] = []
        while let (line, _) = try reader.next(into: &fields) {
            rows.append(fields.map { reader.string($0) })
            lines.append(line)
        }
        #expect(lines == [1, 2, 3])
        #expect(rows == [
            ["志愿者编号", "姓名", "所属单位", "志愿服务队", "联系电话"],
            ["V001", "𠮷田", "党政办", "小红象志愿服务队", "13812345678"],
            ["V002", "王继跃", "第一工作站", "文明引导队；小红象志愿服务队", ""],
        ])
        let map = try HeaderMap(cells: rows[0], kind: .roster, line: 1)
        #expect(map.index == ["volunteer_id": 0, "name": 1, "unit": 2, "teams": 3, "phone": 4])
    }

    @Test func hostileXMLFixtureIsRejected() throws {
        let url = try Self.fixture("xxe.xml")
        let buffer = try TextBuffer.loadRaw(path: url.path)
        #expect(buffer.sha256 == "9c31fc324cc5234277a5690175c9646f1a703093fb3e6b50007bf9c217280de8")
        let error = #expect(throws: UnreadableFile.self) { try XMLReader.records(in: buffer.bytes, name: "xxe.xml") }
        // libxml2 may report the external entity before the reader reaches the DOCTYPE node: either rejects.
        #expect(error?.reason.hasPrefix("XML: ") == true)
        #expect(error?.reason.contains("root:") == false)
    }

    @Test func importerReadsFixturesByAbsolutePath() throws {
        let folder = try ImportTestSupport.makeTempFolder("fixtures")
        defer { ImportTestSupport.remove(folder) }
        let roster = try Self.fixture("roster-gb18030.csv").path
        let xxe = try Self.fixture("xxe.xml").path
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [\"\(roster)\", \"\(xxe)\"]\n", to: "c.yaml", in: folder)
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("c.yaml").path)
        let result = try Importer(campaign: campaign).run()
        // Outside the campaign folder, a file is shown by its absolute path.
        #expect(result.files.map(\.path) == [roster, xxe].sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(result.volunteers.map(\.id) == ["V001", "V002"])
        #expect(result.volunteers.map(\.name) == ["𠮷田", "王继跃"])
        #expect(result.volunteers[1].teams == ["文明引导队", "小红象志愿服务队"])
        #expect(result.phones == ["13812345678"])
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.wholeFile == true)
        #expect(result.rejects.first?.source.file == xxe)
        let reason = try #require(result.rejects.first?.reason)
        #expect(reason.hasPrefix("整个文件未读入"))
        #expect(reason.contains("XML："))
        #expect(!reason.contains("root:"))
        #expect(result.rejects.first?.record == "")
    }
}
