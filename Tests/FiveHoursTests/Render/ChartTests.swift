import Testing
@testable import FiveHours

/// The inline SVG charts: one colour rule for every chart and table, labels that fit.
@Suite("Charts")
struct ChartTests {
    @Test("a compliance rate has one colour everywhere: good from 90 %, fair from 80 %, poor below; the units table marks the poor rows")
    func bands() {
        #expect([nil, 0, 79, 80, 89, 90, 100].map(ComplianceBand.of) == ["none", "poor", "poor", "fair", "fair", "good", "good"])
    }

    @Test("a year's trend colours its last week's dot by that week's rate (it was green at 0 %)")
    func lastDotOfAYear() {
        let trend: [Int?] = Array(repeating: 95, count: 51) + [0]
        let svg = TrendChart.svg(trend, over: Array(repeating: true, count: 52), unit: "党政办", labels: Labels(.zhCN))
        #expect(svg.contains("class=\"dot poor\"/>") && !svg.contains("dot good"), "\(svg.suffix(120))")
        let running = TrendChart.svg(trend, over: Array(repeating: true, count: 51) + [false], unit: "党政办", labels: Labels(.zhCN))
        #expect(running.contains("class=\"dot open\"/>"))
    }

    @Test("a long unit name is cut to fit the chart's label column, the whole name in its title")
    func longLabels() {
        #expect(ComplianceChart.label("党政办") == ["党政办"])
        #expect(ComplianceChart.label("社区综合服务中心第三网格党群服务站") == ["社区综合服务中心", "第三网格党群服…"])
        #expect(ComplianceChart.label("社区综合服务中心第三网格") == ["社区综合服务中心", "第三网格"])
        #expect(ComplianceChart.label("Community Service Centre") == ["Community Servic", "e Centre"])
        let unit = WeeklyReport.UnitRow(name: "社区综合服务中心第三网格<党群>服务站", kind: "workstation", volunteers: 3, met: 2, short: 1, partial: 0,
                                        complianceRate: "0.67", compliancePercent: 67, seconds: 0, liaisons: [], liaisonStatus: .ok, daily: [],
                                        dailyOnTime: 0, dailyLate: 0, dailyMissing: 0, weekly: .missing, sessions: 0)
        let svg = ComplianceChart.svg([unit], labels: Labels(.zhCN))
        #expect(svg.contains("<title>社区综合服务中心第三网格&lt;党群&gt;服务站</title><tspan x=\"112\">社区综合服务中心</tspan><tspan x=\"112\" dy=\"14\">第三网格&lt;党群&gt;…</tspan></text>"), "\(svg)")
        #expect(svg.contains("class=\"bar poor\""))
    }
}
