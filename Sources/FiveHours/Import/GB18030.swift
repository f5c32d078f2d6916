import CFastBytes
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// GB18030 → UTF-8, streamed: what Excel and WPS on Chinese Windows save.
///
/// The file is read in blocks of 16 MB; each block is hashed (SHA-256 of the bytes on disk, for
/// the manifest) and decoded on both cores at once, and its UTF-8 written to an unlinked
/// temporary file, which is then mapped and read like any UTF-8 file — in parts, its pages let
/// go once read. So a GB18030 file never has a whole-file UTF-8 copy in memory: its peak is the
/// UTF-8 file's, plus two blocks.
///
/// Decoding: ASCII bytes are copied; a two-byte character (lead 81–FE, trail 40–7E or 80–FE) is
/// looked up by its two bytes in a table that glibc's iconv filled once for all 23,940 such
/// codes; a four-byte one (81–FE 30–39 81–FE 30–39, rare: 𠮷 and characters outside GBK), and
/// the six two-byte ones whose character is beyond the BMP, are given to iconv itself.
/// So every character decodes exactly as iconv decodes it, and a byte iconv refuses is refused,
/// at its offset. With AVX2, runs of ASCII and of two-byte characters are taken by
/// `fh_gb18030_avx2` (`CFastBytes/gb18030.c`) by the same table: 32 ASCII bytes in one store, up
/// to eight characters looked up at once and, when each is three bytes of UTF-8, written
/// without waiting for each other's length; it stops before anything else, for the loop here.
enum GB18030 {
    /// UTF-8 of each two-byte code, by its two bytes (`lead << 8 | trail`): the bytes packed
    /// little-endian with the length in the top byte; 0 for a pair that is not a two-byte
    /// character iconv accepts (any lead below 0x81 or above 0xFE, any trail outside 40–7E and
    /// 80–FE), so that the decoder's run of characters needs no range check of its own; and
    /// `beyondBMP` for the few whose character is outside the BMP (four bytes of UTF-8: FE51 →
    /// U+20087 and five more, in glibc's GB18030-2022), which the decoder asks iconv for.
    private static let table: [UInt32]? = {
        guard let cd = iconv_open("UTF-8", "GB18030"), cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var table = [UInt32](repeating: 0, count: 1 << 16)
        for lead in 0x81...0xFE {
            for trail in 0x40...0xFE where trail != 0x7F {
                guard let utf8 = iconvOne([UInt8(lead), UInt8(trail)], cd) else { continue }
                if utf8.count <= 3 {
                    var v = UInt32(utf8.count) << 24
                    for (k, b) in utf8.enumerated() { v |= UInt32(b) << (8 * k) }
                    table[lead << 8 | trail] = v
                } else {
                    table[lead << 8 | trail] = beyondBMP
                }
            }
        }
        return table
    }()

    /// A table entry: the pair is a character whose UTF-8 is four bytes (iconv decodes it).
    private static let beyondBMP: UInt32 = 4 << 24

    /// The UTF-8 of one whole character, or nil when iconv refuses it.
    private static func iconvOne(_ bytes: [UInt8], _ cd: iconv_t) -> [UInt8]? {
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: 8)
        return input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress, inLeft = bytes.count
                var outPtr = outBuf.baseAddress, outLeft = 8
                iconv(cd, nil, nil, nil, nil) // reset the state
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                guard r != -1, inLeft == 0 else { return nil }
                return (0..<(8 - outLeft)).map { UInt8(bitPattern: outBuf[$0]) }
            }
        }
    }

    /// Why a block could not be decoded: the offset (in the block) of the first byte that is not
    /// GB18030.
    struct Invalid: Error {
        let offset: Int
        /// A zero byte: no text file holds one.
        var nul = false
    }

    /// Whether `decode` takes runs of ASCII and of two-byte characters with AVX2
    /// (`fh_gb18030_avx2`); `FIVEHOURS_NO_AVX2` turns it off, as on a processor without it.
    static let vector = UTF8Check.avx2

    /// The fewest bytes left for which `decode` calls the AVX2 path (it reads and writes ahead,
    /// and stops with fewer than 96 bytes left).
    private static let vectorMinimum = 96

    /// Decodes `input` into `out` (room for 2 × its length + 4: no character grows more than
    /// twice, and a character is stored as a 32-bit word).
    /// - Parameter final: the input ends the file: an incomplete last character is an error
    ///   (else it is left for the next block).
    /// - Returns: the bytes written, and how many input bytes were consumed.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, final: Bool) throws(Invalid) -> (written: Int, consumed: Int) {
        try decode(input, into: out, final: final, vector: vector)
    }

    /// `decode`, with the AVX2 path on or off (`vector`; tests run both). The loop below is the
    /// decoder: it takes every character, one at a time. With `vector`, each turn of it first
    /// lets `fh_gb18030_avx2` take what it can from there — ASCII and two-byte characters, by
    /// the same table — which stops before anything else (a NUL, a four-byte code, a pair the
    /// table refuses, the last 96 bytes), for the loop to decide.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, final: Bool, vector: Bool) throws(Invalid) -> (written: Int, consumed: Int) {
        guard let table, let p = input.baseAddress else {
            if input.isEmpty { return (0, 0) }
            throw Invalid(offset: 0)
        }
        let n = input.count
        var i = 0, o = 0
        var cd: iconv_t?
        defer { if let cd { iconv_close(cd) } }
        return try table.withUnsafeBufferPointer { (table) throws(Invalid) -> (Int, Int) in
            while i < n {
                if vector, n - i >= GB18030.vectorMinimum {
                    var wrote = 0
                    i += fh_gb18030_avx2(p + i, n - i, out + o, table.baseAddress!, &wrote)
                    o += wrote
                }
                // Eight ASCII bytes at a time: most of a log is ids, dates and numbers.
                while i + 8 <= n {
                    let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    // No byte with its top bit set, and none zero.
                    guard w & 0x8080_8080_8080_8080 == 0, (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 == 0 else { break }
                    UnsafeMutableRawPointer(out + o).storeBytes(of: w, as: UInt64.self)
                    i += 8
                    o += 8
                }
                guard i < n else { break }
                let c = p[i]
                if c < 0x80 {
                    guard c != 0 else { throw Invalid(offset: i, nul: true) }
                    out[o] = c; i += 1; o += 1; continue
                }
                guard c >= 0x81, c <= 0xFE else { throw Invalid(offset: i) }
                guard i + 1 < n else { if final { throw Invalid(offset: i) }; break }
                let c2 = p[i + 1]
                let four = c2 >= 0x30 && c2 <= 0x39
                if four || table[Int(c) << 8 | Int(c2)] == GB18030.beyondBMP {
                    // A four-byte code, or a two-byte one beyond the BMP: iconv decodes it.
                    let length = four ? 4 : 2
                    guard i + length <= n else { if final { throw Invalid(offset: i) }; break }
                    if cd == nil, let opened = iconv_open("UTF-8", "GB18030"), opened != iconv_t(bitPattern: -1) { cd = opened }
                    guard let cd, let utf8 = iconvOne(Array(input[i..<(i + length)]), cd) else { throw Invalid(offset: i) }
                    for b in utf8 { out[o] = b; o += 1 }
                    i += length
                    continue
                }
                // A two-byte character, then a run of them and of single ASCII bytes between them
                // (Chinese text and the commas between its cells) in a tight loop: each looked up
                // by its two bytes and stored as one 32-bit word (its UTF-8 in the low bytes; the
                // output has room past its end, and the next character overwrites the spare
                // byte). The table has 0 for any pair that is not a two-byte character (and
                // `beyondBMP` for one iconv decodes): the run stops there, and the loop above decides.
                let first = table[Int(c) << 8 | Int(c2)]
                guard first != 0 else { throw Invalid(offset: i) }
                UnsafeMutableRawPointer(out + o).storeBytes(of: first.littleEndian, as: UInt32.self)
                o += Int(first >> 24)
                i += 2
                if vector, n - i >= GB18030.vectorMinimum { continue }
                while i + 1 < n {
                    let lead = p[i]
                    if lead >= 0x81 {
                        let v = table[Int(lead) << 8 | Int(p[i + 1])]
                        guard v != 0, v != GB18030.beyondBMP else { break }
                        UnsafeMutableRawPointer(out + o).storeBytes(of: v.littleEndian, as: UInt32.self)
                        o += Int(v >> 24)
                        i += 2
                    } else if lead != 0, lead < 0x80, p[i + 1] >= 0x80 {
                        // One ASCII byte between characters.
                        out[o] = lead
                        o += 1
                        i += 1
                    } else {
                        break
                    }
                }
            }
            return (o, i)
        }
    }

    /// True when `bytes`, which start at a character (a file's start, or after a line feed), are
    /// GB18030 text that `decode` takes whole, with no NUL byte: the check of an activity part
    /// read on its own bytes (`Importer.RowJob.readActivities`). The rule is the decoder's. With
    /// AVX2, `fh_gb18030_pairs_avx2` passes over the blocks that hold only ASCII and two-byte
    /// characters (the decoder takes every pair of lead 81–FE and trail 40–7E or 80–FE:
    /// `GB18030CheckTests` holds it to that) and the decoder checks whatever it stops at, 64 bytes at
    /// a time; without, the decoder checks it all.
    static func isText(_ bytes: UnsafeBufferPointer<UInt8>, vector: Bool = GB18030.vector) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count, piece = vector ? 64 : 64 << 10
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * piece + 16) { out in
            var i = 0
            while i < n {
                if vector {
                    i += fh_gb18030_pairs_avx2(p + i, n - i)
                    guard i < n else { break }
                }
                let end = min(n, i + piece)
                // A character cut at the piece's end is left for the next piece.
                guard let (_, used) = try? decode(UnsafeBufferPointer(start: p + i, count: end - i), into: out.baseAddress!,
                                                  final: end == n, vector: vector),
                      used > 0 || end == n else { return false }
                i += used
            }
            return true
        }
    }

    /// Decodes a whole buffer (tests, small inputs); throws `UnreadableFile` naming the line.
    static func convert(_ input: UnsafeBufferPointer<UInt8>) throws -> (UnsafeMutablePointer<UInt8>, Int) {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * input.count + 16)
        do {
            let (written, _) = try decode(input, into: out, final: true)
            if let invalid = UTF8Check.firstInvalid(input), let line = firstUTF8Line(in: input) {
                out.deallocate()
                throw mixed(utf8Line: TextBuffer.lineNumber(at: line, in: input), gb18030Line: TextBuffer.lineNumber(at: invalid, in: input))
            }
            return (out, written)
        } catch let error as Invalid {
            out.deallocate()
            let utf8 = UTF8Check.firstInvalid(input).map { ($0, TextBuffer.lineNumber(at: $0, in: input)) }
            throw unreadable(error, at: error.offset, lines: TextBuffer.lineNumber(at: error.offset, in: input), utf8Invalid: utf8,
                             utf8Line: isUTF8Line(at: error.offset, in: input, startsLine: true))
        }
    }

    /// How many Chinese characters a line of a GB18030 file must hold, all of it valid UTF-8, to
    /// be a line saved as UTF-8 (`firstUTF8Line`). The UTF-8 of Chinese is valid GB18030 whenever
    /// a cell holds an even number of characters (every byte is a lead or trail of GBK), so such
    /// a line decodes without an error into other characters (小红象志愿服务队 → 灏忕孩璞″織鎰挎湇鍔￠槦),
    /// which would be counted and shown. GBK text is valid UTF-8 by chance about once in five
    /// characters, and then decodes to Latin, Greek or Cyrillic letters, rarely to Chinese: of
    /// three million generated roster lines of four or five GBK characters, three were valid
    /// UTF-8 with one Chinese character, none with two; of 1.5 million log lines, none was valid.
    static let utf8LineCharacters: Int32 = 3

    /// The offset of the first line of `bytes` (which start at a line's start) that is valid
    /// UTF-8 holding at least `utf8LineCharacters` Chinese characters (three-byte characters
    /// U+3000–U+9FFF): a line saved as UTF-8 in a GB18030 file (`fh_first_utf8_line`). Nil when none.
    static func firstUTF8Line(in bytes: UnsafeBufferPointer<UInt8>, vector: Bool = GB18030.vector) -> Int? {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return nil }
        let at = vector ? fh_first_utf8_line_avx2(p, bytes.count, utf8LineCharacters) : fh_first_utf8_line(p, bytes.count, utf8LineCharacters)
        return at < 0 ? nil : at
    }

    /// Whether the line of byte `offset` of `bytes` is a line saved as UTF-8 (`firstUTF8Line`),
    /// as far as `bytes` hold it: false when its start is not in them (`startsLine`: `bytes`
    /// begin at a line's start).
    static func isUTF8Line(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>, startsLine: Bool) -> Bool {
        guard offset < bytes.count else { return false }
        var start = offset
        while start > 0, bytes[start - 1] != 10, bytes[start - 1] != 13 { start -= 1 }
        guard start > 0 || startsLine else { return false }
        var end = offset
        while end < bytes.count, bytes[end] != 10, bytes[end] != 13 { end += 1 }
        return firstUTF8Line(in: UnsafeBufferPointer(rebasing: bytes[start..<end])) != nil
    }

    /// `isUTF8Line` for byte `offset` of an open file of `size` bytes, its line read from the file
    /// (up to 128 KB on either side): the line of a byte the decoder refused may begin in the
    /// block before or end in the next. Only a file being rejected asks.
    static func isUTF8Line(at offset: Int, in fd: Int32, size: Int) -> Bool {
        let reach = 128 << 10
        let from = max(0, offset - reach), to = min(size, offset + reach)
        guard from < to else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: to - from) { buffer in
            guard let base = buffer.baseAddress, case .success(let n) = TextBuffer.readFully(fd, into: base, count: to - from, at: from),
                  n > offset - from else { return false }
            return isUTF8Line(at: offset - from, in: UnsafeBufferPointer(start: base, count: n), startsLine: from == 0)
        }
    }

    /// A line saved as UTF-8 in a GB18030 file, or the other way round: a file holds one encoding.
    /// `utf8Line` is the first line that reads as UTF-8 (`firstUTF8Line`), `gb18030Line` the line
    /// of the first byte that is not UTF-8; the file is named at the later one, where it changes.
    static func mixed(utf8Line: Int, gb18030Line: Int) -> UnreadableFile {
        let fix = "one file holds one encoding: save the whole file again as 'CSV UTF-8'"
        let zhFix = "一个文件只能用一种编码：请把整个文件重新另存为“CSV UTF-8”"
        if gb18030Line > utf8Line {
            return UnreadableFile(line: gb18030Line,
                                  reason: "this line is GB18030 (GBK), but line \(utf8Line) is UTF-8; \(fix)",
                                  chinese: "这一行是 GB18030（GBK）编码，而第 \(utf8Line) 行是 UTF-8 编码；\(zhFix)")
        }
        return UnreadableFile(line: utf8Line,
                              reason: "this line is UTF-8, but line \(gb18030Line) is GB18030 (GBK); \(fix)",
                              chinese: "这一行是 UTF-8 编码，而第 \(gb18030Line) 行是 GB18030（GBK）编码；\(zhFix)")
    }

    /// Why a file is not read: its first byte that is not GB18030 — or, when the file reads as
    /// UTF-8 further than as GB18030 (`utf8Invalid`, its first byte that is not UTF-8, and that
    /// byte's line, after `offset`), that byte: a UTF-8 file with one bad byte is tried as GB18030
    /// only because of it, and fails there at some early Chinese character, which is not the
    /// place to fix.
    /// - Parameter utf8Line: whether the line of `offset` is a line saved as UTF-8
    ///   (`firstUTF8Line`): a file that is GB18030 before it is then said to mix the two.
    static func unreadable(_ error: Invalid, at offset: Int, lines: Int, utf8Invalid: (offset: Int, line: Int)? = nil,
                           utf8Line: Bool = false) -> UnreadableFile {
        if error.nul {
            return UnreadableFile.nulByte(at: offset, line: lines)
        }
        if let bad = utf8Invalid, bad.offset > offset {
            return UnreadableFile(line: bad.line,
                                  reason: "byte offset \(bad.offset) is not UTF-8, though the file is UTF-8 up to it (nor is it GB18030); correct that line, or save the file again as 'CSV UTF-8'",
                                  chinese: "第 \(bad.offset) 字节处不是 UTF-8（文件在此之前都是 UTF-8，也不是 GB18030）；请改正这一行，或把文件重新另存为“CSV UTF-8”")
        }
        if utf8Line, let bad = utf8Invalid, bad.line < lines {
            return mixed(utf8Line: lines, gb18030Line: bad.line)
        }
        return UnreadableFile(line: lines, reason: "bytes at offset \(offset) are neither UTF-8 nor GB18030; save the file as 'CSV UTF-8'",
                              chinese: "第 \(offset) 字节处既不是 UTF-8 也不是 GB18030；请把文件另存为“CSV UTF-8”")
    }

    /// The 1-based line of byte `offset` of an open file, read again from its start: only a
    /// file being rejected needs it, so the decoder does not count lines as it goes.
    /// - Parameter block: bytes read at a time (tests make it small, to cut a CRLF between two).
    static func lineNumber(at offset: Int, in fd: Int32, path: String, block: Int = 1 << 20) throws -> Int {
        // A block and the byte after it, which says whether a carriage return at its end is a line's.
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: block + 1)
        defer { buf.deallocate() }
        var line = 1, done = 0
        while done < offset {
            let want = min(block, offset - done)
            let r = pread(fd, buf, want + 1, off_t(done))
            if r < 0, errno == EINTR { continue }
            guard r > 0 else { throw InputOpenError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))") }
            let n = min(r, want)
            line += TextBuffer.lineBreaks(in: UnsafeBufferPointer(start: buf, count: n), next: r > n ? buf[n] : nil)
            done += n
        }
        return line
    }

    /// The file at `path`, decoded block by block into an unlinked temporary file, mapped.
    /// - Parameter digest: the SHA-256 of the file when already made; else it is made here, in
    ///   the same pass.
    /// - Throws: `UnreadableFile` for a byte that is not GB18030, `InputOpenError` when the file
    ///   or the temporary file cannot be read or written.
    /// - Parameter block: bytes read at a time (tests make it small, to cut characters and lines).
    /// - Parameter utf8Invalid: the file's first byte that is not UTF-8 when the caller's own
    ///   check found it (nil: not known), for the message of a file that is no GB18030 either.
    static func transcode(path: String, digest: String?, block: Int = 16 << 20, utf8Invalid: Int?? = nil) throws -> TextBuffer {
        let (fd, size) = try TextBuffer.openForReading(path)
        defer { close(fd) }
        var template = Array((NSTemporaryDirectory() + "/fivehours-gb18030-XXXXXX").utf8CString)
        let temp = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard temp >= 0 else { throw InputOpenError(path: path, reason: "cannot make a temporary file to decode it: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        defer { close(temp) }
        func failed(_ what: String) -> InputOpenError { InputOpenError(path: path, reason: "\(what): \(String(cString: strerror(errno)))") }

        // Mapped, not allocated: blocks of 16 and 32 MB freed through malloc raise glibc's
        // threshold for mapping an allocation to their size, and every allocation below it comes
        // from the heap from then on, kept when freed (a GB18030 roster decoded here left 9 MB
        // more in the peak of the logs' reading).
        let inputSize = block + 4, outputSize = 2 * (block + 4) + 32
        guard let inputMapping = mmap(nil, inputSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              inputMapping != MAP_FAILED else { throw failed("no memory to decode it") }
        defer { munmap(inputMapping, inputSize) }
        guard let outputMapping = mmap(nil, outputSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              outputMapping != MAP_FAILED else { throw failed("no memory to decode it") }
        defer { munmap(outputMapping, outputSize) }
        let input = inputMapping.assumingMemoryBound(to: UInt8.self), output = outputMapping.assumingMemoryBound(to: UInt8.self)
        let stream = digest == nil ? SHA256.Stream() : nil
        var carried = 0          // bytes of a character cut at the end of the last block
        var fileOffset = 0       // of input[0]
        var total = 0
        var lines = LineCheck(), utf8Line: Int?
        while true {
            var got = carried
            while got < block + carried {
                let r = read(fd, input + got, block + carried - got)
                if r < 0, errno == EINTR { continue }
                guard r >= 0 else { throw failed("cannot read") }
                if r == 0 { break }
                got += r
            }
            let final = fileOffset + got >= size || got == carried
            let fresh = UnsafeSendable(UnsafeBufferPointer(start: input + carried, count: got - carried))
            let all = UnsafeBufferPointer(start: UnsafePointer(input), count: got)
            // Two halves decoded at once, split after a line end (0x0A is never inside a GB18030
            // character); the hash of the new bytes beside them.
            var split = max(1, got / 2)
            while split < got, all[split - 1] != 10 { split += 1 }
            let splitAtLine = split < got
            // One slot per half: an array in a shared class would be one value written from two threads.
            let halves = ConcurrentSlots<Result<(written: Int, consumed: Int), Invalid>>(2)
            let bounds = [0..<min(split, got), min(split, got)..<got]
            let src = UnsafeSendable(all), dst = UnsafeSendable(output)
            DispatchQueue.concurrentPerform(iterations: 3) { k in
                if k == 2 { stream?.update(fresh.value); return }
                let range = bounds[k]
                halves[k] = Result { () throws(Invalid) in
                    try decode(UnsafeBufferPointer(rebasing: src.value[range]), into: dst.value + 2 * range.lowerBound + 8 * k,
                               final: final || (k == 0 && splitAtLine))
                }
            }
            var consumed = 0
            for k in 0..<2 where !bounds[k].isEmpty {
                switch halves.take(k) ?? .success((0, 0)) {
                case .failure(let bad):
                    let at = fileOffset + bounds[k].lowerBound + bad.offset
                    // Known from the caller's check, or read again (only a file being rejected).
                    let firstInvalid = utf8Invalid ?? UTF8Check.firstInvalid(in: fd, size: size)
                    let utf8 = try firstInvalid.map { ($0, try lineNumber(at: $0, in: fd, path: path)) }
                    throw unreadable(bad, at: at, lines: try lineNumber(at: at, in: fd, path: path), utf8Invalid: utf8,
                                     utf8Line: isUTF8Line(at: at, in: fd, size: size))
                case .success(let (written, used)):
                    var done = 0
                    while done < written {
                        let w = write(temp, output + 2 * bounds[k].lowerBound + 8 * k + done, written - done)
                        if w < 0, errno == EINTR { continue }
                        guard w > 0 else { throw failed("cannot write the decoded text to a temporary file") }
                        done += w
                    }
                    total += written
                    consumed = bounds[k].lowerBound + used
                }
            }
            // Its lines, for one saved as UTF-8 (`firstUTF8Line`): a line read as GB18030 without
            // an error can still be UTF-8. Said once the whole file is decoded: a byte that is
            // neither encoding, further on, is what to say then.
            if utf8Line == nil { utf8Line = lines.firstUTF8Line(fresh.value, at: fileOffset + carried, final: final) }
            if final { break }
            // The cut character carried over.
            carried = got - consumed
            if carried > 0 { memmove(input, input + consumed, carried) }
            fileOffset += consumed
        }
        // A file that is UTF-8 throughout was judged GBK by its words (`TextBuffer.readsAsGBKOnly`).
        if let line = utf8Line, let invalid = utf8Invalid ?? UTF8Check.firstInvalid(in: fd, size: size) {
            throw mixed(utf8Line: try lineNumber(at: line, in: fd, path: path), gb18030Line: try lineNumber(at: invalid, in: fd, path: path))
        }
        return try TextBuffer.mapDecoded(fd: temp, count: total, path: path, sha256: digest ?? stream!.finish(), byteCount: size)
    }
}

extension GB18030 {
    /// `firstUTF8Line` over a file read block after block: each block's whole lines where they
    /// lie, a line cut by a block's end checked once its end is read (up to `longest` bytes of it;
    /// a line ends at a line feed or a carriage return).
    struct LineCheck {
        static let longest = 1 << 20
        /// The bytes of the line the last block ended in, and where it starts in the file.
        private var partial: [UInt8] = []
        private var partialStart = 0
        /// The line was longer than `longest`: not checked.
        private var tooLong = false

        /// The file offset of the first line saved as UTF-8 that ends in `block` (or, `final`, is
        /// the file's last), the file's bytes from `offset`.
        mutating func firstUTF8Line(_ block: UnsafeBufferPointer<UInt8>, at offset: Int, final: Bool) -> Int? {
            guard let p = block.baseAddress, block.count > 0 else { return final ? last() : nil }
            // Lines end at a line feed or a carriage return, as `fh_first_utf8_line` reads them.
            var first = 0
            while first < block.count, p[first] != 10, p[first] != 13 { first += 1 }
            guard first < block.count else {
                keep(block, at: offset)
                return final ? last() : nil
            }
            // The line cut by the last block, with its end.
            if !tooLong, !partial.isEmpty {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: block[...first]))
                if partial.withUnsafeBufferPointer({ GB18030.firstUTF8Line(in: $0) }) != nil { return partialStart }
            } else if partial.isEmpty, !tooLong, GB18030.firstUTF8Line(in: UnsafeBufferPointer(rebasing: block[...first])) != nil {
                return offset
            }
            partial.removeAll(keepingCapacity: true)
            tooLong = false
            var end = block.count
            while end > first + 1, p[end - 1] != 10, p[end - 1] != 13 { end -= 1 }
            if end > first + 1, let at = GB18030.firstUTF8Line(in: UnsafeBufferPointer(rebasing: block[(first + 1)..<end])) {
                return offset + first + 1 + at
            }
            keep(UnsafeBufferPointer(rebasing: block[end...]), at: offset + end)
            return final ? last() : nil
        }

        private mutating func keep(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) {
            if partial.isEmpty, !tooLong { partialStart = offset }
            guard !tooLong else { return }
            if partial.count + bytes.count > LineCheck.longest { tooLong = true; partial.removeAll(); return }
            partial.append(contentsOf: bytes)
        }

        private func last() -> Int? {
            guard !tooLong, !partial.isEmpty else { return nil }
            return partial.withUnsafeBufferPointer { GB18030.firstUTF8Line(in: $0) } != nil ? partialStart : nil
        }
    }

    /// A large GB18030 file decoded part by part, each part on the core that then reads its rows:
    /// the decoding overlaps the parse, no pass over the file comes before it, and no decoded
    /// copy of the file is kept.
    ///
    /// The file is mapped. Its first lines (the header, and whole lines up to 4 KB) are decoded
    /// when the decoder is made; every part `raw[a..<b]` — cut after a line end, which is never
    /// inside a GB18030 character — is decoded into a buffer of the core that reads it
    /// (`withPart`), reused from part to part, and read from there. A part's rows are placed
    /// by their bytes in the file (`RowPlaces`), so that a row read again later — a repeat for
    /// the duplicate check, a rejected row for `rejects.csv` — is decoded again from the file
    /// (`withRow`): a row starts after a line end, and a line end never lies inside a character.
    final class PartDecoder: @unchecked Sendable {
        /// The file's bytes.
        let raw: UnsafeBufferPointer<UInt8>
        /// `raw[0..<headEnd]` is decoded as `head`, `headCount` bytes.
        let headEnd: Int, headCount: Int
        /// The first lines, decoded (the buffer the header is read from).
        let head: UnsafeMutablePointer<UInt8>
        private let rawMapping: UnsafeMutableRawPointer
        private let watchSlot: Int32
        /// Buffers for the parts' text and line ends, taken by a part and given back after it:
        /// one per core in use, so that their pages are faulted in once, not once per part.
        private var spare: [PartBuffers] = []
        private let lock = NSLock()

        /// Decodes the first lines of `raw`; nil when they are not GB18030 (the ordinary reader
        /// says where).
        init?(raw: UnsafeBufferPointer<UInt8>, rawMapping: UnsafeMutableRawPointer) {
            var end = min(raw.count, 4 << 10)
            while end < raw.count, end < PartDecoder.largestPart, raw[end - 1] != 10 { end += 1 }
            // No line feed in the first bytes (lone CR line ends, or none): parts, cut at line
            // feeds, would be the whole file, decoded in memory; `transcode` decodes it to disk.
            guard end == raw.count || raw[end - 1] == 10 else { return nil }
            let head = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * end + 64)
            // Lines saved as UTF-8 among them are found by the ordinary reading, which says where.
            guard let (written, _) = try? GB18030.decode(UnsafeBufferPointer(rebasing: raw[0..<end]), into: head, final: true),
                  GB18030.firstUTF8Line(in: UnsafeBufferPointer(rebasing: raw[0..<end])) == nil else {
                head.deallocate()
                return nil
            }
            self.raw = raw
            self.rawMapping = rawMapping
            self.head = head
            headEnd = end
            headCount = written
            watchSlot = TextBuffer.watch(rawMapping, raw.count)
        }

        deinit {
            fh_unwatch_mapping(watchSlot)
            munmap(rawMapping, raw.count)
            head.deallocate()
        }

        /// Where in the file the decoded first lines' byte `offset` lies, when it starts a line
        /// (the rows after the header): after the file's n-th CR or LF byte when it follows the
        /// text's n-th. Nil when the file's first lines no longer hold as many (it changed, or was
        /// cut short, since they were decoded): the file is then read the ordinary way.
        func rawOffset(ofHead offset: Int) -> Int? {
            guard offset > 0, offset < headCount else { return offset <= 0 ? 0 : headEnd }
            let decoded = LineBytes.positions(in: UnsafeBufferPointer(start: head, count: offset))
            let file = LineBytes.positions(in: UnsafeBufferPointer(rebasing: raw[0..<headEnd]))
            precondition(decoded.last == UInt32(offset - 1), "the header ends at a line end")
            guard file.count >= decoded.count else { return nil }
            return Int(file[decoded.count - 1]) + 1
        }

        /// The largest part decoded in memory (parts are cut after line feeds: a file with long
        /// stretches without one has large parts). A larger one fails its part, and the file is
        /// decoded whole to disk (`transcode`) and read from there.
        static let largestPart = 64 << 20

        /// A part larger than `largestPart`.
        struct PartTooLarge: Error {}

        /// A part holding a line saved as UTF-8 (`GB18030.firstUTF8Line`): the file is read again
        /// the ordinary way (`transcode`), which says where.
        struct UTF8Line: Error {}

        /// The most of the file decoded at a time (a part is cut into pieces of up to this much,
        /// each ending after a line end, its line ends listed while its bytes are in the cache).
        private static let piece = 256 << 10

        /// Lets the kernel drop the pages of the file around `range` of its bytes
        /// (`TextBuffer.releasePages(of:around:)`).
        func releaseFile(around range: Range<Int>) {
            TextBuffer.releasePages(of: (rawMapping, raw.count), around: range)
        }

        /// Lets the kernel drop the pages of the file below `offset` (`TextBuffer.release`).
        func releaseFile(upTo offset: Int, released: inout Int, force: Bool) {
            TextBuffer.release(mapping: (rawMapping, raw.count), dataStart: 0, upTo: offset, released: &released, force: force)
        }

        /// True when the file was cut short while it was decoded (see `TextBuffer.wasCut`).
        var wasCut: Bool { watchSlot >= 0 && fh_mapping_cut(watchSlot) != 0 }

        /// Decodes the part `raw[range]` (which starts at a line's start and ends after a line end
        /// or at the file's end), letting its pages of the file go, and gives `body` its text and
        /// where its rows lie in the file. The text lasts only as long as `body`.
        func withPart<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>, inout RowPlaces) throws -> R) throws -> R {
            guard range.count <= PartDecoder.largestPart else { throw PartTooLarge() }
            let buffers = take(forPart: max(range.count, 4096))
            defer { give(buffers) }
            var from = range.lowerBound, written = 0, released = range.lowerBound
            let page = 4096, piece = min(PartDecoder.piece, max(256, range.count / 4))
            while from < range.upperBound {
                var to = min(range.upperBound, from + piece)
                while to < range.upperBound, raw[to - 1] != 10 { to += 1 }
                let source = UnsafeBufferPointer(rebasing: raw[from..<to])
                // The piece's line ends while its bytes are in the cache.
                buffers.fileLineBytes += LineBytes.positions(in: source, into: buffers.fileBreaks + buffers.fileLineBytes, base: from - range.lowerBound)
                written += try GB18030.decode(source, into: buffers.text + written, final: true).written
                guard GB18030.firstUTF8Line(in: source) == nil else { throw UTF8Line() }
                // A large part lets go of what it decoded every 4 MB: from the page that holds the
                // first byte not yet let go (its bytes before it are decoded, by this part or by the
                // part before it, which would read them again from the page cache) up to the page
                // that holds the next piece's first. Not at every piece: each letting go
                // interrupts the other core to flush its view of the pages, and a part's pieces
                // are a few hundred kilobytes (1,700 interrupts on the benchmark's 431 MB log).
                if to - released >= 4 << 20 {
                    let lo = released / page * page, hi = to / page * page
                    if hi > lo { madvise(rawMapping + lo, hi - lo, MADV_DONTNEED) }
                    released = to
                }
                from = to
            }
            // The rest, and the folios at the part's ends: a fault maps the whole folio, the
            // neighbours' bytes in it too, which they may have let go already.
            releaseFile(around: range)
            let text = UnsafeBufferPointer(start: UnsafePointer(buffers.text), count: written)
            var places = RowPlaces(file: range, text: text, fileBreaks: UnsafePointer(buffers.fileBreaks), lineBytes: buffers.fileLineBytes)
            return try body(text, &places)
        }

        /// Decodes `raw[range]`, a row (or rows) the parts placed, and gives `body` its text;
        /// an empty text when the file no longer decodes (it changed under the run).
        func withRow<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            withRow(decoding: UnsafeBufferPointer(rebasing: raw[range]), body)
        }

        /// The text of a row's bytes in the file (`TextBuffer.withRow` reads them from the file).
        func withRow<R>(decoding bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * bytes.count + 64) { out in
                let written = (try? GB18030.decode(bytes, into: out.baseAddress!, final: true).written) ?? 0
                return body(UnsafeBufferPointer(rebasing: out[..<written]))
            }
        }

        /// Lets the parts' buffers go (once every part is read; a part read after takes new ones).
        func letBuffersGo() {
            lock.withLock { spare = [] }
        }

        private func take(forPart count: Int) -> PartBuffers {
            let b = lock.withLock { spare.popLast() } ?? PartBuffers()
            b.reserve(forPart: count)
            return b
        }

        private func give(_ b: PartBuffers) {
            b.fileLineBytes = 0
            lock.withLock { spare.append(b) }
        }
    }

    /// A part's decoded text (a character never grows more than twice) and the offsets of the
    /// CR and LF bytes in the file's part. Mapped, not allocated: only the pages a part
    /// writes are resident, and they go back to the system with the buffers, where a heap would
    /// keep them.
    final class PartBuffers: @unchecked Sendable {
        private(set) var text: UnsafeMutablePointer<UInt8>
        private(set) var fileBreaks: UnsafeMutablePointer<UInt32>
        var fileLineBytes = 0
        private var capacity = 0
        private var mapping: (UnsafeMutableRawPointer, Int)?

        /// No memory yet: the first part to take the buffers reserves it (`reserve(forPart:)`).
        init() {
            text = UnsafeMutablePointer(bitPattern: 16)!
            fileBreaks = UnsafeMutablePointer(bitPattern: 16)!
        }

        func reserve(forPart count: Int) {
            guard count > capacity else { return }
            deallocate()
            // Every byte a line end at worst, and the two entries the vector loop may write past.
            let page = 4096
            func rounded(_ n: Int) -> Int { (n + page - 1) / page * page }
            let textSize = rounded(2 * count + 64), fileBreaksSize = rounded(4 * (count + 64))
            let size = textSize + fileBreaksSize
            guard let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED else {
                fatalError("no memory for a part of \(count) bytes")
            }
            mapping = (m, size)
            capacity = count
            text = m.assumingMemoryBound(to: UInt8.self)
            fileBreaks = (m + textSize).assumingMemoryBound(to: UInt32.self)
        }

        deinit { deallocate() }

        private func deallocate() {
            if let (m, size) = mapping { munmap(m, size) }
            mapping = nil
            capacity = 0
        }
    }
}

/// The offsets of a text's CR and LF bytes: what ties a row of a decoded GB18030 part to its
/// bytes in the file (`RowPlaces`).
enum LineBytes {
    /// Writes the offsets (plus `base`) of the CR and LF bytes of `bytes` at `out`, which has
    /// room for `bytes.count + 2`; returns how many.
    /// - Parameter vector: with AVX2 (`fh_line_bytes_avx2`); else the loop here, which alone runs
    ///   without it (`LineBytesTests` compares the two).
    static func positions(in bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt32>, base: Int,
                          vector: Bool = UTF8Check.avx2) -> Int {
        guard let p = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        var count: Int
        if vector, bytes.count <= Int(UInt32.max) {
            count = fh_line_bytes_avx2(p, bytes.count, out)
        } else {
            count = 0
            for i in 0..<bytes.count where bytes[i] == 10 || bytes[i] == 13 {
                out[count] = UInt32(truncatingIfNeeded: i)
                count += 1
            }
        }
        if base != 0 { for i in 0..<count { out[i] &+= UInt32(truncatingIfNeeded: base) } }
        return count
    }

    static func positions(in bytes: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: bytes.count + 2) { out, n in
            n = positions(in: bytes, into: out.baseAddress!, base: 0)
        }
    }
}

/// Where the rows a part reads lie in their file's text, by their offsets in the part's text
/// (`ScannedRow.start`, read again by `TextBuffer.withRow`). A part read in place is a stretch of
/// the file's text: a row's place is its offset plus the stretch's start. A GB18030 part is read
/// from a decoded copy that goes once the part is read: its rows are placed by their bytes in the
/// file. A row starts at the part's start or after a CR or LF byte, and decoding keeps those
/// bytes one for one and in order: the row after the text's n-th starts after the file's n-th.
/// The file's are listed as the part is decoded; the text's are counted as its rows go by, in
/// order — a row the fast path read has them only at its end (a line break inside a cell sends
/// a row to the general reader), so that counting them reads one or two bytes.
struct RowPlaces {
    private let start: Int
    private let fileBreaks: UnsafePointer<UInt32>?
    private let lineBytes: Int, textCount: Int, fileCount: Int
    private let text: UnsafePointer<UInt8>?
    /// The text's line bytes before `counted`.
    private var seen = 0, counted = 0

    /// A part read in place, at `start` of the file's text.
    init(inPlaceAt start: Int) {
        self.start = start
        fileBreaks = nil; text = nil
        lineBytes = 0; textCount = 0; fileCount = 0
    }

    /// A decoded part: `file` its bytes, `text` its text, and the offsets (from the part's start)
    /// of the CR and LF bytes of its file bytes (`lineBytes` of them).
    fileprivate init(file: Range<Int>, text: UnsafeBufferPointer<UInt8>, fileBreaks: UnsafePointer<UInt32>, lineBytes: Int) {
        start = file.lowerBound
        self.text = text.baseAddress
        self.fileBreaks = fileBreaks
        self.lineBytes = lineBytes
        textCount = text.count
        fileCount = file.count
    }

    /// Where the part starts in the file's text.
    var partStart: Int { start }

    /// The place of the row `row` of the part's text. Rows are asked in order, none overlapping.
    /// Nil when the text has more line bytes than the file listed, or a row does not start after
    /// one: the file changed between its listing and its decoding (the part fails, and the file
    /// is read the ordinary way).
    /// - Parameter plain: the row has CR and LF bytes only at its end (the fast path's rows).
    @inline(__always)
    mutating func place(_ row: Range<Int>, plain: Bool) -> Range<Int>? {
        guard let text, let fileBreaks else { return (start + row.lowerBound)..<(start + row.upperBound) }
        precondition(row.lowerBound >= counted, "rows are placed in order")
        // The rows passed over since the last one placed (blank, or rejected by the general reader).
        seen += RowPlaces.lineBytes(text, counted..<row.lowerBound)
        guard let lower = place(row.lowerBound, after: seen, text, fileBreaks) else { return nil }
        if plain {
            var i = row.upperBound
            while i > row.lowerBound, i > row.upperBound - 2, text[i - 1] == 10 || text[i - 1] == 13 { i -= 1 }
            seen += row.upperBound - i
            assert(RowPlaces.lineBytes(text, row) == row.upperBound - i, "a plain row has line ends only at its end")
        } else {
            seen += RowPlaces.lineBytes(text, row)
        }
        counted = row.upperBound
        guard let upper = place(row.upperBound, after: seen, text, fileBreaks) else { return nil }
        return lower..<upper
    }

    /// The place of the text's offset `offset`, after its `seen` line bytes.
    @inline(__always)
    private func place(_ offset: Int, after seen: Int, _ text: UnsafePointer<UInt8>, _ fileBreaks: UnsafePointer<UInt32>) -> Int? {
        if offset == 0 { return start }
        if offset == textCount { return seen <= lineBytes ? start + fileCount : nil }
        guard seen > 0, seen <= lineBytes, text[offset - 1] == 10 || text[offset - 1] == 13 else { return nil }
        return start + Int(fileBreaks[seen - 1]) + 1
    }

    private static func lineBytes(_ text: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int {
        var n = 0
        for i in range where text[i] == 10 || text[i] == 13 { n += 1 }
        return n
    }
}
