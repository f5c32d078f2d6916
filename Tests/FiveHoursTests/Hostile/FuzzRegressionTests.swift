import Foundation
import Testing
@testable import FiveHours

/// Issue 6 §5: the fuzz targets' entry points, run on every `swift test` over their seed
/// corpora and over every input that ever crashed one (`Fixtures/fuzz/crashes/<target>/`,
/// copied there from `.build-fuzz/crashes/` by whoever fixes the crash). An invariant that
/// breaks traps, so a regression fails the test run loudly.
@Suite("Fuzz regressions (issue 6)")
struct FuzzRegressionTests {
    static func inputs(_ sub: String) throws -> [(String, [UInt8])] {
        let dir = try Hostile.fixtureFolder("fuzz").appendingPathComponent(sub)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
        return try names.map { ($0, try [UInt8](Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    @Test("seed corpora and kept crashes run clean through their targets", arguments: ["csv", "values", "xml", "import", "privacy"])
    func replay(_ target: String) throws {
        let entry: ([UInt8]) -> Void
        switch target {
        case "csv": entry = FuzzEntry.csv
        case "values": entry = FuzzEntry.values
        case "xml": entry = FuzzEntry.xml
        case "privacy": entry = FuzzEntry.privacy
        default: entry = FuzzEntry.importer
        }
        let seeds = target == "import" ? try Self.inputs("csv") + Self.inputs("xml") : try Self.inputs(target)
        let crashes = try Self.inputs("crashes/\(target)")
        #expect(target == "import" || !seeds.isEmpty)
        for (_, bytes) in seeds + crashes { entry(bytes) }
        if target == "import" {
            try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("fivehours-fuzz-\(getpid())"))
        }
    }

    @Test("the XML target's secret stays out of records: the seed that points at it is rejected")
    func xmlSecret() throws {
        let xxe = try #require(try Self.inputs("xml").first { $0.0 == "xxe-file.xml" })
        FuzzEntry.xml(xxe.1) // traps if the secret's marker reached a record
        #expect(FileManager.default.fileExists(atPath: FuzzEntry.secretPath))
    }
}
