import Foundation
import GRDB
import Model

extension SQLiteStore: KennisbankStore, ToolkitStore {
    static let interventions = FacetedIndex(table: "interventions", versions: "intervention_versions", facets: "intervention_facets", fts: "interventions_fts")
    static let toolkit = FacetedIndex(table: "toolkit_items", versions: "toolkit_versions", facets: "toolkit_facets", fts: "toolkit_fts")

    static func registerKennisbank(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-kennisbank") { db in
            try FacetedIndex.migrate(db, table: "interventions", versions: "intervention_versions", facets: "intervention_facets", fts: "interventions_fts")
            try FacetedIndex.migrate(db, table: "toolkit_items", versions: "toolkit_versions", facets: "toolkit_facets", fts: "toolkit_fts")
            try db.execute(sql: """
                CREATE TABLE monitoring_entries (id TEXT PRIMARY KEY, intervention TEXT NOT NULL, date TEXT NOT NULL, data TEXT NOT NULL);
                CREATE INDEX monitoring_by_intervention ON monitoring_entries(intervention, date);
                CREATE TABLE effects (id TEXT PRIMARY KEY, domain TEXT NOT NULL, data TEXT NOT NULL, position INTEGER NOT NULL);
                """)
            // The starting effectordening ships with the hub; facilitators edit it from here on.
            for (i, e) in (Self.shippedEffects()).enumerated() {
                try db.execute(sql: "INSERT INTO effects (id, domain, data, position) VALUES (?, ?, ?, ?)", arguments: [e.id, e.domain, JSONCoding.string(e), i])
            }
        }
    }

    /// The migrations after the kennisbank's first, in order: filed plugin outputs, contributors, integer search keys,
    /// versions of the effectordening.
    static func registerUpgrades(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-filed-outputs") { db in
            try db.execute(sql: "ALTER TABLE outputs ADD COLUMN filed TEXT")
        }
        m.registerMigration("v4-contributors") { db in
            try db.execute(sql: """
                CREATE TABLE contributors (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, organisation TEXT, invited_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL, revoked_at INTEGER, token_hash TEXT NOT NULL UNIQUE);
                """)
        }
        m.registerMigration("v5-search-integer-keys") { db in
            for index in [interventions, toolkit] {
                try FacetedIndex.migrateToIntegerKeys(db, table: index.table, facets: index.facets, fts: index.fts)
            }
        }
        m.registerMigration("v6-effectordening-versions") { db in
            try db.execute(sql: "CREATE TABLE effect_versions (version INTEGER PRIMARY KEY, data TEXT NOT NULL, author TEXT, at INTEGER NOT NULL)")
            let current = try String.fetchAll(db, sql: "SELECT data FROM effects ORDER BY position")
            try db.execute(sql: "INSERT INTO effect_versions (version, data, author, at) VALUES (1, ?, NULL, ?)",
                           arguments: ["[" + current.joined(separator: ",") + "]", now()])
        }
    }

    static func shippedEffects() -> [Effect] { KennisbankIndexing.shippedEffects() }

    // MARK: interventions

    static func content(_ i: Intervention) throws -> String { try KennisbankIndexing.content(i) }

    static func facets(_ i: Intervention, domains: [String: String]) -> [FacetedIndex.FacetValue] {
        KennisbankIndexing.facets(i, domains: domains).map { FacetedIndex.FacetValue(facet: $0.facet, value: $0.value) }
    }

    static func searchText(_ i: Intervention) -> String { KennisbankIndexing.searchText(i) }

    /// Effect id → its domain in the current effectordening.
    static func domains(_ db: Database) throws -> [String: String] {
        var d: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, domain FROM effects") { d[row["id"]] = row["domain"] }
        return d
    }

    func put(_ db: Database, _ record: Intervention, author: String?, keepBookkeeping: Bool,
                     domains: [String: String]? = nil) throws -> (FacetedIndex.Outcome, Intervention) {
        let now = Self.now()
        var stored = record
        let existing = try String.fetchOne(db, sql: "SELECT data FROM interventions WHERE id = ?", arguments: [record.id])
            .flatMap { try? JSONCoding.decode(Intervention.self, from: $0) }
        let (outcome, _) = try Self.interventions.put(
            db, id: record.id, title: record.title, content: { try Self.content(record) },
            contentOf: { try (try? JSONCoding.decode(Intervention.self, from: $0)).map(Self.content) ?? "" },
            encode: { version in
                stored.version = version
                if !(keepBookkeeping && existing == nil) {
                    stored.createdAt = existing?.createdAt ?? record.createdAt ?? now
                    stored.updatedAt = now
                    stored.author = author ?? record.author ?? existing?.author
                } else {
                    stored.createdAt = record.createdAt ?? now
                    stored.updatedAt = record.updatedAt ?? stored.createdAt
                }
                return (try JSONCoding.string(stored), stored.updatedAt)
            },
            version: keepBookkeeping ? record.version : nil, searchable: record.state == .published,
            facets: Self.facets(record, domains: try domains ?? Self.domains(db)), searchText: Self.searchText(record), author: author ?? record.author, at: now)
        if outcome == .unchanged { return (outcome, existing ?? record) }
        return (outcome, stored)
    }

    public func save(_ intervention: Intervention, author: String?) async throws -> Intervention {
        try await pool.write { db in try self.put(db, intervention, author: author, keepBookkeeping: false).1 }
    }

    public func intervention(_ id: String, version: Int?) async throws -> Intervention? {
        try await pool.read { db in
            let data: String?
            if let version {
                data = try String.fetchOne(db, sql: "SELECT data FROM intervention_versions WHERE id = ? AND version = ?", arguments: [id, version])
            } else {
                data = try String.fetchOne(db, sql: "SELECT data FROM interventions WHERE id = ?", arguments: [id])
            }
            return try data.map { try JSONCoding.decode(Intervention.self, from: $0) }
        }
    }

    public func versions(of id: String) async throws -> [VersionInfo] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT version, author, at FROM intervention_versions WHERE id = ? ORDER BY version", arguments: [id]).map {
                VersionInfo(version: $0["version"], author: $0["author"], at: $0["at"])
            }
        }
    }

    public func search(_ query: InterventionQuery) async throws -> InterventionResults {
        try await pool.read { db in
            let page = try Self.interventions.search(db, text: query.text, filters: query.filters, changed: query.changed, onlySearchable: !query.includeDrafts,
                                                     limit: query.limit, offset: query.offset, columns: """
                t.id, t.title, json_extract(t.data, '$.kind') AS kind, json_extract(t.data, '$.type') AS type,
                json_extract(t.data, '$.state') AS state, json_extract(t.data, '$.summary') AS summary
                """)
            let hits = page.rows.map { row in
                InterventionHit(id: row["id"], title: row["title"], kind: row["kind"], type: InterventionType(rawValue: row["type"]) ?? .praktijk,
                                state: PublicationState(rawValue: row["state"]) ?? .draft, summary: row["summary"], snippet: row["snippet"])
            }
            return InterventionResults(total: page.total, hits: hits, facets: page.facets)
        }
    }

    public func allInterventions() async throws -> [Intervention] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM interventions ORDER BY id").map { try JSONCoding.decode(Intervention.self, from: $0) }
        }
    }

    public func interventionIds(firstAuthor: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM intervention_versions WHERE version = 1 AND author = ? ORDER BY at, id", arguments: [firstAuthor])
        }
    }

    public func importInterventions(_ records: [(line: Int, record: Intervention)], author: String?) async throws -> ImportSummary {
        try await pool.write { db in
            let domains = try Self.domains(db)
            return try Self.count(records.map { try self.put(db, $0.record, author: author, keepBookkeeping: true, domains: domains).0 })
        }
    }

    /// One transaction per import: a failure anywhere rolls every record back.
    static func count(_ outcomes: [FacetedIndex.Outcome]) -> ImportSummary { ImportSummary(counting: outcomes) }

    // MARK: monitoring

    public func saveMonitoring(_ entries: [MonitoringEntry]) async throws {
        try await pool.write { db in
            for e in entries {
                try db.execute(sql: "INSERT OR REPLACE INTO monitoring_entries (id, intervention, date, data) VALUES (?, ?, ?, ?)",
                               arguments: [e.id, e.intervention, e.date, JSONCoding.string(e)])
            }
        }
    }

    public func monitoring(of intervention: String) async throws -> [MonitoringEntry] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM monitoring_entries WHERE intervention = ? ORDER BY date, id", arguments: [intervention])
                .map { try JSONCoding.decode(MonitoringEntry.self, from: $0) }
        }
    }

    public func monitoringEntry(_ id: String) async throws -> MonitoringEntry? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT data FROM monitoring_entries WHERE id = ?", arguments: [id]).map { try JSONCoding.decode(MonitoringEntry.self, from: $0) }
        }
    }

    public func deleteMonitoring(_ id: String, of intervention: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM monitoring_entries WHERE id = ? AND intervention = ?", arguments: [id, intervention])
            return db.changesCount > 0
        }
    }

    // MARK: gereedschapskist

    static func content(_ t: ToolkitItem) throws -> String { try KennisbankIndexing.content(t) }

    func put(_ db: Database, _ item: ToolkitItem, author: String?, keepBookkeeping: Bool) throws -> (FacetedIndex.Outcome, ToolkitItem) {
        let now = Self.now()
        var stored = item
        let existing = try String.fetchOne(db, sql: "SELECT data FROM toolkit_items WHERE id = ?", arguments: [item.id])
            .flatMap { try? JSONCoding.decode(ToolkitItem.self, from: $0) }
        let facets = KennisbankIndexing.facets(item).map { FacetedIndex.FacetValue(facet: $0.facet, value: $0.value) }
        let (outcome, _) = try Self.toolkit.put(
            db, id: item.id, title: item.title, content: { try Self.content(item) },
            contentOf: { try (try? JSONCoding.decode(ToolkitItem.self, from: $0)).map(Self.content) ?? "" },
            encode: { version in
                stored.version = version
                if keepBookkeeping && existing == nil {
                    stored.createdAt = item.createdAt ?? now
                    stored.updatedAt = item.updatedAt ?? stored.createdAt
                } else {
                    stored.createdAt = existing?.createdAt ?? item.createdAt ?? now
                    stored.updatedAt = now
                    stored.author = author ?? item.author ?? existing?.author
                }
                return (try JSONCoding.string(stored), stored.updatedAt)
            },
            version: keepBookkeeping ? item.version : nil, searchable: true, facets: facets,
            searchText: KennisbankIndexing.searchText(item),
            author: author ?? item.author, at: now)
        return (outcome, outcome == .unchanged ? (existing ?? item) : stored)
    }

    public func save(_ item: ToolkitItem, author: String?) async throws -> ToolkitItem {
        try await pool.write { db in try self.put(db, item, author: author, keepBookkeeping: false).1 }
    }

    public func toolkitItem(_ id: String) async throws -> ToolkitItem? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT data FROM toolkit_items WHERE id = ?", arguments: [id]).map { try JSONCoding.decode(ToolkitItem.self, from: $0) }
        }
    }

    public func searchToolkit(_ query: ToolkitQuery) async throws -> ToolkitResults {
        try await pool.read { db in
            let page = try Self.toolkit.search(db, text: query.text, filters: query.filters, changed: query.changed, onlySearchable: true,
                                               limit: query.limit, offset: query.offset)
            return ToolkitResults(total: page.total, hits: try page.rows.map { try JSONCoding.decode(ToolkitItem.self, from: $0["data"] as String) }, facets: page.facets)
        }
    }

    public func allToolkitItems() async throws -> [ToolkitItem] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM toolkit_items ORDER BY id").map { try JSONCoding.decode(ToolkitItem.self, from: $0) }
        }
    }

    public func importToolkit(_ records: [(line: Int, record: ToolkitItem)], author: String?) async throws -> ImportSummary {
        try await pool.write { db in try Self.count(records.map { try self.put(db, $0.record, author: author, keepBookkeeping: true).0 }) }
    }

    public func effects() async throws -> [Effect] {
        try await pool.read { db in try Self.currentEffects(db) }
    }
}
