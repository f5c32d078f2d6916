#if canImport(Glibc)
import Glibc
#endif

/// The roster's volunteer ids by their exact bytes, for the one lookup a month or a year makes
/// millions of times: each session's volunteer.
///
/// `Ledger.index` (a `Dictionary`) hashes a whole `String` with SipHash and compares by Unicode
/// canonical equivalence; here an id's bytes are hashed with one multiply per eight bytes and
/// compared with `memcmp`. Bytes that equal a roster id's are that id: equal bytes are equal
/// text. Bytes that differ can still be the same text only when spelt with other code points
/// for the same characters (NFC against NFD), which needs a byte that is not ASCII: such an id
/// that is not found here is looked up in `Ledger.index` (`Ledger.volunteer(withID:)`).
struct VolunteerIDs: Sendable {
    /// Open addressing over a power of two of at least twice the ids: each slot holds the
    /// upper half of an id's hash and its number + 1 (0 for an empty slot).
    private var slots: [UInt64]
    /// Id `k` is `bytes[ends[k - 1] ..< ends[k]]` (from 0 for the first).
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    init(_ ids: [String]) {
        var size = 16
        while size < 2 * ids.count { size *= 2 }
        slots = [UInt64](repeating: 0, count: size)
        bytes.reserveCapacity(ids.reduce(0) { $0 + $1.utf8.count })
        ends.reserveCapacity(ids.count)
        for (k, id) in ids.enumerated() {
            var id = id
            id.withUTF8 { b in
                bytes.append(contentsOf: b)
                ends.append(bytes.count)
                let h = VolunteerIDs.hash(b)
                var s = Int(truncatingIfNeeded: h) & (size - 1)
                while slots[s] != 0 { s = (s + 1) & (size - 1) }
                slots[s] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(k + 1)
            }
        }
    }

    /// What the bytes of `id` are: the number of the roster id spelt with exactly these bytes,
    /// or none, and whether every byte is ASCII (then no other spelling of the text exists).
    func find(_ id: String) -> (number: Int?, ascii: Bool) {
        var id = id
        return id.withUTF8 { b in
            let h = VolunteerIDs.hash(b)
            let top = h & 0xFFFF_FFFF_0000_0000
            return slots.withUnsafeBufferPointer { slots in
                bytes.withUnsafeBufferPointer { all in
                    ends.withUnsafeBufferPointer { ends in
                        var s = Int(truncatingIfNeeded: h) & (slots.count - 1)
                        while slots[s] != 0 {
                            if slots[s] & 0xFFFF_FFFF_0000_0000 == top {
                                let k = Int(truncatingIfNeeded: slots[s] & 0xFFFF_FFFF) - 1
                                let start = k == 0 ? 0 : ends[k - 1]
                                if ends[k] - start == b.count,
                                   b.count == 0 || memcmp(all.baseAddress! + start, b.baseAddress!, b.count) == 0 {
                                    return (k, true)
                                }
                            }
                            s = (s + 1) & (slots.count - 1)
                        }
                        return (nil, VolunteerIDs.isASCII(b))
                    }
                }
            }
        }
    }

    static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where c >= 0x80 { return false }
        return true
    }

    /// A 64-bit hash of a short text: eight bytes at a time, each word multiplied and folded
    /// (the multiply-and-fold step of wyhash); the length is mixed in first.
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(b.count)
        var i = 0
        while i < b.count {
            var w: UInt64 = 0
            let n = min(8, b.count - i)
            for j in 0..<n { w |= UInt64(b[i + j]) << UInt64(8 * j) }
            let m = (h ^ w).multipliedFullWidth(by: 0xBF58_476D_1CE4_E5B9)
            h = m.high ^ m.low
            i += 8
        }
        let m = h.multipliedFullWidth(by: 0x94D0_49BB_1331_11EB)
        return m.high ^ m.low
    }
}
