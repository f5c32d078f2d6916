import Foundation
import Testing
@testable import FiveHours

/// Issue 17 item 2 and issue 15 item 5: the scrubber finds a phone number in any spelling —
/// full-width digits, any separator people type between groups, +86 / 0086 / ＋86 prefixes —
/// and touches nothing else: dates, ids such as V001, times and hours stay as written.
@Suite("Phone numbers in every spelling (issue 17)")
struct PhoneSpellingTests {
    static let separators = [" ", "-", "_", ".", "/", "~", "·", "・", "－", "．", "／", "～", "＿", "—", "–", "−", "\u{3000}", "\u{A0}", "  ", " - ",
                             // A line break in a cell (Alt+Enter), aligned text, thin and narrow spaces, the small and soft hyphens.
                             "\n", "\r\n", "\u{2028}", "    ", "\t\t\t\t", "\u{2009}", "\u{202F}", "\u{FE63}", "\u{AD}", "\u{200B}",
                             // Invisible marks a copy from a web page or a chat leaves: direction marks, embeddings, isolates.
                             "\u{200E}", "\u{200F}", "\u{202A}", "\u{202C}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{061C}", "\u{2060}"]

    static let prefixes = ["", "+86 ", "+86", "0086 ", "0086-", "＋86 ", "(+86)", "（＋８６）", "+86-", "0 ", "+86 0 ", "[+86]"]
    static let contexts: [(String, String)] = [("", ""), ("电话", "。"), ("联系人王继跃 ", " 2019-08-09"), ("V001 ", ""), ("2019/8/5 ", " 9:30"),
                                               ("tel:", ""), ("队长", "号"), ("a,", ",b"), ("2.5小时 ", " 2019年8月5日"),
                                               // A name or a day ending in a numeral, right before the number.
                                               ("联系人王五", ""), ("周一", "。"), ("张三", "李四")]

    /// One spelling of `digits` (11 of them): groups split at random, each digit ASCII or
    /// full-width, a separator between groups, a prefix and a context.
    static func spelling(_ digits: [UInt8], using g: inout SeededGenerator) -> (text: String, context: (String, String)) {
        let cuts: [[Int]] = [[3, 4, 4], [3, 8], [3, 3, 5], [4, 4, 3], [11], [2, 3, 3, 3], [3, 4, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]
        let cut = cuts.randomElement(using: &g)!
        let fullWidth = Int.random(in: 0..<3, using: &g) // none, all, mixed
        let sep = separators.randomElement(using: &g)!
        var text = prefixes.randomElement(using: &g)!
        var at = 0
        for (k, n) in cut.enumerated() {
            if k > 0 { text += sep }
            for d in digits[at..<(at + n)] {
                let wide = fullWidth == 1 || (fullWidth == 2 && Bool.random(using: &g))
                text += wide ? String(Character(Unicode.Scalar(0xFF10 + UInt32(d - 48))!)) : String(UnicodeScalar(d))
            }
            at += n
        }
        let context = contexts.randomElement(using: &g)!
        return (context.0 + text + context.1, context)
    }

    /// The digits of a text, full-width ones read as ASCII, everything else dropped.
    static func digitsOnly(_ s: String) -> String {
        String(s.unicodeScalars.compactMap { u -> Character? in
            if (48...57).contains(u.value) { return Character(u) }
            if (0xFF10...0xFF19).contains(u.value) { return Character(Unicode.Scalar(u.value - 0xFF10 + 48)!) }
            return nil
        })
    }

    @Test("invisible marks between the digits do not hide a number; a name or a day ending in a Chinese numeral before it does not either")
    func marksAndNumerals() {
        #expect(PhoneScrubber.scrub("138\u{200E}0013\u{200E}8001", known: []) == "***\u{200E}****\u{200E}****")
        // Written backwards inside a right-to-left override, shown forwards: the roster's number still.
        #expect(!PhoneScrubber.scrub("\u{202E}10083100831\u{202C}", known: ["10083100831"]).contains("1008"))
        // A name or a day that ends in a numeral, right before a number: the number is masked all the same.
        #expect(PhoneScrubber.scrub("联系人王五13800138107 入户走访 张三13912345678 周一13700110099", known: [])
                == "联系人王五*********** 入户走访 张三*********** 周一***********")
        #expect(PhoneScrubber.scrub("李四62345678", known: ["62345678"]) == "李四********")
        // A roster number whose first digits are another's (a landline's local number): masked whole.
        let known: Set<String> = ["62345679", "0106234567", "6234567"]
        #expect(PhoneScrubber.scrub("联系+86 \u{2067}6.23.4.567.9。", known: known) == "联系+86 \u{2067}*.**.*.***.*。")
        #expect(PhoneScrubber.scrub("联系623\u{200B}45\u{200B}6\u{200B}7\u{200B}9\u{2068}2019年", known: known)
                == "联系***\u{200B}**\u{200B}*\u{200B}*\u{200B}*\u{2068}2019年")
        #expect(PhoneScrubber.scrub("联系6.23.4.567.9 2019年", known: known) == "联系*.**.*.***.* 2019年")
        // Two candidate numbers that overlap across a line break: both are masked, whichever is
        // found first (a mobile-shaped join used up the start of a roster's number, which then showed).
        for (phone, text, tail) in [("(021)6234567", "1381\u{200E}071\n0216/2345/67", "4567"),
                                    ("7654321", "0190807\n\u{061C}7\u{200C}65\u{200C}43\u{200C}2\u{200C}1", "21"),
                                    ("18612345670", "190807/\u{202E}86186\n1234\n5670", "5670"),
                                    ("13800138107", "0086\u{FEFF}0138\u{2060}\u{FEFF}0013\u{2060}\u{FEFF}8107\u{200F}.5", "0086")] {
            var roster = Set<String>()
            Array(phone.utf8).withUnsafeBufferPointer { PhoneScrubber.insertNumbers(of: $0, into: &roster) }
            let out = PhoneScrubber.scrub(text, known: roster)
            #expect(!Self.digitsOnly(out).contains(tail), "\(text.debugDescription) → \(out.debugDescription)")
            #expect(PhoneScrubber.scrub(out, known: roster) == out) // a second pass changes nothing
        }
        // Chinese numerals are not digits here: one that ends a name would join the number and
        // hide it. A number written wholly in them is left as written.
        for kept in ["二〇一九年八月五日，第一工作站一名志愿者服务三小时", "第一二三四五六七小组", "一二三四五六", "电话一三八〇〇一三八〇〇一"] {
            #expect(PhoneScrubber.scrub(kept, known: []) == kept)
        }
    }

    @Test("no generated spelling of a mobile number survives; the text around it is kept", arguments: [1, 2, 3, 4, 5])
    func mobileSpellings(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for case_ in 0..<2_000 {
            var digits: [UInt8] = [49, UInt8.random(in: 51...57, using: &g)]
            for _ in 0..<9 { digits.append(UInt8.random(in: 48...57, using: &g)) }
            let number = String(decoding: digits, as: UTF8.self)
            let (text, context) = Self.spelling(digits, using: &g)
            let out = PhoneScrubber.scrub(text, known: [])
            #expect(!Self.digitsOnly(out).contains(number), "seed \(seed) case \(case_): \(text) → \(out)")
            #expect(out.hasPrefix(context.0) && out.hasSuffix(context.1), "seed \(seed) case \(case_): the context changed: \(text) → \(out)")
        }
    }

    @Test("a roster's own number (any length from 7) is found in any spelling", arguments: [7, 8, 9])
    func knownSpellings(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for case_ in 0..<1_000 {
            let n = Int.random(in: 7...8, using: &g)
            var digits: [UInt8] = [UInt8.random(in: 50...57, using: &g)]
            for _ in 1..<n { digits.append(UInt8.random(in: 48...57, using: &g)) }
            let number = String(decoding: digits, as: UTF8.self)
            let sep = Self.separators.randomElement(using: &g)!
            let split = Int.random(in: 1..<n, using: &g)
            let wide = Bool.random(using: &g)
            let spelled = digits.map { wide ? String(Character(Unicode.Scalar(0xFF10 + UInt32($0 - 48))!)) : String(UnicodeScalar($0)) }
            let text = "座机" + spelled[..<split].joined() + sep + spelled[split...].joined() + "，下午"
            let out = PhoneScrubber.scrub(text, known: [number])
            #expect(!Self.digitsOnly(out).contains(number), "seed \(seed) case \(case_): \(text) → \(out)")
        }
    }

    @Test("landlines with an area code, in any spelling")
    func landlines() {
        for text in ["010-62345678", "(0371) 6234 5678", "０１０－６２３４５６７８", "021_6234_5678", "0755·8765·4321", "010/62345678", "0371 623 4567",
                     // One group; after the country code, with or without the area code's 0.
                     "01062345678", "02162345678", "037168889999", "03716888999", "+86-10-6234-5678", "0086 10 62345678", "+86 371 6888 9999",
                     "+86 0371 6888 9999", "(+86) 21 6234 5678"] {
            let out = PhoneScrubber.scrub("座机 \(text) 找王", known: [])
            #expect(Self.digitsOnly(out).isEmpty || Self.digitsOnly(out) == "86", "\(text) → \(out)")
            #expect(!Self.digitsOnly(out).contains("6234") && !Self.digitsOnly(out).contains("6888"), "\(text) → \(out)")
        }
        // A roster's landline after the country code is known as dialled at home and in its city.
        var known: Set<String> = []
        PhoneScrubber.insertNumbers(of: "+86 371 6888 9999", into: &known)
        #expect(known.isSuperset(of: ["037168889999", "68889999", "863716888"]), "\(known)")
        #expect(PhoneScrubber.scrub("共+86- 371 6888 99991", known: known).hasPrefix("共+**- *** ****"))
        // Written as one group, in a cell of its own or after a word: its local number is known too.
        for cell in ["01062345678", "座机01062345678"] {
            var one: Set<String> = []
            PhoneScrubber.insertNumbers(of: cell, into: &one)
            #expect(one.contains("62345678"), "\(cell): \(one)")
            #expect(PhoneScrubber.scrub("电话 62345678", known: one) == "电话 ********")
        }
        for text in ["0371-6888-9999", "电话68889999", "6888 9999"] {
            #expect(!Self.digitsOnly(PhoneScrubber.scrub(text, known: known)).contains("6888"), "\(text)")
        }
        // Not landlines: no area code, an area code that is none, too short or too long, a date.
        for text in ["01012345678", "0106234567", "010623456789", "00062345678", "20190809", "2019-08-09"] {
            #expect(PhoneScrubber.scrub(text, known: []) == text, "\(text)")
        }
    }

    @Test("only phone numbers are touched: ids, dates, times, hours, record ids stay (issue 15 item 5)", arguments: [
        "V001 2019-08-09", "V010 2019-08-09", "V099 2019-08-07", "010 2019-08-09", "0371 2019-08-09 09:30", "V001,2019/8/8,0,9:00-11:00",
        "2019-08-09 15:30", "2019.8.5 9:00", "20190805 20190806", "KS0068 2019-08-09 13:00", "3.50 小时 2019-08-09", "2019年8月5日 13:00—17:30",
        "记录 1234567 份", "第 2019-0809-0001 号", "V00012345 2019-08-09", "12.50 / 5.00 / 7.50", "1000000 元", "1,380,013,800",
        // Numbers at a line's end and the next line's date; a date's day 01 before hours (no trunk 0).
        "服务明细：\n2019-08-05 交通劝导 135\n2019-08-06 景区讲解 1.75\n2019-08-07 植绿护绿 2.5", "2019-08-05 1.50\n2019-08-06 2.00",
        "累计 1.75\n2019-08-12 起", "上周（2019-08-01 8.5 2019-08-02）", "2019-08-01 3.5 2019-08-02", "2019-08-01 35.00 2019-08-02",
        "[01] 35 [2019-08-09]", "周次 01 / 36 / 2019 / 0809",
    ])
    func untouched(_ text: String) {
        #expect(PhoneScrubber.scrub(text, known: []) == text)
    }

    @Test("in a CSV file, a number a cell's line break splits (Alt+Enter) is found; lines that only end and start with digits stay apart")
    func lineBreakInACell() {
        let csv = Array("id,note\r\nV001,\"联系\n137\n0011 0010\"\r\nV002,\"139\r\n0077 0099\"\r\nV003,2019-08-09\r\n13,2019-08-09\r\n".utf8)
        let out = String(decoding: PhoneScrubber.scrub(bytes: csv, known: []), as: UTF8.self)
        #expect(out == "id,note\r\nV001,\"联系\n***\n**** ****\"\r\nV002,\"***\r\n**** ****\"\r\nV003,2019-08-09\r\n13,2019-08-09\r\n", "\(out)")
    }

    @Test("a whole CSV file is scrubbed line by line, a roster's short numbers included")
    func csvBytes() {
        let csv = Array("\u{FEFF}id,date,note\r\nV001,2019-08-09,电话 765-4321\r\n13800138000,2019-08-09,\"多行\n１３８ ００１３ ８００１\"\r\n".utf8)
        let out = String(decoding: PhoneScrubber.scrub(bytes: csv, known: ["7654321", "13800138000"]), as: UTF8.self)
        #expect(out == "\u{FEFF}id,date,note\r\nV001,2019-08-09,电话 ***-****\r\n***********,2019-08-09,\"多行\n*** **** ****\"\r\n")
        let plain = Array("V001,2019-08-09,12.50\r\n".utf8)
        #expect(PhoneScrubber.scrub(bytes: plain, known: ["13800138000"]) == plain)
    }

    @Test("a large file scrubbed in pieces cut at line ends gives the bytes of one pass over it")
    func csvBytesInPieces() {
        var lines: [String] = ["\u{FEFF}id,date,note"]
        for i in 0..<3_000 {
            // Every seventh line carries a number, some near where a piece could be cut.
            lines.append(i % 7 == 0 ? "V\(i),2019-08-09,电话 138 0013 \(8000 + i % 1000)" : "V\(i),2019-08-09,\(i % 13).50")
        }
        let csv = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
        let whole = PhoneScrubber.scrub(bytes: csv, known: ["7654321"], pieceSize: csv.count)
        #expect(whole != csv)
        for size in [1, 64, 1_000, 20_000] {
            #expect(PhoneScrubber.scrub(bytes: csv, known: ["7654321"], pieceSize: size) == whole, "pieces of \(size) bytes")
        }
        let clean = Array(lines.filter { !$0.contains("电话") }.joined(separator: "\r\n").utf8)
        #expect(PhoneScrubber.scrub(bytes: clean, known: ["7654321"], pieceSize: 64) == clean)
    }

    /// The mobile rule as the docs state it, read from the digits as text: a mobile number
    /// (1[3-9] and nine digits) alone, after 86 or 0086, or after a trunk `0` (also after 86 or
    /// 0086) that begins a group of one digit or of more than two.
    static func statedMobile(_ digits: String, groups: [Int]?) -> Bool {
        func mobile(_ s: Substring) -> Bool { s.count == 11 && s.hasPrefix("1") && "3456789".contains(s.dropFirst().first!) }
        for prefix in ["", "86", "0086"] where digits.hasPrefix(prefix) {
            let rest = digits.dropFirst(prefix.count)
            if mobile(rest) { return true }
            if rest.hasPrefix("0"), mobile(rest.dropFirst()), let groups {
                var at = 0
                for g in groups {
                    if at == prefix.count { return g == 1 || g > 2 }
                    at += g
                    if at > prefix.count { break }
                }
            }
        }
        return false
    }

    @Test("the mobile rule read from the digits in place (`mobileShape`) is the rule as stated, every prefix and trunk, every grouping")
    func mobileShapeIsTheRule() {
        var g = SeededGenerator(seed: 17)
        let starts = ["", "0", "86", "860", "0086", "00860", "8", "00", "1", "01", "086", "0860", "8600"]
        for case_ in 0..<20_000 {
            var digits = starts.randomElement(using: &g)!
            digits += case_ % 3 == 0 ? "1" + String("3456789".randomElement(using: &g)!) : ""
            while digits.count < Int.random(in: 9...17, using: &g) { digits += String(Int.random(in: 0...9, using: &g)) }
            var groups: [Int] = [], left = digits.count
            while left > 0 { let n = min(left, Int.random(in: 1...5, using: &g)); groups.append(n); left -= n }
            let bytes = Array(digits.utf8)
            let slices = groups.indices.map { k in bytes[groups[..<k].reduce(0, +)..<groups[...k].reduce(0, +)] }
            for withGroups in [true, false] {
                let got = PhoneScrubber.isMobileWithPrefix(bytes[...], groups: withGroups ? slices[...] : nil)
                #expect(got == Self.statedMobile(digits, groups: withGroups ? groups : nil), "\(digits) in groups \(groups)")
            }
        }
    }

    @Test("the quick test passes every text the scrubber would change: Chinese characters, commas and letters end a stretch of digits, separators of every script do not", arguments: [1, 2, 3, 4])
    func quickTestIsASuperset(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let known: Set<String> = ["68889999", "037168889999", "6234567", "13912345678"]
        // Every kind of scalar the scrubber tells apart, ASCII and not, and digits in both widths.
        let pieces = ["1", "3", "8", "0", "９", "１", " ", "-", ".", "(", "+", "/", ")", "\t", "\u{3000}", "－", "（", "）", "\u{200B}",
                      "\u{202E}", "\u{2028}", "·", "\u{00A0}", "的", "时", "，", ",", "a", "V", ":", "\n", "\r\n", "〜", "二"]
        for case_ in 0..<800 {
            var text = ""
            for _ in 0..<Int.random(in: 1...40, using: &g) {
                switch Int.random(in: 0..<5, using: &g) {
                case 0: text += known.randomElement(using: &g)!
                case 1: text += "1380013" + String(Int.random(in: 1000...9999, using: &g))
                case 2: text += Self.spelling(Array(("1380013" + String(Int.random(in: 1000...9999, using: &g))).utf8), using: &g).text
                default: text += pieces.randomElement(using: &g)!
                }
            }
            let bytes = Array(text.utf8)
            for minimum in [7, 8, 10] {
                bytes.withUnsafeBufferPointer { b in
                    let full = PhoneScrubber.scrubRuns(b, known: known, mask: [42], minimum: minimum, packAfter: nil)
                    if full != nil {
                        #expect(PhoneScrubber.mayHoldPhone(b, minimum: minimum), "seed \(seed) case \(case_) minimum \(minimum): \(text)")
                    }
                    #expect(PhoneScrubber.scrub(b, known: known, minimum: minimum) == full, "seed \(seed) case \(case_): \(text)")
                }
            }
            // A file of such lines scrubbed whole (the line loop's own quick test) gives what
            // each line gives (a comma at each end: lines that end and start with digits are
            // joined, a cell's Alt+Enter, which is another test's).
            let lines = (0..<3).map { _ in "，" + text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") + "，" }
            let file = Array(lines.joined(separator: "\r\n").utf8)
            let expected = lines.map { line in
                Array(line.utf8).withUnsafeBufferPointer { b in
                    String(decoding: PhoneScrubber.scrubRuns(b, known: known, mask: [42], minimum: PhoneScrubber.minimumDigits(known: known),
                                                             packAfter: nil) ?? Array(b), as: UTF8.self)
                }
            }.joined(separator: "\r\n")
            #expect(String(decoding: PhoneScrubber.scrub(bytes: file, known: known), as: UTF8.self) == expected, "seed \(seed) case \(case_): \(text)")
        }
    }

    @Test("the rosters' numbers looked up packed give the bytes the string lookups give, on texts dense with digits", arguments: [1, 2, 3])
    func packedLookupsAgree(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        var known: Set<String> = []
        for _ in 0..<200 {
            let n = Int.random(in: 5...16, using: &g) // 5, 6 and 16 are never looked up
            known.insert(String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &g))) }))
        }
        known.insert("12a4567") // not digits: never a match either way
        let numbers = Array(known)
        for case_ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 1...120, using: &g) {
                switch Int.random(in: 0..<6, using: &g) {
                case 0: text += numbers.randomElement(using: &g)!
                case 1: text += String(Int.random(in: 0...9, using: &g))
                case 2: text += "1380013" + String(Int.random(in: 1000...9999, using: &g))
                case 3: text += "0" + String(Int.random(in: 10...999, using: &g))
                default: break
                }
                text += ["-", " ", "", "\u{200E}", "，", "\n", "／"].randomElement(using: &g)!
            }
            let bytes = Array(text.utf8)
            let strings = bytes.withUnsafeBufferPointer { PhoneScrubber.scrub($0, known: known, packAfter: .max) }
            let packed = bytes.withUnsafeBufferPointer { PhoneScrubber.scrub($0, known: known, packAfter: 0) }
            #expect(strings == packed, "seed \(seed) case \(case_): \(text)")
        }
    }

    @Test("a date typed into a roster's phone cell does not mask the reports' dates; the value itself is still masked where it stands alone")
    func dateInAPhoneCell() {
        var known: Set<String> = []
        PhoneScrubber.insertNumbers(of: "20190809", into: &known)
        PhoneScrubber.insertNumbers(of: "13800138000", into: &known)
        for text in ["周总结 2019-08-09", "2019/08/09 15:00", "09.08.2019", "报送 2019-08-09，电话 13800138000"] {
            let out = PhoneScrubber.scrub(text, known: known)
            #expect(out.contains("2019") && out.contains("09") && !out.contains("****-**-**"), "\(text) → \(out)")
            #expect(!out.contains("13800138000"))
        }
        #expect(PhoneScrubber.scrub("电话 20190809", known: known) == "电话 ********")
        #expect(PhoneScrubber.scrub("电话 2019 0809", known: known) == "电话 **** ****")
    }

    @Test("check on samples/ shows volunteer ids and dates as written (issue 15 item 5)")
    func checkKeepsIDs() throws {
        let r = try Binary.run(["check", "--config", Binary.samples.appendingPathComponent("campaign.yaml").path, "--week-ending", "2019-08-09",
                                "--now", "2019-08-09T18:00:00+08:00", "--quiet"])
        #expect(!r.stdout.contains("V***"), "an id was masked")
        #expect(!r.stdout.contains("****-**-**"), "a date was masked")
        #expect(r.stdout.contains("V099 2019-08-0"))
    }
}
