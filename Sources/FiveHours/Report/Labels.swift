/// Every label a report shows, one table per language, so that nothing is translated in two
/// places. CSV header labels live here too (`--csv-header labels`).
public struct Labels: Sendable {
    public let language: Language
    let table: [String: String]

    public init(_ language: Language) {
        self.language = language
        var table = language == .en ? Labels.en : Labels.zh
        // Each rule's label lives with the rule's name (`RuleName`), once.
        for rule in RuleName.allCases { table["rule.\(rule.key)"] = rule.label(language) }
        self.table = table
    }

    public subscript(_ key: String) -> String { table[key] ?? key }

    static let zh: [String: String] = [
        "weekly.title": "每周志愿服务总结", "daily.title": "志愿服务简报",
        "week": "周期", "issue": "第 %@ 期",
        "units": "单位", "volunteers": "志愿者", "hours": "服务时长", "hours.unit": "小时",
        "compliance": "五小时达标率", "rate": "达标率", "met": "达标", "short": "未达标", "partial": "部分在队",
        "sessions": "服务次数", "change": "较上周", "previous": "上周", "no.previous": "上周无数据",
        "section.units": "各单位五小时达标情况", "section.chart": "达标率一览",
        "section.teams": "各服务队服务时长", "section.short": "未达五小时的志愿者", "section.everyone": "每名志愿者本周达标情况",
        "section.liaisons": "各单位联络员", "section.bulletins": "简报与周总结报送",
        "section.plans": "本周总结与下周计划", "section.rankings": "评优参考排名",
        "section.findings": "检查发现", "section.rejects": "未读入的数据",
        "section.activities": "今日活动", "section.reporting": "今日简报报送",
        "section.unitHours": "各单位服务时长",
        "unit": "单位", "kind": "类型", "department": "科室", "workstation": "工作站", "other": "其他",
        "team": "服务队", "leads": "牵头单位", "focus": "重点", "focus.caption": "“四个重点”服务队，列在前面", "team.unknown": "未登记",
        "team.unknown.title": "配置文件（campaign.yaml）的 teams: 中没有这个服务队", "volunteer": "志愿者", "id": "编号",
        "name": "姓名", "required": "应达", "shortfall": "差额", "status": "状态",
        "liaison": "联络员", "liaison.ok": "已明确", "liaison.missing": "缺少", "liaison.multiple": "多名",
        "on_time": "按时", "late": "迟报", "missing": "未报", "pending": "未到期",
        "weekly.summary": "周总结", "summary": "本周总结", "plan": "下周计划", "none": "无",
        "rank": "名次", "rank.units": "单位达标率排名", "rank.volunteers": "志愿者服务时长前列",
        "rule": "规则", "severity": "级别", "error": "错误", "warning": "警告", "info": "提示",
        "subject": "对象", "date": "日期", "detail": "详情", "source": "来源",
        "rejects.count": "共 %@ 行或文件未能读入，详见 rejects.csv。", "rejects.none": "所有数据均已读入。",
        "generated": "生成时间", "inputs.hash": "输入数据指纹", "footer.program": "由 fivehours 生成",
        "time": "时间", "location": "地点", "activity": "活动", "photos": "图片", "video": "视频",
        "unassigned": "（未指定服务队）", "minutes.late": "迟 %@ 分钟",
        "no.activities": "今日没有服务记录。", "no.short": "本周所有在队志愿者均已达到要求。",
        "no.findings": "没有检查发现。", "more": "另有 %@ 条，详见 CSV。", "findings.by_unit": "按单位：%@",
        "findings.public": "公开版只列各类检查发现的条数和所涉单位；明细见内部报告。",
        "grid.legend": "✓ 按时　15′ 迟报 15 分钟　✗ 未报　… 未到期",
        "total": "合计", "day.mon": "一", "day.tue": "二", "day.wed": "三", "day.thu": "四", "day.fri": "五", "day.sat": "六", "day.sun": "日",
        "unrostered": "不在花名册",
        "in_progress": "进行中", "not_met_yet": "尚未达标", "in_progress.note": "本周尚未结束（周总结 %@ 截止）：服务时长为截至目前的累计，暂不判定未达标。",
        "in_progress.change": "本周进行中，不与上周比较", "previous.incomplete": "上周数据不全：仅 %@ 名志愿者有记录，不作比较",
        "section.reportingPanel": "报送情况", "bulletins": "每日简报", "summaries": "周总结", "liaisons": "联络员", "roster": "名单报送",
        "of.units": "%@ 个单位", "units.missing": "未报：%@", "units.late": "迟报：%@", "units.liaison": "联络员待明确：%@",
        "summary.missing": "未报送本周总结与下周计划", "summary.pending": "尚未报送（%@ 截止）", "summary.empty": "已报送，未填写总结与计划",
        "flag.mark": "⚑", "flag.note": "⚑ 本周有被封顶或超审核线的日子、时间重叠或时长不符的记录，名次待核实后使用。",
        "rank.note": "按计入的服务时长排名（重叠只计一次，超过每日上限的时间不计）；时长相同者名次相同。",
        "rank.units.note": "按达标率排名；达标率相同者名次相同，按服务时长先后列出。",
        "reported.today": "今日报送", "n.sessions": "%@ 次", "activities.by_unit": "按单位", "no.reporting": "今日无须报送简报。",
        "colon": "：", "lp": "（", "rp": "）", "sep": "、", "semi": "；",
        "sheet.volunteers": "志愿者", "sheet.units": "单位", "sheet.teams": "服务队", "sheet.findings": "检查发现",
        "sheet.rejects": "未读入的数据", "sheet.activities": "今日活动", "sheet.bulletins": "简报报送",
        "sheet.volunteer-weeks": "志愿者每周", "sheet.assessment": "单位考核", "sheet.unit-weeks": "单位每周",
    ]

    static let en: [String: String] = [
        "weekly.title": "Weekly volunteer service summary", "daily.title": "Volunteer service bulletin",
        "week": "Week", "issue": "No. %@",
        "units": "Units", "volunteers": "Volunteers", "hours": "Hours", "hours.unit": "h",
        "compliance": "Five-hour compliance", "rate": "Rate", "met": "Met", "short": "Short", "partial": "Partial",
        "sessions": "Sessions", "change": "vs last week", "previous": "last week", "no.previous": "no data for last week",
        "section.units": "Five-hour compliance by unit", "section.chart": "Compliance at a glance",
        "section.teams": "Hours by team", "section.short": "Volunteers short of five hours", "section.everyone": "Every volunteer's week",
        "section.liaisons": "Liaisons", "section.bulletins": "Bulletins and weekly summaries",
        "section.plans": "Summaries and next week's plans", "section.rankings": "Rankings for the awards",
        "section.findings": "Findings", "section.rejects": "Data not read",
        "section.activities": "Today's activities", "section.reporting": "Today's bulletins",
        "section.unitHours": "Hours by unit",
        "unit": "Unit", "kind": "Kind", "department": "Department", "workstation": "Workstation", "other": "Other",
        "team": "Team", "leads": "Lead units", "focus": "Focus", "focus.caption": "one of the notice's four focus teams, listed first", "team.unknown": "not listed",
        "team.unknown.title": "not among the teams: of the campaign file", "volunteer": "Volunteer", "id": "ID",
        "name": "Name", "required": "Required", "shortfall": "Shortfall", "status": "Status",
        "liaison": "Liaison", "liaison.ok": "named", "liaison.missing": "missing", "liaison.multiple": "several",
        "on_time": "on time", "late": "late", "missing": "missing", "pending": "pending",
        "weekly.summary": "Weekly summary", "summary": "This week", "plan": "Next week", "none": "none",
        "rank": "Rank", "rank.units": "Units by compliance", "rank.volunteers": "Volunteers by hours",
        "rule": "Rule", "severity": "Severity", "error": "error", "warning": "warning", "info": "info",
        "subject": "Subject", "date": "Date", "detail": "Detail", "source": "Source",
        "rejects.count": "%@ rows or files could not be read; see rejects.csv.", "rejects.none": "Every row was read.",
        "generated": "Generated", "inputs.hash": "Inputs fingerprint", "footer.program": "Made by fivehours",
        "time": "Time", "location": "Place", "activity": "Activity", "photos": "Photos", "video": "Video",
        "unassigned": "(no team)", "minutes.late": "%@ min late",
        "no.activities": "No sessions were logged today.", "no.short": "Every active volunteer met the requirement.",
        "no.findings": "No findings.", "more": "%@ more in the CSV.", "findings.by_unit": "By unit: %@",
        "findings.public": "The public version lists how many findings of each kind and the units concerned; the details are in the internal report.",
        "grid.legend": "✓ on time · 15′ 15 minutes late · ✗ missing · … pending",
        "total": "Total", "day.mon": "Mon", "day.tue": "Tue", "day.wed": "Wed", "day.thu": "Thu", "day.fri": "Fri", "day.sat": "Sat", "day.sun": "Sun",
        "unrostered": "not on a roster",
        "in_progress": "in progress", "not_met_yet": "not met yet", "in_progress.note": "This week is still running (summaries are due %@): hours so far; nobody is judged short yet.",
        "in_progress.change": "week in progress; not compared with last week", "previous.incomplete": "last week's logs look incomplete: sessions of only %@ volunteer(s); not compared",
        "section.reportingPanel": "Reporting", "bulletins": "Daily bulletins", "summaries": "Weekly summaries", "liaisons": "Liaisons", "roster": "Team rosters",
        "of.units": "%@ units", "units.missing": "missing: %@", "units.late": "late: %@", "units.liaison": "liaison to name: %@",
        "summary.missing": "No summary or plan was sent", "summary.pending": "Not sent yet (due %@)", "summary.empty": "Sent, without a summary or plan",
        "flag.mark": "⚑", "flag.note": "⚑ a capped or long day, an overlap or hours that disagree this week: check before using the rank.",
        "rank.note": "Ranked by counted hours (overlaps once, nothing above the daily cap); equal hours share a rank.",
        "rank.units.note": "Ranked by compliance; equal rates share a rank and are listed by hours.",
        "reported.today": "Reported today", "n.sessions": "%@ sessions", "activities.by_unit": "by unit", "no.reporting": "No bulletin is due today.",
        "colon": ": ", "lp": " (", "rp": ")", "sep": ", ", "semi": "; ",
        "sheet.volunteers": "Volunteers", "sheet.units": "Units", "sheet.teams": "Teams", "sheet.findings": "Findings",
        "sheet.rejects": "Rejects", "sheet.activities": "Activities", "sheet.bulletins": "Bulletins",
        "sheet.volunteer-weeks": "Volunteer weeks", "sheet.assessment": "Assessment", "sheet.unit-weeks": "Unit weeks",
    ]

    /// All labels for a template, keyed with `_` for `.` (`{{l.section_units}}`).
    public var templateDictionary: [String: Any] {
        Dictionary(uniqueKeysWithValues: table.map { ($0.key.replacingOccurrences(of: ".", with: "_"), $0.value as Any) })
    }

    /// A label with `%@` replaced by `value`.
    public func format(_ key: String, _ value: String) -> String {
        self[key].replacingOccurrences(of: "%@", with: value)
    }

    /// CSV header labels by key, per file.
    public func csvHeader(_ keys: [String]) -> [String] {
        keys.map { language == .en ? Labels.csvEN[$0] ?? $0 : Labels.csvZH[$0] ?? $0 }
    }

    static let csvZH: [String: String] = [
        "volunteer_id": "志愿者编号", "name": "姓名", "unit": "单位", "teams": "服务队", "hours": "服务时长",
        "required_hours": "应达时长", "shortfall_hours": "差额", "status": "状态", "kind": "类型",
        "volunteers": "志愿者人数", "met": "达标人数", "short": "未达标人数", "compliance_rate": "达标率",
        "liaison": "联络员", "liaison_status": "联络员状态", "daily_on_time": "简报按时", "daily_late": "简报迟报",
        "daily_missing": "简报未报", "weekly_status": "周总结状态", "team": "服务队", "lead_units": "牵头单位",
        "sessions": "服务次数", "rule": "规则", "severity": "级别", "subject": "对象", "date": "日期",
        "detail": "详情", "source": "来源", "reason": "原因", "record": "原始记录", "record_id": "记录编号",
        "start": "开始时间", "end": "结束时间", "activity": "活动", "location": "地点",
    ]
    static let csvEN: [String: String] = [
        "volunteer_id": "Volunteer ID", "name": "Name", "unit": "Unit", "teams": "Teams", "hours": "Hours",
        "required_hours": "Required hours", "shortfall_hours": "Shortfall hours", "status": "Status", "kind": "Kind",
        "volunteers": "Volunteers", "met": "Met", "short": "Short", "compliance_rate": "Compliance rate",
        "liaison": "Liaison", "liaison_status": "Liaison status", "daily_on_time": "Bulletins on time", "daily_late": "Bulletins late",
        "daily_missing": "Bulletins missing", "weekly_status": "Weekly summary", "team": "Team", "lead_units": "Lead units",
        "sessions": "Sessions", "rule": "Rule", "severity": "Severity", "subject": "Subject", "date": "Date",
        "detail": "Detail", "source": "Source", "reason": "Reason", "record": "Record", "record_id": "Record ID",
        "start": "Start", "end": "End", "activity": "Activity", "location": "Location",
    ]
}
