import Foundation

/// What kind of thing an accepted event was. Everything that changes a session is one of these,
/// so the session and its plugins can be rebuilt from the log alone.
public enum EventKind: String, Codable, Sendable {
    case input
    case command
    /// A participant's first join; carries their optional name, function and organisation.
    case join
}

/// One row of the append-only event log.
public struct LoggedEvent: Codable, Sendable, Hashable {
    public var seq: Int64
    public var kind: EventKind
    public var activity: String?
    /// Participant id, facilitator account id, or `$hub`.
    public var actor: String
    public var role: ConnectionRole
    public var type: String
    public var payload: JSONValue
    /// The sender's idempotency id (`input.id` / `command.id`); nil for system events.
    public var clientId: String?
    public var at: Int64

    public init(
        seq: Int64, kind: EventKind, activity: String?, actor: String, role: ConnectionRole, type: String,
        payload: JSONValue, clientId: String?, at: Int64
    ) {
        self.seq = seq
        self.kind = kind
        self.activity = activity
        self.actor = actor
        self.role = role
        self.type = type
        self.payload = payload
        self.clientId = clientId
        self.at = at
    }

    /// The key under which a resent id finds its original ack: per participant, or per facilitator account.
    public var idempotencyKey: String? {
        clientId.map { IdempotencyKey.make(actor: actor, clientId: $0) }
    }
}

public enum IdempotencyKey {
    public static func make(actor: String, clientId: String) -> String { actor + "\u{1F}" + clientId }
}

/// A system event a plugin instance receives because of an accepted event (CONTRACTS.md §2).
public struct PluginDelivery: Sendable, Hashable {
    public var activity: String
    public var type: String
    public var payload: JSONValue
    /// For inputs: the sender; for system events: `$hub`.
    public var actor: String
    public var role: ConnectionRole

    public init(activity: String, type: String, payload: JSONValue, actor: String, role: ConnectionRole) {
        self.activity = activity
        self.type = type
        self.payload = payload
        self.actor = actor
        self.role = role
    }
}

public enum SystemActor {
    public static let id = "$hub"
}
