import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CFastBytes
import Testing
@testable import FiveHours

/// `GB18030.decode` against glibc's iconv itself, byte for byte, on generated inputs: ASCII,
/// every two-byte character, four-byte ones, bytes that are not GB18030 in every place a
/// character can hold one, NUL bytes, CRLF, characters cut at the end, at every length around
/// the AVX2 path's windows and in long runs — with the AVX2 path and without it.
@Suite("GB18030 decoder against iconv")
struct GB18030DecoderTests {
    /// What iconv makes of `bytes`: the UTF-8 of the longest prefix it decodes, where it stops,
    /// and why (nil: it decoded everything; EILSEQ: an invalid sequence; EINVAL: a character
    /// cut off at the end).
    static func iconvReference(_ bytes: [UInt8], _ given: iconv_t? = nil) -> (utf8: [UInt8], stop: Int, error: Int32?) {
        let cd = given ?? iconv_open("UTF-8", "GB18030")!
        defer { if given == nil { iconv_close(cd) } else { iconv(cd, nil, nil, nil, nil) } }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: 2 * bytes.count + 16)
        let n = input.count, capacity = output.count
        var error: Int32?
        let (inLeft, outLeft) = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress, inLeft = n
                var outPtr = outBuf.baseAddress, outLeft = capacity
                if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { error = errno }
                return (inLeft, outLeft)
            }
        }
        return (output[0..<(capacity - outLeft)].map { UInt8(bitPattern: $0) }, n - inLeft, error)
    }

    /// The decoder's answer: the UTF-8 and the bytes consumed, or the offset it refused (and
    /// whether for a NUL).
    enum Outcome: Equatable {
        case decoded([UInt8], consumed: Int)
        case refused(at: Int, nul: Bool)
    }

    /// The AVX2 path runs here, whatever `FIVEHOURS_NO_AVX2` says; without AVX2 only the loop is
    /// checked (it is then the only decoder).
    static let vectorAvailable = fh_has_avx2() != 0

    static func decode(_ bytes: [UInt8], final: Bool, vector: Bool) -> Outcome {
        // Room as the callers give it (2 × n + 4), in a buffer just that large, so that a write past
        // it shows under the address sanitizer.
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * bytes.count + 4)
        defer { out.deallocate() }
        return bytes.withUnsafeBufferPointer { input in
            do throws(GB18030.Invalid) {
                let (written, consumed) = try GB18030.decode(input, into: out, final: final, vector: vector)
                return .decoded(Array(UnsafeBufferPointer(start: out, count: written)), consumed: consumed)
            } catch {
                return .refused(at: error.offset, nul: error.nul)
            }
        }
    }

    /// What the decoder must answer for `bytes` with `final`, from iconv: iconv's UTF-8 and its
    /// stop, except that a NUL byte (which iconv passes as U+0000) is refused at its offset, and
    /// that a character cut off at the end of a block that is not the last is left for the next.
    static func expected(_ bytes: [UInt8], final: Bool) -> Outcome {
        let whole = iconvReference(bytes)
        if let nul = bytes[0..<whole.stop].firstIndex(of: 0) {
            return .refused(at: nul, nul: true)
        }
        switch whole.error {
        case nil: return .decoded(whole.utf8, consumed: bytes.count)
        case EINVAL? where !final: return .decoded(whole.utf8, consumed: whole.stop)
        default: return .refused(at: whole.stop, nul: false)
        }
    }

    /// Every two-byte code iconv decodes, by iconv alone.
    static let pairs: [[UInt8]] = {
        var all: [[UInt8]] = []
        let cd = iconv_open("UTF-8", "GB18030")!
        defer { iconv_close(cd) }
        for lead in 0x81...0xFE as ClosedRange<UInt8> {
            for trail in 0x40...0xFE as ClosedRange<UInt8> {
                let r = iconvReference([lead, trail], cd)
                if r.error == nil { all.append([lead, trail]) }
            }
        }
        return all
    }()

    /// Common characters (GB2312's hanzi rows: leads B0–F7, trails A1–FE) whose UTF-8 is three
    /// bytes, the run the AVX2 path writes without a length of its own.
    static let hanzi: [[UInt8]] = pairs.filter { $0[0] >= 0xB0 && $0[0] <= 0xF7 && $0[1] >= 0xA1 }

    /// Four-byte codes: BMP ones (81 30 81 30 …) and beyond it (90 30 81 30 … E3 32 9A 35).
    static func fourByte(_ rng: inout SplitMix) -> [UInt8] {
        if Bool.random(using: &rng) {
            return [UInt8.random(in: 0x81...0x84, using: &rng), UInt8.random(in: 0x30...0x39, using: &rng),
                    UInt8.random(in: 0x81...0xFE, using: &rng), UInt8.random(in: 0x30...0x39, using: &rng)]
        }
        return [UInt8.random(in: 0x90...0xE3, using: &rng), UInt8.random(in: 0x30...0x39, using: &rng),
                UInt8.random(in: 0x81...0xFE, using: &rng), UInt8.random(in: 0x30...0x39, using: &rng)]
    }

    /// Bytes that are not GB18030 where they stand, in every place a character has: a lead of
    /// none (80, FF), a lead before a byte no trail is (00–2F, 3A–3F, 7F, FF), a four-byte code
    /// with a third or fourth byte out of range, a NUL.
    static func breaker(_ rng: inout SplitMix) -> [UInt8] {
        let lead = UInt8.random(in: 0x81...0xFE, using: &rng)
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return [[0x80, 0xFF].randomElement(using: &rng)!]
        case 1: return [lead, [0x00, 0x0A, 0x0D, 0x20, 0x2C, 0x2F, 0x3A, 0x3F, 0x7F, 0xFF].randomElement(using: &rng)!]
        case 2: return [lead, 0x30 + UInt8.random(in: 0...9, using: &rng), [0x00, 0x2C, 0x30, 0x7F, 0x80, 0xFF].randomElement(using: &rng)!, 0x30]
        case 3: return [lead, 0x31, 0x81, [0x00, 0x2C, 0x2F, 0x3A, 0x81, 0xFF].randomElement(using: &rng)!]
        case 4: return [0]
        case 5: return [0x84, 0x31, 0xA5, 0x30] // past the last BMP four-byte code iconv knows (84 31 A4 39)
        case 6: return [0xE3, 0x32, 0x9A, 0x36] // past U+10FFFF
        default: return [0xFE, 0x39, 0xFE, 0x39]
        }
    }

    /// A random text of at least `length` bytes, in one of five styles.
    static func text(length: Int, breakers: Bool, _ rng: inout SplitMix) -> [UInt8] {
        var b: [UInt8] = []
        let style = Int.random(in: 0..<5, using: &rng)
        while b.count < length {
            let roll = Int.random(in: 0..<100, using: &rng)
            switch style {
            case 0: // a log: ASCII cells, Chinese cells, commas, CRLF
                if roll < 30 { b += Array("S19-0000001,2019/8/5,9:30,".utf8.prefix(Int.random(in: 1...26, using: &rng))) }
                else if roll < 85 { for _ in 0..<Int.random(in: 1...12, using: &rng) { b += hanzi.randomElement(using: &rng)! } }
                else if roll < 92 { b += [0x2C] }
                else if roll < 97 { b += [0x0D, 0x0A] }
                else { b += pairs.randomElement(using: &rng)! }
            case 1: // long runs of one kind
                if roll < 50 { for _ in 0..<Int.random(in: 1...80, using: &rng) { b += hanzi.randomElement(using: &rng)! } }
                else { b += (0..<Int.random(in: 1...100, using: &rng)).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) } }
            case 2: // every two-byte code, trails below 0x80 included, and single ASCII between
                if roll < 70 { b += pairs.randomElement(using: &rng)! }
                else if roll < 90 { b += [UInt8.random(in: 0x01...0x7F, using: &rng)] }
                else { b += fourByte(&rng) }
            case 3: // characters whose UTF-8 is two or three bytes, mixed (·, ×, °, ideographs)
                if roll < 40 { b += [[0xA1, 0xA4], [0xA1, 0xC1], [0xA1, 0xE3], [0xA8, 0xA6], [0x81, 0x30, 0x81, 0x30]].randomElement(using: &rng)! }
                else if roll < 90 { b += hanzi.randomElement(using: &rng)! }
                else { b += [0x2C] }
            default: // four-byte codes between everything else
                if roll < 25 { b += fourByte(&rng) }
                else if roll < 70 { b += hanzi.randomElement(using: &rng)! }
                else { b += [UInt8.random(in: 0x20...0x7E, using: &rng)] }
            }
            if breakers, Int.random(in: 0..<40, using: &rng) == 0 { b += breaker(&rng) }
        }
        return b
    }

    /// An outcome in a line: where it stops or first differs from iconv's, and the bytes there.
    static func brief(_ outcome: Outcome, _ bytes: [UInt8]) -> String {
        func around(_ at: Int) -> String {
            bytes[max(0, at - 6)..<min(bytes.count, at + 6)].map { String(format: "%02X", $0) }.joined(separator: " ")
        }
        switch outcome {
        case .decoded(let utf8, let consumed): return "\(utf8.count) bytes of UTF-8 from \(consumed) bytes"
        case .refused(let at, let nul): return "refused at \(at)\(nul ? " (NUL)" : "") [\(around(at))]"
        }
    }

    /// Checks one input both ways and for both values of `final`; returns what disagreed.
    static func check(_ bytes: [UInt8]) -> [String] {
        var wrong: [String] = []
        for final in [true, false] {
            let want = expected(bytes, final: final)
            let scalar = decode(bytes, final: final, vector: false)
            var answers = [("scalar", scalar)]
            if vectorAvailable { answers.append(("AVX2", decode(bytes, final: final, vector: true))) }
            for (name, got) in answers where got != want {
                // A block that is not the last may leave a cut four-byte code (up to 3 bytes) for
                // the next block although iconv already sees it cannot be one: the next block
                // refuses it at the same offset.
                if !final, case .decoded(let utf8, let consumed) = got, case .refused(let at, false) = want,
                   consumed == at, bytes.count - at < 4, utf8 == iconvReference(Array(bytes[0..<at])).utf8 {
                    continue
                }
                wrong.append("\(name) final \(final), \(bytes.count) bytes: \(brief(got, bytes)) ≠ iconv \(brief(want, bytes))")
            }
        }
        return wrong
    }

    @Test("every length from 0 to 300 bytes, with and without bytes that are not GB18030")
    func shortInputs() {
        var rng = SplitMix(seed: 0x6B18030)
        var wrong: [String] = []
        for length in 0...300 {
            for round in 0..<12 {
                var bytes = Self.text(length: length, breakers: round % 3 == 0, &rng)
                bytes = Array(bytes.prefix(length + round % 4)) // cut anywhere, characters too
                wrong += Self.check(bytes)
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) disagreements; the first: \(wrong.first.map { String($0.prefix(2000)) } ?? "")")
    }

    @Test("long inputs, one byte that is not GB18030 at every place of the AVX2 window")
    func longInputs() {
        var rng = SplitMix(seed: 0x5EED18030)
        var wrong: [String] = []
        for round in 0..<400 {
            var bytes = Self.text(length: Int.random(in: 300...3000, using: &rng), breakers: round % 2 == 0, &rng)
            if round % 4 == 1, !bytes.isEmpty {
                // One breaker at an offset near a window edge of the vector path.
                let at = min(bytes.count - 1, 64 * Int.random(in: 1...20, using: &rng) + [-2, -1, 0, 1, 31, 32, 33].randomElement(using: &rng)!)
                bytes.insert(contentsOf: Self.breaker(&rng), at: at)
            }
            wrong += Self.check(bytes)
        }
        #expect(wrong.isEmpty, "\(wrong.count) disagreements; the first: \(wrong.first.map { String($0.prefix(2000)) } ?? "")")
    }

    @Test("every two-byte code, in runs, decodes as iconv decodes it")
    func everyPair() {
        var wrong: [String] = []
        var rng = SplitMix(seed: 7)
        let shuffled = GB18030DecoderTests.pairs.shuffled(using: &rng)
        var k = 0
        while k < shuffled.count {
            let count = Int.random(in: 1...300, using: &rng)
            var bytes = shuffled[k..<min(shuffled.count, k + count)].flatMap { $0 }
            if Bool.random(using: &rng) { bytes.insert(0x2C, at: Int.random(in: 0...bytes.count / 2, using: &rng) * 2) }
            wrong += Self.check(bytes)
            k += count
        }
        #expect(GB18030DecoderTests.pairs.count > 20_000)
        #expect(wrong.isEmpty, "\(wrong.count) disagreements; the first: \(wrong.first.map { String($0.prefix(2000)) } ?? "")")
    }
}

/// `GB18030.isText`, the check of a part read on its own bytes, against the decoder it stands
/// for: with AVX2 (`fh_gb18030_pairs_avx2` passing over blocks of ASCII and two-byte characters)
/// and without, on the decoder's generated inputs and with a byte that is not GB18030 at every
/// place of a 64-byte block.
@Suite("The GB18030 check of a part against the decoder")
struct GB18030CheckTests {
    /// The decoder's answer for a whole input: it decodes, with no NUL byte.
    static func decodes(_ bytes: [UInt8]) -> Bool {
        if case .decoded = GB18030DecoderTests.decode(bytes, final: true, vector: false) { return true }
        return false
    }

    static func check(_ bytes: [UInt8]) -> [String] {
        let want = decodes(bytes)
        var ways = [false]
        if GB18030DecoderTests.vectorAvailable { ways.append(true) }
        return ways.compactMap { vector in
            let got = bytes.withUnsafeBufferPointer { GB18030.isText($0, vector: vector) }
            guard got != want else { return nil }
            return "\(vector ? "AVX2" : "scalar") says \(got), the decoder \(want), \(bytes.count) bytes: "
                + bytes.prefix(200).map { String(format: "%02X", $0) }.joined(separator: " ")
        }
    }

    /// The fast path takes any pair of lead 81–FE and trail 40–7E or 80–FE as a character
    /// without asking: iconv must decode every one of them.
    @Test("every pair of a lead and a trail byte is a character iconv decodes")
    func everyPairIsACharacter() {
        #expect(GB18030DecoderTests.pairs.count == 126 * 190)
    }

    @Test("the check agrees with the decoder on every length to 300 and on long inputs")
    func agreesWithTheDecoder() {
        var rng = SplitMix(seed: 0xC4EC18030)
        var wrong: [String] = []
        var refused = 0
        for length in 0...300 {
            for round in 0..<6 {
                var bytes = GB18030DecoderTests.text(length: length, breakers: round % 2 == 0, &rng)
                bytes = Array(bytes.prefix(length + round % 4))
                if !Self.decodes(bytes) { refused += 1 }
                wrong += Self.check(bytes)
            }
        }
        for round in 0..<600 {
            var bytes = GB18030DecoderTests.text(length: Int.random(in: 300...4000, using: &rng), breakers: false, &rng)
            if round % 3 != 0, !bytes.isEmpty {
                // One byte that is not GB18030 (or a NUL) at any place of a block, its edges most.
                let edge = 64 * Int.random(in: 0...40, using: &rng) + [-2, -1, 0, 1, 2, 31, 32, 62, 63].randomElement(using: &rng)!
                let at = round % 3 == 1 ? max(0, min(bytes.count - 1, edge)) : Int.random(in: 0..<bytes.count, using: &rng)
                bytes.insert(contentsOf: GB18030DecoderTests.breaker(&rng), at: at)
            }
            if !Self.decodes(bytes) { refused += 1 }
            wrong += Self.check(bytes)
        }
        #expect(refused > 500, "\(refused) inputs the decoder refuses")
        #expect(wrong.isEmpty, "\(wrong.count) disagreements; the first: \(wrong.first ?? "")")
    }

    @Test("a character across a block's edge: its trail checked in the next block")
    func characterAcrossBlocks() {
        // ASCII, then a run of pairs that crosses the edge at byte 64 with either parity; then
        // one pair's trail made a comma (no trail byte), for each pair near the edge.
        for shift in 0..<4 {
            let start = 63 - shift
            let good = [UInt8](repeating: 0x41, count: start) + [UInt8](repeating: 0xB0, count: 2 * 40) + [0x0A]
                + [UInt8](repeating: 0x41, count: 70)
            #expect(Self.decodes(good))
            #expect(Self.check(good).isEmpty, "shift \(shift)")
            for k in 0..<3 {
                var bad = good
                bad[start + 2 * k + 1] = 0x2C
                #expect(!Self.decodes(bad))
                #expect(Self.check(bad).isEmpty, "shift \(shift), pair \(k)")
            }
        }
    }
}

/// The file's CR and LF bytes that place a decoded part's rows (`LineBytes`, `RowPlaces`): the
/// AVX2 listing and the loop that runs without it must list the same offsets.
@Suite("Line bytes listed with AVX2 and without")
struct LineBytesTests {
    @Test("every length up to 300 and every density of CR and LF, at every base")
    func vectorEqualsLoop() throws {
        try #require(UTF8Check.avx2, "no AVX2 here: the loop alone runs, and ScalarFallbackTests covers it")
        var rng = SplitMix(seed: 7)
        for length in 0...300 {
            for density in [0, 1, 8, 64, 255] {
                let bytes = (0..<length).map { _ -> UInt8 in
                    Int.random(in: 0..<256, using: &rng) < density ? [10, 13].randomElement(using: &rng)! : UInt8.random(in: 14...255, using: &rng)
                }
                let base = Int.random(in: 0..<1_000_000, using: &rng)
                let expected = bytes.indices.filter { bytes[$0] == 10 || bytes[$0] == 13 }.map { UInt32($0 + base) }
                for vector in [true, false] {
                    let got = bytes.withUnsafeBufferPointer { b in
                        [UInt32](unsafeUninitializedCapacity: length + 2) { out, n in
                            n = LineBytes.positions(in: b, into: out.baseAddress!, base: base, vector: vector)
                        }
                    }
                    #expect(got == expected, "length \(length), density \(density), vector \(vector)")
                }
            }
        }
    }
}
