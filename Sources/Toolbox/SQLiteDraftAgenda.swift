import Foundation
import GRDB
import Model

/// A draft session's agenda replaced from the editor (PUT /api/v1/sessions/{id}/agenda; docs/WEB.md "Agenda editor").
public enum DraftAgendaChange: Sendable, Equatable {
    case replaced
    /// The session has started or closed.
    case notDraft
    /// A facilitator already prepared the room (a `goto`, `groups`, `reorder`, … is logged): those commands name the
    /// old agenda's activities, and a replay against the new one would not mean what was done.
    case prepared
}

/// Editing a session's agenda (SQLite here, PostgreSQL in PostgresDraftAgenda.swift).
public protocol DraftAgendaStore: Sendable {
    /// Replaces the agenda, its file, title, date, language and series of a draft session whose log holds no command,
    /// with fresh activity keys. Audited as `session.agenda`.
    func replaceDraftAgenda(_ s: SessionRecord, activityKeys: [String: [UInt8]], actor: String?) async throws -> DraftAgendaChange
    /// Appends one item to the stored agenda of a session that is not closed, with its pseudonym key. Audited as
    /// `session.activity.add`.
    func appendActivity(session: String, _ item: AgendaItem, explicitId: Bool, key: [UInt8], actor: String?) async throws -> ActivityAddition
}

/// The rule both stores apply when an activity is appended.
public enum DraftAgenda {
    /// The agenda with `item` at the end: an item without an `id` of its own gets the first free `aN` after the
    /// agenda's length; nil when its own `id` is in use.
    public static func appending(_ item: AgendaItem, to agenda: [AgendaItem], explicitId: Bool) -> (agenda: [AgendaItem], item: AgendaItem)? {
        var added = item
        let used = Set(agenda.map(\.id))
        if explicitId {
            if used.contains(item.id) { return nil }
        } else {
            var n = agenda.count + 1
            while used.contains("a\(n)") { n += 1 }
            added.id = "a\(n)"
        }
        return (agenda + [added], added)
    }
}

extension SQLiteStore: DraftAgendaStore {
    /// Replaces the agenda, its file, title, date, language and series of a draft session whose log holds no command,
    /// with fresh activity keys (pseudonyms of the new activities); logged `$join`s stay and reach the new activities on
    /// replay, as they reach every activity. One transaction, audited as `session.agenda`.
    public func replaceDraftAgenda(_ s: SessionRecord, activityKeys: [String: [UInt8]], actor: String?) async throws -> DraftAgendaChange {
        let agenda = String(decoding: try JSONCoding.encode(s.agenda), as: UTF8.self)
        return try await pool.write { db in
            guard let status: String = try String.fetchOne(db, sql: "SELECT status FROM sessions WHERE id = ?", arguments: [s.id]),
                  status == SessionStatus.draft.rawValue else { return .notDraft }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM events WHERE session_id = ? AND kind = ? LIMIT 1",
                                arguments: [s.id, EventKind.command.rawValue]) != nil { return .prepared }
            try db.execute(sql: """
                UPDATE sessions SET series_id = ?, title = ?, date = ?, lang = ?, agenda_source = ?, agenda = ? WHERE id = ?
                """, arguments: [s.seriesId, s.title, s.date, s.lang.rawValue, s.agendaSource, agenda, s.id])
            try db.execute(sql: "DELETE FROM activity_keys WHERE session_id = ?", arguments: [s.id])
            for (activity, key) in activityKeys {
                try db.execute(sql: "INSERT INTO activity_keys (session_id, activity, key) VALUES (?, ?, ?)", arguments: [s.id, activity, Data(key)])
            }
            try Self.audit(db, actor: actor, action: "session.agenda", target: s.id)
            return .replaced
        }
    }
}

/// An activity added to a session's agenda while it is prepared or runs (POST /api/v1/sessions/{id}/activities;
/// docs/PROTOCOL.md "Adding an activity live").
public enum ActivityAddition: Sendable, Equatable {
    case added(AgendaItem)
    case closed
    case idInUse(String)
}

extension SQLiteStore {
    /// Appends one item to the stored agenda of a session that is not closed, with its pseudonym key; without an `id`
    /// of its own the item gets the first free `aN` after the agenda's length. The stored agenda is what every replay
    /// starts from, so the activity is there in every replay from now on, after the others (a logged `reorder` keeps it
    /// at the end: SessionState). Audited as `session.activity.add`.
    public func appendActivity(session: String, _ item: AgendaItem, explicitId: Bool, key: [UInt8], actor: String?) async throws -> ActivityAddition {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT status, agenda FROM sessions WHERE id = ?", arguments: [session]) else { return .closed }
            let status: String = row["status"]
            let stored: String = row["agenda"]
            if status == SessionStatus.closed.rawValue { return .closed }
            guard let appended = DraftAgenda.appending(item, to: try JSONCoding.decode([AgendaItem].self, from: stored), explicitId: explicitId) else {
                return .idInUse(item.id)
            }
            let added = appended.item
            try db.execute(sql: "UPDATE sessions SET agenda = ? WHERE id = ?",
                           arguments: [String(decoding: try JSONCoding.encode(appended.agenda), as: UTF8.self), session])
            try db.execute(sql: "INSERT OR REPLACE INTO activity_keys (session_id, activity, key) VALUES (?, ?, ?)", arguments: [session, added.id, Data(key)])
            try Self.audit(db, actor: actor, action: "session.activity.add", target: session, detail: added.id)
            return .added(added)
        }
    }
}
