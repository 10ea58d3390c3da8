import Foundation
import Logging
import Model
import PostgresNIO
import Toolbox

/// One searchable collection on PostgreSQL, as `FacetedIndex` is on SQLite: a table of JSON records with versions,
/// a facet table (record, facet, value) and a `tsvector` column with a GIN index for the full text.
///
/// The words are cut as FTS5's `unicode61` cuts them (`KennisbankIndexing.words`: runs of letters and digits) and
/// lowercased before PostgreSQL sees them; the text-search configuration `sessionhub_search` is `simple` (no
/// stemming, no stop words, as on SQLite) with the `unaccent` dictionary in front, so "financiele" finds
/// "financiële" as `remove_diacritics 2` does. Every query word is a prefix (`word:*`), all required.
/// Known difference (docs/SCALING.md): `unaccent` also spells out letters that have no accent to remove
/// (æ → ae, ø → o, ß → ss, ĳ → ij, ł → l); FTS5 keeps those as they are.
struct PostgresFacetedIndex: Sendable {
    let table: String
    let versions: String
    let facets: String

    static let interventions = PostgresFacetedIndex(table: "interventions", versions: "intervention_versions", facets: "intervention_facets")
    static let toolkit = PostgresFacetedIndex(table: "toolkit_items", versions: "toolkit_versions", facets: "toolkit_facets")
    static let configuration = "sessionhub_search"

    /// The tables of migration v2-kennisbank.
    var tables: [String] {
        [
            """
            CREATE TABLE \(table) (rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, version BIGINT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL, searchable BOOLEAN NOT NULL, updated_at BIGINT NOT NULL, body TEXT NOT NULL, words TSVECTOR NOT NULL)
            """,
            "CREATE INDEX \(table)_words ON \(table) USING GIN (words)",
            "CREATE TABLE \(versions) (id TEXT NOT NULL, version BIGINT NOT NULL, data TEXT NOT NULL, author TEXT, at BIGINT NOT NULL, PRIMARY KEY (id, version))",
            """
            CREATE TABLE \(facets) (rid BIGINT NOT NULL REFERENCES \(table)(rid) ON DELETE CASCADE, facet TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (rid, facet, value))
            """,
            "CREATE INDEX \(facets)_by_value ON \(facets) (facet, value, rid)",
        ]
    }

    /// `unaccent` is an extension of the database (one per database, in one schema); the configuration is the
    /// hub's (in its schema) and names the dictionary with its schema. An advisory lock keeps hubs that migrate
    /// at once from creating the extension twice. Creating it needs the CREATE privilege on the database (it is
    /// a trusted extension); a role without it gets this message, and a superuser can run the statement once.
    static func createSearchConfiguration(_ db: PostgresConnection, logger: Logger) async throws {
        try await db.rows("SELECT pg_advisory_xact_lock(hashtext('sessionhub-unaccent'))", logger: logger)
        func schema() async throws -> String? {
            try await db.rows("""
                SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'
                """, logger: logger).first.map { try $0.decode(String.self) }
        }
        if try await schema() == nil {
            let inPublic = try await db.rows("""
                SELECT 1 FROM pg_namespace WHERE nspname = 'public' AND has_schema_privilege('public', 'CREATE')
                """, logger: logger).isEmpty == false
            do {
                try await db.rows(PostgresQuery(unsafeSQL: "CREATE EXTENSION IF NOT EXISTS unaccent" + (inPublic ? " SCHEMA public" : "")), logger: logger)
            } catch {
                throw PostgresStoreError(message: "the kennisbank's search needs the extension unaccent (Debian's postgresql ships it): "
                                         + "run CREATE EXTENSION unaccent; in this database as a superuser (\(PostgresStoreError(error)))")
            }
        }
        guard let extensionSchema = try await schema() else { throw PostgresStoreError(message: "CREATE EXTENSION unaccent did not create it") }
        try await db.rows(PostgresQuery(unsafeSQL: "CREATE TEXT SEARCH CONFIGURATION \(configuration) (COPY = pg_catalog.simple)"), logger: logger)
        try await db.rows(PostgresQuery(unsafeSQL: """
            ALTER TEXT SEARCH CONFIGURATION \(configuration) ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart WITH \(PostgresStore.quoted(extensionSchema)).unaccent, pg_catalog.simple
            """), logger: logger)
    }

    /// The words PostgreSQL indexes: title and text cut as FTS5 cuts them, lowercased, one space between.
    static func indexedWords(_ title: String, _ text: String) -> String {
        KennisbankIndexing.words(title + "\n" + text).map { $0.lowercased() }.joined(separator: " ")
    }

    /// The record's length for the ranking: FTS5 counts the tokens of its title and body columns (`xColumnSize`).
    static func tokenCount(_ title: String, _ text: String) -> Int64 {
        Int64(KennisbankIndexing.words(title).count + KennisbankIndexing.words(text).count)
    }

    /// Migration v6-search-ranking: the token count of the records stored before it.
    static func countTokens(_ db: PostgresConnection, logger: Logger) async throws {
        for index in [interventions, toolkit] {
            for row in try await db.rows("SELECT rid, title, body FROM \(unescaped: index.table)", logger: logger) {
                let (rid, title, body) = try row.decode((Int64, String, String).self)
                try await db.rows("UPDATE \(unescaped: index.table) SET tokens = \(tokenCount(title, body)) WHERE rid = \(rid)", logger: logger)
            }
        }
    }

    /// A `to_tsquery` text: each word a prefix, all required (the words hold only letters and digits, so no
    /// operator of the query syntax gets through); nil without words.
    static func tsquery(_ text: String?) throws -> String? {
        try KennisbankIndexing.queryWords(text)?.map { $0.lowercased() + ":*" }.joined(separator: " & ")
    }

    typealias Outcome = IndexOutcome

    /// Stores the record as the newest version when its content differs from the stored one's (as `FacetedIndex.put`).
    func put(_ db: PostgresConnection, logger: Logger, id: String, title: String, content: String, contentOf: (String) throws -> String,
             encode: (Int) throws -> (data: String, updatedAt: Int64?), version: Int?, searchable: Bool,
             facets values: [(facet: String, value: String)], searchText: String, author: String?, at: Int64) async throws -> (Outcome, Int) {
        var outcome = Outcome.created
        var next = version ?? 1
        if let row = try await db.rows("SELECT version, data FROM \(unescaped: table) WHERE id = \(id) FOR UPDATE", logger: logger).first {
            let (stored, data) = try row.decode((Int, String).self)
            if try contentOf(data) == content { return (.unchanged, stored) }
            outcome = .updated
            next = stored + 1
        }
        let (data, updatedAt) = try encode(next)
        let words = Self.indexedWords(title, searchText)
        let tokens = Self.tokenCount(title, searchText)
        guard let rid = try await db.rows("""
            INSERT INTO \(unescaped: table) (id, version, title, data, searchable, updated_at, body, words, tokens)
            VALUES (\(id), \(next), \(title), \(data), \(searchable), \(updatedAt ?? at), \(searchText), to_tsvector('\(unescaped: Self.configuration)', \(words)), \(tokens))
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title, data = excluded.data,
                searchable = excluded.searchable, updated_at = excluded.updated_at, body = excluded.body, words = excluded.words, tokens = excluded.tokens
            RETURNING rid
            """, logger: logger).first.map({ try $0.decode(Int64.self) }) else { throw StoreError.notFound(id) }
        try await db.rows("""
            INSERT INTO \(unescaped: versions) (id, version, data, author, at) VALUES (\(id), \(next), \(data), \(author), \(at))
            ON CONFLICT (id, version) DO UPDATE SET data = excluded.data, author = excluded.author, at = excluded.at
            """, logger: logger)
        try await replaceFacets(db, logger: logger, rid: rid, values)
        return (outcome, next)
    }

    func replaceFacets(_ db: PostgresConnection, logger: Logger, rid: Int64, _ values: [(facet: String, value: String)]) async throws {
        try await db.rows("DELETE FROM \(unescaped: facets) WHERE rid = \(rid)", logger: logger)
        var seen: Set<[String]> = []
        let unique = values.filter { seen.insert([$0.facet, $0.value]).inserted }
        guard !unique.isEmpty else { return }
        try await db.rows("""
            INSERT INTO \(unescaped: facets) (rid, facet, value) SELECT \(rid), f, v FROM unnest(\(unique.map(\.facet))::text[], \(unique.map(\.value))::text[]) AS u(f, v)
            """, logger: logger)
    }

    /// Deletes a record with every version and its facets; true when it existed.
    func delete(_ db: PostgresConnection, logger: Logger, id: String) async throws -> Bool {
        let gone = try await db.rows("DELETE FROM \(unescaped: table) WHERE id = \(id) RETURNING rid", logger: logger)
        guard !gone.isEmpty else { return false }
        try await db.rows("DELETE FROM \(unescaped: versions) WHERE id = \(id)", logger: logger)
        return true
    }

    struct Page {
        var total: Int
        var rows: [PostgresRow]
        var facets: [String: [FacetCount]]
    }

    /// Matching records (best text match first, else newest first), the total, and facet counts over all matches, as
    /// `FacetedIndex.search`. Ties and lists order by bytes (`COLLATE "C"`), as SQLite's BINARY does, whatever the
    /// database's collation. `columns` end with the snippet, which the query adds.
    func search(_ store: PostgresStore, text: String?, filters: [String: [String]], changed: ChangedRange, onlySearchable: Bool,
                limit: Int, offset: Int, columns: String) async throws -> Page {
        var binds = PostgresBindings()
        func bind<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var conditions: [String] = []
        let query = try Self.tsquery(text)
        var tsquery = ""
        if let query {
            tsquery = "to_tsquery('\(Self.configuration)', \(bind(query)))"
            conditions.append("t.words @@ \(tsquery)")
        }
        if onlySearchable { conditions.append("t.searchable") }
        if let since = changed.since { conditions.append("t.updated_at >= \(bind(since))") }
        if let until = changed.until { conditions.append("t.updated_at < \(bind(until))") }
        for (facet, values) in filters.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            conditions.append("t.rid IN (SELECT rid FROM \(facets) WHERE facet = \(bind(facet)) AND value = ANY(\(bind(values))::text[]))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let matches = "SELECT t.rid FROM \(table) t \(whereClause)"
        let total = try await store.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM (\(matches)) m", binds: binds))
            .first.map { try $0.decode(Int.self) } ?? 0
        var counts: [String: [FacetCount]] = [:]
        for row in try await store.rows(PostgresQuery(unsafeSQL: """
            SELECT facet, value, count(*) AS n FROM \(facets) WHERE rid IN (\(matches))
            GROUP BY facet, value ORDER BY facet COLLATE "C", n DESC, value COLLATE "C"
            """, binds: binds)) {
            let (facet, value, n) = try row.decode((String, String, Int).self)
            counts[facet, default: []].append(FacetCount(value: value, count: n))
        }
        let pageSQL: String
        if let query {
            // The page in FTS5's order (bm25, then id), scored here: ts_rank orders otherwise, and a hub moved from SQLite
            // (hubctl migrate) must list the same hits in the same order.
            let words = query.split(separator: " & ").map { String($0.dropLast(2)) }
            let ranked = try await rankedLikeFTS5(store, words: words, whereClause: whereClause, binds: binds)
            let page = Array(ranked.dropFirst(max(offset, 0)).prefix(max(limit, 0)))
            let rids = bind(page)
            pageSQL = """
                SELECT \(columns), ts_headline('\(Self.configuration)', t.body, \(tsquery), 'StartSel=[, StopSel=], MaxWords=12, MinWords=6') AS snippet
                FROM \(table) t WHERE t.rid = ANY(\(rids)::bigint[]) ORDER BY array_position(\(rids)::bigint[], t.rid)
                """
        } else {
            pageSQL = """
                SELECT \(columns), NULL::text AS snippet FROM \(table) t \(whereClause)
                ORDER BY t.updated_at DESC, t.id COLLATE "C" LIMIT \(bind(limit)) OFFSET \(bind(offset))
                """
        }
        let rows = try await store.rows(PostgresQuery(unsafeSQL: pageSQL, binds: binds))
        return Page(total: total, rows: rows, facets: counts)
    }
}

extension PostgresFacetedIndex {
    /// The rids of the matches in the order of SQLite's `ORDER BY rank, id`: FTS5's `bm25()` (fts5_aux.c, k1 = 1.2, b = 0.75,
    /// unit column weights), computed with the same operations in the same order so that equal inputs round alike.
    /// Per query word (a prefix phrase): its document frequency over every record (as `xQueryPhrase` counts) and, per
    /// match, how often it begins a word. That count is `ts_rank_cd` of the word alone with every weight 1: each
    /// occurrence is a cover of its own worth 1 (PostgreSQL's C finds the prefixed lexemes by binary search; unnesting the
    /// tsvector took four times as long over 3,400 matches). PostgreSQL keeps at most 256 positions per lexeme, FTS5 all:
    /// a record repeating one word more often can rank otherwise. `tokens` is the record's length.
    func rankedLikeFTS5(_ store: PostgresStore, words: [String], whereClause: String, binds: PostgresBindings) async throws -> [Int64] {
        let stats = try await store.rows("SELECT count(*), coalesce(sum(tokens), 0)::bigint FROM \(unescaped: table)")
        guard let first = stats.first else { return [] }
        let (nRow, nToken) = try first.decode((Int64, Int64).self)
        guard nRow > 0 else { return [] }
        let avgdl = Double(nToken) / Double(nRow)
        var idf: [Double] = []
        for word in words {
            let nHit = try await store.rows("""
                SELECT count(*) FROM \(unescaped: table) WHERE words @@ to_tsquery('\(unescaped: Self.configuration)', \(word + ":*"))
                """).first?.decode(Int64.self) ?? 0
            let rows = Double(nRow), hits = Double(nHit)
            var value: Double = log((rows - hits + 0.5) / (hits + 0.5))
            if value <= 0.0 { value = 1e-6 }
            idf.append(value)
        }
        var scoring = binds
        let frequencies = words.map { word -> String in
            scoring.append(word + ":*")
            return "ts_rank_cd('{1,1,1,1}', t.words, to_tsquery('\(Self.configuration)', $\(scoring.count)))::bigint"
        }
        var scored: [(score: Double, id: [UInt8], rid: Int64)] = []
        for row in try await store.rows(PostgresQuery(unsafeSQL: """
            SELECT t.rid, t.id, t.tokens, ARRAY[\(frequencies.joined(separator: ", "))]::bigint[] FROM \(table) t \(whereClause)
            """, binds: scoring)) {
            let (rid, id, tokens, counts) = try row.decode((Int64, String, Int64, [Int64]).self)
            let k1 = 1.2, b = 0.75
            let D = Double(tokens)
            var score = 0.0
            for (i, count) in counts.enumerated() {
                let freq = Double(count)
                score += idf[i] * ((freq * (k1 + 1.0)) / (freq + k1 * (1 - b + b * D / avgdl)))
            }
            scored.append((-1.0 * score, Array(id.utf8), rid))
        }
        // SQLite's BINARY collation compares the ids' bytes.
        scored.sort { $0.score != $1.score ? $0.score < $1.score : $0.id.lexicographicallyPrecedes($1.id) }
        return scored.map(\.rid)
    }
}

extension PostgresStore: KennisbankStore, ToolkitStore {
    // MARK: interventions

    /// Effect id → its domain in the current effectordening.
    static func domains(_ db: PostgresConnection, logger: Logger) async throws -> [String: String] {
        var d: [String: String] = [:]
        for row in try await db.rows("SELECT id, domain FROM effects", logger: logger) {
            let (id, domain) = try row.decode((String, String).self)
            d[id] = domain
        }
        return d
    }

    /// The bookkeeping fields a stored record gets (as SQLiteKennisbank.swift): a lossless import of a new id keeps
    /// the record's own times and author; anything else is stamped now, by `author`.
    static func stamp(createdAt: Int64?, updatedAt: Int64?, author: String?, existing: (createdAt: Int64?, author: String?)?, by: String?,
                      keepBookkeeping: Bool, now: Int64) -> (createdAt: Int64?, updatedAt: Int64?, author: String?) {
        if keepBookkeeping && existing == nil {
            let created = createdAt ?? now
            return (created, updatedAt ?? created, author)
        }
        return (existing?.createdAt ?? createdAt ?? now, now, by ?? author ?? existing?.author)
    }

    func put(_ db: PostgresConnection, _ record: Intervention, author: String?, keepBookkeeping: Bool,
             domains: [String: String]? = nil) async throws -> (PostgresFacetedIndex.Outcome, Intervention) {
        let now = Self.now()
        let existing = try await db.rows("SELECT data FROM interventions WHERE id = \(record.id)", logger: logger).first
            .flatMap { try? JSONCoding.decode(Intervention.self, from: try $0.decode(String.self)) }
        var stored = record
        let known: [String: String]
        if let domains { known = domains } else { known = try await Self.domains(db, logger: logger) }
        let (outcome, _) = try await PostgresFacetedIndex.interventions.put(
            db, logger: logger, id: record.id, title: record.title, content: try KennisbankIndexing.content(record),
            contentOf: { try (try? JSONCoding.decode(Intervention.self, from: $0)).map(KennisbankIndexing.content) ?? "" },
            encode: { version in
                stored.version = version
                (stored.createdAt, stored.updatedAt, stored.author) = Self.stamp(
                    createdAt: record.createdAt, updatedAt: record.updatedAt, author: record.author,
                    existing: existing.map { ($0.createdAt, $0.author) }, by: author, keepBookkeeping: keepBookkeeping, now: now)
                return (try PostgresStoreError.storable(json: JSONCoding.string(stored)), stored.updatedAt)
            },
            version: keepBookkeeping ? record.version : nil, searchable: record.state == .published,
            facets: KennisbankIndexing.facets(record, domains: known),
            searchText: KennisbankIndexing.searchText(record), author: author ?? record.author, at: now)
        if outcome == .unchanged { return (outcome, existing ?? record) }
        return (outcome, stored)
    }

    public func save(_ intervention: Intervention, author: String?) async throws -> Intervention {
        try await transaction { db in try await self.put(db, intervention, author: author, keepBookkeeping: false).1 }
    }

    public func intervention(_ id: String, version: Int?) async throws -> Intervention? {
        let found: [PostgresRow]
        if let version {
            found = try await rows("SELECT data FROM intervention_versions WHERE id = \(id) AND version = \(version)")
        } else {
            found = try await rows("SELECT data FROM interventions WHERE id = \(id)")
        }
        return try found.first.map { try JSONCoding.decode(Intervention.self, from: try $0.decode(String.self)) }
    }

    public func versions(of id: String) async throws -> [VersionInfo] {
        try await rows("SELECT version, author, at FROM intervention_versions WHERE id = \(id) ORDER BY version").map { row in
            let (version, author, at) = try row.decode((Int, String?, Int64).self)
            return VersionInfo.make(version: version, author: author, at: at)
        }
    }

    public func search(_ query: InterventionQuery) async throws -> InterventionResults {
        let page = try await PostgresFacetedIndex.interventions.search(
            self, text: query.text, filters: query.filters, changed: query.changed, onlySearchable: !query.includeDrafts,
            limit: query.limit, offset: query.offset, columns: """
                t.id, t.title, (t.data::jsonb)->>'kind', (t.data::jsonb)->>'type', (t.data::jsonb)->>'state', (t.data::jsonb)->>'summary'
                """)
        let hits = try page.rows.map { row in
            let (id, title, kind, type, state, summary, snippet) = try row.decode((String, String, String?, String?, String?, String?, String?).self)
            return InterventionHit.make(id: id, title: title, kind: kind ?? "", type: type.flatMap(InterventionType.init(rawValue:)) ?? .praktijk,
                                   state: state.flatMap(PublicationState.init(rawValue:)) ?? .draft, summary: summary, snippet: snippet)
        }
        return InterventionResults.make(total: page.total, hits: hits, facets: page.facets)
    }

    public func allInterventions() async throws -> [Intervention] {
        try await rows("SELECT data FROM interventions ORDER BY id COLLATE \"C\"").map { try JSONCoding.decode(Intervention.self, from: try $0.decode(String.self)) }
    }

    public func interventionIds(firstAuthor: String) async throws -> [String] {
        try await rows("""
            SELECT id FROM intervention_versions WHERE version = 1 AND author = \(firstAuthor) ORDER BY at, id COLLATE "C"
            """).map { try $0.decode(String.self) }
    }

    public func importInterventions(_ records: [(line: Int, record: Intervention)], author: String?) async throws -> ImportSummary {
        try await transaction { db in
            let domains = try await Self.domains(db, logger: self.logger)
            var outcomes: [PostgresFacetedIndex.Outcome] = []
            for r in records { outcomes.append(try await self.put(db, r.record, author: author, keepBookkeeping: true, domains: domains).0) }
            return Self.count(outcomes)
        }
    }

    static func count(_ outcomes: [PostgresFacetedIndex.Outcome]) -> ImportSummary { ImportSummary(counting: outcomes) }

    // MARK: monitoring

    public func saveMonitoring(_ entries: [MonitoringEntry]) async throws {
        let texts = try entries.map { try PostgresStoreError.storable(json: JSONCoding.string($0)) }
        try await transaction { db in
            for (e, text) in zip(entries, texts) {
                try await db.rows("""
                    INSERT INTO monitoring_entries (id, intervention, date, data) VALUES (\(e.id), \(e.intervention), \(e.date), \(text))
                    ON CONFLICT (id) DO UPDATE SET intervention = excluded.intervention, date = excluded.date, data = excluded.data
                    """, logger: self.logger)
            }
        }
    }

    public func monitoring(of intervention: String) async throws -> [MonitoringEntry] {
        try await rows("""
            SELECT data FROM monitoring_entries WHERE intervention = \(intervention) ORDER BY date COLLATE "C", id COLLATE "C"
            """).map { try JSONCoding.decode(MonitoringEntry.self, from: try $0.decode(String.self)) }
    }

    public func monitoringEntry(_ id: String) async throws -> MonitoringEntry? {
        try await rows("SELECT data FROM monitoring_entries WHERE id = \(id)").first.map { try JSONCoding.decode(MonitoringEntry.self, from: try $0.decode(String.self)) }
    }

    public func deleteMonitoring(_ id: String, of intervention: String) async throws -> Bool {
        try await !rows("DELETE FROM monitoring_entries WHERE id = \(id) AND intervention = \(intervention) RETURNING id").isEmpty
    }

    // MARK: gereedschapskist

    func put(_ db: PostgresConnection, _ item: ToolkitItem, author: String?, keepBookkeeping: Bool) async throws -> (PostgresFacetedIndex.Outcome, ToolkitItem) {
        let now = Self.now()
        let existing = try await db.rows("SELECT data FROM toolkit_items WHERE id = \(item.id)", logger: logger).first
            .flatMap { try? JSONCoding.decode(ToolkitItem.self, from: try $0.decode(String.self)) }
        var stored = item
        let (outcome, _) = try await PostgresFacetedIndex.toolkit.put(
            db, logger: logger, id: item.id, title: item.title, content: try KennisbankIndexing.content(item),
            contentOf: { try (try? JSONCoding.decode(ToolkitItem.self, from: $0)).map(KennisbankIndexing.content) ?? "" },
            encode: { version in
                stored.version = version
                (stored.createdAt, stored.updatedAt, stored.author) = Self.stamp(
                    createdAt: item.createdAt, updatedAt: item.updatedAt, author: item.author,
                    existing: existing.map { ($0.createdAt, $0.author) }, by: author, keepBookkeeping: keepBookkeeping, now: now)
                return (try PostgresStoreError.storable(json: JSONCoding.string(stored)), stored.updatedAt)
            },
            version: keepBookkeeping ? item.version : nil, searchable: true, facets: KennisbankIndexing.facets(item),
            searchText: KennisbankIndexing.searchText(item), author: author ?? item.author, at: now)
        return (outcome, outcome == .unchanged ? (existing ?? item) : stored)
    }

    public func save(_ item: ToolkitItem, author: String?) async throws -> ToolkitItem {
        try await transaction { db in try await self.put(db, item, author: author, keepBookkeeping: false).1 }
    }

    public func toolkitItem(_ id: String) async throws -> ToolkitItem? {
        try await rows("SELECT data FROM toolkit_items WHERE id = \(id)").first.map { try JSONCoding.decode(ToolkitItem.self, from: try $0.decode(String.self)) }
    }

    public func searchToolkit(_ query: ToolkitQuery) async throws -> ToolkitResults {
        let page = try await PostgresFacetedIndex.toolkit.search(
            self, text: query.text, filters: query.filters, changed: query.changed, onlySearchable: true,
            limit: query.limit, offset: query.offset, columns: "t.data")
        let hits = try page.rows.map { row in try JSONCoding.decode(ToolkitItem.self, from: try row.decode((String, String?).self).0) }
        return ToolkitResults.make(total: page.total, hits: hits, facets: page.facets)
    }

    public func allToolkitItems() async throws -> [ToolkitItem] {
        try await rows("SELECT data FROM toolkit_items ORDER BY id COLLATE \"C\"").map { try JSONCoding.decode(ToolkitItem.self, from: try $0.decode(String.self)) }
    }

    public func importToolkit(_ records: [(line: Int, record: ToolkitItem)], author: String?) async throws -> ImportSummary {
        try await transaction { db in
            var outcomes: [PostgresFacetedIndex.Outcome] = []
            for r in records { outcomes.append(try await self.put(db, r.record, author: author, keepBookkeeping: true).0) }
            return Self.count(outcomes)
        }
    }

    // MARK: the effectordening (as Effectordening.swift)

    /// Migration v2-kennisbank: the effectordening that ships with the hub is the first version.
    static func seedEffects(_ db: PostgresConnection, logger: Logger) async throws {
        let effects = KennisbankIndexing.shippedEffects()
        let texts = try effects.map { try JSONCoding.string($0) }
        for (i, (e, text)) in zip(effects, texts).enumerated() {
            try await db.rows("INSERT INTO effects (id, domain, data, position) VALUES (\(e.id), \(e.domain), \(text), \(i))", logger: logger)
        }
        let list = "[" + texts.joined(separator: ",") + "]"
        try await db.rows("INSERT INTO effect_versions (version, data, author, at) VALUES (1, \(list), NULL, \(now()))", logger: logger)
    }

    public func effects() async throws -> [Effect] {
        try await rows("SELECT data FROM effects ORDER BY position").map { try JSONCoding.decode(Effect.self, from: try $0.decode(String.self)) }
    }

    static func currentEffects(_ db: PostgresConnection, logger: Logger) async throws -> [Effect] {
        try await db.rows("SELECT data FROM effects ORDER BY position", logger: logger).map { try JSONCoding.decode(Effect.self, from: try $0.decode(String.self)) }
    }

    public func effectordening(version: Int?) async throws -> Effectordening? {
        let found: [PostgresRow]
        if let version {
            found = try await rows("SELECT version, data FROM effect_versions WHERE version = \(version)")
        } else {
            found = try await rows("SELECT version, data FROM effect_versions ORDER BY version DESC LIMIT 1")
        }
        return try found.first.map { row in
            let (version, data) = try row.decode((Int, String).self)
            return Effectordening(version: version, effects: try JSONCoding.decode([Effect].self, from: data))
        }
    }

    public func effectordeningVersions() async throws -> [VersionInfo] {
        try await rows("SELECT version, author, at FROM effect_versions ORDER BY version").map { row in
            let (version, author, at) = try row.decode((Int, String?, Int64).self)
            return VersionInfo.make(version: version, author: author, at: at)
        }
    }

    public func saveEffect(_ effect: Effect, author: String?) async throws -> Effectordening {
        try await transaction { db in
            // One editor of the effectordening at a time: the list is read, changed and written whole.
            try await db.rows("LOCK TABLE effects IN EXCLUSIVE MODE", logger: self.logger)
            let list = try await Self.currentEffects(db, logger: self.logger)
            let before = list.first { $0.id == effect.id }
            if before == effect { return try await Self.latest(db, logger: self.logger, list) }
            let saved = try await Self.write(db, logger: self.logger, list.placing(effect), author: author)
            if let before, before.domain != effect.domain { try await self.reindexDomains(db, effect: effect.id) }
            return saved
        }
    }

    public func removeEffect(_ id: String, author: String?) async throws -> Effectordening? {
        try await transaction { db in
            try await db.rows("LOCK TABLE effects IN EXCLUSIVE MODE", logger: self.logger)
            var list = try await Self.currentEffects(db, logger: self.logger)
            guard list.contains(where: { $0.id == id }) else { return nil }
            if let user = try await db.rows("""
                SELECT t.id FROM intervention_facets f JOIN interventions t ON t.rid = f.rid WHERE f.facet = 'effect' AND f.value = \(id)
                ORDER BY t.id COLLATE "C" LIMIT 1
                """, logger: self.logger).first {
                throw StoreError.duplicate(try user.decode(String.self))
            }
            list.removeAll { $0.id == id }
            return try await Self.write(db, logger: self.logger, list, author: author)
        }
    }

    static func latest(_ db: PostgresConnection, logger: Logger, _ list: [Effect]) async throws -> Effectordening {
        let version = try await db.rows("SELECT max(version) FROM effect_versions", logger: logger).first.flatMap { try $0.decode(Int?.self) } ?? 1
        return Effectordening(version: version, effects: list)
    }

    static func write(_ db: PostgresConnection, logger: Logger, _ list: [Effect], author: String?) async throws -> Effectordening {
        try await db.rows("DELETE FROM effects", logger: logger)
        for (i, e) in list.enumerated() {
            try await db.rows("INSERT INTO effects (id, domain, data, position) VALUES (\(e.id), \(e.domain), \(try JSONCoding.string(e)), \(i))", logger: logger)
        }
        let version = (try await db.rows("SELECT max(version) FROM effect_versions", logger: logger).first.flatMap { try $0.decode(Int?.self) } ?? 0) + 1
        try await db.rows("INSERT INTO effect_versions (version, data, author, at) VALUES (\(version), \(try JSONCoding.string(list)), \(author), \(now()))",
                          logger: logger)
        return Effectordening(version: version, effects: list)
    }

    /// Descriptions naming a moved effect count under its new domain; their own versions do not change.
    func reindexDomains(_ db: PostgresConnection, effect: String) async throws {
        let domains = try await Self.domains(db, logger: logger)
        for row in try await db.rows("""
            SELECT t.rid, t.data FROM interventions t WHERE t.rid IN (SELECT rid FROM intervention_facets WHERE facet = 'effect' AND value = \(effect))
            """, logger: logger) {
            let (rid, data) = try row.decode((Int64, String).self)
            let record = try JSONCoding.decode(Intervention.self, from: data)
            try await PostgresFacetedIndex.interventions.replaceFacets(db, logger: logger, rid: rid, KennisbankIndexing.facets(record, domains: domains))
        }
    }

    // MARK: filing plugin outputs (as OutputFiling.swift)

    /// Files one newly stored output in the transaction that stores it; nil for kinds that stay with the session.
    func file(_ db: PostgresConnection, _ output: StoredOutput, session: String) async throws -> Filing? {
        guard [OutputFiling.interventionKind, OutputFiling.toolkitKind].contains(output.kind) else { return nil }
        let author = try await db.rows("SELECT created_by FROM sessions WHERE id = \(session)", logger: logger).first.flatMap { try $0.decode(String?.self) }
        if output.kind == OutputFiling.interventionKind {
            let effects = Set(try await Self.domains(db, logger: logger).keys)
            switch OutputFiling.intervention(from: output, session: session, effects: effects) {
            case .invalid(let reason): return .invalid(reason: reason)
            case .ready(let intervention):
                let (_, stored) = try await put(db, intervention, author: author, keepBookkeeping: false)
                return .filed(as: "\(stored.id)@\(stored.version ?? 1)")
            }
        }
        switch OutputFiling.toolkitItem(from: output, session: session) {
        case .invalid(let reason): return .invalid(reason: reason)
        case .ready(let item):
            let (_, stored) = try await put(db, item, author: author, keepBookkeeping: false)
            return .filed(as: "\(stored.id)@\(stored.version ?? 1)")
        }
    }
}
