import Foundation
import Testing
@testable import FiveHours
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17 item 9: an input cut short while it is read is rejected, never a signal.
@Suite("A file cut short while it is read")
struct CutShortTests {
    /// A valid log of about `megabytes` MB.
    static func log(megabytes: Int) -> [UInt8] {
        var text = "record_id,volunteer_id,date,hours\n"
        var k = 0
        while text.utf8.count < megabytes << 20 {
            text += "R\(k),V\(k % 4 + 1),2019-03-0\(k % 9 + 1),2\n"
            k += 1
        }
        return Array(text.utf8)
    }

    @Test("a page past the new end of a mapped input reads as zeros and marks the buffer cut, instead of SIGBUS")
    func truncatedMappingIsCaught() throws {
        let folder = try ImportTestSupport.makeTempFolder("cut")
        defer { ImportTestSupport.remove(folder) }
        let path = folder.appendingPathComponent("log.csv").path
        try Data(CutShortTests.log(megabytes: 20)).write(to: URL(fileURLWithPath: path))
        // Mapped and checked (over 16 MB: its pages let go after the check), then cut short.
        let buffer = try TextBuffer.load(path: path)
        #expect(!buffer.wasCut)
        #expect(truncate(path, 1 << 20) == 0)
        let last = buffer.bytes[buffer.count - 1] // past the new end: SIGBUS without the guard
        #expect(last == 0)
        #expect(buffer.wasCut)
    }

    @Test("a file whose size changes between its opening and its hash (cut short, or written to) has no hash the run can vouch for: the run stops naming it")
    func hashOfAFileThatChanged() throws {
        let folder = try ImportTestSupport.makeTempFolder("hash-cut")
        defer { ImportTestSupport.remove(folder) }
        let url = try ImportTestSupport.write(Self.log(megabytes: 3), to: "log.csv", in: folder)
        for change in ["cut", "grown", "same"] {
            try ImportTestSupport.write(Self.log(megabytes: 3), to: "log.csv", in: folder)
            let (fd, size) = try TextBuffer.openForReading(url.path)
            defer { close(fd) }
            if change == "cut" { #expect(truncate(url.path, off_t(size / 2)) == 0) }
            if change == "grown" { let h = try FileHandle(forWritingTo: url); h.seekToEndOfFile(); h.write(Data("R,V,2019-08-05,1\n".utf8)); try h.close() }
            do {
                _ = try TextBuffer.hash(fd: fd, path: "activities/log.csv", size: size, cancelled: { false })
                #expect(change == "same", "\(change): hashed")
            } catch let e as InputOpenError {
                #expect(change != "same")
                #expect(e.description.hasPrefix("activities/log.csv: cannot be vouched for: it changed while it was read (\(size) bytes when opened"), "\(e)")
            }
        }
    }

    @Test("a file cut short between its check and its rows is rejected whole with the reason")
    func cutFileIsRejected() throws {
        var s = Scenario()
        s.files["activities/big.csv"] = CutShortTests.log(megabytes: 20)
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let campaign = try CampaignLoader.load(path: folder.appendingPathComponent("campaign.yaml").path)
        let path = folder.appendingPathComponent("activities/big.csv").path
        // The ordinary reader, its buffer cut after loading: what a writer truncating the file
        // between the check and the rows does.
        let importer = Importer(campaign: campaign, window: nil, sizes: Importer.Sizes(parallel: .max, deferred: .max, part: .max))
        var parts = ImportParts()
        let buffer = try TextBuffer.load(path: path)
        #expect(truncate(path, 1 << 20) == 0)
        _ = try importer.readLoaded(buffer, path: path, into: &parts)
        let report = try #require(parts.files.last)
        #expect(report.fileRejected == UnreadableFile.cutShort.chinese)
        #expect(parts.activities.isEmpty && report.read == 0)
    }
}

/// A run killed between the two renames of the output's fallback (file systems without an
/// atomic exchange: NFS, SMB, vfat) left the earlier report aside and none in its place.
@Suite("The earlier report put back")
struct ReportPutBackTests {
    @Test("the next run puts the earlier report back from aside before anything else, so that its own failure leaves it in place")
    func putBack() throws {
        let parent = try ImportTestSupport.makeTempFolder("putback")
        defer { ImportTestSupport.remove(parent) }
        let aside = parent.appendingPathComponent(".weekly-2019-08-09.new-4242.old")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        try Data("earlier".utf8).write(to: aside.appendingPathComponent("weekly-summary.md"))
        // This run fails while writing (a file in a folder that does not exist).
        let out = ReportFiles.writing(under: parent.path)
        try out.open("weekly-2019-08-09")
        try out.add("no/such/file.md", Array("new".utf8))
        #expect(throws: OutputError.self) { try out.commit() }
        let kept = parent.appendingPathComponent("weekly-2019-08-09/weekly-summary.md")
        #expect(try String(contentsOf: kept, encoding: .utf8) == "earlier")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0.hasPrefix(".") }.isEmpty)
    }
}

/// A run's files are written into the staging folder as they are made (`ReportFiles`); the
/// folder is swapped in only when every write succeeded.
@Suite("Report files written as they are made")
struct ReportFilesTests {
    @Test("the files are written in the order made, a file of pieces as their bytes one after the other; the folder appears only at commit")
    func writtenAsMade() throws {
        let parent = try ImportTestSupport.makeTempFolder("streamed")
        defer { ImportTestSupport.remove(parent) }
        let out = ReportFiles.writing(under: parent.path)
        try out.open("yearly-2019")
        try out.add("a.csv", Array("one\r\n".utf8))
        try out.add("b.csv", pieces: [Array("head\r\n".utf8), [], Array("x\r\n".utf8), Array("y\r\n".utf8)])
        // Not yet in place: only the staging folder is there.
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("yearly-2019").path))
        let path = try out.commit()
        #expect(path == parent.appendingPathComponent("yearly-2019").path)
        #expect(out.names == ["a.csv", "b.csv"] && out.files.isEmpty)
        #expect(try String(contentsOfFile: path + "/b.csv", encoding: .utf8) == "head\r\nx\r\ny\r\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0.hasPrefix(".") }.isEmpty)

        // In memory the same pieces are one file.
        let kept = ReportFiles()
        try kept.open("yearly-2019")
        try kept.add("b.csv", pieces: [Array("head\r\n".utf8), Array("x\r\n".utf8)])
        #expect(kept.files.map(\.0) == ["b.csv"] && kept.files[0].1 == Array("head\r\nx\r\n".utf8))
    }

    @Test("a write that fails stops the commit with its reason; a failed or abandoned run leaves the earlier report and no staging")
    func failedWriteKeepsEarlier() throws {
        let parent = try ImportTestSupport.makeTempFolder("streamed-fail")
        defer { ImportTestSupport.remove(parent) }
        let first = ReportFiles.writing(under: parent.path)
        try first.open("weekly-2019-08-09")
        try first.add("weekly-summary.md", Array("earlier".utf8))
        try first.commit()

        // A write that fails (a folder that does not exist): the run stops at the next file it
        // adds, or at its commit, with the reason; as the command line does, it then abandons.
        let failing = ReportFiles.writing(under: parent.path)
        try failing.open("weekly-2019-08-09")
        try failing.add("no/such/file.md", Array("new".utf8))
        // Once the writer has met the failure (it writes on a thread of its own), the next file
        // the run adds throws it.
        let waited = Date()
        while failing.failed == nil, Date().timeIntervalSince(waited) < 30 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(failing.failed?.reason.contains("write the file") == true, "\(String(describing: failing.failed))")
        #expect(throws: OutputError.self) { try failing.add("weekly-summary.md", Array("new".utf8)) }
        #expect(throws: OutputError.self) { try failing.commit() }
        failing.abandon()

        let abandoned = ReportFiles.writing(under: parent.path)
        try abandoned.open("weekly-2019-08-09")
        try abandoned.add("weekly-summary.md", Array("new".utf8))
        abandoned.abandon()

        let kept = parent.appendingPathComponent("weekly-2019-08-09/weekly-summary.md")
        #expect(try String(contentsOf: kept, encoding: .utf8) == "earlier")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0.hasPrefix(".") && $0 != ".fivehours.lock" }.isEmpty)
    }
}
