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
