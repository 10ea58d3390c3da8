import Foundation
import Model
import PostgresNIO
import Toolbox

/// Settings, facilitators and their tokens, contributors, series and sessions: SQLiteStore's statements in
/// PostgreSQL's dialect.
extension PostgresStore {
    public func secret(named name: String) async throws -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
        // Two hubs asking at once: the first insert wins, and both read what it wrote.
        try await rows("INSERT INTO settings (name, value) VALUES (\(name), \(fresh)) ON CONFLICT (name) DO NOTHING")
        guard let row = try await rows("SELECT value FROM settings WHERE name = \(name)").first else {
            throw PostgresStoreError(message: "secret \(name) vanished")
        }
        return [UInt8](try row.decode(Data.self))
    }

    // MARK: facilitators and tokens

    static let facilitatorColumns = "id, email, name, password_hash, role, created_at"

    static func facilitator(_ row: PostgresRow) throws -> FacilitatorRecord {
        let (id, email, name, hash, role, created) = try row.decode((String, String, String, String, String, Int64).self)
        return FacilitatorRecord(id: id, email: email, name: name, passwordHash: hash, role: FacilitatorRole(rawValue: role) ?? .coFacilitator, createdAt: created)
    }

    public func addFacilitator(_ f: FacilitatorRecord) async throws {
        try await transaction { db in
            do {
                try await db.rows("""
                    INSERT INTO facilitators (id, email, name, password_hash, role, created_at)
                    VALUES (\(f.id), \(f.email), \(f.name), \(f.passwordHash), \(f.role.rawValue), \(f.createdAt))
                    """, logger: logger)
            } catch let error where PostgresStoreError(error).isUniqueViolation {
                throw StoreError.duplicate("a facilitator with e-mail \(f.email) exists")
            }
            try await Self.audit(db, logger: logger, actor: nil, action: "facilitator.add", target: f.id, detail: f.email)
        }
    }

    public func facilitators() async throws -> [FacilitatorRecord] {
        try await rows("SELECT \(unescaped: Self.facilitatorColumns) FROM facilitators ORDER BY created_at, email").map(Self.facilitator)
    }

    public func facilitator(email: String) async throws -> FacilitatorRecord? {
        try await rows("SELECT \(unescaped: Self.facilitatorColumns) FROM facilitators WHERE lower(email) = lower(\(email))").first.map(Self.facilitator)
    }

    public func facilitator(id: String) async throws -> FacilitatorRecord? {
        try await rows("SELECT \(unescaped: Self.facilitatorColumns) FROM facilitators WHERE id = \(id)").first.map(Self.facilitator)
    }

    public func removeFacilitator(_ idOrEmail: String) async throws -> Bool {
        try await !rows("DELETE FROM facilitators WHERE id = \(idOrEmail) OR lower(email) = lower(\(idOrEmail)) RETURNING id").isEmpty
    }

    public func saveToken(hash: String, facilitatorId: String, at: Int64) async throws {
        try await rows("INSERT INTO tokens (hash, facilitator_id, created_at) VALUES (\(hash), \(facilitatorId), \(at))")
    }

    public func facilitatorId(forTokenHash hash: String, at now: Int64, lifetime: TokenLifetime) async throws -> String? {
        guard let row = try await rows("""
            SELECT facilitator_id, COALESCE(last_used_at, created_at) FROM tokens
            WHERE hash = \(hash) AND revoked_at IS NULL AND created_at > \(now - lifetime.maxAgeMs) AND COALESCE(last_used_at, created_at) > \(now - lifetime.idleMs)
            """).first else { return nil }
        let (facilitator, used) = try row.decode((String, Int64).self)
        // A use within touchEveryMs of the last recorded one is not written: reads stay reads.
        if now - used >= lifetime.touchEveryMs {
            try await rows("UPDATE tokens SET last_used_at = \(now) WHERE hash = \(hash)")
        }
        return facilitator
    }

    public func purgeTokens(at now: Int64, lifetime: TokenLifetime) async throws -> Int {
        try await rows("""
            DELETE FROM tokens WHERE revoked_at IS NOT NULL OR created_at <= \(now - lifetime.maxAgeMs)
                OR COALESCE(last_used_at, created_at) <= \(now - lifetime.idleMs) RETURNING hash
            """).count
    }

    public func revokeToken(hash: String) async throws {
        try await rows("UPDATE tokens SET revoked_at = \(Self.now()) WHERE hash = \(hash)")
    }

    // MARK: contributors

    static let contributorColumns = "id, name, email, organisation, invited_by, created_at, revoked_at"

    static func contributor(_ row: PostgresRow) throws -> ContributorRecord {
        let (id, name, email, organisation, invitedBy, created, revoked) = try row.decode((String, String, String?, String?, String, Int64, Int64?).self)
        return ContributorRecord(id: id, name: name, email: email, organisation: organisation, invitedBy: invitedBy, createdAt: created, revokedAt: revoked)
    }

    public func addContributor(_ c: ContributorRecord, tokenHash: String) async throws {
        try await transaction { db in
            try await db.rows("""
                INSERT INTO contributors (id, name, email, organisation, invited_by, created_at, token_hash)
                VALUES (\(c.id), \(c.name), \(c.email), \(c.organisation), \(c.invitedBy), \(c.createdAt), \(tokenHash))
                """, logger: logger)
            try await Self.audit(db, logger: logger, actor: c.invitedBy, action: "contributor.invite", target: c.id, detail: nil)
        }
    }

    public func contributor(forTokenHash hash: String) async throws -> ContributorRecord? {
        try await rows("SELECT \(unescaped: Self.contributorColumns) FROM contributors WHERE token_hash = \(hash) AND revoked_at IS NULL")
            .first.map(Self.contributor)
    }

    public func contributors() async throws -> [ContributorRecord] {
        try await rows("SELECT \(unescaped: Self.contributorColumns) FROM contributors ORDER BY created_at, id").map(Self.contributor)
    }

    public func revokeContributor(_ id: String, at: Int64) async throws -> Bool {
        try await !rows("UPDATE contributors SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL RETURNING id").isEmpty
    }

    // MARK: series

    static func series(_ row: PostgresRow) throws -> SeriesRecord {
        let (id, title, kind, description, created) = try row.decode((String, String, String?, String?, Int64).self)
        return SeriesRecord(id: id, title: title, kind: kind, description: description, createdAt: created)
    }

    public func saveSeries(_ s: SeriesRecord) async throws {
        try await rows("""
            INSERT INTO series (id, title, kind, description, created_at) VALUES (\(s.id), \(s.title), \(s.kind), \(s.description), \(s.createdAt))
            ON CONFLICT (id) DO UPDATE SET title = excluded.title, kind = excluded.kind, description = excluded.description
            """)
    }

    public func series(_ idOrTitle: String) async throws -> SeriesRecord? {
        try await rows("""
            SELECT id, title, kind, description, created_at FROM series WHERE id = \(idOrTitle) OR title = \(idOrTitle)
            ORDER BY id = \(idOrTitle) DESC LIMIT 1
            """).first.map(Self.series)
    }

    public func allSeries() async throws -> [SeriesRecord] {
        try await rows("SELECT id, title, kind, description, created_at FROM series ORDER BY created_at DESC, id").map(Self.series)
    }

    // MARK: sessions

    static let sessionColumns = "id, code, series_id, title, date, lang, agenda_source, agenda, status, seq, created_at, created_by"

    static func session(_ row: PostgresRow) throws -> SessionRecord {
        let (id, code, series, title, date, lang, source, agenda, status, seq, created, createdBy) =
            try row.decode((String, String, String?, String, String?, String, String, String, String, Int64, Int64, String?).self)
        return SessionRecord(id: id, code: code, seriesId: series, title: title, date: date, lang: Language(rawValue: lang) ?? .nl, agendaSource: source,
                             agenda: try JSONCoding.decode([AgendaItem].self, from: agenda), status: SessionStatus(rawValue: status) ?? .draft,
                             seq: seq, createdAt: created, createdBy: createdBy)
    }

    public func createSession(_ s: SessionRecord, activityKeys: [String: [UInt8]]) async throws {
        let agenda = String(decoding: try JSONCoding.encode(s.agenda), as: UTF8.self)
        try await transaction { db in
            do {
                try await db.rows("""
                    INSERT INTO sessions (\(unescaped: Self.sessionColumns))
                    VALUES (\(s.id), \(s.code), \(s.seriesId), \(s.title), \(s.date), \(s.lang.rawValue), \(s.agendaSource), \(agenda),
                            \(s.status.rawValue), \(s.seq), \(s.createdAt), \(s.createdBy))
                    """, logger: logger)
            } catch let error where PostgresStoreError(error).isUniqueViolation {
                throw StoreError.duplicate("code \(s.code) is in use")
            }
            for (activity, key) in activityKeys {
                try await db.rows("INSERT INTO activity_keys (session_id, activity, key) VALUES (\(s.id), \(activity), \(Data(key)))", logger: logger)
            }
        }
    }

    public func session(_ idOrCode: String) async throws -> SessionRecord? {
        // Codes match in any case (SQLite's COLLATE NOCASE); an id matches exactly and goes first.
        try await rows("""
            SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE id = \(idOrCode) OR lower(code) = lower(\(idOrCode))
            ORDER BY id = \(idOrCode) DESC LIMIT 1
            """).first.map(Self.session)
    }

    public func sessions() async throws -> [SessionRecord] {
        try await rows("SELECT \(unescaped: Self.sessionColumns) FROM sessions ORDER BY created_at DESC, id").map(Self.session)
    }

    public func sessions(status: SessionStatus) async throws -> [SessionRecord] {
        try await rows("SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE status = \(status.rawValue) ORDER BY created_at, id").map(Self.session)
    }

    public func codeInUse(_ code: String) async throws -> Bool {
        try await !rows("SELECT 1 FROM sessions WHERE code = \(code)").isEmpty
    }

    public func activityKeys(session: String) async throws -> [String: [UInt8]] {
        var keys: [String: [UInt8]] = [:]
        for row in try await rows("SELECT activity, key FROM activity_keys WHERE session_id = \(session)") {
            let (activity, key) = try row.decode((String, Data).self)
            keys[activity] = [UInt8](key)
        }
        return keys
    }

    public func deleteSession(_ id: String, actor: String?) async throws {
        try await transaction { db in
            try await db.rows("DELETE FROM sessions WHERE id = \(id)", logger: logger)
            try await Self.audit(db, logger: logger, actor: actor, action: "session.delete", target: id, detail: nil)
        }
        try await vacuum(Self.sessionTables)
    }

    /// The tables a session's rows live in; `ON DELETE CASCADE` empties them with the session.
    static let sessionTables = ["sessions", "activity_keys", "events", "sealed_inputs", "views", "outputs"]

    /// "Deleted" should mean gone from the tables' files too (DESIGN.md §5): VACUUM frees the dead rows' space for
    /// reuse. It cannot overwrite what PostgreSQL's WAL and the operator's backups hold (docs/SCALING.md).
    func vacuum(_ tables: [String]) async throws {
        try await rows(PostgresQuery(unsafeSQL: "VACUUM " + tables.joined(separator: ", ")))
    }
}
