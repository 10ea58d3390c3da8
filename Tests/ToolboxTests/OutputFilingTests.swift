import Foundation
import Model
import Testing
import Toolbox

/// Plugin outputs filed into the kennisbank and gereedschapskist (docs/PLUGINS.md "Output records").
@Suite struct OutputFilingTests {
    static let instance = "s_1/a2"

    func archetype(_ title: String, seqs: [Int64] = [4, 7]) -> JSONValue {
        [
            "title": .string(title), "kind": "buurtbeheerbedrijven", "type": "archetype", "state": "published",
            "activeIngredients": [["id": "c1", "statement": "Bewoners uit de wijk zelf", "rank": 1, "votes": 9]],
            "provenance": [["session": "", "seqs": .array(seqs.map(JSONValue.int))]],
        ]
    }

    func output(_ seq: Int64, _ kind: String, _ record: JSONValue, index: Int = 0) -> StoredOutput {
        StoredOutput(instance: Self.instance, seq: seq, index: index, kind: kind, record: record)
    }

    func store() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: tempDB())
        var s = session("s_1", code: "ABCDEF")
        s.createdBy = "f_1"
        try await store.createSession(s, activityKeys: [:])
        return store
    }

    @Test func anInterventionWithoutIdIsOneDescriptionPerActivityAndReplaysAddNoVersion() async throws {
        let store = try await store()
        let id = OutputFiling.interventionId(instance: Self.instance)
        let first = try await store.saveOutputs(session: "s_1", [output(20, OutputFiling.interventionKind, archetype("Buurtbeheer"))])
        #expect(first.map(\.filed) == ["\(id)@1"])
        // The replay after a plugin restart emits the same output under the same key: nothing new.
        #expect(try await store.saveOutputs(session: "s_1", [output(20, OutputFiling.interventionKind, archetype("Buurtbeheer"))]).isEmpty)
        let second = try await store.saveOutputs(session: "s_1", [output(31, OutputFiling.interventionKind, archetype("Buurtbeheerbedrijven", seqs: [4, 7, 29]))])
        #expect(second.map(\.filed) == ["\(id)@2"])
        #expect(try await store.versions(of: id).map(\.version) == [1, 2])
        #expect(try await store.intervention(id, version: 1)?.title == "Buurtbeheer")
        let latest = try #require(try await store.intervention(id, version: nil))
        #expect(latest.type == .archetype && latest.author == "f_1")
        #expect(latest.provenance == [Provenance(session: "s_1", activity: "a2", seqs: [4, 7, 29])])
        #expect(try await store.search(InterventionQuery(text: "bewoners")).hits.map(\.id) == [id])
        #expect(try await store.outputs(session: "s_1").map(\.filed) == ["\(id)@1", "\(id)@2"])
    }

    @Test func toolkitItemsAreEachTheirOwnAndGetTheSessionAsProvenance() async throws {
        let store = try await store()
        let tip: JSONValue = ["kind": "les", "title": "Spreek een vaste contactpersoon af", "body": "Eén gezicht per instantie.", "barriers": ["samenwerking"]]
        let saved = try await store.saveOutputs(session: "s_1", [
            output(40, OutputFiling.toolkitKind, tip, index: 0), output(40, OutputFiling.toolkitKind, tip, index: 1),
        ])
        let ids = saved.compactMap { $0.filed?.split(separator: "@").first.map(String.init) }
        #expect(ids.count == 2 && Set(ids).count == 2)
        let item = try #require(try await store.toolkitItem(ids[0]))
        #expect(item.barriers == ["samenwerking"])
        #expect(item.provenance == [Provenance(session: "s_1", activity: "a2", seqs: [40])])
    }

    @Test func anInvalidRecordIsKeptWithTheSessionButNotFiled() async throws {
        let store = try await store()
        let saved = try await store.saveOutputs(session: "s_1", [
            output(50, OutputFiling.interventionKind, ["title": "Zonder soort", "type": "archetype", "state": "published"]),
            output(51, OutputFiling.toolkitKind, ["kind": "les", "title": "", "body": "x"]),
            output(52, "report.section", ["title": ["nl": "Ronde", "en": "Round"]]),
        ])
        #expect(saved.map(\.filed) == ["invalid: kind: is required", "invalid: title: is required", nil])
        #expect(try await store.allInterventions().isEmpty)
        #expect(try await store.allToolkitItems().isEmpty)
        #expect(try await store.outputs(session: "s_1").count == 3)
    }

    @Test func anIdGivenByThePluginVersionsThatDescription() async throws {
        let store = try await store()
        var existing = Intervention(id: "arch-bbb", title: "Buurtbeheerbedrijven", kind: "buurtbeheerbedrijven", type: .archetype, state: .published)
        existing.summary = "Eerste versie"
        _ = try await store.save(existing, author: "f_2")
        guard case .object(var record) = archetype("Buurtbeheerbedrijven") else { return }
        record["id"] = "arch-bbb"
        #expect(try await store.saveOutputs(session: "s_1", [output(60, OutputFiling.interventionKind, .object(record))]).map(\.filed) == ["arch-bbb@2"])
    }
}
