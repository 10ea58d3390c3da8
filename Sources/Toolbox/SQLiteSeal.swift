import Foundation
import GRDB
import Model

/// Closing a session (DESIGN.md §5; docs/DECISIONS.md "Sealing anonymous activities").
extension SQLiteStore {
    /// Sealed inputs live apart from `events`: without a `seq` (the session's order would put each one next to
    /// its author's join), without a rowid (the insertion order), in their sealed order `n`.
    static func registerSealing(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-sealed-inputs") { db in
            try db.execute(sql: """
                CREATE TABLE sealed_inputs (
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, activity TEXT NOT NULL, n INTEGER NOT NULL,
                    actor TEXT NOT NULL, role TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, at INTEGER NOT NULL,
                    PRIMARY KEY (session_id, activity, n)) WITHOUT ROWID
                """)
        }
    }

    public func seal(session: String, anonymous: [String: [String: String]], confidential: [String: [String]]) async throws {
        try await pool.write { db in
            for (activity, aliases) in anonymous {
                try Self.sealAnonymous(db, session: session, activity: activity, aliases: aliases)
            }
            for (activity, types) in confidential where !types.isEmpty {
                let marks = types.map { _ in "?" }.joined(separator: ",")
                try db.execute(sql: "UPDATE events SET payload = ? WHERE session_id = ? AND activity = ? AND type IN (\(marks))",
                               arguments: StatementArguments([Redaction.payloadText, session, activity] + types))
                try db.execute(sql: "UPDATE sealed_inputs SET payload = ? WHERE session_id = ? AND activity = ? AND type IN (\(marks))",
                               arguments: StatementArguments([Redaction.payloadText, session, activity] + types))
            }
            try Self.audit(db, actor: nil, action: "session.seal", target: session)
        }
        // The deleted rows' pages were overwritten (`secure_delete`); the checkpoint takes their old copies out of the WAL.
        try await scrub()
    }

    /// Moves the activity's participant inputs out of the log into `sealed_inputs`, under their pseudonyms, in
    /// the sealed order and with one coarse time, and deletes the activity's pseudonym key. Their idempotency
    /// ids are not copied. Sealing again moves only what is still in the log.
    static func sealAnonymous(_ db: Database, session: String, activity: String, aliases: [String: String]) throws {
        let scope: StatementArguments = [session, activity]
        let rows = try Row.fetchAll(db, sql: "SELECT seq, actor, type, payload, at FROM events WHERE session_id = ? AND activity = ? AND role = 'participant'",
                                    arguments: scope)
        var n = try Int.fetchOne(db, sql: "SELECT count(*) FROM sealed_inputs WHERE session_id = ? AND activity = ?", arguments: scope) ?? 0
        let at = AnonymousSeal.time(rows.map { $0["at"] as Int64 })
        let insert = try db.cachedStatement(sql: """
            INSERT INTO sealed_inputs (session_id, activity, n, actor, role, type, payload, at) VALUES (?, ?, ?, ?, 'participant', ?, ?, ?)
            """)
        for (row, actor) in AnonymousSeal.order(rows, participant: { $0["actor"] }, seq: { $0["seq"] }, aliases: aliases) {
            let type: String = row["type"]
            let payload: String = row["payload"]
            try insert.execute(arguments: [session, activity, n, actor, type, payload, at])
            n += 1
        }
        try db.execute(sql: "DELETE FROM events WHERE session_id = ? AND activity = ? AND role = 'participant'", arguments: scope)
        try db.execute(sql: "DELETE FROM activity_keys WHERE session_id = ? AND activity = ?", arguments: scope)
    }

    public func sealedInputs(session: String) async throws -> [SealedInput] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sealed_inputs WHERE session_id = ? ORDER BY activity, n", arguments: [session]).map { row in
                let payload: String = row["payload"]
                return SealedInput(activity: row["activity"], actor: row["actor"], type: row["type"], payload: JSONCoding.parse(payload) ?? .null, at: row["at"])
            }
        }
    }
}
