import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Toolbox

/// One owner per live session among the nodes that share a PostgreSQL store (issue 21; docs/SCALING.md "One owner
/// per session"): the owner holds a session-level advisory lock on the session's id, on a connection of its own. A
/// node that dies (or loses that connection) releases its locks at once, without a lease to run out; the lock is
/// exclusive, so never two nodes hold one session. Beside the lock, `session_owners` names the holder's URL, for
/// the other nodes to relay to: it is written by the holder after it took the lock, so a row can be stale (its
/// node died) but the lock is the truth: a row is only believed while its session's lock is taken.
public actor PostgresOwnership: SessionOwnership {
    private let configuration: PostgresConnection.Configuration
    private let node: @Sendable () -> String
    private let logger: Logger
    private var connection: PostgresConnection?
    private var held: Set<String> = []
    private var nextId = 0
    public nonisolated let losses: AsyncStream<Void>
    private let lost: AsyncStream<Void>.Continuation

    /// `url`: the store's URL (its schema holds `session_owners`); `node`: this node's URL as the others reach it.
    public init(url: String, node: @escaping @Sendable () -> String) throws {
        let pool = try PostgresStore.configuration(url)
        var configuration: PostgresConnection.Configuration
        if let socket = pool.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: pool.username, password: pool.password, database: pool.database)
        } else {
            configuration = .init(host: pool.host ?? "127.0.0.1", port: pool.port ?? 5432, username: pool.username, password: pool.password,
                                  database: pool.database, tls: .disable)
        }
        configuration.options.additionalStartupParameters = pool.options.additionalStartupParameters
        configuration.options.connectTimeout = .seconds(5)
        self.configuration = configuration
        self.node = node
        var logger = Logger(label: "sessionhub.ownership")
        logger.logLevel = .error
        self.logger = logger
        (losses, lost) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The lock's key is `hashtextextended(session id, 0)`: 64 bits per session (a collision would only make two
    /// sessions share a node).
    public func claim(_ session: String) async throws -> Ownership {
        if held.contains(session) { return .mine }
        let db = try await open()
        do {
            let taken = try await db.query("SELECT pg_try_advisory_lock(hashtextextended(\(session), 0))", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            guard taken else {
                let rows = try await db.query("SELECT node_url FROM session_owners WHERE session_id = \(session)", logger: logger).collect()
                guard let url = try rows.first?.decode(String.self), url != node() else { return .changing }
                return .elsewhere(node: url)
            }
            held.insert(session)
            let me = node()
            try await db.query("""
                INSERT INTO session_owners (session_id, node_url, since) VALUES (\(session), \(me), \(PostgresStore.now()))
                ON CONFLICT (session_id) DO UPDATE SET node_url = excluded.node_url, since = excluded.since
                """, logger: logger).collect()
            return .mine
        } catch {
            throw PostgresStoreError(error)
        }
    }

    public func release(_ session: String) async {
        guard held.remove(session) != nil, let db = connection else { return }
        _ = try? await db.query("DELETE FROM session_owners WHERE session_id = \(session) AND node_url = \(node())", logger: logger).collect()
        _ = try? await db.query("SELECT pg_advisory_unlock(hashtextextended(\(session), 0))", logger: logger).collect()
    }

    public func formerlyMine() async throws -> [String]? {
        let db = try await open()
        do {
            return try await db.query("SELECT session_id FROM session_owners WHERE node_url = \(node()) ORDER BY session_id", logger: logger)
                .collect().map { try $0.decode(String.self) }
        } catch {
            throw PostgresStoreError(error)
        }
    }

    /// The lock connection, opened on first use and again after it broke.
    private func open() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        nextId += 1
        let db: PostgresConnection
        do {
            db = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                      id: nextId, logger: logger).get()
        } catch {
            throw PostgresStoreError(error)
        }
        connection = db
        db.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            Task { await self.closed(db) }
        }
        return db
    }

    /// The connection broke (or was closed): PostgreSQL released every lock it held, other nodes may take them now.
    private func closed(_ db: PostgresConnection) {
        guard connection === db else { return }
        connection = nil
        if !held.isEmpty {
            logger.error("lost the lock connection: giving up every session", metadata: ["sessions": "\(held.count)"])
            held = []
            lost.yield()
        }
    }

    /// Closes the lock connection: every session this node held is free for the others.
    public func close() async {
        held = []
        if let db = connection {
            connection = nil
            try? await db.close()
        }
    }
}
