/// A 128-bit hash of a row's parsed values, so that duplicates can be found among millions of
/// rows without keeping the rows.
///
/// Two independent 64-bit lanes: two different rows collide only when both lanes do (about
/// n² / 2¹²⁹ for n rows — never, in practice). Text is hashed as its UTF-8 bytes trimmed of
/// white space, the same whether it came from a CSV cell or an XML attribute.
struct RowHasher {
    private var a: UInt64
    private var b: UInt64

    init(domain: UInt64) {
        a = 0x243F_6A88_85A3_08D3 ^ domain
        b = 0x1319_8A2E_0370_7344 &+ domain
    }

    @inline(__always)
    private mutating func mix(_ w: UInt64) {
        a = (a ^ w) &* 0x9E37_79B9_7F4A_7C15
        a ^= a >> 29
        b = (b &+ w) &* 0xC2B2_AE3D_27D4_EB4F
        b = (b << 31) | (b >> 33)
    }

    mutating func combine(_ v: Int) { mix(UInt64(bitPattern: Int64(v))) }

    mutating func combine(_ v: Int?) {
        if let v { mix(1); combine(v) } else { mix(0) }
    }

    /// Bytes, length-prefixed (so that "ab","c" and "a","bc" differ). Inlined: every row's
    /// identity hashes its `record_id` this way.
    @inline(__always)
    mutating func combine(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        mix(0xB000_0000_0000_0000 | UInt64(n))
        guard let p = bytes.baseAddress else { return }
        var i = 0
        while i + 8 <= n {
            mix(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n { w |= UInt64(p[i]) << shift; shift += 8; i += 1 }
            mix(w)
        }
    }

    mutating func combine(_ s: String?) {
        guard var s else { mix(0); return }
        mix(1)
        s.withUTF8 { combine($0) }
    }

    func finalize() -> RowKey {
        func avalanche(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return RowKey(a: avalanche(a), b: avalanche(b ^ a))
    }
}

/// A 128-bit row hash.
struct RowKey: Hashable, Sendable {
    var a: UInt64
    var b: UInt64
}
