import Foundation
import Model
import Testing
import Toolbox

@Suite struct SealTests {
    @Test func sealingRemovesTheLinkAndTheConfidentialText() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [1], "a2": [2]])
        let secret = "Geheime casus over mevrouw Zwaluwstaart"
        try await store.append([
            ("s_1", LoggedEvent(seq: 1, kind: .input, activity: "a1", actor: "p_alice", role: .participant, type: "ballot", payload: ["choice": 137], clientId: "v1", at: 1)),
            ("s_1", LoggedEvent(seq: 2, kind: .input, activity: "a2", actor: "p_alice", role: .participant, type: "case", payload: ["text": .string(secret)], clientId: "c1", at: 2)),
            ("s_1", LoggedEvent(seq: 3, kind: .input, activity: "a2", actor: "p_alice", role: .participant, type: "advice", payload: ["text": "gewoon advies"], clientId: "c2", at: 3)),
        ])
        try await store.seal(session: "s_1", anonymous: ["a1": ["p_alice": "x_abc"]], confidential: ["a2": ["case"]])
        let events = try await store.events(session: "s_1", after: 0)
        #expect(events.map(\.seq) == [2, 3], "the anonymous ballot left the log")
        #expect(try await store.sealedInputs(session: "s_1") == [SealedInput(activity: "a1", actor: "x_abc", type: "ballot", payload: ["choice": 137], at: 0)])
        #expect(events[0].payload == ["redacted": true])
        #expect(events[1].payload == ["text": "gewoon advies"], "only the confidential types are redacted")
        #expect(try await store.activityKeys(session: "s_1") == ["a2": [2]], "the anonymous activity's key is gone")
        for file in [path, path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(file) still holds the confidential text")
        }
    }

    /// Issue 13, finding 4: each ballot was sent right after its author's named join; after the seal neither
    /// the order nor the time of a ballot says whose it is.
    @Test func anonymousInputsLoseTheirPlaceAndTimeInTheLog() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [7]])
        let hour: Int64 = 1_764_655_200_000
        var batch: [(session: String, event: LoggedEvent)] = []
        var aliases: [String: String] = [:]
        for i in 0..<8 {
            let p = "p_person\(i)"
            aliases[p] = "x_" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8((i * 5) % 8))) + "alias"
            let at = hour + 1_234 + Int64(i) * 60_000
            batch.append(("s_1", LoggedEvent(seq: Int64(2 * i + 1), kind: .join, activity: nil, actor: p, role: .participant, type: "join",
                                             payload: ["participant": .string(p), "name": .string("Naam \(i)")], clientId: nil, at: at)))
            batch.append(("s_1", LoggedEvent(seq: Int64(2 * i + 2), kind: .input, activity: "a1", actor: p, role: .participant, type: "ballot",
                                             payload: ["choice": .int(Int64(i))], clientId: "ballot-\(p)", at: at + 7)))
        }
        batch.append(("s_1", LoggedEvent(seq: 17, kind: .input, activity: "a1", actor: "p_person2", role: .participant, type: "ballot",
                                         payload: ["choice": 99], clientId: "again-p_person2", at: hour + 3_000_000)))
        batch.append(("s_1", LoggedEvent(seq: 18, kind: .input, activity: "a1", actor: "f_host", role: .facilitator, type: "note",
                                         payload: [:], clientId: "f-1", at: hour + 3_100_000)))
        try await store.append(batch)
        try await store.seal(session: "s_1", anonymous: ["a1": aliases], confidential: [:])

        let kept = try await store.events(session: "s_1", after: 0)
        #expect(kept.allSatisfy { $0.role != .participant || $0.activity == nil }, "no participant input of the anonymous activity in the log")
        #expect(kept.map(\.seq) == Array(stride(from: Int64(1), through: 15, by: 2)) + [18], "the joins and the facilitator's input keep their seq")
        let sealed = try await store.sealedInputs(session: "s_1")
        #expect(sealed.count == 9)
        #expect(Set(sealed.map(\.at)) == [hour], "one time, the start of the hour, for the whole activity")
        #expect(sealed.map(\.actor) == sealed.map(\.actor).sorted(), "ordered by pseudonym, not by arrival")
        #expect(sealed.map(\.actor) != (0..<8).map { aliases["p_person\($0)"]! } + [aliases["p_person2"]!], "not in the order of the joins")
        #expect(sealed.filter { $0.actor == aliases["p_person2"] }.map(\.payload) == [["choice": 2], ["choice": 99]], "a sender's own order is kept")
        #expect(try await store.acceptedSeq(session: "s_1", actor: "p_person3", clientId: "ballot-p_person3") == nil)

        // The file and its WAL: no client id of a ballot, no participant id on a sealed ballot's page.
        let wal = FileManager.default.contents(atPath: path + "-wal") ?? Data()
        #expect(wal.isEmpty, "the seal checkpoints the WAL")
        let bytes = FileManager.default.contents(atPath: path) ?? Data()
        for i in 0..<8 {
            #expect(bytes.range(of: Data("ballot-p_person\(i)".utf8)) == nil, "the resend id of p_person\(i)'s ballot survived")
        }
        for sealedBallot in sealed {
            let record = Data((sealedBallot.actor + "participantballot").utf8)
            guard let r = bytes.range(of: record) else { Issue.record("sealed record of \(sealedBallot.actor) not found"); continue }
            let page = r.lowerBound - r.lowerBound % 4096
            #expect(bytes[page..<min(bytes.endIndex, page + 4096)].range(of: Data("p_person".utf8)) == nil, "a participant id on the page of a sealed ballot")
        }
    }

    @Test func splitSealsAnExportTheWayTheStoreDoes() {
        let events = [
            LoggedEvent(seq: 1, kind: .join, activity: nil, actor: "p_b", role: .participant, type: "join", payload: ["participant": "p_b"], clientId: nil, at: 7_200_500),
            LoggedEvent(seq: 2, kind: .input, activity: "a1", actor: "p_b", role: .participant, type: "ballot", payload: ["choice": 1], clientId: "v1", at: 7_200_900),
            LoggedEvent(seq: 3, kind: .input, activity: "a1", actor: "p_a", role: .participant, type: "ballot", payload: ["choice": 2], clientId: "v1", at: 7_300_000),
            LoggedEvent(seq: 4, kind: .input, activity: "a2", actor: "p_a", role: .participant, type: "ballot", payload: ["choice": 3], clientId: "v2", at: 7_300_001),
            LoggedEvent(seq: 5, kind: .input, activity: "a1", actor: "p_gone", role: .participant, type: "ballot", payload: ["choice": 4], clientId: "v1", at: 9_000_000),
        ]
        let (kept, sealed) = AnonymousSeal.split(events, aliases: ["a1": ["p_a": "x_z", "p_b": "x_y"]])
        #expect(kept.map(\.seq) == [1, 4], "only the anonymous activity's participant inputs are sealed")
        #expect(sealed == [
            SealedInput(activity: "a1", actor: "$anonymous", type: "ballot", payload: ["choice": 4], at: 7_200_000),
            SealedInput(activity: "a1", actor: "x_y", type: "ballot", payload: ["choice": 1], at: 7_200_000),
            SealedInput(activity: "a1", actor: "x_z", type: "ballot", payload: ["choice": 2], at: 7_200_000),
        ])
    }
}
