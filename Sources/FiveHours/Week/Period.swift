/// The days a report covers: one day (the daily bulletin), one week (the weekly summary), a
/// month (the monthly assessment), a year (the year's roll-up), or any range of dates.
///
/// A period owns the window of the import: the days whose sessions become records
/// (`sessionDays`). Rows outside it are still read, validated and checked for duplicates — the
/// duplicate rule and `manifest.json`'s accounting look at every row — but they are not kept.
/// The stages after the import take the period, never a window of their own.
public struct Period: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case day, week, month, year, range
    }

    public let kind: Kind
    /// The first and last day, both inclusive.
    public let first: CivilDate
    public let last: CivilDate

    /// - Precondition: `first <= last`.
    public init(kind: Kind, first: CivilDate, last: CivilDate) {
        precondition(first <= last, "a period ends after it begins")
        self.kind = kind
        self.first = first
        self.last = last
    }

    public static func day(_ date: CivilDate) -> Period { Period(kind: .day, first: date, last: date) }

    public static func week(_ week: Week) -> Period { Period(kind: .week, first: week.firstDay, last: week.lastDay) }

    /// The calendar month `month` (1–12) of `year`; nil for a month that does not exist.
    public static func month(_ month: Int, of year: Int) -> Period? {
        guard let first = CivilDate(year: year, month: month, day: 1) else { return nil }
        let last = CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))!
        return Period(kind: .month, first: first, last: last)
    }

    /// The calendar year `year`; nil outside 1…9999.
    public static func year(_ year: Int) -> Period? {
        guard (1...9999).contains(year), let first = CivilDate(year: year, month: 1, day: 1),
              let last = CivilDate(year: year, month: 12, day: 31) else { return nil }
        return Period(kind: .year, first: first, last: last)
    }

    public static func range(_ first: CivilDate, _ last: CivilDate) -> Period { Period(kind: .range, first: first, last: last) }

    public var days: ClosedRange<CivilDate> { first...last }

    public var dayCount: Int { first.days(to: last) + 1 }

    public func contains(_ date: CivilDate) -> Bool { date >= first && date <= last }

    /// The weeks (ending on `endsOn`) that belong to the period: those whose last day falls in
    /// it. A week belongs to the month and the year of its last day, so that every week belongs
    /// to exactly one month and one year, and the weeks of the twelve months are the year's.
    public func weeks(endsOn: Weekday) -> [Week] {
        var week = Week.containing(first, endsOn: endsOn)
        var out: [Week] = []
        while week.lastDay <= last {
            out.append(week)
            week = Week(lastDay: week.lastDay.adding(days: 7))
        }
        return out
    }

    /// The days whose sessions the report needs as records: its own days, the days of the weeks
    /// that belong to it (a month's first week may begin in the month before), and the eve of
    /// the first of them, whose sessions may run past midnight into it.
    public func sessionDays(endsOn: Weekday) -> ClosedRange<CivilDate> {
        let weeks = weeks(endsOn: endsOn)
        let start = min(first, weeks.first?.firstDay ?? first)
        let end = max(last, weeks.last?.lastDay ?? last)
        return start.adding(days: -1)...end
    }

    /// Whether the report shows its sessions' own words and media (activity, place, title,
    /// description, photos): only a day's bulletin lists its sessions; a week, a month and a
    /// year count and judge them. The import keeps a session's text only when this is true.
    public var showsSessionText: Bool { kind == .day }

    /// The smallest period covering both.
    public func union(_ other: Period) -> Period {
        Period(kind: .range, first: min(first, other.first), last: max(last, other.last))
    }

    /// `2019-08-03 … 2019-08-09`, or one date for a day.
    public var description: String { first == last ? "\(first)" : "\(first) … \(last)" }
}
