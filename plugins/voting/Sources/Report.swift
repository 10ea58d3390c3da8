import PluginSDK

/// The vote's `report.section` (docs/REPORTS.md): the question, the turnout and the results as labelled
/// numbers, drawn as bars. Before the reveal only the turnout: a blind vote stays blind in the report too.
extension VotingPlugin {
    static func reportSection(_ state: State, _ config: Config) -> ReportSection {
        let question = config.question ?? "Stemming"
        let r = results(state, config, ballots: state.order, breakdown: false)
        let title = LocalizedText(nl: question, en: question)
        guard state.revealed else {
            return ReportSection(title: title, text: LocalizedText(
                nl: "\(r.voters) \(r.voters == 1 ? "deelnemer stemde" : "deelnemers stemden"); de uitslag is (nog) niet getoond.",
                en: "\(r.voters) \(r.voters == 1 ? "participant" : "participants") voted; the results have not been revealed (yet)."))
        }
        var items: [ReportItem] = []
        var text = LocalizedText(nl: "\(r.voters) \(r.voters == 1 ? "deelnemer stemde" : "deelnemers stemden").",
                                 en: "\(r.voters) \(r.voters == 1 ? "participant" : "participants") voted.")
        switch config.kind {
        case .single, .multiple, .dots, .points, .ranking:
            items = (r.options ?? []).map { ReportItem($0.label, $0.count) }
            let unit: LocalizedText = switch config.kind {
            case .dots: LocalizedText(nl: "Stippen per optie.", en: "Dots per option.")
            case .points: LocalizedText(nl: "Punten per optie.", en: "Points per option.")
            case .ranking: LocalizedText(nl: "Bordapunten per optie (eerste plaats het meest).", en: "Borda points per option (first place most).")
            default: LocalizedText(nl: "Stemmen per optie.", en: "Votes per option.")
            }
            text = LocalizedText(nl: text.nl + " " + unit.nl, en: text.en + " " + unit.en)
        case .scale:
            items = (r.distribution ?? []).map { ReportItem(String($0[0]), $0[1]) }
            if let mean = r.mean, let median = r.median {
                let m = (mean * 100).rounded() / 100
                text = LocalizedText(nl: text.nl + " Gemiddelde \(m), mediaan \(median.formatted1).",
                                     en: text.en + " Mean \(m), median \(median.formatted1).")
            }
        case .wordcloud:
            items = (r.words ?? []).prefix(30).map { ReportItem($0.word, $0.count) }
        case .open:
            items = (r.answers ?? []).prefix(50).map { ReportItem($0.text, $0.upvotes) }
            if config.upvotes == true {
                text = LocalizedText(nl: text.nl + " Antwoorden met hun likes.", en: text.en + " Answers with their upvotes.")
            }
        }
        return ReportSection(title: title, text: text, items: items, chart: items.isEmpty ? nil : "bars")
    }
}

extension Double {
    /// One decimal, as the report prints a median.
    var formatted1: String { let r = (self * 10).rounded() / 10; return r == r.rounded() ? String(Int64(r)) : String(r) }
}
