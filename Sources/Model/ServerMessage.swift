import Foundation

// MARK: - Hub → client

/// Every message the hub sends a client (docs/PROTOCOL.md), next to what clients send (`ClientMessage`,
/// Wire.swift): the wire protocol's one home. The hub builds no protocol JSON by hand; it builds one of
/// these and encodes it with `JSONCoding` (sorted keys), so the same message is always the same bytes.
public enum ServerMessage: Sendable, Hashable, Codable {
    case welcome(Welcome)
    case ack(Ack)
    case error(ErrorReply)
    case view(ViewUpdate)
    case session(SessionUpdate)
    case presence(Presence)
    case roster(Roster)
    case rosterDiff(RosterDiff)
    case pong

    /// The value of `t`.
    public var type: String {
        switch self {
        case .welcome: "welcome"
        case .ack: "ack"
        case .error: "error"
        case .view: "view"
        case .session: "session"
        case .presence: "presence"
        case .roster: "roster"
        case .rosterDiff: "roster-diff"
        case .pong: "pong"
        }
    }

    /// The one way to build an `error` message: the code, its message in the connection's language, the detail.
    public static func error(_ error: HubError, id: String? = nil, lang: Language) -> ServerMessage {
        .error(ErrorReply(id: id, code: error.code.rawValue, message: error.message(lang), detail: error.detail))
    }

    public static func ack(id: String, seq: Int64) -> ServerMessage { .ack(Ack(id: id, seq: seq)) }

    /// What is sent when a message cannot be encoded (a view nested too deep): never `null` in its place.
    public static let unencodable = #"{"t":"error","code":"internal","message":"A message could not be encoded."}"#

    /// The frame's text; throws when a plugin's view cannot be encoded.
    public func text() throws -> String { try JSONCoding.string(self) }

    /// Reads a frame the hub sent (tests and tools; the hub never reads these).
    public static func parse(_ text: String) throws -> ServerMessage { try JSONCoding.decode(ServerMessage.self, from: text) }

    enum TypeKey: String, CodingKey { case t }

    public func encode(to encoder: any Encoder) throws {
        // The body's keys and `t` share one object: Foundation's encoder merges keyed containers of one value.
        var c = encoder.container(keyedBy: TypeKey.self)
        try c.encode(type, forKey: .t)
        switch self {
        case .welcome(let m): try m.encode(to: encoder)
        case .ack(let m): try m.encode(to: encoder)
        case .error(let m): try m.encode(to: encoder)
        case .view(let m): try m.encode(to: encoder)
        case .session(let m): try m.encode(to: encoder)
        case .presence(let m): try m.encode(to: encoder)
        case .roster(let m): try m.encode(to: encoder)
        case .rosterDiff(let m): try m.encode(to: encoder)
        case .pong: break
        }
    }

    public init(from decoder: any Decoder) throws {
        let t = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .t)
        switch t {
        case "welcome": self = .welcome(try Welcome(from: decoder))
        case "ack": self = .ack(try Ack(from: decoder))
        case "error": self = .error(try ErrorReply(from: decoder))
        case "view": self = .view(try ViewUpdate(from: decoder))
        case "session": self = .session(try SessionUpdate(from: decoder))
        case "presence": self = .presence(try Presence(from: decoder))
        case "roster": self = .roster(try Roster(from: decoder))
        case "roster-diff": self = .rosterDiff(try RosterDiff(from: decoder))
        case "pong": self = .pong
        default:
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [TypeKey.t], debugDescription: "unknown server message `\(t)`"))
        }
    }

    public struct Ack: Codable, Sendable, Hashable {
        public var id: String
        public var seq: Int64
    }

    public struct ErrorReply: Codable, Sendable, Hashable {
        public var id: String?
        public var code: String
        public var message: String
        public var detail: String?
    }

    /// A plugin view for one audience; `audience` is its wire name (`me` for a participant's own view).
    public struct ViewUpdate: Codable, Sendable, Hashable {
        public var seq: Int64
        public var activity: String
        public var audience: String
        public var view: JSONValue

        public init(seq: Int64, activity: String, audience: String, view: JSONValue) {
            self.seq = seq
            self.activity = activity
            self.audience = audience
            self.view = view
        }
    }

    public struct SessionInfo: Codable, Sendable, Hashable {
        public var id: String
        public var code: String
        public var title: String
        public var lang: Language

        public init(id: String, code: String, title: String, lang: Language) {
            self.id = id
            self.code = code
            self.title = title
            self.lang = lang
        }
    }

    /// The whole state a connection starts from, as this connection may see it.
    public struct WelcomeState: Codable, Sendable, Hashable {
        public var status: SessionStatus
        public var agenda: [AgendaEntry]
        public var current: CurrentActivity
        /// All groups for a facilitator, the participant's own group name (or null), null for a beamer.
        public var groups: JSONValue
        /// activity → wire audience → view: every activity of the order, `{}` when it has no view for this connection.
        public var views: [String: [String: JSONValue]]

        public init(status: SessionStatus, agenda: [AgendaEntry], current: CurrentActivity, groups: JSONValue, views: [String: [String: JSONValue]]) {
            self.status = status
            self.agenda = agenda
            self.current = current
            self.groups = groups
            self.views = views
        }
    }

    public struct Welcome: Codable, Sendable, Hashable {
        public var role: ConnectionRole
        public var session: SessionInfo
        public var seq: Int64
        public var state: WelcomeState
        /// For participants: their id, their rejoin token, and per activity the id its plugin knows them by.
        public var participant: String?
        public var token: String?
        public var aliases: [String: String]?
        /// For a participant who keeps one identity across its series: the token that continues it in the
        /// series' other sessions (docs/SERIES.md "Participants who continue").
        public var seriesToken: String?

        public init(role: ConnectionRole, session: SessionInfo, seq: Int64, state: WelcomeState,
                    participant: String? = nil, token: String? = nil, aliases: [String: String]? = nil) {
            self.role = role
            self.session = session
            self.seq = seq
            self.state = state
            self.participant = participant
            self.token = token
            self.aliases = aliases
        }
    }

    /// What changed of the session (agenda, current activity, groups, plugin health).
    public struct SessionUpdate: Codable, Sendable, Hashable {
        public var seq: Int64
        public var status: SessionStatus
        public var agenda: [AgendaEntry]
        public var current: CurrentActivity
        public var groups: JSONValue

        public init(seq: Int64, status: SessionStatus, agenda: [AgendaEntry], current: CurrentActivity, groups: JSONValue) {
            self.seq = seq
            self.status = status
            self.agenda = agenda
            self.current = current
            self.groups = groups
        }
    }

    /// How many joined and how many are connected; facilitators also get the counts per function and group.
    public struct Presence: Codable, Sendable, Hashable {
        public var count: Int
        public var connected: Int
        public var byFunction: [String: Int]?
        public var byGroup: [String: Int]?
        /// Facilitators only (issue 20, an extension): the facilitator accounts with a connection to this session now,
        /// so co-facilitators see who else is in the console; absent when the hub sends none.
        public var facilitators: [FacilitatorPresent]?
        /// Facilitators only, when someone gave a domain at join (trios): joined participants per domain, `""` for none.
        public var byDomain: [String: Int]?

        public init(count: Int, connected: Int, byFunction: [String: Int]? = nil, byGroup: [String: Int]? = nil) {
            self.count = count
            self.connected = connected
            self.byFunction = byFunction
            self.byGroup = byGroup
        }
    }

    /// A facilitator account in the console (`presence.facilitators`).
    public struct FacilitatorPresent: Codable, Sendable, Hashable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// One participant as the facilitator's roster shows it; absent fields are sent as null.
    public struct RosterEntry: Codable, Sendable, Hashable {
        public var id: String
        public var name: String?
        public var function: String?
        public var org: String?
        public var group: String?
        public var connected: Bool
        /// Only when given at join (an extension: entries without one leave it out).
        public var domain: String?

        public init(id: String, name: String?, function: String?, org: String?, group: String?, connected: Bool, domain: String? = nil) {
            self.domain = domain
            self.id = id
            self.name = name
            self.function = function
            self.org = org
            self.group = group
            self.connected = connected
        }

        enum CodingKeys: String, CodingKey { case id, name, function, org, group, connected, domain }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)
            try c.encode(function, forKey: .function)
            try c.encode(org, forKey: .org)
            try c.encode(group, forKey: .group)
            try c.encode(connected, forKey: .connected)
            try c.encodeIfPresent(domain, forKey: .domain)
        }
    }

    public struct Roster: Codable, Sendable, Hashable {
        public var seq: Int64
        public var participants: [RosterEntry]

        public init(seq: Int64, participants: [RosterEntry]) {
            self.seq = seq
            self.participants = participants
        }
    }

    /// The entries that changed since the last roster or diff this connection got, and the ids that left.
    public struct RosterDiff: Codable, Sendable, Hashable {
        public var seq: Int64
        public var upsert: [RosterEntry]
        public var remove: [String]

        public init(seq: Int64, upsert: [RosterEntry], remove: [String]) {
            self.seq = seq
            self.upsert = upsert
            self.remove = remove
        }
    }
}

// MARK: - Audiences

/// Who a plugin view is for (CONTRACTS.md §3), parsed from and printed to the plugin's audience key in one place.
public enum Audience: Sendable, Hashable {
    case everyone
    case facilitators
    /// The members of a group, by its name.
    case group(String)
    /// One participant, by the id the plugin knows them by (their pseudonym unless the activity is `named`).
    case participant(alias: String)

    /// nil for an audience the hub does not know: such a view is kept but sent to nobody.
    public init?(key: String) {
        switch key {
        case "public": self = .everyone
        case "facilitator": self = .facilitators
        default:
            if key.hasPrefix("group:") { self = .group(String(key.dropFirst("group:".count))) }
            else if key.hasPrefix("participant:") { self = .participant(alias: String(key.dropFirst("participant:".count))) }
            else { return nil }
        }
    }

    /// The key plugins use (and the store keeps views under).
    public var key: String {
        switch self {
        case .everyone: "public"
        case .facilitators: "facilitator"
        case .group(let g): "group:\(g)"
        case .participant(let alias): "participant:\(alias)"
        }
    }

    /// The name a client sees in `view.audience` and welcome views: a participant's own view is `me`.
    public var wireName: String {
        if case .participant = self { return "me" }
        return key
    }
}

// MARK: - Filing

/// What became of a plugin output the store files into the kennisbank or gereedschapskist: filed as a
/// versioned record, or refused with the reason. Stored as `kb-…@2` or `invalid: …` (the column's format).
public enum Filing: Sendable, Hashable {
    case filed(as: String)
    case invalid(reason: String)

    static let invalidPrefix = "invalid: "

    public init(stored: String) {
        if stored.hasPrefix(Self.invalidPrefix) { self = .invalid(reason: String(stored.dropFirst(Self.invalidPrefix.count))) }
        else { self = .filed(as: stored) }
    }

    public var stored: String {
        switch self {
        case .filed(let id): id
        case .invalid(let reason): Self.invalidPrefix + reason
        }
    }
}

// MARK: - Time

/// The hub's one wall clock: milliseconds since 1970, as events, records and the store stamp them.
public enum WallClock {
    public static func millis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
