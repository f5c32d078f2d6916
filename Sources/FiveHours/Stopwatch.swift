import Foundation

/// Stage timings on stderr when `FIVEHOURS_TIMING=1`, for profiling the batch (see
/// docs/PERFORMANCE.md). Off by default; it never changes what a run writes.
public struct Stopwatch {
    let enabled = Stopwatch.isEnabled
    /// Read once: `ProcessInfo.environment` builds a dictionary of the whole environment at each
    /// call, and a stopwatch is made for every file read (a tenth of reading 10,000 small logs).
    static let isEnabled = getenv("FIVEHOURS_TIMING").map { String(cString: $0) == "1" } ?? false
    var last = DispatchTime.now().uptimeNanoseconds

    public init() {}

    public mutating func lap(_ stage: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("timing \(stage)  \(String(format: "%.3f", Double(now - last) / 1e9)) s  \(Stopwatch.memory())\n".utf8))
        last = now
    }

    /// Peak and resident memory from /proc (Linux), the resident memory in its three parts:
    /// anonymous (the heap, and a GB18030 part's decoded text), mapped files (the inputs and the
    /// binary) and shared memory (none, unless something maps it).
    static func memory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
        let keys = ["VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"]
        return status.split(separator: "\n").filter { line in keys.contains { line.hasPrefix($0) } }
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }.joined(separator: ", ")
    }
}
