import Foundation

/// Lifecycle of a session (CONTRACTS.md §1, "By session status").
public enum SessionStatus: String, Codable, Sendable {
    case draft = "draft", open = "open", closed = "closed"
}

/// What a connection is.
public enum ConnectionRole: String, Codable, Sendable {
    case participant, facilitator, beamer, system
}

/// Per-activity anonymity, enforced by the hub (CONTRACTS.md §2).
public enum Anonymity: String, Codable, Sendable, CaseIterable {
    case named, pseudonymous, anonymous
}

public enum FacilitatorRole: String, Codable, Sendable, CaseIterable {
    case owner
    case coFacilitator = "co-facilitator"

    /// Deleting a session's data cannot be undone, so only owners may (docs/ROLES.md).
    public var mayDelete: Bool { self == .owner }
}

/// How the room is split into groups. `trio`: a leerkring's trios (one fysiek, one sociaal, one other),
/// formed once in a series and reused (docs/SERIES.md "Trios").
public enum GroupMode: String, Codable, Sendable, CaseIterable {
    case random, function, org, manual, trio
}

/// The domain a participant works in, asked at join when a series forms trios (docs/SERIES.md "Trios"):
/// the fysiek domein (housing, public space), the sociaal domein (care, welfare), or informeel (residents,
/// volunteers). A wijkprofessional of neither gives none or `informeel`.
public enum ParticipantDomain: String, Codable, Sendable, CaseIterable {
    case fysiek, sociaal, informeel
}

public struct GroupSpec: Codable, Sendable, Hashable {
    public var mode: GroupMode
    public var size: Int?

    public init(mode: GroupMode, size: Int? = nil) {
        self.mode = mode
        self.size = size
    }
}

/// One agenda item as created: an instance of a plugin with its configuration.
public struct AgendaItem: Codable, Sendable, Hashable {
    public var id: String
    public var plugin: String
    public var title: String
    public var config: JSONValue
    public var anonymity: Anonymity
    public var groups: GroupSpec?
    /// References as resolved and stored when the session was created.
    public var context: JSONValue

    public init(
        id: String, plugin: String, title: String, config: JSONValue = .object([:]),
        anonymity: Anonymity = .pseudonymous, groups: GroupSpec? = nil, context: JSONValue = .object([:])
    ) {
        self.id = id
        self.plugin = plugin
        self.title = title
        self.config = config
        self.anonymity = anonymity
        self.groups = groups
        self.context = context
    }
}

/// A participant as the hub knows them. Name, function and organisation are optional by design (AVG).
public struct Participant: Codable, Sendable, Hashable {
    public var id: String
    public var name: String?
    public var function: String?
    public var org: String?
    public var kicked: Bool
    /// `fysiek`, `sociaal` or `informeel` when given at join (for trios).
    public var domain: String?
    /// Joined with one identity across the sessions of its series (opted in, or continuing with a series token).
    public var seriesMember: Bool

    public init(id: String, name: String? = nil, function: String? = nil, org: String? = nil, kicked: Bool = false,
                domain: String? = nil, seriesMember: Bool = false) {
        self.id = id
        self.name = name
        self.function = function
        self.org = org
        self.kicked = kicked
        self.domain = domain
        self.seriesMember = seriesMember
    }

    enum CodingKeys: String, CodingKey { case id, name, function, org, kicked, domain, seriesMember }

    /// Participants encoded before series identities existed decode as ones without a domain, not in a series.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        function = try c.decodeIfPresent(String.self, forKey: .function)
        org = try c.decodeIfPresent(String.self, forKey: .org)
        kicked = try c.decodeIfPresent(Bool.self, forKey: .kicked) ?? false
        domain = try c.decodeIfPresent(String.self, forKey: .domain)
        seriesMember = try c.decodeIfPresent(Bool.self, forKey: .seriesMember) ?? false
    }
}

/// Group id → participant ids.
public typealias Groups = [String: [String]]
