import Foundation
import Testing
@testable import FiveHours

/// Issue 6 §2: broken CSV files beside a valid one, each with the behaviour the contract (§4)
/// gives it, asserted exactly: the whole file rejected with `file:line` and a reason saying what
/// to do, rows rejected into rejects.csv, or the file accepted — and in every case V1's hours
/// show exactly which rows counted (the valid log alone gives V1 2.00 hours).
@Suite("Broken CSV (issue 6)")
struct BrokenCSVTests {
    static let header = "record_id,volunteer_id,date,start,end,hours,team"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        /// The file's accounting in the import: format, read, counted, rejected.
        var format: String
        var read: Int
        var rejected: Int
        /// The reason when the whole file is rejected (and its line and column), as a zh-CN run gives it.
        var fileRejected: String?
        var line = 1
        var column: Int?
        /// Row rejects: line, reason, raw record.
        var rows: [(Int, String, String)] = []
        /// V1's hours for the week with this file beside the valid log.
        var hours: String
        /// Lines of the rows that counted (their `source.line`).
        var countedLines: [Int] = []
        var testDescription: String { name }
    }

    static func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

    static let cases: [Case] = [
        Case(name: "unterminated quote", bytes: utf8("\(header)\nU1,V1,2019-08-06,9:00,10:00,,\nU2,V1,2019-08-07,9:00,10:00,,\"unterminated\nU3,V1,2019-08-08,9:00,10:00,,\n"),
             format: "UTF-8", read: 0, rejected: 0, fileRejected: "第 3 行开始的引号 (\") 没有结束；检查那一格的引号", line: 3,
             hours: "2.00"),
        Case(name: "duplicate header", bytes: utf8("record_id,volunteer_id,date,hours,Date\nD1,V1,2019-08-06,1,2019-08-06\n"),
             format: "UTF-8", read: 0, rejected: 0, fileRejected: "表头“Date”出现两次（第 3 列和第 5 列）；改名或删除其中一列", column: 5,
             hours: "2.00"),
        Case(name: "two aliases of one column", bytes: utf8("record_id,volunteer_id,date,hours,时长\nD1,V1,2019-08-06,1,1\n"),
             format: "UTF-8", read: 0, rejected: 0, fileRejected: "第 4 列“hours”和第 5 列“时长”都表示 'hours'；只保留一列", column: 5,
             hours: "2.00"),
        Case(name: "blank header", bytes: utf8("record_id,volunteer_id, ,date,hours\nB1,V1,x,2019-08-06,1\n"),
             format: "UTF-8", read: 0, rejected: 0, fileRejected: "表头第 3 格是空的；给每一列起名，或删除空列", column: 3,
             hours: "2.00"),
        Case(name: "bytes neither UTF-8 nor GB18030", bytes: utf8("\(header)\nE1,V1,2019-08-06,9:00,10:00,,") + [0x80, 0xFF, 0x80] + utf8("\n"),
             format: "?", read: 0, rejected: 0, fileRejected: "第 78 字节处既不是 UTF-8 也不是 GB18030；请把文件另存为“CSV UTF-8”", line: 2,
             hours: "2.00"),
        Case(name: "UTF-16 LE with BOM", bytes: [0xFF, 0xFE] + "record_id,volunteer_id,date,hours\r\nW1,V1,2019-08-06,1\r\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
             format: "?", read: 0, rejected: 0, fileRejected: "文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8”或普通 CSV",
             hours: "2.00"),
        Case(name: "UTF-16 BE with BOM", bytes: [0xFE, 0xFF] + "record_id,volunteer_id,date,hours\r\nW1,V1,2019-08-06,1\r\n".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
             format: "?", read: 0, rejected: 0, fileRejected: "文件是 UTF-16 编码（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8”或普通 CSV",
             hours: "2.00"),
        Case(name: "NUL bytes", bytes: utf8("\(header)\nN1,V1,2019-08-06,9:00,10:00,,a") + [0] + utf8("b\n"),
             format: "?", read: 0, rejected: 0, fileRejected: "第 79 字节处是 NUL 字节：这不是文本文件（UTF-16 或二进制文件？）；请另存为 CSV", line: 2,
             hours: "2.00"),
        Case(name: "a 3 MB field", bytes: utf8("record_id,volunteer_id,date,hours,activity\nF1,V1,2019-08-06,1,\"" + String(repeating: "长\"\"", count: 600_000) + "\"\nF2,V1,2019-08-07,1,x\n"),
             format: "UTF-8", read: 2, rejected: 0, hours: "4.00", countedLines: [2, 3]),
        Case(name: "ragged rows", bytes: utf8("\(header)\nR1,V1,2019-08-06,9:00,10:00,,\nR2,V1,2019-08-07,9:00\nR3,V1,2019-08-07,9:00,10:00,,,extra\nR4,V1,2019-08-08,9:00,10:00,,\n"),
             format: "UTF-8", read: 4, rejected: 2,
             rows: [(3, "这一行有 4 列，表头有 7 列；检查多余或缺少的逗号", "R2,V1,2019-08-07,9:00"),
                    (4, "这一行有 8 列，表头有 7 列；检查多余或缺少的逗号", "R3,V1,2019-08-07,9:00,10:00,,,extra")],
             hours: "4.00", countedLines: [2, 5]),
        Case(name: "Excel sep=, first line", bytes: utf8("sep=,\r\n\(header)\r\nS1,V1,2019-08-07,9:00,10:00,,\r\n"),
             format: "UTF-8", read: 1, rejected: 0, hours: "3.00", countedLines: [3]),
        Case(name: "Excel sep=; first line", bytes: utf8("sep=;\r\nrecord_id;volunteer_id;date;hours\r\nS2;V1;2019-08-07;1\r\n"),
             format: "UTF-8", read: 0, rejected: 0,
             fileRejected: "第一行 'sep=;' 指定了其他分隔符；fivehours 只读逗号分隔的文件：请另存为 CSV（逗号分隔）",
             hours: "2.00"),
        Case(name: "lone CR line ends", bytes: utf8("\(header)\rC1,V1,2019-08-06,9:00,10:00,,\rC2,V1,2019-08-07,9:00,10:00,,\"a\rb\"\rC3,V1,2019-08-08,9:00,10:00,,\r"),
             format: "UTF-8", read: 3, rejected: 0, hours: "5.00", countedLines: [2, 3, 5]),
        Case(name: "empty file", bytes: [],
             format: "UTF-8", read: 0, rejected: 0, fileRejected: "文件是空的：没有表头行（volunteer_id、date …）",
             hours: "2.00"),
        Case(name: "blank lines only", bytes: utf8("\r\n\r\n  \r\n"),
             format: "UTF-8", read: 0, rejected: 0, fileRejected: "文件是空的：没有表头行（volunteer_id、date …）",
             hours: "2.00"),
        Case(name: "header only", bytes: utf8("\(header)\r\n"),
             format: "UTF-8", read: 0, rejected: 0, hours: "2.00"),
        Case(name: "text after a closing quote", bytes: utf8("\(header)\nQ1,V1,2019-08-06,9:00,10:00,,\"a\"b\nQ2,V1,2019-08-07,9:00,10:00,,\n"),
             format: "UTF-8", read: 2, rejected: 1,
             rows: [(2, "第 7 列：引号结束后还有文字；整格用引号括起，格内引号写成两个 (\"\")", "Q1,V1,2019-08-06,9:00,10:00,,\"a\"b")],
             hours: "3.00", countedLines: [3]),
    ]

    static let scenario: Scenario = {
        var s = Scenario()
        s.activities = "\(header)\nA1,V1,2019-08-05,9:00,11:00,,小红象志愿服务队"
        return s
    }()

    @Test("each broken CSV gets the contract's behaviour", arguments: cases)
    func brokenFile(_ c: Case) throws {
        var scenario = Self.scenario
        scenario.files = ["activities/x.csv": c.bytes]
        let outcome = try scenario.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let ledger = outcome.loaded.ledger
        let file = try #require(ledger.files.first { $0.path == "activities/x.csv" })
        #expect(file.format == c.format)
        #expect(file.read == c.read)
        #expect(file.rejected == c.rejected)
        #expect(file.counted == c.read - c.rejected)
        #expect(file.fileRejected == c.fileRejected)
        #expect(file.byteCount == c.bytes.count)
        let rejects = ledger.rejects.filter { $0.source.file == "activities/x.csv" }
        if let reason = c.fileRejected {
            let column = c.column.map { "（第 \($0) 列）" } ?? ""
            #expect(rejects.map { "\($0.source)|\($0.reason)|\($0.record)|\($0.wholeFile)" }
                    == ["activities/x.csv:\(c.line)|整个文件未读入\(column)：\(reason)||true"])
        } else {
            #expect(rejects.map { "\($0.source)|\($0.reason)|\($0.record)" } == c.rows.map { "activities/x.csv:\($0.0)|\($0.1)|\($0.2)" })
        }
        #expect(outcome.hours("V1") == c.hours)
        let counted = ledger.activities.filter { $0.source.file == "activities/x.csv" }.map(\.source.line)
        #expect(counted == c.countedLines)
        // Nothing of the valid log is lost whatever sits beside it.
        #expect(ledger.files.first { $0.path == "activities/log.csv" }?.counted == 1)
    }

    @Test("a row of a million cells is one ragged row, shown cut at 8 KB; a header of more than 65,536 cells rejects its file")
    func hugeRows() throws {
        var scenario = Self.scenario
        let commas = String(repeating: ",", count: 1_000_000)
        scenario.files = [
            "activities/wide.csv": Array("record_id,volunteer_id,date,hours\nW1,V1,2019-08-06,1\nW2,V1,2019-08-06\(commas)\nW3,V1,2019-08-06,2\n".utf8),
            "activities/header.csv": Array(("a" + String(repeating: ",a", count: 70_000) + "\n").utf8),
        ]
        let outcome = try scenario.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.loaded.ledger.rejects
        let wide = try #require(rejects.first { $0.source.description == "activities/wide.csv:3" })
        #expect(wide.reason.contains("1000003"), "\(wide.reason)")
        #expect(wide.record.utf8.count <= Reject.shownBytes + 3 && wide.record.hasPrefix("W2,V1,2019-08-06,,,") && wide.record.hasSuffix("…"))
        let header = try #require(rejects.first { $0.source.description == "activities/header.csv:1" })
        #expect(header.wholeFile && header.reason.contains("70001"), "\(header.reason)")
        // The rows around it are read.
        #expect(rejects.filter { $0.source.file == "activities/wide.csv" }.count == 1)
    }

    @Test("a row over 16 MB (a 17 MB cell) is rejected with its length, in a roster, a log and a submission file; the rows around it are read")
    func rowOverSixteenMegabytes() throws {
        var scenario = Self.scenario
        let big = String(repeating: "长", count: 5_700_000) // 17.1 MB
        scenario.files = [
            "activities/big.csv": Array("record_id,volunteer_id,date,hours,activity\nB1,V1,2019-08-06,1,\(big)\nB2,V1,2019-08-06,2,ok\n".utf8),
            "rosters/big.csv": Array("编号,姓名,单位\nV7,\(big),甲科\nV8,张八,甲科\n".utf8),
            "submissions/big.csv": Array("unit,kind,period,submitted_at,summary\n甲科,weekly,2019-08-09,2019-08-09 14:00,\(big)\n".utf8),
        ]
        let outcome = try scenario.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.loaded.ledger.rejects
        for source in ["activities/big.csv:2", "rosters/big.csv:2", "submissions/big.csv:2"] {
            let r = try #require(rejects.first { $0.source.description == source }, "\(source)")
            #expect(r.reason.contains("171000"), "\(r.reason)")
            #expect(r.record.utf8.count <= Reject.shownBytes + 3)
        }
        #expect(outcome.loaded.ledger.activities.contains { $0.recordID == "B2" })
        #expect(outcome.loaded.ledger.volunteers.contains { $0.id == "V8" })
    }

    /// A GB18030 log read on its own bytes (a week's run, over 16 MB) is held to the limit of a
    /// row by its text, as a decoded one is: a row of 12 MB of GB18030 dated outside the week is
    /// 18 MB of UTF-8, and rejected with that length.
    @Test("a GB18030 row under 16 MB of bytes and over 16 MB of text is rejected, also read on its own bytes")
    func gb18030RowOverSixteenMegabytesOfText() throws {
        var scenario = Self.scenario
        var text = "record_id,volunteer_id,date,hours,activity\n"
        for n in 0..<150_000 { text += "R\(n),V1,2019-03-0\(1 + n % 9),1,文明引导\n" }
        text += "B1,V1,2019-03-05,1,\(String(repeating: "长", count: 6_000_000))\nB2,V1,2019-08-06,2,ok\n"
        let bytes = ImportTestSupport.gb18030(text)
        #expect(bytes.count > 16 << 20 && bytes.count < 18 << 20)
        scenario.files = ["activities/big.csv": bytes]
        let outcome = try scenario.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let r = try #require(outcome.loaded.ledger.rejects.first { $0.source.description == "activities/big.csv:150002" })
        #expect(r.reason.contains("180000"), "\(r.reason)")
        #expect(outcome.loaded.ledger.activities.contains { $0.recordID == "B2" })
        #expect(outcome.loaded.ledger.files.first { $0.path == "activities/big.csv" }?.rejected == 1)
    }

    /// A rejected repeat quoted after the duplicate check (an XML record's start tag, a small
    /// log's row read again) is cut as every rejected row is.
    @Test("a conflicting repeat quoted from its file read again is cut at 8 KB, in XML and in a small CSV log")
    func requotedRepeatsAreCut() throws {
        var scenario = Self.scenario
        let long = String(repeating: "长", count: 4_000) // 12 KB
        scenario.files = [
            "activities/a.xml": Array("""
                <activities unit="甲科"><activity record_id="X1" volunteer="V1" date="2019-08-06" hours="1" location="甲"/>
                <activity record_id="X1" volunteer="V1" date="2019-08-06" hours="1" location="\(long)"/></activities>
                """.utf8),
            "activities/b.csv": Array("record_id,volunteer_id,date,hours,activity\nC1,V1,2019-08-07,1,ok\nC1,V1,2019-08-07,1,\(long)\n".utf8),
        ]
        let outcome = try scenario.run()
        defer { ImportTestSupport.remove(outcome.folder) }
        let rejects = outcome.loaded.ledger.rejects
        for (source, start) in [("activities/a.xml:2", "<activity "), ("activities/b.csv:3", "C1,V1,2019-08-07,1,长长")] {
            let r = try #require(rejects.first { $0.source.description == source }, "\(source)")
            #expect(r.reason.contains("record_id"), "\(r.reason)")
            #expect(r.record.hasPrefix(start) && r.record.hasSuffix("…") && r.record.utf8.count <= Reject.shownBytes + 3, "\(r.record.prefix(80))")
        }
    }

    @Test("a 3 MB cell is read whole, quotes unescaped")
    func bigField() throws {
        var scenario = Self.scenario
        scenario.files = ["activities/x.csv": Self.cases.first { $0.name == "a 3 MB field" }!.bytes]
        let folder = try scenario.write()
        defer { ImportTestSupport.remove(folder) }
        // The day's run, whose bulletin shows the activity (a week's run keeps no session text).
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.date = ValueParser.date("2019-08-06")
        options.now = ValueParser.instant("2019-08-10T12:00:00+08:00", in: .shanghai)
        let ledger = try Pipeline.load(options, progress: { _ in }).ledger
        let big = try #require(ledger.activities.first { $0.recordID == "F1" })
        #expect(big.activity == String(repeating: "长\"", count: 600_000))
    }

    @Test("through the binary: check names every broken file with file:line and what to do")
    func throughTheBinary() throws {
        var scenario = Self.scenario
        for (i, c) in Self.cases.enumerated() { scenario.files["activities/x\(i < 10 ? "0" : "")\(i).csv"] = c.bytes }
        let folder = try scenario.write()
        defer { ImportTestSupport.remove(folder) }
        let common = ["--config", folder.appendingPathComponent("campaign.yaml").path, "--week-ending", "2019-08-09", "--now", "2019-08-10T12:00:00+08:00"]
        let check = try Hostile.run(["check", "--quiet"] + common)
        #expect(check.status == 1)
        #expect(check.stderr.isEmpty)
        var expectedRejects: [[String]] = []
        for (i, c) in Self.cases.enumerated() {
            let name = "activities/x\(i < 10 ? "0" : "")\(i).csv"
            let counted = c.read - c.rejected
            #expect(check.stdout.contains("  \(name)  [服务记录, \(c.format)]  读入 \(c.read)，计入 \(counted)，合并 0，未读入 \(c.rejected)\n"), "\(c.name)")
            if let reason = c.fileRejected {
                let column = c.column.map { "（第 \($0) 列）" } ?? ""
                let line = "\(name):\(c.line): 整个文件未读入\(column)：\(reason)"
                #expect(check.stdout.contains("  \(line)\n"), "\(c.name)")
                expectedRejects.append(["\(name):\(c.line)", "整个文件未读入\(column)：\(reason)", ""])
            }
            for (l, reason, record) in c.rows {
                #expect(check.stdout.contains("  \(name):\(l): \(reason)\n      \(record)\n"), "\(c.name)")
                expectedRejects.append(["\(name):\(l)", reason, record])
            }
        }
        let out = folder.appendingPathComponent("out")
        let weekly = try Hostile.run(["weekly", "--quiet", "--csv-header", "keys", "--out", out.path] + common)
        #expect(weekly.status == 0)
        let report = out.appendingPathComponent("weekly-2019-08-09")
        let rejects = try Hostile.parseCSV(try [UInt8](Data(contentsOf: report.appendingPathComponent("rejects.csv"))))
        #expect(Array(rejects.dropFirst()) == expectedRejects)
        let volunteers = try Hostile.records(try [UInt8](Data(contentsOf: report.appendingPathComponent("volunteers.csv"))))
        // The sessions at 9:00–10:00 on 6, 7 and 8 August overlap across files and count once each;
        // the 3 MB file's two sessions give hours only and add: 2 + (1 + 1) + (1 + 1) + 1 = 7.
        #expect(volunteers.first { $0["volunteer_id"] == "V1" }?["hours"] == "7.00")
        #expect(weekly.peakRSS < 300 << 20)
    }
}
