import Foundation
import Logging
import Model
import PostgresNIO
import Synchronization
import Toolbox

/// The shared store for several hubs (issue 21; docs/SCALING.md): the `HubStore` on PostgreSQL. Every write
/// is one transaction that has committed (WAL flushed: `synchronous_commit = on`, forced for the event log)
/// before the call returns, so an acknowledged input is as durable as with `SQLiteStore`.
///
/// It is all `hubctl serve --store postgres://…` needs (SessionHub's `ServedStore`): the kennisbank and gereedschapskist
/// (PostgresKennisbank.swift), retention (PostgresRetention.swift) and personal data (PostgresPersonalData.swift).
/// Backups are PostgreSQL's own tools' (docs/SCALING.md).
public final class PostgresStore: HubStore {
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
    /// The events (`session#seq`) of a batch whose COMMIT failed: it may have committed all the same, and only
    /// these may be found stored when the EventLog writes them again (PostgresEventLog.swift).
    let uncertain = Mutex<Set<String>>([])

    /// Connects and brings the schema up to date. `url`: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with
    /// libpq's `?host=/socket/dir` for a Unix socket and `?options=-c name=value` for session settings
    /// (`-c search_path=SCHEMA` puts the hub in a schema of its own, created when missing).
    public init(url: String, maximumConnections: Int = 10) async throws {
        var configuration = try Self.configuration(url)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        var logger = Logger(label: "sessionhub.postgres")
        logger.logLevel = .error
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
        do {
            if let schema = Self.firstSchema(configuration) {
                try await rows(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS " + Self.quoted(schema)))
            }
            try await PostgresSchema.migrate(client, logger: logger)
        } catch {
            running.cancel()
            throw PostgresStoreError(error)
        }
    }

    deinit { running.cancel() }

    /// Ends the connections; the store is unusable after.
    public func close() { running.cancel() }

    static func now() -> Int64 { WallClock.millis() }

    // MARK: connecting

    /// Whether `url` is a store URL this store understands; throws why not. Connects to nothing.
    public static func check(url: String) throws {
        _ = try configuration(url)
    }

    public static func isStoreURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? "") else {
            throw PostgresStoreError(message: "not a postgres:// URL: \(url)")
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let user = parts.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = parts.password
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        let database = path.isEmpty ? nil : path.removingPercentEncoding
        let port = parts.port ?? 5432
        var configuration: PostgresClient.Configuration
        if let dir = query["host"], dir.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            switch query["sslmode"] ?? "disable" {
            case "disable", "allow", "prefer": break
            default: throw PostgresStoreError(message: "sslmode \(query["sslmode"] ?? "") is not supported yet: reach PostgreSQL on loopback, a private network or a Unix socket (docs/SCALING.md)")
            }
            configuration = .init(host: parts.host ?? "127.0.0.1", port: port, username: user, password: password, database: database, tls: .disable)
        }
        configuration.options.additionalStartupParameters = try startupParameters(options: query["options"] ?? "")
        return configuration
    }

    /// The schema a `-c search_path=…` option names first: the store creates it when missing, so that one database
    /// can hold several hubs (and the tests a fresh schema each).
    static func firstSchema(_ configuration: PostgresClient.Configuration) -> String? {
        guard let path = configuration.options.additionalStartupParameters.last(where: { $0.0 == "search_path" })?.1,
              let first = path.split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty, first != "$user" else { return nil }
        return first.hasPrefix("\"") ? String(first.dropFirst().dropLast()) : first
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// libpq's `options`: `-c name=value` (or `-cname=value`) pairs, sent as startup parameters.
    static func startupParameters(options: String) throws -> [(String, String)] {
        var result: [(String, String)] = []
        var words = options.split(separator: " ").map(String.init)[...]
        while let word = words.popFirst() {
            guard word.hasPrefix("-c") else { throw PostgresStoreError(message: "options: only -c name=value is understood, not \(word)") }
            let setting = word == "-c" ? (words.popFirst() ?? "") : String(word.dropFirst(2))
            let pair = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw PostgresStoreError(message: "options: -c \(setting) is not name=value") }
            result.append((pair[0], pair[1]))
        }
        return result
    }

    // MARK: running statements

    /// Rows of a query run outside a transaction (each such statement commits on its own).
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do { return try await client.query(query, logger: logger).collect() } catch { throw PostgresStoreError.translated(error) }
    }

    /// One transaction: committed when `body` returns, rolled back when it throws; `body`'s own errors come out
    /// as thrown (postgres-nio's `withTransaction` would wrap them). A failed COMMIT leaves it open whether the
    /// transaction committed: the event log's retry knows that case (PostgresEventLog.swift).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T, commitFailed: () -> Void = {}) async throws -> T {
        do {
            return try await client.withConnection { db in
                try await db.rows("BEGIN", logger: logger)
                let value: T
                do { value = try await body(db) } catch {
                    _ = try? await db.rows("ROLLBACK", logger: logger)
                    throw BodyFailed(error: error)
                }
                do { try await db.rows("COMMIT", logger: logger) } catch {
                    commitFailed()
                    throw error
                }
                return value
            }
        } catch let failed as BodyFailed {
            // The body's own refusals (StoreError, PurgeRefused, …) stay what they are; only PostgreSQL's are wrapped.
            if failed.error is PSQLError || failed.error is PostgresTransactionError || failed.error is PostgresDecodingError { throw PostgresStoreError.translated(failed.error) }
            throw failed.error
        } catch let error as StoreError {
            throw error
        } catch {
            throw PostgresStoreError.translated(error)
        }
    }

    /// Carries an error of a transaction's body past postgres-nio's `withConnection` unchanged.
    private struct BodyFailed: Error { var error: any Error }
}

extension PostgresConnection {
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

/// A failure of PostgreSQL or of reaching it, with the server's SQLSTATE and message (PSQLError's own
/// description hides them).
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var sqlState: String?
    public var message: String

    init(message: String) {
        self.message = message
    }

    init(_ error: any Error) {
        if let e = error as? PostgresStoreError {
            self = e
        } else if let t = error as? PostgresTransactionError, let inner = t.closureError ?? t.commitError ?? t.beginError ?? t.rollbackError {
            self = PostgresStoreError(inner)
        } else if let e = error as? PSQLError {
            sqlState = e.serverInfo?[.sqlState]
            message = e.serverInfo?[.message] ?? "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        } else {
            message = "\(error)"
        }
    }

    public var description: String { sqlState.map { "PostgreSQL \($0): \(message)" } ?? message }

    /// Errors about the rows themselves (SQLSTATE classes 22, data, and 23, integrity): writing them again
    /// fails again. Everything else (the connection, the server, resources) is the database's state.
    var isAboutTheData: Bool {
        guard let state = sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    var isUniqueViolation: Bool { sqlState == "23505" }

    /// 22021 (`invalid byte sequence … 0x00`) and 22P05 (`unsupported Unicode escape sequence`, a JSON `\u0000`
    /// cast to `jsonb`): text with a NUL character, which PostgreSQL cannot keep. The caller sent it, so the
    /// caller gets a clear refusal (StoreError.unstorableText, 400 on the REST API), not a server error.
    var isNULInText: Bool { sqlState == "22021" || sqlState == "22P05" }

    /// A record's JSON as the store keeps it, refused when it holds an escaped NUL (`\u0000`): PostgreSQL keeps the
    /// text, but every later `::jsonb` of it fails, and with it every search or list the record is in.
    static func storable(json text: String) throws -> String {
        let bytes = Array(text.utf8), escape = Array(#"u0000"#.utf8)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\\") else { i += 1; continue }
            // Inside JSON strings a backslash always starts an escape of one character or of `uXXXX`.
            if i + 5 < bytes.count, Array(bytes[(i + 1)...(i + 5)]) == escape {
                throw nulRefused
            }
            i += 2
        }
        return text
    }

    static let nulRefused = StoreError.unstorableText("This text contains the NUL character (U+0000), which a PostgreSQL store cannot keep.")

    /// What a statement's failure becomes for the store's callers.
    static func translated(_ error: any Error) -> any Error {
        let failure = PostgresStoreError(error)
        return failure.isNULInText ? nulRefused : failure
    }
}
