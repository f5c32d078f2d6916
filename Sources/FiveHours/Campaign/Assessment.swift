/// The campaign file's `assessment:` section: how the monthly civility assessment (每月精神文明建设
/// 月考核) scores a unit and how the year-end awards (评优评先) read volunteers' hours.
///
/// Every key is optional; the defaults below are what a campaign file without the section gets
/// (docs/rollups.md explains each part of the score).
public struct Assessment: Sendable, Equatable {
    /// Points of each part of a unit's score; the score is the weighted mean of the parts that
    /// apply, out of 100.
    public struct Weights: Sendable, Equatable {
        /// The five-hour compliance of the unit's volunteers over the period's weeks.
        public var compliance: Double = 50
        /// Daily bulletins on time (a late one earns `lateCredit`).
        public var dailyBulletins: Double = 20
        /// Weekly summaries on time (a late one earns `lateCredit`).
        public var weeklySummaries: Double = 15
        /// Weeks with exactly `liaisons_per_unit` liaisons.
        public var liaison: Double = 10
        /// The roster handed in by `rules.roster_due` (only when the campaign sets it).
        public var roster: Double = 5
        public init() {}
    }

    public var weights = Weights()
    /// The share of a deadline's points that a late submission earns (0…1).
    public var lateCredit: Double = 0.5
    /// Cumulative hours for the star levels (星级志愿者), ascending: by default the national
    /// volunteer star levels, one to five stars at 100, 300, 600, 1,000 and 1,500 hours.
    public var starHours: [Int] = [100, 300, 600, 1000, 1500]

    public init() {}

    /// The star level (0 = none) of a volunteer with this many counted seconds, judged on the
    /// hours as the reports show them (hundredths, rounded half up): `10.00` hours beside 0 stars
    /// at a 10-hour level would contradict itself.
    public func stars(seconds: Int) -> Int {
        let cents = Hours.cents(seconds)
        var n = 0
        for h in starHours where cents >= h * 100 { n += 1 }
        return n
    }
}
