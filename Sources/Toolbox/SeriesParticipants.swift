import Foundation
import GRDB
import Model

/// Someone who keeps one identity across the sessions of a series (docs/SERIES.md "Participants who continue"):
/// their participant id is the same in every session they join with their series token. Kept with the series:
/// the id, the domain they gave (for trios) and the trio they were put in the first time trios were formed.
/// No name: attendance is read from the sessions' joins, and names stay in the sessions, under their retention.
public struct SeriesParticipant: Codable, Sendable, Hashable {
    public var id: String
    public var domain: String?
    /// `t1`, `t2`, …: the trio kept for the series, reused whenever a session forms `trio` groups.
    public var trio: String?
    public var joinedAt: Int64

    public init(id: String, domain: String? = nil, trio: String? = nil, joinedAt: Int64) {
        self.id = id
        self.domain = domain
        self.trio = trio
        self.joinedAt = joinedAt
    }
}

/// A store that keeps series participants and their trios (SQLite; the hub asks `store as? any SeriesParticipantStore`,
/// and without one, joins and groups work per session as before).
public protocol SeriesParticipantStore: Sendable {
    /// Adds them, or keeps the one there is; a given domain replaces the kept one.
    func enrolSeriesParticipant(series: String, participant: String, domain: String?, at: Int64) async throws
    func seriesParticipants(series: String) async throws -> [SeriesParticipant]
    /// Keeps the trio label of each participant named (series participants only; others are left alone).
    func keepTrios(series: String, _ labels: [String: String]) async throws
}

extension SQLiteStore: SeriesParticipantStore {
    /// v12: series participants and their trios (issue 18).
    static func registerSeriesParticipants(_ m: inout DatabaseMigrator) {
        m.registerMigration("v12-series-participants") { db in
            try db.execute(sql: """
                CREATE TABLE series_participants (
                    series_id TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE ON UPDATE CASCADE,
                    participant TEXT NOT NULL, domain TEXT, trio TEXT, joined_at INTEGER NOT NULL,
                    PRIMARY KEY (series_id, participant));
                """)
        }
    }

    public func enrolSeriesParticipant(series: String, participant: String, domain: String?, at: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO series_participants (series_id, participant, domain, joined_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (series_id, participant) DO UPDATE SET domain = COALESCE(excluded.domain, domain)
                """, arguments: [series, participant, domain, at])
        }
    }

    public func seriesParticipants(series: String) async throws -> [SeriesParticipant] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT participant, domain, trio, joined_at FROM series_participants WHERE series_id = ? ORDER BY joined_at, participant
                """, arguments: [series]).map {
                SeriesParticipant(id: $0["participant"], domain: $0["domain"], trio: $0["trio"], joinedAt: $0["joined_at"])
            }
        }
    }

    public func keepTrios(series: String, _ labels: [String: String]) async throws {
        guard !labels.isEmpty else { return }
        try await pool.write { db in
            for (p, label) in labels.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "UPDATE series_participants SET trio = ? WHERE series_id = ? AND participant = ?", arguments: [label, series, p])
            }
        }
    }
}
