import Foundation

/// Stage timings on stderr when `FIVEHOURS_TIMING=1`, for profiling the batch (see
/// docs/PERFORMANCE.md). Off by default; it never changes what a run writes.
public struct Stopwatch {
    let enabled = ProcessInfo.processInfo.environment["FIVEHOURS_TIMING"] == "1"
    var last = DispatchTime.now().uptimeNanoseconds

    public init() {}

    public mutating func lap(_ stage: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("timing \(stage)  \(String(format: "%.3f", Double(now - last) / 1e9)) s  \(Stopwatch.memory())\n".utf8))
        last = now
    }

    /// Resident and peak memory from /proc (Linux).
    static func memory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "" }
        return status.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("VmHWM") }
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }.joined(separator: ", ")
    }
}
