import Foundation
import GRDB
import Model
import Testing
import Toolbox

/// A person's data in the store (docs/PRIVACY.md "Answering a request"): a participant's export and erasure,
/// a facilitator's erasure against the append-only audit log, deleting kennisbank and gereedschapskist records.
@Suite struct PersonalDataTests {
    static let agenda = [AgendaItem(id: "a1", plugin: "x", title: "Genoemd", anonymity: .named),
                         AgendaItem(id: "a2", plugin: "x", title: "Pseudoniem", anonymity: .pseudonymous),
                         AgendaItem(id: "a3", plugin: "x", title: "Anoniem", anonymity: .anonymous)]

    func join(_ seq: Int64, _ p: String, _ name: String) -> LoggedEvent {
        LoggedEvent(seq: seq, kind: .join, activity: nil, actor: p, role: .participant, type: "join",
                    payload: ["participant": .string(p), "name": .string(name), "function": "Wijkcoach Kievit", "org": "Stichting Ooievaar"], clientId: nil, at: seq)
    }

    func card(_ seq: Int64, _ activity: String, _ p: String, _ text: String) -> LoggedEvent {
        LoggedEvent(seq: seq, kind: .input, activity: activity, actor: p, role: .participant, type: "card", payload: ["text": .string(text)],
                    clientId: "c\(seq)", at: seq)
    }

    func closedSession(_ store: SQLiteStore) async throws -> SessionRecord {
        var record = session("s_1", code: "ABCDEF")
        record.agenda = Self.agenda
        try await store.createSession(record, activityKeys: ["a1": [1], "a2": [2], "a3": [3]])
        try await store.append([
            ("s_1", join(1, "p_anne", "Annemarie Zwaluw")), ("s_1", join(2, "p_bob", "Bob Reiger")),
            ("s_1", card(3, "a1", "p_anne", "Annes kaart kolibrie")), ("s_1", card(4, "a1", "p_bob", "Bobs kaart pelikaan")),
            ("s_1", card(5, "a2", "p_anne", "Annes kaart toekan")), ("s_1", card(6, "a3", "p_anne", "Annes kaart papegaai")),
            ("s_1", LoggedEvent(seq: 7, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "close", payload: [:], clientId: "x", at: 7)),
        ])
        return try #require(try await store.session("s_1"))
    }

    func bytes(_ path: String) -> Data {
        [path, path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }.reduce(Data(), +)
    }

    @Test func exportHoldsTheJoinAndTheAttributableInputsOnly() async throws {
        let store = try SQLiteStore(path: tempDB())
        let record = try await closedSession(store)
        let data = try #require(ParticipantExport.build(record, events: try await store.events(session: "s_1", after: 0), participant: "p_anne"))
        #expect(data["participant"]?["name"] == "Annemarie Zwaluw")
        #expect(data["inputs"]?.arrayValue?.map { $0["seq"] } == [3, 5], "the named and the pseudonymous card, not the anonymous one")
        #expect(ParticipantExport.build(record, events: [], participant: "p_anne") == nil)
        #expect(try await store.participants(named: "  annemarie ZWALUW ").map(\.participant) == ["p_anne"])
        #expect(try await store.participants(named: "Annemarie").isEmpty, "a whole name, not a part")
    }

    @Test func eraseBlanksInPlaceReplacesTheViewsAndLeavesTheFile() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        _ = try await closedSession(store)
        try await store.saveViews(session: "s_1", [StoredView(activity: "a1", audience: "public", seq: 4, view: ["cards": ["Annes kaart kolibrie", "Bobs kaart pelikaan"]])])
        let views = [StoredView(activity: "a1", audience: "public", seq: 4, view: ["cards": ["Bobs kaart pelikaan"]])]
        let n = try await store.eraseParticipant(session: "s_1", participant: "p_anne", anonymous: ["a3"], views: views, actor: "f_1")
        #expect(n == 3, "her join and her two attributable cards")
        let events = try await store.events(session: "s_1", after: 0)
        #expect(events.map(\.seq) == Array(1...7), "seq and order kept")
        #expect(events[0].payload == ["participant": "p_anne", "erased": true])
        #expect(events[2].payload == ParticipantErasure.erasedPayload && events[2].clientId == "c3")
        #expect(events[4].payload == ParticipantErasure.erasedPayload)
        #expect(events[5].payload == ["text": "Annes kaart papegaai"], "an anonymous activity's input is nobody's to erase")
        #expect(events[1].payload["name"] == "Bob Reiger" && events[3].payload == ["text": "Bobs kaart pelikaan"])
        #expect(try await store.views(session: "s_1") == views)
        let data = bytes(path)
        for secret in ["Annes kaart kolibrie", "Annes kaart toekan", "Annemarie Zwaluw"] {
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret) is still in the file")
        }
        #expect(data.range(of: Data("Bobs kaart pelikaan".utf8)) != nil)
        let audit = try await store.auditEntries(AuditQuery(action: "participant.erase"))
        #expect(audit.map(\.target) == ["s_1/p_anne"] && audit.first?.actor == "f_1")
        await #expect(throws: StoreError.notFound("p_nobody")) {
            try await store.eraseParticipant(session: "s_1", participant: "p_nobody", anonymous: [], views: [], actor: nil)
        }
    }

    @Test func erasingAFacilitatorBlanksTheirEmailInTheAuditLogWhichStaysAppendOnly() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await store.addFacilitator(FacilitatorRecord(id: "f_9", email: "wilma.weg@example.org", name: "Wilma Wegwezen", passwordHash: "x", role: .owner, createdAt: 1))
        try await store.saveToken(hash: "h1", facilitatorId: "f_9", at: 1)
        try await store.audit(actor: "f_9", action: "login", target: "wilma.weg@example.org")
        try await store.audit(actor: nil, action: "login.failed", target: "WILMA.WEG@example.org", detail: "from 127.0.0.1")
        let data = try #require(try await store.facilitatorData(email: "wilma.weg@example.org"))
        #expect(data.account["name"] == "Wilma Wegwezen" && data.audit.map(\.action) == ["facilitator.add", "login", "login.failed"])
        #expect(try await store.eraseFacilitator(email: "wilma.weg@example.org", actor: nil))
        #expect(try await store.facilitator(id: "f_9") == nil)
        let entries = try await store.auditEntries(AuditQuery())
        #expect(entries.map(\.action) == ["facilitator.add", "login", "login.failed", "facilitator.erase"])
        #expect(entries.allSatisfy { $0.target?.lowercased() != "wilma.weg@example.org" && $0.detail != "wilma.weg@example.org" })
        #expect(entries[1].actor == "f_9", "the id stays: who did what")
        #expect(bytes(path).range(of: Data("wilma.weg@example.org".utf8)) == nil && bytes(path).range(of: Data("Wegwezen".utf8)) == nil)
        #expect(throws: (any Error).self, "the audit log refuses an UPDATE again") {
            try store.pool.write { db in try db.execute(sql: "UPDATE audit SET action = 'x'") }
        }
    }

    @Test func deletingARecordTakesEveryVersionAndItsSearchEntries() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        var i = practice("kb-weg", "Portiekgesprekken Zeearendstraat")
        _ = try await store.save(i, author: "f_1")
        i.summary = "Nu ook in de Grutto-hoeve."
        _ = try await store.save(i, author: "f_1")
        _ = try await store.save(ToolkitItem(id: "tk-weg", kind: .tip, title: "Koffie", body: "Zet koffie in de Kwartelhoeve."), author: "f_1")
        #expect(try await store.search(InterventionQuery(text: "Zeearendstraat")).total == 1)
        #expect(try await store.deleteIntervention("kb-weg", actor: "f_1"))
        #expect(try await store.deleteToolkitItem("tk-weg", actor: "f_1"))
        #expect(try await store.deleteIntervention("kb-weg", actor: "f_1") == false)
        #expect(try await store.intervention("kb-weg", version: 1) == nil)
        #expect(try await store.versions(of: "kb-weg").isEmpty)
        #expect(try await store.search(InterventionQuery(text: "Zeearendstraat")).total == 0)
        #expect(try await store.searchToolkit(ToolkitQuery(text: "Kwartelhoeve")).total == 0)
        for word in ["Zeearendstraat", "zeearendstraat", "Grutto-hoeve", "Kwartelhoeve", "kwartelhoeve"] {
            #expect(bytes(path).range(of: Data(word.utf8)) == nil, "\(word) is still in the file")
        }
        #expect(try await store.auditEntries(AuditQuery()).map(\.action).filter { $0.hasSuffix(".delete") } == ["kennisbank.delete", "toolkit.delete"])
    }
}
