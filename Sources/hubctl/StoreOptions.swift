import ArgumentParser
import Foundation
import PostgresStore
import SessionHub
import Toolbox

/// The store an offline command works on: the SQLite file (`--db`) or a PostgreSQL store (`--store`), as
/// `hubctl serve` takes them (docs/SCALING.md).
struct StoreOptions: ParsableArguments {
    @Option(help: "SQLite database file.") var db = "./data/hub.sqlite"
    @Option(help: "A PostgreSQL store instead of --db: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, as hubctl serve --store takes it (docs/SCALING.md).")
    var store: String?

    func validate() throws {
        guard let store else { return }
        guard PostgresStore.isStoreURL(store) else { throw ValidationError("--store takes a postgres:// URL; a SQLite file is --db FILE") }
        do { try PostgresStore.check(url: store) } catch { throw ValidationError("--store: \(error)") }
    }

    /// Runs `body` on the store, closed after. `mustExist`: a SQLite file that is missing is refused instead of
    /// created empty (listing a new, empty database would answer "nobody", as if that were the hub's).
    func with<T>(mustExist: Bool = true, _ body: (any ServedStore) async throws -> T) async throws -> T {
        if let url = store {
            let opened = try await PostgresStore(url: url, maximumConnections: 1)
            defer { opened.close() }
            return try await body(opened)
        }
        if mustExist { try existingDatabase(db) }
        return try await body(try SQLiteStore(path: db))
    }
}

/// Listing or removing reads a database that must exist: opening a missing path would create an empty
/// database there and answer "nobody", as if that were the hub's (only `facilitator add` creates one).
func existingDatabase(_ path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw Failure(message: "no database at \(path): give the hub's --db (only `hubctl facilitator add` creates one)")
    }
}
