import Model
import Testing

struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let resolver = CommandResolver(phases: { $0 == "voting" ? ["ballot", "results"] : ["collect", "cluster"] })

func command(_ type: String, _ fields: [String: JSONValue] = [:]) -> CommandRequest {
    var f = fields
    f["t"] = "command"
    f["type"] = .string(type)
    f["id"] = "c"
    return CommandRequest(id: "c", type: type, fields: .object(f))
}

func resolve(_ c: CommandRequest, _ s: SessionState, present: [String] = []) -> Result<CommandResolver.Outcome, HubError> {
    var rng = SeededRNG(state: 42)
    return resolver.resolve(c, state: s, present: present, rng: &rng)
}

func roomWith(_ n: Int, functions: [String] = ["wijkbeheerder", "woonconsulent", "huismeester"]) -> SessionState {
    var s = fresh()
    for i in 1...n {
        s.apply(event(Int64(i), .join, "join", actor: "p_\(i)", ["participant": .string("p_\(i)"), "function": .string(functions[i % functions.count])]))
    }
    return s
}

@Suite struct CommandResolverTests {
    @Test func startAndCloseFollowTheStatusTable() {
        var s = fresh()
        #expect(resolve(command("close"), s) == .failure(HubError(.forbidden, LocalizedText(
            nl: "Een sessie in voorbereiding kan niet sluiten: start haar eerst, of verwijder haar.",
            en: "A session in draft cannot be closed: start it first, or delete it."))))
        #expect(resolve(command("start"), s) == .success(.accepted(activity: nil, payload: [:])))
        s.apply(event(1, .command, "start"))
        #expect(resolve(command("start"), s) == .success(.unchanged))
        #expect(resolve(command("close"), s) == .success(.accepted(activity: nil, payload: [:])))
    }

    @Test func closedSessionRefusesEveryCommand() {
        var s = fresh()
        s.apply(event(1, .command, "start"))
        s.apply(event(2, .command, "close"))
        for type in ["start", "goto", "next", "prev", "phase", "inputs", "reveal", "reorder", "groups", "ungroup", "kick", "close"] {
            guard case .failure(let e) = resolve(command(type, ["activity": "a1"]), s) else { Issue.record("\(type) accepted"); continue }
            #expect(e.code == .sessionClosed)
        }
    }

    @Test func nextAndPrevStopAtTheEnds() {
        var s = fresh()
        guard case .failure(let e) = resolve(command("prev"), s) else { Issue.record("prev from none accepted"); return }
        #expect(e.code == .activityNotFound)
        #expect(resolve(command("next"), s) == .success(.accepted(activity: "a1", payload: ["activity": "a1"])))
        s.apply(event(1, .command, "goto", activity: "a3", ["activity": "a3"]))
        guard case .failure(let e2) = resolve(command("next"), s) else { Issue.record("next past end accepted"); return }
        #expect(e2.code == .activityNotFound)
        #expect(resolve(command("goto", ["activity": "a3"]), s) == .success(.unchanged))
        guard case .failure(let e3) = resolve(command("goto", ["activity": "a9"]), s) else { Issue.record("unknown activity accepted"); return }
        #expect(e3.code == .activityNotFound)
    }

    @Test func phaseMustBeAManifestPhase() {
        let s = fresh()
        #expect(resolve(command("phase", ["activity": "a1", "phase": "results"]), s) == .success(.accepted(activity: "a1", payload: ["activity": "a1", "phase": "results"])))
        #expect(resolve(command("phase", ["activity": "a1", "phase": "ballot"]), s) == .success(.unchanged))
        guard case .failure(let e) = resolve(command("phase", ["activity": "a1", "phase": "nope"]), s) else { Issue.record("bad phase accepted"); return }
        #expect(e.code == .badMessage)
    }

    @Test func reorderNeedsAPermutation() {
        let s = fresh()
        guard case .failure(let e) = resolve(command("reorder", ["order": ["a1", "a2"]]), s) else { Issue.record(); return }
        #expect(e.code == .badMessage)
        #expect(resolve(command("reorder", ["order": ["a1", "a2", "a3"]]), s) == .success(.unchanged))
        #expect(resolve(command("reorder", ["order": ["a2", "a1", "a3"]]), s) == .success(.accepted(activity: nil, payload: ["order": ["a2", "a1", "a3"]])))
    }

    @Test func randomGroupsAreBalancedAndCoverEveryone() throws {
        let s = roomWith(23)
        let present = s.participantOrder
        guard case .accepted(_, let payload) = try resolve(command("groups", ["mode": "random", "size": 5]), s, present: present).get(),
              let groups = SessionState.decodeGroups(payload["formed"]!) else { Issue.record(); return }
        #expect(groups.count == 5)
        #expect(groups.values.flatMap { $0 }.sorted() == present.sorted())
        #expect(groups.values.allSatisfy { (4...5).contains($0.count) })
    }

    @Test func functionGroupsMixFunctions() throws {
        let s = roomWith(12)
        guard case .accepted(_, let payload) = try resolve(command("groups", ["mode": "function", "size": 3]), s, present: s.participantOrder).get(),
              let groups = SessionState.decodeGroups(payload["formed"]!) else { Issue.record(); return }
        #expect(groups.count == 4)
        for members in groups.values {
            let functions = Set(members.compactMap { s.participants[$0]?.function })
            #expect(functions.count == 3, "each group of 3 gets one of each of the 3 functions")
        }
    }

    @Test func manualGroupsAreChecked() {
        let s = roomWith(3)
        #expect(resolve(command("groups", ["mode": "manual", "assignments": ["g1": ["p_1", "p_2"], "g2": ["p_3"]]]), s)
            == .success(.accepted(activity: nil, payload: ["mode": "manual", "formed": ["g1": ["p_1", "p_2"], "g2": ["p_3"]]])))
        guard case .failure(let e) = resolve(command("groups", ["mode": "manual", "assignments": ["g1": ["p_1"], "g2": ["p_1"]]]), s) else { Issue.record(); return }
        #expect(e.code == .badMessage)
        guard case .failure(let e2) = resolve(command("groups", ["mode": "manual", "assignments": ["g1": ["p_99"]]]), s) else { Issue.record(); return }
        #expect(e2.code == .badMessage)
        guard case .failure(let e3) = resolve(command("groups", ["mode": "random"]), s) else { Issue.record(); return }
        #expect(e3.code == .badMessage)
    }

    /// CONTRACTS §1: group ids are `g1`, `g2`, …, for manual groups too.
    @Test func manualGroupIdsFollowTheContract() {
        let s = roomWith(3)
        for odd: JSONValue in [["tafel rood": ["p_1"]], ["g1": ["p_1"], "g3": ["p_2"]], ["g0": ["p_1"]], ["g01": ["p_1"]],
                               ["G1": ["p_1"]], ["g2": ["p_1"]], ["g1": ["p_1"], "x:y": ["p_2"]]] {
            guard case .failure(let e) = resolve(command("groups", ["mode": "manual", "assignments": odd]), s) else {
                Issue.record("accepted \(odd)"); continue
            }
            #expect(e.code == .badMessage)
        }
        #expect(resolve(command("groups", ["mode": "manual", "assignments": ["g2": ["p_3"], "g1": ["p_1"], "g3": []]]), s)
            == .success(.accepted(activity: nil, payload: ["mode": "manual", "formed": ["g1": ["p_1"], "g2": ["p_3"], "g3": []]])))
    }

    @Test func agendaGroupsFormWhenTheActivityBecomesCurrent() throws {
        let s = roomWith(4)
        guard case .accepted(let a, let payload) = try resolve(command("goto", ["activity": "a2"]), s, present: s.participantOrder).get() else { Issue.record(); return }
        #expect(a == "a2")
        #expect(SessionState.decodeGroups(payload["formed"]!)?.count == 2)
    }

    @Test func kickAndUnknownTypes() {
        var s = roomWith(1)
        #expect(resolve(command("kick", ["participant": "p_1"]), s) == .success(.accepted(activity: nil, payload: ["participant": "p_1"])))
        s.apply(event(2, .command, "kick", ["participant": "p_1"]))
        #expect(resolve(command("kick", ["participant": "p_1"]), s) == .success(.unchanged))
        guard case .failure(let e) = resolve(command("dance"), s) else { Issue.record(); return }
        #expect(e.code == .unknownType)
    }
}
