import Foundation
import GRDB
import Model

/// One searchable collection (interventions, toolkit items): a table of JSON records with versions,
/// a facet table (record, facet, value) and an FTS5 table (its rowid is the record's `rid`) with diacritics folded (`remove_diacritics 2`,
/// so "financiele" finds "financiële"). Both the kennisbank and the gereedschapskist use this one piece.
struct FacetedIndex: Sendable {
    let table: String
    let versions: String
    let facets: String
    let fts: String

    static func migrate(_ db: Database, table: String, versions: String, facets: String, fts: String) throws {
        try db.execute(sql: """
            CREATE TABLE \(table) (id TEXT PRIMARY KEY, version INTEGER NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL,
                                   searchable INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE TABLE \(versions) (id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, author TEXT, at INTEGER NOT NULL,
                                      PRIMARY KEY (id, version));
            CREATE TABLE \(facets) (id TEXT NOT NULL REFERENCES \(table)(id) ON DELETE CASCADE, facet TEXT NOT NULL, value TEXT NOT NULL);
            CREATE INDEX \(facets)_by_value ON \(facets)(facet, value);
            CREATE INDEX \(facets)_by_id ON \(facets)(id);
            CREATE VIRTUAL TABLE \(fts) USING fts5(id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
            """)
    }

    /// v5: the record table gets an integer key (`rid`) that the FTS table (as its rowid) and the facet table
    /// use, so a search joins integers instead of looking text ids up: a broad query over 10,000 records went
    /// from ~140 ms to ~50 ms of SQLite time (docs/BENCH.md).
    static func migrateToIntegerKeys(_ db: Database, table: String, facets: String, fts: String) throws {
        try db.execute(sql: """
            CREATE TABLE \(table)_v5 (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, title TEXT NOT NULL,
                                      data TEXT NOT NULL, searchable INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            INSERT INTO \(table)_v5 (rid, id, version, title, data, searchable, updated_at)
                SELECT rowid, id, version, title, data, searchable, updated_at FROM \(table);
            CREATE TABLE \(facets)_v5 (rid INTEGER NOT NULL REFERENCES \(table)(rid) ON DELETE CASCADE, facet TEXT NOT NULL, value TEXT NOT NULL,
                                       PRIMARY KEY (rid, facet, value)) WITHOUT ROWID;
            INSERT OR IGNORE INTO \(facets)_v5 (rid, facet, value) SELECT t.rid, f.facet, f.value FROM \(facets) f JOIN \(table)_v5 t ON t.id = f.id;
            CREATE VIRTUAL TABLE \(fts)_v5 USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
            INSERT INTO \(fts)_v5 (rowid, title, body) SELECT t.rid, s.title, s.body FROM \(fts) s JOIN \(table)_v5 t ON t.id = s.id;
            DROP TABLE \(fts);
            DROP TABLE \(facets);
            DROP TABLE \(table);
            ALTER TABLE \(table)_v5 RENAME TO \(table);
            ALTER TABLE \(facets)_v5 RENAME TO \(facets);
            ALTER TABLE \(fts)_v5 RENAME TO \(fts);
            CREATE INDEX \(facets)_by_value ON \(facets)(facet, value, rid);
            """)
    }

    typealias Outcome = IndexOutcome

    struct FacetValue: Hashable, Comparable {
        var facet: String
        var value: String
        static func < (a: Self, b: Self) -> Bool { (a.facet, a.value) < (b.facet, b.value) }
    }

    /// Stores the record as the newest version when its content (`content`, the record without bookkeeping
    /// fields) differs from the stored one's (`contentOf(storedData)`). `version` nil means "next"; a given
    /// version is kept when the id is new (lossless imports).
    func put(_ db: Database, id: String, title: String, content: () throws -> String, contentOf: (String) throws -> String,
             encode: (Int) throws -> (data: String, updatedAt: Int64?), version: Int?, searchable: Bool, facets values: [FacetValue], searchText: String,
             author: String?, at: Int64) throws -> (Outcome, Int) {
        var outcome = Outcome.created
        var next = version ?? 1
        if let row = try Row.fetchOne(db, sql: "SELECT version, data FROM \(table) WHERE id = ?", arguments: [id]) {
            if try contentOf(row["data"]) == content() { return (.unchanged, row["version"]) }
            outcome = .updated
            next = (row["version"] as Int) + 1
        }
        // The record's own `updatedAt` (kept by lossless imports) is when it last changed, for the date filter.
        let (data, updatedAt) = try encode(next)
        guard let rid = try Int64.fetchOne(db, sql: """
            INSERT INTO \(table) (id, version, title, data, searchable, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET version = excluded.version, title = excluded.title, data = excluded.data,
                searchable = excluded.searchable, updated_at = excluded.updated_at
            RETURNING rid
            """, arguments: [id, next, title, data, searchable, updatedAt ?? at]) else { throw StoreError.notFound(id) }
        try db.execute(sql: "INSERT OR REPLACE INTO \(versions) (id, version, data, author, at) VALUES (?, ?, ?, ?, ?)", arguments: [id, next, data, author, at])
        try replaceFacets(db, rid: rid, values)
        try db.execute(sql: "DELETE FROM \(fts) WHERE rowid = ?", arguments: [rid])
        try db.execute(sql: "INSERT INTO \(fts) (rowid, title, body) VALUES (?, ?, ?)", arguments: [rid, title, searchText])
        return (outcome, next)
    }

    /// The facet rows of one record; also used when a vocabulary change (an effect's domain) re-indexes it.
    func replaceFacets(_ db: Database, rid: Int64, _ values: [FacetValue]) throws {
        try db.execute(sql: "DELETE FROM \(facets) WHERE rid = ?", arguments: [rid])
        let insert = try db.cachedStatement(sql: "INSERT INTO \(facets) (rid, facet, value) VALUES (?, ?, ?)")
        for f in Set(values).sorted() { try insert.execute(arguments: [rid, f.facet, f.value]) }
    }

    /// A safe FTS5 expression: each word of the query as a quoted prefix term, all required. A query longer
    /// than `SearchLimits` allows is refused, never cut: the answer would silently be for another query.
    static func match(_ text: String?) throws -> String? {
        try KennisbankIndexing.queryWords(text)?.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    struct Page {
        var total: Int
        var rows: [Row]
        var facets: [String: [FacetCount]]
    }

    /// Matching records (best text match first, else newest first), the total, and facet counts over all matches.
    /// `columns` are the record's columns the page needs (`t.id`, `json_extract(t.data, '$.kind') AS kind`, …):
    /// decoding whole records for a page of hits costs more than the search itself.
    func search(_ db: Database, text: String?, filters: [String: [String]], changed: ChangedRange = .init(), onlySearchable: Bool,
                limit: Int, offset: Int, columns: String = "t.*") throws -> Page {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let match = try Self.match(text)
        if let match {
            conditions.append("t.rid IN (SELECT rowid FROM \(fts) WHERE \(fts) MATCH ?)")
            arguments.append(match)
        }
        if onlySearchable { conditions.append("t.searchable = 1") }
        if let since = changed.since {
            conditions.append("t.updated_at >= ?")
            arguments.append(since)
        }
        if let until = changed.until {
            conditions.append("t.updated_at < ?")
            arguments.append(until)
        }
        for (facet, values) in filters.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            conditions.append("t.rid IN (SELECT rid FROM \(facets) WHERE facet = ? AND value IN (\(values.map { _ in "?" }.joined(separator: ","))))")
            arguments.append(facet)
            arguments.append(contentsOf: values)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let matches = "SELECT t.rid FROM \(table) t \(whereClause)"
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(matches))", arguments: StatementArguments(arguments)) ?? 0
        let rows: [Row]
        if match != nil {
            // The match is the first condition; the others restrict the same rows.
            let restriction = conditions.dropFirst().map { "AND " + $0 }.joined(separator: " ")
            rows = try Row.fetchAll(db, sql: """
                SELECT \(columns), snippet(\(fts), 1, '[', ']', '…', 12) AS snippet FROM \(fts) f JOIN \(table) t ON t.rid = f.rowid
                WHERE \(fts) MATCH ? \(restriction) ORDER BY f.rank, t.id LIMIT ? OFFSET ?
                """, arguments: StatementArguments(arguments + [limit, offset]))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT \(columns), NULL AS snippet FROM \(table) t \(whereClause) ORDER BY t.updated_at DESC, t.id LIMIT ? OFFSET ?",
                                    arguments: StatementArguments(arguments + [limit, offset]))
        }
        var counts: [String: [FacetCount]] = [:]
        // (id, facet, value) is unique per record, so COUNT(*) counts records.
        for row in try Row.fetchAll(db, sql: """
            SELECT facet, value, COUNT(*) AS n FROM \(facets) WHERE rid IN (\(matches))
            GROUP BY facet, value ORDER BY facet, n DESC, value
            """, arguments: StatementArguments(arguments)) {
            counts[row["facet"], default: []].append(FacetCount(value: row["value"], count: row["n"]))
        }
        return Page(total: total, rows: rows, facets: counts)
    }
}
