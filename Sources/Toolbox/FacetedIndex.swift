import Foundation
import GRDB
import Model

/// One searchable collection (interventions, toolkit items): a table of JSON records with versions,
/// a facet table (record, facet, value) and an FTS5 table with diacritics folded (`remove_diacritics 2`,
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

    enum Outcome { case created, updated, unchanged }

    struct FacetValue: Hashable, Comparable {
        var facet: String
        var value: String
        static func < (a: Self, b: Self) -> Bool { (a.facet, a.value) < (b.facet, b.value) }
    }

    /// Stores the record as the newest version when its content (`content`, the record without bookkeeping
    /// fields) differs from the stored one's (`contentOf(storedData)`). `version` nil means "next"; a given
    /// version is kept when the id is new (lossless imports).
    func put(_ db: Database, id: String, title: String, content: () -> String, contentOf: (String) -> String,
             encode: (Int) throws -> String, version: Int?, searchable: Bool, facets values: [FacetValue], searchText: String,
             author: String?, at: Int64) throws -> (Outcome, Int) {
        var outcome = Outcome.created
        var next = version ?? 1
        if let row = try Row.fetchOne(db, sql: "SELECT version, data FROM \(table) WHERE id = ?", arguments: [id]) {
            if contentOf(row["data"]) == content() { return (.unchanged, row["version"]) }
            outcome = .updated
            next = (row["version"] as Int) + 1
        }
        let data = try encode(next)
        try db.execute(sql: """
            INSERT INTO \(table) (id, version, title, data, searchable, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET version = excluded.version, title = excluded.title, data = excluded.data,
                searchable = excluded.searchable, updated_at = excluded.updated_at
            """, arguments: [id, next, title, data, searchable, at])
        try db.execute(sql: "INSERT OR REPLACE INTO \(versions) (id, version, data, author, at) VALUES (?, ?, ?, ?, ?)", arguments: [id, next, data, author, at])
        try db.execute(sql: "DELETE FROM \(facets) WHERE id = ?", arguments: [id])
        let insert = try db.cachedStatement(sql: "INSERT INTO \(facets) (id, facet, value) VALUES (?, ?, ?)")
        for f in Set(values).sorted() { try insert.execute(arguments: [id, f.facet, f.value]) }
        try db.execute(sql: "DELETE FROM \(fts) WHERE id = ?", arguments: [id])
        try db.execute(sql: "INSERT INTO \(fts) (id, title, body) VALUES (?, ?, ?)", arguments: [id, title, searchText])
        return (outcome, next)
    }

    /// A safe FTS5 expression: each word of the query as a quoted prefix term, all required.
    static func match(_ text: String?) -> String? {
        guard let text else { return nil }
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { "\"\($0.replacingOccurrences(of: "\"", with: ""))\"*" }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    struct Page {
        var total: Int
        var rows: [Row]
        var facets: [String: [FacetCount]]
    }

    /// Matching records (best text match first, else newest first), the total, and facet counts over all matches.
    func search(_ db: Database, text: String?, filters: [String: [String]], onlySearchable: Bool, limit: Int, offset: Int) throws -> Page {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let match = Self.match(text)
        if let match {
            conditions.append("t.id IN (SELECT id FROM \(fts) WHERE \(fts) MATCH ?)")
            arguments.append(match)
        }
        if onlySearchable { conditions.append("t.searchable = 1") }
        for (facet, values) in filters.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            conditions.append("t.id IN (SELECT id FROM \(facets) WHERE facet = ? AND value IN (\(values.map { _ in "?" }.joined(separator: ","))))")
            arguments.append(facet)
            arguments.append(contentsOf: values)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let matches = "SELECT t.id FROM \(table) t \(whereClause)"
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(matches))", arguments: StatementArguments(arguments)) ?? 0
        let rows: [Row]
        if let match {
            rows = try Row.fetchAll(db, sql: """
                SELECT t.*, snippet(\(fts), 2, '[', ']', '…', 12) AS snippet FROM \(fts) f JOIN \(table) t ON t.id = f.id
                WHERE \(fts) MATCH ? AND t.id IN (\(matches)) ORDER BY f.rank, t.id LIMIT ? OFFSET ?
                """, arguments: StatementArguments([match] + arguments + [limit, offset]))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT t.*, NULL AS snippet FROM \(table) t \(whereClause) ORDER BY t.updated_at DESC, t.id LIMIT ? OFFSET ?",
                                    arguments: StatementArguments(arguments + [limit, offset]))
        }
        var counts: [String: [FacetCount]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT facet, value, COUNT(DISTINCT id) AS n FROM \(facets) WHERE id IN (\(matches))
            GROUP BY facet, value ORDER BY facet, n DESC, value
            """, arguments: StatementArguments(arguments)) {
            counts[row["facet"], default: []].append(FacetCount(value: row["value"], count: row["n"]))
        }
        return Page(total: total, rows: rows, facets: counts)
    }
}
