import Foundation
import Testing

/// Issue 6: untrusted input never makes fivehours read a file it was not given. Besides XML
/// entities (HostileXMLTests), the other door is an activity's media paths, which `daily`
/// copies beside the bulletin: a path out of the log's folder, absolute, a URL scheme or a
/// symbolic link pointing out is not followed (a finding says so), and the file is never opened.
@Suite("Files outside the inputs (issue 6)")
struct OutsideFilesTests {
    @Test("media paths and links out of the input folder are neither opened nor copied")
    func media() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,media
        A1,V1,2019-08-07,9:00,11:00,,media/link.png;../secret/secret.txt;../../secret/secret.txt;SECRET_ABS;file://SECRET_ABS;media/ok.png
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let secret = try Hostile.Secret(folder: folder.appendingPathComponent("secret"))
        let log = folder.appendingPathComponent("activities/log.csv")
        let text = try String(contentsOf: log, encoding: .utf8).replacingOccurrences(of: "SECRET_ABS", with: secret.file.path)
        try Data(text.utf8).write(to: log)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("activities/media"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("activities/media/link.png").path,
                                                   withDestinationPath: secret.file.path)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        try ImportTestSupport.write(png, to: "activities/media/ok.png", in: folder)
        _ = secret.opened() // the symlink's creation aside: from here on, nothing may touch the folder

        let out = folder.appendingPathComponent("out")
        let r = try Hostile.run(["daily", "--config", folder.appendingPathComponent("campaign.yaml").path, "--date", "2019-08-07",
                                 "--now", "2019-08-10T12:00:00+08:00", "--out", out.path, "--csv-header", "keys", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = Hostile.files(under: out)
        #expect(files["daily-2019-08-07/media/ok.png"] == png)
        #expect(files.keys.filter { $0.contains("/media/") }.sorted() == ["daily-2019-08-07/media/ok.png"])
        for (name, bytes) in files { #expect(!Hostile.contains(bytes, secret.marker), "the secret reached \(name)") }
        #expect(secret.opened() == [], "a file outside the inputs was opened")
        let findings = try Hostile.records(try #require(files["daily-2019-08-07/findings.csv"]))
        #expect(findings.filter { $0["rule"] == "missing_media" }.count == 5)
    }

    @Test("a copied photo whose name holds #, ?, % or a space is linked percent-encoded (and loads); an HTTP:// link in capitals is a link")
    func mediaNamesAreEncodedInLinks() throws {
        var s = Scenario()
        s.activities = """
        record_id,volunteer_id,date,start,end,hours,media
        A1,V1,2019-08-07,9:00,11:00,,media/x y#?.png;media/50%.png;media/照片.png;media/r).png;HTTP://example.org/y.jpg
        """
        let folder = try s.write()
        defer { ImportTestSupport.remove(folder) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        for name in ["x y#?.png", "50%.png", "照片.png", "r).png"] { try ImportTestSupport.write(png, to: "activities/media/\(name)", in: folder) }
        let out = folder.appendingPathComponent("out")
        let r = try Hostile.run(["daily", "--config", folder.appendingPathComponent("campaign.yaml").path, "--date", "2019-08-07",
                                 "--now", "2019-08-10T12:00:00+08:00", "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = Hostile.files(under: out)
        // The files keep their names; the links name them in a way a browser fetches.
        for name in ["x y#?.png", "50%.png", "照片.png"] { #expect(files["daily-2019-08-07/media/\(name)"] == png, "\(name)") }
        let html = String(decoding: try #require(files["daily-2019-08-07/daily-bulletin.html"]), as: UTF8.self)
        for link in ["src=\"media/x%20y%23%3F.png\"", "src=\"media/50%25.png\"", "src=\"media/照片.png\"", "href=\"HTTP://example.org/y.jpg\""] {
            #expect(html.contains(link), "\(link) missing")
        }
        let md = String(decoding: try #require(files["daily-2019-08-07/daily-bulletin.md"]), as: UTF8.self)
        #expect(md.contains("(media/x%20y%23%3F.png)") && md.contains("(media/r%29.png)"), "\(md)")
        let findings = try Hostile.records(try #require(files["daily-2019-08-07/findings.csv"]))
        #expect(findings.filter { $0["rule"] == "missing_media" }.isEmpty)
    }
}
