import Foundation
import GRDB
import Model

/// Retention and purge (docs/PRIVACY.md "Retention"; docs/DECISIONS.md "Retention defaults").
extension SQLiteStore: RetentionStore {
    static func registerRetention(_ m: inout DatabaseMigrator) {
        m.registerMigration("v10-retention") { db in
            try db.execute(sql: """
                CREATE TABLE series_retention (
                    series_id TEXT PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE ON UPDATE CASCADE, rule TEXT NOT NULL);
                CREATE TABLE session_purges (
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, kind TEXT NOT NULL, at INTEGER NOT NULL,
                    PRIMARY KEY (session_id, kind)) WITHOUT ROWID;
                """)
        }
    }

    /// The payload a purged input keeps: the event stays, in its place, with its seq, actor, type and time.
    public static let purgedPayload = #"{"purged":true}"#

    public func retentionCandidates() async throws -> [(candidate: RetentionCandidate, agendaSource: String)] {
        try await pool.read { db in try Self.retentionCandidates(db) }
    }

    /// Every session of the database with what the retention needs (a backup's too: its tables may predate
    /// the retention's, then nothing in it was purged and no series has a rule).
    public static func retentionCandidates(_ db: Database) throws -> [(candidate: RetentionCandidate, agendaSource: String)] {
        var rules: [String: RetentionRule] = [:]
        var purged: [String: Set<PurgeKind>] = [:]
        if try db.tableExists("series_retention") {
            for row in try Row.fetchAll(db, sql: "SELECT series_id, rule FROM series_retention") {
                rules[row["series_id"]] = try? JSONCoding.decode(RetentionRule.self, from: row["rule"] as String)
            }
            for row in try Row.fetchAll(db, sql: "SELECT session_id, kind FROM session_purges") {
                if let k = PurgeKind(rawValue: row["kind"]) { purged[row["session_id"], default: []].insert(k) }
            }
        }
        // The close is the (last) `close` command in the log: the sessions table keeps no time for it.
        let sql = """
            SELECT s.id, s.title, s.status, s.series_id, s.agenda_source,
                   (SELECT max(e.at) FROM events e WHERE e.session_id = s.id AND e.kind = 'command' AND e.type = 'close') AS closed_at
            FROM sessions s ORDER BY s.created_at, s.id
            """
        return try Row.fetchAll(db, sql: sql).map { row in
            let id: String = row["id"]
            let series: String? = row["series_id"]
            let c = RetentionCandidate(session: id, title: row["title"], status: SessionStatus(rawValue: row["status"]) ?? .draft,
                                       seriesId: series, closedAt: row["closed_at"], purged: purged[id] ?? [],
                                       seriesRule: series.flatMap { rules[$0] })
            return (c, row["agenda_source"])
        }
    }

    public func purge(session: String, kinds: [PurgeKind], at: Int64) async throws -> PurgeCounts {
        try await pool.write { db in try Self.purge(db, session: session, kinds: kinds, at: at) }
    }

    /// The purge in a transaction the caller holds (`secure_delete` must be on for its connection).
    public static func purge(_ db: Database, session: String, kinds: [PurgeKind], at: Int64) throws -> PurgeCounts {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [session]) else {
            throw StoreError.notFound("no session \(session)")
        }
        let record = try Self.session(row)
        // Never a session that still runs: its participants and plugins rely on what it holds.
        guard record.status == .closed else { throw PurgeRefused("session \(session) is \(record.status.rawValue), not closed") }
        var counts = PurgeCounts()
        for kind in Set(kinds).sorted() {
            switch kind {
            case .names: counts = counts + (try Self.purgeNames(db, record))
            case .inputs: counts = counts + (try Self.purgeInputs(db, session: session))
            }
            try db.execute(sql: "INSERT INTO session_purges (session_id, kind, at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET at = excluded.at",
                           arguments: [session, kind.rawValue, at])
        }
        return counts
    }

    /// Blanks name, function and organisation in the session's join events; the participant id stays, so
    /// replay finds the same participants in the same order. Only `named` activities ever showed them
    /// (plugins get no name otherwise): their stored views and unfiled outputs go. With no anonymous activity
    /// in the session all its views go, and the hub renders them again from the purged log when it next loads
    /// the session; an anonymous activity's inputs are sealed out of the log, so its stored views must stay.
    static func purgeNames(_ db: Database, _ record: SessionRecord) throws -> PurgeCounts {
        var counts = PurgeCounts()
        let rows = try Row.fetchAll(db, sql: "SELECT seq, payload FROM events WHERE session_id = ? AND kind = 'join'", arguments: [record.id])
        for row in rows {
            let text: String = row["payload"]
            guard case .object(var p) = JSONCoding.parse(text) ?? .null else { continue }
            let personal = ["name", "function", "org"].filter { p[$0] != nil }
            guard !personal.isEmpty else { continue }
            for key in personal { p[key] = nil }
            try db.execute(sql: "UPDATE events SET payload = ? WHERE session_id = ? AND seq = ?",
                           arguments: [try JSONCoding.string(JSONValue.object(p)), record.id, row["seq"] as Int64])
            counts.joins += 1
        }
        let named = record.agenda.filter { $0.anonymity == .named }.map(\.id)
        guard !named.isEmpty else { return counts }
        if record.agenda.contains(where: { $0.anonymity == .anonymous }) {
            for activity in named {
                try db.execute(sql: "DELETE FROM views WHERE session_id = ? AND activity = ?", arguments: [record.id, activity])
                counts.views += db.changesCount
                try db.execute(sql: "DELETE FROM outputs WHERE session_id = ? AND instance = ? AND \(Self.unfiled)",
                               arguments: [record.id, "\(record.id)/\(activity)"])
                counts.outputs += db.changesCount
            }
        } else {
            counts = counts + (try dropDerived(db, session: record.id))
        }
        return counts
    }

    /// Blanks every input payload of the session, logged and sealed; the views and unfiled outputs built
    /// from them go. Outputs filed into the kennisbank or gereedschapskist stay, and so do those records.
    static func purgeInputs(_ db: Database, session: String) throws -> PurgeCounts {
        var counts = PurgeCounts()
        try db.execute(sql: "UPDATE events SET payload = ? WHERE session_id = ? AND kind = 'input' AND payload <> ?",
                       arguments: [purgedPayload, session, purgedPayload])
        counts.inputs += db.changesCount
        try db.execute(sql: "UPDATE sealed_inputs SET payload = ? WHERE session_id = ? AND payload <> ?", arguments: [purgedPayload, session, purgedPayload])
        counts.inputs += db.changesCount
        return counts + (try dropDerived(db, session: session))
    }

    /// Outputs whose record lives on in the kennisbank or gereedschapskist (`kb-…@n`, `tk-…@n`).
    static let unfiled = "NOT (filed IS NOT NULL AND (filed LIKE 'kb-%' OR filed LIKE 'tk-%'))"

    static func dropDerived(_ db: Database, session: String) throws -> PurgeCounts {
        var counts = PurgeCounts()
        try db.execute(sql: "DELETE FROM views WHERE session_id = ?", arguments: [session])
        counts.views = db.changesCount
        try db.execute(sql: "DELETE FROM outputs WHERE session_id = ? AND \(unfiled)", arguments: [session])
        counts.outputs = db.changesCount
        return counts
    }

    /// The one way every write that erases (seal, purge, erase, delete, audit retention) makes it gone from the files.
    @discardableResult
    public func scrub() async throws -> Bool {
        // `secure_delete` overwrote the freed bytes in the pages; their old copies are in the main file (until
        // the checkpoint writes the new pages over them) and in earlier WAL frames (until it is truncated).
        for attempt in 0..<50 {
            let busy = try await pool.writeWithoutTransaction { db in
                try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)").map { ($0[0] as Int?) ?? 1 } ?? 1
            }
            if busy == 0 { return true }
            // A reader holds a snapshot that needs the WAL: wait for it to end.
            try await Task.sleep(for: .milliseconds(attempt < 10 ? 20 : 100))
        }
        return false
    }

    public func purgeMarks(session: String) async throws -> [PurgeMark] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, at FROM session_purges WHERE session_id = ? ORDER BY kind", arguments: [session]).compactMap { row in
                PurgeKind(rawValue: row["kind"]).map { PurgeMark(kind: $0, at: row["at"]) }
            }
        }
    }

    public func setSeriesRetention(series: String, _ rule: RetentionRule?) async throws {
        let text = try rule.flatMap { $0.isEmpty ? nil : try JSONCoding.string($0) }
        try await pool.write { db in
            if let text {
                try db.execute(sql: "INSERT INTO series_retention (series_id, rule) VALUES (?, ?) ON CONFLICT DO UPDATE SET rule = excluded.rule",
                               arguments: [series, text])
            } else {
                try db.execute(sql: "DELETE FROM series_retention WHERE series_id = ?", arguments: [series])
            }
        }
    }

    public func seriesRetention(series: String) async throws -> RetentionRule? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT rule FROM series_retention WHERE series_id = ?", arguments: [series])
                .flatMap { try? JSONCoding.decode(RetentionRule.self, from: $0) }
        }
    }

    /// Purges a database file no process holds (a backup) in place: it keeps its journal mode (a backup is one
    /// self-contained file), `secure_delete` is on, and a VACUUM after rebuilds it, so nothing purged is left
    /// in its free pages. `plan` decides from its sessions what is due. Dry run: opened read-only, nothing changes.
    public static func purgeFile(at path: String, dryRun: Bool, now: Int64,
                                 plan: ([(candidate: RetentionCandidate, agendaSource: String)]) -> [PurgeDue]) throws -> ([PurgeDue], PurgeCounts) {
        var config = Configuration()
        config.readonly = dryRun
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        let due = plan(try queue.read { db in try retentionCandidates(db) })
        guard !dryRun, !due.isEmpty else { return (due, PurgeCounts()) }
        // A backup of an older hub: its schema first (the purge marks need their table).
        try migrator.migrate(queue)
        let counts = try queue.write { db in
            try due.reduce(PurgeCounts()) { $0 + (try purge(db, session: $1.session, kinds: $1.kinds, at: now)) }
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        return (due, counts)
    }
}
