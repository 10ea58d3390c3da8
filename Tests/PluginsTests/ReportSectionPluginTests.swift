import PluginSDK
import Testing
@testable import timer_plugin
@testable import voting_plugin

/// The `report.section` records of the shipped Swift plugins (docs/REPORTS.md): labelled numbers in the
/// documented shape, blind votes stay blind, and the same events give the same sections.
@Suite struct ReportSectionPluginTests {
    static let hub = PluginActor(id: "$hub", role: .system)

    static func sections(_ outputs: [PluginOutput]) -> [JSONValue] {
        outputs.filter { $0.kind == "report.section" }.map(\.record)
    }

    static func ballot(_ i: Int, _ choice: Int) -> PluginEvent {
        PluginEvent(seq: Int64(10 + i), at: 1_000, actor: PluginActor(id: "p\(i)", role: .participant), type: "ballot", payload: ["choice": .int(Int64(choice))])
    }

    @Test func theVoteReportsItsCountsAtTheRevealAndOnlyTheTurnoutBefore() {
        let kit = PluginTestKit<VotingPlugin>(config: ["kind": "single", "question": "Welk plein?", "options": ["Markt", "Kerk", "Station"]])
        let votes = [Self.ballot(0, 0), Self.ballot(1, 0), Self.ballot(2, 1)]
        #expect(Self.sections(kit.run(votes).outputs).isEmpty)
        let blind = Self.sections(kit.run(votes + [PluginEvent(seq: 30, at: 2_000, actor: Self.hub, type: "$phase", payload: ["phase": "closed"])]).outputs)
        #expect(blind.count == 1 && blind[0]["items"] == nil)
        #expect(blind[0]["text"]?["nl"]?.stringValue?.hasPrefix("3 deelnemers stemden") == true)
        let reveal = PluginEvent(seq: 31, at: 2_000, actor: Self.hub, type: "$reveal")
        let shown = Self.sections(kit.run(votes + [reveal]).outputs)
        #expect(shown == [[
            "title": ["nl": "Welk plein?", "en": "Welk plein?"],
            "text": ["nl": "3 deelnemers stemden. Stemmen per optie.", "en": "3 participants voted. Votes per option."],
            "items": [["label": "Markt", "value": 2], ["label": "Kerk", "value": 1], ["label": "Station", "value": 0]],
            "chart": "bars",
        ]])
        #expect(kit.isDeterministic(votes + [reveal]))
    }

    @Test func theTimerReportsItsDurationAndStarts() {
        let kit = PluginTestKit<TimerPlugin>(config: ["minutes": 2.5, "label": "Pauze"])
        let f = PluginActor(id: "f", role: .facilitator)
        let r = kit.run([PluginEvent(seq: 1, at: 0, actor: f, type: "start"), PluginEvent(seq: 2, at: 5_000, actor: f, type: "pause")])
        let last = Self.sections(r.outputs).last
        #expect(last?["title"]?["nl"]?.stringValue == "Pauze")
        #expect(last?["items"] == [["label": ["nl": "Minuten", "en": "Minutes"], "value": 2.5], ["label": ["nl": "Keer gestart", "en": "Times started"], "value": 1]])
        #expect(last?["text"]?["en"]?.stringValue == "A countdown of 2.5 minutes, started 1×; paused or stopped.")
    }
}

extension PluginTestKit.Result {
    /// The outputs other than the report's sections: what a plugin files or carries on.
    var filed: [PluginOutput] { outputs.filter { $0.kind != "report.section" } }
}
