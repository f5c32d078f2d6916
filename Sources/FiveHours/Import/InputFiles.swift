import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which files of `inputs:` are read: the file discovery of the import, kept apart from the
/// reading of the bytes.
///
/// Only regular files are ever opened. A path named in `inputs:` that is not a regular file or
/// a folder (a FIFO, a socket, a device) stops the run (exit 1) with a message naming it: the
/// operator named it. Inside a folder, the tree is walked with `lstat`, never following a link
/// blindly:
///
/// - a `.csv`/`.xml` entry that is not a regular file (a FIFO, a socket, a device) is *refused*:
///   listed as a whole-file reject with the reason, never opened, so nothing blocks;
/// - a symbolic link is read only when its target is a regular file inside one of the input
///   folders; a link leaving them is refused (nothing of its target is opened, hashed or
///   measured), like a media link leaving its log's folder; links to folders are not descended;
/// - the output folder, and any folder holding fivehours' own output (an output root with its
///   `.fivehours.lock`, a report folder `weekly-*`/`daily-*`/`monthly-*`/`yearly-*` holding a
///   `manifest.json`, any folder holding fivehours' `manifest.json`, a hidden staging folder),
///   is never read as input — the run's own output silently, any other such folder refused,
///   named, so that a lock file or a manifest dropped into a unit's folder cannot make its
///   files vanish without a trace;
/// - nothing else is left out silently either: a folder that cannot be read, a link to a
///   folder, a file that cannot be read, a name that is not UTF-8 (a zip made on Chinese
///   Windows, unpacked) are refused, named;
/// - each file read is opened as the file listed: its device and inode are noted here and
///   checked on every descriptor the reader opens (`ListedFiles`), so that a file swapped for
///   a link between the listing and the reading is not read;
/// - a file reached twice (a folder listed twice, a folder and a file in it, a link to a file
///   also listed) is read once, at its first place in input order — and a file two kinds of
///   input reach (a link among the logs to a roster) as the first kind only (`lists(of:)`);
/// - a folder more than `deepestFolder` levels below the folder named is not descended: it is
///   refused, named, instead (a hostile tree thousands of levels deep took minutes to walk).
public enum InputFiles {
    /// One file of the input order: read, or refused with a reason.
    public struct Entry: Sendable, Equatable {
        public var path: String
        /// Why the file is not read; nil for a file to read.
        public var refusal: Refusal?
        /// A workbook or a text export beside the inputs (`.xlsx`, `.xls`, `.et`, `.ods`, `.txt`,
        /// …): not an input — the contract reads `.csv` and `.xml` only — but named on stderr
        /// and by `check`, saying to save it as CSV: a roster handed in as a workbook would
        /// otherwise only show as volunteers "on no roster".
        public var skipped = false
    }

    /// The names of a workbook or a spreadsheet's text export (`Entry.skipped`).
    static let workbookExtensions = [".xlsx", ".xlsm", ".xls", ".et", ".ods", ".numbers", ".txt", ".tsv"]

    /// Why a file is not read, in both languages (the report's is chosen when it is rejected).
    public struct Refusal: Sendable, Equatable {
        public var zh: String
        public var en: String
    }

    /// Lists the files of one kind's `inputs:` paths in input order (by the bytes of their UTF-8 paths).
    ///
    /// - Parameters:
    ///   - paths: the files and folders of one `inputs:` list, absolute.
    ///   - inputFolders: every folder of every `inputs:` list (where a link may point).
    ///   - outputFolder: the run's output folder, skipped wherever it lies.
    /// - Throws: `InputOpenError` for a named path that does not exist or is neither a regular
    ///   file nor a folder.
    public static func list(_ paths: [String], inputFolders: [String], outputFolder: String?) throws -> [Entry] {
        let roots = inputFolders.compactMap(realPath).map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        let output = outputFolder.flatMap(realPath)
        var outputStat = stat()
        let outputID = output.flatMap { stat($0, &outputStat) == 0 ? FileID(outputStat) : nil }
        var found: [Entry] = []
        for p in paths {
            let st = try named(p)
            if isDirectory(st) {
                walk(p, depth: 0, roots: roots, output: output, outputID: outputID, into: &found)
            } else {
                ListedFiles.note(p, st)
                found.append(Entry(path: p, refusal: nil))
            }
        }
        found.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        // Read once: the first of the paths that name one file (its device and inode, noted
        // as it was listed: no path resolved again, one system call per folder of the path, for
        // every file).
        var seen = Set<FileID>()
        return found.filter { e in
            guard e.refusal == nil, !e.skipped, let id = ListedFiles.id(of: e.path) else { return true }
            return seen.insert(id).inserted
        }
    }

    /// A path named in `inputs:`: a folder or a regular file (through a link: the operator's to
    /// make), whose `stat` is returned.
    /// - Throws: `InputOpenError` — it stops the run: the operator named it.
    static func named(_ p: String) throws -> stat {
        var st = stat()
        guard lstat(p, &st) == 0 else {
            throw InputOpenError(path: p, reason: "no such file or folder (check inputs: in the campaign file)")
        }
        if isLink(st), stat(p, &st) != 0 {
            throw InputOpenError(path: p, reason: "a symbolic link to nothing (check inputs: in the campaign file)")
        }
        guard isDirectory(st) || isRegular(st) else {
            throw InputOpenError(path: p, reason: "not a regular file but \(kind(st)); name a file or a folder in inputs:")
        }
        return st
    }

    /// Checks every path `inputs:` names (`named`) before the run takes its output folder: a
    /// run stopped by a missing input then creates nothing there.
    public static func checkNamedPaths(of campaign: Campaign) throws {
        for p in campaign.inputs.rosters + campaign.inputs.activities + campaign.inputs.submissions { _ = try named(p) }
    }

    /// How many levels of folders below a folder named in `inputs:` are read.
    static let deepestFolder = 32

    /// A file or folder as the file system knows it (device and inode): the output folder is
    /// recognised by it without resolving every folder's path, and a listed file when it is opened.
    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ st: stat) { device = UInt64(st.st_dev); inode = UInt64(st.st_ino) }
    }

    /// The names in a folder as its bytes: a name that is not UTF-8 is nil (with its bytes
    /// read as far as they go, to name it); nil for a folder that cannot be read, with why.
    static func names(in folder: String) -> (names: [(name: String?, shown: String, isFolder: Bool)], error: String?) {
        guard let dir = opendir(folder) else { return ([], String(cString: strerror(errno))) }
        defer { closedir(dir) }
        var out: [(name: String?, shown: String, isFolder: Bool)] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [46] || bytes == [46, 46] { continue }
            let name = String(validating: bytes, as: UTF8.self)
            // Whether a name that is not UTF-8 is a folder: asked by its bytes.
            var isFolder = false
            if name == nil {
                var st = stat()
                let path = Array(folder.utf8) + [47] + bytes + [0]
                isFolder = path.withUnsafeBufferPointer { p in
                    p.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &st) == 0 } && isDirectory(st)
                }
            }
            out.append((name, name ?? String(decoding: bytes, as: UTF8.self), isFolder))
        }
        return (out, nil)
    }

    /// Walks `folder` (named by the operator, maybe through a link) with `lstat`; `depth` is how
    /// far below the named folder it lies.
    static func walk(_ folder: String, depth: Int, roots: [String], output: String?, outputID: FileID?, into found: inout [Entry]) {
        let (names, error) = names(in: folder)
        if let error {
            found.append(Entry(path: folder, refusal: Refusal(zh: "无法读取该文件夹（\(error)），其中的文件未读入；请让运行本程序的用户可以读取它",
                                                              en: "this folder cannot be read (\(error)); its files were not read — let the user who runs fivehours read it")))
            return
        }
        // The run's own output folder may be an input folder too: the reports it holds are the
        // run's own, skipped without a word; anyone else's output is refused, named.
        var parent = stat()
        let inOwnOutput = outputID != nil && stat(folder, &parent) == 0 && FileID(parent) == outputID
        for (name, shown, isFolder) in names {
            guard let name else {
                // Not UTF-8: a path made of it could not be opened by name; a folder or a log
                // so named is said, not dropped (any other file is ignored, as under any name).
                let lower = shown.lowercased()
                guard isFolder || lower.hasSuffix(".csv") || lower.hasSuffix(".xml") else { continue }
                found.append(Entry(path: (folder as NSString).appendingPathComponent(shown), refusal: Refusal(
                    zh: isFolder ? "文件夹名不是 UTF-8 编码（GBK 压缩包解压后常见），其中的文件未读入；请改名后再放入"
                        : "文件名不是 UTF-8 编码（GBK 压缩包解压后常见），未读入；请改名后再放入",
                    en: isFolder ? "the folder's name is not UTF-8 (as a zip made on Chinese Windows unpacks); its files were not read — rename it"
                        : "its name is not UTF-8 (as a zip made on Chinese Windows unpacks); not read — rename it")))
                continue
            }
            let full = (folder as NSString).appendingPathComponent(name)
            var st = stat()
            guard lstat(full, &st) == 0 else { continue } // gone since the folder was read
            if isDirectory(st) {
                if FileID(st) == outputID { continue }
                if isOutput(full, name: name) {
                    if inOwnOutput, isReportName(name) { continue }
                    found.append(Entry(path: full, refusal: Refusal(zh: "该文件夹存放的是本程序的输出（含 .fivehours.lock 或 manifest.json），不作为输入读入；输入文件请放在别处",
                                                                    en: "this folder holds fivehours' output (a .fivehours.lock or a manifest.json); not read as input — keep input files elsewhere")))
                    continue
                }
                guard depth < deepestFolder else {
                    found.append(Entry(path: full, refusal: Refusal(zh: "文件夹嵌套超过 \(deepestFolder) 层，其中的文件未读入；请把文件放到浅一些的文件夹",
                                                                    en: "a folder nested more than \(deepestFolder) levels deep; its files were not read — move them higher up")))
                    continue
                }
                walk(full, depth: depth + 1, roots: roots, output: output, outputID: outputID, into: &found)
                continue
            }
            if isLink(st) {
                var target = stat()
                if stat(full, &target) == 0, isDirectory(target) {
                    // Whatever its name: the files of a shared folder linked in would vanish unsaid.
                    found.append(Entry(path: full, refusal: Refusal(zh: "指向文件夹的符号链接不读入；请在 inputs: 中直接写明该文件夹",
                                                                    en: "a symbolic link to a folder is not followed; name the folder in inputs:")))
                    continue
                }
            }
            let lower = name.lowercased()
            guard lower.hasSuffix(".csv") || lower.hasSuffix(".xml") else {
                if !name.hasPrefix("~$"), !name.hasPrefix("."), workbookExtensions.contains(where: { lower.hasSuffix($0) }) {
                    found.append(Entry(path: full, refusal: nil, skipped: true))
                }
                continue
            }
            if isRegular(st) {
                guard access(full, R_OK) == 0 else {
                    let why = String(cString: strerror(errno))
                    found.append(Entry(path: full, refusal: Refusal(zh: "无法读取该文件（\(why)），未读入；请让运行本程序的用户可以读取它",
                                                                    en: "this file cannot be read (\(why)); not read — let the user who runs fivehours read it")))
                    continue
                }
                ListedFiles.note(full, st)
                found.append(Entry(path: full, refusal: nil))
            } else if isLink(st) {
                // A link is read only when it ends on a regular file inside the input folders.
                guard let real = realPath(full) else {
                    found.append(Entry(path: full, refusal: Refusal(zh: "符号链接指向不存在的目标（或链接成环），未读入", en: "a symbolic link to nothing (or in a loop) is not read")))
                    continue
                }
                guard roots.contains(where: { real.hasPrefix($0) }) else {
                    found.append(Entry(path: full, refusal: Refusal(zh: "符号链接指向输入文件夹之外，未读入", en: "a symbolic link out of the input folders is not followed")))
                    continue
                }
                var target = stat()
                if stat(real, &target) == 0, isRegular(target) {
                    if let output, real.hasPrefix(output.hasSuffix("/") ? output : output + "/") { continue }
                    ListedFiles.note(full, target)
                    found.append(Entry(path: full, refusal: nil))
                } else {
                    let what = stat(real, &target) == 0 ? kind(target) : "nothing"
                    found.append(Entry(path: full, refusal: Refusal(zh: "符号链接不指向普通文件（指向\(kindInChinese(what))），未读入", en: "a symbolic link to \(what) is not read")))
                }
            } else {
                found.append(Entry(path: full, refusal: Refusal(zh: "不是普通文件（\(kindInChinese(kind(st)))），未读入", en: "not a regular file: \(kind(st)); never opened")))
            }
        }
    }

    /// Whether the folder `path` holds fivehours' output: an output root (it holds
    /// `.fivehours.lock`), a report folder (holding a `manifest.json`) or a staging folder. (The
    /// run's own output folder is known by its `FileID`.)
    static func isOutput(_ path: String, name: String) -> Bool {
        var st = stat()
        if lstat((path as NSString).appendingPathComponent(".fivehours.lock"), &st) == 0 { return true }
        if isReportName(name) {
            // A staging folder as it is; a report folder with its manifest.
            if name.hasPrefix(".") || lstat((path as NSString).appendingPathComponent("manifest.json"), &st) == 0 { return true }
        }
        // A report folder renamed or moved by hand: its manifest names the program's keys.
        return isManifest((path as NSString).appendingPathComponent("manifest.json"))
    }

    static let reportKinds = ["weekly-", "daily-", "monthly-", "yearly-"]

    /// A report folder's name (`weekly-2019-08-09`) or its staging folder's (`.weekly-2019-08-09.new-123`).
    static func isReportName(_ name: String) -> Bool {
        if name.hasPrefix(".") { return name.contains(".new-") && reportKinds.contains { name.dropFirst().hasPrefix($0) } }
        return reportKinds.contains { name.hasPrefix($0) }
    }

    /// Whether `path` is a fivehours `manifest.json` (read without blocking, 4 KB at most).
    static func isManifest(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, isRegular(st), let fd = try? openRegular(path, noFollow: true) else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        let text = String(decoding: head[..<n], as: UTF8.self)
        return text.hasPrefix("{") && text.contains("\"campaign\"") && text.contains("\"inputs\"") && text.contains("\"sha256\"")
    }

    /// Opens `path` for reading only when it is a regular file, without ever blocking: opened
    /// with `O_NONBLOCK` (a FIFO with no writer would block a plain `open`), checked with
    /// `fstat` on the descriptor itself (no race between a check and the open), then set back
    /// to blocking reads.
    /// - Parameter noFollow: refuse a symbolic link as the last component (`O_NOFOLLOW`).
    /// - Returns: the descriptor; the caller closes it.
    /// - Throws: `InputOpenError` naming the path and what it is.
    public static func openRegular(_ path: String, noFollow: Bool = false) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else {
            let e = errno
            throw InputOpenError(path: path, reason: e == ELOOP && noFollow ? "a symbolic link, not followed" : String(cString: strerror(e)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0, isRegular(st) else {
            close(fd)
            throw InputOpenError(path: path, reason: "not a regular file but \(kind(st)); only regular files are read")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }

    static func realPath(_ path: String) -> String? {
        guard let r = realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    static func isRegular(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFREG }
    static func isDirectory(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFDIR }
    static func isLink(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFLNK }

    /// What a file that is not a regular one is, in words.
    static func kind(_ st: stat) -> String {
        switch st.st_mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// What `kind` says (or "nothing", a link to nowhere), in Chinese.
    static func kindInChinese(_ english: String) -> String {
        let words = ["a FIFO": "命名管道（FIFO）", "a socket": "套接字", "a character device": "字符设备", "a block device": "块设备",
                     "a folder": "文件夹", "a symbolic link": "符号链接", "nothing": "不存在的目标", "not a regular file": "非普通文件"]
        return words[english] ?? english
    }
}

/// The files the listing let through, each with the device and inode it had then: every
/// descriptor the reader opens on one (to map it, hash it, decode it, quote a row again) is
/// checked against it (`TextBuffer.openForReading`), so that a file swapped for a link — or a
/// folder on its path for a link out of the inputs — between the listing and the reading is
/// not read: the run stops, naming it. Kept for the process (one run); paths never listed (a
/// test's own file) are not checked.
enum ListedFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var ids: [String: InputFiles.FileID] = [:]

    static func note(_ path: String, _ st: stat) {
        lock.withLock { ids[path] = InputFiles.FileID(st) }
    }

    /// The device and inode noted for `path` when it was listed.
    static func id(of path: String) -> InputFiles.FileID? { lock.withLock { ids[path] } }

    /// Whether the file open as `fd` is not the one listed at `path`.
    static func changed(_ path: String, fd: Int32) -> Bool {
        guard let listed = lock.withLock({ ids[path] }) else { return false }
        var st = stat()
        return fstat(fd, &st) != 0 || InputFiles.FileID(st) != listed
    }
}

extension InputFiles {
    /// The entries of the campaign's three `inputs:` lists, by kind.
    static func lists(of campaign: Campaign, outputFolder: String?) throws -> [(kind: InputKind, entries: [Entry])] {
        let all = campaign.inputs.rosters + campaign.inputs.activities + campaign.inputs.submissions
        var folders: [String] = []
        for p in all {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { folders.append(p) }
        }
        var lists = try [(InputKind.roster, campaign.inputs.rosters), (.activity, campaign.inputs.activities),
                         (.submission, campaign.inputs.submissions)].map { kind, paths in
            (kind: kind, entries: try list(paths, inputFolders: folders, outputFolder: outputFolder))
        }
        // A file reached under two kinds (a link in the logs' folder to a roster) is read once,
        // as the first kind; under the other it is refused, saying which it was read as.
        var readAs: [FileID: InputKind] = [:]
        for k in lists.indices {
            for e in lists[k].entries.indices where lists[k].entries[e].refusal == nil && !lists[k].entries[e].skipped {
                guard let real = ListedFiles.id(of: lists[k].entries[e].path) else { continue }
                if let first = readAs[real], first != lists[k].kind {
                    let kind = lists[k].kind
                    lists[k].entries[e].refusal = Refusal(zh: "该文件已作为\(first.label)读入，不再作为\(kind.label)读入；请从 inputs: 中的一处删去它（或删去指向它的链接）",
                                                          en: "this file is already read as \(first.aFile); not read again as \(kind.aFile) — remove it (or the link to it) from one of the inputs:")
                } else if readAs[real] == nil {
                    readAs[real] = lists[k].kind
                }
            }
        }
        return lists
    }
}

extension Importer {
    /// The files of `paths` that are read, in input order (no output folder to skip).
    static func files(in paths: [String]) throws -> [String] {
        let folders = paths.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue }
        return try InputFiles.list(paths, inputFolders: folders, outputFolder: nil).filter { $0.refusal == nil && !$0.skipped }.map(\.path)
    }

    /// A file refused unopened (not a regular file, a link out of the input folders): one
    /// whole-file reject naming it, read 0, no hash or size of whatever it points at.
    func refuse(_ path: String, kind: InputKind, reason: InputFiles.Refusal, into result: inout ImportParts) {
        let report = InputFileReport(path: displayPath(path), absolutePath: path, kind: kind, format: "?", sha256: "", byteCount: 0)
        // Line 1, as every whole file rejected names its file and a line (`file:line`).
        reject(file: report, index: result.files.count, UnreadableFile(line: 1, reason: reason.en, chinese: reason.zh), into: &result)
    }
}
