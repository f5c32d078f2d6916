import Foundation
import CFastBytes
import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of one input file as UTF-8 text, whatever encoding the unit saved it in.
///
/// A UTF-8 file is memory-mapped and read in place; a GB18030 file (Excel and WPS on Chinese
/// Windows) is converted once through iconv into an owned buffer. Nothing else is guessed: a
/// file that is neither is an `UnreadableFile` with the byte offset where it went wrong.
final class TextBuffer: @unchecked Sendable {
    enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case utf8BOM = "UTF-8 (BOM)"
        case gb18030 = "GB18030"
    }

    let base: UnsafePointer<UInt8>
    let count: Int
    let encoding: Encoding
    private let mapping: (UnsafeMutableRawPointer, Int)?
    private let owned: UnsafeMutablePointer<UInt8>?
    /// SHA-256 of the file's bytes as they are on disk; for a deferred buffer, set once its
    /// parts are read (`Importer.readCSV`).
    var sha256: String
    /// Set for a file mapped by `loadDeferred`: its bytes beyond `checkedPrefix` are not yet
    /// known to be UTF-8 without NUL bytes, and its hash is not yet made.
    private(set) var deferredPath: String?
    /// How many bytes from `base` are known to be UTF-8 without NUL bytes.
    private(set) var checkedPrefix: Int
    /// A large GB18030 file's decoder: its parts are decoded as they are read, and `bytes` holds
    /// only its first lines; a row is read again through `withRow`.
    private(set) var decoder: GB18030.PartDecoder?
    /// The file's size on disk, in bytes.
    let byteCount: Int

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// True when the text is held in memory (a small file read whole, a small GB18030 file
    /// decoded), not mapped: kept for its rows to be read again, it would hold all of it — ten
    /// thousand small logs kept their 340 MB until the duplicate check was done.
    var isInMemory: Bool { mapping == nil && decoder == nil }

    /// Lets the kernel drop every page of a mapped file (once all its parts are read): of the
    /// text and, for a GB18030 file decoded in parts, of the file itself.
    func releaseAll() {
        if let m = mapping { madvise(m.0, m.1, MADV_DONTNEED) }
        if let decoder { decoder.releaseFile(around: 0..<decoder.raw.count) }
    }

    /// Lets the kernel drop the pages of a mapped file below `offset` once they are read, so
    /// that a large file does not stay resident; they are read again from the file if touched.
    /// Owned buffers (a converted GB18030 file) are left alone.
    /// - Parameters:
    ///   - from: where this reader started (it releases nothing before).
    ///   - released: how far it has released so far; advanced in steps of 4 MB (or to `offset`
    ///     when `force`d, at the end of a part).
    ///   A GB18030 file decoded in parts lets go of the file's pages (its rows are placed there).
    func release(upTo offset: Int, from start: Int, released: inout Int, force: Bool = false) {
        // Decided before the decoder is looked at: called at every row, binding it counted a
        // reference on it, one both cores share (a fifth of the run).
        guard TextBuffer.releaseIsDue(upTo: offset, released: released, force: force) else { return }
        if let decoder { return decoder.releaseFile(upTo: offset, released: &released, force: force) }
        guard let m = mapping else { return }
        TextBuffer.release(mapping: m, dataStart: UnsafeRawPointer(base) - UnsafeRawPointer(m.0), upTo: offset, released: &released, force: force)
    }

    /// Whether the pages up to `offset` are let go now: 4 MB or more since the last time, or any
    /// when `force`d.
    @inline(__always)
    static func releaseIsDue(upTo offset: Int, released: Int, force: Bool) -> Bool {
        offset - released >= 4 << 20 || (force && offset > released)
    }

    /// The pages of `mapping` from `dataStart + released` up to `dataStart + offset`, let go when
    /// that is 4 MB or more (or `force`d).
    static func release(mapping m: (UnsafeMutableRawPointer, Int), dataStart: Int, upTo offset: Int, released: inout Int, force: Bool) {
        guard releaseIsDue(upTo: offset, released: released, force: force) else { return }
        let page = 4096
        let lo = (dataStart + released + page - 1) / page * page
        let hi = min((dataStart + offset) / page * page, (m.1 + page - 1) / page * page)
        if hi > lo { madvise(m.0 + lo, hi - lo, MADV_DONTNEED) }
        released = offset
    }

    /// The text of the row (or rows) a part placed at `range` (`ScannedRow.start`): a stretch of
    /// the text, or for a GB18030 file decoded in parts, its bytes in the file decoded again.
    ///
    /// A large file's rows are read from the file (`rowFile`, `pread`), not from its mapping: the
    /// rows read again — a year's tens of thousands of repeats, scattered over half a gigabyte —
    /// each faulted in a window of the mapping, which had then to be let go (an interrupt of the
    /// other core each time): two thirds of reading them again. A row cut short (the file shrank
    /// since it was read) gives what is left of it.
    func withRow<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if rowFile >= 0 {
            return TextBuffer.withBytes(of: rowFile, at: textStart + range.lowerBound, count: range.count) { raw in
                if let decoder { return decoder.withRow(decoding: raw, body) }
                return body(raw)
            }
        }
        if let decoder { return decoder.withRow(range, body) }
        return body(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// The file the rows are read again from (a descriptor of its own), and where its text starts
    /// in it (after a byte order mark); -1 for a buffer whose rows are read from memory.
    private var rowFile: Int32 = -1
    private var textStart = 0

    /// `count` bytes of `fd` at `offset` (fewer at the file's end, or none when it cannot be
    /// read), in a buffer that lasts as long as `body`.
    private static func withBytes<R>(of fd: Int32, at offset: Int, count: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(count, 1)) { buffer in
            let read = (try? readFully(fd, into: buffer.baseAddress!, count: count, at: offset).get()) ?? 0
            return body(UnsafeBufferPointer(rebasing: buffer[..<read]))
        }
    }

    /// Reads `count` bytes of `fd` from `offset` into `out`, stopping early at the file's end:
    /// how many it read, or the `errno` of a read that failed.
    static func readFully(_ fd: Int32, into out: UnsafeMutablePointer<UInt8>, count: Int, at offset: Int) -> Result<Int, ReadFailed> {
        var read = 0
        while read < count {
            let n = pread(fd, out + read, count - read, off_t(offset + read))
            if n < 0, errno == EINTR { continue }
            if n < 0 { return .failure(ReadFailed(code: errno)) }
            if n == 0 { break }
            read += n
        }
        return .success(read)
    }

    /// A read that failed, with its `errno`.
    struct ReadFailed: Error { let code: Int32 }

    /// After rows were read again from `offset` on: lets go of the pages of the mapping behind
    /// them (`release`), in steps — none when the rows are read from the file (`withRow`).
    func releaseRowsRead(upTo offset: Int, released: inout Int) {
        guard rowFile < 0 else { return }
        release(upTo: offset, from: 0, released: &released)
    }

    /// Lets the kernel drop the pages of a mapped file around `range` after a few bytes were read
    /// from the middle of it (a row read again, a line end looked for where parts are cut).
    func releasePages(around range: Range<Int>) {
        if let decoder { return decoder.releaseFile(around: range) }
        guard let m = mapping else { return }
        let dataStart = UnsafeRawPointer(base) - UnsafeRawPointer(m.0)
        TextBuffer.releasePages(of: m, around: (dataStart + range.lowerBound)..<(dataStart + range.upperBound))
    }

    /// Lets the kernel drop the pages of `mapping` within 2 MB of `range` (offsets in the
    /// mapping). A page fault maps more than its page: the pages around it (the kernel's
    /// fault-around) and, where the file system keeps large folios in the page cache (ext4 does),
    /// the whole folio that holds it, up to 2 MB. So a few thousand rows read here and there, or a
    /// hundred line ends looked for, would keep most of a large file resident.
    static func releasePages(of mapping: (UnsafeMutableRawPointer, Int), around range: Range<Int>) {
        let page = 4096, margin = 2 << 20
        let lo = max(0, (range.lowerBound - margin) / page * page)
        let hi = min((mapping.1 + page - 1) / page * page, (range.upperBound + margin) / page * page)
        if hi > lo { madvise(mapping.0 + lo, hi - lo, MADV_DONTNEED) }
    }

    /// Opens a file for reading and gives its descriptor (the caller closes it) and size.
    /// - Throws: `InputOpenError` when it cannot be opened or measured (that stops the run).
    /// Only a regular file is opened, and never blocking (`InputFiles.openRegular`): a file
    /// swapped for a FIFO after the folders were listed stops nothing but itself.
    static func openForReading(_ path: String) throws -> (fd: Int32, size: Int) {
        let fd = try InputFiles.openRegular(path)
        if ListedFiles.changed(path, fd: fd) {
            close(fd)
            throw InputOpenError(path: path, reason: "it is no longer the file listed a moment ago (replaced, or a link now); nothing of it was read — run again")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw InputOpenError(path: path, reason: reason)
        }
        return (fd, Int(st.st_size))
    }

    /// Opens, maps and decodes a file.
    /// - Throws: `InputOpenError` when the file cannot be opened (that stops the run);
    ///   `UnreadableFile` when its bytes are not text we accept (that rejects the file).
    /// - Parameter hashing: false for a file read again for a few of its rows (`Importer.quoteAgain`):
    ///   a small file's `sha256` is then left empty (its manifest entry is the first reading's).
    static func load(path: String, hashing: Bool = true) throws -> TextBuffer {
        let (fd, size) = try openForReading(path)
        defer { close(fd) }
        if size == 0 { return empty() }
        if size <= smallFile { return try loadSmall(fd: fd, size: size, path: path, hashing: hashing) }
        guard let raw = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), raw != MAP_FAILED else {
            throw InputOpenError(path: path, reason: String(cString: strerror(errno)))
        }
        // Watched while it is checked and hashed here; the buffer made of it watches it after.
        let checking = TextBuffer.watch(raw, size)
        defer { fh_unwatch_mapping(checking) }
        madvise(raw, size, MADV_SEQUENTIAL)
        let p = UnsafePointer(raw.assumingMemoryBound(to: UInt8.self))
        let all = UnsafeBufferPointer(start: p, count: size)
        if startsAsGB18030(all) {
            munmap(raw, size)
            return try GB18030.transcode(path: path, digest: nil)
        }
        // The hash and the UTF-8 check each read the whole file: on a large one, do both at once.
        final class Results: @unchecked Sendable { var digest = ""; var invalid: Int??; var nul: Int?? }
        let results = Results()
        if size > 16 << 20 {
            // Block by block, so that only one block of the file is resident at a time: each is
            // hashed on one core while the other checks its UTF-8, then its pages are let go.
            let stream = SHA256.Stream()
            let block = 32 << 20
            var start = 0
            var invalid: Int?
            var nul: Int?
            while start < size {
                var end = min(size, start + block)
                while end < size, all[end] & 0xC0 == 0x80 { end -= 1 } // never split a character
                let piece = UnsafeSendable(UnsafeBufferPointer(rebasing: all[start..<end]))
                final class Found: @unchecked Sendable { var at: Int?; var nul: Int? }
                let found = Found()
                let checking = invalid == nil, looking = nul == nil
                DispatchQueue.concurrentPerform(iterations: 2) { k in
                    if k == 0 { stream.update(piece.value); return }
                    let b = piece.value
                    if looking, let hit = memchr(b.baseAddress!, 0, b.count) { found.nul = UnsafeRawPointer(hit) - UnsafeRawPointer(b.baseAddress!) }
                    if checking { found.at = UTF8Check.firstInvalid(b) }
                }
                if invalid == nil, let at = found.at { invalid = start + at }
                if nul == nil, let at = found.nul { nul = start + at }
                madvise(raw + start / 4096 * 4096, (end - start / 4096 * 4096) / 4096 * 4096, MADV_DONTNEED)
                start = end
            }
            results.digest = stream.finish()
            results.invalid = .some(invalid)
            results.nul = .some(nul)
        } else {
            results.digest = SHA256.hex(of: all)
        }
        do {
            if let buffer = try decode(all, digest: results.digest, mapping: (raw, size), path: path, knownInvalid: results.invalid,
                                       knownNUL: results.nul) {
                return buffer
            }
        } catch var e as UnreadableFile {
            munmap(raw, size)
            if e.sha256 == nil, !results.digest.isEmpty { e.sha256 = results.digest }
            throw e
        } catch {
            munmap(raw, size)
            throw error
        }
        // GB18030: decoded from the file, this mapping let go first (and once: whatever the
        // decoding throws, nothing here unmaps it again — another thread may map that range).
        munmap(raw, size)
        return try GB18030.transcode(path: path, digest: results.digest, utf8Invalid: results.invalid)
    }

    /// Files up to this size are read into memory, not mapped: a process holds about 65,000
    /// mappings (`vm.max_map_count`), and the buffers of the files read stay until the duplicate
    /// check is done — a folder of 70,000 small logs stopped the run at the 65,381st.
    static let smallFile = 1 << 20

    /// An empty file's buffer.
    private static func empty() -> TextBuffer {
        let one = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        one.initialize(to: 0)
        return TextBuffer(base: one, count: 0, encoding: .utf8, mapping: nil, owned: one,
                          sha256: SHA256.hex(of: UnsafeBufferPointer(start: one, count: 0)), byteCount: 0)
    }

    /// The bytes of an open file, read whole into an allocation the caller owns: its first
    /// `size` bytes, fewer when it was cut short meanwhile (what is there).
    /// - Throws: `InputOpenError` for a read that fails.
    private static func readWhole(fd: Int32, size: Int, path: String) throws -> (bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(size, 1))
        switch readFully(fd, into: bytes, count: size, at: 0) {
        case .success(let count): return (bytes, count)
        case .failure(let e):
            bytes.deallocate()
            throw InputOpenError(path: path, reason: String(cString: strerror(e.code)))
        }
    }

    /// `load` for a small file: its bytes read into memory, checked, hashed and decoded as a
    /// mapped file's are.
    private static func loadSmall(fd: Int32, size: Int, path: String, hashing: Bool) throws -> TextBuffer {
        let (bytes, count) = try readWhole(fd: fd, size: size, path: path)
        let all = UnsafeBufferPointer(start: UnsafePointer(bytes), count: count)
        guard count > 0 else { bytes.deallocate(); return empty() }
        let digest = hashing ? SHA256.hex(of: all) : ""
        do {
            // Without a path, GB18030 is decoded here, in memory, not through a mapped temporary file.
            return try decode(all, digest: digest, mapping: nil, owned: bytes)!
        } catch var e as UnreadableFile {
            bytes.deallocate()
            if e.sha256 == nil { e.sha256 = digest }
            throw e
        } catch {
            bytes.deallocate()
            throw error
        }
    }

    /// Whether bytes that are valid UTF-8 are GBK all the same: a small file whose only
    /// characters beyond ASCII are two-byte UTF-8 sequences beyond Latin-1 (U+0100–U+07FF, lead
    /// bytes C4–DF) but no combining mark (U+0300–U+036F, lead CC–CD: `e` + U+0301 is how a Mac
    /// writes `é`), at least one of them Greek, Cyrillic, Hebrew, Arabic, … (U+0370 on, lead
    /// CE–DF), and no Chinese character in UTF-8 (no three-byte sequence). Every such pair is also
    /// a GBK ideograph — `郑伟,谢平` in GBK is `D6 A3 CE B0 2C D0 BB C6 BD`, which UTF-8 reads as
    /// `֣ΰ,лƽ` — and a campaign's file with names and places in those scripts and not one
    /// Chinese character is not a file this campaign has. A file with a Latin-1 letter (`é`,
    /// `ü`, `·`: lead bytes C2–C3) or only Latin letters beyond it (pinyin `ā`, `ǎ`) stays UTF-8.
    /// Only files up to 1 MB are looked at: a larger GBK file that is valid UTF-8 throughout
    /// would need thousands of Chinese characters all in that narrow range.
    static func readsAsGBKOnly(_ all: UnsafeBufferPointer<UInt8>) -> Bool {
        guard all.count <= 1 << 20 else { return false }
        var foreign = false
        var i = 0
        while i < all.count {
            let c = all[i]
            if c < 0x80 { i += 1; continue }
            guard c >= 0xC4, c <= 0xDF, c != 0xCC, c != 0xCD else { return false }
            if c >= 0xCE { foreign = true }
            i += 2
        }
        return foreign
    }

    /// Whether the bytes are a workbook: a zip (`.xlsx`, `.ods`, WPS's newer `.et`) or an OLE2
    /// compound file (`.xls`, older `.et`), by their first bytes — never text a CSV starts with.
    static func isWorkbook(_ all: UnsafeBufferPointer<UInt8>) -> Bool {
        all.starts(with: [0x50, 0x4B, 0x03, 0x04]) || all.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    }

    /// A file whose start is not UTF-8 (nor UTF-16, nor a BOM, and holds no NUL) is GB18030, as
    /// Excel and WPS on Chinese Windows save it.
    static func startsAsGB18030(_ all: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = all.baseAddress else { return false }
        let size = all.count
        let head = UnsafeBufferPointer(start: p, count: min(size, 64 << 10))
        guard size >= 2, !(p[0] == 0xFF && p[1] == 0xFE), !(p[0] == 0xFE && p[1] == 0xFF), !(size >= 3 && p[0] == 0xEF && p[1] == 0xBB),
              memchr(p, 0, head.count) == nil, let bad = UTF8Check.firstInvalid(head) else { return false }
        return bad < head.count - 3
    }

    /// Maps a large file without reading it all first: the hash and the UTF-8 check are left to
    /// be made while its rows are read, so that one pass over the file does all three on both
    /// cores (`Importer.readCSV`). Only the first 64 KB (the header) are checked here. A file that
    /// starts as GB18030 is decoded part by part as its rows are read (`GB18030.PartDecoder`);
    /// here only its first lines are.
    /// - Returns: nil for a small file, or one whose start is not plain UTF-8 or GB18030 (a BOM of
    ///   UTF-16, a NUL): `load` reads those, and says what is wrong.
    static func loadDeferred(path: String, minimumSize: Int) throws -> TextBuffer? {
        let (fd, size) = try openForReading(path)
        defer { close(fd) }
        guard size >= minimumSize, size >= 4, let raw = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), raw != MAP_FAILED else { return nil }
        let checking = TextBuffer.watch(raw, size)
        defer { fh_unwatch_mapping(checking) }
        madvise(raw, size, MADV_SEQUENTIAL)
        let p = UnsafePointer(raw.assumingMemoryBound(to: UInt8.self))
        let bom = p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
        let base = bom ? p + 3 : p
        let count = bom ? size - 3 : size
        var prefix = min(count, 64 << 10)
        while prefix < count, prefix > 0, base[prefix] & 0xC0 == 0x80 { prefix -= 1 } // never split a character
        let head = UnsafeBufferPointer(start: base, count: prefix)
        guard !(p[0] == 0xFF && p[1] == 0xFE), !(p[0] == 0xFE && p[1] == 0xFF),
              memchr(base, 0, prefix) == nil, UTF8Check.firstInvalid(head) == nil else {
            let all = UnsafeBufferPointer(start: p, count: size)
            if startsAsGB18030(all), let buffer = decodingInParts(all, mapping: raw, path: path, fd: fd) {
                return buffer
            }
            munmap(raw, size)
            return nil
        }
        // A small file that reads as UTF-8 but only as GBK makes sense (`readsAsGBKOnly`) is
        // `load`'s to decide, whatever the size from which files are mapped in parts: one rule
        // for the file's encoding, however it is read.
        if readsAsGBKOnly(UnsafeBufferPointer(start: p, count: size)) {
            munmap(raw, size)
            return nil
        }
        let buffer = TextBuffer(base: base, count: count, encoding: bom ? .utf8BOM : .utf8, mapping: (raw, size), owned: nil,
                                sha256: "", byteCount: size)
        buffer.deferredPath = path
        buffer.checkedPrefix = prefix
        buffer.readRows(from: fd, textStart: bom ? 3 : 0)
        return buffer
    }

    /// Reads rows again from a descriptor of its own of the open file `fd` (`withRow`).
    private func readRows(from fd: Int32, textStart: Int) {
        let own = dup(fd)
        guard own >= 0 else { return }
        rowFile = own
        self.textStart = textStart
    }

    /// A GB18030 file mapped at `raw`, read in parts that decode themselves (`GB18030.PartDecoder`,
    /// which takes the mapping over); `bytes` holds only its first lines, decoded. Nil, the mapping
    /// left to the caller, when the first lines are not GB18030.
    private static func decodingInParts(_ all: UnsafeBufferPointer<UInt8>, mapping raw: UnsafeMutableRawPointer, path: String,
                                        fd: Int32) -> TextBuffer? {
        guard let decoder = GB18030.PartDecoder(raw: all, rawMapping: raw) else { return nil }
        let buffer = TextBuffer(base: UnsafePointer(decoder.head), count: decoder.headCount, encoding: .gb18030, mapping: nil, owned: nil,
                                sha256: "", byteCount: all.count)
        buffer.deferredPath = path
        buffer.checkedPrefix = decoder.headCount
        buffer.decoder = decoder
        buffer.readRows(from: fd, textStart: 0)
        return buffer
    }

    /// SHA-256 of an open file from its start, read on its own (not from the mapping the rows
    /// are read from, whose pages their readers release); "" when `cancelled` says so between
    /// two blocks.
    ///
    /// Read with `pread`, a megabyte at a time into one buffer, which the hash then reads from
    /// the cache: mapping the file's pages and letting them go costs the kernel twice what
    /// copying them does (a 568 MB log: 0.12 s against 0.06 s), and the hash is often the
    /// week's last wait (0.68 → 0.65 s, 9 alternated rounds).
    /// - Parameter size: the file's size when the run opened it: a file that then has another
    ///   (cut short or written to while it was hashed) has no hash of the bytes the run read, and
    ///   the run stops — it does not vouch for figures whose input it cannot name.
    static func hash(fd: Int32, path: String, size: Int? = nil, cancelled: () -> Bool) throws -> String {
        let stream = SHA256.Stream()
        var offset = 0
        let block = 1 << 20
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: block)
        defer { buf.deallocate() }
        while true {
            if cancelled() { return "" }
            let n: Int
            switch readFully(fd, into: buf, count: block, at: offset) {
            case .success(let read): n = read
            case .failure(let failed): throw InputOpenError(path: path, reason: String(cString: strerror(failed.code)))
            }
            if n == 0 { break }
            stream.update(UnsafeBufferPointer(start: buf, count: n))
            offset += n
        }
        if let size, offset != size {
            throw InputOpenError(path: path, reason: "it changed while it was read (\(size) bytes when opened, \(offset) when hashed); run again once it is complete",
                                 failed: "cannot be vouched for")
        }
        return stream.finish()
    }

    /// Decodes bytes already in memory (tests); the buffer is copied.
    static func decode(copying data: [UInt8]) throws -> TextBuffer {
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(data.count, 1))
        data.withUnsafeBufferPointer { if let b = $0.baseAddress { copy.initialize(from: b, count: data.count) } }
        let buf = UnsafeBufferPointer(start: UnsafePointer(copy), count: data.count)
        let t: TextBuffer
        do {
            t = try decode(buf, digest: SHA256.hex(of: buf), mapping: nil)!
        } catch {
            copy.deallocate()
            throw error
        }
        if t.encoding == .gb18030 { copy.deallocate(); return t }
        // `t` points into `copy` without owning it; hand the copy to a buffer that does.
        return TextBuffer(base: t.base, count: t.count, encoding: t.encoding, mapping: nil, owned: copy,
                          sha256: t.sha256, byteCount: data.count)
    }

    /// - Parameter knownInvalid: the UTF-8 check of `all`, when it was already made.
    /// - Returns: nil for GB18030 bytes of a file (`path`), which the caller decodes from the
    ///   file once it has let its mapping go. The mapping is never unmapped here: the caller
    ///   unmaps it when this throws or returns nil, and the buffer returned holds it otherwise.
    /// - Parameter owned: the allocation `all` lies in, which the buffer made of it then owns.
    private static func decode(_ all: UnsafeBufferPointer<UInt8>, digest: String, mapping: (UnsafeMutableRawPointer, Int)?,
                               owned: UnsafeMutablePointer<UInt8>? = nil,
                               path: String? = nil, knownInvalid: Int?? = nil, knownNUL: Int?? = nil) throws -> TextBuffer? {
        let size = all.count
        let p = all.baseAddress!
        if size >= 2, (p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF) {
            throw UnreadableFile(line: 1, reason: "the file is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' or plain CSV",
                                 chinese: "文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8”或普通 CSV")
        }
        if isWorkbook(all) { throw UnreadableFile.workbook }
        let nulAt: Int? = knownNUL ?? memchr(p, 0, size).map { UnsafeRawPointer($0) - UnsafeRawPointer(p) }
        if let offset = nulAt {
            throw UnreadableFile.nulByte(at: offset, line: lineNumber(at: offset, in: all))
        }
        if size >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF {
            let body = UnsafeBufferPointer(start: p + 3, count: size - 3)
            // The BOM is valid UTF-8 itself, so a check of the whole file finds the same byte.
            if let bad = knownInvalid.map({ $0.map { $0 - 3 } }) ?? UTF8Check.firstInvalid(body) {
                throw UnreadableFile(line: lineNumber(at: bad + 3, in: all),
                                     reason: "the file starts with a UTF-8 BOM but byte offset \(bad + 3) is not UTF-8; save it again as 'CSV UTF-8'",
                                     chinese: "文件以 UTF-8 BOM 开头，但第 \(bad + 3) 字节处不是 UTF-8；请重新另存为“CSV UTF-8”")
            }
            return TextBuffer(base: p + 3, count: size - 3, encoding: .utf8BOM, mapping: mapping, owned: owned, sha256: digest, byteCount: size)
        }
        guard (knownInvalid ?? UTF8Check.firstInvalid(all)) != nil || readsAsGBKOnly(all) else {
            return TextBuffer(base: p, count: size, encoding: .utf8, mapping: mapping, owned: owned, sha256: digest, byteCount: size)
        }
        // Neither UTF-8 nor a BOM: GB18030, decoded block by block from the file (no copy of
        // the whole text in memory), or from memory for bytes that have no file (tests).
        if path != nil { return nil }
        precondition(mapping == nil, "a mapped file's GB18030 is decoded from its path")
        let (converted, convertedCount) = try GB18030.convert(all)
        owned?.deallocate() // the text is the decoded copy
        return TextBuffer(base: UnsafePointer(converted), count: convertedCount, encoding: .gb18030, mapping: nil, owned: converted, sha256: digest, byteCount: size)
    }

    /// The guard that answers a fault in a mapping of an input file cut short while it is read
    /// (SIGBUS) with zeros instead of the run's death (`Sources/CFastBytes/sigbus.c`); installed once.
    static let sigbusGuard: Void = fh_install_sigbus_guard()

    /// Watches a mapping for the guard: the slot to ask (`fh_mapping_cut`) and release, -1 if none.
    static func watch(_ raw: UnsafeMutableRawPointer, _ size: Int) -> Int32 {
        _ = sigbusGuard
        return fh_watch_mapping(raw, size)
    }

    /// This buffer's mapping in the guard's table.
    private let watchSlot: Int32

    /// True when the file was cut short while it was read: a page past its new end was touched
    /// (and read as zeros). The reader rejects such a file whole.
    var wasCut: Bool { (watchSlot >= 0 && fh_mapping_cut(watchSlot) != 0) || decoder?.wasCut == true }

    fileprivate init(base: UnsafePointer<UInt8>, count: Int, encoding: Encoding,
                 mapping: (UnsafeMutableRawPointer, Int)?, owned: UnsafeMutablePointer<UInt8>?, sha256: String, byteCount: Int) {
        watchSlot = mapping.map { TextBuffer.watch($0.0, $0.1) } ?? -1
        self.base = base
        self.count = count
        self.encoding = encoding
        self.mapping = mapping
        self.owned = owned
        self.sha256 = sha256
        self.byteCount = byteCount
        self.checkedPrefix = count
    }

    /// Takes ownership of a buffer of raw bytes.
    convenience init(owning p: UnsafeMutablePointer<UInt8>, count: Int, sha256: String) {
        self.init(base: UnsafePointer(p), count: count, encoding: .utf8, mapping: nil, owned: p, sha256: sha256, byteCount: count)
    }

    deinit {
        fh_unwatch_mapping(watchSlot)
        if let m = mapping { munmap(m.0, m.1) }
        owned?.deallocate()
        if rowFile >= 0 { close(rowFile) }
    }

    /// The 1-based physical line that holds byte `offset`.
    static func lineNumber(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let end = min(offset, bytes.count)
        return 1 + lineBreaks(in: UnsafeBufferPointer(rebasing: bytes[..<end]), next: end < bytes.count ? bytes[end] : nil)
    }

    /// The line ends in `bytes` as `CSVReader` counts them — a line feed, or a carriage return
    /// not followed by one — `next` being the byte after them (nil at the file's end). The one
    /// count of every message's line number, in memory or over a file read in blocks.
    static func lineBreaks(in bytes: UnsafeBufferPointer<UInt8>, next: UInt8?) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        var n = 0
        var p = UnsafeRawPointer(base), left = bytes.count
        while left > 0, let hit = memchr(p, 10, left) {
            n += 1
            let step = UnsafeRawPointer(hit) - p + 1
            p += step
            left -= step
        }
        // Carriage returns: none in most files, looked for apart so that the line feeds stay one memchr.
        guard memchr(base, 13, bytes.count) != nil else { return n }
        for i in bytes.indices where bytes[i] == 13 && (i + 1 < bytes.count ? bytes[i + 1] : next) != 10 { n += 1 }
        return n
    }

}

/// A file whose bytes cannot be read as an input (wrong encoding, malformed structure):
/// the whole file is rejected, and the run goes on with the others.
struct UnreadableFile: Error, Equatable {
    var line: Int
    var column: Int? = nil
    /// Why, in English; `chinese` says it in Chinese (`reason(in:)`: reject reasons are in the
    /// run's language, as every word it writes).
    var reason: String
    var chinese: String

    init(line: Int, column: Int? = nil, reason: String, chinese: String) {
        self.line = line
        self.column = column
        self.reason = reason
        self.chinese = chinese
    }

    func reason(in language: Language) -> String { language == .en ? reason : chinese }
    /// The file's SHA-256 when the reader had made it before it gave up (for the manifest).
    var sha256: String? = nil

    /// A NUL byte: a binary file, or UTF-16 without its byte-order mark (both readers say so).
    /// A workbook handed in instead of its CSV: what a clerk most often does.
    static let workbook = UnreadableFile(line: 1, reason: "this is a workbook (Excel .xlsx or .xls, WPS .et), not CSV: open it and save it as 'CSV UTF-8' (or CSV)",
                                         chinese: "这是电子表格工作簿（Excel 的 .xlsx、.xls 或 WPS 的 .et），不是 CSV：请打开后另存为“CSV UTF-8”（或 CSV）")

    static func nulByte(at offset: Int, line: Int) -> UnreadableFile {
        UnreadableFile(line: line, reason: "NUL byte at byte offset \(offset): this is not a text file (UTF-16 or a binary file?); save it as CSV",
                       chinese: "第 \(offset) 字节处是 NUL 字节：这不是文本文件（UTF-16 或二进制文件？）；请另存为 CSV")
    }

    /// The file shrank while it was read (another program was still writing it).
    static let cutShort = UnreadableFile(line: 1, reason: "the file was cut short while it was read (was another program still writing it?); run again once it is complete",
                                         chinese: "读取时文件变短了（是否还有程序在写入？）；等文件写完后再运行")

    static func == (a: UnreadableFile, b: UnreadableFile) -> Bool {
        // The Chinese says the same as the English: a reason is known by its English.
        a.line == b.line && a.column == b.column && a.reason == b.reason
    }
}

/// An input path that does not exist or cannot be opened: that stops the run (exit 1).
public struct InputOpenError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// What could not be done with the file.
    public var failed = "cannot open"
    public var description: String { "\(path): \(failed): \(reason)" }
}

/// A fast validator of UTF-8: 32 bytes at a time with AVX2 (`CFastBytes`), which answers only
/// "valid or not"; where it is not, and on CPUs without AVX2 (or without the BMI1 and POPCNT
/// instructions every AVX2 processor has, which the separator index uses), byte by byte in Swift,
/// which says where it goes wrong.
enum UTF8Check {
    /// `FIVEHOURS_NO_AVX2` set turns the AVX2 code off, as on a processor without it (tests of
    /// the scalar code, which a machine with AVX2 would otherwise never run).
    static let avx2 = fh_has_avx2() != 0 && getenv("FIVEHOURS_NO_AVX2") == nil

    /// The offset of the first byte that does not begin or continue a valid UTF-8 sequence
    /// (overlong forms and surrogates included), or nil when all is valid.
    static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        if avx2, b.count >= 64, let p = b.baseAddress, fh_utf8_valid_avx2(p, b.count) != 0 { return nil }
        return scalarFirstInvalid(b)
    }

    /// `firstInvalid` of an open file, read again a megabyte at a time (a character cut by a
    /// block's end is read with the next block); nil too when it cannot be read. Only a file being
    /// rejected asks, for its message (`GB18030.unreadable`).
    static func firstInvalid(in fd: Int32, size: Int) -> Int? {
        let block = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: block)
        defer { buffer.deallocate() }
        var start = 0
        while start < size {
            guard case .success(let count) = TextBuffer.readFully(fd, into: buffer, count: min(block, size - start), at: start),
                  count > 0 else { return nil } // (cut short meanwhile)
            var end = count
            if start + count < size {
                // Back to the start of the block's last character, which may go on in the next.
                var k = count - 1
                while k > count - 4, k > 0, buffer[k] & 0xC0 == 0x80 { k -= 1 }
                if buffer[k] >= 0xC0, k > 0 { end = k }
            }
            if let bad = firstInvalid(UnsafeBufferPointer(start: buffer, count: end)) { return start + bad }
            start += end
        }
        return nil
    }

    /// Valid UTF-8 without a NUL byte: in one pass with AVX2.
    static func isPlainText(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if avx2, b.count >= 64, let p = b.baseAddress { return fh_text_valid_avx2(p, b.count) != 0 }
        guard let p = b.baseAddress else { return true }
        return memchr(p, 0, b.count) == nil && scalarFirstInvalid(b) == nil
    }

    /// The byte-by-byte check, ASCII sixteen bytes at a time.
    static func scalarFirstInvalid(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = b.count
        guard let p = b.baseAddress else { return nil }
        var i = 0
        while i < n {
            // ASCII, sixteen bytes at a time.
            if i + 16 <= n {
                let m0 = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
                let m1 = UnsafeRawPointer(p + i + 8).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
                if m0 | m1 == 0 { i += 16; continue }
                // Straight to the first byte that is not ASCII.
                i += m0 != 0 ? m0.trailingZeroBitCount >> 3 : 8 + m1.trailingZeroBitCount >> 3
            }
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            // The common case in Chinese text: two three-byte sequences E1–EC or EE–EF at once,
            // their lead and continuation bits checked in one compare.
            if i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if w & 0x0000_C0C0_F0C0_C0F0 == 0x0000_8080_E080_80E0 {
                    let l0 = UInt8(truncatingIfNeeded: w), l1 = UInt8(truncatingIfNeeded: w >> 24)
                    if l0 != 0xE0, l0 != 0xED, l1 != 0xE0, l1 != 0xED { i += 6; continue }
                }
            }
            // The common case in Chinese text: a three-byte sequence E1–EC or EE–EF.
            if c >= 0xE1, c <= 0xEF, c != 0xED, i + 2 < n, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80 {
                i += 3
                continue
            }
            var need = 0
            var minNext: UInt8 = 0x80, maxNext: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; minNext = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; maxNext = 0x9F
            case 0xF0: need = 3; minNext = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; maxNext = 0x8F
            default: return i
            }
            guard i + need < n else { return i }
            let c1 = p[i + 1]
            guard c1 >= minNext, c1 <= maxNext else { return i }
            var k = 2
            while k <= need {
                guard p[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += need + 1
        }
        return nil
    }
}

extension TextBuffer {
    /// Maps the decoded text of a GB18030 file (`GB18030.transcode`), read like a UTF-8 file.
    static func mapDecoded(fd: Int32, count: Int, path: String, sha256: String, byteCount: Int) throws -> TextBuffer {
        guard count > 0 else {
            let one = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
            one.initialize(to: 0)
            return TextBuffer(base: one, count: 0, encoding: .gb18030, mapping: nil, owned: one, sha256: sha256, byteCount: byteCount)
        }
        guard let raw = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), raw != MAP_FAILED else {
            throw InputOpenError(path: path, reason: "cannot map its decoded text: \(String(cString: strerror(errno)))")
        }
        madvise(raw, count, MADV_SEQUENTIAL)
        return TextBuffer(base: UnsafePointer(raw.assumingMemoryBound(to: UInt8.self)), count: count, encoding: .gb18030,
                          mapping: (raw, count), owned: nil, sha256: sha256, byteCount: byteCount)
    }
}

extension TextBuffer {
    /// Maps a file without decoding or hashing it (XML, whose parser reads its own encoding
    /// declaration): the caller makes the hash (`DigestTask`) on another core while it parses.
    static func mapRaw(path: String) throws -> TextBuffer {
        let (fd, size) = try openForReading(path)
        defer { close(fd) }
        // Refused before a byte is mapped: its hash is then streamed from the file.
        if size > XMLReader.largestFile { throw XMLReader.tooLarge }
        // A small file is read into memory (`smallFile`: the mappings a process may hold).
        guard size > smallFile, let raw = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), raw != MAP_FAILED else {
            return try loadRaw(fd: fd, size: size, path: path)
        }
        madvise(raw, size, MADV_SEQUENTIAL)
        let buffer = TextBuffer(base: UnsafePointer(raw.assumingMemoryBound(to: UInt8.self)), count: size, encoding: .utf8,
                                mapping: (raw, size), owned: nil, sha256: "", byteCount: size)
        buffer.deferredPath = path
        return buffer
    }

    /// Maps a file without decoding it (XML, whose parser reads its own encoding declaration).
    static func loadRaw(path: String) throws -> TextBuffer {
        let (fd, size) = try openForReading(path)
        defer { close(fd) }
        return try loadRaw(fd: fd, size: size, path: path)
    }

    /// `loadRaw` on a file already open (`mapRaw` reads a small one so, on its own descriptor).
    private static func loadRaw(fd: Int32, size: Int, path: String) throws -> TextBuffer {
        let (bytes, count) = try readWhole(fd: fd, size: size, path: path)
        return TextBuffer(owning: bytes, count: count, sha256: SHA256.hex(of: UnsafeBufferPointer(start: UnsafePointer(bytes), count: count)))
    }
}

/// A value handed to a concurrent loop whose iterations only read it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
