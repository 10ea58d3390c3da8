import PluginSDK

/// A vote in a series (docs/VOTING.md "In a series"): with `config.seriesResult: NAME` the top options travel on
/// as the output `series.result {name, items}` (docs/PLUGINS.md), which a later session's activity takes as its
/// `context.from`. Emitted at the reveal and when the vote's phase becomes `closed`; a later one replaces an
/// earlier one, so the last moment counts.
extension VotingPlugin {
    struct SeriesItem: Encodable {
        var title: String
        var votes: Int
    }

    struct SeriesResultRecord: Encodable {
        var name: String
        var items: [SeriesItem]
    }

    static func endsVote(_ event: PluginEvent) -> Bool {
        event.type == "$reveal" || (event.type == "$phase" && event.payload["phase"]?.stringValue == "closed")
    }

    static func emitSeriesResult(_ v: inout Views, _ state: State, _ config: Config) {
        guard let record = seriesResult(state, config) else { return }
        v.emit("series.result", record)
    }

    /// The top `seriesResultTop` (default 3) options with at least one vote, most first (ties: option order);
    /// for word clouds the top words, for open questions the most upvoted answers; none for a scale.
    static func seriesResult(_ state: State, _ config: Config) -> SeriesResultRecord? {
        guard let name = config.seriesResult, !name.isEmpty, name.count <= 40,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else { return nil }
        let top = min(max(config.seriesResultTop ?? 3, 1), 20)
        let r = results(state, config, ballots: state.order, breakdown: false)
        var items: [SeriesItem]
        switch config.kind {
        case .scale:
            return nil
        case .wordcloud:
            items = (r.words ?? []).map { SeriesItem(title: $0.word, votes: $0.count) }
        case .open:
            items = (r.answers ?? []).map { SeriesItem(title: $0.text, votes: $0.upvotes) }
        case .single, .multiple, .dots, .points, .ranking:
            items = (r.options ?? []).enumerated().filter { $0.element.count > 0 }
                .sorted { a, b in a.element.count == b.element.count ? a.offset < b.offset : a.element.count > b.element.count }
                .map { SeriesItem(title: $0.element.label, votes: $0.element.count) }
        }
        return SeriesResultRecord(name: name, items: Array(items.prefix(top)))
    }
}
