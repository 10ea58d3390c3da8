import ArgumentParser
import Foundation
import Model
import PostgresStore
import Toolbox

/// A PostgreSQL store is backed up and restored with PostgreSQL's own tools (docs/SCALING.md).
func refusingPostgres(_ db: String, _ command: String) throws {
    guard PostgresStore.isStoreURL(db) else { return }
    throw Failure(message: "backup_unavailable: hubctl \(command) copies a SQLite file; a PostgreSQL store is backed up with PostgreSQL's own tools: "
                  + "pg_dump (a logical copy, restored with pg_restore) or pg_basebackup (a physical one); see docs/SCALING.md")
}

/// `hubctl backup`: a consistent copy of the database, while the hub runs or not (docs/OPERATIONS.md).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to a file with SQLite's online backup (safe while the hub runs).")

    @Option(help: "SQLite database file.") var db = "./data/hub.sqlite"
    @Option(help: "A PostgreSQL store: refused, use pg_dump (docs/SCALING.md).") var store: String?
    @Option(help: "The copy to write; an existing file is replaced.") var out: String
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting {
            try refusingPostgres(store ?? db, "backup")
            try existingDatabase(db)
            guard URL(fileURLWithPath: out).standardized.path != URL(fileURLWithPath: db).standardized.path else {
                throw Failure(message: "--out must not be the database itself")
            }
            let bytes: Int64
            do { bytes = try DatabaseBackup.copy(databaseAt: db, to: out) } catch { throw Failure(message: "backup failed: \(error)") }
            // The operator's copy, in the audit log of the database it copied (docs/PRIVACY.md).
            try await SQLiteStore(path: db).audit(actor: nil, action: "backup", target: out, detail: nil)
            if json {
                print(try JSONCoding.string(["file": JSONValue.string(out), "bytes": .int(bytes)] as JSONValue))
            } else {
                print("Backed up \(db) to \(out) (\(bytes) bytes)")
            }
        }
    }
}

/// `hubctl restore`: puts a checked backup in place of a stopped hub's database.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a stopped hub's database file, after an integrity check.",
        discussion: """
            Refuses while a process (the hub) has the database open, and when the database exists unless --force;
            with --force the old file and its -wal move aside to NAME.replaced-STAMP.
            """)

    @Option(help: "The backup to restore.") var from: String
    @Option(help: "The hub's database file to restore into.") var db = "./data/hub.sqlite"
    @Flag(help: "Replace an existing database (it is kept next to it, renamed).") var force = false

    func run() async throws {
        try await reporting {
            try refusingPostgres(db, "restore")
            let moved: [String]
            do { moved = try DatabaseBackup.restore(from: from, to: db, replace: force) } catch let e as DatabaseBackup.Failure {
                throw Failure(message: e.description)
            }
            for m in moved { print("Moved the old \(URL(fileURLWithPath: m).lastPathComponent) aside") }
            // The operator's restore, in the audit log of the restored database (docs/PRIVACY.md): the copy's
            // own log cannot know that it was brought back.
            try await SQLiteStore(path: db).audit(actor: nil, action: "restore", target: URL(fileURLWithPath: from).lastPathComponent, detail: nil)
            print("Restored \(from) into \(db); start the hub on it")
        }
    }
}
