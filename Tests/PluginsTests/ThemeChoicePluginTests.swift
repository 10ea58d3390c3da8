import PluginSDK
import Testing
@testable import theme_choice_plugin

private func person(_ n: Int) -> PluginActor { PluginActor(id: "x_\(n)", role: .participant, group: nil) }
private let fac = PluginActor(id: "f_1", role: .facilitator)
private let hub = PluginActor(id: "$hub", role: .system)

/// Events with seqs from 1 in the order given.
private func events(_ list: [(PluginActor, String, JSONValue)]) -> [PluginEvent] {
    list.enumerated().map { PluginEvent(seq: Int64($0.offset + 1), at: 1_000 + Int64($0.offset), actor: $0.element.0, type: $0.element.1, payload: $0.element.2) }
}

private func phase(_ name: String) -> (PluginActor, String, JSONValue) { (hub, "$phase", ["phase": .string(name)]) }

@Suite struct ThemeChoicePluginTests {
    @Test func startersAreTheSeedsUnlessTheConfigReplacesThem() {
        let seeds = PluginTestKit<ThemeChoicePlugin>().run([])
        #expect(seeds.views["public"]?["starters"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == [
            "Cultuurverschillen tussen organisaties overbruggen", "Actief burgerschap stimuleren", "Omgaan met belemmerende wet- en regelgeving",
        ])
        let own = PluginTestKit<ThemeChoicePlugin>(config: ["starters": ["Eenzaamheid"]]).run(events([(person(1), "propose", ["starter": 0])]))
        #expect(own.views["public"]?["themes"] == [["id": "t1", "text": "Eenzaamheid", "also": []]])
        #expect(own.views["public"]?["starters"] == [["index": 0, "text": "Eenzaamheid", "taken": true]])
    }

    @Test func proposalsAreCheckedAndDuplicatesRefused() {
        let kit = PluginTestKit<ThemeChoicePlugin>(config: ["perPerson": 2, "maxLength": 20])
        let r = kit.run(events([
            (person(1), "propose", ["text": "  Samen\u{7}  werken "]),
            (person(2), "propose", ["text": "samen WERKEN"]),
            (person(2), "propose", ["starter": 1]),
            (person(3), "propose", ["starter": 9]),
            (person(3), "propose", ["text": .string(String(repeating: "x", count: 21))]),
            (person(3), "propose", ["text": "   "]),
            (person(3), "propose", ["text": 7]),
            (person(3), "propose", ["text": "a", "starter": 0]),
            (person(3), "propose", ["text": "a", "vote": 1]),
            (person(1), "propose", ["text": "Veiligheid"]),
            (person(1), "propose", ["text": "Groen"]),
        ]))
        #expect(r.rejections == [2: "duplicate", 4: "unknown_starter", 5: "too_long", 6: "empty", 7: "bad_text", 8: "bad_payload",
                                 9: "bad_payload", 11: "too_many"])
        #expect(r.views["public"]?["themes"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == ["Samen werken", "Actief burgerschap stimuleren", "Veiligheid"])
        #expect(r.views["participant:x_1"]?["proposals"] == 2)
    }

    @Test func theFacilitatorMergesAndRemovesUntilTheFirstBallot() {
        let r = PluginTestKit<ThemeChoicePlugin>().run(events([
            (person(1), "propose", ["text": "Wetgeving"]),
            (person(2), "propose", ["text": "Regels die in de weg zitten"]),
            (fac, "add", ["text": "Jongeren"]),
            (fac, "merge", ["theme": "t2", "into": "t1", "text": "Belemmerende regels"]),
            (fac, "merge", ["theme": "t1", "into": "t1"]),
            (fac, "merge", ["theme": "t9", "into": "t1"]),
            (person(3), "propose", ["text": "wetgeving"]),
            (fac, "remove", ["theme": "t3"]),
            (person(4), "propose", ["text": "Wonen"]),
            phase("prioriteren"),
            (person(1), "ballot", ["dots": ["t1": 1]]),
            (fac, "add", ["text": "Te laat"]),
        ]))
        #expect(r.rejections == [5: "same_theme", 6: "unknown_theme", 7: "duplicate", 12: "list_fixed"])
        #expect(r.views["facilitator"]?["themes"] == [
            ["id": "t1", "text": "Belemmerende regels", "also": ["Wetgeving", "Regels die in de weg zitten"], "proposals": 2],
            ["id": "t9", "text": "Wonen", "also": [], "proposals": 1],
        ])
    }

    @Test func dotsAreCountedByTheVotingFormulasAndBlindUntilRevealed() {
        let kit = PluginTestKit<ThemeChoicePlugin>(config: ["dots": 3, "stacking": true])
        var list: [(PluginActor, String, JSONValue)] = [(person(1), "propose", ["text": "A"]), (person(2), "propose", ["text": "B"]),
                                                        (person(3), "propose", ["text": "C"]), phase("prioriteren")]
        list += [(person(1), "ballot", ["dots": ["t1": 3]]), (person(2), "ballot", ["dots": ["t2": 2, "t3": 1]]),
                 (person(3), "ballot", ["dots": ["t1": 1, "t2": 0]]), (person(3), "ballot", ["dots": ["t2": 1]]),
                 (person(4), "ballot", ["dots": ["t1": 2, "t2": 2]]), (person(4), "ballot", ["dots": ["t1": -1]]),
                 (person(4), "ballot", ["dots": [:]]), (person(4), "ballot", ["dots": ["t7": 1]]), (person(4), "ballot", ["order": ["t1"]])]
        let r = kit.run(events(list))
        #expect(r.rejections == [9: "over_budget", 10: "bad_ballot", 11: "empty_ballot", 12: "unknown_theme", 13: "bad_payload"])
        #expect(r.views["public"]?["results"] == nil, "blind before the reveal")
        #expect(r.views["public"]?["voters"] == 3)
        // A 3, B 3 (2 + the changed ballot's 1), C 1: 7 dots, largest remainder 43/43/14 → ties to the earlier theme.
        let counted = r.views["facilitator"]?["results"]?.arrayValue?.map { [$0["text"], $0["votes"], $0["percent"], $0["place"]] }
        #expect(counted == [["A", 3, 43, 1], ["B", 3, 43, 1], ["C", 1, 14, 3]])
        let revealed = kit.run(events(list + [(hub, "$reveal", [:])]))
        #expect(revealed.views["public"]?["results"] == revealed.views["facilitator"]?["results"])
        let single = PluginTestKit<ThemeChoicePlugin>().run(events([(person(1), "propose", ["text": "A"]), (person(1), "ballot", ["dots": ["t1": 2]])]))
        #expect(single.rejections == [2: "no_stacking"])
    }

    @Test func aRankingIsABordaCount() {
        let kit = PluginTestKit<ThemeChoicePlugin>(config: ["method": "ranking"])
        let r = kit.run(events([
            (fac, "add", ["text": "A"]), (fac, "add", ["text": "B"]), (fac, "add", ["text": "C"]), phase("prioriteren"),
            (person(1), "ballot", ["order": ["t1", "t2", "t3"]]), (person(2), "ballot", ["order": ["t2", "t1", "t3"]]),
            (person(3), "ballot", ["order": ["t1", "t3"]]), (person(4), "ballot", ["order": ["t1", "t1"]]),
            (person(4), "ballot", ["order": []]), (person(4), "ballot", ["dots": ["t1": 1]]),
        ]))
        #expect(r.rejections == [8: "bad_ranking", 9: "bad_ranking", 10: "bad_payload"])
        // Borda over 3 themes (2, 1, 0 points): A 2+1+2 = 5, B 1+2 = 3, C 0+0+1 = 1; as Tally.borda in voting.
        let counted = r.views["facilitator"]?["results"]?.arrayValue?.map { [$0["text"], $0["votes"], $0["positions"]] }
        #expect(counted == [["A", 5, [2, 1, 0]], ["B", 3, [1, 1, 0]], ["C", 1, [0, 1, 2]]])
    }

    @Test func confirmingEmitsTheSeriesResultAndAReportSectionAndReplaysIdentically() {
        let kit = PluginTestKit<ThemeChoicePlugin>(config: ["title": "Leerkring Noord"])
        let list = events([
            (person(1), "propose", ["starter": 0]), (person(2), "propose", ["starter": 2]), (person(3), "propose", ["text": "Jongeren"]),
            phase("prioriteren"),
            (person(1), "ballot", ["dots": ["t1": 1, "t3": 1]]), (person(2), "ballot", ["dots": ["t3": 1, "t2": 1]]),
            (person(3), "ballot", ["dots": ["t3": 1]]),
            phase("bevestigen"),
            (fac, "confirm", ["themes": []]), (fac, "confirm", ["themes": ["t3", "t3"]]), (fac, "confirm", ["themes": ["t3", "t404"]]),
            (fac, "confirm", ["themes": ["t3", "t1"]]),
        ])
        let r = kit.run(list)
        #expect(r.rejections == [9: "bad_choice", 10: "bad_choice", 11: "unknown_theme"])
        #expect(r.outputs.map(\.kind) == ["series.result", "report.section"])
        #expect(r.outputs.first?.record == ["name": "themes", "items": [
            ["title": "Jongeren", "votes": 3, "percent": 60, "place": 1],
            ["title": "Cultuurverschillen tussen organisaties overbruggen", "votes": 1, "percent": 20, "place": 2],
        ]])
        #expect(r.outputs.last?.record["text"]?["nl"] == "3 deelnemers prioriteerden met stippen; gekozen:\n1. Jongeren (3 stippen)\n2. Cultuurverschillen tussen organisaties overbruggen (1 stip)")
        #expect(r.outputs.last?.record["title"]?["en"] == "Chosen themes: Leerkring Noord")
        #expect(r.views["public"]?["confirmed"]?.arrayValue?.count == 2 && r.views["public"]?["revealed"] == true)
        #expect(kit.isDeterministic(list))
    }
}
