import Foundation
import GRDB
import Model

/// The effectordening as a versioned, facilitator-editable vocabulary (DESIGN.md §4): the current effects
/// in `effects`, and every state it had in `effect_versions` (the whole list per version, so any version
/// reads back as it was and descriptions can be read against the vocabulary of their time).
extension SQLiteStore {
    public func effectordening(version: Int?) async throws -> Effectordening? {
        try await pool.read { db in
            let row: Row?
            if let version {
                row = try Row.fetchOne(db, sql: "SELECT version, data FROM effect_versions WHERE version = ?", arguments: [version])
            } else {
                row = try Row.fetchOne(db, sql: "SELECT version, data FROM effect_versions ORDER BY version DESC LIMIT 1")
            }
            return try row.map { Effectordening(version: $0["version"], effects: try JSONCoding.decode([Effect].self, from: $0["data"] as String)) }
        }
    }

    public func effectordeningVersions() async throws -> [VersionInfo] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT version, author, at FROM effect_versions ORDER BY version").map {
                VersionInfo(version: $0["version"], author: $0["author"], at: $0["at"])
            }
        }
    }

    public func saveEffect(_ effect: Effect, author: String?) async throws -> Effectordening {
        try await pool.write { db in
            let list = try Self.currentEffects(db)
            let before = list.first { $0.id == effect.id }
            if before == effect { return try Self.latest(db, list) }
            let saved = try Self.write(db, list.placing(effect), author: author)
            if let before, before.domain != effect.domain { try self.reindexDomains(db, effect: effect.id) }
            return saved
        }
    }

    public func removeEffect(_ id: String, author: String?) async throws -> Effectordening? {
        try await pool.write { db in
            var list = try Self.currentEffects(db)
            guard list.contains(where: { $0.id == id }) else { return nil }
            if let user = try String.fetchOne(db, sql: """
                SELECT t.id FROM intervention_facets f JOIN interventions t ON t.rid = f.rid WHERE f.facet = 'effect' AND f.value = ? ORDER BY t.id LIMIT 1
                """, arguments: [id]) {
                throw StoreError.duplicate(user)
            }
            list.removeAll { $0.id == id }
            return try Self.write(db, list, author: author)
        }
    }

    static func currentEffects(_ db: Database) throws -> [Effect] {
        try String.fetchAll(db, sql: "SELECT data FROM effects ORDER BY position").map { try JSONCoding.decode(Effect.self, from: $0) }
    }

    static func latest(_ db: Database, _ list: [Effect]) throws -> Effectordening {
        Effectordening(version: try Int.fetchOne(db, sql: "SELECT MAX(version) FROM effect_versions") ?? 1, effects: list)
    }

    /// The list becomes the current effectordening and its next version.
    static func write(_ db: Database, _ list: [Effect], author: String?) throws -> Effectordening {
        try db.execute(sql: "DELETE FROM effects")
        for (i, e) in list.enumerated() {
            try db.execute(sql: "INSERT INTO effects (id, domain, data, position) VALUES (?, ?, ?, ?)", arguments: [e.id, e.domain, JSONCoding.string(e), i])
        }
        let version = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM effect_versions") ?? 0) + 1
        try db.execute(sql: "INSERT INTO effect_versions (version, data, author, at) VALUES (?, ?, ?, ?)",
                       arguments: [version, JSONCoding.string(list), author, now()])
        return Effectordening(version: version, effects: list)
    }

    /// Descriptions naming a moved effect count under its new domain; their own versions do not change.
    func reindexDomains(_ db: Database, effect: String) throws {
        let domains = try Self.domains(db)
        for row in try Row.fetchAll(db, sql: """
            SELECT t.rid, t.data FROM interventions t WHERE t.rid IN (SELECT rid FROM intervention_facets WHERE facet = 'effect' AND value = ?)
            """, arguments: [effect]) {
            let record = try JSONCoding.decode(Intervention.self, from: row["data"] as String)
            try Self.interventions.replaceFacets(db, rid: row["rid"], Self.facets(record, domains: domains))
        }
    }
}

extension [Effect] {
    /// The effectordening with `effect` saved (both stores): in its place when its domain stays, else a new effect, or
    /// one that moves, at the end of its domain (or of the list, for a new domain).
    public func placing(_ effect: Effect) -> [Effect] {
        var list = self
        if let i = list.firstIndex(where: { $0.id == effect.id }), list[i].domain == effect.domain {
            list[i] = effect
            return list
        }
        list.removeAll { $0.id == effect.id }
        let end = list.lastIndex { $0.domain == effect.domain }.map { $0 + 1 } ?? list.count
        list.insert(effect, at: end)
        return list
    }
}
