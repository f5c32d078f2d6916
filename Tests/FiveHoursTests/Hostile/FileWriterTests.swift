import Foundation
import Testing
@testable import FiveHours
#if canImport(Glibc)
import Glibc
#endif

/// A report file is written from its pieces either through the page cache or past it in whole
/// aligned blocks (`ReportFolder.writeDurably`, `FileWriter`): whichever way, and whatever the
/// pieces' sizes against the blocks and the buffer, the file holds exactly the pieces' bytes.
@Suite("Report files written past the page cache")
struct FileWriterTests {
    /// Pieces of awkward sizes adding up to `total` bytes, none of them a block's multiple.
    static func pieces(total: Int, seed: UInt64) -> [[UInt8]] {
        var rng = seed
        func next() -> UInt64 {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return rng >> 33
        }
        var out: [[UInt8]] = []
        var left = total
        while left > 0 {
            let n = min(left, Int(next() % 700_000) + 1)
            out.append((0..<n).map { _ in UInt8(truncatingIfNeeded: next()) })
            left -= n
        }
        // An empty piece among them, as a table without rows makes.
        out.insert([], at: out.count / 2)
        return out
    }

    static func written(_ pieces: [[UInt8]], directFrom: Int, in folder: URL) throws -> [UInt8] {
        let path = folder.appendingPathComponent("table-\(pieces.count).csv").path
        try ReportFolder.writeDurably(pieces, to: path, directFrom: directFrom)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("every size round a block and the buffer, past the cache and through it",
          arguments: [0, 1, 4_095, 4_096, 4_097, 1 << 20, (1 << 20) + 1, (1 << 20) + 4_096, 3 * (1 << 20) + 12_345])
    func sizes(total: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-filewriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pieces = FileWriterTests.pieces(total: total, seed: UInt64(total) &+ 7)
        let expected = pieces.flatMap { $0 }
        #expect(expected.count == total)
        #expect(try FileWriterTests.written(pieces, directFrom: 0, in: folder) == expected)
        #expect(try FileWriterTests.written(pieces, directFrom: .max, in: folder) == expected)
    }

    /// A file system that misbehaves under direct writes, as some do: it takes only part of a
    /// direct write, refuses direct writes once the file is past `refusesFrom` bytes, and may
    /// not let the flag be turned off (the file is then opened again without it).
    static func misbehaving(shortWrites: Bool, refusesFrom: Int?, flagStays: Bool) -> ReportFolder.FileWriter.Calls {
        let directFlag = ReportFolder.FileWriter.directFlag
        return .init(write: { fd, p, n in
            let isDirect = fcntl(fd, F_GETFL) & directFlag != 0
            if isDirect, let from = refusesFrom, lseek(fd, 0, SEEK_CUR) >= from {
                errno = EINVAL
                return -1
            }
            return Glibc.write(fd, p, isDirect && shortWrites ? min(n, 512) : n)
        }, stopDirect: { fd in
            flagStays ? false : ReportFolder.FileWriter.Calls.system.stopDirect(fd)
        })
    }

    @Test("a file system that takes part of a direct write, refuses one midway, or keeps the flag on still gets every byte, in order",
          arguments: [(true, nil, false), (false, 1_500_000, false), (false, 1_500_000, true), (true, 2_000_000, true), (false, nil, true)] as [(Bool, Int?, Bool)])
    func misbehavingFileSystem(shortWrites: Bool, refusesFrom: Int?, flagStays: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-filewriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pieces = FileWriterTests.pieces(total: 3 * (1 << 20) + 999, seed: 5)
        let path = folder.appendingPathComponent("t.csv").path
        try ReportFolder.writeDurably(pieces, to: path, directFrom: 0,
                                      calls: FileWriterTests.misbehaving(shortWrites: shortWrites, refusesFrom: refusesFrom, flagStays: flagStays))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == pieces.flatMap { $0 })
    }

    @Test("shared memory (tmpfs: direct writes refused before Linux 6.6, taken since) gets every byte")
    func sharedMemory() throws {
        let shm = URL(fileURLWithPath: "/dev/shm")
        guard FileManager.default.isWritableFile(atPath: shm.path) else { return }
        let folder = shm.appendingPathComponent("fivehours-filewriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pieces = FileWriterTests.pieces(total: 2 * (1 << 20) + 777, seed: 42)
        #expect(try FileWriterTests.written(pieces, directFrom: 0, in: folder) == pieces.flatMap { $0 })
    }

    @Test("a file written over an existing longer one holds only the new bytes")
    func overwrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-filewriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.csv").path
        try ReportFolder.writeDurably(FileWriterTests.pieces(total: 3 << 20, seed: 1), to: path, directFrom: 0)
        let short = FileWriterTests.pieces(total: (1 << 20) + 5, seed: 2)
        try ReportFolder.writeDurably(short, to: path, directFrom: 0)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == short.flatMap { $0 })
    }
}
