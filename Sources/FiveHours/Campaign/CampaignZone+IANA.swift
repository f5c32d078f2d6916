extension CampaignZone {
    /// The areas of IANA zone names (`Area/City`), and `Etc` for `Etc/UTC` and its kin.
    static let ianaAreas: Set<String> = ["Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
                                         "Europe", "Indian", "Pacific", "Etc"]

    /// Why `identifier` is refused as `campaign.timezone`, or nil when it is an IANA name
    /// (`Area/City`, `UTC`, `Etc/…`).
    ///
    /// Foundation accepts abbreviations too (`CST`, `EST`, `IST`, `PRC`, `GMT+8`), and reads them
    /// its own way: `CST` is US Central time to it, China Standard Time to a Chinese operator, and
    /// a week of deadlines is then judged 14 hours off without a word. Only names that mean one
    /// zone are accepted; the message names the fix.
    static func ambiguity(of identifier: String) -> String? {
        if identifier == "UTC" { return nil }
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 2, ianaAreas.contains(String(parts[0])), parts.allSatisfy({ !$0.isEmpty }) { return nil }
        let chinese: Set<String> = ["CST", "CCT", "BJT", "PRC", "GMT+8", "UTC+8", "GMT+08:00", "UTC+08:00", "+08:00", "Beijing", "China"]
        if chinese.contains(identifier.uppercased()) || chinese.contains(identifier) {
            return "'\(identifier)' is not an IANA time-zone name (CST means China Standard Time to some and US Central Time to others); for China write timezone: Asia/Shanghai"
        }
        return "'\(identifier)' is not an IANA time-zone name (Area/City, such as Asia/Shanghai): an abbreviation or offset can mean several zones; write timezone: Asia/Shanghai for China"
    }
}
