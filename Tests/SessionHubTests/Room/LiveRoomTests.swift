import Foundation
import Model
@testable import SessionHub
import Testing
import Toolbox

/// The live room in process (RoomHarness.swift): order of acks and views, resends, audiences per role,
/// groups, the status table, a plugin restart and the close with its seal. Every frame any client got must
/// decode as `ServerMessage` and encode back to the same bytes.
@Suite(.timeLimit(.minutes(1))) struct LiveRoomTests {
    static func isWelcome(_ m: ServerMessage) -> Bool { if case .welcome = m { true } else { false } }

    func facilitator(_ room: Room, goto activity: String = "a1") async throws -> Client {
        let fac = Client()
        try await fac.join(room, facilitator: "f_test")
        fac.command(room, id: "goto-\(activity)", "goto", ["activity": .string(activity)])
        _ = try await fac.ack("goto-\(activity)")
        return fac
    }

    @Test func anAckComesBeforeTheViewsOfItsEventWhichCarryItsSeq() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room)
        let p = Client()
        let welcome = try await p.join(room, name: "Ann")
        #expect(welcome.role == .participant && welcome.state.status == .open && welcome.state.current.activity == "a1")
        p.input(room, id: "i1", activity: "a1")
        let ack = try await p.ack("i1")
        let view = try await p.view("a1", "public") { $0["count"]?.intValue == 1 }
        #expect(view.seq == ack.seq)
        let messages = p.messages
        let ackAt = try #require(messages.firstIndex { if case .ack(let a) = $0 { a.id == "i1" } else { false } })
        let viewAt = try #require(messages.firstIndex { if case .view(let v) = $0 { v.seq == ack.seq } else { false } })
        #expect(ackAt < viewAt, "the ack goes out when the event is durable, its views on the next tick")
        #expect(try await p.view("a1", "me") { $0["mine"]?.intValue == 1 }.seq == ack.seq)
        #expect(try await fac.view("a1", "facilitator") { $0["count"]?.intValue == 1 }.seq == ack.seq)
        p.expectFramesRoundTrip()
        fac.expectFramesRoundTrip()
        await room.close()
    }

    @Test func aResendIsAcknowledgedWithTheFirstSeqAndLoggedOnce() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room)
        let p = Client()
        try await p.join(room, name: "Ann")
        p.input(room, id: "i1", activity: "a1")
        p.input(room, id: "i1", activity: "a1")
        let first = try await p.ack("i1")
        let count = p.texts.count
        p.input(room, id: "i1", activity: "a1")
        #expect(try await p.ack("i1", after: count).seq == first.seq)
        p.input(room, id: "i2", activity: "a1")
        _ = try await p.ack("i2")
        _ = try await fac.view("a1", "public") { $0["count"]?.intValue == 2 }
        let acks = p.messages.filter { if case .ack(let a) = $0 { a.id == "i1" } else { false } }
        #expect(acks.count == 3)
        let logged = try await room.store.events(session: room.session.id, after: 0).filter { $0.clientId == "i1" }
        #expect(logged.count == 1)
        p.expectFramesRoundTrip()
        await room.close()
    }

    @Test func eachRoleGetsItsAudiencesOnly() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room, goto: "a2")
        let beamer = Client()
        let beamerWelcome = try await beamer.join(room, beamer: true)
        #expect(beamerWelcome.role == .beamer && beamerWelcome.participant == nil && beamerWelcome.state.groups == .null)
        let ann = Client(), bob = Client()
        let annWelcome = try await ann.join(room, name: "Ann")
        try await bob.join(room, name: "Bob")
        let alias = try #require(annWelcome.aliases?["a2"])
        #expect(alias != annWelcome.participant, "a2 is pseudonymous: its plugin knows Ann by a pseudonym")
        #expect(annWelcome.aliases?["a1"] == annWelcome.participant, "a1 is named")
        ann.input(room, id: "i1", activity: "a2")
        let ack = try await ann.ack("i1")
        #expect(try await ann.view("a2", "me") { $0["mine"]?.intValue == 2 }.seq == ack.seq)
        _ = try await fac.view("a2", "facilitator") { $0["byActor"]?[alias]?.intValue == 2 }
        _ = try await beamer.view("a2", "public") { $0["count"]?.intValue == 2 }
        _ = try await bob.view("a2", "public") { $0["count"]?.intValue == 2 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(beamer.views("a2").allSatisfy { $0.audience == "public" })
        #expect(fac.views("a2").allSatisfy { $0.audience == "public" || $0.audience == "facilitator" })
        #expect(bob.views("a2").allSatisfy { $0.audience == "public" }, "Ann's own view is Ann's")
        #expect(ann.views("a2").allSatisfy { $0.audience == "public" || $0.audience == "me" })
        // A rejoin with the token finds Ann's own view in its welcome, under `me`.
        let again = Client()
        let rejoined = try await again.join(room, token: annWelcome.token)
        #expect(rejoined.participant == annWelcome.participant)
        #expect(rejoined.state.views["a2"]?["me"]?["mine"]?.intValue == 2)
        #expect(rejoined.state.views["a2"]?["facilitator"] == nil)
        for c in [fac, beamer, ann, bob, again] { c.expectFramesRoundTrip() }
        await room.close()
    }

    @Test func groupsFormedAndChangedMidActivityRouteGroupViews() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room, goto: "a2")
        let ann = Client(), bob = Client(), cy = Client()
        let a = try #require(try await ann.join(room, name: "Ann").participant)
        let bobWelcome = try await bob.join(room, name: "Bob")
        let b = try #require(bobWelcome.participant)
        let c = try #require(try await cy.join(room, name: "Cy").participant)
        fac.command(room, id: "g-1", "groups", ["mode": "manual", "assignments": ["g1": [.string(a), .string(b)], "g2": [.string(c)]]])
        _ = try await fac.ack("g-1")
        _ = try await ann.next { if case .session(let s) = $0 { s.groups == "g1" } else { false } }
        _ = try await fac.next { if case .session(let s) = $0 { s.groups["g2"] == [.string(c)] } else { false } }
        ann.input(room, id: "i1", activity: "a2")
        let ack = try await ann.ack("i1")
        #expect(try await bob.view("a2", "group:g1") { $0["groupCount"]?.intValue == 2 }.seq == ack.seq)
        _ = try await cy.view("a2", "group:g2") { $0["groupCount"]?.intValue == 0 }
        // Bob moves to g2 mid-activity: he gets g2's view anew, stamped with the regrouping.
        fac.command(room, id: "g-2", "groups", ["mode": "manual", "assignments": ["g1": [.string(a)], "g2": [.string(b), .string(c)]]])
        let regroup = try await fac.ack("g-2")
        let moved = try await bob.view("a2", "group:g2")
        #expect(moved.seq == regroup.seq)
        _ = try await bob.next { if case .session(let s) = $0 { s.groups == "g2" } else { false } }
        try await Task.sleep(for: .milliseconds(50))
        #expect(cy.views("a2").allSatisfy { $0.audience != "group:g1" })
        _ = try await fac.next { if case .presence(let p) = $0 { p.byGroup == ["g1": 1, "g2": 2] } else { false } }
        // Bob's rejoin gets his new group's view in its welcome, and not his old group's.
        let again = Client()
        let rejoined = try await again.join(room, token: bobWelcome.token)
        #expect(rejoined.state.views["a2"]?["group:g2"]?["groupCount"] != nil)
        #expect(rejoined.state.views["a2"]?["group:g1"] == nil && rejoined.state.views["a2"]?["facilitator"] == nil)
        #expect(rejoined.state.views["a2"]?["public"] != nil)
        for x in [fac, ann, bob, cy, again] { x.expectFramesRoundTrip() }
        await room.close()
    }

    @Test func theStatusTableDraftOpenClosed() async throws {
        let room = try await Room.open(start: false)
        let fac = try await facilitator(room)
        let p = Client()
        #expect(try await p.join(room, name: "Early").state.status == .draft)
        p.input(room, id: "d1", activity: "a1")
        #expect(try await p.error("d1").code == "activity_closed")
        fac.command(room, id: "c-close", "close")
        #expect(try await fac.error("c-close").code == "forbidden")
        fac.command(room, id: "c-start", "start")
        _ = try await fac.ack("c-start")
        p.input(room, id: "o1", activity: "a1")
        _ = try await p.ack("o1")
        p.input(room, id: "o2", activity: "a1", type: "inc", payload: ["by": 11])
        let refused = try await p.error("o2")
        #expect(refused.code == "rejected" && refused.detail == "too_much")
        p.input(room, id: "o3", activity: "a2")
        #expect(try await p.error("o3").code == "activity_closed")
        fac.command(room, id: "c-close2", "close")
        _ = try await fac.ack("c-close2")
        p.input(room, id: "x1", activity: "a1")
        #expect(try await p.error("x1").code == "session_closed")
        fac.command(room, id: "x2", "next")
        #expect(try await fac.error("x2").code == "session_closed")
        let late = Client()
        let closed = try await late.join(room)
        #expect(closed.state.status == .closed && closed.participant == nil)
        #expect(closed.state.views["a1"]?["public"]?["count"]?.intValue == 1)
        for x in [fac, p, late] { x.expectFramesRoundTrip() }
        await room.close()
    }

    @Test func aPluginRestartMidSessionReplaysTheLog() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room)
        let p = Client()
        try await p.join(room, name: "Ann")
        p.input(room, id: "i1", activity: "a1")
        p.input(room, id: "i2", activity: "a1")
        _ = try await p.ack("i2")
        await room.plugins.restart("counter")
        p.input(room, id: "i3", activity: "a1")
        let ack = try await p.ack("i3")
        let view = try await fac.view("a1", "public") { $0["count"]?.intValue == 3 }
        #expect(view.seq == ack.seq)
        #expect(try await p.view("a1", "me") { $0["mine"]?.intValue == 3 }.seq == ack.seq)
        let starts = await room.plugins.sent.filter { if case .start = $0.message { true } else { false } }
        #expect(starts.count == 6, "three instances started, twice")
        p.expectFramesRoundTrip()
        fac.expectFramesRoundTrip()
        await room.close()
    }

    @Test func closingStoresTheViewsAndSealsAnonymousInputs() async throws {
        let room = try await Room.open()
        let fac = try await facilitator(room, goto: "a3")
        let p = Client()
        try await p.join(room, name: "Ann")
        p.input(room, id: "secret", activity: "a3")
        _ = try await p.ack("secret")
        fac.command(room, id: "close", "close")
        _ = try await fac.ack("close")
        _ = try await p.next { if case .session(let s) = $0 { s.status == .closed } else { false } }
        let deadline = ContinuousClock.now + .seconds(3)
        while try await room.store.sealedInputs(session: room.session.id).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let sealed = try await room.store.sealedInputs(session: room.session.id)
        #expect(sealed.count == 1)
        let events = try await room.store.events(session: room.session.id, after: 0)
        #expect(!events.contains { $0.activity == "a3" && $0.role == .participant }, "the link to Ann is gone from the log")
        #expect(try await room.store.views(session: room.session.id).contains { $0.activity == "a3" && $0.audience == "public" })
        // A resend after the seal is refused like any input to a closed session, not acknowledged.
        p.input(room, id: "secret", activity: "a3")
        #expect(try await p.error("secret").code == "session_closed")
        p.expectFramesRoundTrip()
        fac.expectFramesRoundTrip()
        await room.close()
    }
}
