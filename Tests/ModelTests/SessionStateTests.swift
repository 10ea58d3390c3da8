import Model
import Testing

let agenda = [
    AgendaItem(id: "a1", plugin: "voting", title: "Stem"),
    AgendaItem(id: "a2", plugin: "brainstorm", title: "Bedenk", groups: GroupSpec(mode: .random, size: 2)),
    AgendaItem(id: "a3", plugin: "voting", title: "Nog eens"),
]

func fresh() -> SessionState { SessionState(agenda: agenda, firstPhase: { $0 == "voting" ? "ballot" : "collect" }) }

func event(_ seq: Int64, _ kind: EventKind, _ type: String, activity: String? = nil, actor: String = "f_1", _ payload: JSONValue = [:]) -> LoggedEvent {
    LoggedEvent(seq: seq, kind: kind, activity: activity, actor: actor, role: kind == .command ? .facilitator : .participant,
                type: type, payload: payload, clientId: nil, at: 1000 + seq)
}

@Suite struct SessionStateTests {
    @Test func startsInDraftWithFirstPhases() {
        let s = fresh()
        #expect(s.status == .draft)
        #expect(s.current == nil)
        #expect(s.activities["a1"]?.phase == "ballot")
        #expect(s.activities["a2"]?.phase == "collect")
        #expect(s.agenda.map(\.id) == ["a1", "a2", "a3"])
    }

    @Test func foldsCommandsAndJoins() {
        var s = fresh()
        s.apply(event(1, .join, "join", actor: "p_1", ["participant": "p_1", "name": "Anna", "function": "huismeester"]))
        s.apply(event(2, .command, "start"))
        s.apply(event(3, .command, "goto", activity: "a2", ["activity": "a2", "formed": ["g1": ["p_1"]]]))
        s.apply(event(4, .command, "phase", activity: "a2", ["activity": "a2", "phase": "cluster"]))
        s.apply(event(5, .command, "inputs", activity: "a2", ["activity": "a2", "open": false]))
        s.apply(event(6, .command, "reorder", ["order": ["a3", "a2", "a1"]]))
        #expect(s.status == .open)
        #expect(s.current == "a2")
        #expect(s.groups == ["g1": ["p_1"]])
        #expect(s.activities["a2"]?.phase == "cluster")
        #expect(s.activities["a2"]?.inputsOpen == false)
        #expect(s.order == ["a3", "a2", "a1"])
        #expect(s.participants["p_1"]?.function == "huismeester")
        #expect(s.seq == 6)
        s.apply(event(7, .command, "kick", ["participant": "p_1"]))
        #expect(s.participants["p_1"]?.kicked == true)
        #expect(s.groups["g1"] == [])
        s.apply(event(8, .command, "close"))
        #expect(s.status == .closed)
    }

    @Test func deliveriesFollowTheContract() {
        var s = fresh()
        let join = event(1, .join, "join", actor: "p_1", ["participant": "p_1"])
        #expect(s.deliveries(for: join).map(\.type) == ["$join", "$join", "$join"])
        s.apply(join)
        #expect(s.deliveries(for: event(2, .command, "phase", activity: "a1", ["activity": "a1", "phase": "results"])).map { "\($0.activity)\($0.type)" } == ["a1$phase"])
        #expect(s.deliveries(for: event(3, .command, "reveal", activity: "a3", ["activity": "a3"])).map { "\($0.activity)\($0.type)" } == ["a3$reveal"])
        #expect(s.deliveries(for: event(4, .command, "ungroup", ["formed": [:]])).count == 3)
        #expect(s.deliveries(for: event(5, .command, "start")).isEmpty)
        #expect(s.deliveries(for: event(6, .command, "goto", activity: "a1", ["activity": "a1"])).isEmpty)
        let input = event(7, .input, "vote", activity: "a1", actor: "p_1", ["choice": 2])
        let d = s.deliveries(for: input)
        #expect(d == [PluginDelivery(activity: "a1", type: "vote", payload: ["choice": 2], actor: "p_1", role: .participant)])
    }

    @Test func foldIsDeterministic() throws {
        let events = [
            event(1, .join, "join", actor: "p_1", ["participant": "p_1"]),
            event(2, .command, "start"),
            event(3, .command, "next", activity: "a1", ["activity": "a1"]),
        ]
        var a = fresh(), b = fresh()
        for e in events { a.apply(e) }
        for e in events { b.apply(e) }
        #expect(a == b)
        let data = try JSONCoding.encode(a)
        #expect(try JSONCoding.decode(SessionState.self, from: data) == a)
    }
}
