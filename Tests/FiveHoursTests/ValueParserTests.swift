import Testing
@testable import FiveHours

/// The value spellings of the contract §3: dates, times, instants, hours and booleans.
@Suite("ValueParser")
struct ValueParserTests {
    // MARK: Dates

    /// 2019-08-05 is day 18,113 after 1970-01-01, a Monday.
    static let august5 = CivilDate(year: 2019, month: 8, day: 5)!

    @Test("the five date spellings (and their zero-padded and padded-with-spaces forms)", arguments: [
        "2019-08-05", "2019/8/5", "2019.8.5", "2019年8月5日", "20190805",
        "2019-8-5", "2019/08/05", "2019.08.05", "2019年08月05日", "2019年8月5号",
        " 2019-08-05 ", "\t2019/8/5\t", "\u{3000}2019年8月5日\u{3000}",
    ])
    func dateSpellings(_ text: String) {
        let d = ValueParser.date(text)
        #expect(d == Self.august5)
        #expect(d?.dayNumber == 18_113)
        #expect(d?.description == "2019-08-05")
        #expect(d?.weekday == .monday)
    }

    @Test("dates that are not dates", arguments: [
        "2019/2/30", "2019/13/1", "2019-8", "19/8/5", "2019/8/5x", "",
        "2019-08/05", "2019/0/5", "2019/8/0", "2019/8/32", "2019年8月5", "201985", "2019080",
        "201908050", "2019-08-05T10:00", "2019 8 5", "abcd-ef-gh", "0019-08-05", " ",
    ])
    func invalidDates(_ text: String) {
        #expect(ValueParser.date(text) == nil)
    }

    @Test("leap years", arguments: [
        ("2020/2/29", true), ("2019/2/29", false), ("2000-02-29", true), ("1900-02-29", false),
        ("2100-02-29", false), ("2024年2月29日", true), ("20230229", false), ("2019/2/28", true),
    ])
    func leapYears(_ text: String, valid: Bool) {
        #expect((ValueParser.date(text) != nil) == valid)
    }

    @Test func leapDayIsTheDayBeforeMarchFirst() throws {
        let leap = try #require(ValueParser.date("2020/2/29"))
        let march1 = try #require(ValueParser.date("2020-03-01"))
        #expect(leap.adding(days: 1) == march1)
        #expect(leap.parts == (2020, 2, 29))
    }

    // MARK: Times

    @Test("times of day, as seconds after midnight", arguments: [
        ("9:00", 32_400), ("09:00", 32_400), ("09:00:00", 32_400), ("24:00", 86_400),
        ("0:00", 0), ("16:05", 57_900), ("23:59:59", 86_399), (" 15:30 ", 55_800),
    ])
    func times(_ text: String, seconds: Int) {
        #expect(ValueParser.time(text) == seconds)
    }

    @Test("times that are not times", arguments: [
        "25:00", "9:60", "9", "", "9:0", "24:01", "24:00:01", "9:00:60", "9:00am", "09:00:00.5",
        "-1:00", "9.30", "123:00", "9:00:0",
    ])
    func invalidTimes(_ text: String) {
        #expect(ValueParser.time(text) == nil)
    }

    // MARK: Instants

    /// 2019-08-05 16:05 in Shanghai (UTC+8) = 2019-08-05T08:05:00Z.
    static let shanghai1605 = 1_564_992_300

    @Test("instants, local ones read in Asia/Shanghai", arguments: [
        ("2019-08-05T16:05:00+08:00", 1_564_992_300),
        ("2019-08-05T16:05:00Z", 1_564_992_300 + 8 * 3600),
        ("2019-08-05T16:05:00z", 1_564_992_300 + 8 * 3600),
        ("2019-08-05T08:05:00Z", 1_564_992_300),
        ("2019-08-05T16:05:00+0800", 1_564_992_300),
        ("2019-08-05T16:05+08", 1_564_992_300),
        ("2019-08-05T03:05:00-05:00", 1_564_992_300),
        ("2019-08-05T16:05:00.250+08:00", 1_564_992_300),
        ("2019/8/5 16:05", 1_564_992_300),
        ("2019/8/5  16:05", 1_564_992_300),
        ("2019-08-05T16:05", 1_564_992_300),
        ("2019-08-05 16:05:00", 1_564_992_300),
        ("2019.8.5 16:05", 1_564_992_300),
        ("2019年8月5日 16:05", 1_564_992_300),
        ("20190805 16:05", 1_564_992_300),
        ("2019/8/5 9:00", 1_564_966_800),
        ("2019/8/5 24:00", 1_565_020_800),
        // RFC 3339's lower case, and ISO 8601's basic form.
        ("2019-08-05t08:05:00z", 1_564_992_300),
        ("2019-08-05t16:05+08:00", 1_564_992_300),
        ("20190805T160500+0800", 1_564_992_300),
        ("20190805T080500Z", 1_564_992_300),
        ("20190805T1605+08", 1_564_992_300),
        ("20190805T160500", 1_564_992_300),
        ("20190805T160500.25+0800", 1_564_992_300),
        ("2019-08-05T160500+08:00", 1_564_992_300),
        ("20190805T2400", 1_565_020_800), // the day's end, as 24:00 is
    ])
    func instants(_ text: String, epoch: Int) {
        #expect(ValueParser.instant(text, in: .shanghai) == epoch)
    }

    @Test func localInstantFollowsTheCampaignZone() throws {
        let utc = try #require(CampaignZone(identifier: "UTC"))
        #expect(ValueParser.instant("2019/8/5 16:05", in: utc) == Self.shanghai1605 + 8 * 3600)
        // An explicit offset does not depend on the zone.
        #expect(ValueParser.instant("2019-08-05T16:05:00+08:00", in: utc) == Self.shanghai1605)
    }

    @Test("not instants: a date alone, a time alone, bad offsets", arguments: [
        "2019-08-05", "2019/8/5", "2019年8月5日", "16:05", "", "2019-08-05T", "2019-08-05T25:00",
        "2019-08-05T16:05:00+8", "2019-08-05T16:05:00+08:60", "2019-08-05T16:05:00+15:00",
        "2019-08-05T16:05:00+08:00x", "2019-08-05T16:05:00ZZ", "2019-02-30 10:00", "2019/8/5,16:05",
        "2019/8/5 16", "2019-08-05T16:05:00 +08:00",
        // The basic form only after a `T`, of four or six digits, in range.
        "20190805 160500", "20190805T16050", "20190805T1605001", "20190805T166000", "20190805T250000",
        "20190805T16", "20190805T1605:00", "20190805T240100",
    ])
    func invalidInstants(_ text: String) {
        #expect(ValueParser.instant(text, in: .shanghai) == nil)
    }

    @Test func zoneConversionsRoundTrip() {
        let zone = CampaignZone.shanghai
        #expect(zone.iso8601(Self.shanghai1605) == "2019-08-05T16:05:00+08:00")
        #expect(zone.format(Self.shanghai1605) == "2019-08-05 16:05")
        #expect(zone.date(of: Self.shanghai1605) == Self.august5)
        #expect(zone.instant(Self.august5, at: 16 * 3600 + 5 * 60) == Self.shanghai1605)
        // 2019-08-04T16:00:00Z is already Monday in Shanghai.
        #expect(zone.date(of: 1_564_934_400) == Self.august5)
        #expect(zone.date(of: 1_564_934_399) == Self.august5.adding(days: -1))
    }

    // MARK: Hours

    @Test("hours, as whole seconds", arguments: [
        ("2.5", 9000), ("2.5h", 9000), ("2.5H", 9000), ("2.5 h", 9000), ("2.5小时", 9000), ("2.5 小时", 9000), ("2.5\u{3000}小时", 9000), ("2.5\u{3000}h", 9000),
        ("2:30", 9000), ("0.6", 2160), ("3.8", 13_680), ("5", 18_000), ("5h", 18_000),
        ("0:45", 2700), (".5", 1800), ("1.25", 4500), (" 2.5 ", 9000), ("12", 43_200),
        ("0.0001", 0), ("0.0002", 1), ("1.999999", 7200), ("0", 0),
    ])
    func hours(_ text: String, seconds: Int) {
        #expect(ValueParser.hours(text) == seconds)
    }

    @Test func decimalHoursAddUpExactly() throws {
        // 0.6 + 3.8 + 0.6 is 4.999999999999999 in binary floating point; the week must be 5 h.
        let parts = try ["0.6", "3.8", "0.6"].map { try #require(ValueParser.hours($0)) }
        #expect(parts == [2160, 13_680, 2160])
        #expect(parts.reduce(0, +) == 18_000)
        #expect(parts.reduce(0, +) == ValueParser.hours("5"))
    }

    @Test("not hours", arguments: [
        "abc", "2:75", "-1", "", "2.5x", "2:3", "2..5", "h", "2.", "2:60", "1,5", "2.5 小时 h",
        "two", "-0.5", "2:30:00", "1234567",
    ])
    func invalidHours(_ text: String) {
        #expect(ValueParser.hours(text) == nil)
    }

    // MARK: Booleans

    @Test("booleans", arguments: [
        ("是", true), ("否", false), ("yes", true), ("no", false), ("y", true), ("n", false),
        ("true", true), ("false", false), ("1", true), ("0", false), ("√", true), ("", false),
        ("YES", true), ("No", false), ("TRUE", true), (" 是 ", true), ("\u{3000}", false),
    ])
    func booleans(_ text: String, value: Bool) {
        #expect(ValueParser.boolean(text) == value)
    }

    @Test("not booleans", arguments: ["maybe", "2", "是的", "yes!", "-", "ok"])
    func invalidBooleans(_ text: String) {
        #expect(ValueParser.boolean(text) == nil)
    }

    // MARK: CivilDate

    @Test func civilDateRejectsDaysThatDoNotExist() {
        #expect(CivilDate(year: 2019, month: 2, day: 30) == nil)
        #expect(CivilDate(year: 2019, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2019, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2019, month: 4, day: 31) == nil)
        #expect(CivilDate(year: 2019, month: 12, day: 31)?.description == "2019-12-31")
        #expect(CivilDate(dayNumber: 0).description == "1970-01-01")
        #expect(CivilDate(dayNumber: 0).weekday == .thursday)
    }

    @Test func civilDateRoundTripsEveryDayOfFourHundredYears() {
        // One Gregorian cycle starting 2000-03-01: days ↔ parts must agree everywhere.
        let start = CivilDate(year: 2000, month: 3, day: 1)!.dayNumber
        var failures: [Int] = []
        for n in start..<(start + 146_097) {
            let (y, m, d) = CivilDate(dayNumber: n).parts
            if CivilDate(year: y, month: m, day: d)?.dayNumber != n { failures.append(n) }
        }
        #expect(failures.isEmpty)
        #expect(CivilDate(year: 2400, month: 3, day: 1)!.dayNumber == start + 146_097)
    }

    @Test("an end of 24:00 is shown as 24:00, not as the next midnight; a time past midnight wraps")
    func endOfDayIsShownAsWritten() {
        #expect(TimeOfDay.format(86_400) == "24:00")
        #expect(TimeOfDay.format(86_400, seconds: true) == "24:00:00")
        #expect(TimeOfDay.format(0) == "00:00")
        #expect(TimeOfDay.format(86_400 + 3_600) == "01:00")
        #expect(ValueParser.time("24:00") == 86_400)
        // In a workbook an end of 24:00 is its text: a time cell of one whole day shows 00:00.
        #expect(CellValue.timeOfDay("24:00") == nil)
        #expect(CellValue.timeOfDay("09:00")?.fraction == 0.375)
    }

    @Test("a local time the clock skips (summer time starting) is read as far after the jump as it was after the skipped hour; an hour given twice is its first")
    func summerTimeGap() throws {
        let newYork = try #require(CampaignZone(identifier: "America/New_York"))
        let day = try #require(CivilDate(year: 2019, month: 3, day: 10))
        // 02:45 does not exist on 2019-03-10 (02:00 EST jumps to 03:00 EDT): 03:45 EDT, 07:45 UTC.
        let skipped = newYork.instant(day, at: 2 * 3600 + 45 * 60)
        #expect(newYork.format(skipped) == "2019-03-10 03:45")
        #expect(skipped == newYork.instant(day, at: 3 * 3600 + 45 * 60))
        // Times around it are as written.
        #expect(newYork.format(newYork.instant(day, at: 3600 + 45 * 60)) == "2019-03-10 01:45")
        #expect(newYork.format(newYork.instant(day, at: 3 * 3600)) == "2019-03-10 03:00")
        // 2019-11-03 01:30 happens twice (EDT, then EST): a valid reading, shown as written.
        let fallBack = try #require(CivilDate(year: 2019, month: 11, day: 3))
        #expect(newYork.format(newYork.instant(fallBack, at: 5_400)) == "2019-11-03 01:30")
        // East of Greenwich too: Berlin's 02:30 on 2019-10-27 is first 02:30 CEST (00:30 UTC).
        let berlin = try #require(CampaignZone(identifier: "Europe/Berlin"))
        let october = try #require(CivilDate(year: 2019, month: 10, day: 27))
        #expect(berlin.instant(october, at: 9_000) == 1_572_136_200)
        // Berlin's 02:30 on 2019-03-31 is skipped: 03:30 CEST.
        let march = try #require(CivilDate(year: 2019, month: 3, day: 31))
        #expect(berlin.format(berlin.instant(march, at: 9_000)) == "2019-03-31 03:30")
        // Shanghai has no jump: every local time is itself.
        let d = try #require(CivilDate(year: 2019, month: 8, day: 5))
        #expect(CampaignZone.shanghai.instant(d, at: 9 * 3600) == 1_564_966_800)
    }
}
