import Testing
@testable import FiveHours

/// Header rows (§3): English keys or Chinese aliases, any order, case- and space-insensitive.
@Suite("HeaderMap")
struct HeaderMapTests {
    @Test func rosterChineseAliases() throws {
        let cells = ["志愿者编号", "姓名", "所属单位", "志愿服务队", "职务", "是否联络员", "联系电话",
                     "网格", "楼栋", "楼层", "入队日期", "离队日期", "报送时间"]
        let map = try HeaderMap(cells: cells, kind: .roster, line: 1)
        #expect(map.index == [
            "volunteer_id": 0, "name": 1, "unit": 2, "teams": 3, "role": 4, "liaison": 5, "phone": 6,
            "grid": 7, "building": 8, "floor": 9, "active_from": 10, "active_until": 11, "submitted_at": 12,
        ])
        #expect(map.unknown.isEmpty)
    }

    @Test("every alias of the roster's required columns", arguments: [
        (["编号", "姓名", "单位"]), (["志愿者编号", "姓名", "所属单位"]), (["volunteer_id", "name", "unit"]),
        (["单位", "编号", "姓名"]),
    ])
    func rosterRequiredAliases(_ cells: [String]) throws {
        let map = try HeaderMap(cells: cells, kind: .roster, line: 1)
        #expect(Set(map.index.keys) == ["volunteer_id", "name", "unit"])
        #expect(map.index["volunteer_id"] == cells.firstIndex { $0.contains("编号") || $0 == "volunteer_id" })
    }

    @Test("phone aliases", arguments: ["phone", "电话", "联系电话", "手机", "PHONE", " 手机 ", "手机号", "手机号码", "电话号码", "联系方式", "移动电话"])
    func phoneAliases(_ phone: String) throws {
        let map = try HeaderMap(cells: ["编号", "姓名", "单位", phone], kind: .roster, line: 1)
        #expect(map.index["phone"] == 3)
    }

    @Test func caseAndSpaceInsensitive() throws {
        let cells = [" Volunteer_ID ", "NAME", "Unit\t", "\u{3000}Teams", "姓 名 x", "\u{FEFF}Role"]
        let map = try HeaderMap(cells: cells, kind: .roster, line: 1)
        #expect(map.index["volunteer_id"] == 0)
        #expect(map.index["name"] == 1)
        #expect(map.index["unit"] == 2)
        #expect(map.index["teams"] == 3)
        #expect(map.index["role"] == 5)
        #expect(map.unknown == ["姓 名 x"])
    }

    @Test("full-width and half-width parentheses and letters", arguments: [
        "服务时长（小时）", "服务时长(小时)", "服务时长 (小时)", "服务时长（ 小时 ）", "ＨＯＵＲＳ", "时长", "服务时长", "Hours",
    ])
    func hoursAliases(_ header: String) throws {
        let map = try HeaderMap(cells: ["编号", "日期", header], kind: .activity, line: 1)
        #expect(map.index["hours"] == 2)
        #expect(map.unknown.isEmpty)
    }

    @Test func activityAliases() throws {
        let cells = ["记录编号", "志愿者编号", "服务日期", "开始时间", "结束时间", "服务队", "活动名称", "服务类别",
                     "地点", "附件", "报送单位", "报送时间"]
        let map = try HeaderMap(cells: cells, kind: .activity, line: 1)
        #expect(map.index == [
            "record_id": 0, "volunteer_id": 1, "date": 2, "start": 3, "end": 4, "team": 5, "activity": 6,
            "category": 7, "location": 8, "media": 9, "unit": 10, "submitted_at": 11,
        ])
    }

    @Test func submissionAliases() throws {
        let map = try HeaderMap(cells: ["报送单位", "类型", "周期", "报送时间", "标题", "总结", "下周计划"], kind: .submission, line: 1)
        #expect(map.index == ["unit": 0, "kind": 1, "period": 2, "submitted_at": 3, "title": 4, "summary": 5, "plan": 6])
    }

    @Test func unknownColumnsAreListedInOrder() throws {
        let map = try HeaderMap(cells: ["编号", "备注", "姓名", " Remark ", "单位", "身份证号"], kind: .roster, line: 1)
        #expect(map.unknown == ["备注", "Remark", "身份证号"])
        #expect(map.index == ["volunteer_id": 0, "name": 2, "unit": 4])
    }

    @Test func duplicateHeaderNamesTheColumns() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["编号", "姓名", "单位", " 姓名 "], kind: .roster, line: 1)
        }
        #expect(error == UnreadableFile(line: 1, column: 4, reason: "header '姓名' appears twice (columns 2 and 4); rename or delete one"))
    }

    @Test func duplicateAfterNormalisation() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["编号", "备注", "姓名", "单位", "备 注"], kind: .roster, line: 2)
        }
        #expect(error == UnreadableFile(line: 2, column: 5, reason: "header '备 注' appears twice (columns 2 and 5); rename or delete one"))
    }

    @Test func twoAliasesOfOneKey() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["编号", "志愿者编号", "姓名", "单位"], kind: .roster, line: 1)
        }
        #expect(error == UnreadableFile(line: 1, column: 2, reason: "columns 1 '编号' and 2 '志愿者编号' both mean 'volunteer_id'; keep one"))
    }

    @Test("a landline and a mobile column both mean phone, as do two columns headed 手机: all are kept; any other header twice is a reject")
    func severalPhoneColumns() throws {
        let map = try HeaderMap(cells: ["编号", "电话", "姓名", "单位", "手机", "联系电话"], kind: .roster, line: 1)
        #expect(map.columns("phone") == [1, 4, 5])
        #expect(map.index["phone"] == 1 && map.unknown.isEmpty)
        #expect(map.columns("grid") == [] && map.columns("name") == [2])
        let twice = try HeaderMap(cells: ["编号", "手机", "姓名", "单位", "手机"], kind: .roster, line: 1)
        #expect(twice.columns("phone") == [1, 4])
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["编号", "网格", "姓名", "单位", "网格"], kind: .roster, line: 1)
        }
        #expect(error == UnreadableFile(line: 1, column: 5, reason: "header '网格' appears twice (columns 2 and 5); rename or delete one"))
    }

    @Test("a blank header cell", arguments: ["", " ", "\u{3000}"])
    func blankHeaderCell(_ blank: String) throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["编号", blank, "姓名", "单位"], kind: .roster, line: 1)
        }
        #expect(error == UnreadableFile(line: 1, column: 2, reason: "header cell 2 is blank; give every column a name or delete the empty column"))
    }

    @Test func missingRequiredColumnNamesKeyAndAliases() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["编号", "姓名", "电话"], kind: .roster, line: 2)
        }
        #expect(error == UnreadableFile(line: 2, reason: "missing column 'unit' (单位, 所属单位); is this a 花名册 (roster) file?"))
    }

    @Test func severalMissingColumns() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["姓名"], kind: .roster, line: 1)
        }
        #expect(error?.reason == "missing column 'volunteer_id' (志愿者编号, 编号), 'unit' (单位, 所属单位); is this a 花名册 (roster) file?")
    }

    @Test("a header that is not one says what it most likely is: tabs, semicolons, full-width commas, a title above it", arguments: [
        (["编号\t姓名\t单位"], "表头用制表符分隔：请另存为 CSV（逗号分隔）"),
        (["编号;姓名;单位"], "表头用分号分隔：请另存为 CSV（逗号分隔）"),
        (["编号，姓名，单位"], "表头用全角逗号（，）分隔：请改用半角逗号 (,)"),
        (["2019年8月志愿者名单"], "若第一行是标题，请删除：表头必须是第一行"),
        (["2019年8月志愿者名单", "", "", ""], "第 1 行像是标题（“2019年8月志愿者名单”），不是表头；表头必须是第一行，请删除表头上面的行"),
    ])
    func notAHeader(_ cells: [String], _ said: String) throws {
        let error = #expect(throws: UnreadableFile.self) { try HeaderMap(cells: cells, kind: .roster, line: 1) }
        #expect(error?.chinese.contains(said) == true, "\(error?.chinese ?? "")")
    }

    @Test func submissionMissingColumns() throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: ["单位", "类型"], kind: .submission, line: 1)
        }
        #expect(error?.reason == "missing column 'period' (日期, 周期), 'submitted_at' (报送时间); is this a 报送记录 (submission) file?")
    }

    @Test("an activity needs hours or both start and end", arguments: [
        ["编号", "日期"], ["编号", "日期", "开始时间"], ["编号", "日期", "结束时间"],
    ])
    func activityWithoutTime(_ cells: [String]) throws {
        let error = #expect(throws: UnreadableFile.self) {
            try HeaderMap(cells: cells, kind: .activity, line: 1)
        }
        #expect(error == UnreadableFile(line: 1, reason: "missing column 'hours' (时长, 服务时长) or both 'start' and 'end' (开始时间, 结束时间)"))
    }

    @Test func activityWithStartAndEndOnly() throws {
        let map = try HeaderMap(cells: ["编号", "日期", "开始时间", "结束时间"], kind: .activity, line: 1)
        #expect(map.index == ["volunteer_id": 0, "date": 1, "start": 2, "end": 3])
    }

    @Test("header normalisation", arguments: [
        (" Volunteer_ID ", "volunteer_id"), ("服务时长（小时）", "服务时长(小时)"), ("姓\u{3000}名", "姓名"),
        ("\u{FEFF}编号", "编号"), ("ＡＢＣ", "abc"),
        // A header Excel wrapped in its cell (Alt+Enter), or pasted with invisible spaces.
        ("志愿者\n编号", "志愿者编号"), ("志愿者\r\n编号", "志愿者编号"), ("志愿者\u{A0}编号", "志愿者编号"), ("志愿者\t编号", "志愿者编号"),
        ("\u{200B}志愿者编号", "志愿者编号"), ("志愿者\u{200B}编号\u{2060}", "志愿者编号"),
    ])
    func normalize(_ raw: String, expected: String) {
        #expect(HeaderName.normalize(raw) == expected)
    }
}
