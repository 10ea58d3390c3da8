import Foundation
import Logging
import Model
import PostgresNIO
import Toolbox

/// Retention and purge on PostgreSQL (as SQLiteRetention.swift; docs/PRIVACY.md "Retention"). The blanking is the
/// same; "gone from the files" is `scrub`'s VACUUM of the tables erasures touch, which lets PostgreSQL reuse the
/// dead rows' space. What the WAL and the operator's backups hold stays until they rotate (docs/PRIVACY.md).
extension PostgresStore: RetentionStore, SeriesStore {
    public func retentionCandidates() async throws -> [(candidate: RetentionCandidate, agendaSource: String)] {
        var rules: [String: RetentionRule] = [:]
        for row in try await rows("SELECT series_id, rule FROM series_retention") {
            let (series, rule) = try row.decode((String, String).self)
            rules[series] = try? JSONCoding.decode(RetentionRule.self, from: rule)
        }
        var purged: [String: Set<PurgeKind>] = [:]
        for row in try await rows("SELECT session_id, kind FROM session_purges") {
            let (session, kind) = try row.decode((String, String).self)
            if let k = PurgeKind(rawValue: kind) { purged[session, default: []].insert(k) }
        }
        // The close is the (last) `close` command in the log: the sessions table keeps no time for it.
        return try await rows("""
            SELECT s.id, s.title, s.status, s.series_id, s.agenda_source,
                   (SELECT max(e.at) FROM events e WHERE e.session_id = s.id AND e.kind = 'command' AND e.type = 'close') AS closed_at
            FROM sessions s ORDER BY s.created_at, s.id COLLATE "C"
            """).map { row in
            let (id, title, status, series, source, closedAt) = try row.decode((String, String, String, String?, String, Int64?).self)
            let c = RetentionCandidate(session: id, title: title, status: SessionStatus(rawValue: status) ?? .draft, seriesId: series,
                                       closedAt: closedAt, purged: purged[id] ?? [], seriesRule: series.flatMap { rules[$0] })
            return (c, source)
        }
    }

    public func purge(session: String, kinds: [PurgeKind], at: Int64) async throws -> PurgeCounts {
        try await transaction { db in
            guard let row = try await db.rows("SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE id = \(session) FOR UPDATE", logger: self.logger).first else {
                throw StoreError.notFound("no session \(session)")
            }
            let record = try Self.session(row)
            // Never a session that still runs: its participants and plugins rely on what it holds.
            guard record.status == .closed else { throw PurgeRefused("session \(session) is \(record.status.rawValue), not closed") }
            var counts = PurgeCounts()
            for kind in Set(kinds).sorted() {
                switch kind {
                case .names: counts = counts + (try await self.purgeNames(db, record))
                case .inputs: counts = counts + (try await self.purgeInputs(db, session: session))
                }
                try await db.rows("""
                    INSERT INTO session_purges (session_id, kind, at) VALUES (\(session), \(kind.rawValue), \(at))
                    ON CONFLICT (session_id, kind) DO UPDATE SET at = excluded.at
                    """, logger: self.logger)
            }
            return counts
        }
    }

    /// As SQLiteStore.purgeNames: name, function and organisation leave the join events; the views and unfiled
    /// outputs of `named` activities go (all of them when no activity is anonymous).
    func purgeNames(_ db: PostgresConnection, _ record: SessionRecord) async throws -> PurgeCounts {
        var counts = PurgeCounts()
        for row in try await db.rows("SELECT seq, payload FROM events WHERE session_id = \(record.id) AND kind = 'join'", logger: logger) {
            let (seq, text) = try row.decode((Int64, String).self)
            guard case .object(var p) = JSONCoding.parse(text) ?? .null else { continue }
            let personal = ["name", "function", "org"].filter { p[$0] != nil }
            guard !personal.isEmpty else { continue }
            for key in personal { p[key] = nil }
            try await db.rows("UPDATE events SET payload = \(try JSONCoding.string(JSONValue.object(p))) WHERE session_id = \(record.id) AND seq = \(seq)",
                              logger: logger)
            counts.joins += 1
        }
        let named = record.agenda.filter { $0.anonymity == .named }.map(\.id)
        guard !named.isEmpty else { return counts }
        if record.agenda.contains(where: { $0.anonymity == .anonymous }) {
            for activity in named {
                counts.views += try await db.rows("DELETE FROM views WHERE session_id = \(record.id) AND activity = \(activity) RETURNING 1", logger: logger).count
                counts.outputs += try await db.rows("""
                    DELETE FROM outputs WHERE session_id = \(record.id) AND instance = \("\(record.id)/\(activity)") AND \(unescaped: Self.unfiled) RETURNING 1
                    """, logger: logger).count
            }
        } else {
            counts = counts + (try await dropDerived(db, session: record.id))
        }
        return counts
    }

    func purgeInputs(_ db: PostgresConnection, session: String) async throws -> PurgeCounts {
        var counts = PurgeCounts()
        let blank = SQLiteStore.purgedPayload
        counts.inputs += try await db.rows("""
            UPDATE events SET payload = \(blank) WHERE session_id = \(session) AND kind = 'input' AND payload <> \(blank) RETURNING 1
            """, logger: logger).count
        counts.inputs += try await db.rows("""
            UPDATE sealed_inputs SET payload = \(blank) WHERE session_id = \(session) AND payload <> \(blank) RETURNING 1
            """, logger: logger).count
        return counts + (try await dropDerived(db, session: session))
    }

    /// Outputs whose record lives on in the kennisbank or gereedschapskist (`kb-…@n`, `tk-…@n`).
    static let unfiled = "NOT (filed IS NOT NULL AND (filed LIKE 'kb-%' OR filed LIKE 'tk-%'))"

    func dropDerived(_ db: PostgresConnection, session: String) async throws -> PurgeCounts {
        var counts = PurgeCounts()
        counts.views = try await db.rows("DELETE FROM views WHERE session_id = \(session) RETURNING 1", logger: logger).count
        counts.outputs = try await db.rows("DELETE FROM outputs WHERE session_id = \(session) AND \(unescaped: Self.unfiled) RETURNING 1", logger: logger).count
        return counts
    }

    /// The tables whose rows seal, purge, erasure and deletion change or remove.
    static let erasedTables = ["events", "sealed_inputs", "activity_keys", "views", "outputs", "session_purges", "audit", "facilitators", "tokens",
                               "contributors", "interventions", "intervention_versions", "intervention_facets", "toolkit_items", "toolkit_versions",
                               "toolkit_facets", "monitoring_entries"]

    /// VACUUM of the tables erasures touch: PostgreSQL marks the old row versions free for reuse. Always true: a
    /// VACUUM does not wait for a reader as SQLite's checkpoint does (it skips row versions a running transaction
    /// still sees; the next one takes them).
    @discardableResult
    public func scrub() async throws -> Bool {
        try await vacuum(Self.erasedTables)
        return true
    }

    public func purgeMarks(session: String) async throws -> [PurgeMark] {
        try await rows("SELECT kind, at FROM session_purges WHERE session_id = \(session) ORDER BY kind COLLATE \"C\"").compactMap { row in
            let (kind, at) = try row.decode((String, Int64).self)
            return PurgeKind(rawValue: kind).map { PurgeMark(kind: $0, at: at) }
        }
    }

    public func setSeriesRetention(series: String, _ rule: RetentionRule?) async throws {
        if let text = try rule.flatMap({ $0.isEmpty ? nil : try JSONCoding.string($0) }) {
            try await rows("""
                INSERT INTO series_retention (series_id, rule) VALUES (\(series), \(text)) ON CONFLICT (series_id) DO UPDATE SET rule = excluded.rule
                """)
        } else {
            try await rows("DELETE FROM series_retention WHERE series_id = \(series)")
        }
    }

    public func seriesRetention(series: String) async throws -> RetentionRule? {
        try await rows("SELECT rule FROM series_retention WHERE series_id = \(series)").first
            .flatMap { try? JSONCoding.decode(RetentionRule.self, from: try $0.decode(String.self)) }
    }

    // MARK: series journeys (as SeriesJourney.swift)

    public func saveJourney(series: String, _ journey: SeriesJourney) async throws {
        let text = String(decoding: try JSONCoding.encode(journey), as: UTF8.self)
        guard try await !rows("UPDATE series SET journey = \(text) WHERE id = \(series) RETURNING 1").isEmpty else {
            throw StoreError.notFound("series \(series)")
        }
    }

    public func journey(series: String) async throws -> SeriesJourney? {
        guard let text = try await rows("SELECT journey FROM series WHERE id = \(series)").first.flatMap({ try $0.decode(String?.self) }) else { return nil }
        return try JSONCoding.decode(SeriesJourney.self, from: text)
    }
}
