import PluginSDK
import VoteTally

/// Choosing the themes of a series at its startsessie (docs/THEME-CHOICE.md): the room proposes themes (the
/// config's starters are offered to take over), the facilitator merges duplicates, the room prioritises with dots
/// or a ranking, counted by the voting plugin's formulas (VoteTally), and the facilitator confirms the chosen
/// themes: they become the series result `themes` and a section of the report.
enum ThemeChoicePlugin: ActivityPlugin {
    static let name = "theme-choice"
    static let version = "1.0.0"

    /// The seeds' examples, offered when the config names no starters of its own.
    static let seedStarters = [
        "Cultuurverschillen tussen organisaties overbruggen",
        "Actief burgerschap stimuleren",
        "Omgaan met belemmerende wet- en regelgeving",
    ]
    /// Hard limit of themes on the list (the config schema's bounds keep the rest small).
    static let maxThemes = 60

    enum Method: String, Codable, Sendable { case dots, ranking }

    struct Config: Decodable, Sendable {
        var title: String?
        var starters: [String]?
        var method: Method?
        var dots: Int?
        var stacking: Bool?
        var perPerson: Int?
        var maxLength: Int?
        var choose: Int?

        var starterTexts: [String] { starters ?? ThemeChoicePlugin.seedStarters }
        var votingMethod: Method { method ?? .dots }
        var budget: Int { dots ?? 3 }
        var stacks: Bool { stacking ?? false }
        var proposalsEach: Int { perPerson ?? 3 }
        var longest: Int { maxLength ?? 120 }
        var suggested: Int { choose ?? 3 }
    }

    struct Theme: Sendable, Hashable {
        var id: String
        var text: String
        /// Texts merged into this theme, in the order they were merged.
        var also: [String] = []
        /// Who proposed it or a theme merged into it (ids as the plugin sees them; never in a public view).
        var by: [String] = []
        /// The events it came from: its proposal and every merged one.
        var seqs: [Int64]
    }

    /// A participant's priorities: dots per theme id, or theme ids best first.
    struct Ballot: Sendable, Hashable {
        var dots: [String: Int] = [:]
        var order: [String] = []
        var seq: Int64
    }

    struct State: Sendable {
        var themes: [Theme] = []
        var proposals: [String: Int] = [:]
        var ballots: [String: Ballot] = [:]
        /// Voters in the order of their first ballot: every count runs over this list.
        var voters: [String] = []
        var phase = "voorstellen"
        var revealed = false
        var confirmed: [String] = []
        var confirmations = 0
    }

    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views) {
        let state = State()
        return (state, views(state, config, me: nil))
    }

    static func reject(_ code: String, _ nl: String, _ en: String) -> Rejection { Rejection(code, nl: nl, en: en) }

    static func reduce(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        let actor = event.actor.id
        switch event.type {
        case "$phase":
            state.phase = event.payload["phase"]?.stringValue ?? state.phase
        case "$reveal":
            state.revealed = true
        case "propose":
            let p = try fields(event.payload, ["text", "starter"])
            try listOpen(state)
            guard state.proposals[actor, default: 0] < config.proposalsEach else {
                throw reject("too_many", "Je kunt \(config.proposalsEach) thema's voorstellen.", "You can propose \(config.proposalsEach) themes.")
            }
            let text: String
            switch (p["text"], p["starter"]) {
            case (let t?, nil): text = try themeText(t, config)
            case (nil, let s?):
                guard let i = s.integer(in: 0...max(0, config.starterTexts.count - 1)), config.starterTexts.indices.contains(i) else {
                    throw reject("unknown_starter", "Dat voorbeeld bestaat niet.", "That example does not exist.")
                }
                text = config.starterTexts[i]
            default:
                throw reject("bad_payload", "Geef een tekst of kies een voorbeeld.", "Give a text or choose an example.")
            }
            try add(&state, text: text, by: actor, seq: event.seq)
            state.proposals[actor, default: 0] += 1
            return views(state, config, me: actor)
        case "add":
            let p = try fields(event.payload, ["text"])
            try listOpen(state)
            try add(&state, text: try themeText(p["text"], config), by: nil, seq: event.seq)
        case "merge":
            let p = try fields(event.payload, ["theme", "into", "text"])
            try listOpen(state)
            let from = try index(p["theme"], state), into = try index(p["into"], state)
            guard from != into else { throw reject("same_theme", "Kies twee verschillende thema's.", "Choose two different themes.") }
            let gone = state.themes[from]
            if let t = p["text"] {
                let text = try themeText(t, config)
                try unique(text, state, except: [gone.id, state.themes[into].id])
                if Tally.normalise(text) != Tally.normalise(state.themes[into].text) {
                    state.themes[into].also.append(state.themes[into].text)
                    state.themes[into].text = text
                }
            }
            state.themes[into].also += [gone.text] + gone.also
            state.themes[into].by += gone.by
            state.themes[into].seqs = (state.themes[into].seqs + gone.seqs + [event.seq]).sorted()
            state.themes.remove(at: from)
        case "remove":
            let p = try fields(event.payload, ["theme"])
            try listOpen(state)
            state.themes.remove(at: try index(p["theme"], state))
        case "ballot":
            guard !state.themes.isEmpty else { throw reject("no_themes", "Er zijn nog geen thema's.", "There are no themes yet.") }
            var ballot = Ballot(seq: event.seq)
            switch config.votingMethod {
            case .dots:
                let p = try fields(event.payload, ["dots"])
                ballot.dots = try dots(p["dots"], state, config)
            case .ranking:
                let p = try fields(event.payload, ["order"])
                ballot.order = try ranking(p["order"], state)
            }
            if state.ballots[actor] == nil { state.voters.append(actor) }
            state.ballots[actor] = ballot
            return views(state, config, me: actor)
        case "confirm":
            let p = try fields(event.payload, ["themes"])
            guard !state.themes.isEmpty else { throw reject("no_themes", "Er zijn nog geen thema's.", "There are no themes yet.") }
            guard let ids = p["themes"]?.arrayValue, !ids.isEmpty, ids.count <= state.themes.count else {
                throw reject("bad_choice", "Kies 1 tot \(state.themes.count) thema's.", "Choose 1 to \(state.themes.count) themes.")
            }
            var chosen: [String] = []
            for id in ids { chosen.append(state.themes[try index(id, state)].id) }
            guard Set(chosen).count == chosen.count else { throw reject("bad_choice", "Kies elk thema één keer.", "Choose each theme once.") }
            state.confirmed = chosen
            state.confirmations += 1
            var v = views(state, config, me: nil)
            let outcome = confirmedResults(state, config)
            v.emit("series.result", SeriesResult(name: "themes", items: outcome.map(SeriesItem.init)))
            v.emit("report.section", reportSection(outcome, voters: state.voters.count, config))
            return v
        default:
            // $join, $leave, $groups: nothing of the choice changes.
            return Views()
        }
        return views(state, config, me: nil)
    }

    // MARK: checks

    /// The payload as an object with only the named keys (anything else is a client this plugin does not know).
    static func fields(_ payload: JSONValue, _ allowed: Set<String>) throws(Rejection) -> [String: JSONValue] {
        guard let o = payload.objectValue, o.keys.allSatisfy(allowed.contains) else {
            throw reject("bad_payload", "Dit bericht past niet bij deze activiteit.", "This message does not fit this activity.")
        }
        return o
    }

    /// Once the first ballot is in, the list is fixed: a change would move dots or places people already gave.
    static func listOpen(_ state: State) throws(Rejection) {
        guard state.ballots.isEmpty else {
            throw reject("list_fixed", "De lijst staat vast: er wordt al geprioriteerd.", "The list is fixed: prioritising has begun.")
        }
    }

    /// A theme's text: trimmed, inner whitespace and control characters collapsed, 1 to `maxLength` characters.
    static func themeText(_ value: JSONValue?, _ config: Config) throws(Rejection) -> String {
        guard let raw = value?.stringValue else { throw reject("bad_text", "Een thema is een tekst.", "A theme is a text.") }
        let text = raw.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !text.isEmpty else { throw reject("empty", "Schrijf een thema.", "Write a theme.") }
        guard text.count <= config.longest else {
            throw reject("too_long", "Een thema heeft hoogstens \(config.longest) tekens.", "A theme has at most \(config.longest) characters.")
        }
        return text
    }

    /// Refuses a text that is already on the list, as a theme or merged into one (compared as the word cloud does).
    static func unique(_ text: String, _ state: State, except: Set<String> = []) throws(Rejection) {
        let key = Tally.normalise(text)
        for t in state.themes where !except.contains(t.id) && ([t.text] + t.also).contains(where: { Tally.normalise($0) == key }) {
            throw reject("duplicate", "Dit thema staat er al: \(t.text)", "This theme is already listed: \(t.text)")
        }
    }

    static func add(_ state: inout State, text: String, by: String?, seq: Int64) throws(Rejection) {
        try unique(text, state)
        guard state.themes.count < maxThemes else {
            throw reject("too_many_themes", "De lijst is vol (\(maxThemes) thema's).", "The list is full (\(maxThemes) themes).")
        }
        state.themes.append(Theme(id: "t\(seq)", text: text, by: by.map { [$0] } ?? [], seqs: [seq]))
    }

    static func index(_ value: JSONValue?, _ state: State) throws(Rejection) -> Int {
        guard let id = value?.stringValue, let i = state.themes.firstIndex(where: { $0.id == id }) else {
            throw reject("unknown_theme", "Dat thema bestaat niet (meer).", "That theme does not exist (any more).")
        }
        return i
    }

    static func dots(_ value: JSONValue?, _ state: State, _ config: Config) throws(Rejection) -> [String: Int] {
        guard let given = value?.objectValue else { throw reject("bad_ballot", "Verdeel je stippen over de thema's.", "Spread your dots over the themes.") }
        var out: [String: Int] = [:]
        for (id, n) in given.sorted(by: { $0.key < $1.key }) {  // the first problem by id, the same in every process
            guard state.themes.contains(where: { $0.id == id }) else {
                throw reject("unknown_theme", "Dat thema bestaat niet (meer).", "That theme does not exist (any more).")
            }
            guard let d = n.integer(in: 0...Int.max) else { throw reject("bad_ballot", "Een aantal stippen is een heel getal vanaf 0.", "A number of dots is a whole number from 0.") }
            guard d <= config.budget else { throw reject("over_budget", "Je hebt \(config.budget) stippen.", "You have \(config.budget) dots.") }
            if d > 1 && !config.stacks { throw reject("no_stacking", "Eén stip per thema.", "One dot per theme.") }
            if d > 0 { out[id] = d }
        }
        let total = out.values.reduce(0, +)  // each is at most the budget, the keys at most maxThemes: no overflow
        guard total <= config.budget else { throw reject("over_budget", "Je hebt \(config.budget) stippen.", "You have \(config.budget) dots.") }
        guard total > 0 else { throw reject("empty_ballot", "Zet minstens één stip.", "Place at least one dot.") }
        return out
    }

    static func ranking(_ value: JSONValue?, _ state: State) throws(Rejection) -> [String] {
        guard let given = value?.arrayValue, !given.isEmpty, given.count <= state.themes.count else {
            throw reject("bad_ranking", "Zet 1 tot \(state.themes.count) thema's op volgorde.", "Put 1 to \(state.themes.count) themes in order.")
        }
        var order: [String] = []
        for v in given { order.append(state.themes[try index(v, state)].id) }
        guard Set(order).count == order.count else { throw reject("bad_ranking", "Elk thema één keer.", "Each theme once.") }
        return order
    }
}

@main
enum Main {
    static func main() { PluginRunner.main(ThemeChoicePlugin.self) }
}
