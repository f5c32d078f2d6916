import Foundation
import Mustache

/// A template that is missing, broken or asks for something the report does not have.
public struct TemplateError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var reason: String
    public var description: String {
        var place = file
        if let l = line { place += ":\(l)" }
        if let c = column { place += ":\(c)" }
        return "\(place): \(reason)"
    }
}

/// Renders the report models through the Mustache templates in `templates/`.
///
/// Templates are read at run time from `--templates` or `output.templates`, so the publicity
/// office can restyle the reports without a compiler; else the shipped ones, compiled into the
/// program (`shipped`), are used — an installed binary needs nothing beside it. The
/// library is silent about missing templates and variables; this type is not: a missing
/// template, a syntax error or an unknown variable is a `TemplateError` with file, line and
/// column. Every value is escaped per Unicode scalar by our own content types, which are put
/// in force whatever the template says; `{{{…}}}` is allowed only for the few values the
/// program builds as markup itself (the CSS and the SVG chart).
public struct ReportRenderer {
    public static let templateNames = ["weekly-summary.html", "weekly-summary.md", "daily-bulletin.html", "daily-bulletin.md", "report.css",
                                       "monthly-assessment.html", "monthly-assessment.md", "yearly-summary.html", "yearly-summary.md"]
    /// Values a template may insert unescaped: built by the program, never from data.
    static let rawAllowed: Set<String> = ["css", "chart_svg"]

    /// The folder the templates are read from; nil for the shipped ones.
    let folder: String?
    let labels: Labels
    let campaign: Campaign
    let isPublic: Bool
    let phones: Set<String>

    public init(campaign: Campaign, templatesFolder: String?, isPublic: Bool, phones: Set<String>) throws {
        self.campaign = campaign
        self.isPublic = isPublic
        self.phones = phones
        self.labels = Labels(campaign.output.language)
        if let f = templatesFolder ?? campaign.output.templates {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue else {
                throw TemplateError(file: f, reason: "the templates folder does not exist")
            }
            folder = f
        } else if let env = ProcessInfo.processInfo.environment["FIVEHOURS_TEMPLATES"], !env.isEmpty {
            folder = env
        } else {
            folder = nil
        }
        MustacheContentTypes.register(ScalarHTMLContentType(), named: "FIVEHOURS_HTML")
        MustacheContentTypes.register(MarkdownContentType(), named: "FIVEHOURS_MD")
    }

    /// The templates shipped with the program, by file name (`weekly-summary.html.mustache`): the
    /// repository's `templates/`, compiled in by the package (`PackageResources`).
    public static let shipped: [(file: String, bytes: [UInt8])] = [
        ("daily-bulletin.html.mustache", PackageResources.daily_bulletin_html_mustache),
        ("daily-bulletin.md.mustache", PackageResources.daily_bulletin_md_mustache),
        ("monthly-assessment.html.mustache", PackageResources.monthly_assessment_html_mustache),
        ("monthly-assessment.md.mustache", PackageResources.monthly_assessment_md_mustache),
        ("report.css.mustache", PackageResources.report_css_mustache),
        ("weekly-summary.html.mustache", PackageResources.weekly_summary_html_mustache),
        ("weekly-summary.md.mustache", PackageResources.weekly_summary_md_mustache),
        ("yearly-summary.html.mustache", PackageResources.yearly_summary_html_mustache),
        ("yearly-summary.md.mustache", PackageResources.yearly_summary_md_mustache),
    ]

    func load(_ name: String) throws -> String {
        guard let folder else {
            guard let t = ReportRenderer.shipped.first(where: { $0.file == name + ".mustache" }) else {
                throw TemplateError(file: name + ".mustache", reason: "no such shipped template")
            }
            return String(decoding: t.bytes, as: UTF8.self)
        }
        let path = (folder as NSString).appendingPathComponent(name + ".mustache")
        let alt = (folder as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) ?? FileManager.default.contents(atPath: alt),
              let text = String(data: data, encoding: .utf8) else {
            throw TemplateError(file: path, reason: "template missing or not UTF-8 (copy the defaults with `fivehours templates --out DIR`)")
        }
        return text
    }

    /// Parses a template under our content type and checks every tag against the view.
    /// - Parameter support: cleans every text value of the view on its way out (phone numbers,
    ///   and names with `--public`), whatever field it comes from.
    func render(_ name: String, contentType: String, view: [String: Any], schema: [String: Any], support: ViewSupport) throws -> [UInt8] {
        let text = try load(name)
        // Errors name the file as the user knows it: theirs, or the repository's templates/.
        let file = ((folder ?? "templates") as NSString).appendingPathComponent(name + ".mustache")
        try TemplateCheck.check(text, file: file, known: TemplateCheck.keys(of: schema), rawAllowed: ReportRenderer.rawAllowed)
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(contentType)}}" + text)
        } catch let e as MustacheTemplate.ParserError {
            throw TemplateError(file: file, line: e.context.lineNumber, column: e.context.columnNumber, reason: "template syntax: \(e.error)")
        } catch {
            throw TemplateError(file: file, reason: "template syntax: \(error)")
        }
        var out = template.render(ViewText.wrap(view, clean: support.text))
        if contentType == "FIVEHOURS_MD" { out = MarkdownMasks.place(out) }
        if !out.hasSuffix("\n") { out += "\n" }
        return Array(out.utf8)
    }

    /// The weekly summary's view, built once for both formats (for 100,000 volunteers it is
    /// most of the rendering time).
    public final class PreparedWeekly {
        let view: [String: Any]
        let schema: [String: Any]
        let support: ViewSupport
        init(view: [String: Any], schema: [String: Any], support: ViewSupport) {
            self.view = view
            self.schema = schema
            self.support = support
        }
    }

    public func prepare(_ r: WeeklyReport) -> PreparedWeekly {
        let v = WeeklyView(report: r, labels: labels, isPublic: isPublic, phones: phones)
        return PreparedWeekly(view: v.dictionary(schema: false), schema: v.dictionary(schema: true), support: v.support)
    }

    /// The daily bulletin's view, built once for both formats (with `--public`, its name mask
    /// over the whole roster is built once too).
    public func prepare(_ r: DailyReport) -> PreparedWeekly {
        let v = DailyView(report: r, labels: labels, isPublic: isPublic, phones: phones)
        return PreparedWeekly(view: v.dictionary(schema: false), schema: v.dictionary(schema: true), support: v.support)
    }

    public func weeklyHTML(_ r: WeeklyReport, prepared: PreparedWeekly? = nil) throws -> [UInt8] {
        let p = prepared ?? prepare(r)
        var view = p.view, schema = p.schema
        view["css"] = try load("report.css")
        schema["css"] = ""
        return try render("weekly-summary.html", contentType: "FIVEHOURS_HTML", view: view, schema: schema, support: p.support)
    }

    public func weeklyMarkdown(_ r: WeeklyReport, prepared: PreparedWeekly? = nil) throws -> [UInt8] {
        let p = prepared ?? prepare(r)
        return try render("weekly-summary.md", contentType: "FIVEHOURS_MD", view: p.view, schema: p.schema, support: p.support)
    }

    public func dailyHTML(_ r: DailyReport, prepared: PreparedWeekly? = nil) throws -> [UInt8] {
        let p = prepared ?? prepare(r)
        var view = p.view, schema = p.schema
        view["css"] = try load("report.css")
        schema["css"] = ""
        return try render("daily-bulletin.html", contentType: "FIVEHOURS_HTML", view: view, schema: schema, support: p.support)
    }

    public func dailyMarkdown(_ r: DailyReport, prepared: PreparedWeekly? = nil) throws -> [UInt8] {
        let p = prepared ?? prepare(r)
        return try render("daily-bulletin.md", contentType: "FIVEHOURS_MD", view: p.view, schema: p.schema, support: p.support)
    }
}

/// A text value for the templates: escaped like any string, but empty text is *false* in a
/// section (`{{#source}}…{{/source}}`), which swift-mustache's plain strings are not.
struct ViewText: MustacheCustomRenderable {
    let value: String
    var renderText: String { value }
    var isNull: Bool { value.isEmpty }

    /// Wraps every string of a view, at any depth.
    static func wrap(_ v: Any) -> Any {
        switch v {
        case let s as String: return ViewText(value: s)
        case let d as [String: Any]: return d.mapValues(wrap)
        case let a as [[String: Any]]: return a.map { $0.mapValues(wrap) }
        case let a as [Any]: return a.map(wrap)
        default: return v
        }
    }

    /// Values not cleaned as text: markup the program builds (`ReportRenderer.rawAllowed`, its
    /// names cleaned when it was built), the labels (`l`) and the inputs' hash (hex digits).
    static let notData: Set<String> = ["css", "chart_svg", "l", "fingerprint"]

    /// Wraps every string of a view, at any depth, cleaned by `clean`: whatever field a value
    /// comes from (an id, a unit or team name, a media name, a URL, a source's file name), no
    /// phone number, and with `--public` no known name, reaches a report.
    static func wrap(_ v: Any, clean: (String) -> String) -> Any {
        switch v {
        case let s as String: return ViewText(value: clean(s))
        case let d as [String: Any]:
            var out: [String: Any] = [:]
            out.reserveCapacity(d.count)
            for (k, x) in d { out[k] = notData.contains(k) ? wrap(x) : wrap(x, clean: clean) }
            return out
        case let a as [[String: Any]]: return a.map { wrap($0, clean: clean) }
        case let a as [Any]: return a.map { wrap($0, clean: clean) }
        default: return v
        }
    }
}

/// Checks a template before it renders: the tags it uses must exist in the view, only
/// allow-listed values may be inserted unescaped, and nothing may change the content type or
/// the delimiters (either would slip past these checks).
enum TemplateCheck {
    /// Every key at any depth of the view, and the label keys under `l`.
    static func keys(of view: Any) -> Set<String> {
        var out: Set<String> = []
        func walk(_ v: Any) {
            if let d = v as? [String: Any] { for (k, x) in d { out.insert(k); walk(x) } } else if let a = v as? [Any] { a.forEach(walk) }
        }
        walk(view)
        return out
    }

    static func check(_ text: String, file: String, known: Set<String>, rawAllowed: Set<String>) throws {
        let scalars = Array(text.unicodeScalars)
        var line = 1, column = 1
        var i = 0
        func position(_ upTo: Int) {
            while i < upTo {
                if scalars[i] == "\n" { line += 1; column = 1 } else { column += 1 }
                i += 1
            }
        }
        // Sections open at this point ({{#name}}, {{^name}}) and where: a section closed with
        // another name, or never, is said with both places, not as the parser's error name.
        var open: [(name: String, line: Int, column: Int)] = []
        var k = 0
        while k + 1 < scalars.count {
            guard scalars[k] == "{", scalars[k + 1] == "{" else { k += 1; continue }
            position(k)
            let (tagLine, tagColumn) = (line, column)
            let triple = k + 2 < scalars.count && scalars[k + 2] == "{"
            let bodyStart = k + (triple ? 3 : 2)
            var end = bodyStart
            let comment = bodyStart < scalars.count && scalars[bodyStart] == "!"
            while end + 1 < scalars.count, !(scalars[end] == "}" && scalars[end + 1] == "}") {
                // Another tag begins before this one ends: this one lacks its `}}` (a comment may
                // mention a tag).
                if !comment, scalars[end] == "{" && scalars[end + 1] == "{" {
                    throw TemplateError(file: file, line: tagLine, column: tagColumn, reason: "a tag opened here is not closed: '}}' is missing before the next '{{'")
                }
                end += 1
            }
            guard end + 1 < scalars.count else {
                throw TemplateError(file: file, line: tagLine, column: tagColumn, reason: "a tag opened here is never closed")
            }
            let tag = String(String.UnicodeScalarView(scalars[bodyStart..<end])).trimmingCharacters(in: .whitespacesAndNewlines)
            k = end + (triple && end + 2 < scalars.count && scalars[end + 2] == "}" ? 3 : 2)
            guard let first = tag.first else { continue }
            if first == "!" { continue }
            if first == "%" || first == "=" {
                throw TemplateError(file: file, line: tagLine, column: tagColumn,
                                    reason: "'{{\(tag)}}' changes how the template is read (content type or delimiters); fivehours decides escaping itself, remove the tag")
            }
            // A parent (`{{<name}}`) and a block (`{{$name}}`) are closed by `{{/name}}` too.
            if first == "<" || first == "$" { open.append((String(tag.dropFirst()).trimmingCharacters(in: .whitespaces), tagLine, tagColumn)) }
            if first == ">" || first == "<" || first == "$" { continue }
            var name = tag
            var raw = triple
            if "#^/".contains(first) { name = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) }
            if first == "#" || first == "^" { open.append((name, tagLine, tagColumn)) }
            if first == "/" {
                guard let top = open.popLast() else {
                    throw TemplateError(file: file, line: tagLine, column: tagColumn, reason: "'{{/\(name)}}' closes a section that was never opened")
                }
                guard top.name == name else {
                    throw TemplateError(file: file, line: tagLine, column: tagColumn,
                                        reason: "'{{/\(name)}}' closes another section than the one still open, '\(top.name)' (line \(top.line), column \(top.column)): close that first with {{/\(top.name)}}")
                }
                continue
            }
            if first == "&" { name = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces); raw = true }
            // `{{{.}}}` / `{{& .}}` inside a list would insert each item (data) raw: refused like any raw data.
            if name == "." && !raw { continue }
            if raw && !rawAllowed.contains(name) {
                throw TemplateError(file: file, line: tagLine, column: tagColumn,
                                    reason: "'{{{\(name)}}}' would insert data unescaped; use {{\(name)}} (only \(rawAllowed.sorted().joined(separator: ", ")) may be raw)")
            }
            for part in name.split(separator: ".") where Int(part) == nil && !known.contains(String(part)) {
                throw TemplateError(file: file, line: tagLine, column: tagColumn,
                                    reason: "unknown variable '\(name)': the report has no value '\(part)' (see docs/templates.md)")
            }
        }
        if let top = open.last {
            throw TemplateError(file: file, line: top.line, column: top.column, reason: "the section '\(top.name)' opened here is never closed: add {{/\(top.name)}} where it ends")
        }
    }
}
