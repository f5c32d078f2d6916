import Testing
@testable import FiveHours

@Suite struct PeriodTests {
    let friday = Weekday.friday

    @Test func aWeekBelongsToTheMonthOfItsLastDay() throws {
        let august = try #require(Period.month(8, of: 2019))
        let weeks = august.weeks(endsOn: friday).map { "\($0.lastDay)" }
        #expect(weeks == ["2019-08-02", "2019-08-09", "2019-08-16", "2019-08-23", "2019-08-30"])
        // The first week begins in July; its eve is the day before.
        #expect(august.sessionDays(endsOn: friday) == CivilDate(year: 2019, month: 7, day: 26)!...CivilDate(year: 2019, month: 8, day: 31)!)
        let july = try #require(Period.month(7, of: 2019))
        #expect(july.weeks(endsOn: friday).last?.lastDay == CivilDate(year: 2019, month: 7, day: 26))
    }

    @Test func theWeeksOfTheTwelveMonthsAreTheYears() throws {
        for year in [2019, 2020, 2024] {
            let all = try (1...12).flatMap { try #require(Period.month($0, of: year)).weeks(endsOn: friday) }
            #expect(all == (try #require(Period.year(year))).weeks(endsOn: friday))
            #expect(Set(all.map(\.lastDay)).count == all.count)
        }
    }

    @Test func impossiblePeriodsAreNil() {
        #expect(Period.month(13, of: 2019) == nil)
        #expect(Period.month(0, of: 2019) == nil)
        #expect(Period.year(0) == nil)
        #expect(Period.month(2, of: 2024)?.dayCount == 29)
    }

    @Test func aDayAndAWeekAreTheirOwnDays() {
        let d = CivilDate(year: 2019, month: 8, day: 7)!
        #expect(Period.day(d).sessionDays(endsOn: friday) == d.adding(days: -1)...d)
        let w = Week(lastDay: CivilDate(year: 2019, month: 8, day: 9)!)
        #expect(Period.week(w).sessionDays(endsOn: friday) == w.firstDay.adding(days: -1)...w.lastDay)
        #expect(Period.week(w).weeks(endsOn: friday) == [w])
    }
}
