import Foundation
import Model
import PostgresNIO
import Toolbox

/// Editing a session's agenda on PostgreSQL, as SQLiteDraftAgenda.swift does on SQLite: the same checks in one
/// transaction, the session's row locked (`FOR UPDATE`) so a concurrent start or close waits for it.
extension PostgresStore: DraftAgendaStore {
    public func replaceDraftAgenda(_ s: SessionRecord, activityKeys: [String: [UInt8]], actor: String?) async throws -> DraftAgendaChange {
        let agenda = String(decoding: try JSONCoding.encode(s.agenda), as: UTF8.self)
        return try await transaction { db in
            guard let row = try await db.rows("SELECT status FROM sessions WHERE id = \(s.id) FOR UPDATE", logger: self.logger).first,
                  try row.decode(String.self) == SessionStatus.draft.rawValue else { return .notDraft }
            if try await !db.rows("SELECT 1 FROM events WHERE session_id = \(s.id) AND kind = \(EventKind.command.rawValue) LIMIT 1",
                                  logger: self.logger).isEmpty { return .prepared }
            try await db.rows("""
                UPDATE sessions SET series_id = \(s.seriesId), title = \(s.title), date = \(s.date), lang = \(s.lang.rawValue),
                    agenda_source = \(s.agendaSource), agenda = \(agenda) WHERE id = \(s.id)
                """, logger: self.logger)
            try await db.rows("DELETE FROM activity_keys WHERE session_id = \(s.id)", logger: self.logger)
            for (activity, key) in activityKeys {
                try await db.rows("INSERT INTO activity_keys (session_id, activity, key) VALUES (\(s.id), \(activity), \(Data(key)))", logger: self.logger)
            }
            try await Self.audit(db, logger: self.logger, actor: actor, action: "session.agenda", target: s.id, detail: nil)
            return .replaced
        }
    }

    public func appendActivity(session: String, _ item: AgendaItem, explicitId: Bool, key: [UInt8], actor: String?) async throws -> ActivityAddition {
        try await transaction { db in
            guard let row = try await db.rows("SELECT status, agenda FROM sessions WHERE id = \(session) FOR UPDATE", logger: self.logger).first
            else { return .closed }
            let (status, stored) = try row.decode((String, String).self)
            if status == SessionStatus.closed.rawValue { return .closed }
            guard let added = try DraftAgenda.appending(item, to: JSONCoding.decode([AgendaItem].self, from: stored), explicitId: explicitId) else {
                return .idInUse(item.id)
            }
            let agenda = String(decoding: try JSONCoding.encode(added.agenda), as: UTF8.self)
            try await db.rows("UPDATE sessions SET agenda = \(agenda) WHERE id = \(session)", logger: self.logger)
            try await db.rows("""
                INSERT INTO activity_keys (session_id, activity, key) VALUES (\(session), \(added.item.id), \(Data(key)))
                ON CONFLICT (session_id, activity) DO UPDATE SET key = excluded.key
                """, logger: self.logger)
            try await Self.audit(db, logger: self.logger, actor: actor, action: "session.activity.add", target: session, detail: added.item.id)
            return .added(added.item)
        }
    }
}
