import PostgresNIO
import Toolbox

/// Series participants and their trios on PostgreSQL (docs/SERIES.md "Participants who continue"), as
/// SeriesParticipants.swift keeps them in SQLite: the same table, the same rules.
extension PostgresStore: SeriesParticipantStore {
    public func enrolSeriesParticipant(series: String, participant: String, domain: String?, at: Int64) async throws {
        try await rows("""
            INSERT INTO series_participants (series_id, participant, domain, joined_at) VALUES (\(series), \(participant), \(domain), \(at))
            ON CONFLICT (series_id, participant) DO UPDATE SET domain = COALESCE(excluded.domain, series_participants.domain)
            """)
    }

    public func seriesParticipants(series: String) async throws -> [SeriesParticipant] {
        try await rows("""
            SELECT participant, domain, trio, joined_at FROM series_participants WHERE series_id = \(series)
            ORDER BY joined_at, participant COLLATE "C"
            """).map { row in
            let (id, domain, trio, joinedAt) = try row.decode((String, String?, String?, Int64).self)
            return SeriesParticipant(id: id, domain: domain, trio: trio, joinedAt: joinedAt)
        }
    }

    public func keepTrios(series: String, _ labels: [String: String]) async throws {
        guard !labels.isEmpty else { return }
        try await transaction { db in
            for (p, label) in labels.sorted(by: { $0.key < $1.key }) {
                try await db.rows("UPDATE series_participants SET trio = \(label) WHERE series_id = \(series) AND participant = \(p)", logger: self.logger)
            }
        }
    }
}
