import Logging
import PostgresNIO

/// The PostgreSQL schema as an ordered list of migrations, as GRDB's migrator keeps SQLite's: each runs once and is
/// recorded in `schema_migrations`, the missing ones together in one transaction (PostgreSQL's DDL is
/// transactional: a failed upgrade leaves the schema as it was). Never edit a shipped one; add the next.
///
/// The tables are SQLite's (SQLiteStore.swift and its extensions) with PostgreSQL's types: times are `BIGINT`
/// milliseconds, JSON stays `TEXT` exactly as encoded (the same bytes on both stores), keys are `BYTEA`.
enum PostgresSchema {
    typealias Step = @Sendable (PostgresConnection, Logger) async throws -> Void
    static let migrations: [(name: String, statements: [String], then: Step?)] = [
        ("v1-hub", [
            """
            CREATE TABLE settings (name TEXT PRIMARY KEY, value BYTEA NOT NULL)
            """,
            """
            CREATE TABLE facilitators (id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            // SQLite's COLLATE NOCASE on the e-mail: one facilitator per address in any case.
            """
            CREATE UNIQUE INDEX facilitators_email ON facilitators (lower(email))
            """,
            """
            CREATE TABLE tokens (hash TEXT PRIMARY KEY, facilitator_id TEXT NOT NULL REFERENCES facilitators(id) ON DELETE CASCADE, created_at BIGINT NOT NULL, revoked_at BIGINT, last_used_at BIGINT)
            """,
            """
            CREATE TABLE contributors (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, organisation TEXT, invited_by TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT, token_hash TEXT NOT NULL UNIQUE)
            """,
            """
            CREATE TABLE series (id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT, description TEXT, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE sessions (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, series_id TEXT REFERENCES series(id) ON DELETE SET NULL, title TEXT NOT NULL, date TEXT, lang TEXT NOT NULL, agenda_source TEXT NOT NULL, agenda TEXT NOT NULL, status TEXT NOT NULL, seq BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, created_by TEXT)
            """,
            """
            CREATE INDEX sessions_code ON sessions (lower(code))
            """,
            """
            CREATE TABLE activity_keys (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, activity TEXT NOT NULL, key BYTEA NOT NULL, PRIMARY KEY (session_id, activity))
            """,
            """
            CREATE TABLE events (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, seq BIGINT NOT NULL, kind TEXT NOT NULL, activity TEXT, actor TEXT NOT NULL, role TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, client_id TEXT, at BIGINT NOT NULL, PRIMARY KEY (session_id, seq))
            """,
            """
            CREATE UNIQUE INDEX events_idempotency ON events (session_id, actor, client_id) WHERE client_id IS NOT NULL
            """,
            """
            CREATE TABLE sealed_inputs (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, activity TEXT NOT NULL, n BIGINT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (session_id, activity, n))
            """,
            """
            CREATE TABLE views (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, activity TEXT NOT NULL, audience TEXT NOT NULL, seq BIGINT NOT NULL, view TEXT NOT NULL, PRIMARY KEY (session_id, activity, audience))
            """,
            """
            CREATE TABLE outputs (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, instance TEXT NOT NULL, seq BIGINT NOT NULL, idx BIGINT NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL, filed TEXT, PRIMARY KEY (session_id, instance, seq, idx))
            """,
            """
            CREATE TABLE audit (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, actor TEXT, action TEXT NOT NULL, target TEXT, detail TEXT)
            """,
            """
            CREATE INDEX audit_at ON audit (at)
            """,
            // Append-only, as SQLiteAudit.swift's triggers: no UPDATE, and no DELETE of an entry younger than a day.
            """
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'the audit log is append-only'; END IF; IF OLD.at > (extract(epoch FROM now()) * 1000)::BIGINT - 86400000 THEN RAISE EXCEPTION 'audit entries are kept at least a day'; END IF; RETURN OLD; END $$
            """,
            """
            CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()
            """,
        ], nil),
        // The kennisbank and gereedschapskist (SQLite's v2 to v6 in their final shape): PostgresKennisbank.swift.
        ("v2-kennisbank", PostgresFacetedIndex.interventions.tables + PostgresFacetedIndex.toolkit.tables + [
            """
            CREATE TABLE monitoring_entries (id TEXT PRIMARY KEY, intervention TEXT NOT NULL, date TEXT NOT NULL, data TEXT NOT NULL)
            """,
            """
            CREATE INDEX monitoring_by_intervention ON monitoring_entries (intervention, date)
            """,
            """
            CREATE TABLE effects (id TEXT PRIMARY KEY, domain TEXT NOT NULL, data TEXT NOT NULL, position BIGINT NOT NULL)
            """,
            """
            CREATE TABLE effect_versions (version BIGINT PRIMARY KEY, data TEXT NOT NULL, author TEXT, at BIGINT NOT NULL)
            """,
        ], { db, logger in
            try await PostgresFacetedIndex.createSearchConfiguration(db, logger: logger)
            try await PostgresStore.seedEffects(db, logger: logger)
        }),
        // Retention (SQLite's v10-retention).
        ("v3-retention", [
            """
            CREATE TABLE series_retention (series_id TEXT PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE ON UPDATE CASCADE, rule TEXT NOT NULL)
            """,
            """
            CREATE TABLE session_purges (session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, kind TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (session_id, kind))
            """,
        ], nil),
        // A series' journey (SQLite's v11-series-journeys).
        ("v4-series-journeys", [
            """
            ALTER TABLE series ADD COLUMN journey TEXT
            """,
        ], nil),
        // Which node runs each live session, beside its advisory lock (PostgresOwnership.swift).
        ("v5-session-owners", [
            """
            CREATE TABLE session_owners (session_id TEXT PRIMARY KEY, node_url TEXT NOT NULL, since BIGINT NOT NULL)
            """,
        ], nil),
        // The records' lengths in tokens, for a ranking equal to SQLite's FTS5 bm25 (PostgresFacetedIndex.rankedLikeFTS5).
        ("v6-search-ranking", [
            "ALTER TABLE interventions ADD COLUMN tokens BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE toolkit_items ADD COLUMN tokens BIGINT NOT NULL DEFAULT 0",
        ], { db, logger in try await PostgresFacetedIndex.countTokens(db, logger: logger) }),
        // Series participants and their trios (SQLite's v12-series-participants; PostgresSeriesParticipants.swift).
        ("v7-series-participants", [
            """
            CREATE TABLE series_participants (series_id TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE ON UPDATE CASCADE, participant TEXT NOT NULL, domain TEXT, trio TEXT, joined_at BIGINT NOT NULL, PRIMARY KEY (series_id, participant))
            """,
        ], nil),
    ]

    /// Applies the missing migrations. An advisory lock serialises hubs that start at once on one schema.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { db in
            try await db.rows("SELECT pg_advisory_xact_lock(hashtext('sessionhub-migrations:' || current_schema()))", logger: logger)
            try await db.rows("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
            var applied: Set<String> = []
            for try await name in try await db.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for (name, statements, then) in migrations where !applied.contains(name) {
                // One statement per query: the extended protocol that binds parameters takes no more.
                for sql in statements { try await db.rows(PostgresQuery(unsafeSQL: sql), logger: logger) }
                try await then?(db, logger)
                try await db.rows("INSERT INTO schema_migrations (name, applied_at) VALUES (\(name), \(PostgresStore.now()))", logger: logger)
            }
        }
    }
}
