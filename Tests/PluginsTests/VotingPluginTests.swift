import PluginSDK
import VoteTally
import Testing
@testable import voting_plugin

func voter(_ n: Int, group: String? = nil, function: String? = nil) -> PluginActor {
    PluginActor(id: "x_\(n)", role: .participant, group: group, function: function)
}

func ballots(_ payloads: [JSONValue], from: Int = 1, at: Int64 = 1_000) -> [PluginEvent] {
    payloads.enumerated().map { PluginEvent(seq: Int64($0.offset + from), at: at, actor: voter($0.offset + from), type: "ballot", payload: $0.element) }
}

let reveal = PluginEvent(seq: 10_000, at: 2_000, actor: PluginActor(id: "$hub", role: .system), type: "$reveal")

@Suite struct TallyTests {
    @Test func largestRemainderSumsTo100() {
        #expect(Tally.percentages([1, 1, 1]) == [34, 33, 33])
        #expect(Tally.percentages([137, 59]) == [70, 30])
        #expect(Tally.percentages([2, 2, 2, 1]) == [29, 29, 28, 14])
        #expect(Tally.percentages([0, 0]) == [0, 0])
        #expect(Tally.percentages([61, 75, 69, 49, 46]) == [21, 25, 23, 16, 15], "equal remainders: the earlier option gets the point")
        for counts in [[3, 3, 3, 3, 3, 3, 1], [199, 1], [7, 11, 13]] { #expect(Tally.percentages(counts).reduce(0, +) == 100) }
    }

    @Test func medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        #expect(Tally.median([1, 2, 4, 5]) == 3)
        #expect(Tally.median([5, 1, 3]) == 3)
        #expect(Tally.median([]) == nil)
    }

    @Test func bordaGivesNMinus1ForFirst() {
        let (points, positions) = Tally.borda([[0, 1, 2], [1, 0, 2], [0, 2, 1]], options: 3)
        #expect(points == [5, 3, 1])
        #expect(positions == [[2, 1, 0], [1, 1, 1], [0, 1, 2]])
    }

    @Test func wordsAreNormalised() {
        #expect(Tally.normalise("  Samen   Werken ") == "samen werken")
        #expect(Tally.normalise("Cafe\u{301}") == Tally.normalise("Café"))
    }
}

@Suite struct VotingPluginTests {
    @Test func singleChoiceIsBlindUntilReveal() {
        let kit = PluginTestKit<VotingPlugin>(config: ["kind": "single", "question": "Welke?", "options": ["A", "B"]])
        let votes: [JSONValue] = Array(repeating: ["choice": 0], count: 137) + Array(repeating: ["choice": 1], count: 59)
        let before = kit.run(ballots(votes))
        #expect(before.views["public"]?["results"] == nil)
        #expect(before.views["public"]?["voters"] == 196)
        #expect(before.views["facilitator"]?["results"]?["options"]?.arrayValue?.first?["count"] == 137)
        let after = kit.run(ballots(votes) + [reveal])
        #expect(after.views["public"]?["results"]?["options"] == [
            ["label": "A", "count": 137, "percent": 70], ["label": "B", "count": 59, "percent": 30],
        ])
    }

    @Test func aSecondBallotIsRejectedUnlessChangeable() {
        let final = PluginTestKit<VotingPlugin>(config: ["kind": "single", "options": ["A", "B"]])
        let twice = [PluginEvent(seq: 1, at: 1, actor: voter(1), type: "ballot", payload: ["choice": 0]),
                     PluginEvent(seq: 2, at: 2, actor: voter(1), type: "ballot", payload: ["choice": 1])]
        #expect(final.run(twice).rejections == [2: "already_voted"])
        let changeable = PluginTestKit<VotingPlugin>(config: ["kind": "single", "options": ["A", "B"], "changeable": true, "reveal": "live"])
        let r = changeable.run(twice)
        #expect(r.rejections.isEmpty)
        #expect(r.views["public"]?["results"]?["options"]?.arrayValue?.map { $0["count"] } == [0, 1], "the change replaced the ballot")
    }

    @Test func everyKindRefusesWhatItsRulesForbid() {
        func rejections(_ config: JSONValue, _ payload: JSONValue) -> [Int64: String] {
            PluginTestKit<VotingPlugin>(config: config).run(ballots([payload])).rejections
        }
        #expect(rejections(["kind": "single", "options": ["A"]], ["choice": 3]) == [1: "bad_choice"])
        #expect(rejections(["kind": "multiple", "options": ["A", "B", "C"], "maxPicks": 2], ["choices": [0, 1, 2]]) == [1: "pick_count"])
        #expect(rejections(["kind": "scale", "min": 1, "max": 5], ["value": 6]) == [1: "out_of_range"])
        #expect(rejections(["kind": "ranking", "options": ["A", "B"]], ["order": [0, 0]]) == [1: "bad_ranking"])
        #expect(rejections(["kind": "points", "options": ["A", "B"]], ["points": [60, 30]]) == [1: "points_total"])
        #expect(rejections(["kind": "dots", "options": ["A", "B"], "dots": 3], ["dots": [2, 2]]) == [1: "over_budget"])
        #expect(rejections(["kind": "dots", "options": ["A", "B"], "dots": 3], ["dots": [2, 0]]) == [1: "no_stacking"])
        #expect(rejections(["kind": "wordcloud", "maxWords": 1], ["words": ["a", "b"]]) == [1: "bad_words"])
        #expect(rejections(["kind": "open"], ["text": "  "]) == [1: "bad_text"])
    }

    @Test func deadlineComesFromEventTime() {
        let kit = PluginTestKit<VotingPlugin>(config: ["kind": "single", "options": ["A"]])
        let events = [
            PluginEvent(seq: 1, at: 0, actor: PluginActor(id: "f_1", role: .facilitator), type: "deadline", payload: ["minutes": 1]),
            PluginEvent(seq: 2, at: 59_000, actor: voter(1), type: "ballot", payload: ["choice": 0]),
            PluginEvent(seq: 3, at: 61_000, actor: voter(2), type: "ballot", payload: ["choice": 0]),
        ]
        let r = kit.run(events)
        #expect(r.rejections == [3: "deadline_passed"])
        #expect(r.views["public"]?["deadline"] == 60_000)
    }

    @Test func smallGroupsGetNoBreakdown() {
        let kit = PluginTestKit<VotingPlugin>(config: ["kind": "scale", "reveal": "live"])
        var events: [PluginEvent] = []
        for n in 1...9 { events.append(PluginEvent(seq: Int64(n), at: 1, actor: voter(n, group: n <= 5 ? "g1" : "g2"), type: "ballot", payload: ["value": .int(Int64(n % 5 + 1))])) }
        let r = kit.run(events).views["public"]?["results"]
        #expect(r?["byGroup"]?.objectValue?.keys.sorted() == ["g1"], "g2 has 4 voters: under the threshold of 5")
        #expect(r?["byFunction"] == nil, "no functions outside named mode")
    }

    @Test func deterministicOverAReplay() {
        let kit = PluginTestKit<VotingPlugin>(config: ["kind": "wordcloud", "maxWords": 2])
        let events = ballots([["words": ["Samen", "trots"]], ["words": ["samen "]], ["words": ["Veilig"]]]) + [reveal]
        #expect(kit.isDeterministic(events))
        #expect(kit.run(events).views["public"]?["results"]?["words"] == [["word": "samen", "count": 2], ["word": "trots", "count": 1], ["word": "veilig", "count": 1]])
    }
}
