import Foundation
import GRDB
import Model

/// The kinds of series (issue 18): a closed list, each with its Dutch title. A series made before journeys
/// existed may carry any other text as its kind; it is shown as it is.
public enum SeriesKind: String, Codable, Sendable, CaseIterable {
    case leerkring
    case themabijeenkomstProgramma = "themabijeenkomst-programma"
    case werkplaats

    public var title: LocalizedText {
        switch self {
        case .leerkring: return LocalizedText(nl: "Leerkring", en: "Learning circle")
        case .themabijeenkomstProgramma: return LocalizedText(nl: "Programma van themabijeenkomsten", en: "Programme of theme meetings")
        case .werkplaats: return LocalizedText(nl: "Werkplaats", en: "Workshop series")
        }
    }
}

/// Where a session of a series happens: a leerkring's local sessions are in the wijk.
public struct SessionLocation: Codable, Sendable, Hashable {
    public var name: String?
    public var address: String?
    /// A short route note ("tram 4 tot halte Hof van Egmond, ingang aan de achterkant").
    public var route: String?

    public init(name: String? = nil, address: String? = nil, route: String? = nil) {
        self.name = name
        self.address = address
        self.route = route
    }
}

/// One session of a journey, in its place in the order.
public struct PlannedSession: Codable, Sendable, Hashable {
    /// 1, 2, …: what `context.from.session` names.
    public var position: Int
    /// The session's id.
    public var session: String
    public var title: String
    /// `YYYY-MM-DD`.
    public var date: String?
    /// As written, e.g. `13:30-16:30`.
    public var time: String?
    public var location: SessionLocation?

    public init(position: Int, session: String, title: String, date: String? = nil, time: String? = nil, location: SessionLocation? = nil) {
        self.position = position
        self.session = session
        self.title = title
        self.date = date
        self.time = time
        self.location = location
    }
}

/// What makes a series a journey rather than a container (docs/SERIES.md): its themes, facilitators and
/// sessions in order. Kept as one JSON column next to the series row, so a series without it is the old container.
public struct SeriesJourney: Codable, Sendable, Hashable {
    public var themes: [String]
    public var facilitators: [String]
    /// The first date, when the file gave `start` (a template's `--start`).
    public var start: String?
    /// The template the file came from, if any.
    public var template: String?
    public var sessions: [PlannedSession]

    public init(themes: [String] = [], facilitators: [String] = [], start: String? = nil, template: String? = nil, sessions: [PlannedSession] = []) {
        self.themes = themes
        self.facilitators = facilitators
        self.start = start
        self.template = template
        self.sessions = sessions
    }
}

/// A store that keeps journeys (SQLite; others may follow: the hub asks `store as? any SeriesStore`).
public protocol SeriesStore: Sendable {
    func saveJourney(series: String, _ journey: SeriesJourney) async throws
    /// nil for a series that is only a container.
    func journey(series: String) async throws -> SeriesJourney?
}

extension SQLiteStore: SeriesStore {
    /// v11: a series' journey (issue 18). Old rows keep NULL: they are containers.
    static func registerSeriesJourneys(_ m: inout DatabaseMigrator) {
        m.registerMigration("v11-series-journeys") { db in
            try db.execute(sql: "ALTER TABLE series ADD COLUMN journey TEXT")
        }
    }

    public func saveJourney(series: String, _ journey: SeriesJourney) async throws {
        let text = String(decoding: try JSONCoding.encode(journey), as: UTF8.self)
        try await pool.write { db in
            try db.execute(sql: "UPDATE series SET journey = ? WHERE id = ?", arguments: [text, series])
            guard db.changesCount > 0 else { throw StoreError.notFound("series \(series)") }
        }
    }

    public func journey(series: String) async throws -> SeriesJourney? {
        try await pool.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT journey FROM series WHERE id = ?", arguments: [series]) else { return nil }
            return try JSONCoding.decode(SeriesJourney.self, from: text)
        }
    }
}
