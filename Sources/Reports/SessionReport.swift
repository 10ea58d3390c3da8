import Foundation
import Model

/// What a session report holds (docs/REPORTS.md), gathered by the hub and rendered here as HTML, Markdown or
/// JSON. Everything in it may be shown to whoever may read the session's export: counts rather than names,
/// plugin sections rather than views, and nothing of a confidential input.
public struct SessionReport: Codable, Sendable, Hashable {
    public struct Session: Codable, Sendable, Hashable {
        public var id: String
        public var code: String
        public var title: String
        public var date: String?
        public var status: String
        public var lang: Language
        public var series: String?
        /// When the session was started and closed (ms since 1970), if it was.
        public var startedAt: Int64?
        public var closedAt: Int64?

        public init(id: String, code: String, title: String, date: String?, status: String, lang: Language, series: String?,
                    startedAt: Int64?, closedAt: Int64?) {
            self.id = id
            self.code = code
            self.title = title
            self.date = date
            self.status = status
            self.lang = lang
            self.series = series
            self.startedAt = startedAt
            self.closedAt = closedAt
        }
    }

    /// One agenda item with when it was first current and for how long, in all (minutes, rounded).
    public struct AgendaRow: Codable, Sendable, Hashable {
        public var id: String
        public var title: String
        public var plugin: String
        public var startedAt: Int64?
        public var minutes: Int?
        public var current: Bool

        public init(id: String, title: String, plugin: String, startedAt: Int64?, minutes: Int?, current: Bool) {
            self.id = id
            self.title = title
            self.plugin = plugin
            self.startedAt = startedAt
            self.minutes = minutes
            self.current = current
        }
    }

    public struct Count: Codable, Sendable, Hashable {
        /// nil: not given at join.
        public var label: String?
        public var count: Int

        public init(label: String?, count: Int) {
            self.label = label
            self.count = count
        }
    }

    /// Who came, in numbers: never names (named activities may name people in their own sections).
    public struct Attendance: Codable, Sendable, Hashable {
        public var total: Int
        public var byFunction: [Count]
        public var byOrganisation: [Count]

        public init(total: Int, byFunction: [Count], byOrganisation: [Count]) {
            self.total = total
            self.byFunction = byFunction
            self.byOrganisation = byOrganisation
        }

        /// Counts per function and organisation, most first, ties by name; "not given" last.
        public static func count(_ people: [(function: String?, org: String?)]) -> Attendance {
            func tally(_ values: [String?]) -> [Count] {
                var n: [String: Int] = [:]
                var missing = 0
                for v in values {
                    if let v, !v.isEmpty { n[v, default: 0] += 1 } else { missing += 1 }
                }
                let known = n.map { Count(label: $0.key, count: $0.value) }
                    .sorted { $0.count == $1.count ? $0.label! < $1.label! : $0.count > $1.count }
                return known + (missing > 0 ? [Count(label: nil, count: missing)] : [])
            }
            return Attendance(total: people.count, byFunction: tally(people.map(\.function)), byOrganisation: tally(people.map(\.org)))
        }
    }

    /// One activity's results: the sections its plugin emitted last, or one made from its public view.
    public struct Activity: Codable, Sendable, Hashable {
        public enum Source: String, Codable, Sendable { case plugin, view, none }
        public var id: String
        public var title: String
        public var plugin: String
        public var source: Source
        public var sections: [Section]

        public init(id: String, title: String, plugin: String, source: Source, sections: [Section]) {
            self.id = id
            self.title = title
            self.plugin = plugin
            self.source = source
            self.sections = sections
        }
    }

    /// A kennisbank description or gereedschapskist item the session filed, with where to read it.
    public struct Produced: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable { case kennisbank, gereedschapskist }
        public var kind: Kind
        public var id: String
        public var version: Int?
        public var title: String
        public var activity: String
        public var link: String

        public init(kind: Kind, id: String, version: Int?, title: String, activity: String, link: String) {
            self.kind = kind
            self.id = id
            self.version = version
            self.title = title
            self.activity = activity
            self.link = link
        }
    }

    public var session: Session
    public var generatedAt: Int64
    public var agenda: [AgendaRow]
    public var attendance: Attendance
    public var activities: [Activity]
    public var produced: [Produced]

    public init(session: Session, generatedAt: Int64, agenda: [AgendaRow], attendance: Attendance, activities: [Activity], produced: [Produced]) {
        self.session = session
        self.generatedAt = generatedAt
        self.agenda = agenda
        self.attendance = attendance
        self.activities = activities
        self.produced = produced
    }
}
