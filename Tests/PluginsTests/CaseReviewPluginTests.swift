import Foundation
import PluginSDK
import Testing
@testable import case_review_plugin

private let hub = PluginActor(id: "$hub", role: .system)
private let fac = PluginActor(id: "f_fac", role: .facilitator)
private func p(_ id: String, _ g: String = "g1") -> PluginActor { PluginActor(id: id, role: .participant, group: g) }

/// A tiny script builder: every event gets the next seq and a time 1 s later.
private struct Script {
    var events: [PluginEvent] = []
    var seq: Int64 = 0
    var at: Int64 = 1_800_000_000_000
    mutating func add(_ actor: PluginActor, _ type: String, _ payload: JSONValue = [:], seconds: Int64 = 1) {
        seq += 1
        at += seconds * 1000
        events.append(PluginEvent(seq: seq, at: at, actor: actor, type: type, payload: payload))
    }
    /// An event the plugin is expected to refuse: it uses no seq, so the next event gets the same one.
    mutating func no(_ actor: PluginActor, _ type: String, _ payload: JSONValue = [:]) {
        add(actor, type, payload)
        seq -= 1
    }
    /// Two groups: g1 = a (chair), b, c, d; g2 = e (chair), f.
    mutating func groups() {
        add(hub, "$groups", ["groups": ["g1": ["x_a", "x_b", "x_c", "x_d"], "g2": ["x_e", "x_f"]]])
    }
}

/// Every refusal's code, in order.
private func codes(_ r: PluginTestKit<CaseReviewPlugin>.Result) -> [String] {
    r.transcript.compactMap { JSONCoding.parse($0) }.filter { $0["t"] == "reject" }.compactMap { $0["code"]?.stringValue }
}

private func json(_ v: JSONValue?) -> String { v.map { (try? JSONCoding.string($0)) ?? "(not encodable)" } ?? "" }

@Suite struct CaseReviewPluginTests {
    @Test func shipsTheFourMethodsOfTheDesignAsData() {
        #expect(BuiltInMethods.all.keys.sorted() == ["incident", "roddel", "tienstappen", "vijfstappen"])
        #expect(BuiltInMethods.incident.steps.map(\.id) == ["terugblik", "vragen", "analyse", "advies", "reactie"])
        #expect(BuiltInMethods.tienstappen.steps.count == 10)
        #expect(BuiltInMethods.named("incidentmethode")?.id == "incident")
        for m in BuiltInMethods.all.values {
            #expect(Set(m.steps.map(\.id)).count == m.steps.count)
            for s in m.steps {
                #expect(!s.who.isEmpty && s.who.allSatisfy(Roles.all.contains))
                #expect(!s.kinds.isEmpty && s.kinds.allSatisfy(CardKinds.all.contains))
                #expect(Set(s.prompts.keys) == Set(Roles.all))
            }
        }
        // Informative questions: no advice; in the analysis and advice round the case owner only listens.
        #expect(BuiltInMethods.incident.steps[1].kinds == ["question"])
        #expect(!BuiltInMethods.incident.steps[2].who.contains("inbrenger"))
        #expect(!BuiltInMethods.incident.steps[3].who.contains("inbrenger"))
    }

    @Test func runsAGroupThroughTheIncidentMethodWithRoleRules() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": "incident", "minutes": 40])
        var s = Script()
        s.groups()                                                                        // 1
        s.add(p("x_b"), "propose", ["title": "Buurman Jansen", "description": "Overlast", "question": "Hoe verder?"]) // 2
        s.add(p("x_c"), "propose", ["title": "Portiek 12", "question": "Wie pakt het op?"]) // 3
        s.add(p("x_e", "g2"), "propose", ["title": "Geheime zaak G2", "question": "Vraag G2"]) // 4
        s.no(p("x_b"), "choose-case", ["proposal": "c2"])                               // 5 refused: not the chair
        s.no(p("x_a"), "advance")                                                      // 5 refused: no case yet
        s.add(p("x_a"), "choose-case", ["proposal": "c2"])                               // 5
        s.no(p("x_b"), "advance")                                                      // 6 refused: b is the case owner
        s.add(p("x_a"), "advance")                                                      // 6 → terugblik
        s.add(p("x_a"), "advance")                                                      // 7 → vragen
        s.no(p("x_b"), "card", ["kind": "question", "text": "Mag ik vragen?"])           // 8 refused: owner listens
        s.no(p("x_c"), "card", ["kind": "advice", "text": "Doe dit"])                    // 8 refused: questions only
        s.add(p("x_c"), "card", ["kind": "question", "text": "Sinds wanneer speelt het?"]) // 8
        s.add(fac, "advance", ["group": "g1"])                                          // 9 → analyse (the facilitator may)
        s.add(p("x_a"), "advance")                                                      // 10 → advies
        s.add(p("x_d"), "card", ["kind": "advice", "text": "Bel de wijkagent"])           // 11
        s.no(p("x_c"), "mark-useful", ["card": "k11"])                                  // 12 refused
        s.no(p("x_b"), "mark-useful", ["card": "k8"])                                   // 12 refused: not advice
        s.add(p("x_b"), "mark-useful", ["card": "k11"])                                  // 12
        let r = kit.run(s.events)
        #expect(codes(r) == ["not_chair", "no_case", "not_chair", "not_your_turn", "bad_kind", "not_case_owner", "not_advice"])
        let g1 = r.views["group:g1"]
        #expect(g1?["step"] == "advies")
        #expect(g1?["case"]?["title"] == "Buurman Jansen")
        #expect(g1?["members"] == [["id": "x_a", "role": "voorzitter"], ["id": "x_b", "role": "inbrenger"],
                                   ["id": "x_c", "role": "adviseur"], ["id": "x_d", "role": "adviseur"]])
        #expect(g1?["cards"]?.arrayValue?.count == 2)
        #expect(g1?["cards"]?.arrayValue?.last?["useful"] == true)
        // Deadline: the advance's time + the step's scaled minutes (advies: 10 of 40 suggested, scaled to 40 → 10).
        let advanced = s.events.first { $0.seq == 10 && $0.type == "advance" }!.at
        #expect(g1?["deadline"]?.intValue == advanced + 10 * 60_000)
        // Confidentiality: case text only in its own group's view.
        for audience in ["public", "facilitator", "group:g2", "participant:x_e"] {
            let text = json(r.views[audience])
            #expect(!text.contains("Buurman") && !text.contains("Portiek") && !text.contains("wijkagent"), "\(audience) leaks g1")
        }
        #expect(!json(r.views["group:g1"]).contains("Geheime zaak"))
        let progress = r.views["facilitator"]?["groups"]?.arrayValue ?? []
        #expect(progress.map { $0["step"] } == ["advies", "intake"])
        #expect(progress.first?["cards"] == 2)
        #expect(r.views["participant:x_b"] == ["id": "x_b", "group": "g1"])
        #expect(kit.isDeterministic(s.events))
    }

    @Test func theChairWhoBringsTheCaseHandsTheChairOnAndRolesCanBeAssigned() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": "roddel"])
        var s = Script()
        s.groups()                                                                     // 1
        s.add(p("x_a"), "propose", ["title": "Mijn casus", "question": "?"])             // 2
        s.add(p("x_a"), "choose-case", ["proposal": "c2"])                            // 3: a becomes owner, b chair
        s.no(p("x_a"), "assign-role", ["participant": "x_c", "role": "notulist"])     // 4 refused: a is no longer chair
        s.add(p("x_b"), "assign-role", ["participant": "x_c", "role": "notulist"])     // 4
        s.no(p("x_b"), "assign-role", ["participant": "x_a", "role": "voorzitter"])   // 5 refused: owner keeps its role
        s.add(p("x_b"), "assign-role", ["participant": "x_d", "role": "voorzitter"])   // 5
        s.no(p("x_b"), "advance")                                                     // 6 refused: no longer chair
        let r = kit.run(s.events)
        #expect(codes(r) == ["not_chair", "owner_has_role", "not_chair"])
        #expect(r.views["group:g1"]?["members"] == [["id": "x_a", "role": "inbrenger"], ["id": "x_b", "role": "adviseur"],
                                                    ["id": "x_c", "role": "notulist"], ["id": "x_d", "role": "voorzitter"]])
    }

    @Test func votingChoosesTheCaseWithTheMostVotes() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": "vijfstappen", "choice": "vote"])
        var s = Script()
        s.groups()
        s.add(p("x_b"), "propose", ["title": "B", "question": "?"])          // 2
        s.add(p("x_c"), "propose", ["title": "C", "question": "?"])          // 3
        s.add(p("x_a"), "vote-case", ["proposal": "c3"])                    // 4
        s.add(p("x_b"), "vote-case", ["proposal": "c2"])                    // 5
        s.add(p("x_d"), "vote-case", ["proposal": "c3"])                    // 6
        s.no(p("x_a"), "choose-case", ["proposal": "c2"])                  // 7 refused: by vote
        s.add(p("x_a"), "advance")                                          // 7
        let r = kit.run(s.events)
        #expect(codes(r) == ["choice_by_vote"])
        #expect(r.views["group:g1"]?["case"]?["title"] == "C")
        #expect(r.views["group:g1"]?["step"] == "introductie")
    }

    @Test func lockstepMovesAllGroupsTogetherByTheFacilitatorOnly() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": "incident", "pace": "lockstep"])
        var s = Script()
        s.groups()
        s.add(p("x_b"), "propose", ["title": "B", "question": "?"])          // 2
        s.add(p("x_f", "g2"), "propose", ["title": "F", "question": "?"])    // 3
        s.add(p("x_a"), "choose-case", ["proposal": "c2"])                  // 4
        s.no(fac, "advance")                                               // 5 refused: g2 has no case
        s.add(p("x_e", "g2"), "choose-case", ["proposal": "c3"])            // 5
        s.no(p("x_a"), "advance")                                          // 6 refused: lockstep
        s.no(fac, "advance", ["group": "g1"])                              // 6 refused: lockstep
        s.add(fac, "advance")                                               // 6
        let r = kit.run(s.events)
        #expect(codes(r) == ["no_case", "lockstep", "lockstep"])
        #expect(r.views["facilitator"]?["groups"]?.arrayValue?.map { $0["step"] } == ["terugblik", "terugblik"])
    }

    @Test func leerpuntenLeaveTheGroupOnlyWithTheOwnersConsentAndWithoutTheCase() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": ["id": "kort", "title": "Kort", "steps": [
            ["id": "advies", "title": ["nl": "Advies", "en": "Advice"], "who": ["adviseur", "voorzitter"], "kinds": ["advice"], "minutes": 3],
        ]]])
        var s = Script()
        s.groups()                                                                       // 1
        s.add(p("x_b"), "propose", ["title": "Vertrouwelijk dossier X", "question": "Wat nu met X?"]) // 2
        s.add(p("x_a"), "choose-case", ["proposal": "c2"])                              // 3
        s.add(p("x_a"), "advance")                                                       // 4 → advies
        s.no(p("x_c"), "leerpunt", ["title": "T", "text": "x", "barriers": ["budget"]]) // 5 refused: not yet
        s.add(p("x_a"), "advance")                                                       // 5 → leerpunten
        s.add(p("x_c"), "leerpunt", ["title": "Vroeg de wijkagent erbij", "text": "Betrek de wijkagent in de eerste week.", "kind": "tip",
                                     "barriers": ["samenwerking", "budget"]])           // 6
        s.add(p("x_d"), "leerpunt", ["title": "Regels checken", "text": "Vraag de regeleigenaar.", "barriers": ["wet-en-regelgeving", "anders"]]) // 7
        s.no(p("x_d"), "leerpunt", ["title": "Z", "text": "z", "barriers": ["geld"]])    // 8 refused
        s.no(p("x_a"), "publish")                                                       // 8 refused: nothing consented
        s.no(p("x_c"), "consent", ["leerpunt": "l6"])                                   // 8 refused: not the owner
        s.add(p("x_b"), "consent", ["leerpunt": "l6"])                                   // 8
        s.add(p("x_b"), "consent", ["leerpunt": "l7", "shareCase": true])                // 9
        s.add(p("x_a"), "publish")                                                       // 10
        s.no(p("x_a"), "publish")                                                       // 11 refused
        let r = kit.run(s.events)
        #expect(codes(r) == ["not_leerpunten", "bad_barrier", "nothing_to_publish", "not_case_owner", "nothing_to_publish"])
        #expect(r.filed.count == 2)
        let tip = r.filed[0].record, les = r.filed[1].record
        #expect(r.filed.allSatisfy { $0.kind == "gereedschapskist.item" })
        #expect(tip["kind"] == "tip" && tip["title"] == "Vroeg de wijkagent erbij")
        #expect(tip["barriers"] == ["budget", "samenwerking"])
        #expect(tip["provenance"] == [["session": "", "seqs": [6, 8]]])
        #expect(!json(tip).contains("Vertrouwelijk dossier X"))
        #expect(les["barriers"] == ["wet-en-regelgeving", "other"])
        #expect(BuiltInMethods.named("gossip")?.id == "roddel" && BuiltInMethods.named("tienstappenmethode")?.id == "tienstappen")
        #expect(les["kind"] == "les" && json(les).contains("Vertrouwelijk dossier X") && json(les).contains("Wat nu met X?"))
        #expect(r.views["facilitator"]?["groups"]?.arrayValue?.first?["published"] == 2)
        #expect(kit.isDeterministic(s.events))
    }

    @Test func customMethodProblemsThatASchemaCannotSeeStopTheActivity() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": ["id": "x", "title": "X", "steps": [
            ["id": "a", "title": "A", "who": ["adviseur"], "kinds": ["note"]],
            ["id": "a", "title": "A2", "who": ["adviseur"], "kinds": ["note"]],
            ["id": "intake", "title": "I", "who": ["adviseur"], "kinds": ["note"]],
        ]]])
        var s = Script()
        s.groups()
        s.add(p("x_b"), "propose", ["title": "B", "question": "?"])
        let r = kit.run(s.events)
        #expect(codes(r) == ["bad_method"])
        let problems = r.views["public"]?["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(problems == ["config.method.steps[1].id: `a` is already the id of steps[0]",
                             "config.method.steps[2].id: `intake` is reserved for the plugin's own stage"])
        let unknown = PluginTestKit<CaseReviewPlugin>(config: ["method": "intervisie"]).run([])
        #expect(unknown.views["facilitator"]?["problems"]?.arrayValue?.first?.stringValue?.hasPrefix("config.method: unknown method `intervisie`") == true)
    }

    @Test func closingMovesGroupsWithACaseToTheirLeerpuntenAndAKickedChairIsReplaced() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": "incident", "leerpuntenMinutes": 7])
        var s = Script()
        s.groups()                                                                   // 1
        s.add(p("x_b"), "propose", ["title": "B", "question": "?"])                   // 2
        s.add(p("x_a"), "choose-case", ["proposal": "c2"])                           // 3
        s.add(hub, "$leave", ["participant": "x_a"])                                 // 4: the chair is kicked
        s.no(p("x_a"), "advance")                                                    // 5 refused: no longer in a group
        s.add(p("x_c"), "advance")                                                   // 5: c is the chair now
        s.add(hub, "$phase", ["phase": "closing"])                                   // 6
        let r = kit.run(s.events)
        #expect(codes(r) == ["not_in_group"])
        let g1 = r.views["group:g1"]
        #expect(g1?["members"] == [["id": "x_b", "role": "inbrenger"], ["id": "x_c", "role": "voorzitter"], ["id": "x_d", "role": "adviseur"]])
        #expect(g1?["step"] == "leerpunten")
        #expect(g1?["deadline"]?.intValue == s.events.last!.at + 7 * 60_000)
        #expect(r.views["participant:x_a"] == ["id": "x_a"])
        // g2 has no case: it stays in its intake.
        #expect(r.views["facilitator"]?["groups"]?.arrayValue?.map { $0["step"] } == ["leerpunten", "intake"])
        #expect(r.views["public"]?["closing"] == true)
    }

    /// Intervisie in a series (docs/CASE-REVIEW.md "Follow-up in a series"): only the inbrenger answers; the
    /// restricted `follow-up` result names the consenting groups and nothing of the case; the next session shows
    /// each kept follow-up only in the group view of the group with the same id.
    @Test func aFollowUpKeepsOnlyTheQuestionForTheConsentingGroup() {
        let kit = PluginTestKit<CaseReviewPlugin>(config: ["method": "incident", "followUp": true])
        var s = Script()
        s.groups()                                                                       // 1
        s.no(p("x_b"), "follow-up", ["consent": true])                                  // 2 refused: no case yet
        s.add(p("x_b"), "propose", ["title": "Geheim dossier Y", "question": "Wat met Y?"]) // 2
        s.add(p("x_a"), "choose-case", ["proposal": "c2"])                              // 3
        s.add(p("x_f"), "propose", ["title": "Geheim Z", "question": "Z?"])              // 4
        s.add(p("x_e"), "choose-case", ["proposal": "c4"])                              // 5
        s.no(p("x_a"), "follow-up", ["consent": true])                                  // 6 refused: not the owner
        s.no(p("x_b"), "follow-up", ["consent": "ja"])                                  // 6 refused
        s.add(p("x_b"), "follow-up", ["consent": true])                                  // 6
        s.add(p("x_f"), "follow-up", ["consent": true])                                  // 7
        s.add(p("x_f"), "follow-up", ["consent": false])                                 // 8: withdrawn
        s.add(p("x_b"), "follow-up", ["consent": true])                                  // 9: unchanged, nothing emitted
        let r = kit.run(s.events)
        #expect(codes(r) == ["not_case_owner", "not_case_owner", "bad_consent"])
        let results = r.outputs.filter { $0.kind == "series.result" }.map(\.record)
        #expect(results.map { $0["items"]?.arrayValue?.compactMap { $0["group"]?.stringValue } ?? [] } == [["g1"], ["g1", "g2"], ["g1"]])
        #expect(results.allSatisfy { $0["name"] == "follow-up" && $0["audience"] == "group" })
        #expect(results[0]["items"] == [["group": "g1", "method": ["id": "incident", "title": ["nl": "Incidentmethode", "en": "Incident method"]],
                                         "question": ["nl": "Wat heb je met het advies gedaan?", "en": "What did you do with the advice?"]]])
        #expect(!json(.array(results)).contains("Geheim"))
        #expect(r.views["group:g1"]?["followUp"] == true && r.views["group:g2"]?["followUp"] == false)
        #expect(r.views["public"]?["followUp"] == true)
        #expect(kit.isDeterministic(s.events))

        // Without `followUp` in the config the question is not asked.
        var plain = Script()
        plain.groups()
        plain.add(p("x_b"), "propose", ["title": "B", "question": "?"])
        plain.add(p("x_a"), "choose-case", ["proposal": "c2"])
        plain.no(p("x_b"), "follow-up", ["consent": true])
        #expect(codes(PluginTestKit<CaseReviewPlugin>(config: ["method": "incident"]).run(plain.events)) == ["no_follow_up"])

        // The next session: the kept follow-up shows in g1's view only.
        let next = PluginTestKit<CaseReviewPlugin>(config: ["method": "incident"], context: ["from": [
            "session": 1, "activity": "intervisie", "result": "follow-up", "items": results[2]["items"]!]])
        var later = Script()
        later.groups()
        let v = next.run(later.events).views
        #expect(v["group:g1"]?["lookBack"]?["question"]?["nl"] == "Wat heb je met het advies gedaan?")
        #expect(v["group:g2"]?["lookBack"] == nil && !json(v["public"]).contains("advies gedaan") && !json(v["facilitator"]).contains("advies gedaan"))
    }

    @Test func badInputGetsACodeNeverACrash() {
        let kit = PluginTestKit<CaseReviewPlugin>()
        var s = Script()
        s.no(p("x_z"), "propose", ["title": "T", "question": "Q"])     // 1 refused: no groups yet
        s.groups()                                                       // 1
        s.no(p("x_a"), "propose", ["title": 5, "question": []])         // 2 refused
        s.no(p("x_a"), "propose", ["title": .string(String(repeating: "x", count: 121)), "question": "q"]) // 2 refused
        s.no(p("x_a"), "card", ["text": "t"])                           // 2 refused: intake
        s.no(p("x_a"), "vote-case", ["proposal": 7])                    // 2 refused
        s.no(p("x_a"), "dance")                                         // 2 refused
        s.no(fac, "advance", ["group": "g9"])                           // 2 refused
        s.no(fac, "assign-role", ["role": "inbrenger", "group": "g1", "participant": "x_a"]) // 2 refused
        let r = kit.run(s.events)
        #expect(codes(r) == ["not_in_group", "bad_proposal", "bad_proposal", "no_cards_now", "no_such_proposal", "unknown_input",
                             "no_such_group", "bad_role"])
    }
}
