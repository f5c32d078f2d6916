import CCrypto

/// SHA-256 of the inputs and of the campaign file, for the manifest an auditor re-checks.
enum SHA256 {
    static func hex(of bytes: UnsafeBufferPointer<UInt8>) -> String {
        var md = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        let ok = md.withUnsafeMutableBufferPointer { out in
            EVP_Digest(bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 1), bytes.count,
                       out.baseAddress, &len, EVP_sha256(), nil)
        }
        precondition(ok == 1, "OpenSSL SHA-256 failed")
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in md { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(of bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { hex(of: $0) }
    }
}
