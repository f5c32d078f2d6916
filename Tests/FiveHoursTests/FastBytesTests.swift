import CFastBytes
import Testing
@testable import FiveHours

/// The AVX2 scans of `CFastBytes` must agree with the byte-by-byte Swift code they stand in for,
/// on valid text, on text with one byte changed, and at every length around their 32- and
/// 64-byte blocks.
@Suite("AVX2 byte scans agree with the Swift ones")
struct FastBytesTests {
    /// Pieces of valid UTF-8 of every length, and bytes that break it.
    static let pieces: [[UInt8]] = ["a", ",", "\n", "7", "编", "号", "é", "𠮷", "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}",
                                    "\u{10FFFF}", "\u{D7FF}", "\u{E000}", "　"].map { Array($0.utf8) }
    static let breakers: [UInt8] = [0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x00]

    @Test("the AVX2 validator says valid exactly when the scalar one finds nothing", .enabled(if: UTF8Check.avx2, "needs AVX2: without it the Swift check is the only one"))
    func validatorAgrees() {
        var rng = SplitMix(seed: 0x5EED_0F_F1E)
        var disagreements: [String] = []
        for round in 0..<6000 {
            var b: [UInt8] = []
            let length = round < 300 ? round : Int.random(in: 0...700, using: &rng)
            while b.count < length { b += FastBytesTests.pieces.randomElement(using: &rng)! }
            if round % 3 != 0, !b.isEmpty {
                // One byte changed, inserted or cut: near a block edge as often as not.
                let at = round % 2 == 0 ? Int.random(in: 0..<b.count, using: &rng) : min(b.count - 1, [31, 32, 33, 63, 64, 65].randomElement(using: &rng)!)
                switch round % 4 {
                case 0: b[at] = FastBytesTests.breakers.randomElement(using: &rng)!
                case 1: b.insert(FastBytesTests.breakers.randomElement(using: &rng)!, at: at)
                default: b.removeSubrange(at..<min(b.count, at + 1))
                }
            }
            let scalar = b.withUnsafeBufferPointer { UTF8Check.scalarFirstInvalid($0) } == nil
            let avx = b.withUnsafeBufferPointer { $0.baseAddress.map { fh_utf8_valid_avx2($0, b.count) != 0 } ?? true }
            let swift = String(validating: b, as: UTF8.self) != nil
            if scalar != avx || scalar != swift { disagreements.append("\(b.map { String($0, radix: 16) }) scalar \(scalar) avx2 \(avx) stdlib \(swift)") }
            // The text check: the same, and no NUL byte.
            let text = b.withUnsafeBufferPointer { $0.baseAddress.map { fh_text_valid_avx2($0, b.count) != 0 } ?? true }
            if text != (swift && !b.contains(0)) { disagreements.append("\(b.map { String($0, radix: 16) }) text check \(text), stdlib \(swift), NUL \(b.contains(0))") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements; the first: \(disagreements.first.map { String($0.prefix(400)) } ?? "")")
    }

    @Test("the AVX-512 separator index writes the AVX2 one's entries and leaves its state, in steps of any size, one kernel continuing the other's",
          .enabled(if: SeparatorIndex.Kernel.available.contains(.avx512), "needs AVX-512"))
    func wideIndexAgrees() {
        var rng = SplitMix(seed: 0x1DE_512)
        // Separators in runs (more than sixteen in a block), quotes and line ends, and text that
        // breaks UTF-8 or holds a NUL now and then.
        let pieces: [[UInt8]] = FastBytesTests.pieces + [",", ",,,,,,,,,,,,,,,,,,,,", "\"", "\r\n", "\r", "2019-08-05", "   "].map { Array($0.utf8) }
        var disagreements: [String] = [], invalid = 0
        for round in 0..<3000 {
            var b: [UInt8] = []
            let length = Int.random(in: 64...(round < 1000 ? 400 : 6_000), using: &rng)
            while b.count < length { b += pieces.randomElement(using: &rng)! }
            if round % 3 == 0 { b[Int.random(in: 0..<b.count, using: &rng)] = FastBytesTests.breakers.randomElement(using: &rng)! }
            let validate: Int32 = round % 4 == 0 ? 0 : 1
            let blocks = b.count / 64
            // Per kernel: every entry in order, and the end of the check. In the mixed run the
            // kernels take turns, step by step, on one state and one index.
            func scan(_ kernels: [SeparatorIndex.Kernel], step: Int) -> (separators: [UInt32], ends: [UInt32], valid: Bool) {
                let capacity = 64 * blocks + Int(FH_INDEX_SLACK)
                var separators = [UInt32](repeating: 0, count: capacity), ends = [UInt32](repeating: 0, count: capacity)
                var state = fh_scan_state()
                return separators.withUnsafeMutableBufferPointer { s in
                    ends.withUnsafeMutableBufferPointer { e in
                        b.withUnsafeBufferPointer { bytes in
                            let p = bytes.baseAddress!
                            var index = fh_scan_index(separators: s.baseAddress, separator_count: 0, ends: e.baseAddress, end_count: 0)
                            var at = 0, turn = 0
                            while at < blocks {
                                let count = min(step, blocks - at)
                                switch kernels[turn % kernels.count] {
                                case .avx2: fh_scan_index_avx2(p + 64 * at, count, UInt32(64 * at), validate, &state, &index)
                                case .avx512: fh_scan_index_avx512(p + 64 * at, count, UInt32(64 * at), validate, &state, &index)
                                }
                                at += count
                                turn += 1
                            }
                            let valid = validate == 0 || fh_scan_finish_avx2(p + 64 * blocks, bytes.count - 64 * blocks, &state) != 0
                            return (Array(s.prefix(index.separator_count)), Array(e.prefix(index.end_count)), valid)
                        }
                    }
                }
            }
            let step = [1, 2, 3, 7, 64][round % 5]
            let reference = scan([.avx2], step: step)
            if !reference.valid { invalid += 1 }
            for kernels in [[SeparatorIndex.Kernel.avx512], [.avx512, .avx2], [.avx2, .avx512]] {
                let got = scan(kernels, step: step)
                if got.separators != reference.separators || got.ends != reference.ends || got.valid != reference.valid {
                    disagreements.append("round \(round), \(kernels), step \(step): separators \(got.separators == reference.separators ? "equal" : "differ"), ends \(got.ends == reference.ends ? "equal" : "differ"), valid \(got.valid) against \(reference.valid)")
                }
            }
        }
        #expect(disagreements.count == 0, "\(disagreements.count) disagreements; the first: \(disagreements.first ?? "")")
        #expect(invalid > 300, "\(invalid) rounds with bad text")
    }

    @Test("the XML attribute guard: the AVX2 count of = since the last < finds what the loop finds, within its block, across stretches", .enabled(if: UTF8Check.avx2, "needs AVX2"))
    func attributeGuard() {
        var g = SeededGenerator(seed: 7)
        var found = 0
        for trial in 0..<300 {
            // Runs of = and of other bytes, a < now and then (none at all in some trials).
            var bytes: [UInt8] = []
            let ltEvery = [0, 50, 3_000, 9_000, 20_000].randomElement(using: &g)!
            let length = Int.random(in: 1...60_000, using: &g)
            while bytes.count < length {
                let r = Int.random(in: 0..<100, using: &g)
                bytes.append(ltEvery > 0 && Int.random(in: 0..<ltEvery, using: &g) == 0 ? 60 : r < 40 ? 61 : r < 60 ? 34 : 97)
            }
            var fast = XMLReader.StartTagGuard(), slow = XMLReader.StartTagGuard()
            var at = 0, foundFast: Int?, foundSlow: Int?
            while at < bytes.count, foundFast == nil || foundSlow == nil {
                let n = min(Int.random(in: 1...9_000, using: &g), bytes.count - at)
                bytes.withUnsafeBufferPointer { b in
                    let piece = UnsafeBufferPointer(rebasing: b[at..<(at + n)])
                    if foundFast == nil, let f = fast.check(piece, accelerated: true) { foundFast = at + f }
                    if foundSlow == nil, let s = slow.check(piece, accelerated: false) { foundSlow = at + s }
                }
                at += n
            }
            #expect((foundFast == nil) == (foundSlow == nil), "trial \(trial): \(String(describing: foundFast)) \(String(describing: foundSlow))")
            if let f = foundFast, let s = foundSlow { #expect(f <= s && s < f + 64, "trial \(trial): \(f) \(s)") }
            if foundSlow == nil { #expect(fast.equals == slow.equals, "trial \(trial)") } else { found += 1 }
        }
        #expect(found > 30 && found < 270) // both outcomes, many times
    }

    @Test("the AVX2 mask marks exactly the commas, quotes, CRs and LFs", .enabled(if: UTF8Check.avx2, "needs AVX2"))
    func specialsAgree() {
        var rng = SplitMix(seed: 42)
        let alphabet: [UInt8] = [44, 34, 13, 10, 32, 43, 45, 33, 9, 0, 0x80, 0xE7, 0xFF, 65, 0x2C | 0x80]
        for _ in 0..<2000 {
            let b = (0..<64).map { _ in alphabet.randomElement(using: &rng)! }
            var others: UInt64 = 0
            let commas = b.withUnsafeBufferPointer { fh_csv_commas_avx2($0.baseAddress!, &others) }
            var expected: UInt64 = 0, expectedCommas: UInt64 = 0
            for (i, c) in b.enumerated() where c == 44 || c == 34 || c == 13 || c == 10 { expected |= 1 << UInt64(i) }
            for (i, c) in b.enumerated() where c == 44 { expectedCommas |= 1 << UInt64(i) }
            #expect(commas | others == expected)
            #expect(commas == expectedCommas && commas & others == 0)
        }
    }
}
