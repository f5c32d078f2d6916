import Dispatch
/// Keeps phone numbers out of every output: the rosters' own numbers, anything shaped like a
/// mainland mobile number (1[3-9] and nine more digits, with or without +86 / 0086), and
/// landlines written with an area code (`010-62345678`, `(0371) 6234 5678`, `01062345678`, and
/// after the country code with or without the area code's 0: `+86 10 6234 5678`).
///
/// Digits are read in ASCII and full-width (`１３８…`); between digit groups any of the
/// separators people type stands (up to six in a row): space, tab, `- _ . / ~ ( ) [ ]`, the
/// middle dots `· ・`, dashes and minus signs (`‐ ‑ ‒ – — − ﹣`), the soft hyphen, the full-width
/// `－ ． ／ ～ ＿ （ ） ［ ］`, no-break, thin, narrow, zero-width and ideographic spaces, `〜`, and the
/// invisible direction marks, bidi embeddings, overrides and isolates. A line
/// break (Excel's Alt+Enter, U+2028) joins two runs of digits only when the two whole runs make a
/// number together and neither is a date (`137⏎0011 0010`), never a number at a line's end with
/// the next line's date. The plus of a prefix may be `+` or `＋`; the trunk `0` before a mobile
/// number (`0138…`, `0 138…`, `+86 0138…`) is read as a prefix too, when it begins a group of its
/// own or the mobile's first group — never the tail of a date's `01`.
///
/// It touches phone numbers only: a date (`2019-08-09`, `2019/8/5`), an id such as `V001`
/// followed by a date, a time or an amount of hours stays as written. A landline needs a real
/// area code (`010`, `02x`, `0[3-9]xx`) followed by a local number of 7 or 8 digits that starts
/// with 2–9 and is written as one group or as 3/4 + 4 digits, and is not glued to a letter
/// before it; a date's 4-2-2 groups never fit that.
///
/// Each digit of a number found becomes `*`; everything else is kept byte for byte.
public enum PhoneScrubber {
    /// What a scalar is to the scrubber.
    enum Class: UInt8 { case other, digit, separator, plus, open, letter, lineBreak }

    struct Token {
        var cls: Class
        var value: UInt8 // the digit's ASCII byte
        var start: Int
        var length: Int
    }

    /// The class of an ASCII byte: the one list of the ASCII characters a number's spelling holds.
    @inline(__always)
    static func asciiClass(_ c: UInt8) -> Class {
        switch c {
        case 48...57: return .digit
        case 32, 9, 45, 46, 95, 126, 47, 41, 93: return .separator // space tab - . _ ~ / ) ]
        case 10, 13: return .lineBreak
        case 40, 91: return .open // ( [
        case 43: return .plus
        case 65...90, 97...122: return .letter
        default: return .other
        }
    }

    /// Whether an ASCII byte that is not a digit may stand inside a number's spelling (a
    /// separator, `(` `[` `+`, a line break): the quick tests' stretch of digits goes on past it.
    @inline(__always)
    static func asciiContinuesNumber(_ c: UInt8) -> Bool { continuesNumber(asciiClass(c)) }

    /// Whether a scalar of this class that is not a digit may stand inside a number's spelling:
    /// the scrubber's runs go on over separators and brackets, and join across line breaks; a
    /// `+` starts one. Anything else (a letter, a Chinese character, a comma) ends every run, so
    /// the quick tests' stretch of digits ends there too.
    @inline(__always)
    static func continuesNumber(_ cls: Class) -> Bool {
        switch cls {
        case .separator, .open, .plus, .lineBreak: return true
        default: return false
        }
    }

    /// The quick tests' step over a scalar that is not ASCII, at `b[i]`: whether it is a digit
    /// (full-width), whether the stretch of digits goes on past it, and its length. A Chinese
    /// character between two numbers (`sessions.csv:1026340 的服务时间重叠 2.00`) ends the
    /// stretch, as it ends the scrubber's runs: counting on over it made four in five lines of
    /// a year's findings.csv look as if they might hold a phone number, each then tokenised.
    /// (Chinese numerals are not digits here, as they are not to the scrubber: the one that ends
    /// a name or a day — 王五13800138107, 周一 — would join the number and hide it.)
    @inline(__always)
    static func quickStep(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (digit: Bool, continues: Bool, length: Int) {
        let (cls, _, len) = classify(b, i)
        return (cls == .digit, cls == .digit || continuesNumber(cls), max(len, 1))
    }

    /// The class of the scalar starting at `b[i]`, and its length in bytes.
    @inline(__always)
    static func classify(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Class, UInt8, Int) {
        let c = b[i]
        if c < 0x80 {
            let cls = asciiClass(c)
            return (cls, cls == .digit ? c : 0, 1)
        }
        let n = b.count
        if c == 0xC2, i + 1 < n {
            return (b[i + 1] == 0xB7 || b[i + 1] == 0xA0 || b[i + 1] == 0xAD ? .separator : .other, 0, 2) // · NBSP soft hyphen
        }
        if c == 0xD8, i + 1 < n {
            return (b[i + 1] == 0x9C ? .separator : .other, 0, 2) // U+061C, the Arabic letter mark (invisible)
        }
        if c == 0xE2, i + 2 < n {
            if b[i + 1] == 0x80, (0x90...0x95).contains(b[i + 2]) { return (.separator, 0, 3) } // ‐ ‑ ‒ – — ―
            // U+2000–U+200F (en quad … thin, hair and zero-width spaces, joiners, the left-to-right
            // and right-to-left marks), U+202A–U+202E (bidi embeddings and overrides: a number
            // copied from a web page or a chat may hold them, or be written backwards with them
            // and shown forwards), U+202F (narrow no-break space), U+2060–U+2064 (word joiner,
            // invisible operators), U+2066–U+2069 (bidi isolates); U+2028–U+2029 break lines.
            if b[i + 1] == 0x80, (0x80...0x8F).contains(b[i + 2]) || (0xAA...0xAF).contains(b[i + 2]) { return (.separator, 0, 3) }
            if b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 { return (.lineBreak, 0, 3) }
            if b[i + 1] == 0x81, (0xA0...0xA4).contains(b[i + 2]) || (0xA6...0xA9).contains(b[i + 2]) { return (.separator, 0, 3) }
            if b[i + 1] == 0x88, b[i + 2] == 0x92 { return (.separator, 0, 3) } // −
            return (.other, 0, 3)
        }
        if c == 0xE3, i + 2 < n {
            if b[i + 1] == 0x80, b[i + 2] == 0x80 || b[i + 2] == 0x9C { return (.separator, 0, 3) } // ideographic space, 〜
            if b[i + 1] == 0x83, b[i + 2] == 0xBB { return (.separator, 0, 3) } // ・
            return (.other, 0, 3)
        }
        if c == 0xEF, i + 2 < n {
            if b[i + 1] == 0xBC {
                switch b[i + 2] {
                case 0x90...0x99: return (.digit, b[i + 2] - 0x90 + 48, 3) // ０…９
                case 0x8B: return (.plus, 0, 3) // ＋
                case 0x88, 0xBB: return (.open, 0, 3) // （ ［
                case 0x89, 0x8D, 0x8E, 0x8F, 0xBF, 0xBD: return (.separator, 0, 3) // ） － ． ／ ＿ ］
                default: return (.other, 0, 3)
                }
            }
            if b[i + 1] == 0xBD, b[i + 2] == 0x9E { return (.separator, 0, 3) } // ～
            if b[i + 1] == 0xB9, b[i + 2] == 0xA3 { return (.separator, 0, 3) } // ﹣
            if b[i + 1] == 0xBB, b[i + 2] == 0xBF { return (.separator, 0, 3) } // a stray BOM
            return (.other, 0, 3)
        }
        // Any other lead byte: skip the whole sequence.
        let len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
        return (.other, 0, min(len, n - i))
    }

    /// Whether the text may hold a phone number at all: some stretch of digits (ASCII or
    /// full-width) joined by what may stand inside a number (`continuesNumber`) holds at least
    /// seven digits. A superset of what `scrub` can mask, so a text without one is returned
    /// untouched at the cost of one pass over its bytes (a CSV line such as
    /// `V000123,王继跃,党政办,5.00,5.00,0.00,met` is never tokenised).
    @inline(__always)
    static func mayHoldPhone(_ b: UnsafeBufferPointer<UInt8>, minimum: Int = 7) -> Bool {
        var stretch = DigitStretch()
        var i = 0
        while i < b.count {
            i += stretch.step(b, i)
            if stretch.digits >= minimum { return true }
        }
        return false
    }

    /// The quick tests' count of the digits in the stretch so far (ASCII or full-width, joined by
    /// what may stand inside a number: `continuesNumber`), scalar by scalar — the one rule of
    /// `mayHoldPhone` and of `scrubLines`, which finds the lines to scrub as it counts.
    struct DigitStretch {
        private(set) var digits = 0

        /// Counts the scalar at `b[i]` and gives its length.
        @inline(__always)
        mutating func step(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
            let c = b[i]
            if c &- 48 < 10 { digits += 1; return 1 }
            if c < 0x80 {
                if !asciiContinuesNumber(c) { digits = 0 }
                return 1
            }
            let step = quickStep(b, i)
            if step.digit { digits += 1 } else if !step.continues { digits = 0 }
            return step.length
        }

        mutating func reset() { digits = 0 }
    }

    /// Adds the numbers of a roster's phone cell to `known`, each as its digits in ASCII
    /// (full-width ones converted): how the rosters' numbers are kept for `isKnown`.
    ///
    /// A cell may hold several numbers (`62345678/62345679`, `13800138000，0371-62345679`,
    /// `座机62345678 手机13800138000`). It is cut into pieces at every character that is not part
    /// of a number's own spelling — anything but a digit, `+`, `(` and the separators above, of
    /// which only the slash (`/`, `／`) cuts too. A piece's digit groups are cut again into
    /// numbers: a mobile number (with any prefix) or a landline with its area code
    /// (`+86 138 0013 8000`, `(0371) 6234 5679`) is one number — and a landline's local number
    /// (`62345679`) another, as a text may write it without the area code — a group of seven or
    /// more digits another, and shorter groups are joined until they make seven (`6234 5679`). A piece of
    /// 7 to 15 digits is also known whole, so a spelling no rule above takes (`+1 415 555 0100`)
    /// is still known as the cell wrote it. Numbers of fewer than seven digits are not phone
    /// numbers here and are not kept.
    /// - Complexity: O(n); a cell of ASCII digits alone (one number as most cells hold) is
    ///   inserted as it is.
    static func insertNumbers(of cell: UnsafeBufferPointer<UInt8>, into known: inout Set<String>) {
        if cell.allSatisfy({ $0 &- 48 < 10 }) {
            if cell.count >= 7 { known.insert(String(decoding: cell, as: UTF8.self)) }
            // A landline written as one group (`01062345678`): its local number too. Only a
            // group that begins with its area code's 0 can be one (`landline`): a roster's
            // mobile numbers are not copied into an array to be asked.
            if cell.first == 48, let parts = landline([ArraySlice(cell)][...]) {
                known.insert(String(decoding: cell[parts.local...], as: UTF8.self))
            }
            return
        }
        var d: [UInt8] = [] // the piece's digits
        var groups: [Range<Int>] = [] // its digit groups, as ranges of `d`
        func insert(_ r: Range<Int>) {
            if r.count >= 7 { known.insert(String(decoding: d[r], as: UTF8.self)) }
        }
        func endPiece() {
            defer { d.removeAll(keepingCapacity: true); groups.removeAll(keepingCapacity: true) }
            guard d.count >= 7 else { return }
            if d.count <= 15 { insert(0..<d.count) }
            guard groups.count > 1 else {
                // A landline written as one group (`座机01062345678`): its local number too.
                if let parts = landline([d[...]][...]) { insert(parts.local..<d.count) }
                return
            }
            let digitGroups = groups.map { d[$0] }
            var pending: Range<Int>? = nil // short groups joined so far
            func flush() { if let p = pending { insert(p); pending = nil } }
            var a = 0
            while a < groups.count {
                // The longest span of whole groups from `a` that is a mobile number or a landline.
                var longest = -1
                var landline: (area: Int, local: Int, zeroOmitted: Bool)? = nil
                for e in a..<groups.count {
                    let span = groups[a].lowerBound..<groups[e].upperBound
                    if span.count > 15 { break }
                    if isMobileWithPrefix(d[span]) { longest = e; landline = nil }
                    else if let parts = Self.landline(digitGroups[a...e]) { longest = e; landline = parts }
                }
                if longest >= 0 {
                    flush()
                    let start = groups[a].lowerBound, end = groups[longest].upperBound
                    if let landline {
                        // As a text dials it at home: the area code with its 0 (`+86 371 6888 9999`
                        // is `037168889999`), and the local number alone, the same line dialled in
                        // its own city (`0371-62345679` on the roster, `62345679` in a log).
                        let area = d[(start + landline.area)..<end]
                        if area.count + (landline.zeroOmitted ? 1 : 0) >= 7 {
                            known.insert(String(decoding: (landline.zeroOmitted ? [48] : []) + area, as: UTF8.self))
                        }
                        insert((start + landline.local)..<end)
                        if landline.area > 0 { insert(start..<end) } // as the cell wrote it too
                        // Written after the country code without the area code's 0, also its short
                        // groups joined until they make seven, as a piece no rule takes is
                        // (`863716888` of `+86 371 6888 9999`): a text that glues a digit to its
                        // end (`+86 371 6888 99991`) still has that much masked.
                        if landline.zeroOmitted {
                            var joined: Range<Int>? = nil
                            for g in a...longest {
                                joined = (joined?.lowerBound ?? groups[g].lowerBound)..<groups[g].upperBound
                                if joined!.count >= 7 { insert(joined!); joined = nil }
                            }
                        }
                    } else {
                        insert(start..<end)
                    }
                    a = longest + 1
                    continue
                }
                if groups[a].count >= 7 {
                    flush()
                    insert(groups[a])
                } else {
                    pending = (pending?.lowerBound ?? groups[a].lowerBound)..<groups[a].upperBound
                    if pending!.count >= 7 { flush() }
                }
                a += 1
            }
            flush()
        }
        var i = 0
        var inGroup = false
        while i < cell.count {
            let (cls, value, len) = classify(cell, i)
            switch cls {
            case .digit:
                if !inGroup { groups.append(d.count..<d.count); inGroup = true }
                d.append(value)
                groups[groups.count - 1] = groups[groups.count - 1].lowerBound..<d.count
            case .separator, .plus, .open, .lineBreak:
                inGroup = false
                // A slash, `/` or `／`, stands between two numbers; the other separators within one.
                if cell[i] == 47 || cell[i] == 0xEF && cell[i + 1] == 0xBC && cell[i + 2] == 0x8F { endPiece() }
            case .letter, .other:
                inGroup = false
                endPiece()
            }
            i += len
        }
        endPiece()
    }

    /// True when the cell is a date however its parts are separated: what the contract reads
    /// as one (`ValueParser.date`), or three groups of digits that make a year (1900–2099), a
    /// month and a day in either order (`2019 08 05`, `08/05/2019`).
    static func isDateShaped(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        if ValueParser.date(cell) != nil { return true }
        // A date and a time of day (`2019-08-02 18:45`, `2019/8/2T18:45:00+08:00`): a submission
        // time moved into a phone's place by a ragged row.
        if let cut = cell.firstIndex(where: { $0 == 32 || $0 == 84 }), cut > 0, cut + 1 < cell.count {
            let time = cell[(cut + 1)...]
            if time.contains(58), time.allSatisfy({ $0 &- 48 < 10 || $0 == 58 || $0 == 46 || $0 == 43 || $0 == 45 || $0 == 90 || $0 == 32 }),
               isDateShaped(UnsafeBufferPointer(rebasing: cell[..<cut])) { return true }
        }
        var groups: [[UInt8]] = []
        var i = 0, inGroup = false
        while i < cell.count {
            let (cls, value, len) = classify(cell, i)
            switch cls {
            case .digit:
                if !inGroup {
                    guard groups.count < 3 else { return false }
                    groups.append([]); inGroup = true
                }
                // Five digits of a group are kept at most: a long run (a hostile cell of a
                // million digits) is no date's part, and is not copied.
                if groups[groups.count - 1].count < 5 { groups[groups.count - 1].append(value) }
            case .separator: inGroup = false
            default: return false
            }
            i += len
        }
        return isDate(groups.map { $0[...] })
    }

    /// `insertNumbers(of:into:)` for a cell as a string.
    static func insertNumbers(of cell: String, into known: inout Set<String>) {
        var cell = cell
        cell.withUTF8 { insertNumbers(of: $0, into: &known) }
    }

    /// 1[3-9] and nine more digits (the digits as ASCII bytes).
    static func isMobile(_ d: ArraySlice<UInt8>) -> Bool {
        d.count == 11 && d.first == 49 && d[d.startIndex + 1] >= 51 && d[d.startIndex + 1] <= 57
    }

    /// A mobile number alone, or after +86 / 0086 (written as digits), or after the trunk `0`
    /// (`0138…`, `+86 0138…`) — that `0` only where it begins one of `groups` (the digits' groups
    /// as written) that is the `0` alone or longer than two digits: `2019-08-01 8.5` is no
    /// `0185…`. Without groups (a roster's phone cell), the trunk is not read.
    static func isMobileWithPrefix(_ d: ArraySlice<UInt8>, groups: ArraySlice<ArraySlice<UInt8>>? = nil) -> Bool {
        d.withUnsafeBufferPointer { isMobileWithPrefix($0, groupLengths: groups.map { $0.lazy.map(\.count) }) }
    }

    /// `isMobileWithPrefix` on digits read in place, the groups given by their lengths: what the
    /// scrubber tries on every span of a run, without making slices.
    @inline(__always)
    static func isMobileWithPrefix<S: Sequence<Int>>(_ d: UnsafeBufferPointer<UInt8>, groupLengths: S?) -> Bool {
        guard let trunk = mobileShape(d) else { return false }
        guard trunk >= 0 else { return true }
        guard let groupLengths else { return false }
        return trunkBeginsGroup(at: trunk, groupLengths: groupLengths)
    }

    /// The digits' part of `isMobileWithPrefix`: -1 when `d` is a mobile number alone or after
    /// 86 / 0086; the trunk `0`'s position when it is one after a trunk (`0138…`, `86 0138…`,
    /// `0086 0138…`), which then must begin a group; nil when it is none. Plain bytes, no
    /// slices: the scrubber tries it on every span of a long run.
    @inline(__always)
    static func mobileShape(_ d: UnsafeBufferPointer<UInt8>) -> Int? {
        // The prefix's digits and the trunk's place, by length: 11 none, 12 `0`, 13 `86`,
        // 14 `86 0`, 15 `0086`, 16 `0086 0`.
        let n = d.count
        guard n >= 11, n <= 16 else { return nil }
        let prefix = n - 11
        if n >= 13 {
            let country = n >= 15 ? 2 : 0 // the `00` of 0086
            if n >= 15, d[0] != 48 || d[1] != 48 { return nil }
            if d[country] != 56 || d[country + 1] != 54 { return nil }
        }
        let trunk = n == 12 ? 0 : n == 14 ? 2 : n == 16 ? 4 : -1
        if trunk >= 0, d[trunk] != 48 { return nil }
        // 1[3-9] and nine more digits.
        guard d[prefix] == 49, d[prefix + 1] >= 51, d[prefix + 1] <= 57 else { return nil }
        return trunk
    }

    /// Whether the digit at `trunk` begins one of the groups (as written) that is the `0` alone
    /// or longer than two digits: `2019-08-01 8.5` is no `0185…`.
    static func trunkBeginsGroup(at trunk: Int, groupLengths: some Sequence<Int>) -> Bool {
        var at = 0
        for count in groupLengths {
            if at == trunk { return count == 1 || count > 2 }
            at += count
            if at > trunk { return false }
        }
        return false
    }

    /// A roster's number: looked up only at a length a phone number can have.
    static func isKnown(_ d: ArraySlice<UInt8>, _ known: Set<String>) -> Bool {
        mayBeKnown(d.count, known) && known.contains(String(decoding: d, as: UTF8.self))
    }

    /// The lengths `isKnown` looks up (a roster's numbers have 7 to 15 digits).
    @inline(__always)
    static func mayBeKnown(_ count: Int, _ known: Set<String>) -> Bool {
        count >= 7 && count <= 15 && !known.isEmpty
    }

    /// The rosters' numbers as one table of integers, for a scrub that looks up many spans (a
    /// run of hundreds of digit groups, each tried at every length): a span's digits are packed
    /// into 64 bits, a nibble of digit + 1 each, and found in an open-addressing table, where
    /// `isKnown` made a string of each span and hashed it. It holds exactly the numbers of
    /// `known` that `isKnown` can find (7 to 15 ASCII digits).
    struct PackedNumbers {
        private var slots: [UInt64]
        private let mask: Int

        init(_ known: Set<String>) {
            var size = 16
            while size < 2 * known.count { size *= 2 }
            slots = [UInt64](repeating: 0, count: size)
            mask = size - 1
            for number in known where mayBeKnown(number.utf8.count, known) && number.utf8.allSatisfy({ $0 &- 48 < 10 }) {
                let key = Array(number.utf8).withUnsafeBufferPointer { Self.key($0) }
                var i = Self.slot(key) & mask
                while slots[i] != 0 && slots[i] != key { i = (i + 1) & mask }
                slots[i] = key
            }
        }

        /// The packed key of ASCII digits (at most 16); never 0.
        @inline(__always)
        static func key(_ d: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var key: UInt64 = 0
            for c in d { key = key << 4 | UInt64(c &- 47) }
            return key
        }

        @inline(__always)
        private static func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) }

        func contains(_ d: UnsafeBufferPointer<UInt8>) -> Bool {
            let key = Self.key(d)
            var i = Self.slot(key) & mask
            while slots[i] != 0 {
                if slots[i] == key { return true }
                i = (i + 1) & mask
            }
            return false
        }
    }

    /// An area code and a local number, as digit groups: `010 62345678`, `0371 6234 5678`,
    /// `021 623 4567`; after the country code, with or without the area code's `0` (`+86 10
    /// 6234 5678`, `0086 371 68889999`); or all of it in one group (`01062345678`).
    static func isLandline(_ groups: ArraySlice<ArraySlice<UInt8>>) -> Bool { landline(groups) != nil }

    /// `isLandline`, saying where its parts are among the digits: the area code's first digit
    /// (after a country code) and the local number's, and whether the area code's `0` is left out.
    /// The area code is `010`, `02x` or `0[3-9]xx`; the local number 7 or 8 digits from 2–9 on,
    /// one group or 3/4 + 4 (one group of 8 after a three-digit area code when all is one group).
    static func landline(_ groups: ArraySlice<ArraySlice<UInt8>>) -> (area: Int, local: Int, zeroOmitted: Bool)? {
        var g = groups
        var country = 0
        if g.count >= 3, let f = g.first, f.elementsEqual([56, 54]) || f.elementsEqual([48, 48, 56, 54]) {
            country = f.count
            g = g.dropFirst()
        }
        // Area code and local number in one group: 0, the area code, 7 or 8 digits.
        if g.count == 1 {
            guard country == 0, let one = g.first, one.count >= 10, one.first == 48 else { return nil }
            let s = one.startIndex
            let area = one[s + 1] == 49 && one[s + 2] == 48 || one[s + 1] == 50 ? 3 : one[s + 1] >= 51 ? 4 : 0
            let local = one.count - area
            guard area > 0, area == 3 ? local == 8 : local == 7 || local == 8, one[s + area] >= 50 else { return nil }
            return (0, area, false)
        }
        guard g.count == 2 || g.count == 3, let area = g.first, let a0 = area.first else { return nil }
        let a = area.startIndex
        let withZero = a0 == 48 && (area.count == 3 && (area[a + 1] == 49 && area[a + 2] == 48 || area[a + 1] == 50) // 010, 02x
            || area.count == 4 && area[a + 1] >= 51) // 0[3-9]xx
        let withoutZero = country > 0 && (area.count == 2 && (a0 == 49 && area[a + 1] == 48 || a0 == 50) // 10, 2x
            || area.count == 3 && a0 >= 51) // [3-9]xx
        guard withZero || withoutZero else { return nil }
        let local = g.dropFirst()
        guard let lead = local.first?.first, lead >= 50 else { return nil } // local numbers start with 2-9
        if local.count == 1 {
            guard local.first!.count == 7 || local.first!.count == 8 else { return nil }
        } else {
            let first = local.first!.count, second = local.last!.count
            guard (first == 3 || first == 4) && second == 4 else { return nil }
        }
        return (country, country + area.count, withoutZero)
    }

    /// - Parameters:
    ///   - mask: the bytes written for each digit (`*`; the reports' views use `NameMask.marker`).
    ///   - minimum: the fewest digits a number to mask can have: 7, or `minimumDigits(known:)`
    ///     when many texts are scrubbed against the same roster.
    public static func scrub(_ text: String, known: Set<String>, mask: [UInt8] = [42], minimum: Int = 7) -> String {
        var text = text
        let out: [UInt8]? = text.withUTF8 { b in scrub(b, known: known, mask: mask, minimum: minimum) }
        return out.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// The fewest digits a phone number can have here: 10 for a landline, 11 for a mobile, fewer
    /// only for a roster's own shorter numbers (never under 7). A text whose longest stretch of
    /// digits is shorter (a date, an id, hours) is left as it is without being tokenised.
    static func minimumDigits(known: Set<String>) -> Int {
        min(10, max(7, known.reduce(Int.max) { min($0, $1.utf8.count) }))
    }

    /// The bytes of a whole output file (a CSV), scrubbed line by line (a line break never
    /// stands between digit groups); the same bytes when none is found.
    /// - Complexity: O(n), with memory for one line's tokens at a time.
    ///
    /// A file larger than two `pieceSize`s is cut at line ends into pieces scrubbed on every core
    /// (a year's `volunteer-weeks.csv` is 180 MB).
    public static func scrub(bytes: [UInt8], known: Set<String>, pieceSize: Int = 2 << 20) -> [UInt8] {
        // A line whose longest stretch of digits is shorter (a date, an id, hours) is copied as it is.
        let minimum = minimumDigits(known: known)
        return bytes.withUnsafeBufferPointer { all -> [UInt8] in
            guard all.count > 2 * pieceSize else { return scrubLines(all, known: known, minimum: minimum) ?? bytes }
            var cuts = [0]
            var at = pieceSize
            while at < all.count {
                var end = at
                while end < all.count, all[end] != 10 { end += 1 }
                if end + 1 >= all.count { break }
                cuts.append(end + 1)
                at = end + 1 + pieceSize
            }
            cuts.append(all.count)
            let edges = cuts
            let pieces = ConcurrentSlots<[UInt8]?>(cuts.count - 1)
            let shared = UnsafeSendable(all)
            DispatchQueue.concurrentPerform(iterations: cuts.count - 1) { k in
                pieces[k] = .some(scrubLines(UnsafeBufferPointer(rebasing: shared.value[edges[k]..<edges[k + 1]]), known: known, minimum: minimum))
            }
            let results = (0..<(cuts.count - 1)).map { pieces.take($0)! }
            guard results.contains(where: { $0 != nil }) else { return bytes }
            var out: [UInt8] = []
            out.reserveCapacity(all.count)
            for (k, piece) in results.enumerated() {
                if let piece { out += piece } else { out.append(contentsOf: UnsafeBufferPointer(rebasing: all[cuts[k]..<cuts[k + 1]])) }
            }
            return out
        }
    }

    /// Whole lines scrubbed; nil when none changed.
    private static func scrubLines(_ all: UnsafeBufferPointer<UInt8>, known: Set<String>, minimum: Int) -> [UInt8]? {
        // One pass: the length test of `mayHoldPhone` made while the lines are found; only a
        // line that passes it is scrubbed, and the text is copied only once one changes.
        var out: [UInt8]? = nil
        let count = all.count
        var lineStart = 0
        var stretch = DigitStretch()
        var hot = false
        var i = 0
        // Captures only `out`: the per-byte counters stay plain locals.
        func endLine(_ start: Int, _ end: Int, _ hot: Bool) {
            let line = UnsafeBufferPointer(rebasing: all[start..<end])
            if hot, let clean = scrub(line, known: known, minimum: minimum) {
                if out == nil { out = Array(all[0..<start]); out!.reserveCapacity(count) }
                out!.append(contentsOf: clean)
            } else if out != nil {
                out!.append(contentsOf: line)
            }
        }
        while i < count {
            guard all[i] == 10 else {
                i += stretch.step(all, i)
                if stretch.digits >= minimum { hot = true }
                continue
            }
            // A line break between digits (a cell's own, Alt+Enter: `137⏎0011 0010`) joins
            // its lines into one piece to scrub; any other ends a line.
            let afterDigit = i > 0 && (all[i - 1] &- 48 < 10 || (all[i - 1] == 13 && i > 1 && all[i - 2] &- 48 < 10))
            let beforeDigit = i + 1 < count && (all[i + 1] &- 48 < 10 || all[i + 1] == 32 || all[i + 1] >= 0x80)
            if !(afterDigit && beforeDigit) {
                endLine(lineStart, i + 1, hot)
                lineStart = i + 1
                stretch.reset()
                hot = false
            }
            i += 1
        }
        if lineStart < count { endLine(lineStart, count, hot) }
        return out
    }

    /// A group of four digits from 1900 to 2099: a year, as a date or a text writes it.
    static func isYear(_ g: ArraySlice<UInt8>) -> Bool {
        guard g.count == 4 else { return false }
        let v = g.reduce(0) { $0 * 10 + Int($1 - 48) }
        return (1900...2099).contains(v)
    }

    /// Three digit groups that are a date: a year (1900–2099), a month and a day, or a day and a
    /// month (either order) before the year.
    static func isDate(_ g: [ArraySlice<UInt8>]) -> Bool {
        guard g.count == 3 else { return false }
        func value(_ x: ArraySlice<UInt8>) -> Int { x.count > 4 ? -1 : x.reduce(0) { $0 * 10 + Int($1 - 48) } }
        let (a, b, c) = (value(g[0]), value(g[1]), value(g[2]))
        if g[1].count <= 2, g[2].count <= 2, isYear(g[0]) { return (1...12).contains(b) && (1...31).contains(c) }
        if g[0].count <= 2, g[1].count <= 2, isYear(g[2]) { return (1...12).contains(a) && (1...31).contains(b) || (1...12).contains(b) && (1...31).contains(a) }
        return false
    }

    /// Whether, from `from` on, a line break stands among separators before the next digit or
    /// `+`: the only way a later run can be joined to the run that ends at `from` (`onlyBreak`).
    static func breakBeforeNextRun(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        // To the first scalar that is not a separator, a bracket or a line break: a run may start
        // there only at a digit or a `+`, and be joined only as `onlyBreak` allows.
        var i = from
        while i < b.count {
            let (cls, _, len) = classify(b, i)
            guard cls == .separator || cls == .open || cls == .lineBreak else {
                return (cls == .digit || cls == .plus) && onlyBreak(b, from, i)
            }
            i += len
        }
        return false
    }

    /// Whether only separators and at least one line break stand in `b[from..<to]`.
    static func onlyBreak(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from, breaks = 0
        while i < to {
            let (cls, _, len) = classify(b, i)
            if cls == .lineBreak { breaks += 1 } else if cls != .separator && cls != .open { return false }
            i += len
        }
        return breaks > 0
    }

    /// - Returns: the scrubbed bytes, or nil when nothing was masked.
    /// - Parameter minimum: the fewest digits a number to mask can have (7, or more when the
    ///   roster's numbers are all longer: `scrub(bytes:known:)`).
    ///   - packAfter: how many strings to look up before the rosters' numbers are packed (the
    ///     tests set it to compare both ways); by default a fourth of them, and 64.
    static func scrub(_ b: UnsafeBufferPointer<UInt8>, known: Set<String>, mask maskBytes: [UInt8] = [42], minimum: Int = 7,
                      packAfter: Int? = nil) -> [UInt8]? {
        guard mayHoldPhone(b, minimum: minimum) else { return nil }
        return scrubRuns(b, known: known, mask: maskBytes, minimum: minimum, packAfter: packAfter)
    }

    /// The digits' byte ranges of the groups `from…to` of a run, to mask.
    static func digitBytes(_ run: [Token], _ groups: [Range<Int>], _ from: Int, _ to: Int) -> [Range<Int>] {
        (groups[from].lowerBound..<groups[to].upperBound).compactMap { t in
            run[t].cls == .digit ? run[t].start..<(run[t].start + run[t].length) : nil
        }
    }

    /// The rosters' numbers, looked up as strings until a text has looked up `packAfter` spans,
    /// then packed once (`PackedNumbers`): a text of a million digit groups costs table lookups,
    /// and an ordinary line never pays for the packing.
    struct RosterLookup {
        let known: Set<String>
        let packAfter: Int
        private var lookups = 0
        private var packed: PackedNumbers? = nil

        init(known: Set<String>, packAfter: Int) {
            self.known = known
            self.packAfter = packAfter
        }

        mutating func contains(_ span: UnsafeBufferPointer<UInt8>) -> Bool {
            guard PhoneScrubber.mayBeKnown(span.count, known) else { return false }
            if packed == nil {
                lookups += 1
                if lookups < packAfter { return known.contains(String(decoding: span, as: UTF8.self)) }
                packed = PackedNumbers(known)
            }
            return packed!.contains(span)
        }
    }

    /// `scrub` without its quick test: every run of digits tokenised and judged. (The test
    /// that holds `mayHoldPhone` to be a superset of what this masks calls it directly.)
    static func scrubRuns(_ b: UnsafeBufferPointer<UInt8>, known: Set<String>, mask maskBytes: [UInt8], minimum: Int,
                          packAfter: Int?) -> [UInt8]? {
        // One run of digits and separators at a time: only a run's scalars are kept as tokens.
        var run: [Token] = []
        var masked: [Range<Int>] = [] // byte ranges of the digits to mask, in order
        var groups: [Range<Int>] = [] // token ranges of the run's digit groups
        var digitGroups: [ArraySlice<UInt8>] = []
        var digitRanges: [Range<Int>] = []
        var d: [UInt8] = []
        // The run before, while it may join the next across a line break.
        var lastRun: (groups: [[UInt8]], groupBytes: [[Range<Int>]], end: Int)?
        // Packed after as many lookups as a fourth of the rosters' numbers, and 64 (`RosterLookup`).
        var roster = RosterLookup(known: known, packAfter: packAfter ?? max(64, known.count / 4))
        var prev = Class.other
        var i = 0
        let n = b.count
        while i < n {
            let (cls, _, len) = classify(b, i)
            var startsRun = cls == .digit
            if !startsRun, cls == .plus || cls == .open, i + len < n, classify(b, i + len).0 == .digit { startsRun = true }
            guard startsRun, prev != .digit else { prev = cls; i += len; continue }
            let afterLetter = prev == .letter
            run.removeAll(keepingCapacity: true)
            var j = i
            if cls != .digit {
                run.append(Token(cls: cls, value: 0, start: i, length: len))
                j = i + len
            }
            while j < n {
                let (c, v, l) = classify(b, j)
                if c == .digit {
                    run.append(Token(cls: .digit, value: v, start: j, length: l))
                    j += l
                    continue
                }
                // Up to six separators, then a digit, continue the run.
                let mark = run.count
                var k = j, seps = 0
                var (ck, lk) = (c, l)
                while seps < 6, ck == .separator || ck == .open {
                    run.append(Token(cls: ck, value: 0, start: k, length: lk))
                    k += lk
                    seps += 1
                    if k >= n { break }
                    (ck, _, lk) = classify(b, k)
                }
                if seps > 0, k < n, ck == .digit { j = k; continue }
                run.removeSubrange(mark...)
                break
            }
            prev = .digit
            i = j
            // The run's digit groups and digits.
            // The groups are sliced once every digit is in `d`: a slice taken while `d` still grows
            // holds its buffer, and the next digit copied all of it (a run of 90,000 groups took
            // gigabytes).
            groups.removeAll(keepingCapacity: true)
            digitGroups.removeAll(keepingCapacity: true)
            d.removeAll(keepingCapacity: true)
            digitRanges.removeAll(keepingCapacity: true)
            var x = 0
            while x < run.count {
                guard run[x].cls == .digit else { x += 1; continue }
                let s = x, ds = d.count
                while x < run.count, run[x].cls == .digit { d.append(run[x].value); x += 1 }
                groups.append(s..<x)
                digitRanges.append(ds..<d.count)
            }
            for r in digitRanges { digitGroups.append(d[r]) }
            let runStart = run[0].start
            var lastMasked = -1 // the last of this run's groups masked
            defer {
                // For the next run across a line break: this run's last sixteen groups, masked or
                // not (a number may begin inside one found here: both are masked), and, when
                // nothing of it was masked, the runs before it that only line breaks part from it
                // (`137⏎0011⏎0010`, a number of one digit a line). No number has more than 16
                // groups: older ones are never looked at again (copying a run of a million
                // one-digit groups for each run took seconds).
                // Made only when a line break follows the run before the next digit (no other run
                // can join it): copying the groups after every run was most of scrubbing a line
                // with a date and a time in it.
                if Self.breakBeforeNextRun(b, from: j) {
                    let tail = max(0, groups.count - 16)
                    var next = (groups: digitRanges[tail...].map { Array(d[$0]) }, groupBytes: (tail..<groups.count).map { Self.digitBytes(run, groups, $0, $0) }, end: j)
                    if lastMasked < 0, let last = lastRun, Self.onlyBreak(b, last.end, runStart) {
                        next.groups = Array((last.groups + next.groups).suffix(16))
                        next.groupBytes = Array((last.groupBytes + next.groupBytes).suffix(16))
                    }
                    lastRun = next
                } else {
                    lastRun = nil
                }
            }
            // A number a line break cuts in two (`137⏎0011 0010`, Alt+Enter in a cell): the end of
            // the run before the break and the start of this one, with only the break (and
            // separators) between them, make one — unless either side there is a date, so that a
            // number at a line's end and the next line's date (`劝导 135⏎2019-08-06`) stay as written.
            if let last = lastRun, !groups.isEmpty, Self.onlyBreak(b, last.end, runStart),
               !(last.groups.count >= 3 && Self.isDate(last.groups.suffix(3).map { $0[...] })),
               !(digitGroups.count >= 3 && Self.isDate(Array(digitGroups.prefix(3)))) {
                var joined: [UInt8] = [], found: (Int, Int)? = nil
                // From the earliest group on, so that a number's prefix (`+86 0`) is taken with it.
                search: for s in last.groups.indices {
                    let tail = last.groups[s...].reduce(0) { $0 + $1.count }
                    if tail > 15 { continue }
                    for e in 0..<digitGroups.count {
                        joined = last.groups[s...].flatMap { $0 } + digitGroups[...e].flatMap { $0 }
                        if joined.count > 16 { break }
                        let joinedGroups = last.groups[s...].map { $0[...] } + Array(digitGroups[...e])
                        if joined.count >= minimum, isMobileWithPrefix(joined[...], groups: joinedGroups[...]) || isKnown(joined[...], known)
                            || isLandline(joinedGroups[...]) {
                            found = (s, e)
                            break search
                        }
                    }
                }
                if let (s, e) = found {
                    for g in last.groupBytes[s...] { masked += g }
                    masked += Self.digitBytes(run, groups, 0, e)
                    lastMasked = e
                    if e == groups.count - 1 { continue }
                    // The rest of the run is searched from its first group all the same: a number
                    // of its own may begin inside the joined one's end (a roster's `0216 2345 67`
                    // after a mobile-shaped `1381071⏎0216`), under the rule for overlaps below.
                }
            }
            // Nothing shorter than seven digits is a phone number here (a roster's need 7, a
            // landline 10, a mobile 11).
            guard d.count >= minimum else { continue }
            // A roster's "number" spelled as a date's three groups is that date (a date typed into a
            // phone cell): the reports' own dates stay as written.
            if lastMasked < 0, isMobileWithPrefix(d[...], groups: digitGroups[...]) || (isKnown(d[...], known) && !Self.isDate(digitGroups))
                || (!afterLetter && isLandline(digitGroups[...])) {
                masked += Self.digitBytes(run, groups, 0, groups.count - 1)
                lastMasked = max(lastMasked, groups.count - 1)
                continue
            }
            // A number inside a longer run (`周九 13800138107 2019-08-09`): try each span of
            // whole digit groups, as a mobile number, a roster's number or a landline — from every
            // group. One that starts inside a number already masked and goes on past it is masked
            // too, unless what it adds holds a year: so a number-shaped span that overlaps the real
            // number cannot hide it (`18013800 139 1234 5678`: `18013800139` found first), and a
            // number's last digits with the year after it (`1992 685 2019年`) are not a number.
            // The groups' digits lie one after the other in `d`: a span of them is a slice of it.
            // Each test is tried only at the lengths it can accept (a mobile number has 11 digits
            // or more, a roster's `minimum`, a landline two or three groups), so that a run of a
            // million one-digit groups (`1-1-1-…`, a hostile cell) costs a few passes, not seconds.
            // From each group, the longest such span: a roster's number whose first digits are
            // another roster number (`62345679` and `6234567`) is masked whole, not up to the
            // shorter one with its last digit left showing.
            // The tests read the digits in place (`mobileShape`, `PackedNumbers`, the area code's
            // `0` first): slices of `d` and `digitGroups` made for every span of a long run were
            // most of its time, in reference counting.
            // The spans found, applied after the search (the search's closure captures nothing it
            // changes: a variable a closure changes is checked for exclusive access at run time,
            // at every access — a third of this function's time).
            var spans: [(Int, Int)] = []
            (spans, lastMasked, roster) = d.withUnsafeBufferPointer { [lastMasked, roster] digits in
                var spans: [(Int, Int)] = [], lastMasked = lastMasked, roster = roster
                for a in 0..<groups.count {
                    let from = digitRanges[a].lowerBound
                    var longest: Int? = nil
                    for e in a..<groups.count {
                        let to = digitRanges[e].upperBound
                        if to - from > 16 { break } // 0086, the trunk 0 and a mobile number
                        let span = UnsafeBufferPointer(rebasing: digits[from..<to])
                        let mobile = span.count >= 11 && isMobileWithPrefix(span, groupLengths: digitRanges[a...e].lazy.map(\.count))
                        if mobile || (span.count >= minimum && roster.contains(span) && !(e - a == 2 && Self.isDate(Array(digitGroups[a...e]))))
                            || (e - a <= 3 && span.count >= 10 && (span[0] == 48 || span[0] == 56) && (a > 0 || !afterLetter)
                                && isLandline(digitGroups[a...e])) {
                            if a <= lastMasked, e <= lastMasked || digitGroups[(lastMasked + 1)...e].contains(where: Self.isYear) { break }
                            longest = e
                        }
                    }
                    if let e = longest {
                        spans.append((a, e))
                        lastMasked = max(lastMasked, e)
                    }
                }
                return (spans, lastMasked, roster)
            }
            for (a, e) in spans { masked += Self.digitBytes(run, groups, a, e) }
        }
        guard !masked.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var at = 0
        // In order, each digit once (a number joined across a line break may be found again).
        for r in masked.sorted(by: { $0.lowerBound < $1.lowerBound }) where r.lowerBound >= at {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[at..<r.lowerBound]))
            out.append(contentsOf: maskBytes)
            at = r.upperBound
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[at..<n]))
        return out
    }
}
