import Foundation
import Testing

/// The monthly assessment and the year's roll-up of samples/, compared byte for byte with golden
/// files (re-record with `FIVEHOURS_RECORD=1 swift test --filter RollupGolden`, then read the diff).
///
/// `--now` is Saturday 2019-08-24 noon: the weeks ending 2019-08-02 … 23 are over, the week ending
/// 2019-08-30 is in progress, so both states are in the reports.
@Suite("Golden monthly and yearly reports of samples/", .serialized)
struct RollupGoldenTests {
    static let now = "2019-08-24T12:00:00+08:00"

    static let runs: [(name: String, arguments: [String])] = [
        ("monthly-2019-08", ["monthly", "--month", "2019-08"]),
        ("yearly-2019", ["yearly", "--year", "2019"]),
        ("keys/monthly-2019-08", ["monthly", "--month", "2019-08", "--csv-header", "keys", "--format", "csv"]),
        ("public/monthly-2019-08", ["monthly", "--month", "2019-08", "--public", "--format", "html,md"]),
    ]

    @Test("reports match the golden files", arguments: runs.map(\.name))
    func golden(name: String) throws {
        let args = Self.runs.first { $0.name == name }!.arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-rollup-golden-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Binary.run(args + ["--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                       "--now", Self.now, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let folder = name.split(separator: "/").last.map(String.init)!
        #expect(r.stdout.hasSuffix("\(folder)\n"))
        let produced = out.appendingPathComponent(folder)
        let expected = GoldenTests.golden.appendingPathComponent(name)
        // Workbooks are zips: RollupWorkbookTests reads them back through real clients and checks the rerun.
        let files = try FileManager.default.subpathsOfDirectory(atPath: produced.path).filter { !$0.hasSuffix(".xlsx") }.sorted()
        if GoldenTests.recording {
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

    @Test("usage errors of monthly and yearly exit 2", arguments: [
        ["monthly", "--month", "2019-13"], ["monthly", "--month", "201908"], ["monthly"],
        ["yearly", "--year", "19"], ["yearly", "--year", "twenty"], ["yearly"],
        // Weekly's --week-ending: a day that ends no week, or a week of another month or year.
        ["monthly", "--month", "2019-08", "--week-ending", "2019-08-08"], ["monthly", "--month", "2019-08", "--week-ending", "2019-09-06"],
        ["yearly", "--year", "2019", "--week-ending", "2020-01-03"],
        // A week that began before the campaign (start_date 2019-07-26): no one is held to it.
        ["monthly", "--month", "2019-07", "--week-ending", "2019-07-26"], ["yearly", "--year", "2019", "--week-ending", "2019-03-01"],
    ])
    func usage(arguments: [String]) throws {
        let r = try Binary.run(arguments + ["--config", Binary.samples.appendingPathComponent("campaign.yaml").path, "--quiet"])
        #expect(r.status == 2, "stdout: \(r.stdout) stderr: \(r.stderr)")
        #expect(!r.stderr.isEmpty)
        // A week before the campaign: the message says which week to name instead.
        if arguments.contains("2019-03-01") { #expect(r.stderr.contains("name 2019-08-02 or a later week"), "\(r.stderr)") }
        #expect(r.stdout.isEmpty)
    }

    @Test("the month's volunteers.csv keeps the contract's first columns and adds the weeks of the month")
    func contractColumns() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-rollup-cols-\(ImportTestSupport.uniqueTag())")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Binary.run(["monthly", "--month", "2019-08", "--format", "csv", "--csv-header", "keys",
                                "--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                "--now", Self.now, "--out", out.path, "--quiet"])
        #expect(r.status == 0)
        // The same, with weekly's --week-ending naming a week of the month: the same files.
        let again = try Binary.run(["monthly", "--month", "2019-08", "--week-ending", "2019-08-02", "--format", "csv", "--csv-header", "keys",
                                    "--config", Binary.samples.appendingPathComponent("campaign.yaml").path,
                                    "--now", Self.now, "--out", out.path + "-again", "--quiet"])
        defer { try? FileManager.default.removeItem(atPath: out.path + "-again") }
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out.path + "-again/monthly-2019-08/volunteers.csv"))
                == Data(contentsOf: out.appendingPathComponent("monthly-2019-08/volunteers.csv")))
        let bytes = try Data(contentsOf: out.appendingPathComponent("monthly-2019-08/volunteers.csv"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(text.hasPrefix("\u{FEFF}volunteer_id,name,unit,hours,"))
        #expect(text.contains("\r\n"))
        // V040 left on 2019-07-31: not active in August, not listed.
        #expect(!text.contains("V040,"))
        let manifest = try String(contentsOf: out.appendingPathComponent("monthly-2019-08/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"command\" : \"monthly\""))
        #expect(manifest.contains("\"period\" : \"2019-08\""))
    }
}
