import Foundation
import Testing
@testable import FiveHours

/// The accelerated reader against the reference, through the built binary: a machine without
/// AVX2 (`FIVEHOURS_NO_AVX2`, the scalar code) or without AVX-512 (`FIVEHOURS_NO_AVX512`) must
/// write exactly the reports that one with them writes, on logs large enough to be read in parts, in every spelling and encoding.
@Suite("Scalar fallback")
struct ScalarFallbackTests {
    /// A log of about `rows` rows whose cells take every spelling of §3, row by row.
    static func log(rows: Int, seed: UInt64, chineseHeader: Bool) -> String {
        var rng = SplitMix(seed: seed)
        func date(_ m: Int, _ d: Int) -> String {
            [String(format: "2019-%02d-%02d", m, d), "2019/\(m)/\(d)", "2019.\(m).\(d)", "2019年\(m)月\(d)日",
             String(format: "2019%02d%02d", m, d)].randomElement(using: &rng)!
        }
        var text = chineseHeader ? "记录编号,志愿者编号,日期,开始时间,结束时间,时长,服务队,活动,地点,报送时间\r\n"
            : "record_id,volunteer_id,date,start,end,hours,team,activity,location,submitted_at\r\n"
        for k in 0..<rows {
            let m = Int.random(in: 0..<10, using: &rng) == 0 ? 8 : Int.random(in: 1...12, using: &rng)
            let d = m == 8 ? Int.random(in: 3...9, using: &rng) : Int.random(in: 1...28, using: &rng)
            let h = Int.random(in: 7...20, using: &rng)
            let timed = Int.random(in: 0..<4, using: &rng) != 0
            let start = timed ? [String(format: "%02d:00", h), "\(h):30", String(format: "%02d:15:00", h)].randomElement(using: &rng)! : ""
            let end = timed ? [String(format: "%02d:00", h + 2), "\(h + 3):30"].randomElement(using: &rng)! : ""
            let hours = timed && Bool.random(using: &rng) ? "" : ["2", "2.5", "1.5h", "3小时", "2:30", ".5"].randomElement(using: &rng)!
            let stamp = [date(m, d) + " 16:05", date(m, d) + "T16:05:07", String(format: "2019-%02d-%02dT08:05:00Z", m, d),
                         String(format: "2019-%02d-%02d 16:05:00+08:00", m, d), ""].randomElement(using: &rng)!
            let id = Int.random(in: 0..<50, using: &rng) == 0 ? "R\(k / 2)" : (Bool.random(using: &rng) ? "R\(k)" : "")
            let team = ["小红象志愿服务队", "\"春雨行动志愿服务队\"", " 绿城啄木鸟 ", "\"a,\"\"b\"\"\""].randomElement(using: &rng)!
            let odd = Int.random(in: 0..<200, using: &rng) == 0 ? ["2019-02-30", "x", "24:00"].randomElement(using: &rng)! : nil
            text += [id, "V\(Int.random(in: 1...4, using: &rng))", odd ?? date(m, d), start, end, hours, team, "文明引导",
                     "邻里中心", stamp].joined(separator: ",") + "\r\n"
        }
        return text
    }

    @Test("weekly --format csv writes the same bytes with AVX2 and without, on logs read in parts in every spelling and encoding")
    func scalarEqualsVector() throws {
        var s = Scenario()
        // About 5 MB each: read in parts (above 4 MB), in UTF-8, UTF-8 with a BOM and GB18030.
        s.files["activities/a-utf8.csv"] = Array(ScalarFallbackTests.log(rows: 48_000, seed: 1, chineseHeader: false).utf8)
        s.files["activities/b-bom.csv"] = [0xEF, 0xBB, 0xBF] + Array(ScalarFallbackTests.log(rows: 48_000, seed: 2, chineseHeader: true).utf8)
        s.files["activities/c-gb18030.csv"] = GB18030Tests.gb18030(ScalarFallbackTests.log(rows: 48_000, seed: 3, chineseHeader: true))
        let folder = try s.write()
        // A GB18030 file over 16 MB, decoded in the parts that read it (`GB18030.PartDecoder`):
        // a log's rows five times over, so that its repeats are read again from the decoded text.
        // Written a piece at a time: the runner's own memory counts in other tests' peaks
        // (`Hostile.Child.wait`).
        let large = ScalarFallbackTests.log(rows: 48_000, seed: 4, chineseHeader: true)
        let header = large.prefix { $0 != "\r\n" }
        let body = GB18030Tests.gb18030(String(large.dropFirst(header.count + 1)))
        let path = folder.appendingPathComponent("activities/d-gb18030-large.csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(GB18030Tests.gb18030(String(header) + "\r\n"))))
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try file.seekToEnd()
        for _ in 0..<5 { try file.write(contentsOf: body) }
        try file.close()
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 > 16 << 20)
        let config = folder.appendingPathComponent("campaign.yaml").path
        // A week reads the large GB18030 file on its own bytes, decoding only the rows it must
        // (`Importer.readsGB18030InPlace`); a year decodes each part whole.
        let runs: [(folder: String, arguments: [String], lap: String)] = [
            ("weekly-2019-08-09", ["weekly", "--week-ending", "2019-08-09", "--now", "2019-08-10T09:00:00+08:00"], "each read on its GB18030 bytes"),
            ("yearly-2019", ["yearly", "--year", "2019", "--now", "2020-01-10T09:00:00+08:00"], "each decoded from GB18030"),
        ]
        var outputs: [[String: Data]] = []
        for run in runs {
            // The fastest kernels, none (the scalar code), and AVX2 where AVX-512 would run.
            for environment in [[:], ["FIVEHOURS_NO_AVX2": "1"], ["FIVEHOURS_NO_AVX512": "1"]] {
                let out = folder.appendingPathComponent("out-" + (environment.keys.first ?? "fastest"))
                let r = try Binary.run(run.arguments + ["--config", config, "--format", "csv", "--csv-header", "keys", "--out", out.path, "--quiet"],
                                       environment: environment.merging(["FIVEHOURS_TIMING": "1"]) { a, _ in a })
                #expect(r.status == 0, "\(r.stderr)")
                #expect(r.stderr.contains(run.lap), "the large GB18030 file is read in parts, \(run.lap)")
                let report = out.appendingPathComponent(run.folder)
                var files: [String: Data] = [:]
                for name in try FileManager.default.contentsOfDirectory(atPath: report.path) {
                    files[name] = try Data(contentsOf: report.appendingPathComponent(name))
                }
                outputs.append(files)
            }
        }
        for (other, without) in [(4, "AVX2"), (5, "AVX-512")] {
            #expect(outputs[3].keys.sorted() == outputs[other].keys.sorted())
            for (name, data) in outputs[3] { #expect(outputs[other][name] == data, "yearly \(name) differs without \(without)") }
        }
        // Read on its bytes (the week) or decoded (the year), every row of every file reads the
        // same: the same rejects, and in the manifests the same files, hashes and counts of rows
        // read, counted, merged and rejected.
        #expect(String(decoding: outputs[3]["rejects.csv"] ?? Data(), as: UTF8.self) == String(decoding: outputs[0]["rejects.csv"] ?? Data(), as: UTF8.self))
        func inputs(_ files: [String: Data]) throws -> NSArray? {
            (try JSONSerialization.jsonObject(with: files["manifest.json"] ?? Data()) as? [String: Any])?["inputs"] as? NSArray
        }
        let weekInputs = try #require(try inputs(outputs[0])), yearInputs = try #require(try inputs(outputs[3]))
        #expect(weekInputs.count >= 4)
        #expect(weekInputs == yearInputs)
        for (other, without) in [(1, "AVX2"), (2, "AVX-512")] {
            #expect(outputs[0].keys.sorted() == outputs[other].keys.sorted())
            for (name, data) in outputs[0] { #expect(outputs[other][name] == data, "\(name) differs without \(without)") }
        }
        // Not a test of nothing: the logs were read, counted and partly rejected.
        let manifest = String(decoding: outputs[0]["manifest.json"] ?? Data(), as: UTF8.self)
        #expect(manifest.contains("\"GB18030\"") && manifest.contains("\"UTF-8 (BOM)\""))
        let volunteers = String(decoding: outputs[0]["volunteers.csv"] ?? Data(), as: UTF8.self)
        #expect(volunteers.split(separator: "\r\n").count == 5)
        #expect(String(decoding: outputs[0]["rejects.csv"] ?? Data(), as: UTF8.self).split(separator: "\r\n").count > 100)
    }
}
