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
        FileHandle.standardError.write(Data(String(format: "timing %-28@ %8.3f s\n", stage as NSString, Double(now - last) / 1e9).utf8))
        last = now
    }
}
