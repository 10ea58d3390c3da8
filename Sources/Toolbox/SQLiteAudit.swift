import Foundation
import GRDB

/// One line of the audit log: who (a facilitator id, or none for the operator's `hubctl` on the database
/// and for the hub itself) did what to which target, and when (docs/PRIVACY.md, "The audit log").
public struct AuditEntry: Codable, Sendable, Hashable {
    public var id: Int64
    public var at: Int64
    public var actor: String?
    /// The actor's e-mail while the facilitator exists; not stored in the log itself.
    public var actorEmail: String?
    public var action: String
    public var target: String?
    public var detail: String?

    public init(id: Int64, at: Int64, actor: String?, actorEmail: String?, action: String, target: String?, detail: String?) {
        self.id = id
        self.at = at
        self.actor = actor
        self.actorEmail = actorEmail
        self.action = action
        self.target = target
        self.detail = detail
    }
}

/// What `hubctl audit` and `GET /api/v1/audit` ask for.
public struct AuditQuery: Sendable {
    public var since: Int64?
    public var action: String?
    public var limit: Int

    public init(since: Int64? = nil, action: String? = nil, limit: Int = 1000) {
        self.since = since
        self.action = action
        self.limit = limit
    }
}

/// The audit log is append-only: the store has no path that changes a row, and the database refuses an
/// UPDATE outright. The only DELETE is the retention (`--audit-retention-days`), which removes whole rows
/// older than its limit; the database refuses to delete a row younger than a day. One documented exception:
/// a facilitator's erasure blanks their e-mail where entries hold it (SQLitePersonalData.swift).
extension SQLiteStore {
    static func registerAudit(_ m: inout DatabaseMigrator) {
        m.registerMigration("v9-audit-target") { db in
            try db.execute(sql: """
                ALTER TABLE audit ADD COLUMN target TEXT;
                CREATE INDEX audit_at ON audit(at);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_no_early_delete BEFORE DELETE ON audit
                WHEN old.at > CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 86400000
                BEGIN SELECT RAISE(ABORT, 'audit entries are kept at least a day'); END;
                """)
        }
    }

    public func audit(actor: String?, action: String, target: String?, detail: String?) async throws {
        try await pool.write { db in try Self.audit(db, actor: actor, action: action, target: target, detail: detail) }
    }

    /// The same, inside a transaction that writes what it records.
    static func audit(_ db: Database, actor: String?, action: String, target: String?, detail: String? = nil) throws {
        try db.execute(sql: "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [now(), actor, action, target, detail])
    }

    public func auditEntries(_ q: AuditQuery) async throws -> [AuditEntry] {
        try await pool.read { db in
            var sql = "SELECT a.*, f.email AS actor_email FROM audit a LEFT JOIN facilitators f ON f.id = a.actor WHERE 1"
            var args: StatementArguments = []
            if let since = q.since { sql += " AND a.at >= ?"; args += [since] }
            if let action = q.action { sql += " AND a.action = ?"; args += [action] }
            sql += " ORDER BY a.id DESC LIMIT ?"
            args += [q.limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).reversed().map { row in
                AuditEntry(id: row["id"], at: row["at"], actor: row["actor"], actorEmail: row["actor_email"], action: row["action"],
                           target: row["target"], detail: row["detail"])
            }
        }
    }

    public func purgeAudit(before: Int64) async throws -> Int {
        let removed = try await pool.write { db in
            try db.execute(sql: "DELETE FROM audit WHERE at < ?", arguments: [before])
            return db.changesCount
        }
        if removed > 0 {
            try await scrub()
        }
        return removed
    }
}
