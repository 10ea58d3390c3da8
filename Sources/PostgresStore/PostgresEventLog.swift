import Foundation
import Model
import PostgresNIO
import Toolbox

/// The event log, closing, views and outputs, and the audit log on PostgreSQL.
extension PostgresStore {
    // MARK: event log

    /// One transaction per batch (the EventLog's group commit), each session's events in a savepoint of their own
    /// and in one INSERT. After a failed COMMIT, the EventLog's next write of the same events may find them stored
    /// already: those alone count as stored, where any other duplicate is refused. `synchronous_commit` is forced on for it whatever the server's default: the ack that
    /// follows this call promises a commit on disk.
    @discardableResult
    public func append(_ batch: [(session: String, event: LoggedEvent)]) async throws -> [String: String] {
        var groups: [(session: String, events: [LoggedEvent])] = []
        var index: [String: Int] = [:]
        for (session, event) in batch {
            if let i = index[session] { groups[i].events.append(event) } else {
                index[session] = groups.count
                groups.append((session, [event]))
            }
        }
        let sessions = groups
        let uncertain = self.uncertain.withLock { $0 }
        let refused = try await transaction({ db in
            try await db.rows("SET LOCAL synchronous_commit = on", logger: logger)
            var refused: [String: String] = [:]
            for (session, events) in sessions {
                let payloads: [String]
                do { payloads = try events.map { try JSONCoding.string($0.payload) } } catch {
                    refused[session] = "\(error)"
                    continue
                }
                try await db.rows("SAVEPOINT session_events", logger: logger)
                do {
                    try await Self.insert(db, logger: logger, session: session, events, payloads: payloads)
                    try await db.rows("RELEASE SAVEPOINT session_events", logger: logger)
                } catch {
                    let failure = PostgresStoreError(error)
                    guard failure.isAboutTheData else { throw failure }
                    try await db.rows("ROLLBACK TO SAVEPOINT session_events", logger: logger)
                    // A retried batch whose first COMMIT did go through (only its answer was lost): already stored.
                    if failure.isUniqueViolation, events.allSatisfy({ uncertain.contains("\(session)#\($0.seq)") }),
                       try await Self.alreadyStored(db, logger: logger, session: session, events) { continue }
                    refused[session] = failure.description
                }
            }
            return refused
        }, commitFailed: {
            self.uncertain.withLock { $0.formUnion(batch.map { "\($0.session)#\($0.event.seq)" }) }
        })
        if !uncertain.isEmpty { self.uncertain.withLock { $0.subtract(uncertain) } }
        return refused
    }

    private static func insert(_ db: PostgresConnection, logger: Logger, session: String, _ events: [LoggedEvent], payloads: [String]) async throws {
        // Arrays of optional values do not bind: a NULL is an empty string with a false flag beside it.
        try await db.rows("""
            INSERT INTO events (session_id, seq, kind, activity, actor, role, type, payload, client_id, at)
            SELECT \(session), e.seq, e.kind, CASE WHEN e.has_activity THEN e.activity END, e.actor, e.role, e.type, e.payload,
                   CASE WHEN e.has_client_id THEN e.client_id END, e.at
            FROM unnest(\(events.map(\.seq))::bigint[], \(events.map(\.kind.rawValue))::text[], \(events.map { $0.activity ?? "" })::text[],
                        \(events.map { $0.activity != nil })::bool[], \(events.map(\.actor))::text[], \(events.map(\.role.rawValue))::text[],
                        \(events.map(\.type))::text[], \(payloads)::text[], \(events.map { $0.clientId ?? "" })::text[],
                        \(events.map { $0.clientId != nil })::bool[], \(events.map(\.at))::bigint[])
                AS e(seq, kind, activity, has_activity, actor, role, type, payload, client_id, has_client_id, at)
            """, logger: logger)
        let status = events.last(where: { $0.sessionStatus != nil })?.sessionStatus?.rawValue
        let last = events.map(\.seq).max() ?? 0
        try await db.rows("UPDATE sessions SET seq = \(last), status = COALESCE(\(status), status) WHERE id = \(session)", logger: logger)
    }

    private static func alreadyStored(_ db: PostgresConnection, logger: Logger, session: String, _ events: [LoggedEvent]) async throws -> Bool {
        let rows = try await db.rows("""
            SELECT seq, type, actor, client_id, at FROM events WHERE session_id = \(session) AND seq = ANY(\(events.map(\.seq))::bigint[])
            """, logger: logger)
        var stored: [Int64: (String, String, String?, Int64)] = [:]
        for row in rows {
            let (seq, type, actor, client, at) = try row.decode((Int64, String, String, String?, Int64).self)
            stored[seq] = (type, actor, client, at)
        }
        return events.allSatisfy { e in
            guard let s = stored[e.seq] else { return false }
            return s.0 == e.type && s.1 == e.actor && s.2 == e.clientId && s.3 == e.at
        }
    }

    public func events(session: String, after seq: Int64) async throws -> [LoggedEvent] {
        try await rows("""
            SELECT seq, kind, activity, actor, role, type, payload, client_id, at FROM events
            WHERE session_id = \(session) AND seq > \(seq) ORDER BY seq
            """).map { row in
            let (seq, kind, activity, actor, role, type, payload, client, at) =
                try row.decode((Int64, String, String?, String, String, String, String, String?, Int64).self)
            return LoggedEvent(seq: seq, kind: EventKind(rawValue: kind) ?? .input, activity: activity, actor: actor,
                               role: ConnectionRole(rawValue: role) ?? .participant, type: type, payload: JSONCoding.parse(payload) ?? .null,
                               clientId: client, at: at)
        }
    }

    public func acceptedSeq(session: String, actor: String, clientId: String) async throws -> Int64? {
        try await rows("SELECT seq FROM events WHERE session_id = \(session) AND actor = \(actor) AND client_id = \(clientId)")
            .first.map { try $0.decode(Int64.self) }
    }

    // MARK: closing (as SQLiteSeal.swift)

    public func seal(session: String, anonymous: [String: [String: String]], confidential: [String: [String]]) async throws {
        try await transaction { db in
            for (activity, aliases) in anonymous {
                try await Self.sealAnonymous(db, logger: logger, session: session, activity: activity, aliases: aliases)
            }
            for (activity, types) in confidential where !types.isEmpty {
                for table in ["events", "sealed_inputs"] {
                    try await db.rows("""
                        UPDATE \(unescaped: table) SET payload = \(Redaction.payloadText)
                        WHERE session_id = \(session) AND activity = \(activity) AND type = ANY(\(types)::text[])
                        """, logger: logger)
                }
            }
            try await Self.audit(db, logger: logger, actor: nil, action: "session.seal", target: session, detail: nil)
        }
        try await vacuum(["events", "sealed_inputs", "activity_keys"])
    }

    private static func sealAnonymous(_ db: PostgresConnection, logger: Logger, session: String, activity: String, aliases: [String: String]) async throws {
        typealias Input = (seq: Int64, actor: String, type: String, payload: String, at: Int64)
        let inputs: [Input] = try await db.rows("""
            SELECT seq, actor, type, payload, at FROM events WHERE session_id = \(session) AND activity = \(activity) AND role = 'participant'
            """, logger: logger).map { row -> Input in
            let (seq, actor, type, payload, at) = try row.decode((Int64, String, String, String, Int64).self)
            return (seq, actor, type, payload, at)
        }
        var n = try await db.rows("SELECT count(*) FROM sealed_inputs WHERE session_id = \(session) AND activity = \(activity)", logger: logger)
            .first.map { try $0.decode(Int64.self) } ?? 0
        let at = AnonymousSeal.time(inputs.map(\.at))
        for (input, actor) in AnonymousSeal.order(inputs, participant: { $0.actor }, seq: { $0.seq }, aliases: aliases) {
            try await db.rows("""
                INSERT INTO sealed_inputs (session_id, activity, n, actor, role, type, payload, at)
                VALUES (\(session), \(activity), \(n), \(actor), 'participant', \(input.type), \(input.payload), \(at))
                """, logger: logger)
            n += 1
        }
        try await db.rows("DELETE FROM events WHERE session_id = \(session) AND activity = \(activity) AND role = 'participant'", logger: logger)
        try await db.rows("DELETE FROM activity_keys WHERE session_id = \(session) AND activity = \(activity)", logger: logger)
    }

    public func sealedInputs(session: String) async throws -> [SealedInput] {
        try await rows("SELECT activity, actor, type, payload, at FROM sealed_inputs WHERE session_id = \(session) ORDER BY activity, n").map { row in
            let (activity, actor, type, payload, at) = try row.decode((String, String, String, String, Int64).self)
            return SealedInput(activity: activity, actor: actor, type: type, payload: JSONCoding.parse(payload) ?? .null, at: at)
        }
    }

    // MARK: views and outputs

    public func saveViews(session: String, _ views: [StoredView]) async throws {
        let texts = try views.map { try JSONCoding.string($0.view) }
        try await transaction { db in
            try await db.rows("DELETE FROM views WHERE session_id = \(session)", logger: logger)
            for (v, text) in zip(views, texts) {
                try await db.rows("""
                    INSERT INTO views (session_id, activity, audience, seq, view) VALUES (\(session), \(v.activity), \(v.audience), \(v.seq), \(text))
                    """, logger: logger)
            }
        }
    }

    public func views(session: String) async throws -> [StoredView] {
        try await rows("SELECT activity, audience, seq, view FROM views WHERE session_id = \(session) ORDER BY activity, audience").map { row in
            let (activity, audience, seq, view) = try row.decode((String, String, Int64, String).self)
            return StoredView(activity: activity, audience: audience, seq: seq, view: JSONCoding.parse(view) ?? .null)
        }
    }

    @discardableResult
    public func saveOutputs(session: String, _ outputs: [StoredOutput]) async throws -> [StoredOutput] {
        let records = try outputs.map { try JSONCoding.string($0.record) }
        return try await transaction { db in
            var saved: [StoredOutput] = []
            for (o, record) in zip(outputs, records) {
                // Only a first store files: a replay that emits the output again adds no version.
                let inserted = try await db.rows("""
                    INSERT INTO outputs (session_id, instance, seq, idx, kind, record)
                    VALUES (\(session), \(o.instance), \(o.seq), \(o.index), \(o.kind), \(record))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger)
                guard !inserted.isEmpty else { continue }
                var stored = o
                stored.filed = try await self.file(db, o, session: session)?.stored
                if let filed = stored.filed {
                    try await db.rows("""
                        UPDATE outputs SET filed = \(filed) WHERE session_id = \(session) AND instance = \(o.instance) AND seq = \(o.seq) AND idx = \(o.index)
                        """, logger: logger)
                }
                saved.append(stored)
            }
            return saved
        }
    }

    public func outputs(session: String) async throws -> [StoredOutput] {
        try await rows("""
            SELECT instance, seq, idx, kind, record, filed FROM outputs WHERE session_id = \(session) ORDER BY seq, instance, idx
            """).map { row in
            let (instance, seq, index, kind, record, filed) = try row.decode((String, Int64, Int, String, String, String?).self)
            return StoredOutput(instance: instance, seq: seq, index: index, kind: kind, record: JSONCoding.parse(record) ?? .null, filed: filed)
        }
    }

    // MARK: audit log (as SQLiteAudit.swift; the trigger of migration v1-hub keeps it append-only)

    public func audit(actor: String?, action: String, target: String?, detail: String?) async throws {
        try await rows("INSERT INTO audit (at, actor, action, target, detail) VALUES (\(Self.now()), \(actor), \(action), \(target), \(detail))")
    }

    static func audit(_ db: PostgresConnection, logger: Logger, actor: String?, action: String, target: String?, detail: String?) async throws {
        try await db.rows("INSERT INTO audit (at, actor, action, target, detail) VALUES (\(now()), \(actor), \(action), \(target), \(detail))", logger: logger)
    }

    public func auditEntries(_ q: AuditQuery) async throws -> [AuditEntry] {
        try await rows("""
            SELECT a.id, a.at, a.actor, f.email, a.action, a.target, a.detail FROM audit a LEFT JOIN facilitators f ON f.id = a.actor
            WHERE (\(q.since)::bigint IS NULL OR a.at >= \(q.since)) AND (\(q.action)::text IS NULL OR a.action = \(q.action))
            ORDER BY a.id DESC LIMIT \(q.limit)
            """).reversed().map { row in
            let (id, at, actor, email, action, target, detail) = try row.decode((Int64, Int64, String?, String?, String, String?, String?).self)
            return AuditEntry(id: id, at: at, actor: actor, actorEmail: email, action: action, target: target, detail: detail)
        }
    }

    public func purgeAudit(before: Int64) async throws -> Int {
        let removed = try await rows("DELETE FROM audit WHERE at < \(before) RETURNING id").count
        if removed > 0 { try await vacuum(["audit"]) }
        return removed
    }
}
