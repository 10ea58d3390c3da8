import PluginSDK
import VoteTally

/// One question, voted on by everyone in the room: every common kind, blind until the facilitator
/// reveals (or live), one ballot per participant, and the results by the formulas of docs/VOTING.md.
enum VotingPlugin: ActivityPlugin {
    static let name = "voting"
    static let version = "1.0.0"

    enum Kind: String, Codable, Sendable {
        case single, multiple, scale, ranking, points, dots, wordcloud, open
    }

    struct Config: Decodable, Sendable {
        var kind: Kind
        var question: String?
        var options: [String]?
        var minPicks: Int?
        var maxPicks: Int?
        var min: Int?
        var max: Int?
        var minLabel: String?
        var maxLabel: String?
        var points: Int?
        var dots: Int?
        var stacking: Bool?
        var maxWords: Int?
        var maxLength: Int?
        var upvotes: Bool?
        /// `facilitator` (default: hidden until revealed) or `live`.
        var reveal: String?
        var changeable: Bool?
        var proposals: Bool?
        var quorum: Int?
        /// Emit the top options as the `series.result` of this name at the reveal and when the vote closes.
        var seriesResult: String?
        /// How many top options that result holds (default 3).
        var seriesResultTop: Int?
    }

    /// What a participant sent, kept as given; results are computed from these.
    struct Ballot: Sendable, Hashable {
        var choices: [Int] = []
        var value: Int?
        var words: [String] = []
        var text: String?
        var group: String?
        var function: String?
    }

    struct Proposal: Sendable, Hashable, Encodable {
        var id: String
        var text: String
        var status: String
    }

    struct State: Sendable {
        var options: [String]
        var ballots: [String: Ballot] = [:]
        var order: [String] = []
        var upvotes: [String: Set<String>] = [:]
        var revealed: Bool
        var deadline: Int64?
        var proposals: [Proposal] = []
        var votingOpen: Bool
        var saved = 0
    }

    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views) {
        let state = State(options: config.options ?? [], revealed: config.reveal == "live", votingOpen: config.proposals != true)
        return (state, views(state, config, me: nil))
    }

    static func reject(_ code: String, _ nl: String, _ en: String) -> Rejection { Rejection(code, nl: nl, en: en) }

    static func reduce(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        var v = try reduceVote(&state, event: event, config: config)
        // In a series the top options travel on as `series.result` (docs/VOTING.md "In a series").
        if endsVote(event) { emitSeriesResult(&v, state, config) }
        return v
    }

    static func reduceVote(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        let actor = event.actor.id
        switch event.type {
        case "$reveal":
            state.revealed = true
            var v = views(state, config, me: nil)
            v.report(reportSection(state, config))
            return v
        case "$phase":
            // A phase change ends or reopens the vote: the report keeps where it stood.
            var v = Views()
            v.report(reportSection(state, config))
            return v
        case "ballot":
            guard state.votingOpen else { throw reject("not_open", "Stemmen kan nog niet. Wacht op de facilitator.", "Voting has not opened yet. Wait for the facilitator.") }
            if let d = state.deadline, event.at > d { throw reject("deadline_passed", "De tijd om te stemmen is voorbij.", "The time to vote is over.") }
            if state.ballots[actor] != nil && config.changeable != true {
                throw reject("already_voted", "Je hebt al gestemd. Je stem staat vast.", "You have already voted. Your vote is final.")
            }
            var ballot = try parse(event.payload, config: config, options: state.options.count)
            ballot.group = event.actor.group
            ballot.function = event.actor.function
            if state.ballots[actor] == nil { state.order.append(actor) }
            state.ballots[actor] = ballot
            var v = views(state, config, me: actor)
            // Live results: the report follows every ballot, as the beamer does.
            if state.revealed { v.report(reportSection(state, config)) }
            return v
        case "upvote":
            guard config.kind == .open, config.upvotes == true else { throw reject("no_upvotes", "Hier kun je niet liken.", "Upvotes are off here.") }
            guard let answer = event.payload["answer"]?.stringValue, state.ballots[answer]?.text != nil else {
                throw reject("no_such_answer", "Dat antwoord bestaat niet.", "That answer does not exist.")
            }
            guard answer != actor else { throw reject("own_answer", "Je eigen antwoord kun je niet liken.", "You cannot upvote your own answer.") }
            guard state.upvotes[answer, default: []].insert(actor).inserted else {
                throw reject("already_upvoted", "Je hebt dit antwoord al geliket.", "You already upvoted this answer.")
            }
        case "propose":
            guard config.proposals == true, !state.votingOpen else { throw reject("no_proposals", "Voorstellen kan nu niet.", "Proposals are closed.") }
            guard let text = event.payload["text"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text.count <= 120 else {
                throw reject("bad_text", "Schrijf een voorstel van 1 tot 120 tekens.", "Write a proposal of 1 to 120 characters.")
            }
            state.proposals.append(Proposal(id: "v\(event.seq)", text: text, status: "pending"))
        case "approve", "dismiss":
            guard let id = event.payload["proposal"]?.stringValue, let i = state.proposals.firstIndex(where: { $0.id == id && $0.status == "pending" }) else {
                throw reject("no_such_proposal", "Dat voorstel bestaat niet (meer).", "That proposal does not exist (any more).")
            }
            state.proposals[i].status = event.type == "approve" ? "approved" : "dismissed"
            if event.type == "approve" { state.options.append(state.proposals[i].text) }
        case "add-option":
            guard let text = event.payload["text"]?.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 120 else {
                throw reject("bad_text", "Een optie heeft 1 tot 120 tekens.", "An option has 1 to 120 characters.")
            }
            state.options.append(text)
        case "open-voting":
            state.votingOpen = true
        case "deadline":
            guard let minutes = event.payload["minutes"]?.doubleValue, minutes > 0, minutes <= 600 else {
                throw reject("bad_minutes", "Kies 0 tot 600 minuten.", "Choose 0 to 600 minutes.")
            }
            state.deadline = event.at + Int64(minutes * 60_000)
        case "save":
            state.saved += 1
            var v = views(state, config, me: nil)
            v.emit("gereedschapskist.item", ToolkitRecord(kind: "instrument", title: "Resultaten: \(config.question ?? "stemming")",
                                                          body: summaryText(state, config), results: results(state, config, ballots: state.order)))
            v.report(reportSection(state, config))
            return v
        default:
            // $join, $leave, $groups: nothing of the vote changes.
            return Views()
        }
        return views(state, config, me: nil)
    }

    /// Checks a ballot against the kind's rules and the configuration.
    static func parse(_ p: JSONValue, config: Config, options n: Int) throws(Rejection) -> Ballot {
        // Whole numbers only; every sum below is checked (SDK `checkedSum`): a ballot's numbers come from a
        // phone, and an overflow would trap the process that serves every session's votes.
        func ints(_ key: String) -> [Int]? { try? p.integers(key, in: Int.min...Int.max) }
        let badChoice = reject("bad_choice", "Deze keuze bestaat niet.", "That choice does not exist.")
        var b = Ballot()
        switch config.kind {
        case .single:
            guard let c = p["choice"]?.integer(in: 0...max(0, n - 1)), (0..<n).contains(c) else { throw badChoice }
            b.choices = [c]
        case .multiple:
            guard let c = ints("choices"), Set(c).count == c.count, c.allSatisfy({ (0..<n).contains($0) }) else { throw badChoice }
            let lo = config.minPicks ?? 1, hi = config.maxPicks ?? n
            guard (lo...max(lo, hi)).contains(c.count) else {
                throw reject("pick_count", "Kies er \(lo) tot \(hi).", "Choose \(lo) to \(hi).")
            }
            b.choices = c.sorted()
        case .scale:
            let lo = config.min ?? 1, hi = config.max ?? 5
            guard let v = p["value"]?.integer(in: Int.min...Int.max), (lo...hi).contains(v) else {
                throw reject("out_of_range", "Kies een waarde van \(lo) tot \(hi).", "Choose a value from \(lo) to \(hi).")
            }
            b.value = v
        case .ranking:
            guard let o = ints("order"), o.count == n, Set(o) == Set(0..<n) else {
                throw reject("bad_ranking", "Zet alle opties in een volgorde.", "Put every option in an order.")
            }
            b.choices = o
        case .points:
            let total = config.points ?? 100
            guard let pts = ints("points"), pts.count == n, pts.allSatisfy({ $0 >= 0 }) else { throw badChoice }
            guard pts.allSatisfy({ $0 <= total }), pts.checkedSum() == total else {
                throw reject("points_total", "Verdeel precies \(total) punten.", "Spread exactly \(total) points.")
            }
            b.choices = pts
        case .dots:
            let budget = config.dots ?? 3
            guard let d = ints("dots"), d.count == n, d.allSatisfy({ $0 >= 0 }) else { throw badChoice }
            guard d.allSatisfy({ $0 <= budget }), let sum = d.checkedSum(), sum <= budget else {
                throw reject("over_budget", "Je hebt maar \(budget) stippen.", "You only have \(budget) dots.")
            }
            if config.stacking != true && d.contains(where: { $0 > 1 }) {
                throw reject("no_stacking", "Eén stip per optie.", "One dot per option.")
            }
            b.choices = d
        case .wordcloud:
            let maxWords = config.maxWords ?? 3, maxLength = config.maxLength ?? 40
            guard let raw = p["words"]?.arrayValue?.compactMap(\.stringValue) else { throw badChoice }
            let words = raw.map(Tally.normalise).filter { !$0.isEmpty }
            guard (1...maxWords).contains(words.count), words.allSatisfy({ $0.count <= maxLength }) else {
                throw reject("bad_words", "Geef 1 tot \(maxWords) woorden van maximaal \(maxLength) tekens.", "Give 1 to \(maxWords) words of at most \(maxLength) characters.")
            }
            b.words = words
        case .open:
            let maxLength = config.maxLength ?? 280
            guard let t = p["text"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty, t.count <= maxLength else {
                throw reject("bad_text", "Schrijf 1 tot \(maxLength) tekens.", "Write 1 to \(maxLength) characters.")
            }
            b.text = t
        }
        return b
    }

    // MARK: results

    struct OptionResult: Encodable, Hashable {
        var label: String
        var count: Int
        var percent: Int
        var points: Int?
        var mean: Double?
        var positions: [Int]?
    }

    struct Results: Encodable, Hashable {
        var voters: Int
        var options: [OptionResult]?
        var distribution: [[Int]]?
        var mean: Double?
        var median: Double?
        var words: [WordCount]?
        var answers: [Answer]?
        var byGroup: [String: Results]?
        var byFunction: [String: Results]?
    }

    struct WordCount: Encodable, Hashable {
        var word: String
        var count: Int
    }

    struct Answer: Encodable, Hashable {
        var id: String
        var text: String
        var upvotes: Int
    }

    /// Groups smaller than this get no breakdown of their own: their members' votes could be told apart.
    static let smallGroup = 5

    static func results(_ state: State, _ config: Config, ballots ids: [String], breakdown: Bool = true) -> Results {
        let ballots = ids.compactMap { state.ballots[$0] }
        let n = state.options.count
        var r = Results(voters: ballots.count)
        switch config.kind {
        case .single, .multiple, .dots:
            var counts = Array(repeating: 0, count: n)
            for b in ballots {
                if config.kind == .dots {
                    for (i, d) in b.choices.enumerated() where i < n { counts[i] += d }
                } else {
                    for c in b.choices where c < n { counts[c] += 1 }
                }
            }
            let pct = Tally.percentages(counts)
            r.options = state.options.indices.map { OptionResult(label: state.options[$0], count: counts[$0], percent: pct[$0]) }
        case .points:
            var sums = Array(repeating: 0, count: n)
            for b in ballots { for (i, p) in b.choices.enumerated() where i < n { sums[i] += p } }
            let pct = Tally.percentages(sums)
            r.options = state.options.indices.map {
                OptionResult(label: state.options[$0], count: sums[$0], percent: pct[$0], points: sums[$0],
                             mean: ballots.isEmpty ? nil : Double(sums[$0]) / Double(ballots.count))
            }
        case .ranking:
            let (points, positions) = Tally.borda(ballots.map(\.choices), options: n)
            let pct = Tally.percentages(points)
            r.options = state.options.indices.map {
                OptionResult(label: state.options[$0], count: points[$0], percent: pct[$0], points: points[$0], positions: positions[$0])
            }
        case .scale:
            let lo = config.min ?? 1, hi = config.max ?? 5
            let values = ballots.compactMap(\.value)
            r.distribution = (lo...hi).map { v in [v, values.filter { $0 == v }.count] }
            r.mean = Tally.mean(values.map(Double.init))
            r.median = Tally.median(values.map(Double.init))
        case .wordcloud:
            var counts: [String: Int] = [:]
            var first: [String] = []
            for b in ballots { for w in b.words { if counts[w] == nil { first.append(w) }; counts[w, default: 0] += 1 } }
            r.words = first.enumerated().sorted { a, b in
                counts[a.element]! == counts[b.element]! ? a.offset < b.offset : counts[a.element]! > counts[b.element]!
            }.map { WordCount(word: $0.element, count: counts[$0.element]!) }
        case .open:
            r.answers = ids.compactMap { id in state.ballots[id]?.text.map { Answer(id: id, text: $0, upvotes: state.upvotes[id]?.count ?? 0) } }
                .enumerated().sorted { a, b in a.element.upvotes == b.element.upvotes ? a.offset < b.offset : a.element.upvotes > b.element.upvotes }
                .map(\.element)
        }
        if breakdown {
            var byGroup: [String: [String]] = [:], byFunction: [String: [String]] = [:]
            for id in ids {
                guard let b = state.ballots[id] else { continue }
                if let g = b.group { byGroup[g, default: []].append(id) }
                if let f = b.function { byFunction[f, default: []].append(id) }
            }
            let groups = byGroup.filter { $0.value.count >= smallGroup }.mapValues { results(state, config, ballots: $0, breakdown: false) }
            let functions = byFunction.filter { $0.value.count >= smallGroup }.mapValues { results(state, config, ballots: $0, breakdown: false) }
            r.byGroup = groups.isEmpty ? nil : groups
            r.byFunction = functions.isEmpty ? nil : functions
        }
        return r
    }

    static func summaryText(_ state: State, _ config: Config) -> String {
        let r = results(state, config, ballots: state.order, breakdown: false)
        var lines = ["\(config.question ?? "Stemming") — \(r.voters) stemmen"]
        for o in r.options ?? [] { lines.append("- \(o.label): \(o.count) (\(o.percent)%)") }
        if let m = r.mean { lines.append("Gemiddelde \(String(format: "%.2f", m)), mediaan \(r.median.map { String(format: "%.1f", $0) } ?? "–")") }
        for w in (r.words ?? []).prefix(20) { lines.append("- \(w.word): \(w.count)") }
        for a in (r.answers ?? []).prefix(20) { lines.append("- \(a.text) (\(a.upvotes))") }
        return lines.joined(separator: "\n")
    }

    struct ToolkitRecord: Encodable {
        var kind: String
        var title: String
        var body: String
        var results: Results
    }

    // MARK: views

    struct PublicView: Encodable {
        var kind: Kind
        var question: String?
        var options: [String]
        var scale: ScaleLabels?
        var points: Int?
        var dots: Int?
        var stacking: Bool?
        var maxWords: Int?
        var maxPicks: Int?
        var minPicks: Int?
        var changeable: Bool
        var upvotes: Bool
        var votingOpen: Bool
        var deadline: Int64?
        var voters: Int
        var quorum: Int?
        var revealed: Bool
        /// Only once revealed (or with live results): blind until then.
        var results: Results?
        var proposals: [Proposal]?
        /// Open answers are the question's content: shown without counts, so upvoting works before the reveal.
        var answers: [Answer]?
    }

    struct ScaleLabels: Encodable {
        var min: Int
        var max: Int
        var minLabel: String?
        var maxLabel: String?
    }

    struct FacilitatorView: Encodable {
        var results: Results
        var turnoutByGroup: [String: Int]
        var proposals: [Proposal]
        var saved: Int
    }

    static func views(_ state: State, _ config: Config, me: String?) -> Views {
        let all = results(state, config, ballots: state.order)
        var v = Views()
        var openAnswers: [Answer]?
        if config.kind == .open {
            openAnswers = state.order.compactMap { id in state.ballots[id]?.text.map { Answer(id: id, text: $0, upvotes: 0) } }
        }
        v.set("public", PublicView(
            kind: config.kind, question: config.question, options: state.options,
            scale: config.kind == .scale ? ScaleLabels(min: config.min ?? 1, max: config.max ?? 5, minLabel: config.minLabel, maxLabel: config.maxLabel) : nil,
            points: config.kind == .points ? (config.points ?? 100) : nil, dots: config.kind == .dots ? (config.dots ?? 3) : nil,
            stacking: config.kind == .dots ? (config.stacking ?? false) : nil, maxWords: config.kind == .wordcloud ? (config.maxWords ?? 3) : nil,
            maxPicks: config.kind == .multiple ? (config.maxPicks ?? state.options.count) : nil, minPicks: config.kind == .multiple ? (config.minPicks ?? 1) : nil,
            changeable: config.changeable ?? false, upvotes: config.upvotes ?? false, votingOpen: state.votingOpen, deadline: state.deadline,
            voters: state.order.count, quorum: config.quorum, revealed: state.revealed, results: state.revealed ? all : nil,
            proposals: config.proposals == true ? state.proposals.filter { $0.status == "approved" } : nil,
            answers: state.revealed ? nil : openAnswers))
        var turnout: [String: Int] = [:]
        for id in state.order { if let g = state.ballots[id]?.group { turnout[g, default: 0] += 1 } }
        v.set("facilitator", FacilitatorView(results: all, turnoutByGroup: turnout, proposals: state.proposals, saved: state.saved))
        if let me, let b = state.ballots[me] {
            struct Mine: Encodable { var choices: [Int]; var value: Int?; var words: [String]; var text: String? }
            v.set("participant:\(me)", ["ballot": Mine(choices: b.choices, value: b.value, words: b.words, text: b.text)])
        }
        return v
    }
}

@main
enum Main {
    static func main() { PluginRunner.main(VotingPlugin.self) }
}
