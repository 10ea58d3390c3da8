/// Which node runs a live session when several hubs share one store (issue 21, docs/SCALING.md "One owner per
/// session"). A node loads a session only after `claim` said it is its own; every other node relays to the owner.
public protocol SessionOwnership: Sendable {
    /// Takes the session when no live node holds it. Calling it again for a session this node holds is cheap.
    func claim(_ session: String) async throws -> Ownership
    /// Gives the session up: this node has unloaded it (idle, deleted).
    func release(_ session: String) async
    /// Yields when this node may have lost every claim at once (its lock connection broke): it must then unload
    /// every session, so that never two nodes run one. Ends at once for a store with one node.
    var losses: AsyncStream<Void> { get }
    /// The sessions to load again at start: those this node held before it restarted (its own URL in the owner
    /// table); nil for one node on its own store, which loads every unfinished session.
    func formerlyMine() async throws -> [String]?
    /// At shutdown, after the event log is flushed: frees every session at once for the other nodes.
    func close() async
}

public enum Ownership: Sendable, Equatable {
    /// This node holds the session: it may load and run it.
    case mine
    /// Another live node holds it, reachable at this URL.
    case elsewhere(node: String)
    /// Held by a node that has not yet said where it is (it has just claimed): ask again in a moment.
    case changing
}

/// One hub on its own store (SQLite): every session is its own.
public struct SoleOwner: SessionOwnership {
    public init() {}

    public func claim(_ session: String) async throws -> Ownership { .mine }
    public func release(_ session: String) async {}
    public var losses: AsyncStream<Void> { AsyncStream { $0.finish() } }
    public func formerlyMine() async throws -> [String]? { nil }
    public func close() async {}
}
