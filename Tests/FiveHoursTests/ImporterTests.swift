import Foundation
import Testing
@testable import FiveHours

/// The import stage end to end on a temporary campaign folder: records, rejects with
/// `file:line`, per-file accounting, whole-file rejects and privacy of phone numbers.
@Suite("Importer")
struct ImporterTests {
    static let campaignYAML = """
    campaign:
      name: 测试活动
      timezone: Asia/Shanghai
    units:
      - { name: 党政办, kind: department }
      - { name: 第一工作站, kind: workstation }
    inputs:
      rosters: [rosters]
      activities: [activities]
      submissions: submissions/s.csv
    """

    /// Roster in GB18030 with Chinese headers and CRLF, as Excel on Chinese Windows saves it.
    static let rosterCSV = [
        "编号,姓名,所属单位,服务队,职务,联系电话,入队日期,备注",
        "V001,王继跃,党政办,小红象志愿服务队；文明引导队,联络员,13812345678,2019/7/1,",
        "V002,张伟,党政办,,,010-62345678,,",
        "V003,李四,党政办,,,13912345678,2019/13/1,日期写错",
    ].joined(separator: "\r\n") + "\r\n"

    static let rosterXML = """
    <?xml version="1.0" encoding="UTF-8"?>
    <roster unit="第一工作站" submitted-at="2019/8/2 17:00">
      <volunteer id="V010" name="赵六" phone="13700001111"><team>小红象志愿服务队</team></volunteer>
      <volunteer id="V011" name="" phone="13700002222" unit="党政办"/>
    </roster>

    """

    static let activitiesX = """
    记录编号,志愿者编号,服务日期,开始时间,结束时间,服务时长（小时）,活动名称,地点
    A1,V001,2019/8/5,9:00,11:30,,清洁家园,社区
    A2,V002,2019/2/30,,,2,交通劝导,路口
    A3,V001,2019-08-06,,,2.5,文明引导,"地铁站, B口"

    """

    static let activitiesY = """
    志愿者编号,日期,时长,服务内容
    V001,2019/8/7,1.5,"多行
    说明"
    V002,2019/8/7,1,额外,逗号
    V010,2019/8/8,abc,联系 138-1234-5678
    V001,2019/8/8,0,找张伟 010-62345678

    """

    static let activitiesZ = """
    志愿者编号,日期,时长
    V001,2019/8/9,1
    V001,"2019/8/9,2
    V001,2019/8/9,3

    """

    static let activitiesXML = """
    <?xml version="1.0" encoding="UTF-8"?>
    <activities unit="第一工作站" submitted-at="2019/8/5 18:00">
      <activity id="X1" volunteer="V010" date="2019-08-05" start="14:00" end="16:00" team="小红象志愿服务队">
        <title>垃圾分类</title>
        <description>宣传</description>
        <media type="photo" href="media/p.jpg"/>
      </activity>
    </activities>

    """

    static let submissionsCSV = """
    单位,类型,日期,报送时间
    党政办,简报,2019/8/5,2019/8/5 15:00
    党政办,周总结,2019-08-09,2019-08-09T14:30:00+08:00
    党政办,名单,,2019/8/2 10:00

    """

    /// Builds the campaign folder and runs the import.
    static func importSample() throws -> (ImportResult, URL) {
        let folder = try ImportTestSupport.makeTempFolder("importer")
        try ImportTestSupport.write(campaignYAML, to: "campaign.yaml", in: folder)
        try ImportTestSupport.write(ImportTestSupport.gb18030(rosterCSV), to: "rosters/党政办.csv", in: folder)
        try ImportTestSupport.write(rosterXML, to: "rosters/第一工作站.xml", in: folder)
        try ImportTestSupport.write([0xEF, 0xBB, 0xBF] + Array(activitiesX.utf8), to: "activities/x.csv", in: folder)
        try ImportTestSupport.write(activitiesY, to: "activities/y.csv", in: folder)
        try ImportTestSupport.write(activitiesZ, to: "activities/z.csv", in: folder)
        try ImportTestSupport.write(activitiesXML, to: "activities/媒体.xml", in: folder)
        try ImportTestSupport.write("not an input", to: "activities/readme.txt", in: folder)
        try ImportTestSupport.write([0x50, 0x4B, 0x03, 0x04, 0], to: "activities/x.xlsx", in: folder)
        try ImportTestSupport.write(submissionsCSV, to: "submissions/s.csv", in: folder)
        try ImportTestSupport.write("单位,类型\n", to: "submissions/not-listed.csv", in: folder)
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        return (try Importer(campaign: campaign).run(), folder)
    }

    static let phones = ["13812345678", "13912345678", "62345678", "13700001111", "13700002222", "1381234", "138-1234-5678"]

    @Test func filesInInputOrderWithTheirAccounting() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        #expect(result.files.map(\.path) == [
            "rosters/党政办.csv", "rosters/第一工作站.xml",
            "activities/x.csv", "activities/y.csv", "activities/z.csv", "activities/媒体.xml",
            "submissions/s.csv",
        ])
        #expect(result.files.map(\.kind) == [.roster, .roster, .activity, .activity, .activity, .activity, .submission])
        #expect(result.files.map(\.format) == ["GB18030", "XML", "UTF-8 (BOM)", "UTF-8", "UTF-8", "XML", "UTF-8"])
        #expect(result.files.map(\.read) == [3, 2, 3, 4, 0, 1, 3])
        #expect(result.files.map(\.rejected) == [1, 1, 1, 3, 0, 0, 0])
        #expect(result.files.map(\.counted) == [2, 1, 2, 1, 0, 1, 3])
        #expect(result.files.map(\.merged) == [0, 0, 0, 0, 0, 0, 0])
        #expect(result.files.map { $0.fileRejected != nil } == [false, false, false, false, true, false, false])
        #expect(result.files[0].unknownColumns == ["备注"])
        #expect(result.files.dropFirst().allSatisfy { $0.unknownColumns.isEmpty })
        #expect(result.files[0].absolutePath == folder.appendingPathComponent("rosters/党政办.csv").standardizedFileURL.path)
        let gbBytes = ImportTestSupport.gb18030(Self.rosterCSV)
        #expect(result.files[0].byteCount == gbBytes.count)
        #expect(result.files.allSatisfy { $0.sha256.count == 64 })
        #expect(result.files[4].sha256.count == 64) // a rejected file is still hashed for the manifest
    }

    @Test("a folder of inputs named through a symbolic link is read, under the name the campaign gives it")
    func folderBehindASymbolicLink() throws {
        let folder = try ImportTestSupport.makeTempFolder("importer-link")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write(Self.campaignYAML, to: "campaign.yaml", in: folder)
        try ImportTestSupport.write(ImportTestSupport.gb18030(Self.rosterCSV), to: "elsewhere/名册/党政办.csv", in: folder)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("rosters").path,
                                                   withDestinationPath: folder.appendingPathComponent("elsewhere/名册").path)
        try ImportTestSupport.write(Self.activitiesY, to: "activities/y.csv", in: folder)
        try ImportTestSupport.write(Self.submissionsCSV, to: "submissions/s.csv", in: folder)
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let result = try Importer(campaign: campaign).run()
        #expect(result.files.map(\.path) == ["rosters/党政办.csv", "activities/y.csv", "submissions/s.csv"])
        #expect(result.files[0].read == 3)
        #expect(result.volunteers.count == 2)
    }

    @Test func rejectsWithFileAndLine() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.source.description) == [
            "rosters/党政办.csv:4", "rosters/第一工作站.xml:4", "activities/x.csv:3",
            "activities/y.csv:4", "activities/y.csv:5", "activities/y.csv:6", "activities/z.csv:3",
        ])
        #expect(result.rejects.map(\.reason) == [
            "入队日期(active_from) '2019/13/1' 不是有效日期（如 2019-08-05 或 2019/8/5）",
            "缺少姓名(name)",
            "日期(date) '2019/2/30' 不是有效日期（如 2019-08-05 或 2019/8/5）",
            "这一行有 5 列，表头有 4 列；检查多余或缺少的逗号",
            "服务时长(hours) 'abc' 不是有效时长（如 2.5 或 2:30）",
            "服务时长(hours) 为零或负数",
            "整个文件未读入：第 3 行开始的引号 (\") 没有结束；检查那一格的引号",
        ])
        #expect(result.rejects.map(\.wholeFile) == [false, false, false, false, false, false, true])
        #expect(result.rejects.map(\.source.fileIndex) == [0, 1, 2, 3, 3, 3, 4])
    }

    @Test func exactlyOneRejectForTheBadDate() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        let x = result.rejects.filter { $0.source.file == "activities/x.csv" }
        #expect(x.count == 1)
        #expect(x.first?.source.description == "activities/x.csv:3")
        #expect(x.first?.record == "A2,V002,2019/2/30,,,2,交通劝导,路口")
    }

    @Test func rawRecordsAreKeptWithPhonesBlanked() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.record) == [
            "V003,李四,党政办,,,,2019/13/1,日期写错",
            "<volunteer id=\"V011\" name=\"\" unit=\"党政办\">",
            "A2,V002,2019/2/30,,,2,交通劝导,路口",
            "V002,2019/8/7,1,额外,逗号",
            "V010,2019/8/8,abc,联系 ***-****-****",
            "V001,2019/8/8,0,找张伟 ***-********",
            "",
        ])
    }

    @Test func phoneNumbersNeverAppearInRejects() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        for reject in result.rejects {
            for phone in Self.phones {
                #expect(!reject.record.contains(phone), "\(reject.source): \(reject.record)")
                #expect(!reject.reason.contains(phone), "\(reject.source): \(reject.reason)")
            }
        }
        #expect(result.phones.isSuperset(of: ["13812345678", "01062345678", "13912345678", "13700001111", "13700002222"]))
    }

    @Test func volunteersFromGB18030AndXML() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        #expect(result.volunteers.map(\.id) == ["V001", "V002", "V010"])
        let v1 = result.volunteers[0]
        #expect(v1.name == "王继跃")
        #expect(v1.unit == "党政办")
        #expect(v1.teams == ["小红象志愿服务队", "文明引导队"])
        #expect(v1.role == "联络员")
        #expect(v1.isLiaison)
        #expect(v1.activeFrom == CivilDate(year: 2019, month: 7, day: 1))
        #expect(v1.activeUntil == nil)
        #expect(v1.source == SourceLine(fileIndex: 0, file: "rosters/党政办.csv", line: 2))
        #expect(result.volunteers[1].name == "张伟")
        #expect(result.volunteers[1].isLiaison == false)
        #expect(result.volunteers[1].source.description == "rosters/党政办.csv:3")
        let v10 = result.volunteers[2]
        #expect(v10.name == "赵六")
        #expect(v10.unit == "第一工作站")
        #expect(v10.teams == ["小红象志愿服务队"])
        #expect(v10.submittedAt == ValueParser.instant("2019-08-02T17:00:00+08:00", in: .shanghai))
        #expect(v10.source.description == "rosters/第一工作站.xml:3")
    }

    @Test func activitiesFromCSVAndXML() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        let acts = result.activities
        #expect(acts.map(\.source.description) == ["activities/x.csv:2", "activities/x.csv:4", "activities/y.csv:2", "activities/媒体.xml:3"])
        #expect(acts.map(\.recordID) == ["A1", "A3", nil, "X1"])
        #expect(acts.map(\.volunteerID) == ["V001", "V001", "V001", "V010"])
        #expect(acts.map(\.date.description) == ["2019-08-05", "2019-08-06", "2019-08-07", "2019-08-05"])
        #expect(acts.map(\.seconds) == [9000, 9000, 5400, 7200])
        #expect(acts[0].start == 32_400)
        #expect(acts[0].end == 41_400)
        #expect(acts[0].hours == nil)
        #expect(acts[0].activity == "清洁家园")
        #expect(acts[1].start == nil)
        #expect(acts[1].hours == 9000)
        #expect(acts[1].location == "地铁站, B口")
        #expect(acts[2].activity == "多行\n说明")
        let x1 = acts[3]
        #expect(x1.unit == "第一工作站")
        #expect(x1.team == "小红象志愿服务队")
        #expect(x1.title == "垃圾分类")
        #expect(x1.description == "宣传")
        #expect(x1.submittedAt == ValueParser.instant("2019-08-05T18:00:00+08:00", in: .shanghai))
        let mediaFolder = folder.appendingPathComponent("activities").standardizedFileURL.path
        #expect(x1.media == [MediaRef(kind: .photo, href: "media/p.jpg", baseFolder: mediaFolder)])
    }

    @Test func aWholeFileRejectLeavesTheOtherFilesRead() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        // z.csv line 2 was readable, but nothing of a rejected file is kept.
        #expect(!result.activities.contains { $0.source.file == "activities/z.csv" })
        #expect(result.files[4].fileRejected == "第 3 行开始的引号 (\") 没有结束；检查那一格的引号")
        #expect(result.files[4].read == 0)
        // The files after it were read.
        #expect(result.activities.contains { $0.source.file == "activities/媒体.xml" })
        #expect(result.submissions.count == 3)
    }

    @Test func submissions() throws {
        let (result, folder) = try Self.importSample()
        defer { ImportTestSupport.remove(folder) }
        let s = result.submissions
        #expect(s.map(\.kind) == [.daily, .weekly, .roster])
        #expect(s.map(\.unit) == ["党政办", "党政办", "党政办"])
        #expect(s.map { $0.period?.description } == ["2019-08-05", "2019-08-09", nil])
        #expect(s.map(\.submittedAt) == [
            ValueParser.instant("2019-08-05T15:00:00+08:00", in: .shanghai)!,
            ValueParser.instant("2019-08-09T14:30:00+08:00", in: .shanghai)!,
            ValueParser.instant("2019-08-02T10:00:00+08:00", in: .shanghai)!,
        ])
        #expect(s.map(\.source.description) == ["submissions/s.csv:2", "submissions/s.csv:3", "submissions/s.csv:4"])
    }

    // MARK: Smaller cases

    /// A campaign of the folders `r` (rosters), `a` (activities) and `s` (submissions) holding
    /// `files` (path → text), imported (records of `window`, or of every day).
    static func importFiles(_ files: [String: String], window: ClosedRange<CivilDate>? = nil) throws -> ImportResult {
        let folder = try ImportTestSupport.makeTempFolder("import")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [r]\n  activities: a\n  submissions: s\n", to: "c.yaml", in: folder)
        for (path, text) in files { try ImportTestSupport.write(text, to: path, in: folder) }
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("c.yaml").path)
        return try (window.map { Importer(campaign: campaign, window: $0) } ?? Importer(campaign: campaign)).run()
    }

    @Test("rows whose cells are all white space (tabs, full-width or no-break spaces) are skipped and not counted, in every file kind")
    func whiteSpaceRowsAreBlank() throws {
        let blanks = ["\u{3000},\u{3000},\u{3000}", "\u{A0}, ,\t", "\"\u{3000}\",\"\",\u{A0}"]
        let result = try Self.importFiles([
            "r/r.csv": (["编号,姓名,单位", "V1,王继跃,党政办"] + blanks).joined(separator: "\r\n") + "\r\n",
            "a/a.csv": (["volunteer_id,date,hours"] + blanks + ["V1,2019-08-05,2"]).joined(separator: "\n") + "\n",
            "s/s.csv": (["unit,kind,period,submitted_at"] + blanks).joined(separator: "\n") + "\n",
        ])
        #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
        #expect(result.files.map(\.read) == [1, 1, 0])
        #expect(result.volunteers.count == 1 && result.activities.count == 1)
    }

    @Test("invisible characters around an id, a unit or a value (a copy from a chat or a web page) are trimmed as spaces are, in both readers")
    func invisibleCharactersAreTrimmed() throws {
        let marks = ["\u{200B}", "\u{FEFF}", "\u{200E}", "\u{2060}", "\u{202C}", "\u{2069}"]
        var roster = ["volunteer_id,name,unit"], log = ["volunteer_id,date,hours,unit"]
        for (k, m) in marks.enumerated() {
            roster.append("V\(k)\(m),甲\(k),党政办\(m)")
            log.append("\(m)V\(k),\(m)2019-08-05,2\(m),\(m)党政办")
        }
        // A short log and a long one (whose rows the duplicate check reads again from their bytes).
        let long = log + (0..<20_000).map { "V0,2019-07-0\($0 % 9 + 1),\($0 % 5 + 1),党政办" }
        for lines in [log, long] {
            let result = try Self.importFiles([
                "r/r.csv": roster.joined(separator: "\n") + "\n",
                "a/a.csv": lines.joined(separator: "\r\n") + "\r\n",
                "s/s.csv": "unit,kind,period,submitted_at\n",
            ], window: CivilDate(year: 2019, month: 8, day: 1)!...CivilDate(year: 2019, month: 8, day: 9)!)
            #expect(result.rejects.isEmpty, "\(result.rejects.map(\.reason))")
            #expect(result.volunteers.map(\.id) == marks.indices.map { "V\($0)" })
            #expect(Set(result.volunteers.map(\.unit)) == ["党政办"])
            #expect(result.activities.map(\.volunteerID) == marks.indices.map { "V\($0)" })
            #expect(result.activities.allSatisfy { $0.unit == "党政办" && $0.seconds == 7_200 })
        }
    }

    @Test("a row that repeats the header (two exports pasted together) is rejected as that, not as a bad date or id")
    func headerAgain() throws {
        let result = try Self.importFiles([
            "r/r.csv": "编号,姓名,单位\nV1,王继跃,党政办\n编号,姓名,单位\nvolunteer_id,name,unit\nV2,张伟,党政办\n",
            "a/a.csv": "volunteer_id,date,hours\nV1,2019-08-05,1\n志愿者编号,服务日期,时长\nV2,2019-08-06,1\n",
            "s/s.csv": "unit,kind,period,submitted_at\n",
        ])
        #expect(result.rejects.map(\.source.description) == ["r/r.csv:3", "r/r.csv:4", "a/a.csv:3"])
        #expect(result.rejects.allSatisfy { $0.reason == "这一行是表头的重复（两份导出接在了一起？）；删除这一行" }, "\(result.rejects.map(\.reason))")
        #expect(result.volunteers.map(\.id) == ["V1", "V2"] && result.activities.count == 2)
    }

    @Test("an XML child is named as its attribute would be: <submitted-at>, <record-id>")
    func xmlChildrenNamedAsAttributes() throws {
        let result = try Self.importFiles([
            "r/r.csv": "编号,姓名,单位\nV1,王继跃,党政办\n",
            "a/a.xml": """
        <activities><activity volunteer="V1" date="2019-08-05" hours="2"><record-id>A7</record-id><submitted-at>2019-08-05 16:00</submitted-at></activity>
        <activity date="2019-08-05" hours="2"><volunteer>V1</volunteer><volunteer>V2</volunteer></activity>
        <activity id="A9" date="2019-08-06" hours="1"><volunteer>V1</volunteer><volunteer>V1</volunteer></activity></activities>
        """,
            "s/s.xml": """
        <submissions><submission unit="党政办" kind="daily" period="2019-08-05"><submitted-at>2019-08-05 15:00</submitted-at></submission></submissions>
        """,
        ], window: CivilDate(year: 2019, month: 8, day: 1)!...CivilDate(year: 2019, month: 8, day: 9)!)
        // Two <volunteer> children that differ: rejected, not the first one taken.
        #expect(result.rejects.map(\.source.description) == ["a/a.xml:2"])
        #expect(result.rejects.first?.reason == "<volunteer> 出现两次，值不同（“V1”与“V2”）；一条记录只写一个")
        #expect(result.submissions.map(\.submittedAt) == [ValueParser.instant("2019-08-05T15:00:00+08:00", in: .shanghai)!])
        #expect(result.activities.map(\.recordID) == ["A7", "A9"])
        #expect(result.activities.first?.submittedAt == ValueParser.instant("2019-08-05T16:00:00+08:00", in: .shanghai)!)
    }

    @Test("two XML attributes that name one column with different values reject the record; a prefixed attribute is no column; an empty one gives nothing")
    func xmlAttributesOfOneColumn() throws {
        let window = CivilDate(year: 2019, month: 8, day: 1)!...CivilDate(year: 2019, month: 8, day: 9)!
        for window in [window, nil] as [ClosedRange<CivilDate>?] {
            let result = try Self.importFiles([
                "r/r.xml": """
            <roster unit="党政办" xmlns:x="urn:x"><volunteer id="V1" name="王继跃" liaison="是" x:liaison="否" x:unit="文明办"/>
            <volunteer id="V2" name="甲" unit="党政办" volunteer_id="V2"/></roster>
            """,
                "a/a.xml": """
            <activities xmlns:b="urn:b">
            <activity volunteer="人5" volunteer_id="V1" date="2019-08-05" hours="1"/>
            <activity volunteer="V1" volunteer-id="V1" date="2019-08-05" start="9:00" end="10:00" b:end="20:00"/>
            <activity volunteer="V1" date="2019-08-05" b:date="2019-08-20" hours="2" b:volunteer="V2"/>
            <activity volunteer="V1" date="2019-08-06" hours=" "><hours>3</hours></activity>
            <activity volunteer="V1" date="2019-08-07" hours="1" hours_x=""/>
            <activity volunteer="V2" date="2019-08-07" start="9:00" end="" End="10:00"><end>11:00</end></activity>
            <activity volunteer="V2" date="2019-08-08" hours="1" team=" "><team>红队</team></activity>
            <activity volunteer="V2" date="2019-08-08" hours="2"><team>红队</team><team>绿队</team></activity>
            <activity volunteer="V2" date="2019-08-09" hours="3"><team></team><team>绿队</team></activity>
            <activity xmlns:hours="urn:h" volunteer="V2" date="2019-08-09" hours="1"/>
            </activities>
            """,
                "s/s.csv": "unit,kind,period,submitted_at\n",
            ], window: window)
            // The name and the id of a volunteer in two attributes: rejected, naming both.
            #expect(result.rejects.map(\.source.description) == ["a/a.xml:2", "a/a.xml:9"], "\(result.rejects.map(\.reason))")
            #expect(result.rejects.first?.reason == "属性 volunteer, volunteer_id 指同一列，值不同（“人5”与“V1”）；一条记录只写其中一个")
            #expect(result.rejects.last?.reason == "<team> 出现两次，值不同（“红队”与“绿队”）；一条记录只写一个")
            #expect(result.files.map(\.read) == [2, 10, 0] && result.files.map(\.rejected) == [0, 2, 0])
            guard window != nil else { continue }
            // b:end, b:date, b:volunteer are another vocabulary's; an empty hours or team gives way to its child.
            // A namespace declared with a column's name as its prefix names no column.
            #expect(result.activities.map(\.volunteerID) == ["V1", "V1", "V1", "V1", "V2", "V2", "V2", "V2"])
            #expect(result.activities.map(\.seconds) == [3_600, 7_200, 10_800, 3_600, 7_200, 3_600, 10_800, 3_600])
            #expect(result.activities.suffix(3).map(\.team) == ["红队", "绿队", nil])
            #expect(result.volunteers.map(\.isLiaison) == [true, false] && result.volunteers.map(\.unit) == ["党政办", "党政办"])
        }
    }

    @Test("a roster's or a station's period is ignored, whatever it holds; a bulletin's must be a date")
    func periodOfARosterIsIgnored() throws {
        let result = try Self.importFiles([
            "r/r.csv": "编号,姓名,单位\nV1,王继跃,党政办\n",
            "a/a.csv": "volunteer_id,date,hours\n",
            "s/s.csv": """
        unit,kind,period,submitted_at
        党政办,名单,见附件,2019-08-02 10:00
        党政办,station,2019-13-01,2019-08-02 10:00
        党政办,简报,见附件,2019-08-05 15:00
        """,
        ])
        #expect(result.submissions.map(\.kind) == [.roster, .station])
        #expect(result.submissions.allSatisfy { $0.period == nil })
        #expect(result.rejects.map(\.source.description) == ["s/s.csv:4"])
        #expect(result.rejects.first?.reason.contains("日期(period) '见附件' 不是有效日期") == true)
    }

    /// A campaign folder with one roster file (`body`) and an empty activity folder.
    static func importRoster(_ body: [UInt8], name: String = "r.csv") throws -> (ImportResult, URL) {
        let folder = try ImportTestSupport.makeTempFolder("roster")
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [rosters]\n  activities: acts\n", to: "c.yaml", in: folder)
        try ImportTestSupport.write(body, to: "rosters/\(name)", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("acts"), withIntermediateDirectories: true)
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("c.yaml").path)
        return (try Importer(campaign: campaign).run(), folder)
    }

    @Test func raggedRowWithALandlineInTheShiftedPhoneColumn() throws {
        // The unit cell holds an unquoted comma, so the phone lands one column to the right.
        let (result, folder) = try Self.importRoster(Array("编号,姓名,单位,电话\nV5,王五,党政办,分队,010-62345678\n".utf8))
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.source.description) == ["rosters/r.csv:2"])
        #expect(result.rejects.first?.reason == "这一行有 5 列，表头有 4 列；检查多余或缺少的逗号")
        let record = try #require(result.rejects.first?.record)
        #expect(!record.contains("62345678"), "phone number in rejects.csv: \(record)")
    }

    @Test func raggedRowWithTooFewCells() throws {
        let (result, folder) = try Self.importRoster(Array("编号,姓名,单位,电话\r\nV5,王五\r\nV6,赵六,党政办,13812345678\r\n".utf8))
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.source.description) == ["rosters/r.csv:2"])
        #expect(result.rejects.first?.reason == "这一行有 2 列，表头有 4 列；检查多余或缺少的逗号")
        #expect(result.rejects.first?.record == "V5,王五")
        #expect(result.volunteers.map(\.id) == ["V6"])
        #expect(result.volunteers.first?.source.line == 3)
    }

    @Test func textAfterAQuoteRejectsTheRowOnly() throws {
        let (result, folder) = try Self.importRoster(Array("编号,姓名,单位\nV1,\"王\"五,党政办\nV2,张三,党政办\n".utf8))
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.source.description) == ["rosters/r.csv:2"])
        #expect(result.rejects.first?.reason == "第 2 列：引号结束后还有文字；整格用引号括起，格内引号写成两个 (\"\")")
        #expect(result.volunteers.map(\.id) == ["V2"])
    }

    @Test func blankLinesAndSepHintKeepPhysicalLines() throws {
        let (result, folder) = try Self.importRoster(Array("sep=,\r\n\r\n编号,姓名,单位\r\n\r\nV1,王五,党政办\r\n,,\r\nV2,,党政办\r\n".utf8))
        defer { ImportTestSupport.remove(folder) }
        #expect(result.volunteers.map(\.source.line) == [5])
        #expect(result.rejects.map(\.source.description) == ["rosters/r.csv:7"])
        #expect(result.rejects.first?.reason == "缺少姓名(name)")
        #expect(result.files.first?.read == 2)
    }

    @Test("whole-file rejects name file, line and reason", arguments: [
        ("编号,姓名,单位,姓名\nV1,a,b,c\n", "rosters/r.csv:1",
         "整个文件未读入（第 4 列）：表头“姓名”出现两次（第 2 列和第 4 列）；改名或删除其中一列"),
        ("\n编号,,姓名,单位\n", "rosters/r.csv:2",
         "整个文件未读入（第 2 列）：表头第 2 格是空的；给每一列起名，或删除空列"),
        ("编号,姓名\nV1,a\n", "rosters/r.csv:1",
         "整个文件未读入：缺少列 'unit' (单位, 所属单位)；这是花名册文件吗？"),
        ("", "rosters/r.csv:1",
         "整个文件未读入：文件是空的：没有表头行（volunteer_id、name、unit …）"),
        ("sep=;\n编号;姓名;单位\n", "rosters/r.csv:1",
         "整个文件未读入：第一行 'sep=;' 指定了其他分隔符；fivehours 只读逗号分隔的文件：请另存为 CSV（逗号分隔）"),
        // A workbook named .csv (an .xlsx is a zip; an .xls an OLE2 file).
        ("PK\u{3}\u{4}\u{14}\u{0}\u{6}\u{0}[Content_Types].xml", "rosters/r.csv:1",
         "整个文件未读入：这是电子表格工作簿（Excel 的 .xlsx、.xls 或 WPS 的 .et），不是 CSV：请打开后另存为“CSV UTF-8”（或 CSV）"),
    ])
    func wholeFileRejects(_ body: String, source: String, reason: String) throws {
        let (result, folder) = try Self.importRoster(Array(body.utf8))
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.source.description == source)
        #expect(result.rejects.first?.reason == reason)
        #expect(result.rejects.first?.wholeFile == true)
        #expect(result.rejects.first?.record == "")
        #expect(result.volunteers.isEmpty)
        #expect(result.files.count == 1)
        #expect(result.files.first?.fileRejected != nil)
    }

    @Test("an old Excel workbook (.xls, OLE2) named .csv is said to be a workbook")
    func oldWorkbook() throws {
        let (result, folder) = try Self.importRoster([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x00, 0x00, 0x3E, 0x00])
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.reason) == ["整个文件未读入：这是电子表格工作簿（Excel 的 .xlsx、.xls 或 WPS 的 .et），不是 CSV：请打开后另存为“CSV UTF-8”（或 CSV）"])
    }

    @Test func bytesThatAreNeitherUTF8NorGB18030RejectTheFile() throws {
        let (result, folder) = try Self.importRoster(Array("编号,姓名,单位\nV1,".utf8) + [0xFF, 0xFF] + Array(",党政办\n".utf8))
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.source.description) == ["rosters/r.csv:2"])
        #expect(result.rejects.first?.reason == "整个文件未读入：第 24 字节处既不是 UTF-8 也不是 GB18030；请把文件另存为“CSV UTF-8”")
        #expect(result.files.first?.format == "?")
        #expect(result.files.first?.byteCount == 37)
        #expect(result.files.first?.sha256.count == 64)
    }

    @Test func hostileXMLRejectsTheFileAndLeaksNothing() throws {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE roster [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<roster unit=\"党政办\"><volunteer id=\"1\" name=\"&xxe;\"/></roster>\n"
        let (result, folder) = try Self.importRoster(Array(xml.utf8), name: "r.xml")
        defer { ImportTestSupport.remove(folder) }
        #expect(result.volunteers.isEmpty)
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.wholeFile == true)
        #expect(result.rejects.first?.reason.hasPrefix("整个文件未读入") == true)
        #expect(result.rejects.first?.reason.contains("root:") == false)
    }

    @Test func xmlWithTheWrongRecordsIsRejected() throws {
        let xml = "<activities>\n<activity id=\"1\" volunteer=\"V\" date=\"2019-08-05\" hours=\"1\"/>\n</activities>\n"
        let (result, folder) = try Self.importRoster(Array(xml.utf8), name: "r.xml")
        defer { ImportTestSupport.remove(folder) }
        #expect(result.rejects.map(\.source.description) == ["rosters/r.xml:2"])
        #expect(result.rejects.first?.reason == "整个文件未读入：XML：花名册文件应为 <volunteer> 元素，却是 <activity>")
    }

    @Test func aMissingInputPathStopsTheRun() throws {
        let folder = try ImportTestSupport.makeTempFolder("missing")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [nowhere]\n", to: "c.yaml", in: folder)
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("c.yaml").path)
        let error = #expect(throws: InputOpenError.self) { try Importer(campaign: campaign).run() }
        let missing = folder.appendingPathComponent("nowhere").standardizedFileURL.path
        #expect(error?.description == "\(missing): cannot open: no such file or folder (check inputs: in the campaign file)")
    }

    @Test func foldersAreReadRecursivelyInByteOrder() throws {
        let folder = try ImportTestSupport.makeTempFolder("order")
        defer { ImportTestSupport.remove(folder) }
        for name in ["a.csv", "B.csv", "sub/c.csv", "Z.XML", "x.txt", "sub/deeper/名单.csv", "sub/deeper/d.xml", "e.csv.bak", "aa.csv"] {
            try ImportTestSupport.write("x", to: "in/\(name)", in: folder)
        }
        let files = try Importer.files(in: [folder.appendingPathComponent("in").path])
        let prefix = folder.appendingPathComponent("in").path + "/"
        #expect(files.map { String($0.dropFirst(prefix.count)) } == [
            "B.csv", "Z.XML", "a.csv", "aa.csv", "sub/c.csv", "sub/deeper/d.xml", "sub/deeper/名单.csv",
        ])
    }

    @Test func filesOfSeveralFoldersAreMergedIntoOneOrder() throws {
        let folder = try ImportTestSupport.makeTempFolder("merge")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("x", to: "b/1.csv", in: folder)
        try ImportTestSupport.write("x", to: "a/2.csv", in: folder)
        let single = try ImportTestSupport.write("x", to: "a.csv", in: folder)
        let files = try Importer.files(in: [folder.appendingPathComponent("b").path, folder.appendingPathComponent("a").path, single.path])
        let prefix = folder.path + "/"
        #expect(files.map { String($0.dropFirst(prefix.count)) } == ["a.csv", "a/2.csv", "b/1.csv"])
    }
}
