/// The labels of the monthly assessment and the yearly roll-up, in both languages, kept apart
/// from the weekly `Labels` table; templates see them under `l` with the weekly ones
/// (`{{l.rollup_score}}`).
public enum RollupLabels {
    static func table(_ language: Language) -> [String: String] { language == .en ? en : zh }

    /// Every label a rollup template may use: the weekly ones and these, keyed with `_` for `.`.
    static func templateDictionary(_ labels: Labels) -> [String: Any] {
        var d = labels.templateDictionary
        for (k, v) in table(labels.language) { d[k.replacingOccurrences(of: ".", with: "_")] = v }
        return d
    }

    static func csv(_ language: Language) -> [String: String] { language == .en ? csvEN : csvZH }

    /// The star levels of `count` thresholds, for the star rule: `一至五星`, `一星` / `one to five
    /// stars`, `one star` (a campaign may set any number of levels, `assessment.star_hours`).
    static func levels(_ count: Int, language: Language) -> String {
        let zh = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        if language == .en {
            let en = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
            let name = { (n: Int) in n < en.count ? en[n] : "\(n)" }
            return count == 1 ? "one star" : "one to \(name(count)) stars"
        }
        let name = { (n: Int) in n < zh.count ? zh[n] : "\(n) " }
        return count == 1 ? "一星" : "一至\(name(count))星"
    }

    static let zh: [String: String] = [
        "monthly.title": "志愿服务月考核", "yearly.title": "志愿服务年度汇总与评优",
        "rollup.period": "考核期", "rollup.weeks": "所含周次", "rollup.n_weeks": "%@ 周", "rollup.week.rule": "一周归入其最后一天所在的月份和年份；时长按考核期内每一天统计。",
        "rollup.over": "已结束", "rollup.not_started": "未开始", "rollup.in_progress": "进行中（尚未考核）", "rollup.in_progress.note": "进行中的周不计入达标与评分，也不算未达标。",
        "rollup.section.assessment": "单位考核得分", "rollup.section.parts": "得分构成",
        "rollup.section.trend": "各单位每周达标率走势", "rollup.section.unitWeeks": "各单位每周情况",
        "rollup.section.volunteers": "志愿者", "rollup.section.awards": "评优候选志愿者", "rollup.section.stars": "星级志愿者",
        "rollup.section.review": "需复核的志愿者", "rollup.section.teams": "各服务队服务时长", "rollup.section.squad": "志愿服务中队（按职务）",
        "rollup.section.network": "网格、楼栋、楼层", "rollup.section.months": "各服务队每月服务时长（小时）", "month.short": "%@月",
        "rollup.months.scroll": "表格较宽：左右滑动查看各月；服务队名称固定在左侧。",
        "rollup.score": "得分", "rollup.points": "分", "rollup.weight": "权重", "rollup.parts.explain": "得分 = 各适用部分所得分之和 ÷ 适用部分权重之和 × 100；迟报按 %@ 计。",
        "rollup.part.compliance": "五小时达标", "rollup.part.daily": "每日简报", "rollup.part.weekly": "周总结",
        "rollup.part.liaison": "联络员", "rollup.part.roster": "名单报送", "rollup.na": "不适用",
        "rollup.weeks_met": "达标周数", "rollup.weeks_required": "应达标周数", "rollup.stars": "星级", "rollup.award": "评优",
        "rollup.award.yes": "候选", "rollup.award.review": "需复核", "rollup.award.no": "—", "rollup.flags": "标记",
        "rollup.award.rule": "评优候选：考核期内每个应达标的周都达到五小时；当天时长被封顶或有重叠、时长不符、单日超 8 小时的，列为需复核，不直接排名。",
        "rollup.star.rule": "星级按考核期内累计服务时长：%@ 小时分别为%n；每级下为达到该级的人数。",
        "rollup.role": "职务", "rollup.grid": "网格", "rollup.building": "楼栋", "rollup.floor": "楼层",
        "rollup.lead_share": "牵头单位占比", "rollup.month": "月份", "rollup.roster_status": "名单",
        "rollup.no.awards": "考核期内没有每周都达标的志愿者。", "rollup.no.review": "没有需要复核的志愿者。",
        "rollup.week_ending": "周末日", "rollup.weeks_over": "已结束周数",
        "rollup.section.stations": "工作站志愿服务站建设", "rollup.station.due": "应于 %@ 前按“六有一落实”标准建成",
        "rollup.station.ready": "建成日期", "station.on_time": "按时建成", "station.late": "逾期建成",
        "station.missing": "逾期未建成", "station.pending": "未到期，尚未建成", "station.days_late": "迟 %@ 天",
    ]

    static let en: [String: String] = [
        "monthly.title": "Monthly volunteer service assessment", "yearly.title": "Volunteer service year and awards",
        "rollup.period": "Period", "rollup.weeks": "Weeks covered", "rollup.n_weeks": "%@ weeks", "rollup.week.rule": "A week belongs to the month and year of its last day; hours count every day of the period.",
        "rollup.over": "over", "rollup.not_started": "not begun", "rollup.in_progress": "in progress (not judged yet)", "rollup.in_progress.note": "Weeks in progress count neither as met nor as short and are left out of the scores.",
        "rollup.section.assessment": "Unit assessment", "rollup.section.parts": "How each score is made",
        "rollup.section.trend": "Weekly compliance by unit", "rollup.section.unitWeeks": "Units week by week",
        "rollup.section.volunteers": "Volunteers", "rollup.section.awards": "Award candidates", "rollup.section.stars": "Star volunteers",
        "rollup.section.review": "Volunteers to review", "rollup.section.teams": "Hours by team", "rollup.section.squad": "The squad by role",
        "rollup.section.network": "Grid, building and floor", "rollup.section.months": "Team hours by month (h)", "month.short": "M%@",
        "rollup.months.scroll": "A wide table: swipe sideways for every month; the team names stay on the left.",
        "rollup.score": "Score", "rollup.points": "pts", "rollup.weight": "Weight", "rollup.parts.explain": "Score = points of the parts that apply ÷ their weights × 100; a late submission earns %@.",
        "rollup.part.compliance": "Five hours", "rollup.part.daily": "Daily bulletins", "rollup.part.weekly": "Weekly summaries",
        "rollup.part.liaison": "Liaison", "rollup.part.roster": "Roster", "rollup.na": "n/a",
        "rollup.weeks_met": "Weeks met", "rollup.weeks_required": "Weeks required", "rollup.stars": "Stars", "rollup.award": "Award",
        "rollup.award.yes": "candidate", "rollup.award.review": "review", "rollup.award.no": "—", "rollup.flags": "Flags",
        "rollup.award.rule": "Candidates met five hours in every required week of the period; one with a capped, overlapping, mismatched or over-8-hour day is listed for review, not ranked.",
        "rollup.star.rule": "Stars from the hours counted in the period: %@ hours for %n; under each level, how many reach it.",
        "rollup.role": "Role", "rollup.grid": "Grid", "rollup.building": "Building", "rollup.floor": "Floor",
        "rollup.lead_share": "Lead units' share", "rollup.month": "Month", "rollup.roster_status": "Roster",
        "rollup.no.awards": "No volunteer met the requirement in every week of the period.", "rollup.no.review": "No volunteer to review.",
        "rollup.week_ending": "Week ending", "rollup.weeks_over": "Weeks over",
        "rollup.section.stations": "Workstations' service stations", "rollup.station.due": "To be ready to the 六有一落实 standard by %@",
        "rollup.station.ready": "Ready on", "station.on_time": "ready on time", "station.late": "ready late",
        "station.missing": "overdue, not ready", "station.pending": "not due, not ready yet", "station.days_late": "%@ days late",
    ]

    static let csvZH: [String: String] = [
        "role": "职务", "liaison": "联络员", "grid": "网格", "building": "楼栋", "floor": "楼层", "weeks_required": "应达标周数",
        "weeks_met": "达标周数", "weeks_partial": "部分在队周数", "weeks_in_progress": "进行中周数", "star_level": "星级",
        "award_candidate": "评优候选", "flagged": "需复核标记", "week_ending": "周末日", "rank": "名次", "score": "得分",
        "weeks_over": "已结束周数", "compliance_points": "达标得分", "daily_points": "简报得分", "weekly_on_time": "周总结按时",
        "weekly_late": "周总结迟报", "weekly_missing": "周总结未报", "weekly_points": "周总结得分", "liaison_ok_weeks": "联络员合规周数",
        "liaison_points": "联络员得分", "roster_status": "名单报送状态", "roster_points": "名单得分", "week_status": "周状态",
        "partial": "部分在队人数", "daily_pending": "简报未到期", "period": "期间", "focus": "重点",
        "lead_units_hours": "牵头单位时长", "lead_units_share": "牵头单位占比",
        "station_status": "服务站建设状态", "station_ready": "服务站建成日期",
    ]
    static let csvEN: [String: String] = [
        "role": "Role", "liaison": "Liaison", "grid": "Grid", "building": "Building", "floor": "Floor", "weeks_required": "Weeks required",
        "weeks_met": "Weeks met", "weeks_partial": "Partial weeks", "weeks_in_progress": "Weeks in progress", "star_level": "Stars",
        "award_candidate": "Award candidate", "flagged": "Flagged", "week_ending": "Week ending", "rank": "Rank", "score": "Score",
        "weeks_over": "Weeks over", "compliance_points": "Compliance points", "daily_points": "Bulletin points", "weekly_on_time": "Summaries on time",
        "weekly_late": "Summaries late", "weekly_missing": "Summaries missing", "weekly_points": "Summary points", "liaison_ok_weeks": "Weeks with liaison",
        "liaison_points": "Liaison points", "roster_status": "Roster status", "roster_points": "Roster points", "week_status": "Week",
        "partial": "Partial", "daily_pending": "Bulletins pending", "period": "Period", "focus": "Focus",
        "lead_units_hours": "Lead units' hours", "lead_units_share": "Lead units' share",
        "station_status": "Station status", "station_ready": "Station ready on",
    ]
}
