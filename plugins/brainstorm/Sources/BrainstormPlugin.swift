import Foundation
import PluginSDK

/// The werkzame-bestanddelen brainstorm of a themabijeenkomst (issue 7, docs/BRAINSTORM.md): cards per
/// question, clusters that become candidate werkzame bestanddelen, dots, evidence from research, and an
/// archetype-interventiebeschrijving published to the kennisbank.
///
/// The host gates inputs by phase (the manifest); this reducer enforces what depends on configuration and
/// on its own state: card limits and lengths, who may cluster, the dot budget, own cards only. Every id it
/// makes comes from the event's `seq`, every order from creation order, so a replay gives the same views
/// and the same outputs.
enum BrainstormPlugin: ActivityPlugin {
    static let name = "brainstorm"
    static let version = "1.0.0"

    // MARK: configuration

    struct Question: Codable, Sendable, Hashable {
        var id: String
        var nl: String
        var en: String?
        /// The archetype field the answers fill: `goals`, `approach`, `intendedEffect` or `needs`
        /// (default by id: doelen, aanpak, effect, nodig); another question's cards stay out of the record.
        var field: String?
    }

    struct InterventionConfig: Decodable, Sendable {
        var kind: String?
        var title: String?
    }

    struct Config: Decodable, Sendable {
        var intervention: InterventionConfig?
        var questions: [Question]?
        /// Cards one participant may have at a time (all questions together).
        var maxCards: Int?
        /// Longest card, note or explanation-free text in characters.
        var maxLength: Int?
        /// Dots per participant in `waarderen`.
        var dots: Int?
        /// May participants create, rename and merge clusters and move cards?
        var participantsCluster: Bool?
        /// An existing archetype id: publishing adds a version to it.
        var archetype: String?
    }

    static let defaultQuestions = [
        Question(id: "doelen", nl: "Welke doelen stel je?", en: "What goals do you set?", field: "goals"),
        Question(id: "aanpak", nl: "Hoe ga je te werk?", en: "How do you work?", field: "approach"),
        Question(id: "effect", nl: "Welk effect wil je bereiken?", en: "What effect do you want to achieve?", field: "intendedEffect"),
        Question(id: "nodig", nl: "Wat is daarvoor nodig?", en: "What does it take?", field: "needs"),
    ]
    static let fields = ["goals", "approach", "intendedEffect", "needs"]
    static let needKinds = ["people", "money", "partners", "time"]

    /// The configuration with its defaults applied, kept in the state (reduce needs the anonymity too).
    struct Settings: Sendable {
        var questions: [Question]
        var maxCards: Int
        var maxLength: Int
        var dots: Int
        var participantsCluster: Bool
        var kind: String
        var title: String
        var archetype: String?
        var anonymity: Anonymity
    }

    static func settings(_ c: Config, anonymity: Anonymity, records: [Intervention]) -> Settings {
        var questions = (c.questions ?? []).filter { !$0.id.isEmpty && !$0.nl.isEmpty }
        if questions.isEmpty { questions = defaultQuestions }
        let byId = ["doelen": "goals", "aanpak": "approach", "effect": "intendedEffect", "nodig": "needs"]
        for i in questions.indices {
            if let f = questions[i].field, fields.contains(f) { continue }
            questions[i].field = byId[questions[i].id]
        }
        let kind = nonEmpty(c.intervention?.kind) ?? records.first?.kind ?? "onbekend"
        return Settings(questions: questions, maxCards: min(max(c.maxCards ?? 12, 1), 500), maxLength: min(max(c.maxLength ?? 200, 10), 2000),
                        dots: min(max(c.dots ?? 5, 1), 100), participantsCluster: c.participantsCluster ?? false, kind: kind,
                        title: nonEmpty(c.intervention?.title) ?? "Archetype: \(kind)", archetype: nonEmpty(c.archetype), anonymity: anonymity)
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    // MARK: state

    struct Card: Sendable, Hashable {
        var id: String
        var seq: Int64
        var question: String
        var text: String
        /// Who wrote it (the id the plugin sees: a pseudonym unless named); "" for kennisbank cards. Never in a view.
        var author: String
        /// Only in `named` activities.
        var authorName: String?
        var need: String?
        /// Kennisbank ids of the descriptions it came from.
        var sources: [String] = []
        var cluster: String?
        var duplicateOf: String?
        var hidden = false
    }

    struct Cluster: Sendable, Hashable {
        var id: String
        var seq: Int64
        var name: String
        var evidence: Evidence?
    }

    struct Note: Sendable, Hashable {
        var id: String
        var seq: Int64
        var cluster: String
        /// `practice` or `doubt`.
        var kind: String
        var text: String
        var author: String
        var authorName: String?
        var hidden = false
    }

    struct Ballot: Sendable, Hashable {
        var seq: Int64
        var dots: [String: Int]
    }

    struct DraftEdits: Sendable, Hashable {
        var title: String?
        var summary: String?
        var problem: String?
    }

    struct State: Sendable {
        var settings: Settings
        /// The published kennisbank descriptions of the context.
        var records: [Intervention]
        var seeded: [String] = []
        var seedSeqs: [Int64] = []
        var cards: [Card] = []
        var clusters: [Cluster] = []
        var notes: [Note] = []
        var ballots: [String: Ballot] = [:]
        var revealed = false
        var phase = "verzamelen"
        var edits = DraftEdits()
        var published = 0
        var publishedSeq: Int64?
    }

    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views) {
        let records = (context["kennisbank"]?["records"]?.arrayValue ?? []).compactMap { r -> Intervention? in
            try? JSONCoding.decode(Intervention.self, from: JSONCoding.encode(r))
        }
        // Results carried forward in a series (docs/BRAINSTORM.md "In a series") become the questions.
        var config = config
        if let carried = seriesQuestions(context) { config.questions = carried }
        let state = State(settings: settings(config, anonymity: anonymity, records: records), records: records)
        return (state, views(state))
    }

    // MARK: rejections

    static func reject(_ code: String, _ nl: String, _ en: String) -> Rejection { Rejection(code, nl: nl, en: en) }

    static func text(_ p: JSONValue, _ key: String = "text", max: Int) throws(Rejection) -> String {
        guard let raw = p[key]?.stringValue else { throw reject("bad_text", "Schrijf eerst een tekst.", "Write a text first.") }
        let t = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { throw reject("bad_text", "Schrijf eerst een tekst.", "Write a text first.") }
        guard t.count <= max else { throw reject("too_long", "Maximaal \(max) tekens. Maak het korter.", "At most \(max) characters. Make it shorter.") }
        return t
    }

    static func cardIndex(_ state: State, _ p: JSONValue, _ key: String = "card") throws(Rejection) -> Int {
        guard let id = p[key]?.stringValue, let i = state.cards.firstIndex(where: { $0.id == id }) else {
            throw reject("unknown_card", "Die kaart bestaat niet (meer).", "That card does not exist (any more).")
        }
        return i
    }

    static func clusterIndex(_ state: State, _ p: JSONValue, _ key: String = "cluster") throws(Rejection) -> Int {
        guard let id = p[key]?.stringValue, let i = state.clusters.firstIndex(where: { $0.id == id }) else {
            throw reject("unknown_cluster", "Dat cluster bestaat niet (meer).", "That cluster does not exist (any more).")
        }
        return i
    }

    static func clusterName(_ p: JSONValue) throws(Rejection) -> String {
        guard let t = nonEmpty(p["name"]?.stringValue) else {
            throw reject("bad_name", "Geef het cluster een naam.", "Give the cluster a name.")
        }
        guard t.count <= 120 else { throw reject("too_long", "Een naam heeft maximaal 120 tekens.", "A name has at most 120 characters.") }
        return t
    }

    static func mayCluster(_ state: State, _ actor: PluginActor) throws(Rejection) {
        if actor.role == .facilitator || state.settings.participantsCluster { return }
        throw reject("not_allowed", "Alleen de facilitator ordent de kaarten. Kijk mee op het scherm.",
                     "Only the facilitator groups the cards. Follow along on the screen.")
    }

    // MARK: reduce

    static func reduce(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        let actor = event.actor
        let p = event.payload
        let s = state.settings
        var touched: Set<String> = actor.role == .participant ? [actor.id] : []
        switch event.type {
        case "$phase":
            state.phase = p["phase"]?.stringValue ?? state.phase
        case "$reveal":
            state.revealed = true
        case "card":
            guard let q = p["question"]?.stringValue, let question = s.questions.first(where: { $0.id == q }) else {
                throw reject("unknown_question", "Kies een van de vragen.", "Choose one of the questions.")
            }
            let t = try text(p, max: s.maxLength)
            var need: String?
            if question.field == "needs" {
                need = p["need"]?.stringValue ?? "people"
                guard needKinds.contains(need!) else {
                    throw reject("bad_need", "Kies mensen, geld, partners of tijd.", "Choose people, money, partners or time.")
                }
            }
            if actor.role == .participant {
                let mine = state.cards.filter { $0.author == actor.id }.count
                guard mine < s.maxCards else {
                    throw reject("card_limit", "Je hebt al \(s.maxCards) kaarten. Pas er een aan of trek er een in.",
                                 "You already have \(s.maxCards) cards. Edit or withdraw one.")
                }
            }
            state.cards.append(Card(id: "c\(event.seq)", seq: event.seq, question: q, text: t, author: actor.id,
                                    authorName: s.anonymity == .named ? actor.name : nil, need: need))
        case "edit":
            let i = try cardIndex(state, p)
            if actor.role == .participant && state.cards[i].author != actor.id {
                throw reject("not_your_card", "Je kunt alleen je eigen kaarten aanpassen.", "You can only change your own cards.")
            }
            state.cards[i].text = try text(p, max: s.maxLength)
            if let n = p["need"]?.stringValue, state.cards[i].need != nil {
                guard needKinds.contains(n) else { throw reject("bad_need", "Kies mensen, geld, partners of tijd.", "Choose people, money, partners or time.") }
                state.cards[i].need = n
            }
        case "withdraw":
            let i = try cardIndex(state, p)
            if actor.role == .participant && state.cards[i].author != actor.id {
                throw reject("not_your_card", "Je kunt alleen je eigen kaarten intrekken.", "You can only withdraw your own cards.")
            }
            let id = state.cards[i].id
            state.cards.remove(at: i)
            for j in state.cards.indices where state.cards[j].duplicateOf == id { state.cards[j].duplicateOf = nil }
        case "seed":
            try seed(&state, p, seq: event.seq)
        case "hide", "unhide":
            let hide = event.type == "hide"
            if p["note"] != nil {
                guard let id = p["note"]?.stringValue, let i = state.notes.firstIndex(where: { $0.id == id }) else {
                    throw reject("unknown_note", "Die aanvulling bestaat niet.", "That note does not exist.")
                }
                state.notes[i].hidden = hide
            } else {
                let i = try cardIndex(state, p)
                state.cards[i].hidden = hide
            }
        case "cluster":
            try mayCluster(state, actor)
            let name = try clusterName(p)
            var ids: [String] = []
            if let c = p["cards"], !c.isNull, c.arrayValue == nil {
                throw reject("unknown_card", "Geef de kaarten als lijst.", "Give the cards as a list.")
            }
            for c in p["cards"]?.arrayValue ?? [] {
                guard let id = c.stringValue, state.cards.contains(where: { $0.id == id }) else {
                    throw reject("unknown_card", "Die kaart bestaat niet (meer).", "That card does not exist (any more).")
                }
                ids.append(id)
            }
            let cluster = "k\(event.seq)"
            state.clusters.append(Cluster(id: cluster, seq: event.seq, name: name))
            for id in ids { move(&state, card: id, to: cluster) }
        case "rename":
            try mayCluster(state, actor)
            let i = try clusterIndex(state, p)
            state.clusters[i].name = try clusterName(p)
        case "move":
            try mayCluster(state, actor)
            let i = try cardIndex(state, p)
            var target: String?
            if let c = p["cluster"], !c.isNull {
                target = state.clusters[try clusterIndex(state, p)].id
            }
            // A duplicate that moves on its own is no longer a duplicate.
            state.cards[i].duplicateOf = nil
            move(&state, card: state.cards[i].id, to: target)
        case "merge":
            try mayCluster(state, actor)
            if p["card"] != nil {
                let i = try cardIndex(state, p)
                let j = try cardIndex(state, p, "into")
                let root = state.cards[j].duplicateOf ?? state.cards[j].id
                let id = state.cards[i].id
                guard root != id else { throw reject("bad_merge", "Een kaart kan niet in zichzelf op.", "A card cannot merge into itself.") }
                let cluster = state.cards.first(where: { $0.id == root })?.cluster
                for k in state.cards.indices where state.cards[k].id == id || state.cards[k].duplicateOf == id {
                    state.cards[k].duplicateOf = root
                    state.cards[k].cluster = cluster
                }
            } else {
                let from = try clusterIndex(state, p)
                let into = try clusterIndex(state, p, "into")
                guard from != into else { throw reject("bad_merge", "Een cluster kan niet in zichzelf op.", "A cluster cannot merge into itself.") }
                let (f, t) = (state.clusters[from].id, state.clusters[into].id)
                for k in state.cards.indices where state.cards[k].cluster == f { state.cards[k].cluster = t }
                for k in state.notes.indices where state.notes[k].cluster == f { state.notes[k].cluster = t }
                if state.clusters[into].evidence == nil { state.clusters[into].evidence = state.clusters[from].evidence }
                for (who, b) in state.ballots where b.dots[f] != nil {
                    var d = b.dots
                    d[t, default: 0] += d.removeValue(forKey: f) ?? 0
                    state.ballots[who]?.dots = d
                    touched.insert(who)
                }
                state.clusters.remove(at: from)
            }
        case "dots":
            guard let o = p["dots"]?.objectValue else {
                throw reject("bad_dots", "Verdeel je stippen over de bestanddelen.", "Spread your dots over the ingredients.")
            }
            var dots: [String: Int] = [:]
            // Sorted: the first problem found must not depend on the dictionary's order.
            for k in o.keys.sorted() {
                let v = o[k]!
                guard state.clusters.contains(where: { $0.id == k }) else {
                    throw reject("unknown_cluster", "Dat cluster bestaat niet (meer).", "That cluster does not exist (any more).")
                }
                guard let n = v.integer(in: 0...1000) else {
                    throw reject("bad_dots", "Geef per bestanddeel een aantal stippen van 0 of meer.", "Give each ingredient 0 or more dots.")
                }
                if n > 0 { dots[k] = n }
            }
            guard let total = dots.values.checkedSum(), total <= s.dots else {
                throw reject("over_budget", "Je hebt maar \(s.dots) stippen. Haal er eerst een weg.", "You only have \(s.dots) dots. Take one away first.")
            }
            state.ballots[actor.id] = dots.isEmpty ? nil : Ballot(seq: event.seq, dots: dots)
        case "evidence":
            let i = try clusterIndex(state, p)
            guard let l = p["level"]?.stringValue, let level = EvidenceLevel(rawValue: l) else {
                throw reject("bad_level", "Kies bewezen, aannemelijk, onbekend of tegengesproken.", "Choose bewezen, aannemelijk, onbekend or tegengesproken.")
            }
            var explanation: String?
            if let e = p["explanation"], !e.isNull, !(e.stringValue ?? "x").isEmpty {
                explanation = try text(p, "explanation", max: 2000)
            }
            var sources: [Source] = []
            for src in p["sources"]?.arrayValue ?? [] {
                guard let title = nonEmpty(src["title"]?.stringValue), title.count <= 300 else {
                    throw reject("bad_source", "Een bron heeft een titel (maximaal 300 tekens).", "A source has a title (at most 300 characters).")
                }
                var url: String?
                if let u = nonEmpty(src["url"]?.stringValue) {
                    guard (u.hasPrefix("https://") || u.hasPrefix("http://")), u.count <= 1000, !u.contains(where: { $0.isWhitespace }) else {
                        throw reject("bad_source", "Een link begint met https:// of http://.", "A link starts with https:// or http://.")
                    }
                    url = u
                }
                sources.append(Source(title: title, url: url))
            }
            guard sources.count <= 20 else { throw reject("bad_source", "Maximaal 20 bronnen.", "At most 20 sources.") }
            state.clusters[i].evidence = Evidence(level: level, explanation: explanation, sources: sources.isEmpty ? nil : sources)
        case "practice", "doubt":
            let i = try clusterIndex(state, p)
            let t = try text(p, max: s.maxLength)
            if actor.role == .participant {
                guard state.notes.filter({ $0.author == actor.id }).count < 20 else {
                    throw reject("note_limit", "Je hebt al 20 aanvullingen gegeven.", "You have already added 20 notes.")
                }
            }
            state.notes.append(Note(id: "n\(event.seq)", seq: event.seq, cluster: state.clusters[i].id, kind: event.type, text: t,
                                    author: actor.id, authorName: s.anonymity == .named ? actor.name : nil))
        case "draft":
            for key in ["title", "summary", "problem"] where p[key] != nil {
                var value: String?
                if let v = p[key], !v.isNull, !(v.stringValue ?? "x").isEmpty { value = try text(p, key, max: key == "title" ? 200 : 4000) }
                switch key {
                case "title": state.edits.title = value
                case "summary": state.edits.summary = value
                default: state.edits.problem = value
                }
            }
        case "publish":
            let record = draft(state)
            guard !(record.activeIngredients ?? []).isEmpty || record.goals != nil || record.approach != nil else {
                throw reject("empty_draft", "Er is nog niets om vast te leggen.", "There is nothing to publish yet.")
            }
            state.published += 1
            state.publishedSeq = event.seq
            var v = views(state)
            v.emit("kennisbank.intervention", record)
            for section in reportSections(state) { v.report(section) }
            return v
        default:
            // $join, $leave, $groups: nothing of the brainstorm changes.
            return Views()
        }
        var v = views(state)
        for who in touched.sorted() { v.set("participant:\(who)", mine(state, who)) }
        // A phase change or the reveal is a moment the report keeps (docs/REPORTS.md).
        if event.type == "$phase" || event.type == "$reveal" { for section in reportSections(state) { v.report(section) } }
        return v
    }

    /// Puts a card and its merged duplicates into a cluster (or back on the wall with `nil`).
    static func move(_ state: inout State, card id: String, to cluster: String?) {
        for k in state.cards.indices where state.cards[k].id == id || state.cards[k].duplicateOf == id {
            state.cards[k].cluster = cluster
        }
    }

    /// Cards from the context's kennisbank descriptions ("what others already wrote"), once per description.
    static func seed(_ state: inout State, _ p: JSONValue, seq: Int64) throws(Rejection) {
        if let r = p["records"], !r.isNull, r.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            throw reject("bad_records", "Kies beschrijvingen uit de lijst.", "Choose descriptions from the list.")
        }
        let wanted = p["records"]?.arrayValue?.compactMap(\.stringValue)
        let records = state.records.filter { r in !state.seeded.contains(r.id) && (wanted == nil || wanted!.contains(r.id)) }
        guard !records.isEmpty else {
            throw reject("nothing_to_seed", "Er zijn geen (nieuwe) beschrijvingen uit de kennisbank om toe te voegen.",
                         "There are no (new) kennisbank descriptions to add.")
        }
        var n = 0
        func add(_ question: Question?, _ raw: String?, need: String? = nil, from r: Intervention) {
            guard let question, let t = nonEmpty(raw) else { return }
            let key = normalise(t)
            if let i = state.cards.firstIndex(where: { !$0.sources.isEmpty && $0.question == question.id && normalise($0.text) == key }) {
                if !state.cards[i].sources.contains(r.id) { state.cards[i].sources.append(r.id) }
                return
            }
            n += 1
            state.cards.append(Card(id: "c\(seq)-\(n)", seq: seq, question: question.id, text: t, author: "", need: need, sources: [r.id]))
        }
        let questions = state.settings.questions
        let q = { (field: String) in questions.first { $0.field == field } }
        for r in records {
            for g in r.goals ?? [] { add(q("goals"), g, from: r) }
            if let steps = r.steps, !steps.isEmpty {
                for st in steps { add(q("approach"), st, from: r) }
            } else {
                add(q("approach"), r.approach, from: r)
            }
            for a in r.activeIngredients ?? [] { add(q("approach"), a.statement, from: r) }
            add(q("intendedEffect"), r.intendedEffect, from: r)
            add(q("needs"), r.needs?.people, need: "people", from: r)
            add(q("needs"), r.needs?.money, need: "money", from: r)
            add(q("needs"), r.needs?.partners, need: "partners", from: r)
            add(q("needs"), r.needs?.time, need: "time", from: r)
            state.seeded.append(r.id)
        }
        state.seedSeqs.append(seq)
    }

    static func normalise(_ s: String) -> String {
        s.precomposedStringWithCanonicalMapping.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

@main
enum Main {
    static func main() { PluginRunner.main(BrainstormPlugin.self) }
}
