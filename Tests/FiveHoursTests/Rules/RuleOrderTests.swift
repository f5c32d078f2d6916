import Testing
@testable import FiveHours

/// The report's order of findings (`RuleSet.ordered`, `RuleSet.order`): by severity, then the
/// rule's place in `RuleName`, then the order given — held to a plain stable sort of the same
/// keys, on findings of every rule and severity spread over parts of every size.
@Suite("Findings in the report's order")
struct RuleOrderTests {
    @Test("ordered over parts, ordered over one list and the places kept agree with a stable sort", arguments: [1 as UInt64, 2, 3])
    func agreesWithStableSort(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let names = RuleName.allCases, severities = Finding.Severity.allCases
        var parts: [[Finding]] = []
        var serial = 0
        for _ in 0..<Int(rng.next() % 12) + 1 {
            parts.append((0..<Int(rng.next() % 300)).map { _ in
                serial += 1
                return Finding(names[Int(rng.next() % UInt64(names.count))], severity: severities[Int(rng.next() % UInt64(severities.count))],
                               subject: "f\(serial)", detail: "")
            })
        }
        let all = parts.flatMap { $0 }
        let reference = all.indices.sorted { a, b in
            (all[a].severity.rank, all[a].rule.order, a) < (all[b].severity.rank, all[b].rule.order, b)
        }
        #expect(RuleSet.ordered(parts: parts).map(\.subject) == reference.map { all[$0].subject })
        #expect(RuleSet.ordered(all).map(\.subject) == reference.map { all[$0].subject })
        let kept = reference.filter { $0 % 3 != 0 }
        #expect(RuleSet.order(all, keeping: { $0 % 3 != 0 }) == kept)
        #expect(RuleSet.ordered(parts: []).isEmpty && RuleSet.ordered(parts: [[], []]).isEmpty)
    }
}
