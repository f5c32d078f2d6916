import Foundation

/// `manifest.json`: what an auditor of the awards needs to reproduce a run.
///
/// Every input file with its SHA-256 and its row accounting (read = counted + merged +
/// rejected), the campaign file's SHA-256, the options and the program's version. Keys are
/// sorted and no wall-clock time appears but `--now`, so a rerun gives the same bytes.
public struct Manifest: Codable, Sendable {
    public struct Program: Codable, Sendable { public var name: String; public var version: String }
    public struct CampaignFile: Codable, Sendable { public var path: String; public var sha256: String }
    public struct InputFile: Codable, Sendable {
        public var path: String
        public var kind: String
        public var format: String
        public var bytes: Int
        public var sha256: String
        public var read: Int
        public var counted: Int
        public var merged: Int
        public var rejected: Int
        public var file_rejected: String?
    }
    public struct Options: Codable, Sendable {
        public var command: String
        public var week_ending: String?
        public var date: String?
        public var now: String
        public var formats: [String]
        public var csv_header: String
        public var `public`: Bool
        public var language: String
        /// The month (`2019-08`) or year (`2019`) of `monthly` and `yearly`; absent otherwise.
        public var period: String? = nil
    }
    public struct Totals: Codable, Sendable {
        public var read: Int
        public var counted: Int
        public var merged: Int
        public var rejected: Int
    }
    public var program: Program
    public var campaign: CampaignFile
    public var options: Options
    public var inputs: [InputFile]
    public var totals: Totals
    /// SHA-256 over the inputs' hashes in input order: one fingerprint for the footer.
    public var inputs_fingerprint: String

    public init(campaign: CampaignFile, options: Options, files: [InputFileReport]) {
        program = Program(name: "fivehours", version: FiveHoursVersion.current)
        self.campaign = campaign
        self.options = options
        inputs = files.map {
            InputFile(path: $0.path, kind: $0.kind.rawValue, format: $0.format, bytes: $0.byteCount, sha256: $0.sha256,
                      read: $0.read, counted: $0.counted, merged: $0.merged, rejected: $0.rejected, file_rejected: $0.fileRejected)
        }
        totals = Totals(read: files.reduce(0) { $0 + $1.read }, counted: files.reduce(0) { $0 + $1.counted },
                        merged: files.reduce(0) { $0 + $1.merged }, rejected: files.reduce(0) { $0 + $1.rejected })
        inputs_fingerprint = SHA256.hex(of: Array((campaign.sha256 + files.map(\.sha256).joined()).utf8))
    }

    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var bytes = (try? [UInt8](encoder.encode(self))) ?? Array("{}".utf8)
        bytes.append(10)
        return bytes
    }
}

public enum FiveHoursVersion {
    public static let current = "0.1.0"
}
