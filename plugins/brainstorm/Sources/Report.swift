import PluginSDK

/// The brainstorm's `report.section`s (docs/REPORTS.md): how many cards per question, and the clusters
/// (werkzame bestanddelen) ranked by dots once revealed. No authors: the report names no one.
extension BrainstormPlugin {
    static func reportSections(_ state: State) -> [ReportSection] {
        let s = state.settings
        let wall = wallCards(state)
        let perQuestion = s.questions.map { q in
            ReportItem(LocalizedText(nl: q.nl, en: q.en ?? q.nl), wall.filter { $0.question == q.id }.count)
        }
        let title = state.edits.title ?? s.title
        var sections = [ReportSection(
            title: LocalizedText(nl: title, en: title),
            text: LocalizedText(
                nl: "\(wall.count) \(wall.count == 1 ? "kaart" : "kaarten"), \(state.clusters.count) \(state.clusters.count == 1 ? "cluster" : "clusters"); \(state.ballots.count) \(state.ballots.count == 1 ? "deelnemer verdeelde" : "deelnemers verdeelden") stippen. Fase: \(state.phase).",
                en: "\(wall.count) \(wall.count == 1 ? "card" : "cards"), \(state.clusters.count) \(state.clusters.count == 1 ? "cluster" : "clusters"); \(state.ballots.count) \(state.ballots.count == 1 ? "participant" : "participants") spread dots. Phase: \(state.phase)."),
            items: perQuestion, chart: perQuestion.isEmpty ? nil : "bars")]
        if !state.clusters.isEmpty {
            let clusters = state.revealed
                ? ranked(state).map { ReportItem($0.cluster.name, $0.dots) }
                : state.clusters.map { c in ReportItem(c.name, wall.filter { $0.cluster == c.id }.count) }
            sections.append(ReportSection(
                title: LocalizedText(nl: "Werkzame bestanddelen", en: "Active ingredients"),
                text: state.revealed
                    ? LocalizedText(nl: "Stippen per cluster, de meeste eerst.", en: "Dots per cluster, most first.")
                    : LocalizedText(nl: "Kaarten per cluster; de stippen zijn (nog) niet getoond.", en: "Cards per cluster; the dots have not been revealed (yet)."),
                items: clusters, chart: "bars"))
        }
        if state.published > 0 {
            sections[0].text = sections[0].text.map {
                LocalizedText(nl: $0.nl + " Vastgelegd in de kennisbank (\(state.published)×).", en: $0.en + " Published to the kennisbank (\(state.published)×).")
            }
        }
        return sections
    }
}
