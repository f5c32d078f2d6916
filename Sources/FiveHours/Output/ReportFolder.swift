import Dispatch
import Synchronization
import Foundation
import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// Something that stops a run while writing: the earlier reports stay as they were.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// An error of a system call on `path`, told so that the operator knows what to do, never
    /// Foundation's "The operation could not be completed".
    public static func system(_ code: Int32, path: String, doing: String) -> OutputError {
        let why: String
        switch code {
        case EACCES, EPERM: why = "no permission to \(doing) (run as a user who may write there, or choose another --out)"
        case EROFS: why = "cannot \(doing): the file system is read-only (choose another --out)"
        case ENOSPC, EDQUOT: why = "cannot \(doing): the disk is full (free some space or choose another --out)"
        case ENOTDIR: why = "cannot \(doing): a part of this path is a file, not a folder (move the file away or choose another --out)"
        case EEXIST: why = "cannot \(doing): a file is in the way (move it away or choose another --out)"
        case ENAMETOOLONG: why = "cannot \(doing): the path is too long"
        case ELOOP: why = "cannot \(doing): the path has a loop of symbolic links"
        case EIO: why = "cannot \(doing): input/output error on the disk"
        default: why = "cannot \(doing): \(String(cString: strerror(code)))"
        }
        return OutputError(path: path, reason: why)
    }
}

/// Writes one run's files so that they replace the previous run's as a whole, or not at all.
///
/// The files go into a fresh hidden folder beside the target, each written, fsynced and
/// closed; the folder is fsynced; then it is swapped with the old folder in one atomic
/// `renameat2(RENAME_EXCHANGE)` (or renamed into place when there was none), the parent is
/// fsynced, and the old folder removed. A crash at any moment leaves either the old report or
/// the new one in place, never a mix. One run at a time per output folder: a `flock` on
/// `<out>/.fivehours.lock`, which a second run finds taken and stops.
public struct ReportFolder {
    public let parent: String
    public let name: String
    public var path: String { (parent as NSString).appendingPathComponent(name) }

    public init(parent: String, name: String) {
        self.parent = parent
        self.name = name
    }

    /// Holds the output folder's lock for the life of the value.
    public final class Lock {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { flock(fd, LOCK_UN); close(fd) }
    }

    /// Takes the output folder's lock, creating the folder if needed.
    public func lock() throws -> Lock {
        try ReportFolder.makeFolders(parent)
        let lockPath = (parent as NSString).appendingPathComponent(".fivehours.lock")
        // Never through a link (a link planted as the lock file would make the run create or
        // truncate a file wherever it points), never blocking, and only a regular file.
        var fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
        var e = fd < 0 ? errno : 0
        if fd < 0, e == EACCES || e == EPERM {
            // A lock file another user's run made (the batch run once by hand, as root): reading
            // it is enough to lock it. When there is none to read, the refusal to make one is
            // the reason (not "no such file").
            fd = open(lockPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
            if fd < 0, errno != ENOENT { e = errno }
        }
        guard fd >= 0 else {
            if e == ELOOP {
                throw OutputError(path: lockPath, reason: "the lock file is a symbolic link; fivehours does not follow it (remove the link and run again)")
            }
            var existing = stat()
            if lstat(lockPath, &existing) != 0 {
                // Not even a file could be made there: the folder is the problem, not a lock.
                throw OutputError(path: parent, reason: "cannot write into this folder (\(String(cString: strerror(e)))): choose another --out or output.dir, or let the user who runs fivehours write there")
            }
            throw OutputError(path: lockPath, reason: "cannot open the lock file: \(String(cString: strerror(e)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw OutputError(path: lockPath, reason: "the lock file is not a regular file (remove it and run again)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw OutputError(path: parent, reason: "another fivehours run is writing to this folder; wait for it to finish and run again")
        }
        return Lock(fd: fd)
    }

    /// `mkdir -p`, one level at a time, so that an error names the level that failed and why:
    /// a file in the way, no permission, a read-only disk.
    public static func makeFolders(_ path: String) throws {
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        var current = ""
        for part in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + part
            var st = stat()
            if stat(current, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw OutputError(path: current, reason: "a file is in the way: the output folder needs a folder here (move the file away or choose another --out)")
                }
                continue
            }
            let missing = errno
            guard missing == ENOENT else { throw OutputError.system(missing, path: current, doing: "reach this folder") }
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw OutputError.system(errno, path: current, doing: "create the output folder")
            }
        }
    }

    /// Starts the new folder: a fresh hidden folder beside the target, which `Staging` fills
    /// and then swaps in.
    public func stage() throws -> Staging { try Staging(self) }

    /// The new folder while its files are written, each as soon as the run has made it, on a
    /// thread of its own (`write`): a year's 180 MB table goes to disk while the next table is
    /// made, and its bytes are let go once written instead of being held until the last file.
    /// `commit` waits for the writes and swaps the folder in; a run that fails calls `abandon`
    /// (a run killed leaves the folder, which the next run removes under the lock).
    public final class Staging: @unchecked Sendable {
        let target: ReportFolder
        let path: String
        /// Writes in the order they were asked for, one at a time.
        private let writer = DispatchQueue(label: "fivehours.report-folder")
        /// The first write that failed: the later ones are skipped, `commit` throws it, and the run
        /// may ask for it at any time (`failed`) to stop at once rather than at its end.
        private let failure = Mutex<OutputError?>(nil)

        /// The first write that failed so far, without waiting for the writes still to come.
        public var failed: OutputError? { failure.withLock { $0 } }
        private var finished = false

        fileprivate init(_ target: ReportFolder) throws {
            self.target = target
            let fm = FileManager.default
            let parent = target.parent, name = target.name
            path = (parent as NSString).appendingPathComponent(".\(name).new-\(getpid())")
            // Staging folders left by runs that were killed: the lock is ours, so none is in use.
            // A run killed between the two renames of the fallback below left the earlier report
            // aside (`….old`) and none in its place: it is put back first, so that the report
            // folder is the earlier one again before anything else happens.
            let leftovers = ((try? fm.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(".\(name).new-") }
            var here = stat()
            if lstat(target.path, &here) != 0, let aside = leftovers.sorted().last(where: { $0.hasSuffix(".old") }) {
                if rename((parent as NSString).appendingPathComponent(aside), target.path) == 0 { ReportFolder.fsyncFolder(parent) }
            }
            for stale in leftovers where fm.fileExists(atPath: (parent as NSString).appendingPathComponent(stale)) {
                ReportFolder.remove((parent as NSString).appendingPathComponent(stale), what: "a report folder left by an earlier run")
            }
            var st = stat()
            if lstat(target.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR {
                throw OutputError(path: target.path, reason: "a file is in the way of the report folder (move it away or choose another --out)")
            }
            guard mkdir(path, 0o755) == 0 else { throw OutputError.system(errno, path: parent, doing: "write in the output folder") }
        }

        /// Writes a file of these bytes, one piece after the other (a table made in chunks is
        /// written from its chunks, never joined), fsynced, on the writer's thread.
        public func write(_ name: String, pieces: [[UInt8]]) {
            let file = (path as NSString).appendingPathComponent(name)
            writer.async { [self] in
                guard failed == nil else { return }
                do { try ReportFolder.writeDurably(pieces, to: file) } catch {
                    let e = error as? OutputError ?? OutputError(path: file, reason: "\(error)")
                    failure.withLock { if $0 == nil { $0 = e } }
                }
            }
        }

        /// Waits for the writes, copies `copies` (name → source path), and puts the folder in
        /// place of the earlier report, atomically. Removes the staging folder when anything fails.
        public func commit(copies: [(String, String)] = []) throws {
            let fm = FileManager.default
            let parent = target.parent, path = target.path
            do {
                writer.sync {}
                if let failed { throw failed }
                for (file, source) in copies {
                    let destination = (self.path as NSString).appendingPathComponent(file)
                    try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    // Streamed in fixed steps: memory does not grow with a video's size.
                    try MediaFiles.copy(from: source, to: destination)
                }
                for dir in Set(copies.map { ((self.path as NSString).appendingPathComponent($0.0) as NSString).deletingLastPathComponent }) {
                    ReportFolder.fsyncFolder(dir)
                }
                ReportFolder.fsyncFolder(self.path)
                finished = true
                if fm.fileExists(atPath: path) {
                    if fivehours_exchange(self.path, path) != 0 {
                        // No atomic exchange here: fall back to rename-aside, rename-in.
                        let aside = self.path + ".old"
                        guard rename(path, aside) == 0 else { throw OutputError.system(errno, path: path, doing: "replace the earlier report") }
                        guard rename(self.path, path) == 0 else {
                            let code = errno
                            _ = rename(aside, path)
                            throw OutputError.system(code, path: path, doing: "replace the earlier report")
                        }
                        ReportFolder.fsyncFolder(parent)
                        try? fm.removeItem(atPath: aside)
                        return
                    }
                    ReportFolder.fsyncFolder(parent)
                    ReportFolder.remove(self.path, what: "the earlier report") // the staging path now holds it
                } else {
                    guard rename(self.path, path) == 0 else { throw OutputError.system(errno, path: path, doing: "put the report in place") }
                    ReportFolder.fsyncFolder(parent)
                }
            } catch {
                try? fm.removeItem(atPath: self.path)
                throw error
            }
        }

        /// Lets the writes end and removes the staging folder: the earlier report stays as it was.
        public func abandon() {
            writer.sync {}
            guard !finished else { return }
            finished = true
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Removes a folder the run is done with; one it cannot remove (made by another user, say
    /// root's before the batch ran as its own user) is said on stderr, with where it is — the
    /// run's report is in place all the same — rather than left beside it for good without a word.
    static func remove(_ path: String, what: String) {
        let fm = FileManager.default
        do { try fm.removeItem(atPath: path) } catch {
            guard fm.fileExists(atPath: path) else { return }
            StandardError.write("fivehours: warning: \(what) could not be removed (another user's files?) and stays at \(TerminalText.line(path)); remove it by hand\n")
        }
    }

    /// Files from this size on go to the disk past the page cache (`O_DIRECT`). Every file is
    /// fsynced, so its bytes wait for the disk either way; through the cache they are first
    /// copied into pages the system hands out fresh: on the benchmark's VM a year's 180 MB
    /// `volunteer-weeks.csv` took 0.3–0.4 s so, at the run's end with one core idle, against
    /// 0.08 s straight to the disk. A small file is not worth the aligned buffer.
    static let directFrom = 4 << 20

    /// Write each piece in turn, loop on short writes, fsync, close. A file of `directFrom`
    /// bytes or more goes in whole aligned blocks past the page cache (`FileWriter`), where the
    /// file system allows it; elsewhere (it refuses the flag or a write with `EINVAL` or
    /// `EOPNOTSUPP`: tmpfs on older kernels, some FUSE and network file systems) through the
    /// cache, as every smaller file.
    static func writeDurably(_ pieces: [[UInt8]], to path: String, directFrom: Int = directFrom,
                             calls: FileWriter.Calls = .system) throws {
        let size = pieces.reduce(0) { $0 + $1.count }
        let direct = size >= directFrom ? FileWriter.directFlag : 0
        var fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | direct, 0o644)
        // Refused with the flag, for whatever reason: asked again without it, and what that
        // answers is what the user is told.
        if fd < 0, direct != 0 { fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw OutputError.system(errno, path: path, doing: "write the file") }
        var file = FileWriter(fd: fd, path: path, direct: direct != 0 && fcntl(fd, F_GETFL) & direct != 0, calls: calls)
        defer { file.close() }
        for bytes in pieces { try bytes.withUnsafeBytes { try file.write($0) } }
        try file.finish()
        guard fsync(file.fd) == 0 else { throw OutputError.system(errno, path: path, doing: "save the file to disk") }
    }

    /// The bytes of one file, written in order: as they come (through the page cache), or
    /// gathered into whole aligned blocks written past it — a direct write wants its memory, its
    /// place in the file and its length in whole blocks of the disk, and 4,096 bytes suits
    /// every disk's. The last part of a block goes through the cache.
    struct FileWriter {
        static let block = 4096
        static let bufferSize = 1 << 20
        /// `O_DIRECT` (0 where the system has none).
        static let directFlag = fivehours_direct_flag()

        /// The system calls the writer makes, replaceable so that tests can make a file system
        /// refuse a direct write or take part of one (`FileWriterTests`).
        struct Calls: Sendable {
            var write: @Sendable (Int32, UnsafeRawPointer, Int) -> Int
            /// Turns `O_DIRECT` off on the descriptor; false when the system would not.
            var stopDirect: @Sendable (Int32) -> Bool

            static let system = Calls(write: { Glibc.write($0, $1, $2) }, stopDirect: { fd in
                let flags = fcntl(fd, F_GETFL)
                return flags >= 0 && fcntl(fd, F_SETFL, flags & ~FileWriter.directFlag) == 0
            })
        }

        /// The open file: the writer's own, closed by `close()`, and opened again without
        /// `O_DIRECT` when the flag cannot be turned off (`throughCache`).
        private(set) var fd: Int32
        let path: String
        let calls: Calls
        /// Writing past the cache: until the end, or until the file system refuses it.
        private(set) var direct: Bool
        /// Where the blocks are gathered, when writing past the cache.
        private var buffer: UnsafeMutableRawPointer?
        private var held = 0

        init(fd: Int32, path: String, direct: Bool, calls: Calls = .system) {
            self.fd = fd
            self.path = path
            self.calls = calls
            self.direct = direct
            buffer = direct ? UnsafeMutableRawPointer.allocate(byteCount: FileWriter.bufferSize, alignment: FileWriter.block) : nil
        }

        mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard let buffer, let from = bytes.baseAddress else { return try put(bytes.baseAddress, bytes.count) }
            var at = 0
            while at < bytes.count {
                let n = min(bytes.count - at, FileWriter.bufferSize - held)
                (buffer + held).copyMemory(from: from + at, byteCount: n)
                held += n
                at += n
                if held == FileWriter.bufferSize {
                    try put(buffer, held)
                    held = 0
                }
            }
        }

        /// The gathered bytes written: their whole blocks past the cache, the rest through it.
        mutating func finish() throws {
            guard let buffer, held > 0 else { return }
            let whole = held - held % FileWriter.block
            try put(buffer, whole)
            if direct { try throughCache() }
            try put(buffer + whole, held - whole)
            held = 0
        }

        /// Closes the file and lets the buffer go.
        mutating func close() {
            buffer?.deallocate()
            buffer = nil
            _ = Glibc.close(fd)
        }

        /// The rest of the file through the cache: `O_DIRECT` turned off, or — where the system
        /// will not — the file opened again without it, at the place this one had reached.
        private mutating func throughCache() throws {
            direct = false
            guard !calls.stopDirect(fd) else { return }
            let place = lseek(fd, 0, SEEK_CUR)
            let again = open(path, O_WRONLY | O_CLOEXEC)
            guard place >= 0, again >= 0, lseek(again, place, SEEK_SET) == place else {
                let code = errno
                if again >= 0 { _ = Glibc.close(again) }
                throw OutputError.system(code, path: path, doing: "write the file")
            }
            _ = Glibc.close(fd)
            fd = again
        }

        /// All `count` bytes at `p`, looping on short writes. A direct write the file system
        /// refuses (`EINVAL` or `EOPNOTSUPP`, also after a short write left the file's end out of
        /// step with the blocks) is written through the cache, with the rest of the file.
        private mutating func put(_ p: UnsafeRawPointer?, _ count: Int) throws {
            var done = 0
            while done < count {
                let n = calls.write(fd, p! + done, count - done)
                if n > 0 {
                    done += n
                } else if n == 0 {
                    throw OutputError(path: path, reason: "the disk took none of the file's bytes (free some space or choose another --out)")
                } else if errno == EINTR {
                    continue
                } else if direct, errno == EINVAL || errno == EOPNOTSUPP {
                    try throughCache()
                } else {
                    throw OutputError.system(errno, path: path, doing: "write the file")
                }
            }
        }
    }

    static func fsyncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
