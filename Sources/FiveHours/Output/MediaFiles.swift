import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Media files referenced by the logs: resolved safely, checked, named for the report folder
/// and copied into it by streaming.
enum MediaFiles {
    /// The file a relative media path names, only when it stays inside the folder of the input
    /// file that named it: a log cannot make the program read `/etc/passwd` or `../secret`.
    static func resolve(_ m: MediaRef) -> String? {
        let href = m.href.replacingOccurrences(of: "\\", with: "/")
        guard !href.hasPrefix("/"), !href.contains(":"), !href.isEmpty else { return nil }
        let base = URL(fileURLWithPath: m.baseFolder).standardizedFileURL.path
        let full = URL(fileURLWithPath: base).appendingPathComponent(href).standardizedFileURL.path
        guard full.hasPrefix(base.hasSuffix("/") ? base : base + "/") else { return nil }
        // Follow no link out of the folder either.
        let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
        let realBase = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
        guard real.hasPrefix(realBase.hasSuffix("/") ? realBase : realBase + "/") else { return nil }
        return full
    }

    /// Why a resolved media path cannot be copied: it does not exist, it is not a readable
    /// regular file (a folder, a FIFO, a device), or its bytes are not a photo's or a video's;
    /// nil when it can be.
    static func problem(_ path: String) -> MissingMediaRule.Problem? {
        var st = stat()
        guard stat(path, &st) == 0 else { return .notFound }
        guard InputFiles.isRegular(st) else { return .notRegular(InputFiles.kind(st)) }
        guard let fd = try? InputFiles.openRegular(path) else { return .unreadable }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 12)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 12, 0) }
        guard n >= 0 else { return .unreadable }
        return holdsPhotoOrVideo(Array(head.prefix(n))) ? nil : .notPhotoOrVideo
    }

    /// Whether a file's first bytes are those of a photo or a video of the kinds a bulletin shows
    /// (JPEG, PNG, GIF, WebP, BMP; MP4, QuickTime, WebM, AVI), whatever its name says. A name is
    /// not enough: a link or a copy named `photo.png` that holds the roster, the log or the
    /// campaign file would publish it, phone numbers and all.
    static func holdsPhotoOrVideo(_ b: [UInt8]) -> Bool {
        func starts(_ p: [UInt8], at i: Int = 0) -> Bool { b.count >= i + p.count && Array(b[i..<(i + p.count)]) == p }
        let riff = starts(Array("RIFF".utf8))
        return starts([0xFF, 0xD8, 0xFF])                                        // JPEG
            || starts([0x89, 0x50, 0x4E, 0x47])                                  // PNG
            || starts(Array("GIF8".utf8))                                        // GIF
            || riff && (starts(Array("WEBP".utf8), at: 8) || starts(Array("AVI ".utf8), at: 8))
            || starts(Array("BM".utf8))                                          // BMP
            || ["ftyp", "moov", "mdat", "free", "wide", "skip", "pnot"].contains { starts(Array($0.utf8), at: 4) } // MP4, QuickTime
            || starts([0x1A, 0x45, 0xDF, 0xA3])                                  // WebM (Matroska)
    }

    /// `media/photo.png`, or `media/photo-2.png` when another file already took the name; phone
    /// numbers in the name are blanked (`PhoneScrubber`).
    static func reportName(for path: String, used: inout [String: String], phones: Set<String> = []) -> String {
        let name = PhoneScrubber.scrub((path as NSString).lastPathComponent, known: phones)
        let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        var candidate = "media/\(name)"
        var n = 2
        while let other = used[candidate], other != path {
            candidate = "media/\(stem)-\(n)\(ext.isEmpty ? "" : ".\(ext)")"
            n += 1
        }
        used[candidate] = path
        return candidate
    }

    /// With `--public`: every copied file gets a neutral name (`media/001.jpg`, in the order the
    /// bulletin first shows it), so that no file name (often the volunteer's name or number)
    /// reaches a posted report; a video's label is that name too.
    static func neutralNames(_ report: inout DailyReport) {
        func rank(_ kind: MediaRef.Kind) -> Int { kind == .photo ? 0 : kind == .video ? 1 : 2 }
        var names: [String: String] = [:] // source path → neutral href
        for i in report.activities.indices {
            // The bulletin shows an activity's photos, then its videos, then its links.
            let media = report.activities[i].media
            let shown = media.indices.sorted { (rank(media[$0].kind), $0) < (rank(media[$1].kind), $1) }
            for k in shown {
                let m = report.activities[i].media[k]
                guard let source = m.sourcePath else { continue }
                let href: String
                if let known = names[source] {
                    href = known
                } else {
                    let ext = (source as NSString).pathExtension.lowercased()
                    let safeExt = !ext.isEmpty && ext.count <= 5 && ext.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? ".\(ext)" : ""
                    href = "media/" + String(format: "%03d", names.count + 1) + safeExt
                    names[source] = href
                }
                report.activities[i].media[k].href = href
                report.activities[i].media[k].label = (href as NSString).lastPathComponent
            }
        }
    }

    /// Copies `source` to `target` (created, never an existing file) in fixed 1 MB steps: the
    /// memory of a copy does not grow with the file (a 3 GB video is copied in about as little as
    /// a photo). Holes of a sparse file stay holes. The source is opened as a regular file only
    /// (`InputFiles.openRegular`): a FIFO swapped in after the check cannot block the run.
    static func copy(from source: String, to target: String) throws {
        let src: Int32
        do { src = try InputFiles.openRegular(source) } catch let e as InputOpenError {
            throw OutputError(path: source, reason: "cannot read the media file: \(e.reason)")
        }
        defer { close(src) }
        let dst = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard dst >= 0 else { throw OutputError(path: target, reason: String(cString: strerror(errno))) }
        defer { close(dst) }
        var st = stat()
        guard fstat(src, &st) == 0 else { throw OutputError(path: source, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        let step = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: step, alignment: 4096)
        defer { buffer.deallocate() }
        func fail(_ path: String) -> OutputError { OutputError(path: path, reason: String(cString: strerror(errno))) }
        var offset = 0
        while offset < size {
            // The next stretch of data (SEEK_DATA / SEEK_HOLE); where unsupported, all of it.
            var dataStart = Int(lseek(src, off_t(offset), 3 /* SEEK_DATA (Linux) */))
            if dataStart < 0 {
                if errno == ENXIO { break } // only a hole is left
                dataStart = offset
            }
            var dataEnd = Int(lseek(src, off_t(dataStart), 4 /* SEEK_HOLE (Linux) */))
            if dataEnd < 0 || dataEnd <= dataStart { dataEnd = size }
            var at = dataStart
            while at < min(dataEnd, size) {
                let n = pread(src, buffer, min(step, min(dataEnd, size) - at), off_t(at))
                if n < 0 { if errno == EINTR { continue }; throw fail(source) }
                if n == 0 { break } // the file shrank while copied: the rest stays a hole
                var done = 0
                while done < n {
                    let w = pwrite(dst, buffer + done, n - done, off_t(at + done))
                    if w < 0 { if errno == EINTR { continue }; throw fail(target) }
                    done += w
                }
                at += n
            }
            offset = max(dataEnd, at, offset + 1)
        }
        guard ftruncate(dst, off_t(size)) == 0 else { throw fail(target) }
        guard fsync(dst) == 0 else { throw fail(target) }
    }
}
