import PluginSDK
import Testing
@testable import timer_plugin

let facilitator = PluginActor(id: "f_1", role: .facilitator)

@Suite struct TimerPluginTests {
    let kit = PluginTestKit<TimerPlugin>(config: ["minutes": 2, "label": "Pauze"])

    @Test func countsDownToADeadlineFromTheEventTime() {
        let r = kit.run([
            PluginEvent(seq: 1, at: 1_000_000, actor: facilitator, type: "start"),
            PluginEvent(seq: 2, at: 1_030_000, actor: facilitator, type: "pause"),
            PluginEvent(seq: 3, at: 1_100_000, actor: facilitator, type: "resume"),
        ])
        #expect(r.views["public"] == ["label": "Pauze", "running": true, "deadline": 1_190_000, "remainingMs": 90_000, "durationMs": 120_000])
        #expect(r.rejections.isEmpty)
    }

    @Test func refusesWhatItsStateForbids() {
        let r = kit.run([
            PluginEvent(seq: 1, at: 1, actor: facilitator, type: "pause"),
            PluginEvent(seq: 2, at: 2, actor: facilitator, type: "set", payload: ["minutes": -1]),
            PluginEvent(seq: 3, at: 3, actor: facilitator, type: "start"),
            PluginEvent(seq: 4, at: 4, actor: facilitator, type: "resume"),
        ])
        #expect(r.rejections == [1: "not_running", 2: "bad_minutes", 4: "running"])
    }

    @Test func replayingARecordedActivityGivesIdenticalViews() {
        let recorded = """
            {"t":"event","instance":"s_x/a1","seq":4,"at":1700000000000,"actor":{"id":"f_1","role":"facilitator"},"type":"start","payload":{"minutes":10}}
            {"t":"event","instance":"s_x/a1","seq":5,"at":1700000001000,"actor":{"id":"$hub","role":"system"},"type":"$join","payload":{"participant":"x_abc"}}
            {"t":"event","instance":"s_x/a1","seq":9,"at":1700000060000,"actor":{"id":"f_1","role":"facilitator"},"type":"pause","payload":{}}
            {"t":"event","instance":"s_x/a1","seq":12,"at":1700000090000,"actor":{"id":"f_1","role":"facilitator"},"type":"set","payload":{"minutes":3}}
            """
        let events = PluginTestKit<TimerPlugin>.events(jsonLines: recorded)
        #expect(events.count == 4)
        #expect(kit.isDeterministic(events))
        let a = kit.run(events), b = kit.run(events)
        #expect(a == b)
        #expect(a.views["public"]?["remainingMs"] == 180_000, "setting a new duration while paused starts it afresh")
        #expect(a.views["public"]?["running"] == false)
    }
}
