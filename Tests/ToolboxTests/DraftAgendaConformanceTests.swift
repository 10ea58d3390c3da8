import Model
import Testing
import Toolbox

/// Editing a session's agenda (issue 20) on both stores (issue 21): part of the store conformance suite.
@Suite struct DraftAgendaConformanceTests {
    static func fresh(_ kind: StoreKind) async throws -> any HubStore & DraftAgendaStore {
        try #require(try await StoreUnderTest.fresh(kind).store as? any HubStore & DraftAgendaStore)
    }

    @Test(arguments: StoreKind.available) func aDraftIsReplacedUntilACommandIsLogged(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [1]])
        var next = session("s_1", code: "ABCDEF")
        next.title = "Bewerkt"
        next.agenda = [AgendaItem(id: "a1", plugin: "x", title: "X"), AgendaItem(id: "a2", plugin: "y", title: "Y")]
        #expect(try await store.replaceDraftAgenda(next, activityKeys: ["a1": [2], "a2": [3]], actor: "f_1") == .replaced)
        let stored = try #require(try await store.session("s_1"))
        #expect(stored.title == "Bewerkt" && stored.agenda.map(\.id) == ["a1", "a2"])
        #expect(try await store.activityKeys(session: "s_1") == ["a1": [2], "a2": [3]])
        try await store.append([("s_1", LoggedEvent(seq: 1, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "goto",
                                                    payload: ["activity": "a2"], clientId: nil, at: 2))])
        #expect(try await store.replaceDraftAgenda(next, activityKeys: [:], actor: "f_1") == .prepared)
        #expect(try await store.auditEntries(AuditQuery(action: "session.agenda", limit: 10)).map(\.target) == ["s_1"])
    }

    @Test(arguments: StoreKind.available) func anActivityIsAppendedWithAFreeIdUntilTheClose(_ kind: StoreKind) async throws {
        let store = try await Self.fresh(kind)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [1]])
        let plain = AgendaItem(id: "", plugin: "x", title: "Erbij")
        #expect(try await store.appendActivity(session: "s_1", plain, explicitId: false, key: [4], actor: "f_1")
                == .added(AgendaItem(id: "a2", plugin: "x", title: "Erbij")))
        let own = AgendaItem(id: "eigen", plugin: "x", title: "Eigen")
        #expect(try await store.appendActivity(session: "s_1", own, explicitId: true, key: [5], actor: "f_1") == .added(own))
        #expect(try await store.appendActivity(session: "s_1", own, explicitId: true, key: [6], actor: "f_1") == .idInUse("eigen"))
        #expect(try await store.session("s_1")?.agenda.map(\.id) == ["a1", "a2", "eigen"])
        #expect(try await store.activityKeys(session: "s_1") == ["a1": [1], "a2": [4], "eigen": [5]])
        try await store.append([("s_1", LoggedEvent(seq: 1, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "close",
                                                    payload: [:], clientId: nil, at: 3))])
        #expect(try await store.appendActivity(session: "s_1", plain, explicitId: false, key: [7], actor: "f_1") == .closed)
        #expect(try await store.appendActivity(session: "s_9", plain, explicitId: false, key: [7], actor: "f_1") == .closed)
    }
}
