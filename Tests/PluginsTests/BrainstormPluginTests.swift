import Foundation
import PluginSDK
import Testing
@testable import brainstorm_plugin

private let fac = PluginActor(id: "f_fenna", role: .facilitator)
private let hub = PluginActor(id: "$hub", role: .system)
private func person(_ n: Int, named: Bool = false) -> PluginActor {
    PluginActor(id: named ? "p_person\(n)" : "x_pseudo\(n)", role: .participant, name: named ? "Zwaluwstaart \(n)" : nil)
}

/// Builds an event list with increasing seqs.
private struct Script {
    var events: [PluginEvent] = []
    var seq: Int64 = 10
    @discardableResult
    mutating func add(_ actor: PluginActor, _ type: String, _ payload: JSONValue = [:]) -> Int64 {
        seq += 1
        events.append(PluginEvent(seq: seq, at: 1_800_000_000_000 + seq * 1000, actor: actor, type: type, payload: payload))
        return seq
    }
    mutating func phase(_ p: String) { add(hub, "$phase", ["phase": .string(p)]) }
}

private let kbContext: JSONValue = ["kennisbank": ["ref": ["kind": "buurtbeheerbedrijven"], "records": [
    ["id": "kb-zuidwijk", "title": "Buurtbeheerbedrijf Zuidwijk", "kind": "buurtbeheerbedrijven", "type": "praktijk", "state": "published",
     "goals": ["Schonere straten", "Werkervaring voor bewoners"], "approach": "Een ploeg bewoners werkt in vaste straten.",
     "intendedEffect": "Beter straatbeeld", "needs": ["people": "Een coördinator", "money": "€ 200.000 per jaar"],
     "activeIngredients": [["id": "wb-1", "statement": "Bewoners uit de buurt zelf"]]],
    ["id": "kb-molenwijk", "title": "Buurtbeheerbedrijf Molenwijk", "kind": "buurtbeheerbedrijven", "type": "praktijk", "state": "published",
     "goals": ["schonere   straten", "Minder zwerfafval"], "steps": ["Schouw met bewoners", "Werven in de buurt"]],
    ["id": "kb-archetype-old", "title": "Archetype: buurtbeheerbedrijven", "kind": "buurtbeheerbedrijven", "type": "archetype", "state": "published",
     "goals": ["Meer mensen aan het werk"]],
]]]

private let baseConfig: JSONValue = ["intervention": ["kind": "buurtbeheerbedrijven", "title": "Archetype: buurtbeheerbedrijven (themabijeenkomst)"],
                                     "dots": 3, "maxCards": 3, "maxLength": 40]

/// A whole recorded session: 12 participants, seeding, clustering, dots, evidence, notes, publish twice.
private func recordedSession(anonymous: Bool = true) -> (events: [PluginEvent], killAt: Int) {
    var s = Script()
    for i in 1...12 { s.add(hub, "$join", ["participant": .string(person(i).id)]) }
    s.add(fac, "seed", [:])
    let qs = ["doelen", "aanpak", "effect", "nodig"]
    for i in 1...12 {
        for k in 0..<2 {
            s.add(person(i), "card", ["question": .string(qs[(i + k) % 4]), "text": .string("Kaart \(i)-\(k) over \(qs[(i + k) % 4])")])
        }
    }
    s.add(person(3), "edit", ["card": .string("c\(s.events.first { $0.actor.id == person(3).id }!.seq)"), "text": "Kaart 3 aangepast"])
    s.phase("clusteren")
    let cards = s.events.filter { $0.type == "card" }.map { "c\($0.seq)" }
    let k1 = s.add(fac, "cluster", ["name": "Bewoners doen het werk", "cards": .array(cards.prefix(4).map { .string($0) })])
    let k2 = s.add(fac, "cluster", ["name": "Snel herstel", "cards": .array(cards[4..<8].map { .string($0) })])
    let killAt = s.events.count
    let k3 = s.add(fac, "cluster", ["name": "Perspectief op werk"])
    for c in cards[8..<12] { s.add(fac, "move", ["card": .string(c), "cluster": .string("k\(k3)")]) }
    s.add(fac, "merge", ["card": .string(cards[13]), "into": .string(cards[12])])
    s.add(fac, "move", ["card": .string(cards[12]), "cluster": .string("k\(k1)")])
    let k4 = s.add(fac, "cluster", ["name": "dubbel"])
    s.add(fac, "merge", ["cluster": .string("k\(k4)"), "into": .string("k\(k2)")])
    s.add(fac, "hide", ["card": .string(cards[20])])
    s.phase("waarderen")
    for i in 1...12 {
        let spread: JSONValue = i % 3 == 0 ? ["k\(k2)": 2, "k\(k3)": 1] : ["k\(k1)": 2, "k\(k2)": 1]
        s.add(person(i), "dots", ["dots": spread])
    }
    s.add(hub, "$reveal", [:])
    s.phase("toetsen")
    s.add(fac, "evidence", ["cluster": .string("k\(k1)"), "level": "aannemelijk", "explanation": "Collectieve zelfwerkzaamheid",
                            "sources": [["title": "Sampson e.a. (1997)", "url": "https://doi.org/10.1126/science.277.5328.918"]]])
    s.add(fac, "evidence", ["cluster": .string("k\(k2)"), "level": "bewezen"])
    s.add(person(2), "practice", ["cluster": .string("k\(k1)"), "text": "In Zuidwijk kent iedereen de ploeg"])
    s.add(person(5), "doubt", ["cluster": .string("k\(k3)"), "text": "Stroomt echt iemand door?"])
    s.phase("vastleggen")
    s.add(fac, "publish", [:])
    s.add(fac, "draft", ["summary": "Samen opgesteld op de themabijeenkomst."])
    s.add(fac, "publish", [:])
    _ = anonymous
    return (s.events, killAt)
}

private func code(_ r: PluginTestKit<BrainstormPlugin>.Result, _ seq: Int64) -> String? { r.rejections[seq] }

@Suite struct BrainstormPluginTests {
    let kit = PluginTestKit<BrainstormPlugin>(config: baseConfig, anonymity: .anonymous, context: kbContext)

    @Test func collectingCardsFollowsTheLimits() {
        var s = Script()
        let ok = s.add(person(1), "card", ["question": "doelen", "text": "  Schone straten  "])
        let long = s.add(person(1), "card", ["question": "doelen", "text": .string(String(repeating: "x", count: 41))])
        let empty = s.add(person(1), "card", ["question": "doelen", "text": "   "])
        let noText = s.add(person(1), "card", ["question": "doelen"])
        let badQ = s.add(person(1), "card", ["question": "waarom", "text": "x"])
        let badNeed = s.add(person(1), "card", ["question": "nodig", "text": "Geld", "need": "liefde"])
        s.add(person(1), "card", ["question": "nodig", "text": "Een coördinator"])
        s.add(person(1), "card", ["question": "nodig", "text": "Subsidie", "need": "money"])
        let limit = s.add(person(1), "card", ["question": "aanpak", "text": "Vierde kaart"])
        let other = s.add(person(2), "edit", ["card": .string("c\(ok)"), "text": "Van mij"])
        let otherWithdraw = s.add(person(2), "withdraw", ["card": .string("c\(ok)")])
        let unknown = s.add(person(2), "edit", ["card": "c999", "text": "x"])
        let edited = s.add(person(1), "edit", ["card": .string("c\(ok)"), "text": "Schonere straten"])
        let facEdit = s.add(fac, "edit", ["card": .string("c\(ok)"), "text": "Schonere straten, volgens bewoners"])
        let r = kit.run(s.events)
        #expect(code(r, long) == "too_long")
        #expect(code(r, empty) == "bad_text")
        #expect(code(r, noText) == "bad_text")
        #expect(code(r, badQ) == "unknown_question")
        #expect(code(r, badNeed) == "bad_need")
        #expect(code(r, limit) == "card_limit")
        #expect(code(r, other) == "not_your_card")
        #expect(code(r, otherWithdraw) == "not_your_card")
        #expect(code(r, unknown) == "unknown_card")
        #expect(code(r, edited) == nil && code(r, facEdit) == nil)
        let cards = r.views["public"]?["cards"]?.arrayValue ?? []
        #expect(cards.map { $0["text"] } == ["Schonere straten, volgens bewoners", "Een coördinator", "Subsidie"])
        #expect(cards.map { $0["need"] } == [nil, "people", "money"])
        #expect(r.views["participant:x_pseudo1"]?["cards"]?.arrayValue?.count == 3)
        // Withdrawing makes room again.
        var more = s
        more.add(person(1), "withdraw", ["card": .string("c\(ok)")])
        let again = more.add(person(1), "card", ["question": "aanpak", "text": "Nu wel"])
        #expect(code(kit.run(more.events), again) == nil)
    }

    @Test func seedingAddsKennisbankCardsOnceAndLinksThePractices() {
        var s = Script()
        let seed = s.add(fac, "seed", ["records": ["kb-zuidwijk", "kb-molenwijk"]])
        let twice = s.add(fac, "seed", ["records": ["kb-zuidwijk"]])
        let badRecords = s.add(fac, "seed", ["records": "kb-zuidwijk"])
        let r = kit.run(s.events)
        #expect(code(r, seed) == nil)
        #expect(code(r, twice) == "nothing_to_seed")
        #expect(code(r, badRecords) == "bad_records")
        let cards = r.views["public"]?["cards"]?.arrayValue ?? []
        let schoon = cards.filter { $0["text"] == "Schonere straten" }
        #expect(schoon.count == 1, "the same goal from two descriptions is one card")
        #expect(schoon.first?["sources"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["kb-zuidwijk", "kb-molenwijk"])
        #expect(cards.contains { $0["q"] == "aanpak" && $0["text"] == "Bewoners uit de buurt zelf" })
        #expect(cards.contains { $0["q"] == "aanpak" && $0["text"] == "Schouw met bewoners" })
        #expect(cards.contains { $0["q"] == "nodig" && $0["text"] == "€ 200.000 per jaar" && $0["need"] == "money" })
        #expect(!cards.contains { $0["text"] == "Meer mensen aan het werk" }, "the archetype was not asked for")
        #expect(Set(cards.compactMap { $0["id"]?.stringValue }).count == cards.count)
        let f = r.views["facilitator"]
        #expect(f?["records"]?.arrayValue?.map { $0["seeded"] } == [true, true, false])
        #expect(f?["draft"] == nil, "the facilitator's draft waits for toetsen")
        // The rest, then nothing left.
        var all = s
        let rest = all.add(fac, "seed", [:])
        let none = all.add(fac, "seed", [:])
        let r2 = kit.run(all.events)
        #expect(code(r2, rest) == nil && code(r2, none) == "nothing_to_seed")
        all.phase("toetsen")
        #expect(kit.run(all.events).views["facilitator"]?["draft"]?["practices"] == ["kb-zuidwijk", "kb-molenwijk"], "an archetype is not a practice")
    }

    @Test func onlyTheFacilitatorClustersUnlessConfigured() {
        var s = Script()
        let c = s.add(person(1), "card", ["question": "doelen", "text": "Schoon"])
        s.phase("clusteren")
        let byParticipant = s.add(person(2), "cluster", ["name": "Mijn cluster"])
        let k = s.add(fac, "cluster", ["name": "Schoon en heel"])
        let move = s.add(person(2), "move", ["card": .string("c\(c)"), "cluster": .string("k\(k)")])
        let rename = s.add(person(2), "rename", ["cluster": .string("k\(k)"), "name": "Anders"])
        let merge = s.add(person(2), "merge", ["cluster": .string("k\(k)"), "into": .string("k\(k)")])
        let noName = s.add(fac, "cluster", ["name": " "])
        let unknownCluster = s.add(fac, "move", ["card": .string("c\(c)"), "cluster": "k1"])
        let unknownCard = s.add(fac, "cluster", ["name": "X", "cards": ["c404"]])
        let notAList = s.add(fac, "cluster", ["name": "X", "cards": .string("c\(c)")])
        let self_ = s.add(fac, "merge", ["cluster": .string("k\(k)"), "into": .string("k\(k)")])
        let r = kit.run(s.events)
        for seq in [byParticipant, move, rename, merge] { #expect(code(r, seq) == "not_allowed") }
        #expect(code(r, noName) == "bad_name")
        #expect(code(r, unknownCluster) == "unknown_cluster")
        #expect(code(r, unknownCard) == "unknown_card" && code(r, notAList) == "unknown_card")
        #expect(code(r, self_) == "bad_merge")
        let open = PluginTestKit<BrainstormPlugin>(config: ["participantsCluster": true], anonymity: .anonymous)
        let r2 = open.run(s.events)
        #expect(code(r2, byParticipant) == nil && code(r2, move) == nil && code(r2, rename) == nil)
        #expect(r2.views["public"]?["clusters"]?.arrayValue?.map { $0["name"] } == ["Mijn cluster", "Anders"])
        #expect(r2.views["public"]?["cards"]?[0]?["cluster"] == .string("k\(k)"))
    }

    @Test func dotsStayWithinTheBudgetAndStayHiddenUntilTheReveal() {
        var s = Script()
        s.phase("clusteren")
        let a = s.add(fac, "cluster", ["name": "A"])
        let b = s.add(fac, "cluster", ["name": "B"])
        s.phase("waarderen")
        let over = s.add(person(1), "dots", ["dots": ["k\(a)": 2, "k\(b)": 2]])
        let neg = s.add(person(1), "dots", ["dots": ["k\(a)": -1]])
        let bool = s.add(person(1), "dots", ["dots": ["k\(a)": true]])
        let unknown = s.add(person(1), "dots", ["dots": ["k1": 1]])
        let shape = s.add(person(1), "dots", ["dots": [1, 2]])
        s.add(person(1), "dots", ["dots": ["k\(a)": 1, "k\(b)": 2]])
        s.add(person(2), "dots", ["dots": ["k\(a)": 3]])
        s.add(person(3), "dots", ["dots": ["k\(b)": 1]])
        s.add(person(3), "dots", ["dots": ["k\(b)": 0]]) // takes the dot back
        let r = kit.run(s.events)
        #expect(code(r, over) == "over_budget")
        #expect(code(r, neg) == "bad_dots" && code(r, bool) == "bad_dots" && code(r, shape) == "bad_dots")
        #expect(code(r, unknown) == "unknown_cluster")
        #expect(r.views["public"]?["voters"] == 2)
        #expect(r.views["public"]?["clusters"]?.arrayValue?.allSatisfy { $0["dots"] == nil && $0["rank"] == nil } == true)
        #expect(r.views["facilitator"]?["totals"]?.arrayValue?.map { $0["dots"] } == [4, 2], "the facilitator sees totals live")
        #expect(r.views["participant:x_pseudo1"]?["dots"] == ["k\(a)": 1, "k\(b)": 2])
        let revealed = kit.run(s.events + [PluginEvent(seq: 999, at: 1, actor: hub, type: "$reveal")])
        #expect(revealed.views["public"]?["clusters"]?.arrayValue?.map { [$0["dots"], $0["rank"]] } == [[4, 1], [2, 2]])
    }

    @Test func aRecordedSessionIsDeterministicAndAKillMidClusteringLosesNothing() throws {
        let (events, killAt) = recordedSession()
        // The recording as the host sends it: JSON lines of `event` messages, read back by the test kit.
        let lines = try events.map { e in
            try HostMessage.event(instance: "test/a1", seq: e.seq, at: e.at, actor: e.actor, type: e.type, payload: e.payload).jsonLine
        }.joined(separator: "\n")
        let recorded = PluginTestKit<BrainstormPlugin>.events(jsonLines: lines)
        #expect(recorded == events)
        #expect(kit.isDeterministic(recorded))
        let whole = kit.run(recorded)
        #expect(whole.rejections.isEmpty, "\(whole.rejections)")
        // A process killed mid-clustering: a new engine gets start and every logged event again, then the rest.
        var first = PluginEngine<BrainstormPlugin>()
        _ = first.handle(.start(instance: "test/a1", config: baseConfig, anonymity: .anonymous, context: kbContext))
        for e in recorded[..<killAt] { _ = first.handle(.event(instance: "test/a1", seq: e.seq, at: e.at, actor: e.actor, type: e.type, payload: e.payload)) }
        var second = PluginEngine<BrainstormPlugin>()
        var transcript = try second.handle(.start(instance: "test/a1", config: baseConfig, anonymity: .anonymous, context: kbContext)).map { try $0.jsonLine }
        for e in recorded { transcript += try second.handle(.event(instance: "test/a1", seq: e.seq, at: e.at, actor: e.actor, type: e.type, payload: e.payload)).map { try $0.jsonLine } }
        #expect(transcript == whole.transcript)
        #expect(whole.filed.count == 2)
    }

    /// A session recorded from the real hub (Tests/e2e/test_brainstorm.py writes it with BRAINSTORM_RECORD=1):
    /// the host's own `start` and `event` lines, as the plugin received them.
    @Test func aSessionRecordedFromTheHubReplaysTheSameAfterAKillMidClustering() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../e2e/brainstorm/recorded-session.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        guard case .start(_, let config, let anonymity, let context)? = lines.dropFirst().first.flatMap(HostMessage.parse) else {
            Issue.record("the recording does not start with hello and start")
            return
        }
        let events = PluginTestKit<BrainstormPlugin>.events(jsonLines: text)
        #expect(events.count == lines.count - 2)
        let recorded = PluginTestKit<BrainstormPlugin>(config: config, anonymity: anonymity, context: context)
        #expect(recorded.isDeterministic(events))
        let whole = recorded.run(events)
        #expect(whole.rejections.isEmpty, "a logged event refused: \(whole.rejections)")
        #expect(whole.filed.count == 2)
        #expect(whole.filed.map { $0.record["title"] } == ["Archetype: buurtbeheerbedrijven", "Archetype: buurtbeheerbedrijven (2026)"])
        // Killed in the middle of clustering: the new process gets start and every logged event again.
        let clustering = try #require(events.firstIndex { $0.type == "$phase" && $0.payload["phase"] == "clusteren" })
        let killAt = clustering + 4
        #expect(events[clustering..<killAt].contains { $0.type == "cluster" })
        var engine = PluginEngine<BrainstormPlugin>()
        var transcript = try engine.handle(.start(instance: "test/a1", config: config, anonymity: anonymity, context: context)).map { try $0.jsonLine }
        for e in events[..<killAt] { transcript += try engine.handle(.event(instance: "test/a1", seq: e.seq, at: e.at, actor: e.actor, type: e.type, payload: e.payload)).map { try $0.jsonLine } }
        var restarted = PluginEngine<BrainstormPlugin>()
        var replayed = try restarted.handle(.start(instance: "test/a1", config: config, anonymity: anonymity, context: context)).map { try $0.jsonLine }
        for e in events { replayed += try restarted.handle(.event(instance: "test/a1", seq: e.seq, at: e.at, actor: e.actor, type: e.type, payload: e.payload)).map { try $0.jsonLine } }
        #expect(Array(replayed.prefix(transcript.count)) == transcript, "the replay answers the logged events as the killed process did")
        #expect(replayed == whole.transcript)
    }

    @Test func theArchetypeMatchesTheSession() throws {
        let (events, _) = recordedSession()
        let r = kit.run(events)
        #expect(r.filed.count == 2)
        let first = try #require(r.filed.first)
        #expect(first.kind == "kennisbank.intervention")
        let rec = first.record
        #expect(rec["id"] == nil, "without `archetype` the hub picks the id")
        #expect(rec["type"] == "archetype" && rec["state"] == "published")
        #expect(rec["kind"] == "buurtbeheerbedrijven")
        #expect(rec["title"] == "Archetype: buurtbeheerbedrijven (themabijeenkomst)")
        #expect(rec["practices"] == ["kb-zuidwijk", "kb-molenwijk"])
        let ingredients = rec["activeIngredients"]?.arrayValue ?? []
        // Dots: 8 participants give k1 2 and k2 1, 4 give k2 2 and k3 1: k1 16, k2 16 (tie: k1 was made first), k3 4.
        #expect(ingredients.map { $0["statement"] } == ["Bewoners doen het werk", "Snel herstel", "Perspectief op werk"])
        #expect(ingredients.map { $0["votes"] } == [16, 16, 4])
        #expect(ingredients.map { $0["rank"] } == [1, 2, 3])
        #expect(ingredients.map { $0["id"] } == ["wb-1", "wb-2", "wb-3"])
        #expect(ingredients[0]["evidence"] == ["level": "aannemelijk", "explanation": "Collectieve zelfwerkzaamheid",
                                               "sources": [["title": "Sampson e.a. (1997)", "url": "https://doi.org/10.1126/science.277.5328.918"]]])
        #expect(ingredients[1]["evidence"] == ["level": "bewezen"])
        #expect(ingredients[2]["evidence"] == nil)
        #expect(ingredients[0]["why"]?.stringValue?.contains("Praktijkvoorbeelden: In Zuidwijk kent iedereen de ploeg") == true)
        #expect(ingredients[2]["why"]?.stringValue?.contains("Twijfels: Stroomt echt iemand door?") == true)
        // Provenance: the seed, every visible card and every counted ballot; the hidden card is not in it.
        let seqs = Set(rec["provenance"]?[0]?["seqs"]?.arrayValue?.compactMap(\.intValue) ?? [])
        #expect(rec["provenance"]?[0]?["session"] == "")
        let cardSeqs = events.filter { $0.type == "card" }.map(\.seq)
        let dotSeqs = events.filter { $0.type == "dots" }.map(\.seq)
        let seedSeq = events.first { $0.type == "seed" }!.seq
        #expect(seqs == Set(cardSeqs + dotSeqs + [seedSeq]).subtracting([cardSeqs[20]]))
        #expect(rec["goals"]?.arrayValue?.contains("Schonere straten") == true)
        #expect(rec["needs"]?["money"] == "€ 200.000 per jaar")
        // The second publish differs by the summary only.
        let second = r.filed[1].record
        #expect(second["summary"] == "Samen opgesteld op de themabijeenkomst.")
        #expect(second.objectValue?.filter { $0.key != "summary" } == rec.objectValue)
        #expect(r.views["public"]?["published"] == 2)
        // An existing archetype gets a version.
        var cfg = baseConfig.objectValue!
        cfg["archetype"] = "kb-archetype-old"
        let versioned = PluginTestKit<BrainstormPlugin>(config: .object(cfg), anonymity: .anonymous, context: kbContext).run(events)
        #expect(versioned.filed.first?.record["id"] == "kb-archetype-old")
    }

    @Test func noAuthorIdOrNameInAnyViewOrOutput() throws {
        let (events, _) = recordedSession()
        let named = events.map { e -> PluginEvent in
            var e = e
            if e.actor.role == .participant, let n = Int(e.actor.id.dropFirst("x_pseudo".count)) { e.actor = person(n, named: true) }
            return e
        }
        for (mode, list) in [(Anonymity.anonymous, events), (.pseudonymous, events), (.named, named)] {
            let r = PluginTestKit<BrainstormPlugin>(config: baseConfig, anonymity: mode, context: kbContext).run(list)
            let output = try r.outputs.map { try JSONCoding.string($0.record) }.joined()
            #expect(!output.contains("x_pseudo") && !output.contains("p_person") && !output.contains("Zwaluwstaart"))
            for (audience, view) in r.views where !audience.hasPrefix("participant:") {
                let text = try JSONCoding.string(view)
                #expect(!text.contains("x_pseudo") && !text.contains("p_person"), "\(mode) \(audience)")
                #expect(text.contains("Zwaluwstaart") == (mode == .named), "\(mode) \(audience): names only when named")
            }
        }
    }

    @Test func evidenceAndNotesAreValidated() {
        var s = Script()
        s.phase("clusteren")
        let k = s.add(fac, "cluster", ["name": "A"])
        s.phase("toetsen")
        let level = s.add(fac, "evidence", ["cluster": .string("k\(k)"), "level": "zeker"])
        let src = s.add(fac, "evidence", ["cluster": .string("k\(k)"), "level": "bewezen", "sources": [["title": "X", "url": "javascript:alert(1)"]]])
        let noTitle = s.add(fac, "evidence", ["cluster": .string("k\(k)"), "level": "bewezen", "sources": [["url": "https://example.org"]]])
        let where_ = s.add(person(1), "practice", ["cluster": "k0", "text": "x"])
        let long = s.add(person(1), "doubt", ["cluster": .string("k\(k)"), "text": .string(String(repeating: "y", count: 41))])
        let ok = s.add(person(1), "doubt", ["cluster": .string("k\(k)"), "text": "Twijfel"])
        s.add(fac, "hide", ["note": .string("n\(ok)")])
        let noNote = s.add(fac, "hide", ["note": "n1"])
        s.phase("vastleggen")
        let draftLong = s.add(fac, "draft", ["title": .string(String(repeating: "t", count: 201))])
        let r = kit.run(s.events)
        #expect(code(r, level) == "bad_level" && code(r, src) == "bad_source" && code(r, noTitle) == "bad_source")
        #expect(code(r, where_) == "unknown_cluster" && code(r, long) == "too_long" && code(r, ok) == nil)
        #expect(code(r, noNote) == "unknown_note" && code(r, draftLong) == "too_long")
        #expect(r.views["public"]?["clusters"]?[0]?["doubts"] == [])
        #expect(r.views["facilitator"]?["hidden"]?.arrayValue?.count == 1)
        let empty = PluginTestKit<BrainstormPlugin>().run([PluginEvent(seq: 1, at: 1, actor: fac, type: "publish")])
        #expect(empty.rejections[1] == "empty_draft")
    }

    @Test func mergingClustersCarriesTheDots() {
        var s = Script()
        s.phase("clusteren")
        let a = s.add(fac, "cluster", ["name": "A"])
        let b = s.add(fac, "cluster", ["name": "B"])
        s.phase("waarderen")
        s.add(person(1), "dots", ["dots": ["k\(a)": 1, "k\(b)": 2]])
        s.phase("clusteren")
        s.add(fac, "merge", ["cluster": .string("k\(a)"), "into": .string("k\(b)")])
        let r = kit.run(s.events)
        #expect(r.views["facilitator"]?["totals"]?.arrayValue?.map { [$0["name"], $0["dots"]] } == [["B", 3]])
        #expect(r.views["participant:x_pseudo1"]?["dots"] == ["k\(b)": 3])
    }
}

private extension JSONValue {
    subscript(i: Int) -> JSONValue? { arrayValue.flatMap { i < $0.count ? $0[i] : nil } }
}
