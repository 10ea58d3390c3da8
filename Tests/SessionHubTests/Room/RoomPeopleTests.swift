import Foundation
import Model
import Plugins
@testable import SessionHub
import Testing

/// Who is in the room (RoomHarness.swift): presence, the facilitators' roster and its diffs, a kick; and what
/// the agenda shows when a plugin is unwell or an instance failed for this session.
@Suite(.timeLimit(.minutes(1))) struct RoomPeopleTests {
    func facilitator(_ room: Room, features: Set<String> = []) async throws -> Client {
        let fac = Client()
        try await fac.join(room, facilitator: "f_test", features: features)
        fac.command(room, id: "goto", "goto", ["activity": "a1"])
        _ = try await fac.ack("goto")
        return fac
    }

    @Test func presenceRosterDiffsAndAKick() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room)
        let diffs = Client()
        let diffWelcome = try await diffs.join(room, facilitator: "f_test", features: ["roster-diff"])
        #expect(diffWelcome.role == .facilitator)
        _ = try await diffs.next { if case .roster(let r) = $0 { r.participants.isEmpty } else { false } }
        let ann = Client(), bob = Client()
        let a = try #require(try await ann.join(room, name: "Ann").participant)
        let b = try #require(try await bob.join(room, name: "Bob").participant)
        _ = try await ann.next { if case .presence(let p) = $0 { p.count == 2 && p.connected == 2 && p.byFunction == nil } else { false } }
        _ = try await fac.next { if case .presence(let p) = $0 { p.count == 2 && p.byFunction == ["": 2] } else { false } }
        _ = try await fac.next { if case .roster(let r) = $0 { r.participants.map(\.id) == [a, b] && r.participants.allSatisfy(\.connected) } else { false } }
        // Ann and Bob come in one diff or in two (a diff goes out at most every `rosterInterval`).
        _ = try await diffs.next { if case .rosterDiff(let d) = $0 { d.upsert.contains { $0.id == b } } else { false } }
        let upserted: [String] = diffs.messages.flatMap { m -> [String] in if case .rosterDiff(let d) = m { d.upsert.map(\.id) } else { [] } }
        #expect(upserted == [a, b])

        let mark = diffs.texts.count
        fac.command(room, id: "kick", "kick", ["participant": .string(b)])
        _ = try await fac.ack("kick")
        try await waitUntil("bob closed with 4001, not \(String(describing: bob.outbox.requestedClose))") { bob.outbox.requestedClose == .kicked }
        _ = try await diffs.next(after: mark) { if case .rosterDiff(let d) = $0 { d.remove == [b] && d.upsert.isEmpty } else { false } }
        _ = try await fac.next { if case .roster(let r) = $0 { r.participants.map(\.id) == [a] } else { false } }
        _ = try await ann.view("a1", "public") { $0["joined"] == [.string(a)] }
        // A kicked participant's token no longer joins.
        let back = Client()
        await #expect(throws: HubError.self) { try await back.join(room, token: Room.tokens.issue(session: room.session.id, participant: b)) }
        for c in [fac, diffs, ann, bob] { c.expectFramesRoundTrip() }
        await room.close()
    }

    func waitUntil(_ what: @autoclosure () -> String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(3)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw Client.Timeout(frames: [what()]) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func theAgendaShowsAnUnwellPluginAndAnInstanceFailedForThisSession() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room)
        let p = Client()
        try await p.join(room, name: "Ann")
        await room.session.pluginStateChanged("counter", .restarting, "exited with status 3")
        _ = try await p.next { if case .session(let s) = $0 { s.agenda.allSatisfy { $0.pluginState == "restarting" } } else { false } }
        await room.session.pluginStateChanged("counter", .running, nil)
        _ = try await p.next { if case .session(let s) = $0 { s.agenda.allSatisfy { $0.pluginState == nil } } else { false } }

        // The host gave up on a1's instance for this session: the replay skips it, the agenda says so, inputs are refused.
        await room.plugins.failInstance("counter", instance: "\(room.session.id)/a1")
        await room.plugins.restart("counter")
        p.input(room, id: "i1", activity: "a1")
        #expect(try await p.error("i1").code == "plugin_unavailable")
        _ = try await fac.next {
            if case .session(let s) = $0 { s.agenda.first { $0.id == "a1" }?.pluginState == "failed" && s.agenda.first { $0.id == "a2" }?.pluginState == nil } else { false }
        }
        for c in [fac, p] { c.expectFramesRoundTrip() }
        await room.close()
    }
}
