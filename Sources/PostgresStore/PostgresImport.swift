import Foundation
import GRDB
import Logging
import PostgresNIO
import Toolbox

/// `hubctl migrate --from sqlite FILE --to postgres://…` (issue 21; docs/SCALING.md "Moving a hub to PostgreSQL"):
/// copies every table of a stopped hub's SQLite file into an empty PostgreSQL store, in one PostgreSQL transaction,
/// so that a failure leaves the target as it was.
///
/// It cannot silently lose data: every SQLite table is either copied (`copied`, with exactly the columns listed), known
/// to need no copy (`rebuilt`: GRDB's bookkeeping and the FTS5 tables, whose words PostgreSQL indexes anew), or held only
/// by SQLite (`sqliteOnly`: refused unless empty). A table or column the copier does not know (a newer migration) makes
/// it refuse, and the row counts of both sides must agree before the transaction commits.
public struct PostgresImport: Sendable {
    public let sqlitePath: String
    public let targetURL: String

    public init(sqlitePath: String, targetURL: String) {
        self.sqlitePath = sqlitePath
        self.targetURL = targetURL
    }

    /// The rows copied, per table, in the copier's order.
    public struct Report: Sendable {
        public var counts: [(table: String, rows: Int)]

        public func rows(_ table: String) -> Int { counts.first { $0.table == table }?.rows ?? 0 }

        /// `migrated 2 sessions, 140 events, …`: the tables a person recognises first, then the rest in the report's table.
        public var summary: String {
            let named: [(String, String)] = [
                ("sessions", "sessions"), ("events", "events"), ("facilitators", "facilitators"), ("tokens", "tokens"),
                ("series", "series"), ("interventions", "kennisbank records"), ("intervention_versions", "record versions"),
                ("toolkit_items", "toolkit items"), ("audit", "audit entries"),
            ]
            return "migrated " + named.map { "\(rows($0.0)) \($0.1)" }.joined(separator: ", ")
        }
    }

    /// What a column holds, so that SQLite's loose typing becomes PostgreSQL's column type without guessing.
    enum Kind: Sendable { case text, integer, blob, boolean }

    /// One SQLite table copied into the PostgreSQL table of the same name and the same column names.
    struct Table: Sendable {
        var name: String
        var columns: [(name: String, kind: Kind)]
        /// SQLite's `WITHOUT ROWID` tables are read in primary-key order with an offset; the others by rowid.
        var orderBy: String? = nil
        /// A `GENERATED ALWAYS AS IDENTITY` column in PostgreSQL: its values are kept and its sequence moved past them.
        var identity: String? = nil
        /// The FTS5 table whose `body` PostgreSQL keeps in the record's `body`, indexes in `words` and counts in `tokens`.
        var fullText: String? = nil
    }

    static func t(_ name: String, _ columns: String, orderBy: String? = nil, identity: String? = nil, fullText: String? = nil) -> Table {
        Table(name: name, columns: columns.split(separator: " ").map { spec in
            let parts = spec.split(separator: ":")
            let kind: Kind = switch parts.count > 1 ? parts[1] : "t" {
            case "i": .integer
            case "b": .blob
            case "bool": .boolean
            default: .text
            }
            return (String(parts[0]), kind)
        }, orderBy: orderBy, identity: identity, fullText: fullText)
    }

    /// Every table of the hub, parents before children (PostgreSQL checks the foreign keys row by row).
    /// `:i` integer, `:b` bytes, `:bool` SQLite's 0/1; text otherwise.
    static let copied: [Table] = [
        t("settings", "name value:b"),
        t("facilitators", "id email name password_hash role created_at:i"),
        t("tokens", "hash facilitator_id created_at:i revoked_at:i last_used_at:i"),
        t("contributors", "id name email organisation invited_by created_at:i revoked_at:i token_hash"),
        t("series", "id title kind description created_at:i journey"),
        t("series_participants", "series_id participant domain trio joined_at:i", orderBy: "series_id, participant"),
        t("sessions", "id code series_id title date lang agenda_source agenda status seq:i created_at:i created_by"),
        t("activity_keys", "session_id activity key:b"),
        t("events", "session_id seq:i kind activity actor role type payload client_id at:i"),
        t("sealed_inputs", "session_id activity n:i actor role type payload at:i", orderBy: "session_id, activity, n"),
        t("views", "session_id activity audience seq:i view"),
        t("outputs", "session_id instance seq:i idx:i kind record filed"),
        t("audit", "id:i at:i actor action target detail", identity: "id"),
        t("series_retention", "series_id rule"),
        t("session_purges", "session_id kind at:i", orderBy: "session_id, kind"),
        t("effects", "id domain data position:i"),
        t("effect_versions", "version:i data author at:i"),
        t("monitoring_entries", "id intervention date data"),
        t("interventions", "rid:i id version:i title data searchable:bool updated_at:i", identity: "rid", fullText: "interventions_fts"),
        t("intervention_versions", "id version:i data author at:i"),
        t("intervention_facets", "rid:i facet value", orderBy: "rid, facet, value"),
        t("toolkit_items", "rid:i id version:i title data searchable:bool updated_at:i", identity: "rid", fullText: "toolkit_fts"),
        t("toolkit_versions", "id version:i data author at:i"),
        t("toolkit_facets", "rid:i facet value", orderBy: "rid, facet, value"),
    ]

    /// SQLite tables with nothing to copy: GRDB's and SQLite's bookkeeping, and the FTS5 indexes (PostgreSQL indexes
    /// the same words itself, from the records' titles and the FTS5 `body` column read with them).
    static let rebuilt: Set<String> = {
        var names: Set<String> = ["grdb_migrations", "sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"]
        for fts in ["interventions_fts", "toolkit_fts"] {
            names.insert(fts)
            for shadow in ["data", "idx", "content", "docsize", "config"] { names.insert("\(fts)_\(shadow)") }
        }
        return names
    }()

    /// SQLite tables the PostgreSQL store does not hold yet, with why: refused while they have rows, so nothing is
    /// dropped on the way; skipped when empty.
    static let sqliteOnly: [String: String] = [:]

    /// The row count of every table in `copied`, after checking that every table and column of the file is known.
    /// Reads only; the file must exist. For the tests and `hubctl migrate --dry-run`.
    public static func survey(sqliteAt path: String) throws -> [(table: String, rows: Int)] {
        guard FileManager.default.fileExists(atPath: path) else { throw PostgresImportError("no SQLite file at \(path)") }
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try check(db) }
    }

    /// Refuses a table or column the copier does not know, and a SQLite-only table with rows; returns the counts.
    static func check(_ db: GRDB.Database) throws -> [(table: String, rows: Int)] {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        let known = Set(copied.map(\.name)).union(rebuilt).union(sqliteOnly.keys)
        let unknown = tables.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw PostgresImportError("the SQLite file has tables the migration does not know: \(unknown.joined(separator: ", ")) "
                                      + "(a newer hub's? PostgresImport.swift must learn them before they can be moved; nothing was copied)")
        }
        for (name, why) in sqliteOnly.sorted(by: { $0.key < $1.key }) where tables.contains(name) {
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(name)") ?? 0
            guard n == 0 else { throw PostgresImportError("\(name) has \(n) rows and \(why): moving would lose them; nothing was copied") }
        }
        var counts: [(table: String, rows: Int)] = []
        for table in copied {
            guard tables.contains(table.name) else { throw PostgresImportError("the SQLite file has no table \(table.name): is it a SessionHub database?") }
            let columns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table.name))").map { $0["name"] as String })
            let expected = Set(table.columns.map(\.name))
            guard columns == expected else {
                let extra = columns.subtracting(expected).sorted(), missing = expected.subtracting(columns).sorted()
                throw PostgresImportError("table \(table.name) does not have the columns the migration knows"
                                          + (extra.isEmpty ? "" : "; unknown: \(extra.joined(separator: ", "))")
                                          + (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))") + "; nothing was copied")
            }
            counts.append((table.name, try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0))
        }
        return counts
    }

    /// Copies the hub. Refuses a file a process has open (a running hub), a target that holds data, and anything
    /// `check` refuses; the target is left as it was when it fails (its schema is created, empty, if it was missing).
    public func run() async throws -> Report {
        guard FileManager.default.fileExists(atPath: sqlitePath) else { throw PostgresImportError("no SQLite file at \(sqlitePath)") }
        // Before this process opens the file itself: the probe's close would drop our own locks.
        guard !DatabaseBackup.inUse(databaseAt: sqlitePath) else {
            throw PostgresImportError("\(sqlitePath) is in use (a running hub?): stop the hub first, so that nothing it writes is left behind")
        }
        // Brings an older file's schema up to date, as the hub does when it starts.
        do { try SQLiteStore(path: sqlitePath, busyTimeout: 1).pool.close() } catch {
            throw PostgresImportError("cannot open \(sqlitePath): \(error)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        // The write lock stays taken across several accesses, for the whole copy.
        configuration.allowsUnsafeTransactions = true
        let source = try DatabaseQueue(path: sqlitePath, configuration: configuration)
        defer { try? source.close() }
        do {
            try source.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw PostgresImportError("\(sqlitePath) is being written by another process (a running hub?): stop it first")
        }
        defer { try? source.inDatabase { db in try db.execute(sql: "ROLLBACK") } }
        let expected = try source.inDatabase { db in try Self.check(db) }

        let target: PostgresStore
        do { target = try await PostgresStore(url: targetURL, maximumConnections: 2) } catch {
            throw PostgresImportError("cannot open the PostgreSQL store: \(error)")
        }
        defer { target.close() }
        let logger = target.logger
        return try await target.transaction { db in
            // No hub may write the target while it fills.
            try await db.rows(PostgresQuery(unsafeSQL: "LOCK TABLE " + Self.copied.map(\.name).joined(separator: ", ") + " IN EXCLUSIVE MODE"), logger: logger)
            try await Self.requireEmpty(db, logger: logger)
            // The store's first effectordening (migration v2-kennisbank) gives way to the hub's own.
            try await db.rows("DELETE FROM effect_versions", logger: logger)
            try await db.rows("DELETE FROM effects", logger: logger)
            var report = Report(counts: [])
            for table in Self.copied {
                try await Self.copy(table, from: source, to: db, logger: logger)
                let n = try await db.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)"), logger: logger).first?.decode(Int.self) ?? 0
                let want = expected.first { $0.table == table.name }?.rows ?? 0
                guard n == want else {
                    throw PostgresImportError("table \(table.name): \(want) rows in SQLite but \(n) in PostgreSQL; nothing was committed")
                }
                report.counts.append((table.name, n))
            }
            return report
        }
    }

    /// A target with any row in a table the copy fills is refused; only the effectordening PostgreSQL's migration
    /// seeds (one version) may be there.
    static func requireEmpty(_ db: PostgresConnection, logger: Logger) async throws {
        var held: [String] = []
        for table in copied {
            let n = try await db.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)"), logger: logger).first?.decode(Int.self) ?? 0
            let seeded = table.name == "effects" || (table.name == "effect_versions" && n <= 1)
            if n > 0 && !seeded { held.append("\(n) \(table.name)") }
        }
        guard held.isEmpty else {
            throw PostgresImportError("the PostgreSQL target is not empty (it holds \(held.joined(separator: ", "))): migrate into a new database or schema "
                                      + "(e.g. ?options=-csearch_path%3Dnewschema); nothing was changed")
        }
    }

    /// Rows per read from SQLite; each becomes one multi-row INSERT (PostgreSQL takes at most 65,535 parameters).
    static let chunk = 500

    static func copy(_ table: Table, from source: DatabaseQueue, to db: PostgresConnection, logger: Logger) async throws {
        let columns = table.columns.map { "t.\($0.name)" }.joined(separator: ", ")
        let body = table.fullText == nil ? "" : ", f.body"
        let join = table.fullText.map { " LEFT JOIN \($0) f ON f.rowid = t.rowid" } ?? ""
        var targetColumns = table.columns.map(\.name)
        if table.fullText != nil { targetColumns += ["body", "words", "tokens"] }
        let insert = "INSERT INTO \(table.name) (\(targetColumns.joined(separator: ", ")))"
            + (table.identity != nil ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES "
        var after: Int64 = .min
        var offset = 0
        while true {
            let rows: [Row] = try source.inDatabase { sdb in
                if let order = table.orderBy {
                    return try Row.fetchAll(sdb, sql: "SELECT \(columns)\(body) FROM \(table.name) t\(join) ORDER BY \(order) LIMIT ? OFFSET ?",
                                            arguments: [chunk, offset])
                }
                return try Row.fetchAll(sdb, sql: "SELECT t.rowid, \(columns)\(body) FROM \(table.name) t\(join) WHERE t.rowid > ? ORDER BY t.rowid LIMIT ?",
                                        arguments: [after, chunk])
            }
            if rows.isEmpty { break }
            offset += rows.count
            var binds = PostgresBindings(capacity: rows.count * targetColumns.count)
            var tuples: [String] = []
            for row in rows {
                var values = Array(row.databaseValues)
                if table.orderBy == nil { after = Int64.fromDatabaseValue(values.removeFirst()) ?? after }
                var placeholders: [String] = []
                for (i, column) in table.columns.enumerated() {
                    try bind(values[i], as: column.kind, into: &binds, table: table.name, column: column.name)
                    placeholders.append("$\(binds.count)")
                }
                if table.fullText != nil {
                    let title = String.fromDatabaseValue(values[table.columns.firstIndex { $0.name == "title" }!]) ?? ""
                    let text = String.fromDatabaseValue(values[table.columns.count]) ?? ""
                    binds.append(text)
                    placeholders.append("$\(binds.count)")
                    binds.append(PostgresFacetedIndex.indexedWords(title, text))
                    placeholders.append("to_tsvector('\(PostgresFacetedIndex.configuration)', $\(binds.count))")
                    binds.append(PostgresFacetedIndex.tokenCount(title, text))
                    placeholders.append("$\(binds.count)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            try await db.rows(PostgresQuery(unsafeSQL: insert + tuples.joined(separator: ", "), binds: binds), logger: logger)
            if rows.count < chunk { break }
        }
        if let identity = table.identity {
            // The next generated value follows the copied ones.
            try await db.rows(PostgresQuery(unsafeSQL: """
                SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'), coalesce(max(\(identity)), 0) + 1, false) FROM \(table.name)
                """), logger: logger)
        }
    }

    /// One SQLite value as the PostgreSQL column's type; a value that would change on the way is refused.
    static func bind(_ value: DatabaseValue, as kind: Kind, into binds: inout PostgresBindings, table: String, column: String) throws {
        func refuse(_ what: String) -> PostgresImportError {
            PostgresImportError("table \(table), column \(column): \(what) where the PostgreSQL store keeps \(kind); nothing was copied")
        }
        switch (value.storage, kind) {
        case (.null, _): binds.appendNull()
        case (.string(let s), .text): binds.append(s)
        case (.int64(let i), .integer): binds.append(i)
        case (.double(let d), .integer):
            guard let i = Int64(exactly: d) else { throw refuse("the number \(d)") }
            binds.append(i)
        case (.int64(let i), .boolean): binds.append(i != 0)
        case (.blob(let data), .blob): try binds.append(data)
        // SQLite keeps the bytes of a text written to a BLOB column; PostgreSQL gets the same bytes.
        case (.string(let s), .blob): try binds.append(Data(s.utf8))
        case (.int64(let i), .text): binds.append(String(i))
        default: throw refuse("a value stored as \(value.storage)")
        }
    }
}

/// Why a migration was refused or failed; the target holds nothing of it.
public struct PostgresImportError: Error, CustomStringConvertible, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
