import Foundation
import Testing
@testable import FiveHours

/// Untrusted XML (§3): records with their children and lines; hostile or malformed files rejected.
@Suite("XMLReader")
struct XMLReaderTests {
    static func records(_ xml: String, name: String = "test.xml") throws(UnreadableFile) -> [XMLRecord] {
        try records(Array(xml.utf8), name: name)
    }

    static func records(_ bytes: [UInt8], name: String = "test.xml") throws(UnreadableFile) -> [XMLRecord] {
        let result: Result<[XMLRecord], UnreadableFile> = bytes.withUnsafeBufferPointer { buf in
            do throws(UnreadableFile) { return .success(try XMLReader.records(in: buf, name: name)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    static let roster = """
    <?xml version="1.0" encoding="UTF-8"?>
    <roster unit="第三工作站" submitted-at="2019-08-02T10:00:00+08:00">
      <volunteer id="V001" name="王继跃" role="联络员" liaison="是" phone="13812345678">
        <team>小红象志愿服务队</team>
        <team> 文明引导队 </team>
      </volunteer>
      <volunteer id="V002" name="张伟" unit="党政办"/>
      <volunteer id="V003" name="李&amp;四 &#20013;" active-from="2019/7/1"></volunteer>
    </roster>
    """

    /// A record as comparable text: attributes and context sorted, children in order.
    static func describe(_ r: XMLRecord) -> String {
        func sorted(_ d: [String: String]) -> String { d.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "|") }
        return "\(r.name)@\(r.line) [\(sorted(r.attributes))] {\(sorted(r.context))} " + r.children.map { "<\($0.name) \(sorted($0.attributes))>\($0.text)" }.joined()
    }

    /// The records of a document, or its error, read inline or with the parse on its own thread.
    static func outcome(_ bytes: [UInt8], concurrentAbove: Int) -> [String] {
        bytes.withUnsafeBufferPointer { b in
            do throws(UnreadableFile) {
                return try XMLReader.records(in: b, name: "t.xml", concurrentAbove: concurrentAbove).map(describe)
            } catch {
                return ["error \(error.line):\(error.column ?? 0) \(error.reason)"]
            }
        }
    }

    @Test("the parse on a thread of its own gives the records and errors of the inline parse")
    func concurrentParseAgrees() throws {
        let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        var documents: [[UInt8]] = []
        for folder in ["fuzz/xml", "hostile"] {
            let dir = fixtures.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                documents.append(Array(try Data(contentsOf: dir.appendingPathComponent(name))))
            }
        }
        // Several batches, with the enclosing element's attributes changing between and within them.
        var big = "<?xml version=\"1.0\"?>\n<log>\n"
        for g in 0..<7 {
            big += "<activities unit=\"单位\(g)\" submitted-at=\"2019-08-0\(g + 1) 10:00\">\n"
            for k in 0..<(g * 173 + 11) {
                big += "<activity id=\"A\(g)-\(k)\" volunteer=\"V\(k)\" date=\"2019-08-05\" hours=\"1\"><title>第\(k)次 &amp; 活动</title><media href=\"m\(k).jpg\"/></activity>\n"
            }
            big += "</activities>\n"
        }
        big += "</log>\n"
        documents.append(Array(big.utf8))
        documents.append(Array(big.utf8.dropLast(40))) // cut off: an error after many good batches
        #expect(documents.count > 20)
        for doc in documents {
            let inline = Self.outcome(doc, concurrentAbove: Int.max)
            let concurrent = Self.outcome(doc, concurrentAbove: 0)
            // The first difference only: a document gives thousands of records.
            let first = inline.indices.first { $0 < concurrent.count && inline[$0] != concurrent[$0] }
            #expect(inline.count == concurrent.count && first == nil,
                    "\(String(decoding: doc.prefix(60), as: UTF8.self)): \(inline.count) vs \(concurrent.count) records; first difference: \(first.map { "\(inline[$0]) / \(concurrent[$0])" } ?? "none")")
        }
    }

    @Test("a text node may not pass 10 MB; a comment between two texts starts a new one")
    func textNodeLimit() throws {
        let six = String(repeating: "文", count: 2_000_000) // 6 MB
        func doc(_ between: String) -> [UInt8] {
            Array("<activities><activity id=\"A\" volunteer=\"V1\" date=\"2019-08-05\" hours=\"1\"><description>\(six)\(between)\(six)</description></activity></activities>".utf8)
        }
        #expect(Self.outcome(doc("<!--c-->"), concurrentAbove: Int.max).count == 1)
        #expect(Self.outcome(doc("<?pi x?>"), concurrentAbove: Int.max).count == 1)
        let whole = Self.outcome(doc(""), concurrentAbove: Int.max)
        #expect(whole.count == 1 && whole[0].hasPrefix("error ") && whole[0].hasSuffix("XML: xmlSAX2Characters: huge text node"), "\(whole.first?.prefix(120) ?? "")")
    }

    @Test("the attributes of an empty <roster/> are no context for the records after it")
    func emptyContextElementEnds() throws {
        let xml = Array("<rosters><roster unit=\"A\"/><volunteer id=\"1\"/><roster unit=\"B\"><volunteer id=\"2\"/></roster></rosters>".utf8)
        let records = try xml.withUnsafeBufferPointer { try XMLReader.records(in: $0, name: "r.xml") }
        #expect(records.filter { $0.name == "volunteer" }.map(\.context) == [[:], ["unit": "B"]])
        // The empty one is handed on as an element of its own, for the importer to judge (a
        // root of defaults only is no row; one with a record's columns is rejected).
        #expect(records.map(\.name) == ["roster", "volunteer", "volunteer"])
    }

    @Test func rosterWithTeams() throws {
        let recs = try Self.records(Self.roster)
        #expect(recs.count == 3)
        let context = ["unit": "第三工作站", "submitted-at": "2019-08-02T10:00:00+08:00"]

        #expect(recs[0].name == "volunteer")
        #expect(recs[0].line == 3)
        #expect(recs[0].attributes == ["id": "V001", "name": "王继跃", "role": "联络员", "liaison": "是", "phone": "13812345678"])
        #expect(recs[0].children.map(\.name) == ["team", "team"])
        #expect(recs[0].children.map(\.text) == ["小红象志愿服务队", " 文明引导队 "])
        #expect(recs[0].context == context)

        #expect(recs[1].line == 7)
        #expect(recs[1].attributes == ["id": "V002", "name": "张伟", "unit": "党政办"])
        #expect(recs[1].children.isEmpty)
        #expect(recs[1].context == context)

        #expect(recs[2].line == 8)
        #expect(recs[2].attributes["name"] == "李&四 中")
        #expect(recs[2].attributes["active-from"] == "2019/7/1")
    }

    static let activities = """
    <?xml version="1.0" encoding="UTF-8"?>
    <activities unit="第一工作站" submitted-at="2019/8/5 16:05">
      <activity id="A1" volunteer="V001" date="2019-08-05" start="9:00" end="11:30"
                team="小红象志愿服务队" category="文明引导" location="地铁站">
        <title>文明引导 &lt;早高峰&gt;</title>
        <description><![CDATA[在 <地铁站> 引导乘客]]> 有序排队, <b>效果</b>很好</description>
        <media type="photo" href="media/a.jpg"/>
        <media type="video">https://example.org/v.mp4</media>
      </activity>
      <activity id="A2" volunteer="V002" date="2019-08-05" hours="2"/>
    </activities>
    """

    @Test func activitiesWithTitleDescriptionAndMedia() throws {
        let recs = try Self.records(Self.activities)
        #expect(recs.count == 2)
        let a = recs[0]
        #expect(a.name == "activity")
        #expect((3...4).contains(a.line)) // the start tag spans lines 3–4
        #expect(a.attributes == ["id": "A1", "volunteer": "V001", "date": "2019-08-05", "start": "9:00", "end": "11:30",
                                 "team": "小红象志愿服务队", "category": "文明引导", "location": "地铁站"])
        #expect(a.context == ["unit": "第一工作站", "submitted-at": "2019/8/5 16:05"])
        #expect(a.children.map(\.name) == ["title", "description", "media", "media"])
        #expect(a.children[0].text == "文明引导 <早高峰>")
        #expect(a.children[1].text == "在 <地铁站> 引导乘客 有序排队, 效果很好")
        #expect(a.children[2].attributes == ["type": "photo", "href": "media/a.jpg"])
        #expect(a.children[2].text == "")
        #expect(a.children[3].attributes == ["type": "video"])
        #expect(a.children[3].text == "https://example.org/v.mp4")
        #expect(recs[1].line == 10)
        #expect(recs[1].attributes["hours"] == "2")
    }

    @Test("an element with attributes that is no record (<Activity>, <record>) is handed on as one of its own name, to be rejected; a wrapper of records is not")
    func straysAreHandedOn() throws {
        let recs = try Self.records("""
        <export version="2">
          <activities unit="党政办">
            <activity id="K1" volunteer="V001" date="2019-08-07" hours="1"/>
            <Activity id="K2" volunteer="V001" date="2019-08-06" hours="4"/>
            <group code="g"><record id="K3" volunteer="V001" date="2019-08-08" hours="4"><title>x</title></record></group>
            <note>text only</note>
          </activities>
        </export>
        """)
        #expect(recs.map { "\($0.name):\($0.line)" } == ["activity:3", "Activity:4", "record:5", "group:5"])
        #expect(recs[1].attributes["hours"] == "4" && recs[1].context == ["unit": "党政办"])
    }

    @Test("through the import: elements and attributes named as a CSV header names them (<志愿者 编号=… 姓名=…>) are rejected and told the English names, not read as metadata")
    func chineseNamesAreRejects() throws {
        var s = Scenario()
        s.files["rosters/a.xml"] = Array("<花名册 单位=\"甲科\">\n  <志愿者 编号=\"V10\" 姓名=\"张伟\"/>\n</花名册>\n".utf8)
        s.files["rosters/b.xml"] = Array("<roster unit=\"甲科\">\n  <volunteer id=\"V11\" name=\"李四\"/>\n  <志愿者 编号=\"V12\" 姓名=\"王五\"/>\n</roster>\n".utf8)
        let o = try s.run()
        let a = try #require(o.loaded.ledger.rejects.first { $0.source.file == "rosters/a.xml" })
        #expect(a.source.line == 2)
        #expect(a.reason.hasSuffix("XML：花名册文件应为 <volunteer> 元素，却是 <志愿者>；属性也要用英文名（姓名 → name，编号 → id）"), "\(a.reason)")
        let b = o.loaded.ledger.rejects.filter { $0.source.file == "rosters/b.xml" }
        #expect(b.map(\.source.line) == [3])
        #expect(b.first?.reason.hasSuffix("把它改名为 <volunteer>，属性也要用英文名（姓名 → name，编号 → id）") == true, "\(b.first?.reason ?? "")")
        let file = try #require(o.loaded.ledger.files.first { $0.path == "rosters/b.xml" })
        #expect((file.read, file.counted, file.rejected) == (2, 1, 1))
    }

    @Test("through the import: strays and a record written inside a record are rejects with their lines; read = counted + rejected")
    func straysAreRejects() throws {
        var s = Scenario()
        s.files["activities/x.xml"] = Array("""
        <activities unit="甲科">
          <activity id="K1" volunteer="V1" date="2019-08-07" hours="1"/>
          <Activity id="K2" volunteer="V1" date="2019-08-06" hours="4"/>
          <activity id="K4" volunteer="V2" date="2019-08-07" hours="1">
            <activity id="K5" volunteer="V2" date="2019-08-06" hours="4"/>
          </activity>
          <activity id="K6" volunteer="V2" date="2019-08-08" hours="1"><activity>清洁家园</activity></activity>
          <meta created="2019-08-10" by="党政办"/>
          <meta date="2019-08-07" unit="甲科" created="2019-08-10"/>
          <activity id="K7" volunteer="V2" date="2019-08-08" hours="1"><activity xml:lang="zh-CN">文明引导</activity><volunteer id="V2"/></activity>
        </activities>
        """.utf8)
        // An empty export: its root's attributes are no row; the file is read with none.
        s.files["activities/y.xml"] = Array(#"<export date="2019-08-07" unit="甲科" count="0"/>"#.utf8)
        let o = try s.run()
        let rejects = o.loaded.ledger.rejects.filter { $0.source.file == "activities/x.xml" }
        // The record written inside another is named by its own line and start tag.
        #expect(rejects.map(\.source.line) == [3, 5])
        #expect(rejects[0].reason.contains("<Activity> 不是服务记录文件的记录元素") && rejects[0].reason.hasSuffix("把它改名为 <activity>"))
        #expect(rejects[1].reason.contains("<activity> 写在另一条记录 <activity>（第 4 行）之中"))
        #expect(rejects[1].record == #"<activity date="2019-08-06" hours="4" id="K5" volunteer="V2">"#)
        let file = try #require(o.loaded.ledger.files.first { $0.path == "activities/x.xml" })
        #expect((file.read, file.rejected) == (6, 2))
        #expect(file.read == file.counted + file.merged + file.rejected)
        #expect(o.hours("V2") == "3.00") // K4, K6 and K7 count; their <activity> children are names
        let empty = try #require(o.loaded.ledger.files.first { $0.path == "activities/y.xml" })
        #expect((empty.read, empty.rejected, empty.fileRejected) == (0, 0, nil))
    }

    @Test func submissionsUnderOneRoot() throws {
        let recs = try Self.records("""
        <submissions>
          <submission unit="党政办" kind="weekly" period="2019-08-09" submitted-at="2019-08-09T14:00:00+08:00">
            <title>第一周</title>
            <summary>完成</summary>
            <plan>继续</plan>
          </submission>
          <submission unit="一站" kind="daily" period="2019-08-05" submitted-at="2019/8/5 15:00"/>
        </submissions>
        """)
        #expect(recs.map(\.line) == [2, 7])
        #expect(recs[0].children.map { "\($0.name)=\($0.text)" } == ["title=第一周", "summary=完成", "plan=继续"])
        #expect(recs[1].context == [:])
    }

    @Test func contextEndsWithItsElement() throws {
        let recs = try Self.records("""
        <data>
          <roster unit="A"><volunteer id="1" name="a"/></roster>
          <volunteer id="2" name="b"/>
          <roster unit="B"><volunteer id="3" name="c"/></roster>
        </data>
        """)
        #expect(recs.map { $0.context["unit"] } == ["A", nil, "B"])
        #expect(recs.map(\.line) == [2, 3, 4])
    }

    @Test func lineNumbersOfManyRecords() throws {
        // Large enough that the parser reads well ahead of the node it hands back.
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<activities unit=\"u\">\n"
        for i in 1...3000 {
            xml += "  <activity id=\"A\(i)\" volunteer=\"V\(i % 50)\" date=\"2019-08-05\" hours=\"1.5\" location=\"地点 \(i) 的一个相当长的名字\"/>\n"
            if i % 7 == 0 {
                xml += "  <activity id=\"B\(i)\" volunteer=\"V1\" date=\"2019-08-05\" hours=\"1\">\n    <title>多行\n标题</title>\n  </activity>\n"
            }
        }
        xml += "</activities>\n"
        let recs = try Self.records(xml)
        var expected: [String: Int] = [:]
        var line = 3
        for i in 1...3000 {
            expected["A\(i)"] = line
            line += 1
            if i % 7 == 0 { expected["B\(i)"] = line; line += 4 }
        }
        #expect(recs.count == expected.count)
        let wrong = recs.filter { expected[$0.attributes["id"] ?? ""] != $0.line }
        let first = wrong.first.map { "\($0.attributes["id"] ?? "?") at \($0.line), expected \(expected[$0.attributes["id"] ?? ""] ?? -1)" } ?? ""
        #expect(wrong.count == 0, "records with a wrong line; first: \(first)")
    }

    @Test func lineNumbersBeyond65535() throws {
        // libxml2 keeps a node's line in 16 bits unless told otherwise; big files must not stop at 65,535.
        var xml = "<activities>\n"
        for i in 1...70_000 { xml += "<activity id=\"A\(i)\" volunteer=\"V\" date=\"2019-08-05\" hours=\"1\"/>\n" }
        xml += "</activities>\n"
        let recs = try Self.records(xml)
        #expect(recs.count == 70_000)
        #expect(recs[65_533].line == 65_535)
        #expect(recs[65_534].line == 65_536)
        #expect(recs.last?.line == 70_001)
    }

    @Test func multiLineStartTagIsOnALineOfItsStartTag() throws {
        let recs = try Self.records("<roster>\n\n  <volunteer\n     id=\"1\"\n     name=\"a\"/>\n</roster>\n")
        // Ideally line 3 (where `<volunteer` begins); libxml2 records the line of the closing `>`.
        let line = try #require(recs.first?.line)
        #expect((3...5).contains(line))
    }

    @Test func utf8BOMAndDeclaredGB18030() throws {
        let bom = try Self.records([0xEF, 0xBB, 0xBF] + Array("<roster><volunteer id=\"1\" name=\"王\"/></roster>".utf8))
        #expect(bom.first?.attributes["name"] == "王")
        let gb = ImportTestSupport.gb18030("<?xml version=\"1.0\" encoding=\"GB18030\"?>\n<roster unit=\"党政办\">\n<volunteer id=\"1\" name=\"𠮷田\"/>\n</roster>\n")
        let recs = try Self.records(gb)
        #expect(recs.first?.attributes["name"] == "𠮷田")
        #expect(recs.first?.context["unit"] == "党政办")
        #expect(recs.first?.line == 3)
    }

    @Test("a file that declares GB2312 or GBK is read as GB18030: GBK's 堃, 喆 and 镕, which GB2312 lacks, are read, not a reason to refuse the file", arguments: ["GB2312", "gbk", "cp936"])
    func gbLabelsReadAsGB18030(_ label: String) throws {
        let gb = ImportTestSupport.gb18030("<?xml version=\"1.0\" encoding=\"\(label)\"?>\n<roster unit=\"党政办\">\n<volunteer id=\"V1\" name=\"王堃\"/>\n<volunteer id=\"V2\" name=\"陶喆\"/>\n<volunteer id=\"V3\" name=\"张镕\"/>\n</roster>\n")
        let recs = try Self.records(gb)
        #expect(recs.map { $0.attributes["name"] } == ["王堃", "陶喆", "张镕"])
        #expect(recs.map(\.line) == [3, 4, 5])
        // UTF-8 behind a GB declaration is not read as GB18030 (its Chinese would become other
        // Chinese): it is refused, with the hint (`encodingHint`).
        #expect(throws: UnreadableFile.self) {
            try Self.records(Array("<?xml version=\"1.0\" encoding=\"\(label)\"?>\n<roster unit=\"甲科\"><volunteer id=\"V1\" name=\"王继跃\"/></roster>\n".utf8))
        }
    }

    @Test func namespacedElementsUseTheirLocalName() throws {
        let recs = try Self.records("<r:roster xmlns:r=\"urn:x\" unit=\"U\"><r:volunteer id=\"1\" name=\"a\"/></r:roster>")
        #expect(recs.map(\.name) == ["volunteer"])
        #expect(recs.first?.context["unit"] == "U")
    }

    // MARK: Rejected files

    @Test func mismatchedTag() throws {
        let xml = "<roster>\n  <volunteer id=\"1\" name=\"a\">\n    <team>x</tem>\n  </volunteer>\n</roster>\n"
        let error = #expect(throws: UnreadableFile.self) { try Self.records(xml) }
        #expect(error == UnreadableFile(line: 3, column: 18, reason: "XML: Opening and ending tag mismatch: team line 3 and tem"))
    }

    @Test("an entity never declared (&nbsp;) is refused as every entity reference is, on its line")
    func undeclaredEntity() throws {
        let xml = "<activities unit=\"甲科\">\n<activity id=\"E1\" volunteer=\"V1\" date=\"2019-08-05\" hours=\"1\"><title>a&nbsp;b</title></activity>\n</activities>\n"
        let error = #expect(throws: UnreadableFile.self) { try Self.records(xml) }
        #expect(error?.line == 2)
        #expect(error?.reason == "XML: entity references are not allowed in input files; write the text itself")
        #expect(error?.chinese == "XML：输入文件中不允许实体引用；请直接写出文字")
    }

    @Test("a file whose bytes are not in the encoding it declares says which they are", arguments: [
        // UTF-8 bytes declared GBK: libxml2 reports an unrelated error.
        (Array("<?xml version=\"1.0\" encoding=\"GBK\"?>\n<roster unit=\"甲科\"><volunteer id=\"V1\" name=\"王继跃\"/></roster>\n".utf8),
         "把第一行改为 encoding=\"UTF-8\""),
        // GBK bytes declared as nothing (UTF-8 by default).
        (Array("<?xml version=\"1.0\"?>\n<roster unit=\"".utf8) + [0xBC, 0xD7, 0xBF, 0xC6] + Array("\"><volunteer id=\"V1\"/></roster>\n".utf8),
         "在第一行写明 encoding=\"GB18030\""),
        // UTF-8 declared GBK whose values all hold an even number of characters: libxml2 would read
        // it without an error (李四 as 鏉庡洓, 乙办 as 涔欏姙).
        (Array("<?xml version=\"1.0\" encoding=\"GBK\"?>\n<roster unit=\"乙办\">\n<volunteer id=\"V2\" name=\"李四\"/>\n</roster>\n".utf8),
         "2 整个文件未读入：XML：这一行的中文会被读成别的字；文件声明了 GB 编码，实际却是 UTF-8：把第一行改为 encoding=\"UTF-8\""),
        // GBK declared GBK, with one line pasted in UTF-8.
        (XMLReaderTests.mixedRoster, "4 整个文件未读入：这一行是 UTF-8 编码，而第 2 行是 GB18030（GBK）编码"),
    ])
    func encodingHint(_ bytes: [UInt8], _ said: String) throws {
        let folder = try ImportTestSupport.makeTempFolder("xml-encoding")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [r]\n  activities: a\n", to: "c.yaml", in: folder)
        try ImportTestSupport.write(bytes, to: "r/r.xml", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("a"), withIntermediateDirectories: true)
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("c.yaml").path)
        let result = try Importer(campaign: campaign).run()
        let reject = try #require(result.rejects.first { $0.wholeFile })
        #expect("\(reject.source.line) \(reject.reason)".contains(said), "\(reject.source.line) \(reject.reason)")
    }

    @Test("a file's root holding a record's columns but no record is rejected naming the element to use; a root of defaults only is no row", arguments: [
        ("r/r.xml", "<roster unit=\"丁办\" id=\"V9\" name=\"王五\" role=\"联络员\"/>", "1 XML：花名册文件应为 <volunteer> 元素，却是 <roster>"),
        ("s/s.xml", "<submissions unit=\"丁办\" kind=\"weekly\" period=\"2019-08-09\" submitted-at=\"2019-08-09T14:00:00+08:00\"/>",
         "1 XML：报送记录文件应为 <submission> 元素，却是 <submissions>"),
        ("r/r.xml", "<roster unit=\"丁办\" submitted-at=\"2019-08-01T10:00:00+08:00\"/>", ""),
        ("s/s.xml", "<submissions unit=\"丁办\"><meta created=\"2019-08-01\"/></submissions>", ""),
    ])
    func recordOnTheRoot(_ path: String, _ xml: String, _ said: String) throws {
        let folder = try ImportTestSupport.makeTempFolder("xml-root")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [r]\n  activities: a\n  submissions: [s]\n", to: "c.yaml", in: folder)
        try ImportTestSupport.write(xml + "\n", to: path, in: folder)
        for dir in ["a", "r", "s"] { try FileManager.default.createDirectory(at: folder.appendingPathComponent(dir), withIntermediateDirectories: true) }
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("c.yaml").path)
        let result = try Importer(campaign: campaign).run()
        #expect(result.rejects.map { "\($0.source.line) \($0.reason.replacingOccurrences(of: "整个文件未读入：", with: ""))" } == (said.isEmpty ? [] : [said]))
        #expect(result.volunteers.isEmpty && result.submissions.isEmpty)
    }

    static let mixedRoster: [UInt8] = {
        var bytes = ImportTestSupport.gb18030("<?xml version=\"1.0\" encoding=\"GBK\"?>\n<roster unit=\"党政办\">\n<volunteer id=\"V1\" name=\"王继跃\"/>\n")
        bytes += Array("<volunteer id=\"V2\" name=\"李四\" teams=\"小红象\"/>\n".utf8)
        bytes += ImportTestSupport.gb18030("</roster>\n")
        return bytes
    }()

    @Test("GBK declared GBK whose bytes happen to be valid UTF-8 (郑伟, 谢平) is read as GBK")
    func gbkThatIsValidUTF8() throws {
        let bytes = ImportTestSupport.gb18030("<?xml version=\"1.0\" encoding=\"GBK\"?>\n<roster unit=\"甲科\"><volunteer id=\"V1\" name=\"郑伟\"/><volunteer id=\"V2\" name=\"谢平\"/></roster>\n")
        #expect(bytes.withUnsafeBufferPointer { XMLReader.declaresGBWithoutBOM($0) && XMLReader.wrongGBDeclaration($0, firstInvalid: UTF8Check.firstInvalid($0)) == nil })
        #expect(try Self.records(bytes).map { $0.attributes["name"] ?? "" } == ["郑伟", "谢平"])
    }

    @Test func unclosedRoot() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try Self.records("<roster>\n<volunteer id=\"1\" name=\"a\"/>\n")
        }
        #expect(error?.line == 2)
        #expect(error?.reason.hasPrefix("XML: ") == true)
    }

    @Test func unescapedAmpersand() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try Self.records("<roster>\n<volunteer id=\"1\" name=\"a & b\"/>\n</roster>")
        }
        #expect(error?.line == 2)
        #expect(error?.reason.hasPrefix("XML: ") == true)
    }

    @Test("empty or not XML", arguments: [("", 1), ("   \n", 2), ("hello, world\n", 1), ("编号,姓名\nV1,张三\n", 1)])
    func notXML(_ text: String, line: Int) throws {
        let error = #expect(throws: UnreadableFile.self) { try Self.records(text) }
        #expect(error?.line == line)
        #expect(error?.reason.hasPrefix(text.isEmpty ? "the file is empty" : "XML: ") == true)
    }

    @Test func doctypeWithAnInternalEntityIsRejected() throws {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE roster [
          <!ENTITY unit "党政办">
        ]>
        <roster unit="&unit;"><volunteer id="1" name="a"/></roster>
        """
        let error = #expect(throws: UnreadableFile.self) { try Self.records(xml) }
        #expect(error?.reason == "XML: a DOCTYPE is not allowed in input files (it can hide entities); remove it")
    }

    @Test func billionLaughsIsRejected() throws {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        ]>
        <roster><volunteer id="1" name="&lol4;"/></roster>
        """
        let error = #expect(throws: UnreadableFile.self) { try Self.records(xml) }
        #expect(error?.reason.hasPrefix("XML: ") == true)
    }

    static let passwd: String = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? "root:x:0:0:"

    static func leaks(_ recs: [XMLRecord]) -> Bool {
        let firstLine = passwd.split(separator: "\n").first.map(String.init) ?? "root:x:0:0"
        let all = recs.flatMap { r in Array(r.attributes.values) + r.children.map(\.text) + Array(r.context.values) }
        return all.contains { $0.contains(firstLine) || $0.contains("root:") }
    }

    @Test("external entities never reach a record", arguments: [
        "<!DOCTYPE roster [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<roster><volunteer id=\"1\" name=\"a\"><team>&xxe;</team></volunteer></roster>",
        "<!DOCTYPE roster [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<roster><volunteer id=\"1\" name=\"&xxe;\"/></roster>",
        "<!DOCTYPE roster SYSTEM \"file:///etc/passwd\">\n<roster><volunteer id=\"1\" name=\"a\"/></roster>",
        "<!DOCTYPE roster [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n<roster><volunteer id=\"1\" name=\"a\"/></roster>",
        "<!DOCTYPE roster [<!ENTITY xxe SYSTEM \"http://127.0.0.1:9/x\">]>\n<roster><volunteer id=\"1\" name=\"a\"><team>&xxe;</team></volunteer></roster>",
    ])
    func externalEntity(_ xml: String) throws {
        let doc = "<?xml version=\"1.0\"?>\n" + xml
        let error = #expect(throws: UnreadableFile.self) { try Self.records(doc) }
        #expect(error?.reason.hasPrefix("XML: ") == true)
        #expect(error?.reason.contains("root:") == false)
        #expect(error?.reason.contains(Self.passwd.prefix(12)) == false)
    }

    @Test func xincludeIsNotFollowed() throws {
        let xml = """
        <roster xmlns:xi="http://www.w3.org/2001/XInclude">
          <volunteer id="1" name="a"><team><xi:include href="file:///etc/passwd" parse="text"/></team></volunteer>
        </roster>
        """
        // Accepted or rejected, the file's content must never appear.
        if let recs = try? Self.records(xml) {
            #expect(!Self.leaks(recs))
            #expect(recs.first?.children.first?.text == "")
        }
    }

    @Test func deepNestingIsRejectedOrBounded() throws {
        let depth = 20_000
        let xml = "<roster>" + String(repeating: "<x>", count: depth) + String(repeating: "</x>", count: depth) + "</roster>"
        // libxml2 refuses nesting deeper than 256 (without XML_PARSE_HUGE): the file is rejected, nothing crashes.
        let error = #expect(throws: UnreadableFile.self) { try Self.records(xml) }
        #expect(error?.reason.hasPrefix("XML: ") == true)
    }
}
