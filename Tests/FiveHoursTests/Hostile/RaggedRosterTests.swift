import Foundation
import Testing
@testable import FiveHours

/// A roster row with a cell too many or too few is rejected, and its phone is not where the
/// header says: it is read from the cells where the phone can have moved to
/// (`Importer.malformedRecord`), as the phone column is read — and a date or the id there is not
/// taken for a phone, which would mask it in every report.
@Suite("Ragged roster rows and their phones")
struct RaggedRosterTests {
    /// Runs every command on a scenario and returns its outputs.
    static func outputs(_ s: Scenario) throws -> [(String, String)] {
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        return try PrivacyTests.outputs(config: folder.appendingPathComponent("campaign.yaml").path, weekEnding: "2019-08-09",
                                        day: "2019-08-07", now: "2019-08-10T12:00:00+08:00", out: folder.appendingPathComponent("out"))
    }

    @Test("the phone of a row with a cell too many, in the spellings the phone column takes, reaches no output", arguments: [
        "62345678/62345679", "座机6234 5678", "62345678，62345679", "62345678（宅）",
    ])
    func shiftedPhone(_ phone: String) throws {
        var s = Scenario()
        // The name `丁,丙` has a comma too many: the phone sits one cell after the phone column.
        s.roster += "\nV11,丁,丙,甲科,小红象志愿服务队,队员,,\(phone),,"
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity,location
        A1,V1,2019-08-07,9:00,11:00,,小红象志愿服务队,探访,丁的电话62345678
        """
        let outputs = try Self.outputs(s)
        let needles = PrivacyTests.needles(["62345678"])
        let leaked = outputs.filter { !PrivacyTests.leaks(in: $0.1, needles).isEmpty }.map(\.0)
        #expect(leaked == [], "\(phone) leaks into \(leaked)")
        let rejects = try #require(outputs.first { $0.0 == "weekly-keys/weekly-2019-08-09/rejects.csv" }?.1)
        #expect(rejects.contains("rosters/roster.csv:6,"))
    }

    @Test("a row with a cell too few: the phone one cell before the phone column is kept out too")
    func phoneBeforeItsColumn() throws {
        var s = Scenario()
        s.roster += "\nV12,丁二,甲科,小红象志愿服务队,队员,62345611,,"
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team,activity,location
        A1,V1,2019-08-07,9:00,11:00,,小红象志愿服务队,探访,电话62345611
        """
        let outputs = try Self.outputs(s)
        let leaked = outputs.filter { !PrivacyTests.leaks(in: $0.1, ["62345611"]).isEmpty }.map(\.0)
        #expect(leaked == [], "leaks into \(leaked)")
    }

    @Test("a ragged row's numeric id is not taken for a phone: the reports still name it")
    func numericID() throws {
        var s = Scenario()
        s.roster += "\n20190001,数字,丙,甲科,小红象志愿服务队,队员,,,,"
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,20190001,2019-08-07,9:00,11:00,,小红象志愿服务队
        """
        let outputs = try Self.outputs(s)
        let findings = try #require(outputs.first { $0.0 == "weekly-keys/weekly-2019-08-09/findings.csv" }?.1)
        #expect(findings.contains("20190001"), "\(findings)")
    }

    @Test("a date where the phone may have moved (`2019 08 05`) is not taken for a phone: the reports' dates stay")
    func dateInThePhonesPlace() throws {
        var s = Scenario()
        s.roster += "\nV5,张五,丙,甲科,小红象志愿服务队,队员,,2019 08 05,,"
        let outputs = try Self.outputs(s)
        let findings = try #require(outputs.first { $0.0 == "weekly-keys/weekly-2019-08-09/findings.csv" }?.1)
        #expect(!findings.contains("****-**-**"), "\(findings)")
        #expect(findings.contains("2019-08-05"))
    }

    @Test("dates however their parts are separated are date-shaped; phone numbers are not", arguments: [
        ("2019-08-05", true), ("2019 08 05", true), ("08/05/2019", true), ("5.8.2019", true), ("20190805", true),
        ("2019-13-01", false), ("62345678", false), ("0371-62345679", false), ("138 0013 8000", false), ("6234 5678", false),
        (String(repeating: "9", count: 40), false), (String(repeating: "1 ", count: 20), false), ("2019 08 05 12", false),
        // A submission time moved into the phone's place: a date with a time of day.
        ("2019-08-02 18:45", true), ("2019/8/2 9:00", true), ("2019-08-02T18:45:00+08:00", true), ("138 0013 8000:1", false),
    ])
    func dateShaped(_ cell: String, _ isDate: Bool) {
        var cell = cell
        #expect(cell.withUTF8 { PhoneScrubber.isDateShaped($0) } == isDate, "\(cell)")
    }
}
