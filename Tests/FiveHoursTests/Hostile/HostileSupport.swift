import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Helpers of the hostile-input tests (issue 6): running the built binary with its own peak
/// memory, planting secrets and watching that nobody opens them, reading CSV back, and a
/// seeded random generator for the property tests.
enum Hostile {
    // MARK: Fixtures

    /// `Fixtures/hostile/<name>` (or `Fixtures/<sub>/<name>`), as bytes.
    static func fixture(_ name: String, in sub: String = "hostile") throws -> [UInt8] {
        guard let base = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw HostileError("the Fixtures resource is missing")
        }
        return try [UInt8](Data(contentsOf: base.appendingPathComponent(sub).appendingPathComponent(name)))
    }

    static func fixtureFolder(_ sub: String) throws -> URL {
        guard let base = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw HostileError("the Fixtures resource is missing")
        }
        return base.appendingPathComponent(sub)
    }

    struct HostileError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    // MARK: Running the binary

    struct Run {
        var status: Int32
        /// The signal that ended it, if one did.
        var signal: Int32?
        var stdout: String
        var stderr: String
        /// Peak resident set of the child alone (its `VmHWM`, sampled), in bytes.
        var peakRSS: Int
        var seconds: Double
        var output: String { stdout + stderr }
    }

    /// A started child: `wait()` reaps it with its own resource usage.
    final class Child {
        let pid: pid_t
        let outPath: String
        let errPath: String
        let started: Date

        init(pid: pid_t, outPath: String, errPath: String) {
            self.pid = pid
            self.outPath = outPath
            self.errPath = errPath
            self.started = Date()
        }

        func kill(_ sig: Int32 = SIGKILL) { _ = Glibc.kill(pid, sig) }

        /// Waits for the child, sampling its own peak resident memory (`VmHWM` of
        /// /proc/<pid>/status) every 2 ms once it runs as fivehours. (`wait4`'s `ru_maxrss`
        /// counts the test runner's memory too: `posix_spawn` starts the child in the parent's
        /// address space until exec, and Linux keeps that high-water mark across the exec.)
        func wait() -> Run {
            final class Peak: @unchecked Sendable {
                let lock = NSLock()
                var bytes = 0
                var done = false
            }
            let peak = Peak()
            let pid = self.pid
            let sampler = Thread {
                while true {
                    peak.lock.lock(); let done = peak.done; peak.lock.unlock()
                    if done { break }
                    let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
                    if comm.hasPrefix("fivehours"), let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                       let kb = Int(line.split(separator: " ").dropFirst().first ?? "") {
                        peak.lock.lock(); peak.bytes = max(peak.bytes, kb * 1024); peak.lock.unlock()
                    }
                    usleep(2_000)
                }
            }
            sampler.start()
            var status: Int32 = 0
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
            peak.lock.lock(); peak.done = true; let peakBytes = peak.bytes; peak.lock.unlock()
            let seconds = Date().timeIntervalSince(started)
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
            // WIFEXITED / WTERMSIG by hand: the macros are not imported.
            let termSig = status & 0x7f
            return Run(status: termSig == 0 ? (status >> 8) & 0xff : -1, signal: termSig == 0 ? nil : termSig,
                       stdout: out, stderr: err, peakRSS: peakBytes, seconds: seconds)
        }
    }

    /// Starts the built `fivehours` with stdout and stderr going to files (no pipe can fill up)
    /// and without Foundation's `Process`, so that `wait()` can follow this child's own peak memory.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Child {
        let tmp = FileManager.default.temporaryDirectory.path
        let tag = ImportTestSupport.uniqueTag()
        let outPath = "\(tmp)/fivehours-child-\(tag).out", errPath = "\(tmp)/fivehours-child-\(tag).err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let path = Binary.executable.path
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw HostileError("posix_spawn \(path): \(String(cString: strerror(rc)))") }
        return Child(pid: pid, outPath: outPath, errPath: errPath)
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try start(arguments, environment: environment).wait()
    }

    // MARK: Output folders

    /// Every regular file under `folder` (hidden ones too), by path relative to it.
    static func files(under folder: URL) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        guard let e = FileManager.default.enumerator(atPath: folder.path) else { return out }
        for case let rel as String in e {
            let full = folder.appendingPathComponent(rel).path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            out[rel] = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: full)))) ?? []
        }
        return out
    }

    /// True when `needle`'s UTF-8 bytes occur in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty, haystack.count >= n.count else { return false }
        let first = n[0]
        var i = 0
        let last = haystack.count - n.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + n.count)].elementsEqual(n) { return true }
            i += 1
        }
        return false
    }

    // MARK: Secrets nobody may open

    /// A folder outside every input, holding files with a unique marker, watched with inotify:
    /// `opened()` lists every open or read of anything in it since the watch began.
    final class Secret {
        let folder: URL
        let marker: String
        let file: URL
        let dtd: URL
        private var fd: Int32 = -1

        init(folder: URL) throws {
            self.folder = folder
            marker = "FIVEHOURS-SECRET-\(ImportTestSupport.uniqueTag())"
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            file = folder.appendingPathComponent("secret.txt")
            dtd = folder.appendingPathComponent("evil.dtd")
            try Data("\(marker)\n".utf8).write(to: file)
            try Data("<!ENTITY fromdtd \"\(marker)\">\n<!ENTITY secret \"\(marker)\">\n".utf8).write(to: dtd)
            fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            if fd >= 0, inotify_add_watch(fd, folder.path, UInt32(IN_OPEN | IN_ACCESS)) < 0 { close(fd); fd = -1 }
        }

        /// Whether the watch works here (inotify can be missing in a sandbox).
        var watching: Bool { fd >= 0 }

        /// The names of the watched files opened or read since the watch began.
        func opened() -> [String] {
            guard fd >= 0 else { return [] }
            var names: [String] = []
            var buf = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                var off = 0
                while off + 16 <= n {
                    let len = buf.withUnsafeBytes { Int($0.load(fromByteOffset: off + 12, as: UInt32.self)) }
                    let nameBytes = buf[(off + 16)..<min(n, off + 16 + len)].prefix { $0 != 0 }
                    names.append(nameBytes.isEmpty ? "." : String(decoding: nameBytes, as: UTF8.self))
                    off += 16 + len
                }
            }
            return names
        }

        deinit { if fd >= 0 { close(fd) } }
    }

    /// A TCP port on 127.0.0.1 that counts the connections made to it (none, we hope).
    final class Listener {
        let port: Int
        private let fd: Int32

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw HostileError("socket: \(String(cString: strerror(errno)))") }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw HostileError("bind/listen: \(String(cString: strerror(errno)))") }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            port = Int(UInt16(bigEndian: addr.sin_port))
            self.fd = fd
        }

        /// Connections made since it started listening.
        func connections() -> Int {
            var n = 0
            while true {
                let c = accept(fd, nil, nil)
                guard c >= 0 else { break }
                close(c)
                n += 1
            }
            return n
        }

        deinit { close(fd) }
    }

    // MARK: CSV read back

    /// A strict RFC 4180 reader for the program's own CSV output: a UTF-8 BOM, CRLF after every
    /// record, quoted fields with `""`. Anything else is an error, so a test notices.
    static func parseCSV(_ bytes: [UInt8]) throws -> [[String]] {
        guard bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { throw HostileError("no UTF-8 BOM") }
        let b = Array(bytes.dropFirst(3))
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var i = 0
        var quoted = false
        while i < b.count {
            let c = b[i]
            if quoted {
                if c == 34 {
                    if i + 1 < b.count, b[i + 1] == 34 { field.append(34); i += 2; continue }
                    quoted = false
                    i += 1
                    guard i < b.count, b[i] == 44 || b[i] == 13 else { throw HostileError("text after a closing quote at byte \(i)") }
                    continue
                }
                field.append(c)
                i += 1
                continue
            }
            switch c {
            case 34:
                guard field.isEmpty else { throw HostileError("a quote inside an unquoted field at byte \(i)") }
                quoted = true
                i += 1
            case 44:
                row.append(String(decoding: field, as: UTF8.self))
                field = []
                i += 1
            case 13:
                guard i + 1 < b.count, b[i + 1] == 10 else { throw HostileError("a CR without LF at byte \(i)") }
                row.append(String(decoding: field, as: UTF8.self))
                rows.append(row)
                row = []
                field = []
                i += 2
            case 10:
                throw HostileError("a bare LF at byte \(i)")
            default:
                field.append(c)
                i += 1
            }
        }
        guard !quoted else { throw HostileError("an unterminated quote") }
        guard row.isEmpty, field.isEmpty else { throw HostileError("the last record has no CRLF") }
        return rows
    }

    /// The cell as the spreadsheet user typed it: the neutralising `'` removed.
    static func unneutralised(_ cell: String) -> String {
        guard cell.unicodeScalars.first == "'" else { return cell }
        let rest = String(String.UnicodeScalarView(cell.unicodeScalars.dropFirst()))
        return looksLikeFormula(rest) ? rest : cell
    }

    /// Whether a spreadsheet may take the cell for a formula: a formula start first, or after
    /// white space and invisible characters (a spreadsheet that trims spaces passes over them).
    static func looksLikeFormula(_ cell: String) -> Bool {
        if let first = cell.unicodeScalars.first, formulaStarts.contains(first) { return true }
        let invisible: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
        let rest = cell.unicodeScalars.drop { $0.properties.isWhitespace || invisible.contains($0.value) }
        return rest.count < cell.unicodeScalars.count && rest.first.map(formulaStarts.contains) == true
    }

    /// The scalars that make a spreadsheet read a cell as a formula when they come first.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]

    /// Rows of a CSV file with `--csv-header keys` as dictionaries by key.
    static func records(_ bytes: [UInt8]) throws -> [[String: String]] {
        let rows = try parseCSV(bytes)
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { r in
            var d: [String: String] = [:]
            for (k, v) in zip(header, r) { d[k] = v }
            return d
        }
    }

    /// The `manifest.json` of a report folder.
    static func manifest(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let m = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw HostileError("manifest is not an object") }
        return m
    }
}

/// The seeded generator of the property tests is `SplitMix` (Week/CountingTests.swift).
typealias SeededGenerator = SplitMix
