import Foundation
import GRDB
import Model
import PostgresStore
import Testing
import Toolbox

/// `hubctl migrate --from sqlite FILE --to postgres://…` (PostgresImport.swift): a hub filled through the store's own
/// calls on SQLite reads the same on PostgreSQL afterwards, search included; and nothing is left behind unnoticed.
@Suite struct MigrateTests {
    // MARK: what the copier knows

    @Test func everyTableOfTheHubsSQLiteSchemaIsKnownToTheCopier() async throws {
        let path = tempDB()
        try SQLiteStore(path: path).pool.close()
        let counts = try PostgresImport.survey(sqliteAt: path)
        #expect(counts.map(\.table).contains("events"))
        #expect(counts.first { $0.table == "effects" }.map(\.rows) ?? 0 > 0, "the shipped effectordening")
    }

    /// A table a future migration adds must be taught to the copier before a hub can be moved, never skipped.
    @Test func aTableOrColumnTheCopierDoesNotKnowIsRefused() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await store.pool.write { db in try db.execute(sql: "CREATE TABLE future_notes (id TEXT PRIMARY KEY, text TEXT)") }
        try store.pool.close()
        #expect { try PostgresImport.survey(sqliteAt: path) } throws: { error in
            "\(error)".contains("future_notes")
        }

        let other = tempDB()
        let second = try SQLiteStore(path: other)
        try await second.pool.write { db in try db.execute(sql: "ALTER TABLE sessions ADD COLUMN colour TEXT") }
        try second.pool.close()
        #expect { try PostgresImport.survey(sqliteAt: other) } throws: { error in
            "\(error)".contains("sessions") && "\(error)".contains("colour")
        }
    }

    /// Series participants (series tokens and trios) move with their series.
    @Test func seriesParticipantsAreCounted() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Reeks", createdAt: 1))
        try await store.enrolSeriesParticipant(series: "r_1", participant: "p_1", domain: nil, at: 2)
        try store.pool.close()
        let counts = Dictionary(uniqueKeysWithValues: try PostgresImport.survey(sqliteAt: path).map { ($0.table, $0.rows) })
        #expect(counts["series"] == 1 && counts["series_participants"] == 1)
    }

    @Test func aMissingFileIsRefusedAndNotCreated() async throws {
        let path = tempDB()
        #expect(throws: PostgresImportError.self) { try PostgresImport.survey(sqliteAt: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    // MARK: a hub moved

    /// Searches with diacritics in and out, prefixes and capitals (KennisbankConformanceTests' and a few more).
    static let queries = KennisbankConformanceTests.searches.map(\.query) + [
        "Buurtbemiddeling", "buurtbemiddeling", "coöperatie", "één", "een", "reünie", "reunie", "geïnformeerd", "geinf", "privé", "PRIVE", "cafe",
    ]

    static func fill(_ store: SQLiteStore) async throws {
        _ = try await store.secret(named: "rejoin-token-key")
        try await store.addFacilitator(FacilitatorRecord(id: "f_1", email: "Ann@example.org", name: "Ann", passwordHash: "h1", role: .owner, createdAt: 1))
        try await store.saveToken(hash: "tok-1", facilitatorId: "f_1", at: 10)
        try await store.addContributor(ContributorRecord(id: "c_1", name: "Carla", organisation: "Wijkteam", invitedBy: "f_1", createdAt: 5), tokenHash: "ctok")
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Reeks één", kind: "leerkring", createdAt: 2))
        try await store.setSeriesRetention(series: "r_1", RetentionRule(names: .days(30), inputs: .forever))
        var s = session("s_1", code: "ABCDEF")
        s.seriesId = "r_1"
        s.title = "Avond één: coöperatie"
        s.createdBy = "f_1"
        try await store.createSession(s, activityKeys: ["a1": [0, 1, 255]])
        try await store.createSession(session("s_2", code: "GHJKLM"), activityKeys: [:])
        try await store.append([
            ("s_1", LoggedEvent(seq: 1, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "start", payload: [:], clientId: nil, at: 100)),
            ("s_1", LoggedEvent(seq: 2, kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "text", payload: ["text": "geïnformeerd café"], clientId: "c1", at: 101)),
            ("s_1", LoggedEvent(seq: 3, kind: .input, activity: "a1", actor: "p_2", role: .participant, type: "text", payload: ["text": "reünie"], clientId: "c1", at: 102)),
        ])
        try await store.saveViews(session: "s_1", [StoredView(activity: "a1", audience: "beamer", seq: 3, view: ["tekst": "één"])])
        try await store.saveOutputs(session: "s_1", [StoredOutput(instance: "s_1/a1", seq: 3, index: 0, kind: "report.section", record: ["x": 1])])
        try await store.audit(actor: "f_1", action: "session.start", target: "s_1")

        try await KennisbankConformanceTests.corpus(store)
        var extra = practice("kb-6", "Buurtbemiddeling en reünie")
        extra.summary = "Bewoners worden geïnformeerd; één privé gesprek per buurt."
        _ = try await store.save(extra, author: "f_2")
        extra.summary = "Bewoners worden goed geïnformeerd; één privé gesprek per buurt, in het café."
        _ = try await store.save(extra, author: "f_1")
        try await store.saveMonitoring([MonitoringEntry(id: "m1", intervention: "kb-6", date: "2026-02-01", kind: .resultaat, label: "Eén")])
        _ = try await store.save(ToolkitItem(id: "tk-1", kind: .tip, title: "Koffie in het café", body: "Privé of niet: de financiële kant later."), author: "f_1")
        _ = try await store.saveEffect(Effect(id: "meer-sociale-cohesie", domain: "veiligheid", title: LocalizedText(nl: "Cohesie", en: "Cohesion")), author: "f_1")
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipped)))
    func aHubMovesWithEveryRowAndSearchesAlike() async throws {
        let path = tempDB()
        let sqlite = try SQLiteStore(path: path)
        try await Self.fill(sqlite)
        try sqlite.pool.close()
        let before = try SQLiteStore(path: path)
        defer { try? before.pool.close() }

        let url = try await StoreUnderTest.fresh(.postgres).location
        let report = try await PostgresImport(sqlitePath: path, targetURL: url).run()
        #expect(report.rows("sessions") == 2 && report.rows("events") == 3 && report.rows("interventions") == 6)
        #expect(report.rows("intervention_versions") == 7, "kb-6 has two versions")
        #expect(report.summary.hasPrefix("migrated 2 sessions, 3 events, 1 facilitators"))

        let after = try await PostgresStore(url: url, maximumConnections: 2)
        defer { after.close() }
        #expect(try await after.secret(named: "rejoin-token-key") == before.secret(named: "rejoin-token-key"))
        #expect(try await after.facilitators() == before.facilitators())
        let lifetime = TokenLifetime(idle: .seconds(1_000_000), maxAge: .seconds(1_000_000))
        #expect(try await after.facilitatorId(forTokenHash: "tok-1", at: 20, lifetime: lifetime) == "f_1")
        #expect(try await after.contributors() == before.contributors())
        #expect(try await after.allSeries() == before.allSeries())
        #expect(try await after.seriesRetention(series: "r_1") == before.seriesRetention(series: "r_1"))
        #expect(try await after.sessions() == before.sessions())
        for id in ["s_1", "s_2"] {
            #expect(try await after.events(session: id, after: 0) == before.events(session: id, after: 0))
            #expect(try await after.activityKeys(session: id) == before.activityKeys(session: id))
            #expect(try await after.views(session: id) == before.views(session: id))
            #expect(try await after.outputs(session: id) == before.outputs(session: id))
        }
        #expect(try await after.acceptedSeq(session: "s_1", actor: "p_2", clientId: "c1") == 3, "idempotency keys move with the events")
        #expect(try await after.auditEntries(AuditQuery()) == before.auditEntries(AuditQuery()))
        #expect(try await after.allInterventions() == before.allInterventions())
        #expect(try await after.versions(of: "kb-6") == before.versions(of: "kb-6"))
        #expect(try await after.intervention("kb-6", version: 1) == before.intervention("kb-6", version: 1))
        #expect(try await after.monitoring(of: "kb-6") == before.monitoring(of: "kb-6"))
        #expect(try await after.allToolkitItems() == before.allToolkitItems())
        #expect(try await after.effectordening(version: nil) == before.effectordening(version: nil))
        #expect(try await after.effectordeningVersions() == before.effectordeningVersions())

        for query in Self.queries {
            for drafts in [false, true] {
                let a = try await after.search(InterventionQuery(text: query, includeDrafts: drafts, limit: 50))
                let b = try await before.search(InterventionQuery(text: query, includeDrafts: drafts, limit: 50))
                #expect(a.hits.map(\.id) == b.hits.map(\.id), "\(query) drafts: \(drafts)")
                #expect(a.total == b.total && a.facets == b.facets, "\(query) drafts: \(drafts)")
            }
            let a = try await after.searchToolkit(ToolkitQuery(text: query))
            let b = try await before.searchToolkit(ToolkitQuery(text: query))
            #expect(a.hits.map(\.id) == b.hits.map(\.id), "toolkit: \(query)")
        }
        #expect(try await after.search(InterventionQuery(text: "geinformeerd prive")).hits.map(\.id) == ["kb-6"])

        // The hub goes on writing: generated keys follow the copied ones.
        try await after.audit(actor: "f_1", action: "after.migrate", target: nil)
        #expect(try await after.auditEntries(AuditQuery()).count == before.auditEntries(AuditQuery()).count + 1)
        _ = try await after.save(practice("kb-7", "Reünie na de migratie"), author: "f_1")
        #expect(try await after.search(InterventionQuery(text: "reunie migratie")).hits.map(\.id) == ["kb-7"])
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipped)))
    func aTargetThatHoldsDataIsRefusedAndLeftAsItWas() async throws {
        let path = tempDB()
        let sqlite = try SQLiteStore(path: path)
        try await Self.fill(sqlite)
        try sqlite.pool.close()
        let url = try await StoreUnderTest.fresh(.postgres).location
        _ = try await PostgresImport(sqlitePath: path, targetURL: url).run()
        let target = try await PostgresStore(url: url, maximumConnections: 2)
        defer { target.close() }
        try await target.addFacilitator(FacilitatorRecord(id: "f_9", email: "new@example.org", name: "New", passwordHash: "h", role: .owner, createdAt: 9))
        await #expect { try await PostgresImport(sqlitePath: path, targetURL: url).run() } throws: { error in
            "\(error)".contains("not empty") && "\(error)".contains("2 facilitators")
        }
        #expect(try await target.facilitators().map(\.id) == ["f_1", "f_9"])
        #expect(try await target.sessions().count == 2)
    }
}
