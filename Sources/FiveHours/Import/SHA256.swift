import CCrypto
import Dispatch

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
        return lowercaseHex(md)
    }

    /// An incremental digest, for hashing a large file block by block.
    /// Used by one thread at a time (the block loop waits for each block).
    final class Stream: @unchecked Sendable {
        let ctx: OpaquePointer
        init() {
            ctx = EVP_MD_CTX_new()
            EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        }
        func update(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            EVP_DigestUpdate(ctx, base, bytes.count)
        }
        func finish() -> String {
            var md = [UInt8](repeating: 0, count: 32)
            var len: UInt32 = 0
            _ = md.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &len) }
            return SHA256.lowercaseHex(md)
        }
        deinit { EVP_MD_CTX_free(ctx) }
    }

    static func lowercaseHex(_ md: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(md.count * 2)
        for b in md { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(of bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { hex(of: $0) }
    }
}

/// The SHA-256 of a file, read and computed on another thread while the caller goes on.
///
/// Hashing half a gigabyte takes about 0.4 s of one core and cannot be split; started beside the
/// parse, it fills the time when the other stages leave a core idle.
final class DigestTask: @unchecked Sendable {
    private let done = DispatchGroup()
    // Written once by the hashing thread, read only after `done` (which orders the two).
    private var result: Result<String, Error>?

    init(path: String) {
        DispatchQueue.global().async(group: done) { [self] in
            result = Result { try TextBuffer.hashFile(path: path) }
        }
    }

    /// The hex digest, once computed; throws what reading the file threw.
    func wait() throws -> String {
        done.wait()
        return try result!.get()
    }
}
