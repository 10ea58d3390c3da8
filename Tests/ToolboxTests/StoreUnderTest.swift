import Foundation
import PostgresStore
import Testing
import Toolbox

/// The stores the conformance suite runs against (issue 21): SQLite always, PostgreSQL when
/// SESSIONHUB_TEST_POSTGRES names a server (scripts/test and scripts/pg start a throw-away cluster and set it).
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL: String? = ProcessInfo.processInfo.environment["SESSIONHUB_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let available: [StoreKind] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    static let postgresSkipped = "SESSIONHUB_TEST_POSTGRES is unset: the store conformance suite runs on SQLite only (scripts/pg sets it)"
}

/// A fresh, empty store of one kind (a new file; a new PostgreSQL schema), and a second handle on the same data,
/// as another process or hub would open it.
struct StoreUnderTest {
    let kind: StoreKind
    let location: String
    let store: any HubStore

    static func fresh(_ kind: StoreKind) async throws -> StoreUnderTest {
        let location = try kind == .sqlite ? tempDB() : postgresSchemaURL()
        return StoreUnderTest(kind: kind, location: location, store: try await open(kind, location))
    }

    func reopen() async throws -> any HubStore { try await Self.open(kind, location) }

    private static func open(_ kind: StoreKind, _ location: String) async throws -> any HubStore {
        switch kind {
        case .sqlite: return try SQLiteStore(path: location)
        case .postgres: return try await PostgresStore(url: location, maximumConnections: 4)
        }
    }

    /// The test server's URL with a schema of its own, which the store creates.
    private static func postgresSchemaURL() throws -> String {
        guard let base = StoreKind.postgresURL else { throw StoreError.notFound(StoreKind.postgresSkipped) }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + schema
    }
}
