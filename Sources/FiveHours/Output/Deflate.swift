import CZlib
import Dispatch

/// Raw deflate output (as a zip entry holds it) with the CRC-32 and the length of what it holds.
///
/// Runs are joined by appending: every run but the last of a stream ends on a byte boundary
/// (a sync flush, no final block), so their bytes follow one another as one deflate stream, and
/// the CRC-32s are joined with `crc32_combine` — the way pigz deflates in pieces.
struct DeflatedRun {
    var bytes: [UInt8] = []
    var crc: UInt = crc32(0, nil, 0)
    /// Bytes before compression.
    var size = 0

    mutating func append(_ other: DeflatedRun) {
        bytes.append(contentsOf: other.bytes)
        crc = crc32_combine(crc, other.crc, off_t(other.size))
        size += other.size
    }
}

/// zlib's raw deflate and inflate, one piece at a time.
enum Deflate {
    /// zlib's level for the sheets' rows: 1 is zlib's fastest (about 10% larger than its default,
    /// 6, at half the time — docs/PERFORMANCE.md, "Workbook").
    static let level: Int32 = 1
    /// A deflate window: what a piece may refer back to in the piece before it.
    static let window = 32_768

    /// Deflates `input` as one run of a longer stream.
    /// - Parameters:
    ///   - dictionary: the end of the bytes before `input` in the stream (at most `window`), so
    ///     that the piece compresses as well as if it had not been cut off.
    ///   - last: ends the stream (`Z_FINISH`); otherwise the run ends with a sync flush.
    /// - Returns: nil when zlib fails (out of memory).
    static func run(_ input: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer? = nil, last: Bool,
                    level: Int32 = Deflate.level) -> DeflatedRun? {
        var stream = z_stream()
        guard fivehours_deflate_init_raw(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        if let d = dictionary, let base = d.baseAddress, d.count > 0,
           deflateSetDictionary(&stream, base.assumingMemoryBound(to: Bytef.self), uInt(d.count)) != Z_OK {
            return nil
        }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var produced = 0
        while true {
            let status = out.withUnsafeMutableBufferPointer { o -> Int32 in
                stream.next_out = o.baseAddress! + produced
                stream.avail_out = uInt(o.count - produced)
                let status = deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH)
                produced = o.count - Int(stream.avail_out)
                return status
            }
            if last ? status == Z_STREAM_END : status == Z_OK && stream.avail_out > 0 { break }
            guard status == Z_OK || status == Z_BUF_ERROR else { return nil }
            out.append(contentsOf: repeatElement(0, count: out.count)) // more room, then go on
        }
        out.removeSubrange(produced...)
        let crc = input.isEmpty ? crc32(0, nil, 0)
            : crc32(crc32(0, nil, 0), input.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(input.count))
        return DeflatedRun(bytes: out, crc: crc, size: input.count)
    }

    static func run(_ input: [UInt8], last: Bool) -> DeflatedRun? {
        input.withUnsafeBytes { run($0, last: last) }
    }

    /// Inflates a whole raw deflate stream of `size` bytes; nil when it is not one.
    static func inflate(_ input: ArraySlice<UInt8>, size: Int) -> [UInt8]? {
        var stream = z_stream()
        guard fivehours_inflate_init_raw(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: size + 1)
        let status = input.withUnsafeBytes { i -> Int32 in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = UnsafeMutablePointer(mutating: i.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else { return nil }
        out.removeLast()
        return out
    }
}

/// Deflates a stream handed over in pieces on the other cores while the caller writes the next
/// piece: each piece is deflated by itself (primed with the end of the piece before), and the
/// runs are joined in order.
///
/// At most `inFlight` pieces wait or are being deflated at a time, so the memory held is a few
/// pieces plus the compressed output, whatever the stream's length.
final class PieceDeflater {
    private final class Piece: @unchecked Sendable {
        let input: [UInt8]
        let dictionary: [UInt8]
        /// Written by the deflating thread before `done` is signalled, read after.
        var result: DeflatedRun?
        let done = DispatchSemaphore(value: 0)

        init(input: [UInt8], dictionary: [UInt8]) {
            self.input = input
            self.dictionary = dictionary
        }

        func deflate() {
            result = input.withUnsafeBytes { i in dictionary.withUnsafeBytes { d in Deflate.run(i, dictionary: d, last: false) } }
            done.signal()
        }
    }

    static let inFlight = 2
    private var pending: [Piece] = []
    private var joined = DeflatedRun()
    private var failed = false
    private var tail: [UInt8] = []

    /// Hands over the next piece of the stream; returns once at most `inFlight` are pending.
    func add(_ piece: [UInt8]) {
        let p = Piece(input: piece, dictionary: tail)
        tail = Array(piece.suffix(Deflate.window))
        DispatchQueue.global().async { p.deflate() }
        pending.append(p)
        while pending.count > Self.inFlight { collect() }
    }

    private func collect() {
        let p = pending.removeFirst()
        p.done.wait()
        if let r = p.result { joined.append(r) } else { failed = true }
    }

    /// Every piece deflated and joined: a run that ends with a sync flush; nil when zlib failed.
    func finish() -> DeflatedRun? {
        while !pending.isEmpty { collect() }
        return failed ? nil : joined
    }
}
