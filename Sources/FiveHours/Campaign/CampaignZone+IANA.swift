import Foundation

extension CampaignZone {
    /// The areas of IANA zone names (`Area/City`), and `Etc` for `Etc/UTC` and its kin.
    static let ianaAreas: Set<String> = ["Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
                                         "Europe", "Indian", "Pacific", "Etc"]

    /// The zone database's old names (its `backward` file) that a Chinese office writes and that
    /// mean one zone, by the name they stand for: `PRC` is a link to Asia/Shanghai. (Debian keeps
    /// such links in tzdata-legacy, which a machine may lack: they are resolved here.)
    static let oldNames: [String: String] = ["PRC": "Asia/Shanghai"]

    /// Why `identifier` is refused as `campaign.timezone`, or nil when it is an IANA name
    /// (`Area/City`, `UTC`, `Etc/…`).
    ///
    /// Foundation accepts abbreviations too (`CST`, `EST`, `IST`, `PRC`, `GMT+8`), and reads them
    /// its own way: `CST` is US Central time to it, China Standard Time to a Chinese operator, and
    /// a week of deadlines is then judged 14 hours off without a word. Only names that mean one
    /// zone are accepted; the message names the fix.
    static func ambiguity(of identifier: String) -> String? {
        if identifier == "UTC" || identifier == "GMT" { return nil }
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        // `Area/City`, and the zone database's other names of that form (`US/Pacific`,
        // `Canada/Eastern`: links it keeps for old names) when this machine's database has them.
        if parts.count >= 2, parts.allSatisfy({ !$0.isEmpty }),
           ianaAreas.contains(String(parts[0])) || TimeZone.knownTimeZoneIdentifiers.contains(identifier) { return nil }
        if identifier.uppercased() == "CST" {
            return "'\(identifier)' is not an IANA time-zone name (CST means China Standard Time to some and US Central Time to others); for China write timezone: Asia/Shanghai"
        }
        if ["CCT", "BJT", "BEIJING", "CHINA"].contains(identifier.uppercased()) {
            return "'\(identifier)' is not an IANA time-zone name; for China write timezone: Asia/Shanghai"
        }
        if identifier.first.map({ "+-".contains($0) }) == true || ["GMT+", "GMT-", "UTC+", "UTC-"].contains(where: { identifier.uppercased().hasPrefix($0) }) {
            return "'\(identifier)' is not an IANA time-zone name but an offset (an offset knows no summer time, and its sign is read both ways); write an Area/City name: timezone: Asia/Shanghai for China"
        }
        return "'\(identifier)' is not an IANA time-zone name (Area/City, such as Asia/Shanghai): an abbreviation can mean several zones; write timezone: Asia/Shanghai for China"
    }
}
