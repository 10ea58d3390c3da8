import Foundation
import GRDB
import Model

/// The embedded store: one SQLite file in WAL mode, one writer (GRDB's `DatabasePool`).
/// `synchronous = FULL` makes each commit durable; the event log batches commits, so that costs one
/// fsync per batch, not per input.
public final class SQLiteStore: HubStore {
    public let pool: DatabasePool

    /// - Parameter busyTimeout: how long a write waits for a lock another process holds before it fails.
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // "Deleted" must mean gone from the file too (DESIGN.md §5).
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        config.busyMode = .timeout(busyTimeout)
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    /// Migrations as an ordered list; never edit a shipped one, add the next.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
                CREATE TABLE facilitators (
                    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,
                    password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE tokens (
                    hash TEXT PRIMARY KEY, facilitator_id TEXT NOT NULL REFERENCES facilitators(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL, revoked_at INTEGER);
                CREATE TABLE series (
                    id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT, description TEXT, created_at INTEGER NOT NULL);
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, series_id TEXT REFERENCES series(id) ON DELETE SET NULL,
                    title TEXT NOT NULL, date TEXT, lang TEXT NOT NULL, agenda_source TEXT NOT NULL, agenda TEXT NOT NULL,
                    status TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, created_by TEXT);
                CREATE TABLE activity_keys (
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, activity TEXT NOT NULL,
                    key BLOB NOT NULL, PRIMARY KEY (session_id, activity));
                CREATE TABLE events (
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
                    kind TEXT NOT NULL, activity TEXT, actor TEXT NOT NULL, role TEXT NOT NULL, type TEXT NOT NULL,
                    payload TEXT NOT NULL, client_id TEXT, at INTEGER NOT NULL, PRIMARY KEY (session_id, seq));
                CREATE UNIQUE INDEX events_idempotency ON events(session_id, actor, client_id) WHERE client_id IS NOT NULL;
                CREATE TABLE views (
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, activity TEXT NOT NULL,
                    audience TEXT NOT NULL, seq INTEGER NOT NULL, view TEXT NOT NULL, PRIMARY KEY (session_id, activity, audience));
                CREATE TABLE outputs (
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, instance TEXT NOT NULL,
                    seq INTEGER NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL,
                    PRIMARY KEY (session_id, instance, seq, idx));
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT, action TEXT NOT NULL, detail TEXT);
                """)
        }
        registerKennisbank(&m)
        registerUpgrades(&m)
        registerSealing(&m)
        registerTokenUse(&m)
        registerAudit(&m)
        registerRetention(&m)
        registerSeriesJourneys(&m)
        registerSeriesParticipants(&m)
        return m
    }

    /// The hub's one wall clock (Model), so that the store and the sessions stamp alike.
    static func now() -> Int64 { WallClock.millis() }

    // MARK: settings

    public func secret(named name: String) async throws -> [UInt8] {
        try await pool.write { db in
            if let data = try Data.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) {
                return [UInt8](data)
            }
            var rng = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
            try db.execute(sql: "INSERT INTO settings (name, value) VALUES (?, ?)", arguments: [name, Data(bytes)])
            return bytes
        }
    }

    // MARK: facilitators and tokens

    static func facilitator(_ row: Row) -> FacilitatorRecord {
        FacilitatorRecord(id: row["id"], email: row["email"], name: row["name"], passwordHash: row["password_hash"],
                          role: FacilitatorRole(rawValue: row["role"]) ?? .coFacilitator, createdAt: row["created_at"])
    }

    public func addFacilitator(_ f: FacilitatorRecord) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM facilitators WHERE email = ?", arguments: [f.email]) != nil {
                throw StoreError.duplicate("a facilitator with e-mail \(f.email) exists")
            }
            try db.execute(sql: "INSERT INTO facilitators (id, email, name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [f.id, f.email, f.name, f.passwordHash, f.role.rawValue, f.createdAt])
            try Self.audit(db, actor: nil, action: "facilitator.add", target: f.id, detail: f.email)
        }
    }

    public func facilitators() async throws -> [FacilitatorRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM facilitators ORDER BY created_at, email").map(Self.facilitator) }
    }

    public func facilitator(email: String) async throws -> FacilitatorRecord? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM facilitators WHERE email = ?", arguments: [email]).map(Self.facilitator) }
    }

    public func facilitator(id: String) async throws -> FacilitatorRecord? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM facilitators WHERE id = ?", arguments: [id]).map(Self.facilitator) }
    }

    public func removeFacilitator(_ idOrEmail: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM facilitators WHERE id = ? OR email = ?", arguments: [idOrEmail, idOrEmail])
            return db.changesCount > 0
        }
    }

    public func addContributor(_ c: ContributorRecord, tokenHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO contributors (id, name, email, organisation, invited_by, created_at, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [c.id, c.name, c.email, c.organisation, c.invitedBy, c.createdAt, tokenHash])
            try Self.audit(db, actor: c.invitedBy, action: "contributor.invite", target: c.id)
        }
    }

    static func contributor(_ row: Row) -> ContributorRecord {
        ContributorRecord(id: row["id"], name: row["name"], email: row["email"], organisation: row["organisation"], invitedBy: row["invited_by"],
                          createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }

    public func contributor(forTokenHash hash: String) async throws -> ContributorRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM contributors WHERE token_hash = ? AND revoked_at IS NULL", arguments: [hash]).map(Self.contributor)
        }
    }

    public func contributors() async throws -> [ContributorRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM contributors ORDER BY created_at, id").map(Self.contributor) }
    }

    public func revokeContributor(_ id: String, at: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE contributors SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [at, id])
            return db.changesCount > 0
        }
    }

    public func saveToken(hash: String, facilitatorId: String, at: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO tokens (hash, facilitator_id, created_at) VALUES (?, ?, ?)", arguments: [hash, facilitatorId, at])
        }
    }

    public func revokeToken(hash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE hash = ?", arguments: [Self.now(), hash])
        }
    }

    // MARK: series

    public func saveSeries(_ s: SeriesRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO series (id, title, kind, description, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, kind = excluded.kind, description = excluded.description
                """, arguments: [s.id, s.title, s.kind, s.description, s.createdAt])
        }
    }

    static func series(_ row: Row) -> SeriesRecord {
        SeriesRecord(id: row["id"], title: row["title"], kind: row["kind"], description: row["description"], createdAt: row["created_at"])
    }

    public func series(_ idOrTitle: String) async throws -> SeriesRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM series WHERE id = ? OR title = ? ORDER BY id = ? DESC LIMIT 1",
                             arguments: [idOrTitle, idOrTitle, idOrTitle]).map(Self.series)
        }
    }

    public func allSeries() async throws -> [SeriesRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM series ORDER BY created_at DESC, id").map(Self.series) }
    }

    // MARK: sessions

    static func session(_ row: Row) throws -> SessionRecord {
        let agendaText: String = row["agenda"]
        return SessionRecord(
            id: row["id"], code: row["code"], seriesId: row["series_id"], title: row["title"], date: row["date"],
            lang: Language(rawValue: row["lang"]) ?? .nl, agendaSource: row["agenda_source"],
            agenda: try JSONCoding.decode([AgendaItem].self, from: agendaText),
            status: SessionStatus(rawValue: row["status"]) ?? .draft, seq: row["seq"], createdAt: row["created_at"], createdBy: row["created_by"])
    }

    public func createSession(_ s: SessionRecord, activityKeys: [String: [UInt8]]) async throws {
        let agenda = String(decoding: try JSONCoding.encode(s.agenda), as: UTF8.self)
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE code = ?", arguments: [s.code]) != nil {
                throw StoreError.duplicate("code \(s.code) is in use")
            }
            try db.execute(sql: """
                INSERT INTO sessions (id, code, series_id, title, date, lang, agenda_source, agenda, status, seq, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [s.id, s.code, s.seriesId, s.title, s.date, s.lang.rawValue, s.agendaSource, agenda,
                                 s.status.rawValue, s.seq, s.createdAt, s.createdBy])
            for (activity, key) in activityKeys {
                try db.execute(sql: "INSERT INTO activity_keys (session_id, activity, key) VALUES (?, ?, ?)", arguments: [s.id, activity, Data(key)])
            }
        }
    }

    public func session(_ idOrCode: String) async throws -> SessionRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ? OR code = ? COLLATE NOCASE", arguments: [idOrCode, idOrCode]).map(Self.session)
        }
    }

    public func sessions() async throws -> [SessionRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM sessions ORDER BY created_at DESC, id").map(Self.session) }
    }

    public func sessions(status: SessionStatus) async throws -> [SessionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE status = ? ORDER BY created_at", arguments: [status.rawValue]).map(Self.session)
        }
    }

    public func codeInUse(_ code: String) async throws -> Bool {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE code = ?", arguments: [code]) != nil }
    }

    public func activityKeys(session: String) async throws -> [String: [UInt8]] {
        try await pool.read { db in
            var keys: [String: [UInt8]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT activity, key FROM activity_keys WHERE session_id = ?", arguments: [session]) {
                keys[row["activity"]] = [UInt8](row["key"] as Data)
            }
            return keys
        }
    }

    public func deleteSession(_ id: String, actor: String?) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id])
            try Self.audit(db, actor: actor, action: "session.delete", target: id)
        }
        // Push deleted pages out of the WAL into the (secure-deleted) main file.
        try await scrub()
    }

    // MARK: event log

    @discardableResult
    public func append(_ batch: [(session: String, event: LoggedEvent)]) async throws -> [String: String] {
        var bySession: [(session: String, events: [LoggedEvent])] = []
        var index: [String: Int] = [:]
        for (session, event) in batch {
            if let i = index[session] { bySession[i].events.append(event) } else {
                index[session] = bySession.count
                bySession.append((session, [event]))
            }
        }
        let groups = bySession
        return try await pool.write { db in
            var refused: [String: String] = [:]
            for (session, events) in groups {
                // Each session in its own savepoint: what its events break is rolled back for it alone.
                do {
                    try db.inSavepoint {
                        try Self.append(db, session: session, events)
                        return .commit
                    }
                } catch let error where !Self.isEnvironmental(error) {
                    refused[session] = "\(error)"
                }
            }
            return refused
        }
    }

    private static func append(_ db: Database, session: String, _ events: [LoggedEvent]) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO events (session_id, seq, kind, activity, actor, role, type, payload, client_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in events {
            let payload = try JSONCoding.string(e.payload)
            try insert.execute(arguments: [session, e.seq, e.kind.rawValue, e.activity, e.actor, e.role.rawValue, e.type, payload, e.clientId, e.at])
            if let status = e.sessionStatus {
                try db.execute(sql: "UPDATE sessions SET status = ? WHERE id = ?", arguments: [status.rawValue, session])
            }
        }
        if let last = events.map(\.seq).max() {
            try db.execute(sql: "UPDATE sessions SET seq = ? WHERE id = ?", arguments: [last, session])
        }
    }

    /// Failures of the database as a whole (busy, locked, full, read-only, I/O, out of memory): nothing of
    /// the batch is stored and all of it can be written later. Anything else is about the events themselves.
    static func isEnvironmental(_ error: any Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        switch e.resultCode.primaryResultCode {
        case .SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_TOOBIG, .SQLITE_RANGE: return false
        default: return true
        }
    }

    static func event(_ row: Row) -> LoggedEvent {
        let payload: String = row["payload"]
        return LoggedEvent(
            seq: row["seq"], kind: EventKind(rawValue: row["kind"]) ?? .input, activity: row["activity"], actor: row["actor"],
            role: ConnectionRole(rawValue: row["role"]) ?? .participant, type: row["type"],
            payload: JSONCoding.parse(payload) ?? .null, clientId: row["client_id"], at: row["at"])
    }

    public func events(session: String, after seq: Int64) async throws -> [LoggedEvent] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq", arguments: [session, seq]).map(Self.event)
        }
    }

    public func acceptedSeq(session: String, actor: String, clientId: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM events WHERE session_id = ? AND actor = ? AND client_id = ?", arguments: [session, actor, clientId])
        }
    }

    // MARK: closing: SQLiteSeal.swift

    // MARK: views and outputs

    public func saveViews(session: String, _ views: [StoredView]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM views WHERE session_id = ?", arguments: [session])
            for v in views {
                try db.execute(sql: "INSERT INTO views (session_id, activity, audience, seq, view) VALUES (?, ?, ?, ?, ?)",
                               arguments: [session, v.activity, v.audience, v.seq, JSONCoding.string(v.view)])
            }
        }
    }

    public func views(session: String) async throws -> [StoredView] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM views WHERE session_id = ? ORDER BY activity, audience", arguments: [session]).map { row in
                let text: String = row["view"]
                return StoredView(activity: row["activity"], audience: row["audience"], seq: row["seq"], view: JSONCoding.parse(text) ?? .null)
            }
        }
    }

    @discardableResult
    public func saveOutputs(session: String, _ outputs: [StoredOutput]) async throws -> [StoredOutput] {
        try await pool.write { db in
            var saved: [StoredOutput] = []
            for o in outputs {
                try db.execute(sql: """
                    INSERT INTO outputs (session_id, instance, seq, idx, kind, record) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """, arguments: [session, o.instance, o.seq, o.index, o.kind, JSONCoding.string(o.record)])
                // Only a first store files: a replay that emits the output again adds no version.
                guard db.changesCount > 0 else { continue }
                var stored = o
                stored.filed = try self.file(db, o, session: session)?.stored
                if let filed = stored.filed {
                    try db.execute(sql: "UPDATE outputs SET filed = ? WHERE session_id = ? AND instance = ? AND seq = ? AND idx = ?",
                                   arguments: [filed, session, o.instance, o.seq, o.index])
                }
                saved.append(stored)
            }
            return saved
        }
    }

    public func outputs(session: String) async throws -> [StoredOutput] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outputs WHERE session_id = ? ORDER BY seq, instance, idx", arguments: [session]).map { row in
                let text: String = row["record"]
                return StoredOutput(instance: row["instance"], seq: row["seq"], index: row["idx"], kind: row["kind"], record: JSONCoding.parse(text) ?? .null,
                                    filed: row["filed"])
            }
        }
    }
}
