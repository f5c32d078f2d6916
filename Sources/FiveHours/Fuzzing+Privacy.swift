extension FuzzEntry {
    /// The `privacy` target: the phone scrubber and the name mask over arbitrary text.
    ///
    /// - The scrubber changes digits only (ASCII or full-width, each to `*`), keeps every other
    ///   scalar in place, and a second pass changes nothing.
    /// - A mobile number planted in the text between spaces, in one of several spellings
    ///   (chosen by the first byte), never survives.
    /// - The name mask (one automaton over all names) masks exactly what a scan trying every
    ///   name at every place, leftmost and longest first, masks. The names are the first lines
    ///   of the input (up to 16), the text the rest.
    public static func privacy(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        let known: Set<String> = ["7654321", "62345678"]
        let once = PhoneScrubber.scrub(text, known: known)
        let a = Array(text.unicodeScalars), b = Array(once.unicodeScalars)
        precondition(a.count == b.count, "the scrubber changed the number of scalars")
        for (x, y) in zip(a, b) where x != y {
            precondition(y == "*" && ((48...57).contains(x.value) || (0xFF10...0xFF19).contains(x.value)), "the scrubber changed a non-digit: \(x)")
        }
        precondition(PhoneScrubber.scrub(once, known: known) == once, "a second scrub changed the text")
        // The quick test (`mayHoldPhone`) passes every text the scrubber would change.
        data.withUnsafeBufferPointer { b in
            for minimum in [7, 10] {
                precondition(PhoneScrubber.scrub(b, known: known, minimum: minimum)
                                == PhoneScrubber.scrubRuns(b, known: known, mask: [42], minimum: minimum, packAfter: nil),
                             "the quick test passed over a text the scrubber changes")
            }
        }

        let spellings = ["13912345678", "139 1234 5678", "１３９１２３４５６７８", "139_1234_5678", "+86 139-1234-5678", "139·1234·5678",
                         "139－1234－5678", "0086 139/1234/5678", "（＋８６）１３９ １２３４ ５６７８"]
        let planted = spellings[Int(data.first ?? 0) % spellings.count]
        let cut = a.count / 2
        var view = String.UnicodeScalarView()
        view.append(contentsOf: a[..<cut])
        view.append(contentsOf: " \(planted) ".unicodeScalars)
        view.append(contentsOf: a[cut...])
        let scrubbed = PhoneScrubber.scrub(String(view), known: known)
        let digits = String(scrubbed.unicodeScalars.compactMap { u -> Character? in
            (48...57).contains(u.value) ? Character(u) : (0xFF10...0xFF19).contains(u.value) ? Character(Unicode.Scalar(u.value - 0xFF10 + 48)!) : nil
        })
        precondition(!digits.contains("13912345678"), "a planted number survived: \(planted)")

        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let names = lines.prefix(16).dropLast().map(String.init)
        let body = lines.count > 1 ? lines.dropFirst(min(16, lines.count - 1)).joined(separator: "\n") : text
        let mask = NameMask(names: names)
        precondition(mask.maskNames(in: body) == naiveMask(body, names: mask.names), "the automaton and the plain scan disagree")
    }

    /// The reference: at each byte, the longest name starting there, else the byte.
    static func naiveMask(_ text: String, names: [String]) -> String {
        let b = Array(text.utf8)
        let encoded = names.map { Array($0.utf8) }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            var best = -1
            for (k, n) in encoded.enumerated() where n.count <= b.count - i && (best < 0 || n.count > encoded[best].count) {
                if b[i..<(i + n.count)].elementsEqual(n) { best = k }
            }
            if best >= 0 {
                out += Array(NameMask.masked(names[best]).utf8)
                i += encoded[best].count
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
