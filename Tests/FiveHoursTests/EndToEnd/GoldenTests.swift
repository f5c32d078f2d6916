import Foundation
import Testing

/// The sample campaign's reports, compared byte for byte with golden files.
///
/// Re-record after an intended change with `FIVEHOURS_RECORD=1 swift test --filter Golden`,
/// then read the diff in git before committing it.
@Suite("Golden reports of samples/", .serialized)
struct GoldenTests {
    static let golden = Binary.packageRoot.appendingPathComponent("Tests/FiveHoursTests/Fixtures/golden")
    static let recording = ProcessInfo.processInfo.environment["FIVEHOURS_RECORD"] == "1"
    static let now = "2019-08-09T18:00:00+08:00"

    static let runs: [(name: String, arguments: [String])] = [
        ("weekly-2019-08-09", ["weekly", "--week-ending", "2019-08-09"]),
        ("daily-2019-08-07", ["daily", "--date", "2019-08-07"]),
        ("public/weekly-2019-08-09", ["weekly", "--week-ending", "2019-08-09", "--public", "--format", "html,md"]),
        ("keys/weekly-2019-08-09", ["weekly", "--week-ending", "2019-08-09", "--csv-header", "keys", "--format", "csv"]),
    ]

    @Test("reports match the golden files", arguments: runs.map(\.name))
    func golden(name: String) throws {
        let args = Self.runs.first { $0.name == name }!.arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-golden-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Binary.run(args + ["--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                       "--now", Self.now, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let folder = name.split(separator: "/").last.map(String.init)!
        let produced = out.appendingPathComponent(folder)
        let expected = Self.golden.appendingPathComponent(name)
        // Workbooks are zips: WorkbookTests reads them back through real clients instead.
        let files = try FileManager.default.subpathsOfDirectory(atPath: produced.path)
            .filter { !$0.hasPrefix("media") && !$0.hasSuffix(".xlsx") }.sorted()
        if Self.recording {
            try? FileManager.default.removeItem(at: expected)
            try FileManager.default.createDirectory(at: expected, withIntermediateDirectories: true)
            for f in files { try FileManager.default.copyItem(at: produced.appendingPathComponent(f), to: expected.appendingPathComponent(f)) }
            return
        }
        let goldenFiles = try FileManager.default.subpathsOfDirectory(atPath: expected.path).sorted()
        #expect(files == goldenFiles, "the set of files changed")
        for f in goldenFiles {
            let got = try Data(contentsOf: produced.appendingPathComponent(f))
            let want = try Data(contentsOf: expected.appendingPathComponent(f))
            if got != want {
                Issue.record("\(name)/\(f) differs from the golden file:\n\(GoldenTests.diff(String(decoding: want, as: UTF8.self), String(decoding: got, as: UTF8.self)))")
            }
        }
    }

    @Test("a rerun with the same inputs and --now is byte-identical")
    func deterministic() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-rerun-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: base) }
        var contents: [[String: Data]] = []
        for i in 0..<2 {
            let out = base.appendingPathComponent("\(i)")
            let r = try Binary.run(["weekly", "--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                    "--now", Self.now, "--out", out.path, "--quiet"])
            #expect(r.status == 0)
            let folder = out.appendingPathComponent("weekly-2019-08-09")
            var files: [String: Data] = [:]
            for f in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                files[f] = try Data(contentsOf: folder.appendingPathComponent(f))
            }
            contents.append(files)
        }
        #expect(contents[0] == contents[1])
        #expect(contents[0].count == 9)
        #expect(contents[0]["weekly-summary.xlsx"] != nil)
    }

    /// The first lines that differ, with their numbers.
    static func diff(_ a: String, _ b: String) -> String {
        let la = a.components(separatedBy: "\n"), lb = b.components(separatedBy: "\n")
        var out: [String] = []
        for i in 0..<max(la.count, lb.count) where out.count < 12 {
            let x = i < la.count ? la[i] : "<none>", y = i < lb.count ? lb[i] : "<none>"
            if x != y { out.append("line \(i + 1):\n  - \(x)\n  + \(y)") }
        }
        return out.joined(separator: "\n")
    }
}
