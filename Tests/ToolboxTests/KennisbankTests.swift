import Foundation
import Model
import Testing
import Toolbox

func practice(_ id: String, _ title: String, kind: String = "buurtbeheerbedrijven", state: PublicationState = .published) -> Intervention {
    var i = Intervention(id: id, title: title, kind: kind, type: .praktijk, state: state)
    i.summary = "Bewoners onderhouden samen het groen; financiële steun van de corporatie."
    i.themes = ["schoon", "heel"]
    i.effects = ["meer-sociale-cohesie"]
    i.scale = .buurt
    i.activeIngredients = [ActiveIngredient(id: "wb-1", statement: "Werk in de eigen buurt", evidence: Evidence(level: .aannemelijk))]
    return i
}

@Suite struct KennisbankTests {
    @Test func threeEditsMakeThreeReadableVersions() async throws {
        let store = try SQLiteStore(path: tempDB())
        var i = practice("kb-1", "Buurtbeheer Zuidwijk")
        #expect(try await store.save(i, author: "f_1").version == 1)
        #expect(try await store.save(i, author: "f_1").version == 1, "unchanged content makes no version")
        i.summary = "Tweede tekst"
        #expect(try await store.save(i, author: "f_2").version == 2)
        i.title = "Buurtbeheer Zuidwijk-Oost"
        #expect(try await store.save(i, author: "f_1").version == 3)
        #expect(try await store.versions(of: "kb-1").map(\.version) == [1, 2, 3])
        #expect(try await store.intervention("kb-1", version: 1)?.title == "Buurtbeheer Zuidwijk")
        #expect(try await store.intervention("kb-1", version: 2)?.summary == "Tweede tekst")
        #expect(try await store.intervention("kb-1", version: nil)?.version == 3)
    }

    @Test func searchFoldsDiacriticsAndKeepsDraftsOut() async throws {
        let store = try SQLiteStore(path: tempDB())
        _ = try await store.save(practice("kb-1", "Buurtbeheer Zuidwijk"), author: nil)
        _ = try await store.save(practice("kb-2", "Klushuizen Noord", kind: "klushuizen"), author: nil)
        _ = try await store.save(practice("kb-3", "Concept", state: .draft), author: nil)
        let r = try await store.search(InterventionQuery(text: "financiele"))
        #expect(Set(r.hits.map(\.id)) == ["kb-1", "kb-2"])
        #expect(r.hits.first?.snippet?.contains("[financiële]") == true)
        let filtered = try await store.search(InterventionQuery(text: "financiële", filters: ["kind": ["klushuizen"]]))
        #expect(filtered.hits.map(\.id) == ["kb-2"])
        let all = try await store.search(InterventionQuery())
        #expect(all.total == 2)
        #expect(all.facets["kind"] == [FacetCount(value: "buurtbeheerbedrijven", count: 1), FacetCount(value: "klushuizen", count: 1)])
        #expect(all.facets["evidence"] == [FacetCount(value: "aannemelijk", count: 2)])
        #expect(try await store.search(InterventionQuery(includeDrafts: true)).total == 3)
        #expect(try await store.search(InterventionQuery(text: "\" OR * (")).total == 0, "FTS syntax in the query is neutralised")
    }

    @Test func jsonLinesRoundTripIsByteIdentical() async throws {
        let a = try SQLiteStore(path: tempDB())
        var full = practice("kb-full", "Alles ingevuld")
        full.problem = "Verloedering"; full.goals = ["Schoon"]; full.targetGroups = ["Bewoners"]; full.approach = "Samen"; full.steps = ["1", "2"]
        full.intendedEffect = "Trots"; full.otherEffects = ["Minder zwerfvuil"]; full.needs = Needs(people: "2 fte", money: "€ 40.000", partners: "Gemeente", time: "2 jaar")
        full.partner = "Woonstichting Delta"; full.location = "Zuidwijk"; full.generalisedPractices = nil; full.provenance = [Provenance(session: "s_1", activity: "a2", seqs: [4, 9])]
        full.theoryOfChange = TheoryOfChange(activities: ["Werk"], intermediateEffects: ["Contact"], finalEffects: ["Cohesie"], assumptions: ["Bewoners willen"],
                                             links: [.init(from: "Werk", to: "Contact", ingredients: ["wb-1"])])
        full.activeIngredients = [ActiveIngredient(id: "wb-1", statement: "Eigen buurt", why: "Trots", sourceRecords: ["kb-2"],
                                                   evidence: Evidence(level: .bewezen, explanation: "Twee studies", sources: [Source(title: "Studie", url: "https://example.org")]), rank: 1, votes: 12)]
        _ = try await a.save(full, author: "f_1")
        var arche = Intervention(id: "kb-arch", title: "Archetype", kind: "buurtbeheerbedrijven", type: .archetype, state: .published)
        arche.generalisedPractices = ["kb-full"]
        _ = try await a.save(arche, author: nil)
        let first = try KennisbankFormats.jsonLines(try await a.allInterventions())
        let b = try SQLiteStore(path: tempDB())
        let parsed = try KennisbankFormats.parseInterventions(first, effects: []).get()
        _ = try await b.importInterventions(parsed, author: nil)
        let second = try KennisbankFormats.jsonLines(try await b.allInterventions())
        #expect(first == second)
        #expect(try await b.importInterventions(parsed, author: nil) == ImportSummary(created: 0, updated: 0, unchanged: 2), "import is idempotent")
    }

    @Test func oneBadRecordAmongAHundredImportsNothing() async throws {
        var lines = try (1...100).map { try JSONCoding.string(practice("kb-\($0)", "Praktijk \($0)")) }
        lines[57] = #"{"id":"kb-58","title":"Zonder soort","type":"praktijk","state":"published"}"#
        switch KennisbankFormats.parseInterventions(lines.joined(separator: "\n"), effects: ["meer-sociale-cohesie"]) {
        case .success: Issue.record("a bad file parsed")
        case .failure(let p):
            #expect(p.problems == [ImportProblem(line: 58, id: "kb-58", message: "kind: is required")])
        }
        let store = try SQLiteStore(path: tempDB())
        #expect(try await store.allInterventions().isEmpty)
    }

    @Test func shippedEffectordeningLoads() async throws {
        let effects = try await SQLiteStore(path: tempDB()).effects()
        #expect(effects.contains { $0.id == "meer-sociale-cohesie" })
    }
}

@Suite struct RendementTests {
    @Test func workedExampleByHand() {
        let entries = [
            MonitoringEntry(id: "m1", intervention: "kb-1", date: "2025-01-10", kind: .kosten, label: "Personeel", category: "personeel", euros: 40_000, hours: 800),
            MonitoringEntry(id: "m2", intervention: "kb-1", date: "2026-01-10", kind: .kosten, label: "Materiaal", category: "materiaal", euros: 10_000),
            MonitoringEntry(id: "m3", intervention: "kb-1", date: "2025-06-01", kind: .resultaat, label: "Trajecten", value: 12, unit: "trajecten", target: 15),
            // (70 − 50) × 0.5 × (1 − 0.2) = 8 fewer complaints… measured as more satisfied households, € 1,500 each.
            MonitoringEntry(id: "m4", intervention: "kb-1", date: "2026-06-01", kind: .rendement, label: "Tevreden huishoudens", unit: "huishoudens",
                            baseline: 50, measured: 70, attribution: 0.5, deadWeight: 0.2, valuePerUnit: 1_500),
            MonitoringEntry(id: "m5", intervention: "kb-1", date: "2026-06-01", kind: .rendement, label: "Ervaren veiligheid", unit: "cijfer",
                            baseline: 6.0, measured: 6.5, attribution: 0.4, deadWeight: 0.5),
        ]
        let s = MonitoringSummary.compute(entries)
        #expect(s.euros == 50_000)
        #expect(s.hours == 800)
        #expect(s.eurosByCategory == ["personeel": 40_000, "materiaal": 10_000])
        #expect(s.outputs == [.init(label: "Trajecten", unit: "trajecten", value: 12, target: 15)])
        #expect(s.indicators[0].netEffect == 8)
        #expect(s.indicators[0].value == 12_000)
        #expect(abs(s.indicators[1].netEffect - 0.1) < 1e-9)
        #expect(s.indicators[1].value == nil)
        #expect(s.value == 12_000)
        #expect(s.ratio == 0.24)
        #expect(s.byYear.map(\.year) == ["2025", "2026"])
        #expect(s.byYear[1].euros == 10_000 && s.byYear[1].value == 12_000)
    }
}

@Suite struct ChangedDateFilterTests {
    /// The date filter uses when a record last changed: its own `updatedAt` for imports (kept losslessly).
    @Test func sinceAndUntilSelectByLastChange() async throws {
        let store = try SQLiteStore(path: tempDB())
        let day: Int64 = 86_400_000
        let jan1: Int64 = 1_767_225_600_000  // 2026-01-01T00:00Z
        var records: [(line: Int, record: Intervention)] = []
        for (n, offset) in [0, 10, 40].enumerated() {
            var i = practice("kb-d\(n)", "Praktijk \(n)")
            i.createdAt = jan1 + Int64(offset) * day
            i.updatedAt = jan1 + Int64(offset) * day + 3_600_000
            i.version = 1
            records.append((n + 1, i))
        }
        _ = try await store.importInterventions(records, author: nil)
        func ids(_ since: Int64?, _ until: Int64?) async throws -> Set<String> {
            Set(try await store.search(InterventionQuery(changed: ChangedRange(since: since, until: until))).hits.map(\.id))
        }
        #expect(try await ids(jan1, jan1 + day) == ["kb-d0"])
        #expect(try await ids(jan1 + day, nil) == ["kb-d1", "kb-d2"])
        #expect(try await ids(nil, jan1 + 11 * day) == ["kb-d0", "kb-d1"])
        var changed = try #require(try await store.intervention("kb-d0", version: nil))
        changed.summary = "Nu aangepast"
        _ = try await store.save(changed, author: "f_1")
        #expect(try await ids(jan1, jan1 + day).isEmpty, "an edit today moves it out of January 1st")
    }
}
