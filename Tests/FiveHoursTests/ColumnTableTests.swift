import Foundation
import Testing
@testable import FiveHours

/// Generated from the column table: every column of every kind, every spelling of its name.
@Suite("The column table")
struct ColumnTableTests {
    static let all: [(InputKind, Column)] = InputKind.allCases.flatMap { kind in kind.columns.map { (kind, $0) } }

    /// A header of the kind's required columns plus `column` named `name`.
    static func header(_ kind: InputKind, _ column: Column, named name: String) -> [String] {
        var cells = kind.columns.filter { $0.required && $0.key != column.key }.map(\.key)
        if kind == .activity, column.key != "hours" { cells.append("hours") }
        cells.append(name)
        return cells
    }

    @Test("each column is found by its key and by each alias, in any case and width", arguments: all.map { "\($0.0.rawValue).\($0.1.key)" })
    func headerNamesEveryColumn(_ which: String) throws {
        let (kind, column) = try #require(ColumnTableTests.all.first { "\($0.0.rawValue).\($0.1.key)" == which })
        for name in [column.key, column.key.uppercased(), " \(column.key) "] + column.aliases {
            let cells = ColumnTableTests.header(kind, column, named: name)
            let map = try HeaderMap(cells: cells, kind: kind, line: 1)
            #expect(map.index[column.key] == cells.count - 1, "\(kind) '\(name)'")
            #expect(map.unknown.isEmpty, "\(kind) '\(name)'")
        }
    }

    @Test("a column named by two spellings rejects the file, unless the table says it repeats", arguments: all.filter { !$0.1.aliases.isEmpty }.map { "\($0.0.rawValue).\($0.1.key)" })
    func twoSpellingsOfOneColumn(_ which: String) throws {
        let (kind, column) = try #require(ColumnTableTests.all.first { "\($0.0.rawValue).\($0.1.key)" == which })
        var cells = ColumnTableTests.header(kind, column, named: column.key)
        cells.append(column.aliases[0])
        if column.repeats {
            let map = try HeaderMap(cells: cells, kind: kind, line: 3)
            #expect(map.columns(column.key) == [cells.count - 2, cells.count - 1])
            #expect(map.index[column.key] == cells.count - 2)
        } else {
            let error = #expect(throws: UnreadableFile.self) { try HeaderMap(cells: cells, kind: kind, line: 3) }
            #expect(error == UnreadableFile(line: 3, column: cells.count,
                                            reason: "columns \(cells.count - 1) '\(column.key)' and \(cells.count) '\(column.aliases[0])' both mean '\(column.key)'; keep one"))
        }
        // Only a roster's phone may repeat: it is private, and every number in it is kept.
        #expect(column.repeats == (kind == .roster && column.key == "phone"))
    }

    @Test("each column is named in XML by its key, its hyphenated key and its own names")
    func xmlNamesEveryColumn() {
        for (kind, column) in ColumnTableTests.all {
            for name in [column.key, String(column.key.map { $0 == "_" ? "-" : $0 })] + column.xml {
                #expect(kind.xmlNames[name] == column.key, "\(kind) <\(name)>")
            }
        }
        // No two columns of a kind share a header spelling.
        for kind in InputKind.allCases {
            let names = kind.columns.flatMap { [$0.key] + $0.aliases }.map(HeaderName.normalize)
            var seen: [String: Int] = [:]
            for n in names { seen[n, default: 0] += 1 }
            #expect(seen.filter { $0.value > 1 }.isEmpty, "\(kind): \(seen.filter { $0.value > 1 })")
        }
    }

    /// An activity record with every column filled, to change one at a time.
    static func record(_ change: Int? = nil) -> ActivityRecord {
        func text(_ position: Int, _ s: String) -> String { position == change ? s + "′" : s }
        func value(_ position: Int, _ v: Int) -> Int { position == change ? v + 60 : v }
        let media = change == ActivityCells.media ? ["a.jpg", "c.jpg"] : ["a.jpg", "b.jpg"]
        return ActivityRecord(
            recordID: text(ActivityCells.recordID, "R1"), volunteerID: text(ActivityCells.volunteer, "V1"),
            date: CivilDate(dayNumber: value(ActivityCells.date, 18_000)), start: value(ActivityCells.start, 32_400),
            end: value(ActivityCells.end, 39_600), hours: value(ActivityCells.hours, 7_200), team: text(ActivityCells.team, "队"),
            activity: text(ActivityCells.activity, "活动"), category: text(ActivityCells.category, "类别"),
            location: text(ActivityCells.location, "地点"), media: media.map { MediaRef.guess($0, baseFolder: "/") },
            unit: text(ActivityCells.unit, "单位"), submittedAt: value(ActivityCells.submitted, 1_565_000_000),
            title: text(ActivityCells.title, "标题"), description: text(ActivityCells.description, "说明"),
            source: SourceLine(fileIndex: 0, file: "a.csv", line: 2))
    }

    @Test("every activity column is in the content hash; only the identity columns (or record_id) in the identity")
    func hashesTakeTheirColumns() {
        let base = ColumnTableTests.record()
        #expect(ActivityCells.count == InputKind.activity.columns.count)
        for (position, column) in ActivityCells.columns.enumerated() {
            let changed = ColumnTableTests.record(position)
            #expect(changed.contentKey != base.contentKey, "\(column.key) is not in the content hash")
            // With a record_id, the identity is the record_id alone.
            #expect((changed.identityKey != base.identityKey) == (column.key == "record_id"), "\(column.key), with a record_id")
            // Without one, it is the identity columns.
            var a = base, b = changed
            a.recordID = nil
            b.recordID = nil
            if column.key != "record_id" {
                #expect((a.identityKey != b.identityKey) == column.identity, "\(column.key), without a record_id")
            }
        }
    }
}

@Suite("rejects.csv quotes the raw row")
struct RawRejectTests {
    @Test("the rejected one of two conflicting record_ids is quoted as written, in the week and outside it, in UTF-8 and GB18030")
    func conflictingRecordIDIsRaw() throws {
        for gb in [false, true] {
            var s = Scenario()
            let log = """
            record_id,volunteer_id,date,start,end,hours,team
            R1,V1,2019/8/6,9:00,11:00,2,小红象志愿服务队
            R1,V1,2019/8/6,9:00,12:00,3,小红象志愿服务队
            R2,V2,2019/3/6,9:00,11:00,,春雨行动志愿服务队
            R2,V2,2019/3/7,9:00,11:00,,春雨行动志愿服务队

            """.replacingOccurrences(of: "\n", with: "\r\n")
            s.files["activities/log2.csv"] = gb ? GB18030Tests.gb18030(log) : Array(log.utf8)
            let outcome = try s.run()
            let rejects = outcome.rejects.filter { $0.reason.contains("record_id") }
            #expect(rejects.map(\.record) == ["R1,V1,2019/8/6,9:00,12:00,3,小红象志愿服务队", "R2,V2,2019/3/7,9:00,11:00,,春雨行动志愿服务队"], "GB18030: \(gb)")
            #expect(rejects.map(\.source.line) == [3, 5])
        }
    }
}

@Suite("Reject reasons in the report's language")
struct RejectLanguageTests {
    @Test("with --language en every reject reason is English; in zh-CN the same rows give the Chinese reasons")
    func rejectsInEnglish() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        A1,,2019-08-05,9:00,10:00,,小红象志愿服务队
        A2,V1,2019-08-32,9:00,10:00,,小红象志愿服务队
        A3,V1,2019-08-05,,,两小时,小红象志愿服务队
        A4,V1,2019-08-05,9:00,9:00,,小红象志愿服务队
        A5,V1,2019-08-05,9:00,,,小红象志愿服务队
        A6,V1,2019-08-05,9:00,10:00,,"队"x
        A7,V1,2019-08-05,9:00,10:00
        A8,V1,2019-08-06,9:00,10:00,,小红象志愿服务队
        A8,V1,2019-08-06,9:00,11:00,,小红象志愿服务队
        """
        s.submissions = """
        unit,kind,period,submitted_at
        甲科,简报,2019-08-05,2019-08-05 99:00
        """
        s.files["activities/broken.csv"] = Array("record_id,volunteer_id,date,hours\nA9,V1,\"2019-08-05,1\n".utf8)
        let en = try s.run(language: .en).rejects.map(\.reason)
        #expect(en.count == 10)
        #expect(Set(en) == [
            "volunteer_id is missing",
            "date '2019-08-32' is not a date (write it as 2019-08-05 or 2019/8/5)",
            "hours '两小时' is not a number of hours (e.g. 2.5 or 2:30)",
            "start and end are the same time: no time served",
            "end is missing",
            "column 7: text after the closing quote; quote the whole cell and double any quote inside it (\"\")",
            "this row has 5 cells and the header 7; look for an extra or a missing comma",
            "whole file rejected: a quote (\") opened on line 2 is never closed; check that cell's quotes",
            "submitted_at '2019-08-05 99:00' is not a date and time (e.g. 2019/8/5 16:05)",
            "record_id A8 is already used at activities/log.csv:9 with other content; the first one is kept",
        ])
        for reason in en {
            let outsideQuotes = reason.split(separator: "'").enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
            #expect(!outsideQuotes.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) || (0x3000...0x303F).contains($0.value) || (0xFF00...0xFFEF).contains($0.value) },
                    "\(reason)")
        }
        let zh = try s.run(language: .zhCN).rejects.map(\.reason)
        #expect(zh.count == en.count)
        #expect(zh.contains("缺少志愿者编号(volunteer_id)") && zh.contains("服务时长(hours) '两小时' 不是有效时长（如 2.5 或 2:30）"))
        // A whole file's reason too (it was English in a Chinese run).
        #expect(zh.contains("整个文件未读入：第 2 行开始的引号 (\") 没有结束；检查那一格的引号"), "\(zh)")
    }

    @Test("a record_id given again with other content is named in the reason, also when the later row is outside the week (kept only as its place)", arguments: [Language.zhCN, .en])
    func conflictingIDOutsideTheWeek(language: Language) throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        D5,V1,2019-08-05,9:00,10:00,,小红象志愿服务队
        D5,V1,2019-07-05,9:00,10:00,,小红象志愿服务队
        D6,V1,2019-07-06,9:00,10:00,,小红象志愿服务队
        D6,V1,2019-08-06,9:00,10:00,,小红象志愿服务队
        """
        let rejects = try s.run(language: language).rejects
        #expect(rejects.map(\.source.line) == [3, 5])
        let say = Wording(language)
        #expect(rejects.map(\.reason) == [
            say("记录编号(record_id) D5 已在 activities/log.csv:2 使用，内容不同；保留先出现的一条",
                "record_id D5 is already used at activities/log.csv:2 with other content; the first one is kept"),
            say("记录编号(record_id) D6 已在 activities/log.csv:4 使用，内容不同；保留先出现的一条",
                "record_id D6 is already used at activities/log.csv:4 with other content; the first one is kept"),
        ])
    }

    @Test("an XML row whose record_id an earlier row has with other content is named too, also outside the week")
    func conflictingXMLIDOutsideTheWeek() throws {
        var s = Scenario()
        s.files["activities/a.xml"] = Array("""
        <activities unit="甲科">
        <activity id="X5" volunteer="V1" date="2019-08-05" hours="1"/>
        <activity id="X6" volunteer="V1" date="2019-07-06" hours="1"/>
        </activities>
        """.utf8)
        s.files["activities/b.xml"] = Array("""
        <activities unit="甲科">
        <activity id="X5" volunteer="V1" date="2019-07-05" hours="2"/>
        <activity id="X6" volunteer="V1" date="2019-08-06" hours="2"/>
        </activities>
        """.utf8)
        let rejects = try s.run().rejects.filter { $0.source.file == "activities/b.xml" }
        #expect(rejects.map(\.reason) == [
            "记录编号(record_id) X5 已在 activities/a.xml:2 使用，内容不同；保留先出现的一条",
            "记录编号(record_id) X6 已在 activities/a.xml:3 使用，内容不同；保留先出现的一条",
        ])
        // Each quoted as its start tag, the one outside the week too.
        #expect(rejects.map(\.record).allSatisfy { $0.hasPrefix("<activity ") }, "\(rejects.map(\.record))")
    }

    @Test("<submissions> attributes are defaults for the submissions inside; one with neither is rejected")
    func submissionsRootDefaults() throws {
        var s = Scenario()
        s.files["submissions/a.xml"] = Array("""
        <submissions unit="甲科" kind="daily" submitted-at="2019-08-05 10:00">
          <submission period="2019-08-05"/>
          <submission unit="乙科" period="2019-08-05" submitted-at="2019-08-05 16:00"/>
        </submissions>
        """.utf8)
        s.files["submissions/b.xml"] = Array("""
        <submissions>
          <submission kind="daily" period="2019-08-06" submitted-at="2019-08-06 10:00"/>
        </submissions>
        """.utf8)
        let outcome = try s.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let read = outcome.loaded.ledger.submissions.filter { $0.source.file == "submissions/a.xml" }
        #expect(read.map(\.unit) == ["甲科", "乙科"])
        #expect(read.map(\.kind) == [.daily, .daily])
        #expect(read.map { outcome.loaded.campaign.zone.format($0.submittedAt) } == ["2019-08-05 10:00", "2019-08-05 16:00"])
        #expect(outcome.rejects.map(\.source.description) == ["submissions/b.xml:2"])
    }

    @Test("the import's line per file on stderr gives the counts of check and the manifest (a roster's repeated id settled first)")
    func progressCountsAreTheManifests() throws {
        var s = Scenario()
        s.roster += "\nV1,王五,乙科,春雨行动志愿服务队,队员,,,,\nV5,,乙科,,,,,,"
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let r = try Hostile.run(["weekly", "--config", folder.appendingPathComponent("campaign.yaml").path, "--week-ending", "2019-08-09",
                                 "--now", "2019-08-10T12:00:00+08:00", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        // Six rows: V5 has no name, and V1 is given again with other content.
        #expect(r.stderr.contains("rosters/roster.csv: UTF-8, 6 rows, 2 rejected"), "\(r.stderr)")
        let manifest = try Hostile.manifest(try #require(Hostile.files(under: out)["weekly-2019-08-09/manifest.json"]))
        let roster = try #require((manifest["inputs"] as? [[String: Any]])?.first { $0["path"] as? String == "rosters/roster.csv" })
        #expect(roster["rejected"] as? Int == 2)
    }
}
