import Foundation
import Model
import Testing

/// Each server message encodes to the bytes the hub wrote before it had `ServerMessage`, when it built these
/// messages as JSON values by hand (the e2e suites and every client read those bytes).
@Suite struct ServerMessageTests {
    func text(_ value: JSONValue) throws -> String { try JSONCoding.string(value) }

    let agenda = [try! JSONCoding.decode(AgendaEntry.self, from: #"{"id":"a1","plugin":"counter","title":"Count","phase":"counting","inputsOpen":true,"anonymity":"named","config":{"step":2},"pluginState":"restarting"}"#)]

    func current(_ activity: String?, _ phase: String?) -> CurrentActivity {
        try! JSONCoding.decode(CurrentActivity.self, from: JSONCoding.encode(["activity": activity.map(JSONValue.string) ?? .null, "phase": phase.map(JSONValue.string) ?? .null] as JSONValue))
    }

    @Test func ackErrorPongAndViewAreTheirOldBytes() throws {
        #expect(try ServerMessage.ack(id: "i1", seq: 7).text() == #"{"id":"i1","seq":7,"t":"ack"}"#)
        #expect(try ServerMessage.pong.text() == #"{"t":"pong"}"#)
        let e = HubError(.rejected, LocalizedText(nl: "Nee.", en: "No."), detail: "too_much")
        #expect(try ServerMessage.error(e, id: "i2", lang: .en).text() == #"{"code":"rejected","detail":"too_much","id":"i2","message":"No.","t":"error"}"#)
        #expect(try ServerMessage.error(HubError(.notJoined), lang: .nl).text() == text(["t": "error", "code": "not_joined", "message": .string(HubError(.notJoined).message(.nl))]))
        let view = ServerMessage.view(.init(seq: 3, activity: "a1", audience: "me", view: ["mine": 2, "list": [1.5, "x", nil]]))
        #expect(try view.text() == text(["t": "view", "seq": 3, "activity": "a1", "audience": "me", "view": ["mine": 2, "list": [1.5, "x", nil]]]))
    }

    @Test func welcomeAndSessionAreTheirOldBytes() throws {
        let current = current(nil, nil)
        let state = ServerMessage.WelcomeState(status: .open, agenda: agenda, current: current, groups: .null, views: ["a1": ["public": ["count": 1]], "a2": [:]])
        var w = ServerMessage.Welcome(role: .participant, session: .init(id: "s_1", code: "ABC123", title: "T", lang: .nl), seq: 5, state: state)
        w.participant = "p_1"
        w.token = "tok"
        w.aliases = ["a1": "p_1", "a2": "x_9"]
        let old: JSONValue = [
            "t": "welcome", "role": "participant", "session": ["id": "s_1", "code": "ABC123", "title": "T", "lang": "nl"], "seq": 5,
            "state": ["status": "open", "agenda": try JSONCoding.value(agenda), "current": try JSONCoding.value(current), "groups": nil,
                      "views": ["a1": ["public": ["count": 1]], "a2": [:]]],
            "participant": "p_1", "token": "tok", "aliases": ["a1": "p_1", "a2": "x_9"],
        ]
        #expect(try ServerMessage.welcome(w).text() == text(old))
        #expect(try ServerMessage.welcome(w).text().contains(#""current":{"activity":null,"phase":null}"#))
        let session = ServerMessage.session(.init(seq: 5, status: .open, agenda: agenda, current: current, groups: ["g1": ["p_1"]]))
        #expect(try session.text() == text(["t": "session", "seq": 5, "status": "open", "agenda": try JSONCoding.value(agenda),
                                            "current": try JSONCoding.value(current), "groups": ["g1": ["p_1"]]]))
    }

    @Test func presenceRosterAndRosterDiffAreTheirOldBytes() throws {
        #expect(try ServerMessage.presence(.init(count: 2, connected: 1)).text() == text(["t": "presence", "count": 2, "connected": 1]))
        #expect(try ServerMessage.presence(.init(count: 2, connected: 1, byFunction: ["": 1, "wijkagent": 1], byGroup: [:])).text()
            == text(["t": "presence", "count": 2, "connected": 1, "byFunction": ["": 1, "wijkagent": 1], "byGroup": [:]]))
        let entry = ServerMessage.RosterEntry(id: "p_1", name: "Ann", function: nil, org: nil, group: "g1", connected: true)
        let oldEntry: JSONValue = ["id": "p_1", "name": "Ann", "function": nil, "org": nil, "group": "g1", "connected": true]
        #expect(try ServerMessage.roster(.init(seq: 4, participants: [entry])).text() == text(["t": "roster", "seq": 4, "participants": [oldEntry]]))
        #expect(try ServerMessage.rosterDiff(.init(seq: 4, upsert: [entry], remove: ["p_2"])).text()
            == text(["t": "roster-diff", "seq": 4, "upsert": [oldEntry], "remove": ["p_2"]]))
    }

    @Test func everyMessageReadsBackAsItself() throws {
        let messages: [ServerMessage] = [
            .ack(id: "i", seq: 1), .pong, .error(HubError(.internal), lang: .en),
            .presence(.init(count: 0, connected: 0, byFunction: [:], byGroup: [:])),
            .rosterDiff(.init(seq: 1, upsert: [], remove: [])),
            .session(.init(seq: 1, status: .draft, agenda: agenda, current: current("a1", "x"), groups: .null)),
        ]
        for m in messages {
            #expect(try ServerMessage.parse(m.text()) == m)
        }
        #expect(throws: (any Error).self) { try ServerMessage.parse(#"{"t":"nope"}"#) }
    }

    @Test func audiencesParseAndPrintInOnePlace() {
        for key in ["public", "facilitator", "group:g1", "participant:x_1", "group:", "participant:"] {
            #expect(Audience(key: key)?.key == key)
        }
        #expect(Audience(key: "participant:x_1")?.wireName == "me")
        #expect(Audience(key: "group:g2")?.wireName == "group:g2")
        #expect(Audience(key: "everyone") == nil)
    }

    @Test func filingReadsTheStoredColumn() {
        #expect(Filing(stored: "kb-1@2") == .filed(as: "kb-1@2"))
        #expect(Filing(stored: "invalid: no title") == .invalid(reason: "no title"))
        #expect(Filing.invalid(reason: "x").stored == "invalid: x")
    }
}
