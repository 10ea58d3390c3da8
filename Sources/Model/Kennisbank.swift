import Foundation

// The kennisbank and gereedschapskist records (DESIGN.md §4). Every field but the few required ones is
// optional or a list, so that JSON Lines exports are lossless and byte-stable (sorted keys, no nulls).

public enum InterventionType: String, Codable, Sendable, CaseIterable {
    /// One local practice, written by the professional.
    case praktijk
    /// Synthesised from several practices plus theory.
    case archetype
}

public enum PublicationState: String, Codable, Sendable, CaseIterable {
    case draft, published
}

/// Evidence level of a werkzaam bestanddeel after confrontation with research.
public enum EvidenceLevel: String, Codable, Sendable, CaseIterable {
    case bewezen, aannemelijk, onbekend, tegengesproken
}

public enum Scale: String, Codable, Sendable, CaseIterable {
    case complex, buurt, wijk
}

public struct Source: Codable, Sendable, Hashable {
    public var title: String
    public var url: String?

    public init(title: String, url: String? = nil) {
        self.title = title
        self.url = url
    }
}

public struct Evidence: Codable, Sendable, Hashable {
    public var level: EvidenceLevel
    public var explanation: String?
    public var sources: [Source]?

    public init(level: EvidenceLevel, explanation: String? = nil, sources: [Source]? = nil) {
        self.level = level
        self.explanation = explanation
        self.sources = sources
    }
}

/// A werkzaam bestanddeel: what makes the intervention work.
public struct ActiveIngredient: Codable, Sendable, Hashable {
    public var id: String
    public var statement: String
    public var why: String?
    /// The kennisbank records (ids) the cards behind it cite as their sources (stored as `practices`).
    public var sourceRecords: [String]?
    public var evidence: Evidence?
    /// Position in the session's ranking (1 = most essential), when it came from a session.
    public var rank: Int?
    public var votes: Int?

    enum CodingKeys: String, CodingKey {
        case id, statement, why, evidence, rank, votes
        case sourceRecords = "practices"
    }

    public init(id: String, statement: String, why: String? = nil, sourceRecords: [String]? = nil, evidence: Evidence? = nil, rank: Int? = nil, votes: Int? = nil) {
        self.id = id
        self.statement = statement
        self.why = why
        self.sourceRecords = sourceRecords
        self.evidence = evidence
        self.rank = rank
        self.votes = votes
    }
}

/// What an intervention needs: people, money, partners, time.
public struct Needs: Codable, Sendable, Hashable {
    public var people: String?
    public var money: String?
    public var partners: String?
    public var time: String?

    public init(people: String? = nil, money: String? = nil, partners: String? = nil, time: String? = nil) {
        self.people = people
        self.money = money
        self.partners = partners
        self.time = time
    }
}

/// The veranderingstheorie: activities → intermediate effects → final effects, with assumptions;
/// each link may name the werkzame bestanddelen that carry it.
public struct TheoryOfChange: Codable, Sendable, Hashable {
    public struct Link: Codable, Sendable, Hashable {
        public var from: String
        public var to: String
        public var ingredients: [String]?

        public init(from: String, to: String, ingredients: [String]? = nil) {
            self.from = from
            self.to = to
            self.ingredients = ingredients
        }
    }

    public var activities: [String]?
    public var intermediateEffects: [String]?
    public var finalEffects: [String]?
    public var assumptions: [String]?
    public var links: [Link]?

    public init(activities: [String]? = nil, intermediateEffects: [String]? = nil, finalEffects: [String]? = nil, assumptions: [String]? = nil, links: [Link]? = nil) {
        self.activities = activities
        self.intermediateEffects = intermediateEffects
        self.finalEffects = finalEffects
        self.assumptions = assumptions
        self.links = links
    }
}

/// Where a record came from: a session, an activity in it, and the events (seqs) it was made of.
public struct Provenance: Codable, Sendable, Hashable {
    public var session: String
    public var activity: String?
    public var seqs: [Int64]?

    public init(session: String, activity: String? = nil, seqs: [Int64]? = nil) {
        self.session = session
        self.activity = activity
        self.seqs = seqs
    }
}

/// An intervention description in the WWidW format.
public struct Intervention: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    /// Kind of intervention, e.g. `buurtbeheerbedrijven`, `klushuizen`.
    public var kind: String
    public var type: InterventionType
    public var state: PublicationState
    public var summary: String?
    /// Aanleiding / probleem.
    public var problem: String?
    public var goals: [String]?
    public var targetGroups: [String]?
    public var approach: String?
    public var steps: [String]?
    public var activeIngredients: [ActiveIngredient]?
    public var intendedEffect: String?
    /// Ids from the effectordening.
    public var effects: [String]?
    public var otherEffects: [String]?
    public var needs: Needs?
    public var scale: Scale?
    public var themes: [String]?
    public var partner: String?
    public var location: String?
    public var theoryOfChange: TheoryOfChange?
    /// For archetypes: the praktijk descriptions (ids) they generalise (stored as `practices`).
    public var generalisedPractices: [String]?
    public var provenance: [Provenance]?
    public var author: String?
    public var createdAt: Int64?
    public var updatedAt: Int64?
    /// Set by the store: creation is version 1.
    public var version: Int?

    enum CodingKeys: String, CodingKey {
        case id, title, kind, type, state, summary, problem, goals, targetGroups, approach, steps, activeIngredients, intendedEffect
        case effects, otherEffects, needs, scale, themes, partner, location, theoryOfChange, provenance, author, createdAt, updatedAt, version
        case generalisedPractices = "practices"
    }

    public init(id: String, title: String, kind: String, type: InterventionType, state: PublicationState) {
        self.id = id
        self.title = title
        self.kind = kind
        self.type = type
        self.state = state
    }
}

public enum MonitoringKind: String, Codable, Sendable, CaseIterable {
    /// Kosten: euros and hours.
    case kosten
    /// Directe resultaten: outputs with units and targets.
    case resultaat
    /// Maatschappelijk rendement: an outcome indicator, baseline and measured, optionally monetised.
    case rendement
}

/// One dated registration of the monitoring module.
public struct MonitoringEntry: Codable, Sendable, Hashable {
    public var id: String
    public var intervention: String
    /// `YYYY-MM-DD`.
    public var date: String
    public var kind: MonitoringKind
    public var label: String
    public var category: String?
    public var euros: Double?
    public var hours: Double?
    public var value: Double?
    public var unit: String?
    public var target: Double?
    public var baseline: Double?
    public var measured: Double?
    /// Share of the effect the intervention can claim, 0…1.
    public var attribution: Double?
    /// Share that would have happened anyway, 0…1.
    public var deadWeight: Double?
    /// Euros per unit of the indicator, where it is monetised.
    public var valuePerUnit: Double?
    public var note: String?

    public init(id: String, intervention: String, date: String, kind: MonitoringKind, label: String, category: String? = nil, euros: Double? = nil,
                hours: Double? = nil, value: Double? = nil, unit: String? = nil, target: Double? = nil, baseline: Double? = nil, measured: Double? = nil,
                attribution: Double? = nil, deadWeight: Double? = nil, valuePerUnit: Double? = nil, note: String? = nil) {
        self.id = id
        self.intervention = intervention
        self.date = date
        self.kind = kind
        self.label = label
        self.category = category
        self.euros = euros
        self.hours = hours
        self.value = value
        self.unit = unit
        self.target = target
        self.baseline = baseline
        self.measured = measured
        self.attribution = attribution
        self.deadWeight = deadWeight
        self.valuePerUnit = valuePerUnit
        self.note = note
    }
}

public enum ToolkitKind: String, Codable, Sendable, CaseIterable {
    case werkvorm, instrument, checklist, agenda, template, les, tip
}

/// A gereedschapskist item: a reusable tool or lesson.
public struct ToolkitItem: Codable, Sendable, Hashable {
    public var id: String
    public var kind: ToolkitKind
    public var title: String
    public var body: String
    public var audience: [String]?
    /// Belemmeringen it addresses: wet- en regelgeving, budget, cultuurverschillen, samenwerking, …
    public var barriers: [String]?
    public var themes: [String]?
    public var series: String?
    public var provenance: [Provenance]?
    public var attachments: [Source]?
    public var author: String?
    public var createdAt: Int64?
    public var updatedAt: Int64?
    public var version: Int?

    public init(id: String, kind: ToolkitKind, title: String, body: String) {
        self.id = id
        self.kind = kind
        self.title = title
        self.body = body
    }
}

/// One effect of the effectordening, the controlled vocabulary of effects, grouped by domain.
public struct Effect: Codable, Sendable, Hashable {
    public var id: String
    public var domain: String
    public var title: LocalizedText

    public init(id: String, domain: String, title: LocalizedText) {
        self.id = id
        self.domain = domain
        self.title = title
    }
}

/// One version of the effectordening: the whole vocabulary as it was after a change.
public struct Effectordening: Codable, Sendable, Hashable {
    public var version: Int
    public var effects: [Effect]

    public init(version: Int, effects: [Effect]) {
        self.version = version
        self.effects = effects
    }
}
