import Foundation
import Model
@testable import SessionHub
import Testing
import Toolbox

/// A participant's erasure in the in-process room (RoomHarness.swift): refused while the session runs; after
/// the close and its seal, the stored views are rendered again from the blanked log, without what the
/// participant added, while the anonymous activity keeps its sealed views.
@Suite(.timeLimit(.minutes(1))) struct ParticipantEraseTests {
    @Test func theViewsAreRenderedAgainWithoutTheErasedParticipant() async throws {
        let room = try await Room.open()
        let fac = Client()
        try await fac.join(room, facilitator: "f_test")
        fac.command(room, id: "goto", "goto", ["activity": "a1"])
        _ = try await fac.ack("goto")
        let anne = Client(), bob = Client()
        let pid = try #require(try await anne.join(room, name: "Anne Vergeten").participant)
        try await bob.join(room, name: "Bob Blijft")
        anne.input(room, id: "a", activity: "a1", payload: ["by": 3])
        _ = try await anne.ack("a")
        anne.input(room, id: "an", activity: "a1", type: "note", payload: ["text": "Annes geheime notitie"])
        _ = try await anne.ack("an")
        bob.input(room, id: "b", activity: "a1", payload: ["by": 2])
        _ = try await bob.ack("b")
        bob.input(room, id: "bn", activity: "a1", type: "note", payload: ["text": "Bobs notitie"])
        _ = try await bob.ack("bn")
        let eraser = ParticipantEraser(store: room.store, host: room.plugins)
        let live = try #require(try await room.store.session(room.session.id))
        await #expect(throws: ErasureRefused.self) { try await eraser.erase(session: live, participant: pid, actor: nil) }

        fac.command(room, id: "close", "close")
        _ = try await fac.ack("close")
        let deadline = ContinuousClock.now + .seconds(5)
        while try await room.store.activityKeys(session: room.session.id)["a3"] != nil {
            #expect(ContinuousClock.now < deadline, "the close did not seal")
            try await Task.sleep(for: .milliseconds(20))
        }
        let before = try await room.store.views(session: room.session.id)
        #expect(before.first { $0.activity == "a1" && $0.audience == "public" }?.view["count"]?.intValue == 5)
        #expect(before.first { $0.activity == "a1" && $0.audience == "public" }?.view["notes"] == ["Annes geheime notitie", "Bobs notitie"])
        let closed = try #require(try await room.store.session(room.session.id))
        let n = try await room.registry.whileUnloaded(closed.id) { try await eraser.erase(session: closed, participant: pid, actor: "f_test") }
        #expect(n == 3, "her join and her two inputs")

        let after = try await room.store.views(session: room.session.id)
        let shown = try #require(after.first { $0.activity == "a1" && $0.audience == "public" }?.view)
        #expect(shown["notes"] == ["Bobs notitie"], "her note is gone from the view")
        #expect(shown["count"]?.intValue == 2, "her blanked inputs are replayed as never sent: only Bob's counts")
        let byActor = after.first { $0.activity == "a1" && $0.audience == "facilitator" }?.view["byActor"]?.objectValue ?? [:]
        #expect(byActor[pid] == nil && byActor.count == 1)
        #expect(after.filter { $0.activity == "a3" } == before.filter { $0.activity == "a3" }, "the anonymous activity keeps its sealed views")
        let events = try await room.store.events(session: room.session.id, after: 0)
        #expect(events.first { $0.clientId == "a" }?.payload == ParticipantErasure.erasedPayload)
        #expect(events.first { $0.clientId == "b" }?.payload == ["by": 2])
        // Loaded again, the closed session serves the new views.
        let late = Client()
        let welcome = try await late.join(Room(registry: room.registry, plugins: room.plugins, store: room.store,
                                               session: try #require(try await room.registry.session(closed.id)), folder: room.folder))
        #expect(welcome.state.views["a1"]?["public"]?["notes"] == ["Bobs notitie"])
        #expect(!String(decoding: try JSONCoding.encode(welcome), as: UTF8.self).contains("Anne"))
        await room.close()
    }
}
