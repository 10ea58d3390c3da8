import Foundation
import GRDB
import Model

/// A person's data in the SQLite store (docs/PRIVACY.md "Answering a request"). Every erasure and deletion
/// overwrites the old bytes: `secure_delete` zeroes freed cells and pages, and a WAL checkpoint (TRUNCATE,
/// `scrub`) takes the old page images out of the WAL.
extension SQLiteStore: PersonalDataStore {
    public func participants(named name: String) async throws -> [ParticipantMatch] {
        let wanted = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !wanted.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.session_id, s.code, s.title, s.status, json_extract(e.payload, '$.participant') AS participant,
                       json_extract(e.payload, '$.name') AS name
                FROM events e JOIN sessions s ON s.id = e.session_id
                WHERE e.kind = 'join' AND trim(json_extract(e.payload, '$.name')) = ? COLLATE NOCASE
                ORDER BY s.created_at, e.seq
                """, arguments: [wanted]).compactMap { row in
                guard let participant: String = row["participant"] else { return nil }
                return ParticipantMatch(session: row["session_id"], code: row["code"], title: row["title"],
                                        status: SessionStatus(rawValue: row["status"]) ?? .draft, participant: participant, name: row["name"])
            }
        }
    }

    public func eraseParticipant(session: String, participant: String, anonymous: Set<String>, views: [StoredView], actor: String?) async throws -> Int {
        let blanked = try await pool.write { db -> Int in
            let events = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE session_id = ? AND (actor = ? OR kind = 'join') ORDER BY seq",
                                          arguments: [session, participant]).map(Self.event)
            guard ParticipantErasure.joined(events, participant: participant) else { throw StoreError.notFound(participant) }
            var n = 0
            for e in events {
                guard let erased = ParticipantErasure.blank(e, participant: participant, anonymous: anonymous) else { continue }
                try db.execute(sql: "UPDATE events SET payload = ? WHERE session_id = ? AND seq = ?",
                               arguments: [JSONCoding.string(erased.payload), session, e.seq])
                n += 1
            }
            try db.execute(sql: "DELETE FROM views WHERE session_id = ?", arguments: [session])
            for v in views {
                try db.execute(sql: "INSERT INTO views (session_id, activity, audience, seq, view) VALUES (?, ?, ?, ?, ?)",
                               arguments: [session, v.activity, v.audience, v.seq, JSONCoding.string(v.view)])
            }
            try Self.audit(db, actor: actor, action: "participant.erase", target: "\(session)/\(participant)", detail: "\(n) events")
            return n
        }
        try await scrub()
        return blanked
    }

    // MARK: facilitators and contributors

    public func facilitatorData(email: String) async throws -> FacilitatorData? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM facilitators WHERE email = ?", arguments: [email]) else { return nil }
            let f = Self.facilitator(row)
            let account: [String: JSONValue] = ["id": .string(f.id), "email": .string(f.email), "name": .string(f.name),
                                                "role": .string(f.role.rawValue), "createdAt": .int(f.createdAt)]
            let sessions = try Row.fetchAll(db, sql: "SELECT id, code, title, date, status, created_at FROM sessions WHERE created_by = ? ORDER BY created_at",
                                            arguments: [f.id]).map { r -> [String: JSONValue] in
                ["id": .string(r["id"]), "code": .string(r["code"]), "title": .string(r["title"]),
                 "date": (r["date"] as String?).map(JSONValue.string) ?? .null, "status": .string(r["status"]), "createdAt": .int(r["created_at"])]
            }
            let audit = try Row.fetchAll(db, sql: """
                SELECT * FROM audit WHERE actor = ? OR target = ? COLLATE NOCASE OR detail = ? COLLATE NOCASE OR target = ? ORDER BY id
                """, arguments: [f.id, f.email, f.email, f.id]).map { r in
                AuditEntry(id: r["id"], at: r["at"], actor: r["actor"], actorEmail: (r["actor"] as String?) == f.id ? f.email : nil, action: r["action"],
                           target: r["target"], detail: r["detail"])
            }
            return FacilitatorData(account: account, sessions: sessions, audit: audit)
        }
    }

    /// The audit log's triggers refuse every UPDATE (SQLiteAudit.swift). A data-protection erasure is the one
    /// documented exception (docs/PRIVACY.md "The audit log"): in the erasing transaction the trigger is dropped,
    /// the e-mail blanked where an entry holds it, and the trigger created again, so no other write sees it gone.
    public func eraseFacilitator(email: String, actor: String?) async throws -> Bool {
        let erased = try await pool.write { db -> Bool in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, email FROM facilitators WHERE email = ?", arguments: [email]) else { return false }
            let id: String = row["id"]
            let stored: String = row["email"]
            try db.execute(sql: "DELETE FROM facilitators WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM tokens WHERE facilitator_id = ?", arguments: [id])
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: "UPDATE audit SET target = NULL WHERE target = ? COLLATE NOCASE", arguments: [stored])
            try db.execute(sql: "UPDATE audit SET detail = NULL WHERE detail = ? COLLATE NOCASE", arguments: [stored])
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
            try Self.audit(db, actor: actor, action: "facilitator.erase", target: id)
            return true
        }
        if erased { try await scrub() }
        return erased
    }

    public func eraseContributor(_ idOrEmail: String, actor: String?) async throws -> ContributorRecord? {
        let gone = try await pool.write { db -> ContributorRecord? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM contributors WHERE id = ? OR email = ? COLLATE NOCASE LIMIT 1",
                                             arguments: [idOrEmail, idOrEmail]) else { return nil }
            let c = Self.contributor(row)
            try db.execute(sql: "DELETE FROM contributors WHERE id = ?", arguments: [c.id])
            try Self.audit(db, actor: actor, action: "contributor.erase", target: c.id)
            return c
        }
        if gone != nil { try await scrub() }
        return gone
    }

    // MARK: kennisbank and gereedschapskist records

    public func deleteIntervention(_ id: String, actor: String?) async throws -> Bool {
        let deleted = try await pool.write { db -> Bool in
            guard try Self.interventions.delete(db, id: id) else { return false }
            try db.execute(sql: "DELETE FROM monitoring_entries WHERE intervention = ?", arguments: [id])
            try Self.audit(db, actor: actor, action: "kennisbank.delete", target: id)
            return true
        }
        if deleted { try await scrub() }
        return deleted
    }

    public func deleteToolkitItem(_ id: String, actor: String?) async throws -> Bool {
        let deleted = try await pool.write { db -> Bool in
            guard try Self.toolkit.delete(db, id: id) else { return false }
            try Self.audit(db, actor: actor, action: "toolkit.delete", target: id)
            return true
        }
        if deleted { try await scrub() }
        return deleted
    }
}

extension FacetedIndex {
    /// Deletes a record with every version, its facets and its search row, and merges the search index
    /// (`optimize`) so that the deleted words leave its segments too, not only its content table.
    func delete(_ db: Database, id: String) throws -> Bool {
        guard let rid = try Int64.fetchOne(db, sql: "SELECT rid FROM \(table) WHERE id = ?", arguments: [id]) else { return false }
        try db.execute(sql: "DELETE FROM \(fts) WHERE rowid = ?", arguments: [rid])
        try db.execute(sql: "DELETE FROM \(facets) WHERE rid = ?", arguments: [rid])
        try db.execute(sql: "DELETE FROM \(versions) WHERE id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM \(table) WHERE rid = ?", arguments: [rid])
        try db.execute(sql: "INSERT INTO \(fts)(\(fts)) VALUES('optimize')")
        return true
    }
}
