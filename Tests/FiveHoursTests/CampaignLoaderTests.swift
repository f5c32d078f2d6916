import Foundation
import Testing
@testable import FiveHours

/// The campaign file (§2): a full file, and every mistake named with file, line and key path.
@Suite("CampaignLoader")
struct CampaignLoaderTests {
    /// The contract's §2 example, verbatim.
    static let example = """
    campaign:
      name: 人人都是志愿者 每周奉献五小时
      organizer: IT产业园社区服务中心
      timezone: Asia/Shanghai
    rules:
      weekly_hours: 5                  # the five-hour requirement, in hours
      week_ends_on: friday             # a week is the 7 calendar days ending on this weekday
      daily_bulletin_due: "15:30"      # each unit's daily bulletin, same day
      daily_bulletin_days: [mon, tue, wed, thu, fri, sat, sun]
      weekly_summary_due: "15:00"      # each unit's weekly summary, on the week's last day
      roster_due: 2019-08-02           # a date = the end of that day; or a full ISO 8601 instant
      liaisons_per_unit: 1
      max_daily_hours: 12              # time above this per volunteer per day is not counted (finding)
    units:                             # every unit that the rules hold to account
      - { name: 党政办, kind: department }
      - { name: 第一工作站, kind: workstation }
    teams:
      - { name: 小红象志愿服务队, focus: true, leads: [综治办, 安监办] }
    inputs:                            # files or folders (every .csv and .xml inside, sorted by path)
      rosters: [rosters]
      activities: [activities]
      submissions: [submissions]
    output:
      dir: reports
      language: zh-CN                  # zh-CN (default) or en
    """

    static let path = "/srv/campaign/campaign.yaml"

    /// Parses `text` and returns the error's description, or nil when it parsed.
    static func failure(_ text: String, path: String = path) -> String? {
        do {
            _ = try CampaignLoader.parse(text, path: path)
            return nil
        } catch {
            return error.description
        }
    }

    /// The example with one line replaced.
    static func example(replacing old: String, with new: String) -> String {
        precondition(example.contains(old), "the example has no '\(old)'")
        return example.replacingOccurrences(of: old, with: new)
    }

    @Test("a campaign file named through a symbolic link reads its paths from the file's own folder, not the link's")
    func throughALink() throws {
        let folder = try ImportTestSupport.makeTempFolder("link")
        defer { ImportTestSupport.remove(folder) }
        try ImportTestSupport.write("campaign:\n  name: t\ninputs:\n  rosters: [rosters]\n  activities: [activities]\n", to: "camp/campaign.yaml", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let link = folder.appendingPathComponent("etc/campaign.yaml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../camp/campaign.yaml")
        let c = try CampaignLoader.load(path: link)
        #expect(c.inputs.rosters == [folder.appendingPathComponent("camp/rosters").standardizedFileURL.path], "\(c.inputs.rosters)")
    }

    @Test("a device, or a file of megabytes, named as the campaign file is refused before it is read")
    func notACampaignFile() throws {
        #expect { _ = try CampaignLoader.load(path: "/dev/zero") } throws: { e in
            (e as? CampaignError)?.description.contains("not a regular file but a character device") == true
        }
        let folder = try ImportTestSupport.makeTempFolder("campaign")
        defer { ImportTestSupport.remove(folder) }
        let big = try ImportTestSupport.write(String(repeating: "a", count: 2 << 20), to: "c.yaml", in: folder)
        #expect { _ = try CampaignLoader.load(path: big.path) } throws: { e in
            (e as? CampaignError)?.description.contains("a campaign file is a few kilobytes (at most 1 MB)") == true
        }
    }

    @Test func theContractsExample() throws {
        let c = try CampaignLoader.parse(Self.example, path: Self.path)
        #expect(c.name == "人人都是志愿者 每周奉献五小时")
        #expect(c.organizer == "IT产业园社区服务中心")
        #expect(c.zone == .shanghai)
        #expect(c.zone.identifier == "Asia/Shanghai")
        #expect(c.startDate == nil)
        #expect(c.rules.weeklySeconds == 18_000)
        #expect(c.rules.weekEndsOn == .friday)
        #expect(c.rules.dailyBulletinDue == 15 * 3600 + 30 * 60)
        #expect(c.rules.dailyBulletinDays == Weekday.allCases)
        #expect(c.rules.weeklySummaryDue == 15 * 3600)
        #expect(c.rules.rosterDue == 1_564_761_599)
        #expect(c.rules.liaisonsPerUnit == 1)
        #expect(c.rules.maxDailySeconds == 12 * 3600)
        #expect(c.units == [UnitSpec(name: "党政办", kind: .department), UnitSpec(name: "第一工作站", kind: .workstation)])
        #expect(c.teams == [TeamSpec(name: "小红象志愿服务队", focus: true, leads: ["综治办", "安监办"])])
        #expect(c.inputs.rosters == ["/srv/campaign/rosters"])
        #expect(c.inputs.activities == ["/srv/campaign/activities"])
        #expect(c.inputs.submissions == ["/srv/campaign/submissions"])
        #expect(c.output.dir == "/srv/campaign/reports")
        #expect(c.output.language == .zhCN)
        #expect(c.output.templates == nil)
        #expect(c.path == "/srv/campaign/campaign.yaml")
    }

    @Test func rosterDueDateIsTheEndOfThatDay() throws {
        let c = try CampaignLoader.parse(Self.example, path: Self.path)
        let due = try #require(c.rules.rosterDue)
        #expect(c.zone.iso8601(due) == "2019-08-02T23:59:59+08:00")
        #expect(due == ValueParser.instant("2019-08-02T23:59:59+08:00", in: .shanghai))
        #expect(c.zone.date(of: due) == CivilDate(year: 2019, month: 8, day: 2))
        #expect(c.zone.date(of: due + 1) == CivilDate(year: 2019, month: 8, day: 3))
    }

    @Test("roster_due as an instant or another date spelling", arguments: [
        ("2019-08-02T18:00:00+08:00", "2019-08-02T18:00:00+08:00"),
        ("\"2019-08-02 18:00\"", "2019-08-02T18:00:00+08:00"),
        ("2019-08-02T10:00:00Z", "2019-08-02T18:00:00+08:00"),
        ("2019/8/2", "2019-08-02T23:59:59+08:00"),
        ("2019年8月2日", "2019-08-02T23:59:59+08:00"),
    ])
    func rosterDueSpellings(_ yaml: String, iso: String) throws {
        let text = Self.example(replacing: "roster_due: 2019-08-02 ", with: "roster_due: \(yaml) ")
        let c = try CampaignLoader.parse(text, path: Self.path)
        #expect(c.rules.rosterDue.map(c.zone.iso8601) == iso)
    }

    @Test func minimalFileTakesTheDefaults() throws {
        let c = try CampaignLoader.parse("""
        campaign:
          name: x
        inputs:
          rosters: r.csv
        """, path: "/a/b/c.yaml")
        #expect(c.organizer == "")
        #expect(c.zone == .shanghai)
        #expect(c.rules.weeklySeconds == 18_000)
        #expect(c.rules.weekEndsOn == .friday)
        #expect(c.rules.dailyBulletinDue == 55_800)
        #expect(c.rules.weeklySummaryDue == 54_000)
        #expect(c.rules.rosterDue == nil)
        #expect(c.rules.maxDailySeconds == 43_200)
        #expect(c.inputs.rosters == ["/a/b/r.csv"])
        #expect(c.inputs.activities == [])
        #expect(c.output.dir == "/a/b/reports")
        #expect(c.output.language == .zhCN)
    }

    @Test func relativePathsResolveAgainstTheFilesFolder() throws {
        let c = try CampaignLoader.parse("""
        campaign:
          name: x
        inputs:
          rosters: [rosters, ../shared/名册.csv, ./a/./b/]
          activities: /abs/acts
          submissions: [sub/../submissions]
        output:
          dir: ../out
          templates: tpl
        """, path: "/data/2019/campaign.yaml")
        #expect(c.inputs.rosters == ["/data/2019/rosters", "/data/shared/名册.csv", "/data/2019/a/b"])
        #expect(c.inputs.activities == ["/abs/acts"])
        #expect(c.inputs.submissions == ["/data/2019/submissions"])
        #expect(c.output.dir == "/data/out")
        #expect(c.output.templates == "/data/2019/tpl")
    }

    @Test func otherSpellings() throws {
        let c = try CampaignLoader.parse("""
        campaign:
          name: x
          timezone: UTC
          start_date: 2019/7/29
        rules:
          weekly_hours: 2.5
          week_ends_on: 周日
          daily_bulletin_due: 15:30
          daily_bulletin_days: [fri, Mon, monday, 星期三]
          max_daily_hours: "8:30"
          liaisons_per_unit: 2
        units:
          - { name: 一站, kind: 工作站 }
          - { name: 其他单位, kind: other }
          - name: 默认科室
        teams:
          - { name: 队, leads: 党政办 }
        inputs:
          rosters: []
        output:
          language: EN
        """, path: "/c.yaml")
        #expect(c.zone.identifier == "UTC")
        #expect(c.startDate == CivilDate(year: 2019, month: 7, day: 29))
        #expect(c.rules.weeklySeconds == 9000)
        #expect(c.rules.weekEndsOn == .sunday)
        #expect(c.rules.dailyBulletinDue == 55_800)
        #expect(c.rules.dailyBulletinDays == [.monday, .wednesday, .friday])
        #expect(c.rules.maxDailySeconds == 30_600)
        #expect(c.rules.liaisonsPerUnit == 2)
        #expect(c.units.map(\.kind) == [.workstation, .other, .department])
        #expect(c.teams == [TeamSpec(name: "队", focus: false, leads: ["党政办"])])
        #expect(c.inputs.rosters == [])
        #expect(c.output.language == .en)
    }

    // MARK: Errors, verbatim

    @Test func unknownTopLevelKey() {
        let text = Self.example + "\nreport:\n  title: x\n"
        #expect(Self.failure(text) == "campaign.yaml:26: report: unknown key 'report'; expected one of campaign, rules, units, teams, inputs, output, assessment")
    }

    @Test func unknownNestedKey() {
        let text = Self.example(replacing: "weekly_hours: 5 ", with: "weekly_hourz: 5 ")
        #expect(Self.failure(text) == "campaign.yaml:6: rules.weekly_hourz: unknown key 'weekly_hourz'; expected one of weekly_hours, week_ends_on, daily_bulletin_due, daily_bulletin_days, weekly_summary_due, roster_due, liaisons_per_unit, max_daily_hours, review_daily_hours, station_due")
    }

    @Test func unknownKeyInAUnit() {
        let text = Self.example(replacing: "{ name: 第一工作站, kind: workstation }", with: "{ name: 第一工作站, type: workstation }")
        #expect(Self.failure(text) == "campaign.yaml:16: units[1].type: unknown key 'type'; expected one of name, kind, station_ready")
    }

    @Test func badTimezone() {
        let text = Self.example(replacing: "timezone: Asia/Shanghai", with: "timezone: Asia/Beijing")
        #expect(Self.failure(text) == "campaign.yaml:4: campaign.timezone: unknown time zone 'Asia/Beijing'; use an IANA name such as Asia/Shanghai")
    }

    @Test func badWeekday() {
        let text = Self.example(replacing: "week_ends_on: friday ", with: "week_ends_on: fryday ")
        #expect(Self.failure(text) == "campaign.yaml:7: rules.week_ends_on: expected a weekday (mon … sun, or monday … sunday), found 'fryday'")
    }

    @Test func badWeekdayInAList() {
        let text = Self.example(replacing: "[mon, tue, wed, thu, fri, sat, sun]", with: "[mon, tue, wed, thu, fri, sat, sunday2]")
        #expect(Self.failure(text) == "campaign.yaml:9: rules.daily_bulletin_days[6]: expected a weekday (mon … sun, or monday … sunday), found 'sunday2'")
    }

    @Test func badWeeklyHours() {
        let text = Self.example(replacing: "weekly_hours: 5 ", with: "weekly_hours: five ")
        #expect(Self.failure(text) == "campaign.yaml:6: rules.weekly_hours: expected a positive number of hours such as 5 or 2.5, found 'five'")
    }

    @Test func badTime() {
        let text = Self.example(replacing: "daily_bulletin_due: \"15:30\"", with: "daily_bulletin_due: \"25:30\"")
        #expect(Self.failure(text) == "campaign.yaml:8: rules.daily_bulletin_due: expected a time of day such as \"15:30\", found '25:30'")
    }

    @Test func badRosterDue() {
        let text = Self.example(replacing: "roster_due: 2019-08-02 ", with: "roster_due: 2019-02-30 ")
        #expect(Self.failure(text) == "campaign.yaml:11: rules.roster_due: expected a date such as 2019-08-02 or an instant such as 2019-08-02T18:00:00+08:00, found '2019-02-30'")
    }

    @Test func badUnitKind() {
        let text = Self.example(replacing: "kind: workstation", with: "kind: station")
        #expect(Self.failure(text) == "campaign.yaml:16: units[1].kind: expected department (科室), workstation (工作站) or other (其他), found 'station'")
    }

    @Test func unitListedTwice() {
        let text = Self.example(replacing: "{ name: 第一工作站, kind: workstation }", with: "{ name: 党政办, kind: workstation }")
        #expect(Self.failure(text) == "campaign.yaml:16: units[1].name: unit '党政办' is listed twice")
    }

    @Test func badLanguage() {
        let text = Self.example(replacing: "language: zh-CN", with: "language: fr")
        #expect(Self.failure(text) == "campaign.yaml:25: output.language: expected 'zh-CN' or 'en', found 'fr'")
    }

    @Test func maxDailyHoursAboveADay() {
        let text = Self.example(replacing: "max_daily_hours: 12 ", with: "max_daily_hours: 25 ")
        #expect(Self.failure(text) == "campaign.yaml:13: rules.max_daily_hours: expected at most 24 hours")
    }

    @Test func missingInputs() {
        #expect(Self.failure("campaign:\n  name: x\n") == "campaign.yaml:1: missing section 'inputs' (rosters, activities, submissions)")
    }

    @Test func missingCampaignSection() {
        #expect(Self.failure("inputs:\n  rosters: r\n") == "campaign.yaml:1: missing section 'campaign' (name, organizer, timezone)")
    }

    @Test func missingName() {
        #expect(Self.failure("campaign:\n  organizer: o\ninputs:\n  rosters: r\n") == "campaign.yaml:2: campaign: missing key 'name'")
    }

    @Test func emptyFile() {
        #expect(Self.failure("") == "campaign.yaml:1: the campaign file is empty")
        #expect(Self.failure("# only a comment\n") == "campaign.yaml:1: the campaign file is empty")
    }

    @Test func notAMapping() {
        #expect(Self.failure("- a\n- b\n") == "campaign.yaml:1: expected a mapping of keys (campaign, rules, units, teams, inputs, output, assessment)")
    }

    @Test func duplicateKey() {
        let text = Self.example(replacing: "  organizer: IT产业园社区服务中心\n", with: "  organizer: IT产业园社区服务中心\n  organizer: again\n")
        // The line of the second one, where the mistake is.
        #expect(Self.failure(text) == "campaign.yaml:4: key 'organizer' appears twice (first on line 3); keep one")
    }

    @Test("~ and null (plain) mean not set, as an empty value does; quoted they are text", arguments: ["~", "null", "NULL", ""])
    func yamlNull(_ spelling: String) {
        let text = Self.example(replacing: "  name: 人人都是志愿者 每周奉献五小时\n", with: "  name: \(spelling)\n")
        #expect(Self.failure(text) == "campaign.yaml:2: campaign: missing key 'name'")
        let quoted = Self.example(replacing: "  name: 人人都是志愿者 每周奉献五小时\n", with: "  name: \"~\"\n")
        #expect((try? CampaignLoader.parse(quoted, path: "campaign.yaml"))?.name == "~")
    }

    @Test func controlCharacterHasALine() {
        let text = Self.example(replacing: "  organizer: IT产业园社区服务中心\n", with: "  organizer: IT\u{0}\n")
        #expect(Self.failure(text)?.hasPrefix("campaign.yaml:3: YAML: control characters are not allowed") == true, "\(Self.failure(text) ?? "")")
    }

    @Test func yamlSyntaxErrorHasALine() {
        let text = Self.example(replacing: "  liaisons_per_unit: 1\n", with: "  liaisons_per_unit: [1\n")
        // The unclosed `[` is on line 12; the scanner notices on the next line.
        #expect(Self.failure(text) == "campaign.yaml:13: YAML syntax: while parsing a flow sequence did not find expected ',' or ']' (column 18)")
    }

    @Test("a tab in an indentation and a full-width colon after a key are named, on their own line")
    func yamlSlipsOfAChineseKeyboard() {
        let tab = Self.example(replacing: "  liaisons_per_unit: 1\n", with: "\tliaisons_per_unit: 1\n")
        #expect(Self.failure(tab)?.hasPrefix("campaign.yaml:12: line 12 is indented with a tab; YAML indents with spaces only — replace the tab with spaces (YAML syntax:") == true,
                "\(Self.failure(tab) ?? "")")
        let colon = Self.example(replacing: "  liaisons_per_unit: 1\n", with: "  liaisons_per_unit： 1\n")
        #expect(Self.failure(colon)?.hasPrefix("campaign.yaml:12: line 12 has a full-width colon '：' after 'liaisons_per_unit'; write a half-width ':' after a key") == true,
                "\(Self.failure(colon) ?? "")")
        // The only key of a section, or of a list item, with a full-width colon: one string to
        // YAML, not a mapping — the colon is named all the same, on its line.
        let alone = Self.example(replacing: "  dir: reports\n  language: zh-CN                  # zh-CN (default) or en", with: "  language： en")
        #expect(Self.failure(alone) == "campaign.yaml:24: output: a full-width colon '：' after 'language'; write a half-width ':' after a key",
                "\(Self.failure(alone) ?? "")")
        let item = Self.example(replacing: "  - { name: 党政办, kind: department }\n", with: "  - name： 党政办\n")
        #expect(Self.failure(item) == "campaign.yaml:15: units[0]: a full-width colon '：' after 'name'; write a half-width ':' after a key",
                "\(Self.failure(item) ?? "")")
    }

    @Test func errorDescriptionFormat() {
        #expect(CampaignError(file: "c.yaml", line: 3, keyPath: "rules.x", message: "m").description == "c.yaml:3: rules.x: m")
        #expect(CampaignError(file: "c.yaml", line: nil, keyPath: "", message: "m").description == "c.yaml: m")
    }

    @Test func loadFromDiskStripsABOMAndRejectsNonUTF8() throws {
        let folder = try ImportTestSupport.makeTempFolder("campaign")
        defer { ImportTestSupport.remove(folder) }
        let good = try ImportTestSupport.write([0xEF, 0xBB, 0xBF] + Array(Self.example.utf8), to: "campaign.yaml", in: folder)
        let c = try CampaignLoader.load(path: good.path)
        #expect(c.name == "人人都是志愿者 每周奉献五小时")
        #expect(c.inputs.rosters == [folder.appendingPathComponent("rosters").standardizedFileURL.path])

        let gbk = try ImportTestSupport.write(ImportTestSupport.gb18030(Self.example), to: "gbk.yaml", in: folder)
        let e1 = #expect(throws: CampaignError.self) { try CampaignLoader.load(path: gbk.path) }
        // Named as every campaign error is, with the line of its first byte that is not UTF-8 (a
        // comment in Chinese on line 1 of the example).
        #expect(e1?.description.hasSuffix(": the campaign file is not UTF-8 (GBK or UTF-16?); save it as UTF-8") == true, "\(e1?.description ?? "")")
        #expect(e1?.description.hasPrefix("gbk.yaml:") == true)

        let missing = folder.appendingPathComponent("nope.yaml").path
        let e2 = #expect(throws: CampaignError.self) { try CampaignLoader.load(path: missing) }
        #expect(e2?.description == "\(missing): cannot read the campaign file (does it exist?)")
    }
}
