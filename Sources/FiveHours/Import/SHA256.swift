import CCrypto
import CSystem
import Foundation

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

/// The SHA-256 of a file, read and computed on a thread of its own while the caller goes on.
///
/// Hashing half a gigabyte takes about 0.3 s of one core (OpenSSL with the SHA extensions) and
/// cannot be split. While the files are read the thread runs only when a core would otherwise be
/// idle (`fivehours_run_when_idle`): the parse, on both cores, never waits for it, and it fills
/// the time when they leave a core free. Once every file is read it is raised back to the
/// ordinary policy (`hurry`), so that it shares the cores with the stages after the import (left
/// idle to the end, it was the last thing a weekly run waited for, with one core idle) and other
/// busy programs on the machine cannot starve it. The file is opened at once, so the hash is of
/// the file the run opened, even when it is read late. A task nobody will wait for is cancelled
/// (a file read again the ordinary way, a `check`).
final class DigestTask: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the hashing thread before it signals `done`; read only after waiting.
    private var result: Result<String, Error>?
    /// Guards `thread`, `urgent` and `cancelled`.
    private let lock = NSLock()
    /// The hashing thread's id (Linux) while it runs: for raising its policy from outside.
    private var thread: Int32 = 0
    private var urgent = false
    private var cancelled = false

    /// - Throws: `InputOpenError` when the file cannot be opened.
    init(path: String) throws {
        let (fd, size) = try TextBuffer.openForReading(path)
        let worker = Thread { [self] in
            lock.lock()
            thread = fivehours_thread_id()
            if !urgent { _ = fivehours_run_when_idle() }
            lock.unlock()
            result = Result { try TextBuffer.hash(fd: fd, path: path, size: size) { [self] in lock.withLock { cancelled } } }
            close(fd)
            // Its id is forgotten before it ends: an id can be reused by another thread.
            lock.withLock { thread = 0 }
            done.signal()
        }
        worker.start()
    }

    /// Puts the thread on the ordinary policy, so that it shares the cores with the run's own
    /// threads and with other programs instead of taking only their idle time: once every file is
    /// read (`Importer.read`), when the stages after the import leave less idle time than the hash
    /// still needs, and before anyone waits for it.
    func hurry() {
        lock.withLock {
            urgent = true
            if thread != 0 { _ = fivehours_run_normally(thread) }
        }
    }

    /// The hex digest, once computed; throws what reading the file threw.
    func wait() throws -> String {
        hurry()
        done.wait()
        done.signal() // for the next caller
        return try result!.get()
    }

    /// Waits for each pending digest and writes it into its file's report.
    static func fill(_ files: inout [InputFileReport], from pending: [(fileIndex: Int, task: DigestTask)]) throws {
        for (i, task) in pending { files[i].sha256 = try task.wait() }
    }

    /// Stops the hash at its next block (a megabyte), and waits for its thread to end: a
    /// thread still hashing when the process exits runs into OpenSSL's exit handlers, which
    /// free the locks it takes (a `check` whose last file's hash was still running crashed at
    /// its exit, its output written, two times in 700).
    func cancel() {
        lock.withLock { cancelled = true }
        hurry()
        done.wait()
        done.signal() // for a later waiter
    }
}

/// Digest tasks started before their files are read, by path: `Importer.run` starts one for each
/// file of at least `minimumSize` bytes, the reader of that file takes it, and the rest (a file
/// read the ordinary way, which hashes its own bytes) are cancelled when the import ends.
final class EarlyDigests: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [String: DigestTask] = [:]

    /// Starts hashing `path` if it is that large; a file that cannot be opened is left to its
    /// reader, which says why.
    func start(_ path: String, minimumSize: Int) {
        var st = stat()
        guard stat(path, &st) == 0, Int(st.st_size) >= minimumSize, let task = try? DigestTask(path: path) else { return }
        lock.withLock {
            tasks[path]?.cancel()
            tasks[path] = task
        }
    }

    /// The task started for `path`, taken over by the caller.
    func take(_ path: String) -> DigestTask? { lock.withLock { tasks.removeValue(forKey: path) } }

    /// Stops every task no reader took.
    func cancelRest() {
        lock.withLock {
            for task in tasks.values { task.cancel() }
            tasks = [:]
        }
    }
}
