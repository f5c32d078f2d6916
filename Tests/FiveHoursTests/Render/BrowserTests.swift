import Foundation
import Testing

/// The HTML reports as a person sees them: a real headless Chromium at phone and desktop widths
/// and printing to A4, and tidy on the markup. `scripts/setup.sh` installs chromium,
/// chromium-headless-shell, fonts-wqy-zenhei and tidy; without them these tests fail, they do not skip.
@Suite("HTML in a browser", .serialized)
struct BrowserTests {
    static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    static func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Writes the sample reports (weekly and daily, both languages) and returns their HTML files.
    static func reports(in folder: URL) throws -> [URL] {
        var files: [URL] = []
        for language in ["zh-CN", "en"] {
            let yaml = try String(contentsOf: Binary.samples.appendingPathComponent("campaign.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "language: zh-CN", with: "language: \(language)")
            let campaign = Binary.samples.appendingPathComponent(".browser-\(language)-\(ImportTestSupport.uniqueTag()).yaml")
            try yaml.write(to: campaign, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: campaign) }
            let out = folder.appendingPathComponent(language)
            for args in [["weekly", "--week-ending", "2019-08-09"], ["daily", "--date", "2019-08-07"]] {
                let r = try Binary.run(args + ["--config", campaign.path, "--now", "2019-08-09T18:00:00+08:00", "--out", out.path,
                                               "--format", "html", "--quiet"])
                #expect(r.status == 0, "\(r.stderr)")
            }
            files.append(out.appendingPathComponent("weekly-2019-08-09/weekly-summary.html"))
            files.append(out.appendingPathComponent("daily-2019-08-07/daily-bulletin.html"))
        }
        return files
    }

    /// The width the page takes in a `window`-px window of the headless shell: measured on a copy
    /// that reports its own width (the report itself forbids scripts, by its CSP).
    static func measuredWidth(of html: URL, window: Int, shell: String) throws -> Int {
        let text = try String(contentsOf: html, encoding: .utf8)
        let probe = html.deletingLastPathComponent().appendingPathComponent("probe.html")
        try text.replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy""#, with: #"<meta name="csp-removed-for-probe""#)
            .replacingOccurrences(of: "</body>", with: """
            <script>window.addEventListener('load', function () { document.body.setAttribute('data-width', String(document.documentElement.scrollWidth)); });</script></body>
            """).write(to: probe, atomically: true, encoding: .utf8)
        let (status, dom) = try run(shell, ["--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=3000",
                                            "--window-size=\(window),900", "--dump-dom", probe.path])
        #expect(status == 0)
        let measured = dom.range(of: #"data-width="(\d+)""#, options: .regularExpression).map { String(dom[$0]).filter(\.isNumber) }
        return try #require(measured.flatMap { Int($0) }, "no width measured for \(html.lastPathComponent)")
    }

    @Test("no page is wider than a 390 px phone or a 1280 px screen; A4 PDFs have pages")
    func widthAndPrint() throws {
        let chromium = try #require(Self.which("chromium") ?? Self.which("chromium-browser"), "chromium is not installed: run scripts/setup.sh (or apt-get install chromium chromium-headless-shell fonts-wqy-zenhei)")
        // The new headless mode keeps windows at least 500 px wide; the old headless shell does not.
        let shell = try #require(Self.which("chromium-headless-shell"), "chromium-headless-shell is not installed: run scripts/setup.sh (or apt-get install chromium-headless-shell)")
        let folder = try ImportTestSupport.makeTempFolder("browser")
        defer { ImportTestSupport.remove(folder) }
        for html in try Self.reports(in: folder) {
            #expect(!(try String(contentsOf: html, encoding: .utf8)).contains("<script"))
            for width in [390, 1280] {
                let w = try Self.measuredWidth(of: html, window: width, shell: shell)
                #expect(w <= width, "\(html.path) is \(w) px wide in a \(width) px window")
            }
            let pdf = html.deletingPathExtension().appendingPathExtension("pdf")
            let (status, _) = try Self.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                                      "--print-to-pdf=\(pdf.path)", html.path])
            #expect(status == 0)
            let bytes = try Data(contentsOf: pdf)
            let pages = String(decoding: bytes, as: UTF8.self).components(separatedBy: "/Type /Page").count - 1
            #expect(bytes.count > 10_000 && pages >= 1, "\(pdf.path): \(bytes.count) bytes, \(pages) pages")
        }
    }

    @Test("a link of 200 characters or an unbroken run of Latin text wraps: the daily bulletin stays within a 390 px phone")
    func longLinkWraps() throws {
        let shell = try #require(Self.which("chromium-headless-shell"), "chromium-headless-shell is not installed: run scripts/setup.sh")
        let folder = try ImportTestSupport.makeTempFolder("longlink")
        defer { ImportTestSupport.remove(folder) }
        let campaign = folder.appendingPathComponent("samples")
        try FileManager.default.copyItem(at: Binary.samples, to: campaign)
        // A WeChat article's address as the media, and a place written without a space.
        let link = "https://mp.weixin.qq.com/s?__biz=MzA3NjQ2MzQ4MA==&mid=2650123456&idx=1&sn=5f3e2c1b0a9d8e7f6a5b4c3d2e1f0a9b&chksm=8765432109abcdef0123456789abcdef0123456789abcdef#rd"
        let place = String(repeating: "Zhengzhou-Airport-Economy-Zone-", count: 6)
        let log = campaign.appendingPathComponent("activities/工作站-utf8.csv")
        let row = "GZ1-900,V001,2019-08-07,09:00,11:00,,青年学雷锋志愿服务队,垃圾分类宣传,环境保护,\(place),\(link),党政办,2019-08-07 12:00\n"
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        handle.write(Data(row.utf8))
        try handle.close()
        let out = folder.appendingPathComponent("out")
        let r = try Binary.run(["daily", "--date", "2019-08-07", "--config", campaign.appendingPathComponent("campaign.yaml").path,
                                "--now", "2019-08-09T18:00:00+08:00", "--out", out.path, "--format", "html", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = out.appendingPathComponent("daily-2019-08-07/daily-bulletin.html")
        #expect(try String(contentsOf: html, encoding: .utf8).contains("mp.weixin.qq.com"))
        let width = try Self.measuredWidth(of: html, window: 390, shell: shell)
        #expect(width <= 390, "the bulletin is \(width) px wide in a 390 px window")
    }

    @Test("printed on A4, every page of the weekly summary and the daily bulletin carries the running title and date; no page is mostly empty")
    func runningTitle() throws {
        let chromium = try #require(Self.which("chromium") ?? Self.which("chromium-browser"), "chromium is not installed: run scripts/setup.sh")
        let pdftotext = try #require(Self.which("pdftotext"), "pdftotext is not installed: run scripts/setup.sh (or apt-get install poppler-utils)")
        let folder = try ImportTestSupport.makeTempFolder("print")
        defer { ImportTestSupport.remove(folder) }
        let htmls = try Self.reports(in: folder)
        for (html, title) in [(htmls[0], "每周志愿服务总结 · 周期 2019-08-03 — 2019-08-09"), (htmls[1], "志愿服务简报 第 13 期 · 2019-08-07（三）"),
                              (htmls[2], "Weekly volunteer service summary · Week 2019-08-03 — 2019-08-09")] {
            let pdf = html.deletingPathExtension().appendingPathExtension("pdf")
            _ = try Self.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", html.path])
            let (_, text) = try Self.run(pdftotext, ["-layout", pdf.path, "-"])
            let pages = text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            #expect(pages.count >= 2, "\(html.lastPathComponent): \(pages.count) pages")
            for (i, page) in pages.enumerated() {
                #expect(page.contains(title) && page.contains("2019-08-09 18:00"), "\(html.lastPathComponent) page \(i + 1) has no running title")
            }
            // Every page but the last is filled: its lowest word is below 60 % of the page's height.
            let (_, boxes) = try Self.run(pdftotext, ["-bbox", pdf.path, "-"])
            let pageBoxes = boxes.components(separatedBy: "<page ").dropFirst()
            #expect(pageBoxes.count == pages.count)
            for (i, box) in pageBoxes.enumerated() where i < pageBoxes.count - 1 {
                let height = box.firstMatch(of: /height="([0-9.]+)"/).flatMap { Double($0.1) } ?? 842
                let lowest = box.matches(of: /yMax="([0-9.]+)"/).compactMap { Double($0.1) }.max() ?? 0
                #expect(lowest > 0.6 * height, "\(html.lastPathComponent) page \(i + 1) of \(pageBoxes.count) is mostly empty (text ends at \(Int(100 * lowest / height)) %)")
            }
        }
        let css = try String(contentsOf: Binary.packageRoot.appendingPathComponent("templates/report.css.mustache"), encoding: .utf8)
        #expect(!css.contains("break-before: page"), "a forced page break leaves half-empty pages")
    }

    @Test("tidy finds no errors in the HTML")
    func tidy() throws {
        let tidy = try #require(Self.which("tidy"), "tidy is not installed: run scripts/setup.sh (or apt-get install tidy)")
        let folder = try ImportTestSupport.makeTempFolder("tidy")
        defer { ImportTestSupport.remove(folder) }
        for html in try Self.reports(in: folder) {
            let (status, output) = try Self.run(tidy, ["-errors", "-quiet", "-utf8", html.path])
            // tidy: 0 clean, 1 warnings, 2 errors.
            #expect(status < 2, "\(html.lastPathComponent):\n\(output)")
        }
    }
}
