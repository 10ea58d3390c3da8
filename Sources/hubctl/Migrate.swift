import ArgumentParser
import Foundation
import Model
import PostgresStore

/// `hubctl migrate --from sqlite FILE --to postgres://…`: moves a stopped hub from its SQLite file into an empty
/// PostgreSQL store (docs/SCALING.md "Moving a hub to PostgreSQL"; the copy is PostgresImport.swift).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a stopped hub from its SQLite file to an empty PostgreSQL store.",
        discussion: "Copies every table (sessions, events, views, outputs, facilitators, tokens, contributors, series, the kennisbank and "
            + "gereedschapskist with their versions, the audit log, secrets, purge marks, …) in one PostgreSQL transaction, rebuilds the "
            + "full-text index, and compares the row counts of every table before it commits. It refuses, changing nothing: a SQLite file "
            + "a process has open (stop the hub first), a PostgreSQL target that holds any data, and a table or column it does not know. "
            + "The SQLite file keeps its data; afterwards serve the hub with `hubctl serve --store URL` (docs/SCALING.md).")

    @Option(help: ArgumentHelp("The kind of the source store: sqlite (the only one).", valueName: "kind"))
    var from: String

    @Argument(help: ArgumentHelp("The stopped hub's SQLite database file (e.g. ./data/hub.sqlite).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The empty PostgreSQL store: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, with ?options=-csearch_path%3DSCHEMA for a schema of its own.",
                               valueName: "url"))
    var to: String

    @Flag(help: "Print the rows copied per table as JSON.")
    var json = false

    func validate() throws {
        guard from == "sqlite" else { throw ValidationError("--from: only sqlite can be migrated from, not \(from)") }
        guard PostgresStore.isStoreURL(to) else { throw ValidationError("--to must be a postgres:// URL, not \(to)") }
        do { try PostgresStore.check(url: to) } catch { throw ValidationError("--to: \(error)") }
    }

    func run() async throws {
        try await reporting {
            let report: PostgresImport.Report
            do {
                report = try await PostgresImport(sqlitePath: file, targetURL: to).run()
            } catch {
                throw Failure(message: "migrate: \(error)")
            }
            if json {
                let rows = report.counts.map { ($0.table, JSONValue.int(Int64($0.rows))) }
                print(try JSONCoding.string(JSONValue.object(Dictionary(uniqueKeysWithValues: rows))))
                return
            }
            print(report.summary)
            for (table, rows) in report.counts {
                print("  \(table.padding(toLength: 22, withPad: " ", startingAt: 0)) \(rows)")
            }
        }
    }
}
