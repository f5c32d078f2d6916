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
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s {
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "\n", "\r": out.append(" ")
            // A masked name's or number's character: the full-width asterisk, which Markdown gives
            // no meaning, so it needs no backslash (a WeChat editor shows 王＊跃, not 王\*跃).
            case NameMask.marker: out.append("\u{FF0A}")
            default:
                if special.contains(s) { out.append("\\") }
                if s.value < 0x20 && s != "\t" { out.append("\u{FFFD}") } else { out.append(s) }
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
