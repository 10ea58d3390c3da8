import Foundation
import Model
import Synchronization
import Testing
import Toolbox

final class Recorder: DurabilitySink {
    private let notes = Mutex<(seen: [Int64], refused: [Int64])>(([], []))
    var seen: [Int64] { notes.withLock { $0.seen } }
    var refusedFrom: [Int64] { notes.withLock { $0.refused } }
    func durable(upTo seq: Int64) { notes.withLock { $0.seen.append(seq) } }
    func refused(from seq: Int64, reason: String) { notes.withLock { $0.refused.append(seq) } }
}

func tempDB() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-tests-\(UUID().uuidString)")
    return dir.appendingPathComponent("hub.sqlite").path
}

func session(_ id: String, code: String) -> SessionRecord {
    SessionRecord(id: id, code: code, seriesId: nil, title: "Test", date: nil, lang: .nl, agendaSource: "", agenda: [AgendaItem(id: "a1", plugin: "x", title: "X")],
                  createdAt: 1, createdBy: nil)
}

/// Part of the store conformance suite: every test runs on each store of `StoreKind.available`.
@Suite struct EventLogTests {
    @Test(arguments: StoreKind.available) func groupCommitKeepsOrderAndReportsDurability(_ kind: StoreKind) async throws {
        let under = try await StoreUnderTest.fresh(kind)
        let store = under.store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [1, 2, 3]])
        let log = EventLog(store: store)
        let sink = Recorder()
        for i in 1...500 {
            await log.enqueue(session: "s_1", event: LoggedEvent(seq: Int64(i), kind: .input, activity: "a1", actor: "p_\(i % 7)", role: .participant,
                                                               type: "inc", payload: ["n": .int(Int64(i))], clientId: "c\(i)", at: Int64(i)), sink: sink)
        }
        await log.flush()
        let seen = sink.seen
        #expect(seen.last == 500)
        #expect(seen == seen.sorted(), "durability is reported in order")
        #expect(seen.count < 500, "appends were batched")
        // A second process (another hub) reading the same data sees every event, in order, without gaps.
        let reopened = try await under.reopen()
        let events = try await reopened.events(session: "s_1", after: 0)
        #expect(events.map(\.seq) == Array(1...500).map(Int64.init))
        #expect(events[41].payload == ["n": 42])
        #expect(try await reopened.acceptedSeq(session: "s_1", actor: "p_\(42 % 7)", clientId: "c42") == 42)
        #expect(try await reopened.session("abcdef")?.seq == 500, "codes match case-insensitively; the seq follows the log")
    }

    @Test(arguments: StoreKind.available) func aDuplicateClientIdIsRefusedByTheDatabase(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        let e = LoggedEvent(seq: 1, kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "inc", payload: [:], clientId: "same", at: 1)
        try await store.append([("s_1", e)])
        var again = e
        again.seq = 2
        let refused = try await store.append([("s_1", again)])
        #expect(refused["s_1"]?.localizedCaseInsensitiveContains("unique") == true, "the session's events are refused, not the whole batch: \(refused)")
        #expect(try await store.events(session: "s_1", after: 0).count == 1, "the refused events wrote nothing")
    }

    @Test(arguments: StoreKind.available) func deletingASessionRemovesItsRows(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [9]])
        try await store.append([("s_1", LoggedEvent(seq: 1, kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "t", payload: [:], clientId: nil, at: 1))])
        try await store.saveOutputs(session: "s_1", [StoredOutput(instance: "s_1/a1", seq: 1, index: 0, kind: "report.section", record: ["x": 1])])
        try await store.saveOutputs(session: "s_1", [StoredOutput(instance: "s_1/a1", seq: 1, index: 0, kind: "report.section", record: ["x": 2])])
        #expect(try await store.outputs(session: "s_1").map(\.record) == [["x": 1]], "a replayed output is stored once")
        try await store.deleteSession("s_1")
        #expect(try await store.session("s_1") == nil)
        #expect(try await store.events(session: "s_1", after: 0).isEmpty)
        #expect(try await store.activityKeys(session: "s_1").isEmpty)
        #expect(try await store.codeInUse("ABCDEF") == false)
    }
}
