import Foundation
import Testing
@testable import FiveHours

/// Issue 16: the .xlsx workbooks, read back by real clients. LibreOffice (headless) exports every
/// sheet to CSV, which must equal the CSV beside the workbook cell by cell; openpyxl checks that
/// ids are text, hours numbers, dates dates, and no cell is a formula
/// (`Fixtures/workbook/check_workbooks.py`). CI installs both (`.ci/run`): these tests never skip.
@Suite("Workbooks read back by LibreOffice and openpyxl (issue 16)", .serialized)
struct WorkbookClientTests {
    static let now = "2019-08-10T12:00:00+08:00"
    static let phones = ["13800138001", "13800138002"]

    /// Ids a spreadsheet would turn into numbers or formulas, names with emoji, a decomposed
    /// accent and Excel's own escape syntax, teams that start like a formula, and a rejected row
    /// that does.
    static func campaign() throws -> URL {
        var s = Scenario()
        s.roster = """
        volunteer_id,name,unit,teams,role,liaison,phone,active_from,active_until
        00123,王继跃,甲科,小红象志愿服务队,联络员,,\(phones[0]),,
        410184199001011234,张伟😀,甲科,@team,队员,,\(phones[1]),,
        1E5,Jose\u{301},乙科,春雨行动志愿服务队,队员,是,,,
        =SUM(A1),_x0041_,乙科,,,,,,
        -V7,李娜,第一站,@青年突击队,站长,,,,
        @team,赵敏,第一站,小红象志愿服务队,,,,,

        """
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity,location
        R1,00123,2019-08-07,09:00,12:30,,小红象志愿服务队,=SUM(A1) 巡逻,@广场
        R2,410184199001011234,2019-08-07,14:00:30,16:00,,@team,清扫 😀,-V7
        R3,1E5,2019-08-07,,,2.5,春雨行动志愿服务队,Jose\u{301} 讲座,
        R4,=SUM(A1),2019-08-05,08:00,14:00,,,,
        R5,-V7,2019-08-07,18:00,20:00,,@青年突击队,_x0041_,"多行
        地点"
        =BAD,00123,2019-13-45,09:00,10:00,,,,

        """
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,daily,2019-08-07,2019-08-07 15:00
        乙科,daily,2019-08-07,2019-08-07 16:05

        """
        return try s.write()
    }

    /// Runs a command, returning its exit status and its stdout and stderr together.
    static func shell(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a Python script with arguments, expects it to succeed, and returns what it printed.
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        let r = try shell(["python3", "-c", script] + arguments)
        #expect(r.status == 0, "\(r.output)")
        return r.output
    }

    @Test("every sheet equals its CSV in LibreOffice; ids are text, hours numbers, dates dates")
    func realClients() throws {
        let folder = try Self.campaign()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let config = folder.appendingPathComponent("campaign.yaml").path
        let weekly = try Binary.run(["weekly", "--config", config, "--week-ending", "2019-08-09", "--now", Self.now,
                                     "--out", out.path, "--format", "csv,xlsx", "--quiet"])
        #expect(weekly.status == 0, "\(weekly.stderr)")
        let daily = try Binary.run(["daily", "--config", config, "--date", "2019-08-07", "--now", Self.now,
                                    "--out", out.path, "--format", "csv,xlsx", "--quiet"])
        #expect(daily.status == 0, "\(daily.stderr)")
        let weeklyDir = out.appendingPathComponent("weekly-2019-08-09"), dailyDir = out.appendingPathComponent("daily-2019-08-07")

        // A rerun with the same --now gives the same bytes (GoldenTests reruns the weekly one).
        let again = folder.appendingPathComponent("again")
        let rerun = try Binary.run(["daily", "--config", config, "--date", "2019-08-07", "--now", Self.now,
                                    "--out", again.path, "--format", "xlsx", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Data(contentsOf: again.appendingPathComponent("daily-2019-08-07/daily-bulletin.xlsx"))
                == Data(contentsOf: dailyDir.appendingPathComponent("daily-bulletin.xlsx")))

        // One LibreOffice start for both workbooks, every sheet (the last option, -1), cells as shown.
        let exported = folder.appendingPathComponent("libreoffice")
        let lo = try Self.shell([
            "soffice", "-env:UserInstallation=file://\(folder.appendingPathComponent("lo-profile").path)", "--headless",
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
            "--outdir", exported.path,
            weeklyDir.appendingPathComponent("weekly-summary.xlsx").path, dailyDir.appendingPathComponent("daily-bulletin.xlsx").path,
        ])
        #expect(lo.status == 0, "\(lo.output)")

        let script = Binary.packageRoot.appendingPathComponent("Tests/FiveHoursTests/Fixtures/workbook/check_workbooks.py").path
        let check = try Self.shell(["python3", script, weeklyDir.path, dailyDir.path, exported.path, "2019-08-10T04:00:00Z"] + Self.phones)
        #expect(check.status == 0, "\(check.output)")
    }

    @Test("with --csv-header keys the sheets and headers are the CSVs' names and keys")
    func keys() throws {
        let folder = try Self.campaign()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let r = try Binary.run(["weekly", "--config", folder.appendingPathComponent("campaign.yaml").path, "--week-ending", "2019-08-09",
                                "--now", Self.now, "--out", out.path, "--format", "xlsx", "--csv-header", "keys", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("weekly-2019-08-09").path).sorted()
        #expect(files == ["manifest.json", "weekly-summary.xlsx"])
        let book = out.appendingPathComponent("weekly-2019-08-09/weekly-summary.xlsx").path
        let read = try Self.shell(["python3", "-c", """
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1])
            for ws in wb.worksheets:
                print(ws.title + ": " + ",".join(str(c.value) for c in ws[1]))
            """, book])
        #expect(read.status == 0, "\(read.output)")
        #expect(read.output == """
            volunteers: \(CSVTables.volunteerKeys.joined(separator: ","))
            units: \(CSVTables.unitKeys.joined(separator: ","))
            teams: \(CSVTables.teamKeys.joined(separator: ","))
            findings: \(CSVTables.findingKeys.joined(separator: ","))
            rejects: \(CSVTables.rejectKeys.joined(separator: ","))
            bulletins: unit,2019-08-05,2019-08-06,2019-08-07,2019-08-08,2019-08-09,weekly_status

            """)
    }
}

@Suite("Text for workbook cells")
struct WorkbookTextTests {
    @Test("ordinary text passes unchanged", arguments: ["", "abc", "王继跃", "=SUM(A1)", "00123", "a\tb\nc", "x_y", "_x41_", "😀", "Jose\u{301}"])
    func unchanged(_ text: String) {
        #expect(WorkbookText.clean(text) == text)
    }

    @Test("what XML forbids or Excel would misread is replaced", arguments: [
        ("a\u{1}b", "a\u{FFFD}b"), ("\u{0}", "\u{FFFD}"), ("a\u{FFFE}b\u{FFFF}", "a\u{FFFD}b\u{FFFD}"),
        ("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("_x0041_", "_x005F_x0041_"), ("名_X00e9_字", "名_x005F_X00e9_字"),
    ])
    func replaced(_ pair: (String, String)) {
        #expect(WorkbookText.clean(pair.0) == pair.1)
    }

    @Test("text longer than a cell holds is cut at 32,767 characters with …")
    func long() {
        let cut = WorkbookText.clean(String(repeating: "字", count: 40_000))
        #expect(cut.utf16.count == 32_767)
        #expect(cut.hasSuffix("字…"))
        let emoji = WorkbookText.clean(String(repeating: "😀", count: 20_000))
        #expect(emoji.utf16.count <= 32_767)
    }

    @Test("column widths count a Chinese character as two")
    func widths() {
        #expect(SheetSink.displayWidth("V001") == 4)
        #expect(SheetSink.displayWidth("王继跃") == 6)
        #expect(SheetSink.displayWidth("Jose\u{301}") == 4)
    }
}

@Suite("Workbook sheets")
struct WorkbookSheetTests {
    /// Five findings, one a day.
    struct Days: ReportTable {
        var name: String { "findings" }
        var keys: [String] { ["rule", "date", "hours"] }
        var count: Int { 5 }
        func row<Sink: TableRowSink>(_ i: Int, into s: inout Sink) {
            s.text("r\(i)")
            s.date(CivilDate(year: 2019, month: 8, day: 5 + i))
            s.hours(i * 1800)
        }
    }

    @Test("a table longer than a sheet goes on in the next, each with the header")
    func split() throws {
        let bytes = try WorkbookWriter.workbook(name: "t.xlsx", created: 1_565_308_800, style: .labels, labels: Labels(.zhCN), phones: [],
                                                tables: [Days()], rowsPerSheet: 2)
        let folder = try ImportTestSupport.makeTempFolder("workbook")
        defer { ImportTestSupport.remove(folder) }
        let path = folder.appendingPathComponent("t.xlsx").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let read = try WorkbookClientTests.shell(["python3", "-c", """
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1])
            for ws in wb.worksheets:
                print(ws.title, [[c.value if not hasattr(c.value, "date") else str(c.value.date()) for c in r] for r in ws.iter_rows()])
            """, path])
        #expect(read.output == """
            检查发现 [['规则', '日期', '服务时长'], ['r0', '2019-08-05', 0], ['r1', '2019-08-06', 0.5]]
            检查发现 (2) [['规则', '日期', '服务时长'], ['r2', '2019-08-07', 1], ['r3', '2019-08-08', 1.5]]
            检查发现 (3) [['规则', '日期', '服务时长'], ['r4', '2019-08-09', 2]]

            """)
    }
}
