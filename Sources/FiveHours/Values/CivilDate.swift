import Foundation
/// A calendar day with no time zone: what a liaison writes in a date cell.
///
/// Stored as a day number (days since 1970-01-01, proleptic Gregorian) so that weeks,
/// ranges and differences are integer arithmetic; `year`, `month` and `day` are derived.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let dayNumber: Int

    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// A date from its parts, or nil when the day does not exist (2019-02-30, 2019-13-01).
    public init?(year: Int, month: Int, day: Int) {
        guard year >= 1900, year <= 9999, month >= 1, month <= 12, day >= 1,
              day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.dayNumber = CivilDate.dayNumber(year: year, month: month, day: day)
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDate) -> Int { other.dayNumber - dayNumber }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public var weekdayIndex: Int { ((dayNumber % 7) + 7 + 3) % 7 }

    public var weekday: Weekday { Weekday(rawValue: weekdayIndex)! }

    public var parts: (year: Int, month: Int, day: Int) { CivilDate.civil(from: dayNumber) }
    public var year: Int { parts.year }
    public var month: Int { parts.month }
    public var day: Int { parts.day }

    /// ISO form, `2019-08-05`.
    public var description: String {
        let p = parts
        guard (0...9999).contains(p.year) else { return "\(p.year)-\(p.month < 10 ? "0" : "")\(p.month)-\(p.day < 10 ? "0" : "")\(p.day)" }
        return String(unsafeUninitializedCapacity: 10) { b in CivilDate.writeDigits(p, into: b.baseAddress!); return 10 }
    }

    /// `description`'s bytes appended to `out`: a year's roll-up writes millions of dates.
    func write(to out: inout [UInt8]) {
        let p = parts // worked out once: it is most of the cost
        guard (0...9999).contains(p.year) else { out += Array(description.utf8); return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { b in
            CivilDate.writeDigits(p, into: b.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(b))
        }
    }

    /// Ten ASCII digits and dashes written in place (a year of four digits).
    private static func writeDigits(_ p: (year: Int, month: Int, day: Int), into b: UnsafeMutablePointer<UInt8>) {
        let (y, m, d) = p
        b[0] = UInt8(48 + y / 1000); b[1] = UInt8(48 + y / 100 % 10); b[2] = UInt8(48 + y / 10 % 10); b[3] = UInt8(48 + y % 10)
        b[4] = 45; b[5] = UInt8(48 + m / 10); b[6] = UInt8(48 + m % 10)
        b[7] = 45; b[8] = UInt8(48 + d / 10); b[9] = UInt8(48 + d % 10)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(from z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// A day of the week, Monday first, spelled as the campaign file spells it.
public enum Weekday: Int, CaseIterable, Sendable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// `friday`, `fri`, `周五`, `星期五` — case-insensitive.
    public init?(spelling: String) {
        let s = spelling.trimmingSpaces.lowercased()
        let table: [(Weekday, [String])] = [
            (.monday, ["monday", "mon", "周一", "星期一"]),
            (.tuesday, ["tuesday", "tue", "tues", "周二", "星期二"]),
            (.wednesday, ["wednesday", "wed", "周三", "星期三"]),
            (.thursday, ["thursday", "thu", "thur", "thurs", "周四", "星期四"]),
            (.friday, ["friday", "fri", "周五", "星期五"]),
            (.saturday, ["saturday", "sat", "周六", "星期六"]),
            (.sunday, ["sunday", "sun", "周日", "星期日", "周天", "星期天"]),
        ]
        guard let hit = table.first(where: { $0.1.contains(s) }) else { return nil }
        self = hit.0
    }

    public var key: String {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue]
    }
}

extension StringProtocol {
    /// The string without leading and trailing white space, including the ideographic
    /// space U+3000 that Chinese input methods type.
    var trimmingSpaces: String {
        var copy = String(self)
        return copy.withUTF8 { raw in
            let t = UnicodeTrim.trim(raw)
            return t.count == raw.count ? nil : String(decoding: t, as: UTF8.self)
        } ?? copy
    }
}

extension String {
    /// True when both hold the same UTF-8 bytes: a quick, sure "equal" for names that repeat in
    /// every row (units, teams). `==` compares canonical equivalence, which for Chinese text means
    /// a Unicode normalisation check on every call; use this first, and `==` when it says no.
    @inline(__always)
    func sameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        func same(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
            x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
        }
        // Read in place: a copy of a shared name counts a reference on it, and a year's sessions
        // compare a few names millions of times from both cores (one contended counter).
        if let r = utf8.withContiguousStorageIfAvailable({ x in other.utf8.withContiguousStorageIfAvailable { y in same(x, y) } }), let r {
            return r
        }
        var a = self, b = other
        return a.withUTF8 { x in b.withUTF8 { y in same(x, y) } }
    }
}
