/// Strict, hand-written parsers for the value spellings of the contract (§3).
///
/// Nothing is guessed: a day that does not exist, a stray character or an out-of-range field
/// is `nil`, and the caller turns that into a reject that names the cell. They work on UTF-8
/// bytes because the importers hand them slices of a mapped file; `String` overloads wrap them.
public enum ValueParser {
    // MARK: Dates

    /// `2019-08-05`, `2019/8/5`, `2019.8.5`, `2019年8月5日`, `20190805`.
    public static func date(_ s: String) -> CivilDate? { withBytes(s) { date($0) } }

    public static func date(_ raw: UnsafeBufferPointer<UInt8>) -> CivilDate? {
        var c = Cursor(trimming: raw)
        guard let d = c.date(), c.atEnd else { return nil }
        return d
    }

    // MARK: Times

    /// `9:00`, `09:00`, `09:00:00`, as seconds since midnight; `24:00` is accepted as the end
    /// of the day.
    public static func time(_ s: String) -> Int? { withBytes(s) { time($0) } }

    public static func time(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        var c = Cursor(trimming: raw)
        guard let t = c.time(), c.atEnd else { return nil }
        return t
    }

    // MARK: Instants

    /// An ISO 8601 instant with offset (`2019-08-05T16:05:00+08:00`, `…Z`), or a date in any
    /// spelling followed by `T` or spaces and a time, read in `zone` (`2019/8/5 16:05`).
    /// ISO 8601's basic form is read too (`20190805T160500+0800`, the time's digits without
    /// colons after a `T`), and RFC 3339's lower-case `t` and `z`. A date alone is not an instant.
    /// - Returns: seconds since 1970-01-01T00:00:00Z.
    public static func instant(_ s: String, in zone: CampaignZone) -> Int? {
        withBytes(s) { instant($0, in: zone) }
    }

    public static func instant(_ raw: UnsafeBufferPointer<UInt8>, in zone: CampaignZone) -> Int? {
        var c = Cursor(trimming: raw)
        guard let local = c.localDateTime() else { return nil }
        if c.atEnd { return zone.utc(fromLocal: local) }
        // Offset: Z, +08:00, +0800, +08
        if c.peek == UInt8(ascii: "Z") || c.peek == UInt8(ascii: "z") {
            c.advance()
            return c.atEnd ? local : nil
        }
        guard let sign = c.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        c.advance()
        guard let hh = c.digits(exactly: 2), hh <= 14 else { return nil }
        var mm = 0
        if c.peek == UInt8(ascii: ":") {
            c.advance()
            guard let m = c.digits(exactly: 2), m < 60 else { return nil }
            mm = m
        } else if !c.atEnd {
            guard let m = c.digits(exactly: 2), m < 60 else { return nil }
            mm = m
        }
        guard c.atEnd else { return nil }
        let offset = (hh * 3600 + mm * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        return local - offset
    }

    // MARK: Hours

    /// `2.5`, `2.5h`, `2.5小时`, `2:30` (h:mm), as whole seconds (rounded half up).
    public static func hours(_ s: String) -> Int? { withBytes(s) { hours($0) } }

    public static func hours(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        var c = Cursor(trimming: raw)
        guard let whole = c.number(maxDigits: 6) else {
            // ".5" is how some people write half an hour.
            guard c.peek == UInt8(ascii: ".") else { return nil }
            return fractionalHours(whole: 0, cursor: &c)
        }
        if c.peek == UInt8(ascii: ":") {
            c.advance()
            guard let m = c.digits(exactly: 2), m < 60, c.atEnd else { return nil }
            return whole * 3600 + m * 60
        }
        return fractionalHours(whole: whole, cursor: &c)
    }

    private static func fractionalHours(whole: Int, cursor c: inout Cursor) -> Int? {
        var numerator = 0, denominator = 1
        if c.peek == UInt8(ascii: ".") {
            c.advance()
            var n = 0
            while let b = c.peek, b >= 48, b <= 57 {
                if n < 9 { numerator = numerator * 10 + Int(b - 48); denominator *= 10 }
                n += 1
                c.advance()
            }
            guard n > 0 else { return nil }
        }
        // Spaces before the unit, the full-width one too (`2.5　小时`), as around the value.
        while true {
            if c.peek == UInt8(ascii: " ") { c.advance(); continue }
            if c.consume(Cursor.ideographicSpace) { continue }
            break
        }
        if c.peek == UInt8(ascii: "h") || c.peek == UInt8(ascii: "H") {
            c.advance()
        } else {
            _ = c.consume(Cursor.xiaoshi)
        }
        guard c.atEnd else { return nil }
        // Round half up to whole seconds: exact for every spelling with up to 9 decimals.
        let fractionSeconds = (numerator * 3600 * 2 + denominator) / (2 * denominator)
        return whole * 3600 + fractionSeconds
    }

    // MARK: Booleans

    /// `是/否`, `yes/no`, `y/n`, `true/false`, `1/0`, `√`/`✓`/`✔` (yes), `×` (no), empty (no).
    public static func boolean(_ s: String) -> Bool? {
        // The spellings rosters use, as written, before trimming and folding the case.
        switch s {
        case "是", "1", "√", "Y", "y": return true
        case "否", "0", "", "×", "N", "n": return false
        default: break
        }
        switch s.trimmingSpaces.lowercased() {
        case "是", "yes", "y", "true", "1", "√", "✓", "✔", "t": return true
        case "否", "no", "n", "false", "0", "", "×", "f": return false
        default: return nil
        }
    }

    static func withBytes<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var s = s
        return s.withUTF8(body)
    }
}

/// A read position over UTF-8 bytes with the small steps the value grammars need.
struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let end: Int

    static let nian: [UInt8] = Array("年".utf8)
    static let yue: [UInt8] = Array("月".utf8)
    static let ri: [UInt8] = Array("日".utf8)
    static let hao: [UInt8] = Array("号".utf8)
    static let xiaoshi: [UInt8] = Array("小时".utf8)
    static let ideographicSpace: [UInt8] = [0xE3, 0x80, 0x80]

    /// The bytes as they are.
    init(untrimmed raw: UnsafeBufferPointer<UInt8>) {
        bytes = raw
        index = 0
        end = raw.count
    }

    /// Skips ASCII white space and U+3000 at both ends.
    init(trimming raw: UnsafeBufferPointer<UInt8>) {
        bytes = raw
        var s = 0, e = raw.count
        while true {
            if s < e, raw[s] == 32 || raw[s] == 9 { s += 1; continue }
            if s + 2 < e, raw[s] == 0xE3, raw[s + 1] == 0x80, raw[s + 2] == 0x80 { s += 3; continue }
            break
        }
        while true {
            if e > s, raw[e - 1] == 32 || raw[e - 1] == 9 || raw[e - 1] == 13 || raw[e - 1] == 10 { e -= 1; continue }
            if e - 3 >= s, raw[e - 3] == 0xE3, raw[e - 2] == 0x80, raw[e - 1] == 0x80 { e -= 3; continue }
            break
        }
        index = s
        end = e
    }

    var atEnd: Bool { index >= end }
    var peek: UInt8? { index < end ? bytes[index] : nil }
    mutating func advance() { index += 1 }

    mutating func consume(_ literal: [UInt8]) -> Bool {
        guard end - index >= literal.count else { return false }
        for (k, b) in literal.enumerated() where bytes[index + k] != b { return false }
        index += literal.count
        return true
    }

    /// 1…maxDigits decimal digits.
    mutating func number(maxDigits: Int) -> Int? {
        var v = 0, n = 0
        while let b = peek, b >= 48, b <= 57, n < maxDigits {
            v = v * 10 + Int(b - 48)
            n += 1
            advance()
        }
        if let b = peek, b >= 48, b <= 57 { return nil }
        return n == 0 ? nil : v
    }

    mutating func digits(exactly count: Int) -> Int? {
        guard end - index >= count else { return nil }
        var v = 0
        for k in 0..<count {
            let b = bytes[index + k]
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        index += count
        return v
    }

    /// One of the contract's five date spellings, leaving the cursor after it.
    mutating func date() -> CivilDate? {
        let start = index
        // 20190805: exactly eight digits not followed by a separator digit run.
        var run = 0
        while index + run < end, bytes[index + run] >= 48, bytes[index + run] <= 57 { run += 1 }
        if run == 8 {
            let y = digits(exactly: 4)!, m = digits(exactly: 2)!, d = digits(exactly: 2)!
            return CivilDate(year: y, month: m, day: d)
        }
        guard run == 4, let y = digits(exactly: 4) else { index = start; return nil }
        if consume(Cursor.nian) {
            guard let m = number(maxDigits: 2), consume(Cursor.yue), let d = number(maxDigits: 2) else { return nil }
            guard consume(Cursor.ri) || consume(Cursor.hao) else { return nil }
            return CivilDate(year: y, month: m, day: d)
        }
        guard let sep = peek, sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") else { return nil }
        advance()
        guard let m = number(maxDigits: 2), peek == sep else { return nil }
        advance()
        guard let d = number(maxDigits: 2) else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    /// A date in any spelling, then `T` or spaces, then a time: local wall-clock seconds since
    /// the epoch, leaving the cursor where an offset may follow.
    mutating func localDateTime() -> Int? {
        guard let d = date() else { return nil }
        return clock(on: d.dayNumber)
    }

    /// `localDateTime()`, its date part (the bytes before the first `T` or space, which no
    /// date spelling holds) read through `dates`: a log's instants repeat their dates.
    mutating func localDateTime(dates: inout CellMemo) -> Int? {
        var k = index
        while k < end, bytes[k] != UInt8(ascii: "T"), bytes[k] != UInt8(ascii: "t"), bytes[k] != UInt8(ascii: " ") { k += 1 }
        let day = dates.value(of: UnsafeBufferPointer(rebasing: bytes[index..<k])) { token in
            var c = Cursor(untrimmed: token)
            guard let d = c.date(), c.atEnd else { return nil }
            return d.dayNumber
        }
        guard let day else { return nil }
        index = k
        return clock(on: day)
    }

    /// After an instant's date: `T` (or `t`) or spaces, then a time; local wall-clock seconds.
    /// After a `T` the time may be in ISO 8601's basic form (`160500`, `1605`).
    private mutating func clock(on day: Int) -> Int? {
        if peek == UInt8(ascii: "T") || peek == UInt8(ascii: "t") {
            advance()
            if let t = basicTime() { return day * 86_400 + t }
        } else {
            guard peek == UInt8(ascii: " ") else { return nil }
            while peek == UInt8(ascii: " ") { advance() }
        }
        guard let t = time(allowFraction: true) else { return nil }
        return day * 86_400 + t
    }

    /// ISO 8601's basic time: `HHMM` or `HHMMSS` (with an optional `.fff`), digits not followed
    /// by a colon; nil, the cursor unmoved, for anything else.
    private mutating func basicTime() -> Int? {
        var run = 0
        while index + run < end, bytes[index + run] >= 48, bytes[index + run] <= 57 { run += 1 }
        guard run == 4 || run == 6, index + run == end || bytes[index + run] != UInt8(ascii: ":") else { return nil }
        let start = index
        let h = digits(exactly: 2)!, m = digits(exactly: 2)!, s = run == 6 ? digits(exactly: 2)! : 0
        if run == 6, peek == UInt8(ascii: ".") {
            advance()
            guard number(maxDigits: 9) != nil else { index = start; return nil }
        }
        guard m < 60, s < 60, let t = Cursor.secondsOfDay(h, m, s) else { index = start; return nil }
        return t
    }

    /// A time of day as seconds since midnight: hours to 23, or 24:00 exactly (the day's end).
    static func secondsOfDay(_ h: Int, _ m: Int, _ s: Int) -> Int? {
        guard h < 24 || (h == 24 && m == 0 && s == 0) else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// `H:MM`, `HH:MM` or `HH:MM:SS` (with an optional `.fff` when allowed), as seconds.
    mutating func time(allowFraction: Bool = false) -> Int? {
        guard let h = number(maxDigits: 2), peek == UInt8(ascii: ":") else { return nil }
        advance()
        guard let m = digits(exactly: 2), m < 60 else { return nil }
        var s = 0
        if peek == UInt8(ascii: ":") {
            advance()
            guard let sec = digits(exactly: 2), sec < 60 else { return nil }
            s = sec
            if allowFraction, peek == UInt8(ascii: ".") {
                advance()
                guard number(maxDigits: 9) != nil else { return nil }
            }
        }
        return Cursor.secondsOfDay(h, m, s)
    }
}
