import Foundation
import Model

/// A search over the kennisbank: full text (diacritics folded) plus facet filters. Drafts stay out
/// unless asked for (DESIGN.md §4).
public struct InterventionQuery: Sendable, Hashable {
    public var text: String?
    /// Facet name → accepted values (OR within a facet, AND across facets).
    public var filters: [String: [String]]
    public var includeDrafts: Bool
    /// Last changed within [since, until) (ms since the epoch), when set.
    public var changed: ChangedRange
    public var limit: Int
    public var offset: Int

    public init(text: String? = nil, filters: [String: [String]] = [:], includeDrafts: Bool = false, changed: ChangedRange = .init(),
                limit: Int = 20, offset: Int = 0) {
        self.text = text
        self.filters = filters
        self.includeDrafts = includeDrafts
        self.changed = changed
        self.limit = limit
        self.offset = offset
    }

    /// The facets one can filter and count by.
    public static let facets = ["kind", "type", "state", "scale", "theme", "effect", "domain", "targetGroup", "evidence", "partner"]
}

public struct FacetCount: Codable, Sendable, Hashable {
    public var value: String
    public var count: Int

    public init(value: String, count: Int) {
        self.value = value
        self.count = count
    }
}

public struct InterventionHit: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    public var kind: String
    public var type: InterventionType
    public var state: PublicationState
    public var summary: String?
    /// A snippet around the matched words, with the words between `[` and `]`.
    public var snippet: String?
}

public struct InterventionResults: Codable, Sendable, Hashable {
    public var total: Int
    public var hits: [InterventionHit]
    /// Facet → counts over every match (not just this page), most frequent first.
    public var facets: [String: [FacetCount]]
}

public struct VersionInfo: Codable, Sendable, Hashable {
    public var version: Int
    public var author: String?
    public var at: Int64
}

public struct ImportProblem: Codable, Sendable, Hashable, Error {
    public var line: Int
    public var id: String?
    public var message: String

    public init(line: Int, id: String?, message: String) {
        self.line = line
        self.id = id
        self.message = message
    }
}

/// What storing one record did to the index (SQLite's `FacetedIndex` and PostgreSQL's alike).
public enum IndexOutcome: Sendable { case created, updated, unchanged }

extension ImportSummary {
    public init(counting outcomes: [IndexOutcome]) {
        self.init(created: 0, updated: 0, unchanged: 0)
        for o in outcomes {
            switch o {
            case .created: created += 1
            case .updated: updated += 1
            case .unchanged: unchanged += 1
            }
        }
    }
}

public struct ImportSummary: Codable, Sendable, Hashable {
    public var created: Int
    public var updated: Int
    public var unchanged: Int

    public init(created: Int, updated: Int, unchanged: Int) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// A date filter on when a record last changed: `since` inclusive, `until` exclusive, ms since the epoch.
public struct ChangedRange: Sendable, Hashable {
    public var since: Int64?
    public var until: Int64?

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }
}

public struct ToolkitQuery: Sendable, Hashable {
    public var text: String?
    public var filters: [String: [String]]
    public var changed: ChangedRange
    public var limit: Int
    public var offset: Int

    public init(text: String? = nil, filters: [String: [String]] = [:], changed: ChangedRange = .init(), limit: Int = 20, offset: Int = 0) {
        self.text = text
        self.filters = filters
        self.changed = changed
        self.limit = limit
        self.offset = offset
    }

    public static let facets = ["kind", "barrier", "theme", "series", "audience"]
}

public struct ToolkitResults: Codable, Sendable, Hashable {
    public var total: Int
    public var hits: [ToolkitItem]
    public var facets: [String: [FacetCount]]
}

/// The kennisbank (intervention descriptions, their monitoring, the effectordening), behind a protocol like
/// the hub store (PostgreSQL can follow: its full-text search and GIN indexes cover what FTS5 does here).
/// The gereedschapskist is `ToolkitStore`; one SQLite file holds both (`SQLiteStore`).
public protocol KennisbankStore: Sendable {
    /// Creates version 1, or a new version when the content differs from the latest; unchanged content
    /// stores nothing. Returns the stored record with its version.
    func save(_ intervention: Intervention, author: String?) async throws -> Intervention
    func intervention(_ id: String, version: Int?) async throws -> Intervention?
    func versions(of id: String) async throws -> [VersionInfo]
    func search(_ query: InterventionQuery) async throws -> InterventionResults
    func allInterventions() async throws -> [Intervention]
    /// The descriptions whose version 1 this account wrote (drafts included): what a contributor owns.
    func interventionIds(firstAuthor: String) async throws -> [String]
    /// All or nothing: one bad record and nothing is imported.
    func importInterventions(_ records: [(line: Int, record: Intervention)], author: String?) async throws -> ImportSummary

    func saveMonitoring(_ entries: [MonitoringEntry]) async throws
    func monitoring(of intervention: String) async throws -> [MonitoringEntry]
    func monitoringEntry(_ id: String) async throws -> MonitoringEntry?
    /// True when the entry existed under this intervention and is gone now.
    func deleteMonitoring(_ id: String, of intervention: String) async throws -> Bool

    func effects() async throws -> [Effect]
    /// The effectordening as of a version (nil: the current one); every change makes a version.
    func effectordening(version: Int?) async throws -> Effectordening?
    func effectordeningVersions() async throws -> [VersionInfo]
    /// Adds the effect (at the end of its domain) or changes its domain or title; returns the new version
    /// (the same one when nothing changed). Descriptions that name it are re-indexed under its domain.
    func saveEffect(_ effect: Effect, author: String?) async throws -> Effectordening
    /// Removes an effect no description names; `StoreError.duplicate` names one that still does.
    func removeEffect(_ id: String, author: String?) async throws -> Effectordening?
}

/// The gereedschapskist (toolkit): reusable tools for participants, colleagues and directors, versioned like
/// the kennisbank's descriptions.
public protocol ToolkitStore: Sendable {
    func save(_ item: ToolkitItem, author: String?) async throws -> ToolkitItem
    func toolkitItem(_ id: String) async throws -> ToolkitItem?
    func searchToolkit(_ query: ToolkitQuery) async throws -> ToolkitResults
    func allToolkitItems() async throws -> [ToolkitItem]
    /// All or nothing: one bad record and nothing is imported.
    func importToolkit(_ records: [(line: Int, record: ToolkitItem)], author: String?) async throws -> ImportSummary
}
