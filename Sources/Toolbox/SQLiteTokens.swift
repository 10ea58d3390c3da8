import Foundation
import GRDB

/// How long a facilitator's bearer token lives (docs/SECURITY.md, "Login and tokens"): it expires after
/// `idle` without use (sliding: every use extends it) and at the latest `maxAge` after the login.
public struct TokenLifetime: Sendable, Hashable {
    public var idle: Duration
    public var maxAge: Duration

    public init(idle: Duration = .seconds(12 * 3600), maxAge: Duration = .seconds(30 * 86_400)) {
        self.idle = idle
        self.maxAge = maxAge
    }

    public var idleMs: Int64 { Int64(idle / .milliseconds(1)) }
    public var maxAgeMs: Int64 { Int64(maxAge / .milliseconds(1)) }
    /// A use within this much of the last recorded one is not written down again: reads stay reads.
    public var touchEveryMs: Int64 { min(60_000, idleMs / 10) }
}

extension SQLiteStore {
    /// v8: when a token was last used, for the sliding expiry (rows from before count from their login).
    static func registerTokenUse(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-token-last-use") { db in
            try db.execute(sql: "ALTER TABLE tokens ADD COLUMN last_used_at INTEGER")
        }
    }

    public func facilitatorId(forTokenHash hash: String, at now: Int64, lifetime: TokenLifetime) async throws -> String? {
        // The closure returns Sendable values, so that this is GRDB's async read: a `Row` made it the blocking one,
        // which held a cooperative thread while waiting for a reader, and with every reader held by async reads
        // waiting for a cooperative thread to resume, the hub stopped (two cores: two such threads).
        let found: (id: String, used: Int64)? = try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT facilitator_id, COALESCE(last_used_at, created_at) AS used FROM tokens
                WHERE hash = ? AND revoked_at IS NULL AND created_at > ? AND COALESCE(last_used_at, created_at) > ?
                """, arguments: [hash, now - lifetime.maxAgeMs, now - lifetime.idleMs]).map { ($0["facilitator_id"], $0["used"]) }
        }
        guard let found else { return nil }
        if now - found.used >= lifetime.touchEveryMs {
            try await pool.write { db in try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE hash = ?", arguments: [now, hash]) }
        }
        return found.id
    }

    public func purgeTokens(at now: Int64, lifetime: TokenLifetime) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: """
                DELETE FROM tokens WHERE revoked_at IS NOT NULL OR created_at <= ? OR COALESCE(last_used_at, created_at) <= ?
                """, arguments: [now - lifetime.maxAgeMs, now - lifetime.idleMs])
            return db.changesCount
        }
    }
}
