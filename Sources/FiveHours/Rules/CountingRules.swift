/// The rules that judge what the counting stage recorded (`WeekData.facts`): overlaps,
/// duplicates, hours that disagree with start and end, capped and long days, inactive volunteers.

/// Overlapping sessions of one volunteer count once; each session that lost time is reported.
public struct OverlapRule: Rule {
    public let name = RuleName.overlap

    public func findings(in c: RuleContext) -> [Finding] {
        findings(in: c, overlaps: c.week.facts.overlaps.indices)
    }

    /// The findings of the overlaps at `range` of the week's facts (a year's million overlaps
    /// are made in stretches, on both cores).
    func findings(in c: RuleContext, overlaps range: Range<Int>) -> [Finding] {
        let say = c.say
        return c.week.facts.overlaps[range].map { o in
            let s = c.week.sessions[o.session], r = c.week.record(of: s)
            let v = c.week.volunteers[s.volunteer].volunteer
            let h = Hours.format(o.seconds)
            return Finding(name, unit: v.unit, subject: RuleContext.subject(v), date: r.date,
                           detail: say("与 \(o.coveredBy) 的服务时间重叠 \(h) 小时，重叠部分只计一次",
                                       "overlaps \(o.coveredBy) by \(h) h; the overlap counts once"),
                           source: r.source)
        }
    }
}

/// Rows that repeat an earlier one and were counted once. The import settles duplicates over
/// every week and keeps its findings in the ledger; this rule lists those of the week (and the
/// undated ones: a roster row given twice).
public struct DuplicateRule: Rule {
    public let name = RuleName.duplicate

    public func findings(in c: RuleContext) -> [Finding] {
        DuplicateRule.byWeek(c.ledger.findings, weeks: [c.week.week])[0]
    }

    /// The import's duplicate findings of each of `weeks` (consecutive), those dated in it (an
    /// undated one in every week), in one pass: a year's weeks each filtering all of them read
    /// 35,000 findings 53 times.
    static func byWeek(_ findings: [Finding], weeks: [Week]) -> [[Finding]] {
        var out = [[Finding]](repeating: [], count: weeks.count)
        guard let origin = weeks.first?.firstDay else { return out }
        for i in findings.indices where findings[i].rule == .duplicate {
            guard let date = findings[i].date else {
                for k in out.indices { out[k].append(findings[i]) }
                continue
            }
            let k = Counting.floorDiv(origin.days(to: date), 7)
            if k >= 0, k < weeks.count, weeks[k].contains(date) { out[k].append(findings[i]) }
        }
        return out
    }
}

/// `hours` that disagrees with `end − start` by more than a minute: start and end win.
public struct HoursMismatchRule: Rule {
    public let name = RuleName.hoursMismatch

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        return c.week.facts.mismatches.map { m in
            let s = c.week.sessions[m.session], r = c.week.record(of: s)
            let v = c.week.volunteers[s.volunteer].volunteer
            let given = Hours.format(m.hoursSeconds), clock = Hours.format(r.seconds)
            return Finding(name, unit: v.unit, subject: RuleContext.subject(v), date: r.date,
                           detail: say("服务时长填 \(given) 小时，开始—结束为 \(clock) 小时；按开始—结束计",
                                       "hours says \(given) h, start to end is \(clock) h; start and end are used"),
                           source: r.source)
        }
    }
}

/// Time above `max_daily_hours` per volunteer per day is not counted.
public struct DailyCapRule: Rule {
    public let name = RuleName.dailyCap

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        let cap = Hours.format(c.campaign.rules.maxDailySeconds)
        return c.week.facts.days.filter(\.isCapped).map { d in
            let v = c.week.volunteers[d.volunteer].volunteer
            let total = Hours.format(d.total), excess = Hours.format(d.total - d.counted)
            return Finding(name, unit: v.unit, subject: RuleContext.subject(v), date: d.date,
                           detail: say("当天服务 \(total) 小时，超过每日上限 \(cap) 小时，超出的 \(excess) 小时不计",
                                       "\(total) h that day, above the daily cap of \(cap) h; the \(excess) h above it are not counted"),
                           source: d.cut ?? d.last)
        }
    }
}

/// A day above the review line (`rules.review_daily_hours`, 8 h by default) but within the cap.
public struct LongDayRule: Rule {
    public let name = RuleName.longDay

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        let line = Hours.format(c.campaign.rules.reviewDailySeconds)
        return c.week.facts.days.filter { !$0.isCapped && $0.total > c.campaign.rules.reviewDailySeconds }.map { d in
            let v = c.week.volunteers[d.volunteer].volunteer
            let total = Hours.format(d.total)
            return Finding(name, unit: v.unit, subject: RuleContext.subject(v), date: d.date,
                           detail: say("当天服务 \(total) 小时，超过 \(line) 小时（全国志愿服务信息系统的审核线）",
                                       "\(total) h that day, above \(line) h (the review line of the national volunteer service system)"),
                           source: d.first)
        }
    }
}

/// Sessions of a rostered volunteer who is not active this week do not count.
public struct InactiveVolunteerRule: Rule {
    public let name = RuleName.inactiveVolunteer

    public func findings(in c: RuleContext) -> [Finding] {
        let say = c.say
        return c.week.facts.inactive.map { i in
            let v = c.ledger.volunteers[i.volunteer]
            let from = v.activeFrom.map { "\($0)" } ?? "—", until = v.activeUntil.map { "\($0)" } ?? "—"
            return Finding(name, unit: v.unit, subject: RuleContext.subject(v), date: i.sessions[0].date,
                           detail: say("本周不在队（入队 \(from)，离队 \(until)），其 \(i.sessions.count) 条服务记录不计",
                                       "not active this week (joined \(from), left \(until)); \(i.sessions.count) sessions not counted"),
                           source: i.sessions[0].source)
        }
    }
}

/// Media a session references that the daily bulletin cannot show. The bulletin resolves each
/// media path when it copies the files (`MediaFiles`); this rule words what it could not use.
public enum MissingMediaRule {
    public static let name = RuleName.missingMedia

    public enum Problem: Sendable, Equatable {
        case outside, notFound, unreadable
        /// A folder, a FIFO or a device where a file should be (its kind, in English).
        case notRegular(String)
        /// A local file that is not a photo or a video by its name or by its first bytes (a CSV,
        /// a text, the campaign file, or a link to one named like a photo): never copied into a
        /// report, where it would publish whatever it holds.
        case notPhotoOrVideo
    }

    public static func finding(_ problem: Problem, href: String, unit: String, date: CivilDate, source: SourceLine, say: Wording) -> Finding {
        let detail: String
        switch problem {
        case .outside:
            detail = say("附件路径 \(href) 指向输入文件夹之外或不是相对路径，未引用",
                         "media path \(href) points outside the input file's folder or is not relative; not used")
        case .notFound:
            detail = say("找不到附件 \(href)", "media file \(href) not found")
        case .unreadable:
            detail = say("附件 \(href) 无法读取，未引用", "media file \(href) cannot be read; not used")
        case .notRegular(let kind):
            detail = say("附件 \(href) 不是普通文件（\(InputFiles.kindInChinese(kind))），未引用", "media \(href) is not a regular file but \(kind); not used")
        case .notPhotoOrVideo:
            let kinds = (MediaRef.photoExtensions + MediaRef.videoExtensions).joined(separator: " ")
            detail = say("附件 \(href) 不是照片或视频（\(kinds)，按文件名和文件内容判断），未引用；文件请用网址链接",
                         "media \(href) is not a photo or a video (\(kinds), by its name and its content); not used — link other files by their web address")
        }
        return Finding(name, unit: unit, subject: href, date: date, detail: detail, source: source)
    }
}
