import Testing
@testable import FiveHours

/// The campaign file's `assessment:` section: defaults without it, values and mistakes with it.
@Suite("Campaign file: assessment")
struct AssessmentLoaderTests {
    static let base = """
    campaign:
      name: x
    inputs:
      rosters: [r]

    """

    @Test func withoutTheSectionTheDefaults() throws {
        let c = try CampaignLoader.parse(Self.base, path: "/tmp/c.yaml")
        #expect(c.assessment == Assessment())
        #expect(c.assessment.starHours == [100, 300, 600, 1000, 1500])
        #expect(c.assessment.weights.compliance == 50)
        #expect(c.assessment.stars(seconds: 299 * 3600) == 1 && c.assessment.stars(seconds: 1500 * 3600) == 5)
        // Judged on the hours as shown: 99.995 h shows 100.00 and reaches the first level; 99.994 h does not.
        #expect(c.assessment.stars(seconds: 100 * 3600 - 18) == 1 && c.assessment.stars(seconds: 100 * 3600 - 19) == 0)
    }

    @Test func theSectionIsRead() throws {
        let c = try CampaignLoader.parse(Self.base + """
        assessment:
          weights: { compliance: 60, daily_bulletins: 10, weekly_summaries: 10, liaison: 10, roster: 10 }
          late_credit: 0.25
          star_hours: [10, 20]
        """, path: "/tmp/c.yaml")
        #expect(c.assessment.weights.compliance == 60 && c.assessment.weights.roster == 10)
        #expect(c.assessment.lateCredit == 0.25)
        #expect(c.assessment.starHours == [10, 20])
    }

    @Test("mistakes name the line and key", arguments: [
        ("assessment:\n  weightz: {}\n", "c.yaml:6: assessment.weightz: unknown key 'weightz'"),
        ("assessment:\n  late_credit: 2\n", "c.yaml:6: assessment.late_credit: expected a share from 0 to 1"),
        ("assessment:\n  star_hours: [300, 100]\n", "c.yaml:6: assessment.star_hours[1]: expected hours in ascending order"),
        ("assessment:\n  star_hours: []\n", "c.yaml:6: assessment.star_hours: expected at least one star level's hours"),
        ("assessment:\n  weights: { compliance: lots }\n", "c.yaml:6: assessment.weights.compliance: expected a number of points"),
    ])
    func mistakes(yaml: String, message: String) throws {
        let error = #expect(throws: CampaignError.self) { try CampaignLoader.parse(Self.base + yaml, path: "/tmp/c.yaml") }
        #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "")")
    }
}
