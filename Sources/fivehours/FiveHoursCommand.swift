import ArgumentParser
import FiveHours

@main
struct FiveHoursCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fivehours",
        abstract: "Reports for the campaign 人人都是志愿者 每周奉献五小时.",
        subcommands: [Check.self]
    )
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import and check only; print findings and rejected rows; write nothing.")
    @Option(help: "The campaign file (YAML).") var config: String
    func run() throws {
        let c = try CampaignLoader.load(path: config)
        let r = try Importer(campaign: c).run()
        for f in r.files { print(f.path, f.format, f.read, f.counted, f.rejected, f.fileRejected ?? "") }
        for j in r.rejects { print(j.source, j.reason, j.record) }
    }
}
