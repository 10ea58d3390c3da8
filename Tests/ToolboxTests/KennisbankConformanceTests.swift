import Foundation
import Model
import PostgresStore
import Testing
import Toolbox

/// The kennisbank, gereedschapskist, retention and personal data in the store conformance suite (issue 21): the same
/// bodies on SQLite (FTS5 `unicode61 remove_diacritics 2`) and PostgreSQL (`simple` with `unaccent`), so a search
/// finds the same records on both: diacritics folded, every word a prefix, no stemming.
@Suite struct KennisbankConformanceTests {
    typealias FullStore = HubStore & KennisbankStore & ToolkitStore & RetentionStore & PersonalDataStore & SeriesStore

    static func fresh(_ kind: StoreKind) async throws -> any FullStore {
        let store = try await StoreUnderTest.fresh(kind).store
        return try #require(store as? any FullStore)
    }

    /// Four published descriptions and a draft, with words in and out of accents, compounds and an e-mail address.
    static func corpus(_ store: any FullStore) async throws {
        var a = practice("kb-1", "Financiële steun voor buurtbeheer")
        a.summary = "Het café op de hoek is de huiskamer van de buurt; de corporatie geeft financiële steun."
        _ = try await store.save(a, author: "f_1")
        var b = practice("kb-2", "Buurtbemiddeling Noord", kind: "buurtbemiddeling")
        b.summary = "Vrijwilligers bemiddelen bij burenruzies; financiele afspraken staan in een convenant."
        b.themes = ["heel"]
        _ = try await store.save(b, author: "f_2")
        var c = practice("kb-3", "Naïeve aanpak werkt", kind: "klushuizen")
        c.summary = "Re-integratie via klussen; mail info@buurtwerk.nl of bel 010-1234567."
        c.effects = ["meer-sociale-cohesie"]
        _ = try await store.save(c, author: "f_1")
        var d = practice("kb-4", "Zorgcoöperatie Zuid", kind: "zorgcooperatie")
        d.summary = "Een coöperatie van bewoners voor zorg dichtbij: geen café, wel koffie."
        _ = try await store.save(d, author: "f_3")
        var e = practice("kb-5", "Concept café", state: .draft)
        e.summary = "Nog niet af: café en financiële steun."
        _ = try await store.save(e, author: "f_1")
    }

    static let searches: [(query: String, ids: Set<String>)] = [
        ("financiele", ["kb-1", "kb-2"]), ("financiële", ["kb-1", "kb-2"]), ("FINANCIËLE", ["kb-1", "kb-2"]),
        ("cafe", ["kb-1", "kb-4"]), ("café", ["kb-1", "kb-4"]), ("Cafè", ["kb-1", "kb-4"]),
        ("buurt*", ["kb-1", "kb-2", "kb-3", "kb-4"]), ("buurtb", ["kb-1", "kb-2"]), ("buurtbeheer", ["kb-1"]),
        ("naieve", ["kb-3"]), ("naïeve aanpak", ["kb-3"]), ("integratie", ["kb-3"]), ("re-integratie", ["kb-3"]),
        ("buurtwerk nl", ["kb-3"]), ("1234567", ["kb-3"]), ("cooperatie", ["kb-4"]), ("coöp", ["kb-4"]),
        ("financiele cafe", ["kb-1"]), ("steun noord", []), ("financieel", []), ("\" OR * (", []),
    ]

    @Test(arguments: StoreKind.available) func searchFoldsDiacriticsMatchesPrefixesAndKeepsDraftsOut(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await Self.corpus(store)
        for (query, ids) in Self.searches {
            let r = try await store.search(InterventionQuery(text: query, limit: 50))
            #expect(Set(r.hits.map(\.id)) == ids, "\(query)")
            #expect(r.total == ids.count, "\(query)")
        }
        let drafts = try await store.search(InterventionQuery(text: "cafe", includeDrafts: true))
        #expect(Set(drafts.hits.map(\.id)) == ["kb-1", "kb-4", "kb-5"])
        let hit = try await store.search(InterventionQuery(text: "financiele")).hits.first { $0.id == "kb-2" }
        #expect(hit?.snippet?.contains("[financiele]") == true, "\(hit?.snippet ?? "no snippet")")
        #expect(hit?.kind == "buurtbemiddeling" && hit?.type == .praktijk && hit?.state == .published)
    }

    @Test(arguments: StoreKind.available) func facetsCountEveryMatchAndFilterWithinAndAcross(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await Self.corpus(store)
        let all = try await store.search(InterventionQuery(limit: 2))
        #expect(all.total == 4 && all.hits.count == 2)
        #expect(all.facets["kind"] == [FacetCount(value: "buurtbeheerbedrijven", count: 1), FacetCount(value: "buurtbemiddeling", count: 1),
                                       FacetCount(value: "klushuizen", count: 1), FacetCount(value: "zorgcooperatie", count: 1)])
        #expect(all.facets["theme"] == [FacetCount(value: "heel", count: 4), FacetCount(value: "schoon", count: 3)])
        #expect(all.facets["domain"] == [FacetCount(value: "sociaal", count: 4)])
        let filtered = try await store.search(InterventionQuery(text: "cafe", filters: ["kind": ["zorgcooperatie", "klushuizen"], "theme": ["heel"]]))
        #expect(filtered.hits.map(\.id) == ["kb-4"])
        #expect(filtered.facets["kind"] == [FacetCount(value: "zorgcooperatie", count: 1)])
        let paged = try await store.search(InterventionQuery(limit: 3, offset: 3))
        #expect(paged.hits.count == 1 && paged.total == 4)
    }

    @Test(arguments: StoreKind.available) func versionsEffectsAndImportsBehaveAlike(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        var i = practice("kb-1", "Buurtbeheer Zuidwijk")
        #expect(try await store.save(i, author: "f_1").version == 1)
        #expect(try await store.save(i, author: "f_2").version == 1, "unchanged content makes no version")
        i.summary = "Tweede tekst over de wijk"
        #expect(try await store.save(i, author: "f_2").version == 2)
        #expect(try await store.versions(of: "kb-1").map(\.version) == [1, 2])
        #expect(try await store.versions(of: "kb-1").map(\.author) == ["f_1", "f_2"])
        #expect(try await store.intervention("kb-1", version: 1)?.summary != "Tweede tekst over de wijk")
        #expect(try await store.intervention("kb-1", version: nil)?.version == 2)
        #expect(try await store.interventionIds(firstAuthor: "f_1") == ["kb-1"])
        #expect(try await store.search(InterventionQuery(text: "tweede")).hits.map(\.id) == ["kb-1"], "the search follows the newest version")

        let first = try #require(try await store.effectordening(version: nil))
        #expect(first.version == 1 && first.effects.count == KennisbankIndexing.shippedEffects().count)
        let moved = try await store.saveEffect(Effect(id: "meer-sociale-cohesie", domain: "veiligheid", title: LocalizedText(nl: "Cohesie", en: "Cohesion")), author: "f_1")
        #expect(moved.version == 2)
        #expect(try await store.search(InterventionQuery()).facets["domain"] == [FacetCount(value: "veiligheid", count: 1)], "re-indexed under its new domain")
        await #expect(throws: StoreError.self) { _ = try await store.removeEffect("meer-sociale-cohesie", author: "f_1") }
        #expect(try await store.effectordeningVersions().map(\.version) == [1, 2])
        #expect(try await store.effectordening(version: 1)?.effects.first { $0.id == "meer-sociale-cohesie" }?.domain == "sociaal")

        let bad = practice("kb-9", "Kapot")
        let summary = try await store.importInterventions([(1, practice("kb-7", "Zeven")), (2, bad)], author: "f_1")
        #expect(summary == ImportSummary(created: 2, updated: 0, unchanged: 0))
        #expect(try await store.allInterventions().map(\.id) == ["kb-1", "kb-7", "kb-9"])

        try await store.saveMonitoring([MonitoringEntry(id: "m2", intervention: "kb-1", date: "2026-02-01", kind: .resultaat, label: "Twee"),
                                        MonitoringEntry(id: "m1", intervention: "kb-1", date: "2026-01-01", kind: .resultaat, label: "Een")])
        #expect(try await store.monitoring(of: "kb-1").map(\.id) == ["m1", "m2"])
        #expect(try await store.deleteMonitoring("m1", of: "kb-1"))
        #expect(try await store.deleteMonitoring("m1", of: "kb-1") == false)
        #expect(try await store.monitoringEntry("m2")?.label == "Twee")
    }

    @Test(arguments: StoreKind.available) func theGereedschapskistSearchesAndFacetsAlike(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        var t1 = ToolkitItem(id: "tk-1", kind: .tip, title: "Koffie in het café", body: "Begin met koffie; de financiële kant komt later.")
        t1.themes = ["ontmoeting"]
        _ = try await store.save(t1, author: "f_1")
        _ = try await store.save(ToolkitItem(id: "tk-2", kind: .werkvorm, title: "Buurtwandeling", body: "Loop samen door de buurt."), author: "f_1")
        #expect(Set(try await store.searchToolkit(ToolkitQuery(text: "cafe")).hits.map(\.id)) == ["tk-1"])
        #expect(Set(try await store.searchToolkit(ToolkitQuery(text: "buurt")).hits.map(\.id)) == ["tk-2"])
        #expect(Set(try await store.searchToolkit(ToolkitQuery(text: "financiele koffie")).hits.map(\.id)) == ["tk-1"])
        let all = try await store.searchToolkit(ToolkitQuery())
        #expect(all.total == 2 && all.facets["kind"]?.count == 2 && all.facets["theme"] == [FacetCount(value: "ontmoeting", count: 1)])
        #expect(try await store.allToolkitItems().map(\.id) == ["tk-1", "tk-2"])
        #expect(try await store.toolkitItem("tk-1")?.version == 1)
        #expect(try await store.deleteToolkitItem("tk-1", actor: "f_1"))
        #expect(try await store.searchToolkit(ToolkitQuery(text: "cafe")).total == 0)
    }

    @Test(arguments: StoreKind.available) func filedOutputsBecomeRecordsInTheSameTransaction(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        let record: JSONValue = ["title": "Uit de sessie", "kind": "buurtcafé", "type": "praktijk", "state": "published", "summary": "Samen koken in het café"]
        let saved = try await store.saveOutputs(session: "s_1", [
            StoredOutput(instance: "s_1/a1", seq: 4, index: 0, kind: OutputFiling.interventionKind, record: record),
            StoredOutput(instance: "s_1/a1", seq: 4, index: 1, kind: OutputFiling.toolkitKind, record: ["kind": "tip", "title": "Tip", "body": "Koffie"]),
            StoredOutput(instance: "s_1/a1", seq: 4, index: 2, kind: OutputFiling.toolkitKind, record: ["kind": "nonsense"]),
        ])
        let id = OutputFiling.interventionId(instance: "s_1/a1")
        #expect(saved.first?.filed == "\(id)@1")
        #expect(saved[1].filed?.hasPrefix("tk-") == true)
        #expect(saved[2].filed?.hasPrefix("invalid: ") == true)
        #expect(try await store.search(InterventionQuery(text: "cafe")).hits.map(\.id) == [id])
        #expect(try await store.intervention(id, version: nil)?.provenance?.first?.session == "s_1")
    }

    /// A NUL character (U+0000): SQLite keeps it; PostgreSQL cannot, and refuses it with `unstorableText` (400 on the
    /// REST API) instead of a server error. Either way nothing already stored stops being listed or found.
    @Test(arguments: StoreKind.available) func textWithANULIsKeptOrRefusedAndPoisonsNothing(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        var inTitle = ToolkitItem(id: "tk-nul-1", kind: .tip, title: "Koffie\u{0}", body: "Een tip.")
        var inAttachment = ToolkitItem(id: "tk-nul-2", kind: .tip, title: "Thee", body: "Een tip.")
        inAttachment.attachments = [Source(title: "Bron", url: "https://example.org/\u{0}")]
        for item in [inTitle, inAttachment] {
            if kind == .sqlite {
                _ = try await store.save(item, author: "f_1")
            } else {
                await #expect(throws: StoreError.self) { _ = try await store.save(item, author: "f_1") }
            }
        }
        inTitle.title = "Koffie"
        _ = try await store.save(inTitle, author: "f_1")
        #expect(Set(try await store.searchToolkit(ToolkitQuery()).hits.map(\.id)).contains("tk-nul-1"))
        #expect(try await store.searchToolkit(ToolkitQuery(text: "koffie")).hits.map(\.id) == ["tk-nul-1"])

        // An input's payload is JSON text, so its NUL is escaped and kept by both; looking up a participant by name
        // must not trip over it (PostgreSQL's `jsonb` refuses an escaped NUL).
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.append([
            ("s_1", LoggedEvent(seq: 1, kind: .join, activity: nil, actor: "p_1", role: .participant, type: "join",
                                payload: ["participant": "p_1", "name": "Ann"], clientId: nil, at: 10)),
            ("s_1", LoggedEvent(seq: 2, kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "idea",
                                payload: ["name": "x\u{0}y", "text": "\u{0}"], clientId: "c1", at: 11)),
        ])
        #expect(try await store.events(session: "s_1", after: 1).first?.payload["text"] == "\u{0}")
        #expect(try await store.participants(named: "ann").map(\.participant) == ["p_1"])
    }

    @Test(arguments: StoreKind.available) func purgeBlanksAClosedSessionAndRecordsIt(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        var s = session("s_1", code: "ABCDEF")
        s.agenda = [AgendaItem(id: "a1", plugin: "x", title: "X", anonymity: .named)]
        try await store.createSession(s, activityKeys: [:])
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Reeks", createdAt: 1))
        try await store.setSeriesRetention(series: "r_1", RetentionRule(names: .days(7)))
        #expect(try await store.seriesRetention(series: "r_1") == RetentionRule(names: .days(7)))
        try await store.append([
            ("s_1", LoggedEvent(seq: 1, kind: .join, activity: nil, actor: "p_1", role: .participant, type: "join",
                                payload: ["participant": "p_1", "name": " Ann de Vries ", "org": "Wijkteam"], clientId: nil, at: 10)),
            ("s_1", LoggedEvent(seq: 2, kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "idea", payload: ["text": "Bankjes"], clientId: "c1", at: 11)),
        ])
        #expect(try await store.participants(named: "ann de vries").map(\.participant) == ["p_1"])
        await #expect(throws: PurgeRefused.self) { _ = try await store.purge(session: "s_1", kinds: [.names], at: 20) }
        try await store.append([("s_1", LoggedEvent(seq: 3, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "close",
                                                    payload: [:], clientId: nil, at: 12))])
        #expect(try await store.retentionCandidates().first?.candidate.closedAt == 12)
        try await store.saveViews(session: "s_1", [StoredView(activity: "a1", audience: "beamer", seq: 2, view: ["n": 1])])
        let counts = try await store.purge(session: "s_1", kinds: [.names, .inputs], at: 20)
        #expect(counts.joins == 1 && counts.inputs == 1 && counts.views == 1)
        let events = try await store.events(session: "s_1", after: 0)
        #expect(events[0].payload == ["participant": "p_1"])
        #expect(events[1].isPurged)
        #expect(try await store.purgeMarks(session: "s_1").map(\.kind) == [.inputs, .names])
        #expect(try await store.scrub())
        #expect(try await store.participants(named: "Ann de Vries").isEmpty)
    }

    @Test(arguments: StoreKind.available) func aParticipantAndAFacilitatorAreErased(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await store.addFacilitator(FacilitatorRecord(id: "f_1", email: "Ann@example.org", name: "Ann", passwordHash: "h", role: .owner, createdAt: 1))
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.append([
            ("s_1", LoggedEvent(seq: 1, kind: .join, activity: nil, actor: "p_1", role: .participant, type: "join",
                                payload: ["participant": "p_1", "name": "Bob"], clientId: nil, at: 10)),
            ("s_1", LoggedEvent(seq: 2, kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "idea", payload: ["text": "x"], clientId: "c1", at: 11)),
        ])
        #expect(try await store.eraseParticipant(session: "s_1", participant: "p_1", anonymous: [], views: [], actor: "f_1") == 2)
        #expect(try await store.events(session: "s_1", after: 0).map(\.payload) == [["participant": "p_1", "erased": true], ParticipantErasure.erasedPayload])
        await #expect(throws: StoreError.self) { _ = try await store.eraseParticipant(session: "s_1", participant: "p_9", anonymous: [], views: [], actor: nil) }
        #expect(try await store.facilitatorData(email: "ann@example.org")?.account["id"] == "f_1")
        #expect(try await store.eraseFacilitator(email: "ann@example.org", actor: nil))
        #expect(try await store.facilitator(id: "f_1") == nil)
        let entries = try await store.auditEntries(AuditQuery(limit: 50))
        #expect(!entries.contains { $0.detail?.lowercased() == "ann@example.org" || $0.target?.lowercased() == "ann@example.org" })
        #expect(entries.contains { $0.action == "facilitator.erase" && $0.target == "f_1" })
        try await store.addContributor(ContributorRecord(id: "c_1", name: "Carla", email: "carla@example.org", organisation: nil, invitedBy: "f_1", createdAt: 5),
                                       tokenHash: "tok")
        #expect(try await store.eraseContributor("CARLA@example.org", actor: nil)?.id == "c_1")
        _ = try await store.save(practice("kb-1", "Weg ermee"), author: nil)
        #expect(try await store.deleteIntervention("kb-1", actor: nil))
        #expect(try await store.intervention("kb-1", version: 1) == nil)
        #expect(try await store.search(InterventionQuery(text: "weg")).total == 0)
    }

    @Test(arguments: StoreKind.available) func aSeriesKeepsItsJourney(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Reeks", createdAt: 1))
        #expect(try await store.journey(series: "r_1") == nil)
        let journey = SeriesJourney(themes: ["groen"], facilitators: ["f_1"], start: "2026-12-02")
        try await store.saveJourney(series: "r_1", journey)
        #expect(try await store.journey(series: "r_1") == journey)
        await #expect(throws: StoreError.self) { try await store.saveJourney(series: "nope", journey) }
    }
}
