import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FiveHours

@Suite("GB18030, decoded block by block")
struct GB18030Tests {
    /// A file whose first 64 KB are ASCII and whose later bytes are neither UTF-8 nor GB18030 is
    /// mapped, found not UTF-8, let go, and then fails to decode as GB18030: its mapping must be
    /// unmapped once. Unmapped twice, the second call took away whatever another thread had
    /// mapped at that address meanwhile — the run crashed reading a file it had every right to.
    /// Another thread maps, fills and reads memory all the while; the reader's throws must leave
    /// it alone.
    @Test("a file that is neither UTF-8 nor GB18030 is rejected without unmapping another thread's memory")
    func rejectedFileUnmappedOnce() throws {
        let folder = try ImportTestSupport.makeTempFolder("unmapped")
        defer { ImportTestSupport.remove(folder) }
        var bytes = Array(String(repeating: "R1,V1,2019-08-05,09:00,11:00\n", count: 3_000).utf8)
        bytes += [0x80, 0x0A]
        let file = try ImportTestSupport.write(bytes, to: "bad.csv", in: folder)
        let size = bytes.count
        let stop = ManagedAtomicFlag()
        let other = Thread {
            while !stop.isSet {
                guard let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED else { continue }
                let p = m.assumingMemoryBound(to: UInt8.self)
                for k in stride(from: 0, to: size, by: 4096) { p[k] = 1 }
                var sum = 0
                for k in stride(from: 0, to: size, by: 4096) { sum += Int(p[k]) }
                precondition(sum == (size + 4095) / 4096)
                munmap(m, size)
            }
            stop.done()
        }
        other.start()
        for _ in 0..<2_000 {
            #expect(throws: UnreadableFile.self) { try TextBuffer.load(path: file.path) }
        }
        stop.set()
        stop.waitDone()
    }

    /// A flag one thread sets and another polls, and a signal that the poller has stopped.
    final class ManagedAtomicFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var flag = false
        private let finished = DispatchSemaphore(value: 0)
        var isSet: Bool { lock.withLock { flag } }
        func set() { lock.withLock { flag = true } }
        func done() { finished.signal() }
        func waitDone() { finished.wait() }
    }

    /// Text with ASCII runs, two-byte characters, four-byte ones (𠮷, emoji), CRLF and lone LF.
    static func sample(rows: Int, seed: UInt64) -> String {
        var rng = SplitMix(seed: seed)
        let pieces = ["V0012", ",", "2024/6/8", " 9:00", "志愿服务", "小红象志愿服务队", "𠮷野家", "😀", "\r\n", "\n", "ａｂｃ", "〇", "€", "·"]
        var text = "志愿者编号,日期,开始时间\r\n"
        for _ in 0..<rows {
            for _ in 0..<Int.random(in: 1...8, using: &rng) { text += pieces.randomElement(using: &rng)! }
            text += "\r\n"
        }
        return text
    }

    /// The text encoded by glibc's iconv.
    static func gb18030(_ s: String) -> [UInt8] {
        let cd = iconv_open("GB18030", "UTF-8")!
        defer { iconv_close(cd) }
        var input = Array(s.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: 4 * input.count + 16)
        let n = input.count, capacity = output.count
        let left = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress, inLeft = n
                var outPtr = outBuf.baseAddress, outLeft = capacity
                precondition(iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1)
                return outLeft
            }
        }
        return output[0..<(capacity - left)].map { UInt8(bitPattern: $0) }
    }

    @Test("the streamed decoding is iconv's, whatever the block size cuts")
    func streamedEqualsWhole() throws {
        for seed in 1...4 as ClosedRange<UInt64> {
            let text = GB18030Tests.sample(rows: 300, seed: seed)
            let bytes = GB18030Tests.gb18030(text)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("gb-\(ImportTestSupport.uniqueTag()).csv")
            try Data(bytes).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            for block in [1, 2, 3, 5, 7, 64, 1_000, 1 << 20] {
                let buffer = try GB18030.transcode(path: url.path, digest: nil, block: block)
                #expect(String(decoding: buffer.bytes, as: UTF8.self) == text, "seed \(seed), block \(block)")
                #expect(buffer.sha256 == SHA256.hex(of: bytes), "seed \(seed), block \(block)")
                #expect(buffer.encoding == .gb18030 && buffer.byteCount == bytes.count)
            }
            // The loader finds it GB18030 and decodes it the same way.
            let loaded = try TextBuffer.load(path: url.path)
            #expect(loaded.encoding == .gb18030)
            #expect(String(decoding: loaded.bytes, as: UTF8.self) == text)
        }
    }

    @Test("a byte that is not GB18030 rejects the file at its offset and line, whichever block holds it")
    func badByteNamesItsPlace() throws {
        var bytes = GB18030Tests.gb18030("编号,日期\r\n甲,1\r\n乙,2\r\n")
        let offset = bytes.count - 4
        bytes.insert(0xFF, at: offset)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gb-\(ImportTestSupport.uniqueTag()).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        for block in [1, 2, 5, 1 << 20] {
            #expect(throws: UnreadableFile(line: 3, reason: "bytes at offset \(offset) are neither UTF-8 nor GB18030; save the file as 'CSV UTF-8'")) {
                _ = try GB18030.transcode(path: url.path, digest: nil, block: block)
            }
        }
        // A character cut off at the end of the file.
        let cut = Array(GB18030Tests.gb18030("编号,日期\r\n甲")).dropLast()
        try Data(cut).write(to: url)
        #expect(throws: UnreadableFile.self) { _ = try GB18030.transcode(path: url.path, digest: nil, block: 3) }
    }

    @Test("a UTF-8 file with one bad byte is rejected at that byte and its line, not where GB18030 fails first, in memory and from a file in blocks of any size")
    func badByteOfAUTF8FileNamesItsPlace() throws {
        // Chinese UTF-8 read as GB18030 fails early (its bytes pair up wrongly until a pair that
        // is no character); the stray byte is on line 4.
        var bytes = Array("编号,日期\n甲,1\n乙,2\n丙,".utf8)
        let offset = bytes.count
        bytes += [0xFF] + Array("3\n".utf8)
        let expected = UnreadableFile(line: 4, reason: "byte offset \(offset) is not UTF-8, though the file is UTF-8 up to it (nor is it GB18030); correct that line, or save the file again as 'CSV UTF-8'")
        let inMemory = #expect(throws: UnreadableFile.self) { try TextBuffer.decode(copying: bytes) }
        #expect(inMemory == expected)
        #expect(inMemory?.chinese == "第 \(offset) 字节处不是 UTF-8（文件在此之前都是 UTF-8，也不是 GB18030）；请改正这一行，或把文件重新另存为“CSV UTF-8”")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("utf8-\(ImportTestSupport.uniqueTag()).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        for block in [1, 2, 5, 1 << 20] {
            #expect(throws: expected) { _ = try GB18030.transcode(path: url.path, digest: nil, block: block) }
        }
        // `编` cut by the end of the megabyte the check reads at a time (its first byte the
        // block's last): the stray byte after it is still the one named.
        let long = Array("编号\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: (1 << 20) - 8) + Array("编\n甲".utf8) + [0xC0] + Array("\n".utf8)
        let far = long.count - 2
        try Data(long).write(to: url)
        #expect(throws: UnreadableFile(line: 3, reason: "byte offset \(far) is not UTF-8, though the file is UTF-8 up to it (nor is it GB18030); correct that line, or save the file again as 'CSV UTF-8'")) {
            _ = try GB18030.transcode(path: url.path, digest: nil)
        }
        // GB18030 that reads further than UTF-8 keeps the GB18030 message, at its stray byte.
        var gb = GB18030Tests.gb18030("编号,日期\r\n甲,1\r\n乙,2\r\n")
        let gbOffset = gb.count - 4
        gb.insert(0xFF, at: gbOffset)
        #expect(throws: UnreadableFile(line: 3, reason: "bytes at offset \(gbOffset) are neither UTF-8 nor GB18030; save the file as 'CSV UTF-8'")) {
            try TextBuffer.decode(copying: gb)
        }
    }

    @Test("GBK text that is also valid UTF-8 (郑伟, 谢平: a Hebrew accent and Greek letters in UTF-8) is read as GBK; a Latin é or any Chinese in UTF-8 keeps a file UTF-8")
    func gbkThatIsValidUTF8() throws {
        let folder = try ImportTestSupport.makeTempFolder("gbk-utf8")
        defer { ImportTestSupport.remove(folder) }
        let text = "record_id,volunteer_id,date,hours,activity,location\r\nR1,T01,2019-08-05,2,郑伟,谢平\r\n"
        // 郑伟,谢平 in GBK, written out: the trap is that these bytes are valid UTF-8.
        let gbk: [UInt8] = Array("record_id,volunteer_id,date,hours,activity,location\r\nR1,T01,2019-08-05,2,".utf8)
            + [0xD6, 0xA3, 0xCE, 0xB0, 0x2C, 0xD0, 0xBB, 0xC6, 0xBD, 0x0D, 0x0A]
        #expect(String(validating: gbk, as: UTF8.self) != nil)
        func read(_ t: TextBuffer) -> String { String(decoding: UnsafeBufferPointer(start: t.base, count: t.count), as: UTF8.self) }
        let file = try ImportTestSupport.write(gbk, to: "gbk.csv", in: folder)
        let decoded = try TextBuffer.load(path: file.path)
        #expect(decoded.encoding == .gb18030)
        #expect(read(decoded) == text)
        for other in ["R1,T01,2019-08-05,2,Café,Zoé\n", "R1,T01,2019-08-05,2,郑伟,谢平\n", "R1,T01,2019-08-05,2,ok,ok\n",
                      "R1,T01,2019-08-05,2,Wāng Lǐ,ok\n", "R1,T01,2019-08-05,2,Ирина,Café\n",
                      "R1,T01,2019-08-05,2,Cafe\u{301},ok\n", "R1,T01,2019-08-05,2,\"\u{301},Ирина\n"] {
            let utf8 = try ImportTestSupport.write(Array(other.utf8), to: "u.csv", in: folder)
            let t = try TextBuffer.load(path: utf8.path)
            #expect(t.encoding == .utf8, "\(other)")
            #expect(read(t) == other)
        }
    }
}

