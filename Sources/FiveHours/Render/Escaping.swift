import Mustache

/// HTML escaping by Unicode scalar: `"` followed by a combining mark is one `Character`, and
/// a `Character`-based escaper (swift-mustache 2.1.1's own) lets it break out of an attribute.
public enum HTMLEscape {
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "`": out.append(contentsOf: "&#96;".unicodeScalars)
            case "=": out.append(contentsOf: "&#61;".unicodeScalars)
            case NameMask.marker: out.append("*") // a masked name's or number's character
            case _ where BidiControls.contains(s): if out.last != BidiControls.replacement { out.append(BidiControls.replacement) }
            default:
                // Control characters other than tab and newline have no place in a report.
                if s.value < 0x20 && s != "\t" && s != "\n" { out.append(contentsOf: "&#xFFFD;".unicodeScalars) } else { out.append(s) }
            }
        }
        return String(out)
    }
}

/// Markdown escaping by Unicode scalar: every character Markdown or inline HTML gives meaning
/// to is backslash-escaped or turned into an entity, and a line break cannot end a table row.
public enum MarkdownEscape {
    static let special: Set<Unicode.Scalar> = ["\\", "`", "*", "_", "[", "]", "#", "!", "|", "~"]

    public static func escape(_ text: String) -> String {
        if isURL(text) { return escapeURL(text) }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s {
            // A masked name's or number's character: kept as it is, for `MarkdownMasks.place` to
            // write once the document is whole — whether it may be a plain `*` depends on what
            // else its paragraph or table cell holds.
            case NameMask.marker: out.append(s)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "\n", "\r": out.append(" ")
            case _ where BidiControls.contains(s): if out.last != BidiControls.replacement { out.append(BidiControls.replacement) }
            default:
                if special.contains(s) { out.append("\\") }
                if s.value < 0x20 && s != "\t" { out.append("\u{FFFD}") } else { out.append(s) }
            }
        }
        return String(out)
    }
}

extension MarkdownEscape {
    /// A value that is one web address and nothing else: `http(s)://` and no white space,
    /// `<`, `>` or control character.
    static func isURL(_ text: String) -> Bool {
        guard MediaRef.isWebAddress(text) else { return false }
        return !text.unicodeScalars.contains { $0.value <= 0x20 || $0 == "<" || $0 == ">" || $0 == "\u{7F}" || $0 == NameMask.marker
            || $0.properties.isWhitespace }
    }

    /// A web address for Markdown (`<…>` autolinks, link destinations, text): backslashes are not
    /// read inside an autolink, so nothing is backslash-escaped; the characters Markdown could
    /// read (asterisk, brackets, parentheses, bar, backslash, backtick, tilde) are percent-encoded, which leaves the address the same (RFC 3986),
    /// `&` and `"` become entities; `_` (intraword in an address) is kept as written.
    static func escapeURL(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "*": out.append(contentsOf: "%2A".unicodeScalars)
            case "[": out.append(contentsOf: "%5B".unicodeScalars)
            case "]": out.append(contentsOf: "%5D".unicodeScalars)
            case "|": out.append(contentsOf: "%7C".unicodeScalars)
            case "\\": out.append(contentsOf: "%5C".unicodeScalars)
            case "`": out.append(contentsOf: "%60".unicodeScalars)
            case "~": out.append(contentsOf: "%7E".unicodeScalars)
            case "(": out.append(contentsOf: "%28".unicodeScalars)
            case ")": out.append(contentsOf: "%29".unicodeScalars)
            default: out.append(s)
            }
        }
        return String(out)
    }
}

struct ScalarHTMLContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { HTMLEscape.escape(text) }
}

struct MarkdownContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { MarkdownEscape.escape(text) }
}

/// The masks of a rendered Markdown document (`NameMask.marker`, which `MarkdownEscape` leaves in
/// place) written as the contract's `*` (王*跃). Markdown pairs asterisks into emphasis within an
/// inline context — a table cell, or a paragraph, list item or heading over all its lines — so
/// that two masked names in one (`牛*华、常*芳`, or a place and a name on two lines joined by a
/// hard break) would become emphasis and lose both asterisks. In each context the first run of
/// masks inside a word (after a character that is not white space) is written as it is; every
/// other run is backslash-escaped, `\*`, which renders the same `*` — and a run at a line's
/// start or after a space (a masked number alone) cannot become a rule or a list item.
enum MarkdownMasks {
    static func place(_ text: String) -> String {
        guard text.unicodeScalars.contains(NameMask.marker) else { return text }
        var out = String.UnicodeScalarView()
        // Whether the last line may go on into the next one's context (a paragraph's or list
        // item's line; not a blank line, a heading or a table row).
        var continues = false
        var literalUsed = false
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if k > 0 { out.append("\n") }
            let start = line.drop { $0 == " " }
            let table = start.hasPrefix("|")
            let heading = start.hasPrefix("#")
            let item = start.hasPrefix("- ") || start.hasPrefix("* ") || start.hasPrefix("+ ")
                || (start.first?.isNumber == true && start.drop { $0.isNumber }.hasPrefix(". "))
            if !continues || table || heading || item { literalUsed = false }
            var previous: Unicode.Scalar?, inMask = false, literal = false, backslash = false
            for s in line.unicodeScalars {
                if s == NameMask.marker {
                    if !inMask {
                        literal = !literalUsed && previous.map { !$0.properties.isWhitespace && $0 != "|" } == true
                        if literal { literalUsed = true }
                    }
                    if !literal { out.append("\\") }
                    out.append("*")
                    inMask = true
                } else {
                    inMask = false
                    // A table row's cells are contexts of their own; `\|` is a cell's text.
                    if table, s == "|", !backslash { literalUsed = false }
                    out.append(s)
                }
                backslash = s == "\\" && !backslash
                previous = s
            }
            continues = !(table || heading || start.allSatisfy { $0 == " " || $0 == "\t" })
        }
        return String(out)
    }
}

/// Text for a terminal (stdout and stderr): a control character from the inputs — an escape
/// sequence in a cell, a file name or a unit's name — would be obeyed by the operator's terminal
/// (clear the screen, set the title, write the clipboard, hide a line behind a CR). Each is shown
/// as its Unicode control picture instead (ESC as `␛`, BEL as `␇`, CR as `␍`), the C1 controls
/// and DEL as `�`; line feeds (between lines) and tabs stay.
public enum TerminalText {
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsPicture) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if !needsPicture(s) { out.append(s); continue }
            out.append(s.value < 0x20 ? Unicode.Scalar(0x2400 + s.value)! : "\u{FFFD}")
        }
        return String(out)
    }

    /// `safe`, and a line feed as its picture too (`␊`): for one line, or one value inside a line —
    /// a file named `a⏎fivehours: … all fine.csv` would otherwise print a line of its own, forged
    /// in the program's voice (and a cron job's `tail -n 1` would read it as the summary).
    public static func line(_ text: String) -> String {
        safe(text).replacingOccurrences(of: "\n", with: "\u{240A}")
    }

    /// Control characters, and the bidi controls (`BidiControls`): a file named `‮gnp.exe.csv`
    /// would read as `…csv.exe.png`.
    private static func needsPicture(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\n" && s != "\t") || (s.value >= 0x7F && s.value <= 0x9F) || BidiControls.contains(s)
    }
}

/// The invisible controls that reorder the text around them: the direction marks (U+200E,
/// U+200F, U+061C), embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069). A
/// value holding one — a name with a right-to-left override, copied or planted — would show the
/// program's own words around it backwards (a finding's sentence, a count, a file name): no
/// report writes them (HTML, Markdown, CSV, workbook), and a terminal shows their pictures
/// (`TerminalText`). They mean nothing in this campaign's Chinese and ASCII text.
///
/// A run of them becomes one zero-width space, not nothing: a CSV is scrubbed of phone numbers
/// after its cells are written, and a mark dropped from between a number and the digit after it
/// (`13800138001‎0`) would glue them into a run no longer shaped like a phone number — and
/// one each would part a number's groups by more separators than the scrubber reads as one
/// number (`010`, seven marks, `6234`).
public enum BidiControls {
    /// What each is written as: invisible, without direction, and a separator to the phone scrubber.
    static let replacement: Unicode.Scalar = "\u{200B}"

    public static func contains(_ s: Unicode.Scalar) -> Bool {
        s.value == 0x200E || s.value == 0x200F || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
            || s.value == 0x061C
    }

    /// The byte length of one at `b[i]` (UTF-8), or nil: `contains` read from the bytes, for the
    /// writers that go by bytes (tested against it over every scalar).
    @inline(__always)
    static func length(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let c = b[i]
        if c == 0xD8 { return i + 1 < b.count && b[i + 1] == 0x9C ? 2 : nil }
        guard c == 0xE2, i + 2 < b.count else { return nil }
        let (c1, c2) = (b[i + 1], b[i + 2])
        if c1 == 0x80, c2 == 0x8E || c2 == 0x8F || (0xAA...0xAE).contains(c2) { return 3 }
        if c1 == 0x81, (0xA6...0xA9).contains(c2) { return 3 }
        return nil
    }

    /// Whether the bytes hold one.
    static func any(in b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            if (b[i] == 0xE2 || b[i] == 0xD8), length(b, at: i) != nil { return true }
            i += 1
        }
        return false
    }

    /// The bytes with each run of them replaced (`replacement`).
    static func replaced(in b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if let n = length(b, at: i) {
                if !out.suffix(3).elementsEqual([0xE2, 0x80, 0x8B]) { out += [0xE2, 0x80, 0x8B] }
                i += n
                continue
            }
            out.append(b[i])
            i += 1
        }
        return out
    }
}
