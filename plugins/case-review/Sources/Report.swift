import PluginSDK

/// The case review's `report.section` (docs/REPORTS.md, docs/CASE-REVIEW.md): the method and, per group,
/// counts only: the step it reached, cards, leerpunten, consented and shared. Never a case, a card or a
/// leerpunt's text (those inputs are confidential); shared leerpunten reach the report as the
/// gereedschapskist items they became.
extension CaseReviewPlugin {
    static func reportSection(_ state: State) -> ReportSection {
        let ids = state.groups.keys.sorted { ($0.count, $0) < ($1.count, $1) }.filter { state.groups[$0]!.caseId != nil || !state.groups[$0]!.members.isEmpty }
        let groups = ids.map { state.groups[$0]! }
        let method = state.method?.title ?? LocalizedText(nl: "Intervisie", en: "Case review")
        let chosen = groups.filter { $0.caseId != nil }.count
        let cards = groups.reduce(0) { $0 + $1.cards.count }
        let leerpunten = groups.reduce(0) { $0 + $1.leerpunten.count }
        let consented = groups.reduce(0) { $0 + $1.leerpunten.filter(\.consent).count }
        let shared = groups.reduce(0) { $0 + $1.published }
        var items = [
            ReportItem(LocalizedText(nl: "Groepen", en: "Groups"), groups.count),
            ReportItem(LocalizedText(nl: "Groepen met een gekozen casus", en: "Groups with a chosen case"), chosen),
            ReportItem(LocalizedText(nl: "Kaarten geschreven", en: "Cards written"), cards),
            ReportItem(LocalizedText(nl: "Leerpunten", en: "Lessons"), leerpunten),
            ReportItem(LocalizedText(nl: "Leerpunten met toestemming van de inbrenger", en: "Lessons with the case owner's consent"), consented),
            ReportItem(LocalizedText(nl: "Leerpunten gedeeld in de gereedschapskist", en: "Lessons shared in the toolkit"), shared),
        ]
        for g in groups {
            let step = state.stages[min(g.stage, state.stages.count - 1)].title
            items.append(ReportItem(LocalizedText(nl: "Groep \(g.id): stap", en: "Group \(g.id): step"), text: "\(step.nl) / \(step.en)"))
        }
        return ReportSection(
            title: LocalizedText(nl: "Intervisie: \(method.nl)", en: "Case review: \(method.en)"),
            text: LocalizedText(nl: "\(groups.count) \(groups.count == 1 ? "groep" : "groepen") volgden de \(method.nl.lowercased()). De casussen en wat erover gezegd is blijven in de groep; dit verslag telt alleen.",
                                en: "\(groups.count) \(groups.count == 1 ? "group" : "groups") followed the \(method.en.lowercased()). The cases and what was said about them stay in the group; this report only counts."),
            items: items)
    }
}
