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

/// How the room is split into groups.
public enum GroupMode: String, Codable, Sendable, CaseIterable {
    case random, function, org, manual
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

    public init(id: String, name: String? = nil, function: String? = nil, org: String? = nil, kicked: Bool = false) {
        self.id = id
        self.name = name
        self.function = function
        self.org = org
        self.kicked = kicked
    }
}

/// Group id → participant ids.
public typealias Groups = [String: [String]]
