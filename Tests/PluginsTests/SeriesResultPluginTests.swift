import PluginSDK
import Testing
@testable import brainstorm_plugin
@testable import voting_plugin

/// Results carried forward in a series (docs/SERIES.md): the vote emits its top options as `series.result`
/// at the reveal and at close; the brainstorm turns a resolved `context.from` into its questions.
@Suite struct SeriesResultPluginTests {
    static let hub = PluginActor(id: "$hub", role: .system)

    func results(_ r: PluginTestKit<VotingPlugin>.Result) -> [JSONValue] {
        r.outputs.filter { $0.kind == "series.result" }.map(\.record)
    }

    @Test func theVoteEmitsItsTopOptionsAtRevealAndClose() {
        let kit = PluginTestKit<VotingPlugin>(config: ["kind": "multiple", "options": ["A", "B", "C", "D"], "maxPicks": 3,
                                                       "seriesResult": "themes", "seriesResultTop": 2])
        let votes = ballots([["choices": [1, 2]], ["choices": [2]], ["choices": [0, 2]], ["choices": [1]]])
        #expect(results(kit.run(votes)).isEmpty, "nothing before the reveal")
        let revealed = kit.run(votes + [reveal])
        #expect(results(revealed) == [["name": "themes", "items": [["title": "C", "votes": 3], ["title": "B", "votes": 2]]]])
        let closed = kit.run(votes + [PluginEvent(seq: 20_000, at: 3_000, actor: Self.hub, type: "$phase", payload: ["phase": "closed"])])
        #expect(results(closed).count == 1)
        #expect(kit.isDeterministic(votes + [reveal]))
    }

    @Test func withoutSeriesResultOrForAScaleNothingTravels() {
        let plain = PluginTestKit<VotingPlugin>(config: ["kind": "single", "options": ["A", "B"]])
        #expect(results(plain.run(ballots([["choice": 0]]) + [reveal])).isEmpty)
        let scale = PluginTestKit<VotingPlugin>(config: ["kind": "scale", "seriesResult": "score"])
        #expect(results(scale.run(ballots([["value": 3]]) + [reveal])).isEmpty)
        let bad = PluginTestKit<VotingPlugin>(config: ["kind": "single", "options": ["A"], "seriesResult": "Geen Naam"])
        #expect(results(bad.run(ballots([["choice": 0]]) + [reveal])).isEmpty)
    }

    @Test func resolvedItemsBecomeTheBrainstormsQuestions() {
        let context: JSONValue = ["from": ["session": 1, "activity": "themes", "result": "themes",
                                           "items": [["title": "Jongeren", "votes": 3], ["title": ["nl": "Wonen", "en": "Housing"]], "Werk", ["votes": 1]]]]
        let kit = PluginTestKit<BrainstormPlugin>(config: ["questions": [["id": "x", "nl": "Vraag"]]], context: context)
        let questions = kit.run([]).views["public"]?["questions"]?.arrayValue ?? []
        #expect(questions.map { $0["id"]?.stringValue } == ["thema-1", "thema-2", "thema-3"])
        #expect(questions.map { $0["nl"]?.stringValue } == ["Jongeren", "Wonen", "Werk"])
        #expect(questions[1]["en"]?.stringValue == "Housing")
        // An unresolved reference (before the session starts) leaves the config's questions.
        let unresolved = PluginTestKit<BrainstormPlugin>(config: ["questions": [["id": "x", "nl": "Vraag"]]],
                                                         context: ["from": ["session": 1, "activity": "themes", "result": "themes"]])
        #expect(unresolved.run([]).views["public"]?["questions"]?.arrayValue?.map { $0["id"]?.stringValue } == ["x"])
    }
}
