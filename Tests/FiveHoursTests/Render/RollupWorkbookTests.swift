import Foundation
import Testing
@testable import FiveHours

/// The monthly and yearly workbooks of samples/ (`monthly-assessment.xlsx`, `yearly-summary.xlsx`),
/// read back by real clients as `WorkbookClientTests` reads the weekly one: LibreOffice (headless)
/// exports every sheet to CSV, which must equal the CSV of the same table cell by cell; openpyxl
/// checks the cell types, the sheet setup, the timestamps and that no phone number is in the file
/// (`Fixtures/workbook/check_rollup_workbooks.py`). A rerun with the same `--now` gives the same bytes.
@Suite("Monthly and yearly workbooks of samples/", .serialized)
struct RollupWorkbookTests {
    static let now = RollupGoldenTests.now
    static let config = Binary.samples.appendingPathComponent("campaign.yaml").path
    static let runs: [(folder: String, book: String, arguments: [String])] = [
        ("monthly-2019-08", "monthly-assessment.xlsx", ["monthly", "--month", "2019-08"]),
        ("yearly-2019", "yearly-summary.xlsx", ["yearly", "--year", "2019"]),
    ]

    @Test("every sheet equals its CSV in LibreOffice, typed cells; a rerun gives the same bytes")
    func realClients() throws {
        let base = try ImportTestSupport.makeTempFolder("rollup-workbook")
        defer { ImportTestSupport.remove(base) }
        let out = base.appendingPathComponent("out"), again = base.appendingPathComponent("again")
        var books: [String] = []
        for run in Self.runs {
            // Every format (the default): the workbook sits beside the CSVs, before the manifest is written.
            let r = try Binary.run(run.arguments + ["--config", Self.config, "--now", Self.now, "--out", out.path, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            let folder = out.appendingPathComponent(run.folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(files.contains(run.book), "\(files.sorted())")
            let manifest = try String(contentsOf: folder.appendingPathComponent("manifest.json"), encoding: .utf8)
            #expect(manifest.contains("\"xlsx\""))
            // The rerun, the workbook alone: the same bytes.
            let rerun = try Binary.run(run.arguments + ["--config", Self.config, "--now", Self.now, "--out", again.path,
                                                        "--format", "xlsx", "--quiet"])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let first = try Data(contentsOf: folder.appendingPathComponent(run.book))
            let second = try Data(contentsOf: again.appendingPathComponent(run.folder).appendingPathComponent(run.book))
            #expect(first == second, "\(run.book) differs between two runs with the same --now")
            books.append(folder.appendingPathComponent(run.book).path)
        }

        let exported = base.appendingPathComponent("libreoffice")
        let lo = try WorkbookClientTests.shell([
            "soffice", "-env:UserInstallation=file://\(base.appendingPathComponent("lo-profile").path)", "--headless",
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
            "--outdir", exported.path,
        ] + books)
        #expect(lo.status == 0, "\(lo.output)")

        let script = Binary.packageRoot.appendingPathComponent("Tests/FiveHoursTests/Fixtures/workbook/check_rollup_workbooks.py").path
        let check = try WorkbookClientTests.shell(["python3", script, exported.path, "2019-08-24T04:00:00Z"]
                                                  + Self.runs.map { out.appendingPathComponent($0.folder).path })
        #expect(check.status == 0, "\(check.output)")
    }

    /// The sheet names and header rows of a workbook, one line per sheet.
    static func headers(_ book: String) throws -> String {
        try WorkbookClientTests.python("""
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1])
            for ws in wb.worksheets:
                print(ws.title + ": " + ",".join(str(c.value) for c in ws[1]))
            """, [book])
    }

    @Test("with --csv-header keys the sheets and headers are the CSVs' names and keys")
    func keys() throws {
        let base = try ImportTestSupport.makeTempFolder("rollup-workbook-keys")
        defer { ImportTestSupport.remove(base) }
        let r = try Binary.run(["monthly", "--month", "2019-08", "--config", Self.config, "--now", Self.now, "--out", base.path,
                                "--format", "xlsx", "--csv-header", "keys", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = base.appendingPathComponent("monthly-2019-08")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["manifest.json", "monthly-assessment.xlsx"])
        #expect(try Self.headers(folder.appendingPathComponent("monthly-assessment.xlsx").path) == """
            volunteers: \(RollupTables.volunteerKeys.joined(separator: ","))
            volunteer-weeks: \(RollupTables.volunteerWeekKeys.joined(separator: ","))
            units: \(RollupTables.unitKeys.joined(separator: ","))
            unit-weeks: \(RollupTables.unitWeekKeys.joined(separator: ","))
            teams: \(RollupTables.teamKeys.joined(separator: ","))
            findings: \(CSVTables.findingKeys.joined(separator: ","))
            rejects: \(CSVTables.rejectKeys.joined(separator: ","))

            """)
    }

    @Test("with --language en the sheets are named in English and the headers are the English CSV's")
    func english() throws {
        let base = try ImportTestSupport.makeTempFolder("rollup-workbook-en")
        defer { ImportTestSupport.remove(base) }
        let r = try Binary.run(["yearly", "--year", "2019", "--config", Self.config, "--now", Self.now, "--out", base.path,
                                "--format", "csv,xlsx", "--language", "en", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = base.appendingPathComponent("yearly-2019")
        let lines = try Self.headers(folder.appendingPathComponent("yearly-summary.xlsx").path).split(separator: "\n")
        let stems = ["volunteers", "volunteer-weeks", "units", "unit-weeks", "teams", "findings", "rejects"]
        #expect(lines.map { $0.components(separatedBy: ": ")[0] }
                == ["Volunteers", "Volunteer weeks", "Assessment", "Unit weeks", "Teams", "Findings", "Rejects"])
        for (line, stem) in zip(lines, stems) {
            let csv = String(decoding: try Data(contentsOf: folder.appendingPathComponent("\(stem).csv")), as: UTF8.self)
            let header = csv.dropFirst().prefix { $0 != "\r\n" && $0 != "\n" }
            #expect(line.components(separatedBy: ": ").dropFirst().joined(separator: ": ") == String(header), "\(stem)")
        }
    }
}
