import Foundation

/// Stage timings on stderr when `FIVEHOURS_TIMING=1`, for profiling the batch (see
/// docs/PERFORMANCE.md). Off by default; it never changes what a run writes.
public struct Stopwatch {
    let enabled = Stopwatch.isEnabled
    /// Read once: `ProcessInfo.environment` builds a dictionary of the whole environment at each
    /// call, and a stopwatch is made for every file read (a tenth of reading 10,000 small logs).
    static let isEnabled = getenv("FIVEHOURS_TIMING").map { String(cString: $0) == "1" } ?? false
    var last = DispatchTime.now().uptimeNanoseconds
    /// The process's CPU time (every thread's, user and system) at the last lap.
    var lastCPU = Stopwatch.isEnabled ? Stopwatch.processCPU() : 0

    public init() {}

    public mutating func lap(_ stage: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds, cpu = Stopwatch.processCPU()
        let wall = String(format: "%.3f", Double(now - last) / 1e9), used = String(format: "%.3f", cpu - lastCPU)
        StandardError.write("timing \(stage)  \(wall) s  cpu \(used) s  \(Stopwatch.memory())\n")
        last = now
        lastCPU = cpu
    }

    /// Seconds of CPU the whole process used so far, on every core: a lap's share of it says
    /// whether the stage kept both cores busy (a lap that runs beside another thread, the
    /// inputs' hash, counts that thread's time too).
    static func processCPU() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
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
