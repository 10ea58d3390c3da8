import PluginSDK

/// The views of the brainstorm and the archetype it assembles. No view carries an author id; names only
/// in `named` activities. Everything is in creation order or sorted, never in dictionary order.
extension BrainstormPlugin {
    struct CardView: Encodable, Hashable {
        var id: String
        var q: String
        var text: String
        var by: String?
        var need: String?
        /// Kennisbank descriptions the card came from: `[{id, title}]`.
        var sources: [SourceRef]?
        var cluster: String?
        /// How many duplicate cards were merged into this one.
        var duplicates: Int?
    }

    struct SourceRef: Encodable, Hashable {
        var id: String
        var title: String
    }

    struct NoteView: Encodable, Hashable {
        var id: String
        var text: String
        var by: String?
    }

    struct ClusterView: Encodable, Hashable {
        var id: String
        var name: String
        var cards: [String]
        /// Only once revealed (public) or always (facilitator totals live).
        var dots: Int?
        var rank: Int?
        var evidence: Evidence?
        var practices: [NoteView]
        var doubts: [NoteView]
    }

    struct PublicView: Encodable {
        var title: String
        var kind: String
        var questions: [Question]
        var anonymity: String
        var maxCards: Int
        var maxLength: Int
        var dots: Int
        var participantsCluster: Bool
        var cards: [CardView]
        var clusters: [ClusterView]
        var voters: Int
        var revealed: Bool
        var published: Int
        /// The archetype as it would be published now: in `vastleggen` (the beamer shows it) and after a publish.
        var draft: ArchetypeRecord?
    }

    struct HiddenView: Encodable {
        var id: String
        var kind: String
        var text: String
    }

    struct RecordRef: Encodable {
        var id: String
        var title: String
        var type: String
        var seeded: Bool
    }

    struct FacilitatorView: Encodable {
        /// Live dot totals per cluster, ranked, before the reveal too.
        var totals: [ClusterView]
        var voters: Int
        var dotsCast: Int
        var hidden: [HiddenView]
        var records: [RecordRef]
        var published: Int
        var publishedSeq: Int64?
        /// In `toetsen` and `vastleggen` and after a publish (the console shows it in `vastleggen`).
        var draft: ArchetypeRecord?
    }

    struct MyView: Encodable {
        var cards: [String]
        var dots: [String: Int]
        var notes: [String]
    }

    /// An intervention as the hub files it (schema `Intervention`); `id` only when an archetype is versioned.
    struct ArchetypeRecord: Encodable, Hashable {
        var id: String?
        var title: String
        var kind: String
        var type = "archetype"
        var state = "published"
        var summary: String?
        var problem: String?
        var goals: [String]?
        var approach: String?
        var steps: [String]?
        var activeIngredients: [ActiveIngredient]?
        var intendedEffect: String?
        var needs: Needs?
        var practices: [String]?
        var provenance: [Provenance]?
    }

    // MARK: derived data

    /// Visible cards that stand on their own (not a merged duplicate, not hidden, not under a hidden card).
    static func wallCards(_ state: State) -> [Card] {
        let hidden = Set(state.cards.filter(\.hidden).map(\.id))
        return state.cards.filter { !$0.hidden && $0.duplicateOf == nil && !hidden.contains($0.id) }
    }

    /// Visible cards, duplicates included (what a record counts as its sources).
    static func visibleCards(_ state: State) -> [Card] {
        let hidden = Set(state.cards.filter(\.hidden).map(\.id))
        return state.cards.filter { !$0.hidden && !hidden.contains($0.duplicateOf ?? "") }
    }

    static func totals(_ state: State) -> [String: Int] {
        var t: [String: Int] = [:]
        for b in state.ballots.values { for (k, n) in b.dots { t[k, default: 0] += n } }
        return t
    }

    /// Clusters by dots, most first; equal dots keep the order in which the clusters were made.
    static func ranked(_ state: State) -> [(cluster: Cluster, dots: Int, rank: Int)] {
        let t = totals(state)
        return state.clusters.enumerated()
            .sorted { a, b in
                let (x, y) = (t[a.element.id] ?? 0, t[b.element.id] ?? 0)
                return x == y ? a.offset < b.offset : x > y
            }
            .enumerated().map { (cluster: $0.element.element, dots: t[$0.element.element.id] ?? 0, rank: $0.offset + 1) }
    }

    static func noteViews(_ state: State, _ cluster: String, _ kind: String) -> [NoteView] {
        state.notes.filter { $0.cluster == cluster && $0.kind == kind && !$0.hidden }.map { NoteView(id: $0.id, text: $0.text, by: $0.authorName) }
    }

    static func clusterViews(_ state: State, dots: Bool) -> [ClusterView] {
        var members: [String: [String]] = [:]
        for c in wallCards(state) { if let k = c.cluster { members[k, default: []].append(c.id) } }
        let rank = Dictionary(uniqueKeysWithValues: ranked(state).map { ($0.cluster.id, ($0.dots, $0.rank)) })
        return state.clusters.map { c in
            ClusterView(id: c.id, name: c.name, cards: members[c.id] ?? [],
                        dots: dots ? rank[c.id]?.0 : nil, rank: dots ? rank[c.id]?.1 : nil, evidence: c.evidence,
                        practices: noteViews(state, c.id, "practice"), doubts: noteViews(state, c.id, "doubt"))
        }
    }

    static func views(_ state: State) -> Views {
        let s = state.settings
        let titles = Dictionary(state.records.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var duplicates: [String: Int] = [:]
        for c in visibleCards(state) { if let d = c.duplicateOf { duplicates[d, default: 0] += 1 } }
        let cards = wallCards(state).map { c in
            let dups = duplicates[c.id] ?? 0
            return CardView(id: c.id, q: c.question, text: c.text, by: c.authorName, need: c.need,
                            sources: c.sources.isEmpty ? nil : c.sources.map { SourceRef(id: $0, title: titles[$0] ?? $0) },
                            cluster: c.cluster, duplicates: dups > 0 ? dups : nil)
        }
        let record = draft(state)
        var v = Views()
        v.set("public", PublicView(
            title: s.title, kind: s.kind, questions: s.questions, anonymity: s.anonymity.rawValue, maxCards: s.maxCards,
            maxLength: s.maxLength, dots: s.dots, participantsCluster: s.participantsCluster, cards: cards,
            clusters: clusterViews(state, dots: state.revealed), voters: state.ballots.count, revealed: state.revealed,
            published: state.published, draft: state.phase == "vastleggen" || state.published > 0 ? record : nil))
        let hiddenCards = state.cards.filter(\.hidden).map { HiddenView(id: $0.id, kind: "card", text: $0.text) }
        let hiddenNotes = state.notes.filter(\.hidden).map { HiddenView(id: $0.id, kind: $0.kind, text: $0.text) }
        let totals = clusterViews(state, dots: true).sorted { ($0.rank ?? 0) < ($1.rank ?? 0) }
        v.set("facilitator", FacilitatorView(
            totals: totals, voters: state.ballots.count, dotsCast: state.ballots.values.reduce(0) { $0 + $1.dots.values.reduce(0, +) },
            hidden: hiddenCards + hiddenNotes,
            records: state.records.map { RecordRef(id: $0.id, title: $0.title, type: $0.type.rawValue, seeded: state.seeded.contains($0.id)) },
            published: state.published, publishedSeq: state.publishedSeq,
            draft: ["toetsen", "vastleggen"].contains(state.phase) || state.published > 0 ? record : nil))
        return v
    }

    static func mine(_ state: State, _ who: String) -> MyView {
        MyView(cards: state.cards.filter { $0.author == who }.map(\.id), dots: state.ballots[who]?.dots ?? [:],
               notes: state.notes.filter { $0.author == who }.map(\.id))
    }

    // MARK: the archetype

    /// The archetype-interventiebeschrijving as the session has it now. Deterministic: the same state gives the
    /// same record, so a replay's output equals the stored one and files no new version.
    static func draft(_ state: State) -> ArchetypeRecord {
        let s = state.settings
        let wall = wallCards(state)
        let visible = visibleCards(state)
        func texts(_ field: String) -> [String] {
            let qs = Set(s.questions.filter { $0.field == field }.map(\.id))
            return wall.filter { qs.contains($0.question) }.map(\.text)
        }
        var r = ArchetypeRecord(id: s.archetype, title: state.edits.title ?? s.title, kind: s.kind)
        r.summary = state.edits.summary
        r.problem = state.edits.problem
        let goals = texts("goals")
        r.goals = goals.isEmpty ? nil : goals
        let approach = texts("approach")
        r.approach = approach.isEmpty ? nil : approach.joined(separator: "\n")
        let effect = texts("intendedEffect")
        r.intendedEffect = effect.isEmpty ? nil : effect.joined(separator: "\n")
        let needQs = Set(s.questions.filter { $0.field == "needs" }.map(\.id))
        var needs = Needs()
        for kind in needKinds {
            let t = wall.filter { needQs.contains($0.question) && ($0.need ?? "people") == kind }.map(\.text)
            let joined = t.isEmpty ? nil : t.joined(separator: "\n")
            switch kind {
            case "people": needs.people = joined
            case "money": needs.money = joined
            case "partners": needs.partners = joined
            default: needs.time = joined
            }
        }
        r.needs = needs == Needs() ? nil : needs
        var ingredients: [ActiveIngredient] = []
        for (c, dots, rank) in ranked(state) {
            let inCluster = visible.filter { $0.cluster == c.id }
            var why: [String] = []
            let cardTexts = inCluster.filter { $0.duplicateOf == nil }.map(\.text)
            if !cardTexts.isEmpty { why.append(cardTexts.joined(separator: "; ")) }
            let practices = state.notes.filter { $0.cluster == c.id && $0.kind == "practice" && !$0.hidden }.map(\.text)
            if !practices.isEmpty { why.append("Praktijkvoorbeelden: " + practices.joined(separator: "; ")) }
            let doubts = state.notes.filter { $0.cluster == c.id && $0.kind == "doubt" && !$0.hidden }.map(\.text)
            if !doubts.isEmpty { why.append("Twijfels: " + doubts.joined(separator: "; ")) }
            let sources = Array(Set(inCluster.flatMap(\.sources))).sorted()
            ingredients.append(ActiveIngredient(id: "wb-\(rank)", statement: c.name, why: why.isEmpty ? nil : why.joined(separator: "\n"),
                                                sourceRecords: sources.isEmpty ? nil : sources, evidence: c.evidence, rank: rank, votes: dots))
        }
        r.activeIngredients = ingredients.isEmpty ? nil : ingredients
        // Archetypes link to the praktijk descriptions they generalise.
        let praktijk = Set(state.records.filter { $0.type == .praktijk }.map(\.id))
        let practiceIds = state.seeded.filter { praktijk.contains($0) }
        r.practices = practiceIds.isEmpty ? nil : practiceIds
        // Every card and counted vote the record came from; the hub fills in the session and activity.
        let clusterIds = Set(state.clusters.map(\.id))
        var seqs = Set(visible.map(\.seq))
        for b in state.ballots.values where b.dots.keys.contains(where: clusterIds.contains) { seqs.insert(b.seq) }
        r.provenance = [Provenance(session: "", seqs: seqs.sorted())]
        return r
    }
}
