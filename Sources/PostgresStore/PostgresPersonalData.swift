import Foundation
import Logging
import Model
import PostgresNIO
import Toolbox

/// A person's data on PostgreSQL (as SQLitePersonalData.swift; docs/PRIVACY.md "Answering a request"). Every erasure
/// and deletion is followed by `scrub` (VACUUM); the WAL and backups keep the old rows until they rotate.
extension PostgresStore: PersonalDataStore {
    public func participants(named name: String) async throws -> [ParticipantMatch] {
        let wanted = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !wanted.isEmpty else { return [] }
        // SQLite's trim() and COLLATE NOCASE: surrounding spaces, and ASCII letters in any case. The CASE keeps PostgreSQL
        // from casting other events' payloads, whose text may hold an escaped NUL that `jsonb` refuses.
        return try await rows("""
            SELECT e.session_id, s.code, s.title, s.status, (e.payload::jsonb)->>'participant', (e.payload::jsonb)->>'name'
            FROM events e JOIN sessions s ON s.id = e.session_id
            WHERE e.kind = 'join' AND lower(btrim(CASE WHEN e.kind = 'join' THEN (e.payload::jsonb)->>'name' END, ' ')) = lower(\(wanted))
            ORDER BY s.created_at, e.seq
            """).compactMap { row in
            let (session, code, title, status, participant, name) = try row.decode((String, String, String, String, String?, String?).self)
            guard let participant else { return nil }
            return ParticipantMatch.make(session: session, code: code, title: title, status: SessionStatus(rawValue: status) ?? .draft,
                                    participant: participant, name: name ?? "")
        }
    }

    public func eraseParticipant(session: String, participant: String, anonymous: Set<String>, views: [StoredView], actor: String?) async throws -> Int {
        let viewTexts = try views.map { try JSONCoding.string($0.view) }
        let blanked = try await transaction { db -> Int in
            let events = try await db.rows("""
                SELECT seq, kind, activity, actor, role, type, payload, client_id, at FROM events
                WHERE session_id = \(session) AND (actor = \(participant) OR kind = 'join') ORDER BY seq FOR UPDATE
                """, logger: self.logger).map { row -> LoggedEvent in
                let (seq, kind, activity, actor, role, type, payload, client, at) =
                    try row.decode((Int64, String, String?, String, String, String, String, String?, Int64).self)
                return LoggedEvent(seq: seq, kind: EventKind(rawValue: kind) ?? .input, activity: activity, actor: actor,
                                   role: ConnectionRole(rawValue: role) ?? .participant, type: type, payload: JSONCoding.parse(payload) ?? .null,
                                   clientId: client, at: at)
            }
            guard ParticipantErasure.joined(events, participant: participant) else { throw StoreError.notFound(participant) }
            var n = 0
            for e in events {
                guard let erased = ParticipantErasure.blank(e, participant: participant, anonymous: anonymous) else { continue }
                try await db.rows("UPDATE events SET payload = \(try JSONCoding.string(erased.payload)) WHERE session_id = \(session) AND seq = \(e.seq)",
                                  logger: self.logger)
                n += 1
            }
            try await db.rows("DELETE FROM views WHERE session_id = \(session)", logger: self.logger)
            for (v, text) in zip(views, viewTexts) {
                try await db.rows("""
                    INSERT INTO views (session_id, activity, audience, seq, view) VALUES (\(session), \(v.activity), \(v.audience), \(v.seq), \(text))
                    """, logger: self.logger)
            }
            try await Self.audit(db, logger: self.logger, actor: actor, action: "participant.erase", target: "\(session)/\(participant)", detail: "\(n) events")
            return n
        }
        try await scrub()
        return blanked
    }

    public func facilitatorData(email: String) async throws -> FacilitatorData? {
        guard let f = try await facilitator(email: email) else { return nil }
        let account: [String: JSONValue] = ["id": .string(f.id), "email": .string(f.email), "name": .string(f.name),
                                            "role": .string(f.role.rawValue), "createdAt": .int(f.createdAt)]
        let sessions = try await rows("""
            SELECT id, code, title, date, status, created_at FROM sessions WHERE created_by = \(f.id) ORDER BY created_at
            """).map { row -> [String: JSONValue] in
            let (id, code, title, date, status, created) = try row.decode((String, String, String, String?, String, Int64).self)
            return ["id": .string(id), "code": .string(code), "title": .string(title), "date": date.map(JSONValue.string) ?? .null,
                    "status": .string(status), "createdAt": .int(created)]
        }
        let audit = try await rows("""
            SELECT id, at, actor, action, target, detail FROM audit
            WHERE actor = \(f.id) OR lower(target) = lower(\(f.email)) OR lower(detail) = lower(\(f.email)) OR target = \(f.id) ORDER BY id
            """).map { row in
            let (id, at, actor, action, target, detail) = try row.decode((Int64, Int64, String?, String, String?, String?).self)
            return AuditEntry(id: id, at: at, actor: actor, actorEmail: actor == f.id ? f.email : nil, action: action, target: target, detail: detail)
        }
        return FacilitatorData.make(account: account, sessions: sessions, audit: audit)
    }

    /// The audit log's trigger refuses every UPDATE (migration v1-hub). A data-protection erasure is the one documented
    /// exception (docs/PRIVACY.md "The audit log"): in the erasing transaction the trigger is disabled for the blanking
    /// and enabled again (ALTER TABLE takes a lock that keeps every other write to the audit log out meanwhile).
    public func eraseFacilitator(email: String, actor: String?) async throws -> Bool {
        let erased = try await transaction { db -> Bool in
            guard let row = try await db.rows("SELECT id, email FROM facilitators WHERE lower(email) = lower(\(email))", logger: self.logger).first else {
                return false
            }
            let (id, stored) = try row.decode((String, String).self)
            try await db.rows("DELETE FROM facilitators WHERE id = \(id)", logger: self.logger)
            try await db.rows("DELETE FROM tokens WHERE facilitator_id = \(id)", logger: self.logger)
            try await db.rows("ALTER TABLE audit DISABLE TRIGGER audit_append_only", logger: self.logger)
            try await db.rows("UPDATE audit SET target = NULL WHERE lower(target) = lower(\(stored))", logger: self.logger)
            try await db.rows("UPDATE audit SET detail = NULL WHERE lower(detail) = lower(\(stored))", logger: self.logger)
            try await db.rows("ALTER TABLE audit ENABLE TRIGGER audit_append_only", logger: self.logger)
            try await Self.audit(db, logger: self.logger, actor: actor, action: "facilitator.erase", target: id, detail: nil)
            return true
        }
        if erased { try await scrub() }
        return erased
    }

    public func eraseContributor(_ idOrEmail: String, actor: String?) async throws -> ContributorRecord? {
        let gone = try await transaction { db -> ContributorRecord? in
            guard let row = try await db.rows("""
                SELECT id, name, email, organisation, invited_by, created_at, revoked_at FROM contributors
                WHERE id = \(idOrEmail) OR lower(email) = lower(\(idOrEmail)) ORDER BY id = \(idOrEmail) DESC LIMIT 1
                """, logger: self.logger).first else { return nil }
            let c = try Self.contributor(row)
            try await db.rows("DELETE FROM contributors WHERE id = \(c.id)", logger: self.logger)
            try await Self.audit(db, logger: self.logger, actor: actor, action: "contributor.erase", target: c.id, detail: nil)
            return c
        }
        if gone != nil { try await scrub() }
        return gone
    }

    public func deleteIntervention(_ id: String, actor: String?) async throws -> Bool {
        let deleted = try await transaction { db -> Bool in
            guard try await PostgresFacetedIndex.interventions.delete(db, logger: self.logger, id: id) else { return false }
            try await db.rows("DELETE FROM monitoring_entries WHERE intervention = \(id)", logger: self.logger)
            try await Self.audit(db, logger: self.logger, actor: actor, action: "kennisbank.delete", target: id, detail: nil)
            return true
        }
        if deleted { try await scrub() }
        return deleted
    }

    public func deleteToolkitItem(_ id: String, actor: String?) async throws -> Bool {
        let deleted = try await transaction { db -> Bool in
            guard try await PostgresFacetedIndex.toolkit.delete(db, logger: self.logger, id: id) else { return false }
            try await Self.audit(db, logger: self.logger, actor: actor, action: "toolkit.delete", target: id, detail: nil)
            return true
        }
        if deleted { try await scrub() }
        return deleted
    }
}
