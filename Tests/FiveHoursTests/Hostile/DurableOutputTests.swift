import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 6 §4: a report folder is replaced whole or not at all. `fivehours weekly` on a large
/// generated campaign is killed with SIGKILL at many moments — early in the import, late in it,
/// while the new files are being written beside the old ones — and each time the report folder
/// is exactly the previous run's or exactly the new run's, file for file, byte for byte. One
/// run at a time: a second run on the same output folder fails at once.
@Suite("Durable output (issue 6)", .serialized)
struct DurableOutputTests {
    static let week = "weekly-2019-08-09"
    static let volunteers = 5_000
    static let rowsPerVolunteer = 15

    /// One campaign folder, two campaign files over the same rosters: A with 1-hour sessions,
    /// B with 1.5-hour ones, an unrostered volunteer and another rejected row, so that every
    /// report file of B differs from A's and a mix of the two cannot pass for either.
    static func campaign() throws -> URL {
        var s = Scenario()
        let units = ["甲科", "乙科", "第一站"]
        var roster = Array("volunteer_id,name,unit,teams,role,liaison\n".utf8)
        roster.reserveCapacity(volunteers * 48)
        for i in 0..<volunteers {
            roster += Array("V\(i),志愿者\(i),\(units[i % 3]),小红象志愿服务队,\(i < 3 ? "联络员" : "队员"),\n".utf8)
        }
        s.files["rosters/roster.csv"] = roster
        for (variant, hours) in [("a", "1"), ("b", "1.5")] {
            var log = Array("record_id,volunteer_id,date,hours,team,activity\n".utf8)
            log.reserveCapacity(volunteers * rowsPerVolunteer * 48)
            var n = 0
            for k in 0..<rowsPerVolunteer {
                let day = 5 + k % 5
                for i in 0..<volunteers {
                    log += Array("\(variant)\(n),V\(i),2019-08-0\(day),\(hours),小红象志愿服务队,活动\(k)\n".utf8)
                    n += 1
                }
            }
            log += Array(variant == "a" ? "bad-a,V1,2019-02-30,1,,\n".utf8 : "bad-b,V2,2019-13-01,1,,\nx1,NOBODY,2019-08-06,1,,\n".utf8)
            s.files["activities-\(variant)/log.csv"] = log
        }
        let folder = try s.write()
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("activities"))
        for variant in ["a", "b"] {
            let yaml = s.campaignYAML.replacingOccurrences(of: "activities: [activities]", with: "activities: [activities-\(variant)]")
            try ImportTestSupport.write(yaml, to: "campaign-\(variant).yaml", in: folder)
        }
        return folder
    }

    static func args(_ folder: URL, _ variant: String, out: URL) -> [String] {
        ["weekly", "--config", folder.appendingPathComponent("campaign-\(variant).yaml").path, "--week-ending", "2019-08-09",
         "--now", "2019-08-10T12:00:00+08:00", "--out", out.path, "--quiet"]
    }

    /// The report folder's files, or nil when it does not exist.
    static func snapshot(_ out: URL) -> [String: [UInt8]]? {
        let dir = out.appendingPathComponent(week)
        guard FileManager.default.fileExists(atPath: dir.path) else { return nil }
        return Hostile.files(under: dir)
    }

    /// What sits in the output folder beside the report: the lock and staging folders.
    static func others(_ out: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).filter { $0 != week && $0 != ".fivehours.lock" }.sorted()
    }

    enum Moment: CustomStringConvertible {
        case after(Double)
        /// As soon as the staging folder exists and holds at least this many files.
        case staging(files: Int)
        var description: String {
            switch self {
            case .after(let s): return String(format: "%.2f s", s)
            case .staging(let n): return "staging with \(n)+ files"
            }
        }
    }

    /// Waits for a moment of a child's run; false when the child ended first.
    static func wait(for moment: Moment, child: Hostile.Child, out: URL) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        switch moment {
        case .after(let s):
            usleep(useconds_t(s * 1_000_000))
            return true
        case .staging(let n):
            let name = ".\(week).new-\(child.pid)"
            let staging = out.appendingPathComponent(name).path
            while Date() < deadline {
                if let files = try? FileManager.default.contentsOfDirectory(atPath: staging), files.count >= n { return true }
                // Ended already (the child is a zombie until reaped): stop waiting.
                if let s = try? String(contentsOfFile: "/proc/\(child.pid)/stat", encoding: .utf8), s.contains(") Z ") { return false }
                usleep(200)
            }
            return false
        }
    }

    @Test("SIGKILL at any moment leaves the previous report or the new one, whole; never a mix")
    func killedRuns() throws {
        let folder = try Self.campaign()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")

        // What complete runs of A and B write, each in a folder of its own.
        var complete: [String: [String: [UInt8]]] = [:]
        var t = 0.0
        for variant in ["a", "b"] {
            let reference = folder.appendingPathComponent("out-\(variant)")
            let r = try Hostile.run(Self.args(folder, variant, out: reference))
            try #require(r.status == 0, "\(r.stderr)")
            let snapshot: [String: [UInt8]] = try #require(Self.snapshot(reference), "no report folder in \(reference.path)")
            complete[variant] = snapshot
            t = max(t, r.seconds)
        }
        let (a, b) = (complete["a"]!, complete["b"]!)
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.count == 9) // the workbook too
        for (name, bytes) in a { #expect(b[name] != bytes, "\(name) is the same in A and B: a mix would go unnoticed") }
        #expect(t > 0.5, "the run is too short to be killed in the middle (\(t) s)")

        // The previous report: A, written into the output folder by a complete run.
        let first = try Hostile.run(Self.args(folder, "a", out: out))
        try #require(first.status == 0)
        try #require(Self.snapshot(out) == a)
        var current = "a"

        // Each killed run writes the other variant over the one in place.
        // Moments relative to a complete run's time, so that they stay in the run as it gets faster.
        let moments: [Moment] = [.after(0.05), .after(0.08 * t), .after(0.2 * t), .after(0.4 * t), .after(0.6 * t), .after(0.85 * t),
                                 .staging(files: 0), .staging(files: 3), .staging(files: 7), .after(0.95 * t), .after(1.02 * t)]
        var states: [String] = []
        for moment in moments {
            let next = current == "a" ? "b" : "a"
            let child = try Hostile.start(Self.args(folder, next, out: out))
            let reached = Self.wait(for: moment, child: child, out: out)
            child.kill()
            let r = child.wait()
            let after = Self.snapshot(out)
            let state = after == complete[current] ? "previous" : after == complete[next] ? "new" : "MIXED"
            states.append("\(moment): \(r.signal == SIGKILL ? "killed" : "finished (\(r.status))")\(reached ? "" : " before the moment") → \(state)")
            #expect(state != "MIXED", "killed at \(moment): the report folder is neither the previous one nor the new one: \(after.map { $0.keys.sorted() } ?? [])")
            // A kill late in the run may land after the atomic swap and before the process exits:
            // then the new report is rightly in place. A kill in the first half of a run's time
            // cannot have passed the swap (runs vary by far less than that), so it must leave the old.
            if r.signal == SIGKILL, case .after(let s) = moment, s < 0.5 * t, state == "new" {
                Issue.record("killed at \(moment) before it finished, yet the new report is in place")
            }
            if state == "new" { current = next }
            // Beside the report only the lock and staging folders, never a loose file.
            for other in Self.others(out) {
                #expect(other.hasPrefix(".\(Self.week).new-"), "killed at \(moment): \(other) left in the output folder")
            }
        }
        let leftovers = Self.others(out)
        print("durable output: T = \(String(format: "%.2f", t)) s; \(states.joined(separator: "; ")); left in the output folder: \(leftovers)")
        #expect(states.filter { $0.contains("killed") && $0.hasSuffix("previous") }.count >= 6, "too few kills landed before the swap: \(states)")

        // The next complete run is not disturbed by what the killed ones left, and writes whole.
        let next = current == "a" ? "b" : "a"
        let again = try Hostile.run(Self.args(folder, next, out: out))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.snapshot(out) == complete[next])
        // Staging folders of killed runs are cleared by the next complete run (it holds the lock).
        #expect(Self.others(out).filter { $0.hasPrefix(".\(Self.week).new-") }.isEmpty, "left: \(Self.others(out))")
    }

    @Test("a second run on the same output folder fails at once while a real first run holds it")
    func secondRunFailsAtOnce() throws {
        let folder = try Self.campaign()
        defer { ImportTestSupport.remove(folder) }
        let out = folder.appendingPathComponent("out")
        let first = try Hostile.start(Self.args(folder, "a", out: out))
        usleep(300_000)
        let second = try Hostile.run(Self.args(folder, "b", out: out))
        let firstResult = first.wait()
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("another fivehours run is writing to this folder; wait for it to finish and run again"))
        #expect(second.seconds < 0.5 * firstResult.seconds, "the second run took \(second.seconds) s to fail (the first \(firstResult.seconds) s)")
        #expect(firstResult.status == 0)
        // The first run's report is whole; the second wrote nothing.
        let report = try #require(Self.snapshot(out))
        let volunteers = try Hostile.records(try #require(report["volunteers.csv"]))
        #expect(volunteers.count == Self.volunteers)
        #expect(Self.others(out) == [])
    }
}
