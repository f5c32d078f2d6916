#if canImport(Glibc)
import Glibc
#endif

/// Lines for stderr (progress, the summary line, errors), written with `write(2)`.
///
/// Foundation's `FileHandle.write` traps when the write fails — stderr on a full disk
/// (`2>>/var/log/…`), a pipe whose reader is gone — and the run died at its first progress
/// line without a report. A failed write here is dropped: what the run says on stderr is a
/// courtesy; the report folder is what must not be lost.
public enum StandardError {
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { b in
            guard var p = b.baseAddress else { return }
            var left = b.count
            while left > 0 {
                let n = Glibc.write(STDERR_FILENO, p, left)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return }
                p += n
                left -= n
            }
        }
    }

    /// Makes the run safe to start with stdin, stdout or stderr closed (a daemon's habit): each
    /// closed one is opened on /dev/null, so that no file the run opens — the output folder's
    /// lock, a report — takes its number and receives what was meant for the terminal. And a
    /// write to a pipe whose reader is gone fails (EPIPE, dropped above) instead of killing the
    /// run with SIGPIPE.
    public static func prepare() {
        for fd in 0...2 where fcntl(Int32(fd), F_GETFD) == -1 && errno == EBADF {
            _ = open("/dev/null", O_RDWR) // takes the lowest free number: this one
        }
        signal(SIGPIPE, SIG_IGN)
    }
}
