import Foundation
import Testing
@testable import FiveHours

/// What the monthly and yearly reports must never do: run a script, let data break the markup,
/// or show a phone number.
@Suite("Roll-up outputs: escaping and privacy")
struct RollupOutputTests {
    @Test("data that looks like markup is escaped in the HTML; no script; an inline SVG trend per unit")
    func escaping() throws {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,phone,grid,building,floor
        V1,<script>alert(1)</script>,甲科,"小红象志愿服务队",联络员,,13800138001,"第1网格<img src=x onerror=alert(2)>",A栋,3楼
        V2,"张""伟",乙科,"<b>队</b>",队员,是,13800138002,,,
        """
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-08-05,09:00,15:00,,
        A2,V2,2019-08-06,,,6,<b>队</b>
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.period = Period.month(8, of: 2019)
        options.now = ValueParser.instant("2019-09-01T12:00:00+08:00", in: .shanghai)
        let loaded = try Pipeline.load(options, progress: { _ in })
        let out = ReportFiles()
        _ = try Pipeline.monthly(loaded, options: options, into: out)
        let files = out.files
        #expect(out.folder == "monthly-2019-08")
        #expect(files.map(\.0) == ["volunteers.csv", "volunteer-weeks.csv", "units.csv", "unit-weeks.csv", "teams.csv", "findings.csv",
                                   "rejects.csv", "monthly-assessment.html", "monthly-assessment.md", "monthly-assessment.xlsx",
                                   "manifest.json"])
        let html = String(decoding: try #require(files.first { $0.0 == "monthly-assessment.html" }).1, as: UTF8.self)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("第1网格&lt;img src&#61;x onerror&#61;alert(2)&gt;")) // the grid section
        #expect(html.components(separatedBy: "<svg class=\"trend\"").count - 1 == 3) // one per unit
        // (The workbook is a zip: RollupWorkbookTests reads every part of it for phone numbers.)
        for (name, bytes) in files {
            #expect(!String(decoding: bytes, as: UTF8.self).contains("13800138"), "a phone number in \(name)")
        }
        let csv = String(decoding: try #require(files.first { $0.0 == "volunteers.csv" }).1, as: UTF8.self)
        #expect(csv.contains("第1网格<img src=x onerror=alert(2)>")) // CSVs stay raw text, quoted as needed
    }

    @Test("the star section counts who reaches each level (at it or above), and its rule names as many levels as the campaign sets")
    func starsReached() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,V1,2019-08-05,,,1.5,
        A2,V2,2019-08-06,,,2.5,
        A3,V3,2019-08-06,,,6,
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let config = folder.appendingPathComponent("campaign.yaml").path
        try (try String(contentsOfFile: config, encoding: .utf8) + "\nassessment:\n  star_hours: [1, 2, 3]\n").write(toFile: config, atomically: true, encoding: .utf8)
        for language in [Language.zhCN, .en] {
            var options = Pipeline.Options(configPath: config)
            options.period = Period.month(8, of: 2019)
            options.now = ValueParser.instant("2019-09-01T12:00:00+08:00", in: .shanghai)
            options.language = language
            let loaded = try Pipeline.load(options, progress: { _ in })
            let out = ReportFiles()
            _ = try Pipeline.monthly(loaded, options: options, into: out)
            let md = String(decoding: try #require(out.files.first { $0.0 == "monthly-assessment.md" }).1, as: UTF8.self)
            let lines = md.split(separator: "\n").filter { $0.hasPrefix("- ★") }.map(String.init)
            // V1 1.50 h (one star), V2 2.50 h (two), V3 6.00 h (three), V4 none.
            if language == .en {
                #expect(lines == ["- ★ ≥ 1 h: 3", "- ★★ ≥ 2 h: 2", "- ★★★ ≥ 3 h: 1"], "\(lines)")
                #expect(md.contains("1 / 2 / 3 hours for one to three stars; under each level, how many reach it."))
            } else {
                #expect(lines.count == 3 && lines[0].hasSuffix(": 3") && lines[1].hasSuffix(": 2") && lines[2].hasSuffix(": 1"), "\(lines)")
                #expect(md.contains("1 / 2 / 3 小时分别为一至三星；每级下为达到该级的人数。"))
            }
        }
    }

    @Test("samples/: no roster phone in any monthly or yearly output")
    func samplesPrivacy() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-rollup-privacy-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: out) }
        for args in [["monthly", "--month", "2019-08"], ["yearly", "--year", "2019"], ["monthly", "--month", "2019-08", "--public"]] {
            let r = try Binary.run(args + ["--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                           "--now", "2019-08-24T12:00:00+08:00", "--out", out.path, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            let folder = out.appendingPathComponent(args[0] == "monthly" ? "monthly-2019-08" : "yearly-2019")
            for f in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                let text = String(decoding: try Data(contentsOf: folder.appendingPathComponent(f)), as: UTF8.self)
                #expect(!text.contains("1380013"), "\(args[0]) \(f)")
            }
        }
    }

    @Test("in English the monthly and yearly HTML and Markdown have no Chinese punctuation of their own (colons, gaps)", arguments: ["monthly", "yearly"])
    func englishPunctuation(kind: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-rollup-en-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: out) }
        let args = kind == "monthly" ? ["monthly", "--month", "2019-08"] : ["yearly", "--year", "2019"]
        let r = try Binary.run(args + ["--config", Binary.samples.appendingPathComponent("campaign.yaml").path, "--language", "en",
                                       "--now", "2019-08-24T12:00:00+08:00", "--out", out.path, "--quiet", "--format", "html,md"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = out.appendingPathComponent(kind == "monthly" ? "monthly-2019-08" : "yearly-2019")
        let base = kind == "monthly" ? "monthly-assessment" : "yearly-summary"
        for ext in ["html", "md"] {
            let text = String(decoding: try Data(contentsOf: folder.appendingPathComponent("\(base).\(ext)")), as: UTF8.self)
            #expect(text.contains("Weight: "), "\(ext)")
            // samples/ hold no full-width colon or ideographic space: any here is the report's own.
            #expect(!text.contains("：") && !text.contains("\u{3000}") && !text.contains("、"),
                    "\(ext): \(text.components(separatedBy: .newlines).filter { $0.contains("：") || $0.contains("\u{3000}") || $0.contains("、") }.prefix(3))")
        }
    }

    @Test("monthly and yearly end with the run's summary line on stderr, as weekly and daily do", arguments: ["monthly", "yearly"])
    func summaryLine(kind: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-rollup-summary-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: out) }
        let args = kind == "monthly" ? ["monthly", "--month", "2019-08"] : ["yearly", "--year", "2019"]
        let r = try Binary.run(args + ["--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                       "--now", "2019-08-24T12:00:00+08:00", "--out", out.path, "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let name = kind == "monthly" ? "monthly 2019-08" : "yearly 2019"
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("fivehours: \(name): 8 files written to ") && last.contains("; findings: "), "\(r.stderr)")
    }
}
