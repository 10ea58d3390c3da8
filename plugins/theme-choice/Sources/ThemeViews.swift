import PluginSDK
import VoteTally

/// The count, the views and the records of theme-choice. Counts run over the voters in the order of their first
/// ballot and the themes in list order; dictionaries are only looked up, never iterated into a view.
extension ThemeChoicePlugin {
    struct ThemeResult: Encodable, Hashable {
        var id: String
        var text: String
        var also: [String]
        /// Dots, or Borda points with a ranking (a first place among n themes earns n−1).
        var votes: Int
        /// Share of all dots or points, summing to 100 (largest remainder).
        var percent: Int
        /// 1 for the most votes; equal votes share a place.
        var place: Int
        /// With a ranking: how often the theme stood first, second, …
        var positions: [Int]?
    }

    /// Every theme with its votes, most votes first; equal votes keep the list's order.
    static func results(_ state: State, _ config: Config) -> [ThemeResult] {
        let n = state.themes.count
        let index = Dictionary(uniqueKeysWithValues: state.themes.enumerated().map { ($0.element.id, $0.offset) })
        let ballots = state.voters.compactMap { state.ballots[$0] }
        var votes = Array(repeating: 0, count: n)
        var positions: [[Int]]?
        switch config.votingMethod {
        case .dots:
            for b in ballots { for (id, d) in b.dots { if let i = index[id] { votes[i] += d } } }
        case .ranking:
            let counted = Tally.borda(ballots.map { $0.order.compactMap { index[$0] } }, options: n)
            votes = counted.points
            positions = counted.positions
        }
        let percent = Tally.percentages(votes)
        let order = state.themes.indices.sorted { a, b in votes[a] == votes[b] ? a < b : votes[a] > votes[b] }
        return order.map { i in
            ThemeResult(id: state.themes[i].id, text: state.themes[i].text, also: state.themes[i].also, votes: votes[i], percent: percent[i],
                        place: 1 + votes.filter { $0 > votes[i] }.count, positions: positions?[i])
        }
    }

    /// The confirmed themes in the order the facilitator gave, with their votes.
    static func confirmedResults(_ state: State, _ config: Config) -> [ThemeResult] {
        let all = results(state, config)
        return state.confirmed.compactMap { id in all.first { $0.id == id } }
    }

    // MARK: records

    struct SeriesItem: Encodable {
        var title: String
        var votes: Int
        var percent: Int
        var place: Int
        var also: [String]?

        init(_ r: ThemeResult) {
            title = r.text
            votes = r.votes
            percent = r.percent
            place = r.place
            also = r.also.isEmpty ? nil : r.also
        }
    }

    struct SeriesResult: Encodable {
        var name: String
        var items: [SeriesItem]
    }

    struct Section: Encodable {
        var title: LocalizedText
        var text: LocalizedText
    }

    static func reportSection(_ chosen: [ThemeResult], voters: Int, _ config: Config) -> Section {
        let dots = config.votingMethod == .dots
        func lines(_ unit: (Int) -> String, _ head: String) -> String {
            ([head] + chosen.enumerated().map { "\($0.offset + 1). \($0.element.text) (\($0.element.votes) \(unit($0.element.votes)))" }).joined(separator: "\n")
        }
        let title = config.title.map { ": \($0)" } ?? ""
        return Section(
            title: LocalizedText(nl: "Gekozen thema's\(title)", en: "Chosen themes\(title)"),
            text: LocalizedText(
                nl: lines({ dots ? ($0 == 1 ? "stip" : "stippen") : ($0 == 1 ? "punt" : "punten") }, "\(voters) deelnemers prioriteerden met \(dots ? "stippen" : "een rangorde"); gekozen:"),
                en: lines({ dots ? ($0 == 1 ? "dot" : "dots") : ($0 == 1 ? "point" : "points") }, "\(voters) participants prioritised with \(dots ? "dots" : "a ranking"); chosen:")))
    }

    // MARK: views

    struct ThemeView: Encodable {
        var id: String
        var text: String
        var also: [String]
    }

    struct Starter: Encodable {
        var index: Int
        var text: String
        var taken: Bool
    }

    struct PublicView: Encodable {
        var title: String?
        var method: Method
        var dots: Int?
        var stacking: Bool?
        var perPerson: Int
        var maxLength: Int
        var choose: Int
        var starters: [Starter]
        var themes: [ThemeView]
        /// The list is fixed once the first ballot is in.
        var fixed: Bool
        var voters: Int
        var revealed: Bool
        /// Only once revealed, or in the phase `bevestigen`: blind until then.
        var results: [ThemeResult]?
        var confirmed: [ThemeResult]?
    }

    struct FacilitatorTheme: Encodable {
        var id: String
        var text: String
        var also: [String]
        var proposals: Int
    }

    struct FacilitatorView: Encodable {
        var themes: [FacilitatorTheme]
        var results: [ThemeResult]
        var voters: Int
        var confirmed: [String]
        var confirmations: Int
    }

    struct Mine: Encodable {
        var proposals: Int
        var dots: [String: Int]?
        var order: [String]?
    }

    static func views(_ state: State, _ config: Config, me: String?) -> Views {
        let all = results(state, config)
        let shown = state.revealed || state.phase == "bevestigen"
        var v = Views()
        v.set("public", PublicView(
            title: config.title, method: config.votingMethod,
            dots: config.votingMethod == .dots ? config.budget : nil, stacking: config.votingMethod == .dots ? config.stacks : nil,
            perPerson: config.proposalsEach, maxLength: config.longest, choose: config.suggested,
            starters: config.starterTexts.enumerated().map { i, text in
                let key = Tally.normalise(text)
                return Starter(index: i, text: text, taken: state.themes.contains { ([$0.text] + $0.also).contains { Tally.normalise($0) == key } })
            },
            themes: state.themes.map { ThemeView(id: $0.id, text: $0.text, also: $0.also) },
            fixed: !state.ballots.isEmpty, voters: state.voters.count, revealed: shown,
            results: shown ? all : nil,
            confirmed: state.confirmed.isEmpty ? nil : confirmedResults(state, config)))
        v.set("facilitator", FacilitatorView(
            themes: state.themes.map { FacilitatorTheme(id: $0.id, text: $0.text, also: $0.also, proposals: $0.by.count) },
            results: all, voters: state.voters.count, confirmed: state.confirmed, confirmations: state.confirmations))
        if let me {
            let b = state.ballots[me]
            v.set("participant:\(me)", Mine(proposals: state.proposals[me] ?? 0, dots: b.map(\.dots), order: b.map(\.order)))
        }
        return v
    }
}
