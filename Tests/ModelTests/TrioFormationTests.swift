import Model
import Testing

/// Trio formation (docs/SERIES.md "Trios"): one fysiek, one sociaal, one other where possible; kept trios together;
/// newcomers fill groups with room; the rest spread; the same inputs and seed give the same groups.
@Suite struct TrioFormationTests {
    func form(_ domains: [String: String?], order: [String]? = nil, kept: [String: String] = [:], seed: UInt64 = 7) -> Groups {
        var rng = SeededGenerator(seed: seed)
        return TrioFormation.form(present: order ?? domains.keys.sorted(), domain: { domains[$0] ?? nil }, kept: kept, rng: &rng)
    }

    func slots(_ ids: [String], _ domains: [String: String?]) -> [String] {
        ids.map { d -> String in let d = (domains[d] ?? nil) ?? ""; return ["fysiek", "sociaal"].contains(d) ? d : "other" }.sorted()
    }

    @Test func nineInThreeDomainsMakeThreeBalancedTrios() {
        var domains: [String: String?] = [:]
        for i in 1...3 { domains["f\(i)"] = "fysiek"; domains["s\(i)"] = "sociaal"; domains["w\(i)"] = .some(i == 3 ? "informeel" : nil) }
        let groups = form(domains)
        #expect(groups.keys.sorted() == ["g1", "g2", "g3"])
        for (_, ids) in groups {
            #expect(ids.count == 3)
            #expect(slots(ids, domains) == ["fysiek", "other", "sociaal"].sorted())
        }
        #expect(Set(groups.values.flatMap { $0 }) == Set(domains.keys))
    }

    @Test func theRestIsSpreadOverTheSmallestGroups() {
        // 4 fysiek, 1 sociaal, 1 other: one balanced trio, three fysiek together, nobody left alone.
        let domains: [String: String?] = ["f1": "fysiek", "f2": "fysiek", "f3": "fysiek", "f4": "fysiek", "s1": "sociaal", "w1": nil]
        let groups = form(domains)
        #expect(groups.count == 2)
        #expect(groups.values.map(\.count).sorted() == [3, 3])
        #expect(groups.values.contains { slots($0, domains) == ["fysiek", "other", "sociaal"].sorted() })
        // Seven: the seventh joins a group (a four), not a group of one.
        var seven = domains
        seven["f5"] = "fysiek"
        let spread = form(seven)
        #expect(spread.values.map(\.count).sorted() == [3, 4])
        // Two people are one group.
        #expect(form(["a": "fysiek", "b": nil]).values.map(\.count) == [2])
        #expect(form([:]).isEmpty)
    }

    @Test func keptTriosStayTogetherAndNewcomersFillTheirRoom() {
        let domains: [String: String?] = ["a": "fysiek", "b": "sociaal", "c": nil, "d": "fysiek", "e": "sociaal", "n1": nil, "n2": "fysiek"]
        let kept = ["a": "t1", "b": "t1", "c": "t1", "d": "t2", "e": "t2"]
        for seed: UInt64 in [1, 2, 3, 99] {
            let groups = form(domains, kept: kept, seed: seed)
            #expect(Set(groups["g1"]!.prefix(3)) == ["a", "b", "c"])
            // t2 has room for one: the newcomer who is "other", the slot it misses; the last one is spread.
            #expect(Array(groups["g2"]!.prefix(3)) == ["d", "e", "n1"])
            #expect(groups.values.flatMap { $0 }.filter { $0 == "n2" }.count == 1)
        }
        // Absent members leave room: only one of t1 is here, so newcomers join them.
        let few = form(["a": "fysiek", "x": "sociaal", "y": nil], kept: ["a": "t1", "b": "t1", "c": "t1"])
        #expect(few == ["g1": ["a", "x", "y"]] || few["g1"]?.first == "a" && few["g1"]?.count == 3)
    }

    @Test func theSameSeedFormsTheSameTriosAndAnotherMayNot() {
        var domains: [String: String?] = [:]
        for i in 1...12 { domains["p\(i)"] = .some(["fysiek", "sociaal", nil, "informeel"][i % 4]) }
        let a = form(domains, seed: 5), b = form(domains, seed: 5)
        #expect(a == b)
        let others = (6...20).map { form(domains, seed: UInt64($0)) }
        #expect(others.contains { $0 != a })
        var one = SeededGenerator(text: "s_1/4/trio"), two = SeededGenerator(text: "s_1/4/trio"), three = SeededGenerator(text: "s_1/5/trio")
        #expect(one.next() == two.next())
        #expect(one.next() != three.next())
    }

    @Test func newLabelsKeepFirstTriosAndExtendKeptOnes() {
        let groups: Groups = ["g1": ["a", "b", "c"], "g2": ["d", "e", "x"], "g3": ["n1", "n2", "guest"]]
        // First time: every series member gets their group's new label; a guest (not opted in) is not kept.
        let first = TrioFormation.newLabels(groups, kept: [:], members: ["a", "b", "c", "d", "e", "x", "n1", "n2"])
        #expect(first == ["a": "t1", "b": "t1", "c": "t1", "d": "t2", "e": "t2", "x": "t2", "n1": "t3", "n2": "t3"])
        // Later: kept members keep theirs (nothing new for them); a newcomer put with t2 joins t2; a new group gets t3.
        let later = TrioFormation.newLabels(groups, kept: ["a": "t1", "b": "t1", "c": "t1", "d": "t2", "e": "t2"],
                                            members: ["a", "b", "c", "d", "e", "x", "n1"])
        #expect(later == ["x": "t2", "n1": "t3"])
    }

    @Test func theResolverFormsTriosWhenATrioActivityBecomesCurrent() throws {
        var s = SessionState(agenda: [AgendaItem(id: "a1", plugin: "case-review", title: "Intervisie", groups: GroupSpec(mode: .trio))],
                             firstPhase: { _ in "collect" })
        let people = ["p1": "fysiek", "p2": "sociaal", "p3": "informeel", "p4": "fysiek"]
        for (i, id) in people.keys.sorted().enumerated() {
            s.apply(event(Int64(i + 1), .join, "join", actor: id, ["participant": .string(id), "domain": .string(people[id]!), "series": true]))
        }
        #expect(s.participants["p1"]?.domain == "fysiek" && s.participants["p1"]?.seriesMember == true)
        let goto = command("goto", ["activity": "a1"])
        #expect(CommandResolver.formsTrios(goto, state: s))
        #expect(!CommandResolver.formsTrios(command("groups", ["mode": "random", "size": 3]), state: s))
        #expect(CommandResolver.formsTrios(command("groups", ["mode": "trio"]), state: s))
        var r = CommandResolver(phases: { _ in ["collect"] })
        r.seed = "s_1"
        r.keptTrios = ["p1": "t1", "p4": "t1"]
        var rng = SeededRNG(state: 1)
        guard case .success(.accepted(_, let payload)) = r.resolve(goto, state: s, present: people.keys.sorted(), rng: &rng),
              let formed = payload["formed"].flatMap(SessionState.decodeGroups) else {
            Issue.record("trios not formed")
            return
        }
        // Kept together (p1 and p4), the others fill its room.
        #expect(formed.keys.sorted() == ["g1"] || Set(formed["g1"]!.prefix(2)) == ["p1", "p4"])
        #expect(Set(formed.values.flatMap { $0 }) == Set(people.keys))
        // The `groups` command takes `trio` without a size.
        var rng2 = SeededRNG(state: 1)
        guard case .success(.accepted(_, let p2)) = r.resolve(command("groups", ["mode": "trio"]), state: s, present: people.keys.sorted(), rng: &rng2) else {
            Issue.record("groups trio refused")
            return
        }
        #expect(p2["mode"]?.stringValue == "trio")
    }
}
