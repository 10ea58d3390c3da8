import Foundation
import Model
import Testing
import Toolbox

/// A generated corpus of 10,000 descriptions (issue 6, acceptance 2): queries with diacritics and
/// filters must return exactly the items a plain scan of the corpus says they should.
@Suite struct SearchCorpusTests {
    static let kinds = ["buurtbeheerbedrijven", "klushuizen", "verkoop-huurwoningen", "skaeve-huse", "schuldhulpverlening"]
    static let themes = ["schoon", "heel", "veilig", "wonen", "werken", "leven"]
    static let words = ["financiële", "coördinator", "ideeën", "bewoners", "groen", "onderhoud", "veiligheid", "ontmoeting", "schulden", "corporatie"]

    static func corpus() -> [Intervention] {
        var rng = SplitMix(seed: 2026)
        return (0..<10_000).map { n in
            var i = Intervention(id: String(format: "kb-%05d", n), title: "Praktijk \(n)", kind: kinds[Int(rng.next() % 5)], type: n % 50 == 0 ? .archetype : .praktijk,
                                 state: n % 10 == 9 ? .draft : .published)
            i.summary = (0..<4).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ")
            i.themes = [themes[Int(rng.next() % 6)]]
            i.scale = [Scale.complex, .buurt, .wijk][n % 3]
            return i
        }
    }

    @Test func diacriticsAndFiltersOverTenThousand() async throws {
        let store = try SQLiteStore(path: tempDB())
        let all = Self.corpus()
        _ = try await store.importInterventions(all.enumerated().map { ($0.offset + 1, $0.element) }, author: nil)
        func expected(_ word: String, kind: String? = nil, theme: String? = nil) -> Set<String> {
            Set(all.filter { $0.state == .published && ($0.summary ?? "").contains(word) && (kind == nil || $0.kind == kind)
                && (theme == nil || $0.themes == [theme!]) }.map(\.id))
        }
        func found(_ q: String, _ filters: [String: [String]] = [:]) async throws -> Set<String> {
            let first = try await store.search(InterventionQuery(text: q, filters: filters, limit: 100))
            var ids = Set(first.hits.map(\.id))
            var offset = 100
            while offset < first.total {
                ids.formUnion(try await store.search(InterventionQuery(text: q, filters: filters, limit: 100, offset: offset)).hits.map(\.id))
                offset += 100
            }
            #expect(ids.count == first.total)
            return ids
        }
        let plain = try await found("financiele")
        #expect(plain == expected("financiële"))
        #expect(plain.count > 1000)
        #expect(try await found("FINANCIËLE") == plain)
        #expect(try await found("coordinator", ["kind": ["klushuizen"]]) == expected("coördinator", kind: "klushuizen"))
        #expect(try await found("ideeen groen", ["theme": ["veilig"]])
            == expected("ideeën", theme: "veilig").intersection(expected("groen", theme: "veilig")))
        let facets = try await store.search(InterventionQuery(text: "schulden", limit: 1)).facets
        for kind in Self.kinds {
            let count = facets["kind"]?.first { $0.value == kind }?.count ?? 0
            #expect(count == expected("schulden", kind: kind).count, "facet count for \(kind)")
        }
    }
}

/// A small deterministic generator, so the corpus is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
