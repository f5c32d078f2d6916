import Foundation
import Testing
@testable import FiveHours

/// Issue 6 §3, property style: thousands of generated strings made of combining marks, quotes,
/// `<>&`, formula characters, commas, line breaks and control characters. A failure names the
/// seed and the case, so it can be replayed.
@Suite("Escaping properties (issue 6)")
struct EscapingPropertyTests {
    /// The alphabet: what breaks escapers, weighted towards it, plus ordinary text.
    static let pieces: [String] = [
        "\"", "'", "`", "<", ">", "&", "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", ",", ";", "|", "\\", "*", "_", "[", "]", "#", "!", "~",
        "\u{301}", "\u{308}", "\u{20DD}", "\u{FE0F}", "\u{200D}", "\u{0}", "\u{1B}", "\u{7F}", "\u{85}", "\u{2028}", "\u{FEFF}",
        "＝", "＋", "－", "＠", "王", "继", "跃", "𠮷", "👨‍👩‍👧", "a", "Z", "0", "9", " ", "　", "&amp;", "&#39;", "onmouseover=", "<script>",
        "=HYPERLINK(", "{{", "}}",
    ]

    static func string(_ rng: inout SeededGenerator, maxPieces: Int = 12) -> String {
        let n = Int.random(in: 0...maxPieces, using: &rng)
        var s = ""
        for _ in 0..<n { s += pieces.randomElement(using: &rng)! }
        return s
    }

    static let seeds: [UInt64] = [1, 2, 3, 0x5EED, 20_190_809]

    /// `&…;` sequences HTMLEscape writes.
    static let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;", "&#61;", "&#xFFFD;"]

    static func unescapeHTML(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        outer: while i < scalars.count {
            if scalars[i] == "&" {
                for (e, v) in zip(entities, ["&", "<", ">", "\"", "'", "`", "=", "\u{FFFD}"]) {
                    let es = Array(e.unicodeScalars)
                    if i + es.count <= scalars.count, Array(scalars[i..<(i + es.count)]) == es {
                        out.append(contentsOf: v.unicodeScalars)
                        i += es.count
                        continue outer
                    }
                }
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }

    @Test("HTMLEscape: no raw < > \" ' ` =, every & starts an entity, and it decodes back", arguments: seeds)
    func html(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for k in 0..<1_000 {
            let input = Self.string(&rng)
            let out = HTMLEscape.escape(input)
            let scalars = Array(out.unicodeScalars)
            for (i, s) in scalars.enumerated() {
                if "<>\"'`=".unicodeScalars.contains(s) {
                    Issue.record("seed \(seed) case \(k): raw \(s) in \(out.debugDescription) from \(input.debugDescription)")
                    return
                }
                if s == "&" {
                    let rest = Array(scalars[i...].prefix(8))
                    if !Self.entities.contains(where: { rest.starts(with: $0.unicodeScalars) }) {
                        Issue.record("seed \(seed) case \(k): a bare & in \(out.debugDescription)")
                        return
                    }
                }
                if s.value < 0x20, s != "\t", s != "\n" {
                    Issue.record("seed \(seed) case \(k): control U+\(String(s.value, radix: 16)) in \(out.debugDescription)")
                    return
                }
            }
            // Nothing lost but control characters, which become U+FFFD.
            let expected = String(String.UnicodeScalarView(input.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" && $0 != "\n" ? "\u{FFFD}" : $0 }))
            #expect(Self.unescapeHTML(out) == expected, "seed \(seed) case \(k): \(input.debugDescription)")
        }
    }

    @Test("MarkdownEscape: no raw < > or line break, every Markdown character escaped", arguments: seeds)
    func markdown(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for k in 0..<1_000 {
            let input = Self.string(&rng)
            let out = Array(MarkdownEscape.escape(input).unicodeScalars)
            var i = 0
            while i < out.count {
                let s = out[i]
                if s == "<" || s == ">" || s == "\n" || s == "\r" || (s.value < 0x20 && s != "\t") {
                    Issue.record("seed \(seed) case \(k): raw U+\(String(s.value, radix: 16)) from \(input.debugDescription)")
                    return
                }
                if s == "\\" {
                    // An escape: the next scalar is one of the specials, taken literally.
                    guard i + 1 < out.count, MarkdownEscape.special.contains(out[i + 1]) else {
                        Issue.record("seed \(seed) case \(k): a lone backslash from \(input.debugDescription)")
                        return
                    }
                    i += 2
                    continue
                }
                if MarkdownEscape.special.contains(s) {
                    Issue.record("seed \(seed) case \(k): unescaped \(s) from \(input.debugDescription)")
                    return
                }
                i += 1
            }
        }
    }

    @Test("CSVWriter: a generated table parses back to the same cells, formulas behind a '", arguments: seeds)
    func csv(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for k in 0..<300 {
            let width = Int.random(in: 1...6, using: &rng)
            let header = (0..<width).map { _ in Self.string(&rng, maxPieces: 4) }
            let rows = (0..<Int.random(in: 0...8, using: &rng)).map { _ in (0..<width).map { _ in Self.string(&rng) } }
            let bytes = CSVWriter.file(header: header, rows: rows)
            let parsed: [[String]]
            do {
                parsed = try Hostile.parseCSV(bytes)
            } catch {
                Issue.record("seed \(seed) case \(k): \(error) for \(([header] + rows).description)")
                return
            }
            let expected = ([header] + rows).map { r in
                r.map { c in Hostile.looksLikeFormula(c) ? "'" + c : c }
            }
            // Compared by scalars: String equality would call `e\u{301}` and `é` the same.
            #expect(parsed.map { $0.map { Array($0.unicodeScalars) } } == expected.map { $0.map { Array($0.unicodeScalars) } },
                    "seed \(seed) case \(k)")
        }
    }
    @Test("no bidi control reaches a report: HTML, Markdown, CSV and workbook text drop them; their byte test is their scalar test")
    func bidiControls() {
        // The byte-level test agrees with the scalar one for every scalar.
        for v in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            let bytes = Array(String(s).utf8)
            let byBytes = bytes.withUnsafeBufferPointer { BidiControls.length($0, at: 0) }
            #expect((byBytes != nil) == BidiControls.contains(s), "U+\(String(v, radix: 16))")
            if let n = byBytes { #expect(n == bytes.count) }
        }
        let controls = ["\u{202E}", "\u{202B}", "\u{2067}", "\u{2069}", "\u{200F}", "\u{061C}", "\u{202C}"]
        for c in controls {
            // Each becomes a zero-width space: it still parts what it parted (a phone number from
            // the digit after it, for the scrubber that reads the CSV after it is written).
            let name = "王\(c)继跃 (1)", neutral = "王\u{200B}继跃 (1)"
            #expect(HTMLEscape.escape(name) == HTMLEscape.escape(neutral))
            #expect(MarkdownEscape.escape(name) == MarkdownEscape.escape(neutral))
            #expect(CSVWriter.cell(name) == CSVWriter.cell(neutral))
            #expect(CSVWriter.cell("\(c)=1+1") == "\"'\u{200B}=1+1\"", "a control before a formula hides neither")
            #expect(WorkbookText.clean(name) == neutral)
            // A number a mark parts from the next digit is masked in a CSV scrubbed after it is written.
            let csv = CSVWriter.file(header: ["record_id"], rows: [["电话13800138001\(c)0"]])
            let scrubbed = String(decoding: PhoneScrubber.scrub(bytes: csv, known: ["13800138001"]), as: UTF8.self)
            #expect(!scrubbed.contains("13800138001"), "\(scrubbed)")
        }
        #expect(CSVWriter.cell("一—二…三") == "一—二…三", "other E2 characters are kept")
        // A run of them is one zero-width space: seven marks between a number's groups would part
        // it by more separators than the scrubber reads within one number.
        let marks = String(repeating: "\u{200E}", count: 7)
        let csv = CSVWriter.file(header: ["name"], rows: [["张三010\(marks)6234\(marks)5678"]])
        #expect(String(decoding: PhoneScrubber.scrub(bytes: csv, known: ["01062345678"]), as: UTF8.self).contains("张三***\u{200B}****\u{200B}****"))
        #expect(HTMLEscape.escape("a\(marks)b") == "a\u{200B}b" && MarkdownEscape.escape("a\(marks)b") == "a\u{200B}b")
        #expect(WorkbookText.clean("a\(marks)b") == "a\u{200B}b")
    }
}

