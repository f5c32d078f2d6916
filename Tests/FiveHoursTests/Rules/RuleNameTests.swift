import Foundation
import Testing
@testable import FiveHours

/// Every finding comes from a rule with a name, an order, a severity and labels (issue 13, item 5).
@Suite("Rule names")
struct RuleNameTests {
    @Test("every rule has a label in both languages, and labels differ between rules")
    func labels() {
        for rule in RuleName.allCases {
            let pair = RuleName.labels[rule]
            #expect(pair != nil, "rule \(rule.key) has no label")
            #expect(!(pair?.zh.isEmpty ?? true) && !(pair?.en.isEmpty ?? true), "rule \(rule.key) has an empty label")
            #expect(rule.label(.en).unicodeScalars.allSatisfy { $0.isASCII }, "English label of \(rule.key) is not English")
            #expect(rule.severities.contains(rule.severity))
        }
        for language in Language.allCases {
            #expect(Set(RuleName.allCases.map { $0.label(language) }).count == RuleName.allCases.count)
        }
    }

    @Test("the order is the order of counting.md §10, and every rule type is listed once")
    func order() {
        #expect(RuleName.allCases.map(\.key) == [
            "five_hours", "liaison", "daily_bulletin", "weekly_summary", "roster_deadline", "station_readiness", "unknown_unit",
            "unknown_team", "unrostered", "late_record", "unknown_column", "overlap", "duplicate", "hours_mismatch", "daily_cap", "long_day",
            "inactive_volunteer", "missing_media",
        ])
        let names = RuleSet.all.map(\.name)
        #expect(Set(names).count == names.count)
        // missing_media is the daily bulletin's own rule (it looks at files); every other one is in the set.
        #expect(Set(names).union([.missingMedia]) == Set(RuleName.allCases))
    }

    @Test("the review line of a long day comes from the campaign's rules, not from the week builder")
    func reviewLine() throws {
        var s = Scenario()
        s.rules += "\n  review_daily_hours: 6"
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        R1,V1,2019-08-05,08:00,15:00,,
        R2,V2,2019-08-05,08:00,13:00,,
        """
        let o = try s.run()
        defer { ImportTestSupport.remove(o.folder) }
        #expect(o.findings("long_day").map(\.subject) == ["V1 王继跃"])
        #expect(o.findings("long_day").first?.severity == .info)
    }

    @Test("findings of every rule are in English with --language en: no Chinese but names and data")
    func english() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,team
        R1,V1,2019-08-05,08:00,21:00,,未知队
        R2,V1,2019-08-05,20:00,22:00,,
        R3,V2,2019-08-06,09:00,10:00,3,
        R4,V9,2019-08-06,09:00,10:00,,
        """
        let o = try s.run(language: .en)
        defer { ImportTestSupport.remove(o.folder) }
        #expect(!o.findings.isEmpty)
        for f in o.findings {
            // Names of people, units and teams are data and stay Chinese; the words around them are English.
            var detail = f.detail
            for word in ["王继跃", "张伟", "李娜", "赵敏", "甲科", "乙科", "第一站", "未知队", "小红象志愿服务队", "春雨行动志愿服务队"] {
                detail = detail.replacingOccurrences(of: word, with: "")
            }
            #expect(detail.unicodeScalars.allSatisfy { $0.isASCII || $0 == "—" }, "\(f.rule): \(f.detail)")
            #expect(f.subject.unicodeScalars.allSatisfy { $0.isASCII } || f.subject.contains(" ") || f.rule == .unknownTeam,
                    "\(f.rule): \(f.subject)")
        }
        #expect(o.findings("daily_cap").count == 1)
        #expect(o.findings("hours_mismatch").count == 1)
    }
}

/// Messages of system errors while writing (issue 15, item 11): a reason a person can act on.
@Suite("Output error messages")
struct OutputErrorMessageTests {
    @Test("each errno is told in words, with what to do", arguments: [
        (EACCES, "no permission to write the file (run as a user who may write there, or choose another --out)"),
        (EROFS, "cannot write the file: the file system is read-only (choose another --out)"),
        (ENOSPC, "cannot write the file: the disk is full (free some space or choose another --out)"),
        (ENOTDIR, "cannot write the file: a part of this path is a file, not a folder (move the file away or choose another --out)"),
    ] as [(Int32, String)])
    func messages(code: Int32, reason: String) {
        let e = OutputError.system(code, path: "/x/y.csv", doing: "write the file")
        #expect(e.description == "/x/y.csv: \(reason)")
    }
}

/// Complete English (issue 15, item 6): every label exists in both languages.
@Suite("Labels in both languages")
struct LabelTableTests {
    @Test("the zh-CN and en tables have the same keys, and English labels use half-width punctuation")
    func sameKeys() {
        #expect(Set(Labels.zh.keys) == Set(Labels.en.keys), "only zh: \(Set(Labels.zh.keys).subtracting(Labels.en.keys).sorted()); only en: \(Set(Labels.en.keys).subtracting(Labels.zh.keys).sorted())")
        #expect(Set(Labels.csvZH.keys) == Set(Labels.csvEN.keys))
        for (key, value) in Labels.en where key != "flag.mark" {
            #expect(!value.contains { "：（），、；。".contains($0) }, "en label \(key) has full-width punctuation: \(value)")
        }
        let en = Labels(.en)
        for rule in RuleName.allCases { #expect(en["rule.\(rule.key)"] == rule.label(.en)) }
    }
}
