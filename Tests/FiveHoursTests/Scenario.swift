import Foundation
@testable import FiveHours

/// A small campaign written to a temporary folder from text, run through the pipeline in
/// process. The default campaign has two departments (甲科, 乙科), one workstation (第一站),
/// two teams, weeks ending on Friday, and a roster of four volunteers.
struct Scenario {
    var rules = """
      weekly_hours: 5
      week_ends_on: friday
      daily_bulletin_due: "15:30"
      daily_bulletin_days: [mon, tue, wed, thu, fri]
      weekly_summary_due: "15:00"
      roster_due: 2019-08-02
      liaisons_per_unit: 1
      max_daily_hours: 12
    """
    var roster = """
    volunteer_id,name,unit,teams,role,liaison,phone,active_from,active_until
    V1,王继跃,甲科,小红象志愿服务队,联络员,,13800138001,,
    V2,张伟,甲科,小红象志愿服务队;春雨行动志愿服务队,队员,,13800138002,,
    V3,李娜,乙科,春雨行动志愿服务队,队员,是,13800138003,,
    V4,赵敏,第一站,小红象志愿服务队,站长,,,,
    """
    var activities = """
    record_id,volunteer_id,date,start,end,hours,team
    """
    var submissions = """
    unit,kind,period,submitted_at
    """
    var units = """
      - { name: 甲科, kind: department }
      - { name: 乙科, kind: department }
      - { name: 第一站, kind: workstation }
    """
    /// Extra files: relative path → bytes.
    var files: [String: [UInt8]] = [:]
    /// `campaign.start_date`, when set.
    var startDate: String? = nil

    var campaignYAML: String {
        """
        campaign:
          name: 测试活动
          organizer: 测试中心
          timezone: Asia/Shanghai\(startDate.map { "\n  start_date: \($0)" } ?? "")
        rules:
        \(rules)
        units:
        \(units)
        teams:
          - { name: 小红象志愿服务队, focus: true, leads: [甲科] }
          - { name: 春雨行动志愿服务队, focus: true, leads: [乙科] }
        inputs:
          rosters: [rosters]
          activities: [activities]
          submissions: [submissions]
        output:
          dir: reports
        """
    }

    /// Writes the scenario and returns its folder.
    func write() throws -> URL {
        let folder = try ImportTestSupport.makeTempFolder("scenario")
        try ImportTestSupport.write(campaignYAML, to: "campaign.yaml", in: folder)
        try ImportTestSupport.write(roster, to: "rosters/roster.csv", in: folder)
        try ImportTestSupport.write(activities, to: "activities/log.csv", in: folder)
        try ImportTestSupport.write(submissions, to: "submissions/s.csv", in: folder)
        for (path, bytes) in files { try ImportTestSupport.write(bytes, to: path, in: folder) }
        return folder
    }

    struct Outcome {
        var loaded: Pipeline.Loaded
        var week: WeekData
        var findings: [Finding]
        var report: WeeklyReport
        var folder: URL

        func volunteer(_ id: String) -> VolunteerWeek? { week.volunteers.first { $0.volunteer.id == id } }
        func hours(_ id: String) -> String? { volunteer(id).map { Hours.format($0.seconds) } }
        func unit(_ name: String) -> WeeklyReport.UnitRow? { report.units.first { $0.name == name } }
        func findings(_ rule: String) -> [Finding] { findings.filter { $0.rule.key == rule } }
        var rejects: [Reject] { loaded.ledger.rejects }
    }

    /// A scenario whose log is `rows` under the usual activity header.
    static func log(_ rows: String) -> Scenario {
        var s = Scenario()
        s.activities = "record_id,volunteer_id,date,start,end,hours,team\n" + rows
        return s
    }

    /// Writes the scenario and loads it for the week ending `weekEnding` at `now`: the folder is
    /// the caller's to remove (with `defer`), so that it can load other periods from it.
    func loadWeek(ending weekEnding: String = "2019-08-09", now: String = "2019-08-10T12:00:00+08:00") throws
        -> (folder: URL, options: Pipeline.Options, loaded: Pipeline.Loaded) {
        let folder = try write()
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.weekEnding = ValueParser.date(weekEnding)
        options.now = ValueParser.instant(now, in: .shanghai)
        do {
            return (folder, options, try Pipeline.load(options, progress: { _ in }))
        } catch {
            ImportTestSupport.remove(folder)
            throw error
        }
    }

    /// Imports the scenario for `period` at `now` and builds its roll-up (the folder is removed).
    func rollup(_ period: Period, now: String, byMonth: Bool = false) throws -> (loaded: Pipeline.Loaded, options: Pipeline.Options, rollup: Rollup) {
        let folder = try write()
        defer { ImportTestSupport.remove(folder) }
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.period = period
        options.now = ValueParser.instant(now, in: .shanghai)
        let loaded = try Pipeline.load(options, progress: { _ in })
        return (loaded, options, Rollup.build(loaded.ledger, campaign: loaded.campaign, period: period, now: options.now!, byMonth: byMonth))
    }

    /// Runs import, week, rules and the report model for the week ending `weekEnding`.
    func run(weekEnding: String = "2019-08-09", now: String = "2019-08-10T12:00:00+08:00", language: Language? = nil) throws -> Outcome {
        let folder = try write()
        var options = Pipeline.Options(configPath: folder.appendingPathComponent("campaign.yaml").path)
        options.language = language
        options.weekEnding = ValueParser.date(weekEnding)
        options.now = ValueParser.instant(now, in: .shanghai)
        let loaded = try Pipeline.load(options, progress: { _ in })
        let campaign = loaded.campaign
        let week = try Pipeline.week(options, campaign: campaign, now: options.now!)
        let data = WeekBuilder(campaign: campaign).build(loaded.ledger, week: week,
                                                         inProgress: Pipeline.isInProgress(week, campaign: campaign, now: options.now!))
        let findings = RuleSet.evaluate(RuleContext(campaign: campaign, week: data, ledger: loaded.ledger, now: options.now!))
        let report = WeeklyReport.make(campaign: campaign, ledger: loaded.ledger, week: data, findings: findings, now: options.now!)
        return Outcome(loaded: loaded, week: data, findings: findings, report: report, folder: folder)
    }
}
