import ArgumentParser
import Foundation
import Model
import SessionHub
import Toolbox

extension Keep: ExpressibleByArgument {
    public init?(argument: String) { self.init(text: argument) }
}

/// `hubctl purge`: the retention policy now (docs/PRIVACY.md "Retention"), on the running hub (owner
/// token) or on a stopped hub's database file (`--db`), and on the backups in its backup folder.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove what the retention policy says is due from closed sessions: names (with function and organisation) and inputs.",
        discussion: "Without --db it asks the running hub (an owner's token): the hub applies its own policy (hubctl serve --retain-names-days/--retain-inputs-days, series and agenda `retention:` fields) to its database and to the backups in its --backup-dir. With --db it works on a stopped hub's database file and the backups in --backup-dir (default: `backups` next to the file), with the defaults given here. --names-days and --inputs-days override every rule for this run (0: everything closed). Draft and open sessions are never touched; published kennisbank and gereedschapskist records stay. --dry-run lists what would go.")
    @OptionGroup var server: ServerOptions
    @Option(help: "A stopped hub's SQLite database file, instead of asking the running hub.") var db: String?
    @Option(name: .customLong("backup-dir"), help: "With --db: the folder of the hub's backups (default: `backups` next to --db).") var backupDir: String?
    @Option(name: .customLong("names-days"), help: "For this run: remove names of sessions closed at least this many days ago (or `never`), whatever the rules say.")
    var namesDays: Keep?
    @Option(name: .customLong("inputs-days"), help: "For this run: remove inputs of sessions closed at least this many days ago (or `never`), whatever the rules say.")
    var inputsDays: Keep?
    @Option(name: .customLong("retain-names-days"), help: "With --db: the default for names, as the hub's flag (default 90).")
    var retainNamesDays = RetentionPolicy.defaultNames
    @Option(name: .customLong("retain-inputs-days"), help: "With --db: the default for inputs, as the hub's flag (default 365).")
    var retainInputsDays = RetentionPolicy.defaultInputs
    @Flag(name: .customLong("dry-run"), help: "List what would be removed; change nothing.") var dryRun = false
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        try await reporting {
            let override = RetentionRule(names: namesDays, inputs: inputsDays)
            let report: JSONValue
            if let db {
                try existingDatabase(db)
                guard !DatabaseBackup.inUse(databaseAt: db) else {
                    throw Failure(message: "\(db) is open in a running process (a hub?): run `hubctl purge` without --db against that hub, or stop it first")
                }
                let folder = backupDir ?? URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("backups").path
                let purger = Purger(defaults: RetentionPolicy(names: retainNamesDays, inputs: retainInputsDays), override: override.isEmpty ? nil : override)
                let store = try SQLiteStore(path: db)
                let made = try await purger.run(store: store, backupDir: FileManager.default.fileExists(atPath: folder) ? folder : nil, dryRun: dryRun,
                                                now: Int64(Date().timeIntervalSince1970 * 1000), actor: nil, alwaysAudit: true)
                report = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(made))
            } else {
                var body: [String: JSONValue] = ["dryRun": .bool(dryRun)]
                if let namesDays { body["namesDays"] = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(namesDays)) }
                if let inputsDays { body["inputsDays"] = try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(inputsDays)) }
                let a = try await server.client().expect("POST", "/api/v1/admin/purge", body: try JSONCoding.encode(JSONValue.object(body)))
                report = a.json ?? .null
            }
            if json { printJSON(report) } else { Self.print(report) }
            let failed = (report["failures"]?.arrayValue?.count ?? 0) + (report["backups"]?.arrayValue ?? []).filter { $0["error"] != nil }.count
            if failed > 0 { throw Failure(message: "\(failed) session(s) or backup(s) could not be purged; see above") }
        }
    }

    static func print(_ r: JSONValue) {
        let dry = r["dryRun"]?.boolValue == true
        let sessions = r["sessions"]?.arrayValue ?? []
        Swift.print(sessions.isEmpty ? "No closed session is due." : (dry ? "Would purge:" : "Purged:"))
        for s in sessions {
            let kinds = (s["kinds"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "+")
            let closed = s["closedAt"]?.intValue.map(AuditCommand.iso) ?? "?"
            Swift.print("  \(s["session"]?.stringValue ?? "")  \(kinds.padding(toLength: 12, withPad: " ", startingAt: 0))  closed \(closed)  \(s["title"]?.stringValue ?? "")")
        }
        if let c = r["counts"], !dry {
            Swift.print("  \(c["joins"]?.intValue ?? 0) joins, \(c["inputs"]?.intValue ?? 0) inputs, \(c["views"]?.intValue ?? 0) views, \(c["outputs"]?.intValue ?? 0) outputs")
        }
        for b in r["backups"]?.arrayValue ?? [] {
            let n = b["sessions"]?.arrayValue?.count ?? 0
            if let e = b["error"]?.stringValue {
                Swift.print("Backup \(b["file"]?.stringValue ?? ""): not purged: \(e)")
            } else {
                Swift.print("Backup \(b["file"]?.stringValue ?? ""): \(dry ? "would purge" : "purged") \(n) session(s)")
            }
        }
        for f in r["failures"]?.arrayValue ?? [] {
            Swift.print("Not purged: \(f["session"]?.stringValue ?? ""): \(f["error"]?.stringValue ?? "")")
        }
        if !dry, r["scrubbed"]?.boolValue == false {
            Swift.print("Note: a reader kept the WAL from being truncated; the next purge tries again.")
        }
    }
}
