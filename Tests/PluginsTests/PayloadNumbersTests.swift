import PluginSDK
import Testing
@testable import voting_plugin

/// Issue 13: a payload's numbers come from a phone. `reduce(0, +)` over `[Int64.max, Int64.max]` trapped the
/// voting process, and with it every session's votes.
@Suite struct PayloadNumbersTests {
    let huge = JSONValue.int(.max)

    @Test func integersAreReadWithinTheirRange() throws {
        #expect(JSONValue.int(5).integer(in: 0...10) == 5)
        #expect(JSONValue.int(11).integer(in: 0...10) == nil)
        #expect(JSONValue.double(3.0).integer(in: 0...10) == 3)
        #expect(JSONValue.double(3.5).integer(in: 0...10) == nil)
        #expect(JSONValue.bool(true).integer(in: 0...10) == nil)
        #expect(JSONValue.string("3").integer(in: 0...10) == nil)
        let p: JSONValue = ["n": 7, "list": [1, 2, huge]]
        #expect(try p.integer("n", in: 0...10) == 7)
        #expect(throws: Rejection.self) { try p.integer("n", in: 0...5) }
        #expect(throws: Rejection.outOfRange("list", 0...100)) { try p.integers("list", in: 0...100) }
        #expect(try p.integers("list", in: Int.min...Int.max) == [1, 2, Int.max])
        do { _ = try p.integer("missing", in: 0...1); Issue.record() } catch { #expect(error.code == "out_of_range") }
    }

    @Test func sumsAreCheckedInsteadOfTrapping() throws {
        #expect([1, 2, 3].checkedSum() == 6)
        #expect([Int.max, Int.max].checkedSum() == nil)
        #expect([Int.min, -1].checkedSum() == nil)
        #expect([Int64.max, 1].checkedSum() == nil)
        #expect(([] as [Int]).checkedSum() == 0)
        #expect(throws: Rejection.self) { try [Int.max, 1].sum() }
        #expect(try [Int.max - 1, 1].sum() == Int.max)
    }

    @Test func votingRefusesOverflowingBallots() {
        func rejections(_ config: JSONValue, _ payloads: [JSONValue]) -> [Int64: String] {
            PluginTestKit<VotingPlugin>(config: config).run(ballots(payloads)).rejections
        }
        let max = huge
        #expect(rejections(["kind": "points", "options": ["A", "B"]], [["points": [max, max]]]) == [1: "points_total"])
        // Wrapping arithmetic would make this 100: 2 × (2^63 − 1) + 102 = 2^64 + 100.
        #expect(rejections(["kind": "points", "options": ["A", "B", "C"]], [["points": [max, max, 102]]]) == [1: "points_total"])
        #expect(rejections(["kind": "dots", "options": ["A", "B"], "dots": 3, "stacking": true], [["dots": [max, max]]]) == [1: "over_budget"])
        #expect(rejections(["kind": "dots", "options": ["A", "B"], "dots": 3, "stacking": true], [["dots": [max, 2]]]) == [1: "over_budget"])
        #expect(rejections(["kind": "scale", "min": 1, "max": 5], [["value": max]]) == [1: "out_of_range"])
        #expect(rejections(["kind": "single", "options": ["A"]], [["choice": max]]) == [1: "bad_choice"])
        #expect(rejections(["kind": "ranking", "options": ["A", "B"]], [["order": [max, 0]]]) == [1: "bad_ranking"])
        // And the vote goes on: a fair ballot after the refused ones counts.
        let r = PluginTestKit<VotingPlugin>(config: ["kind": "points", "options": ["A", "B"], "reveal": "live"])
            .run(ballots([["points": [max, max]], ["points": [70, 30]]]))
        #expect(r.rejections == [1: "points_total"])
        #expect(r.views["public"]?["voters"] == 1)
    }

    /// A view that cannot be encoded (nested deeper than the encoder allows) used to become `null` in the
    /// views message; now the reduction is refused and its state change dropped.
    @Test func anUnencodableViewRefusesTheReductionAndKeepsTheState() {
        struct Deep: ActivityPlugin {
            struct Config: Decodable, Sendable {}
            static let name = "deep"
            static let version = "1.0.0"
            static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (Int, Views) { (0, Views()) }
            static func reduce(_ state: inout Int, event: PluginEvent, config: Config) throws(Rejection) -> Views {
                state += 1
                var v = Views()
                var view: JSONValue = ["count": .int(Int64(state))]
                if event.type == "deep" { for _ in 0..<600 { view = ["a": view] } }
                v.set("public", view)
                return v
            }
        }
        let actor = PluginActor(id: "x", role: .participant)
        let r = PluginTestKit<Deep>().run([PluginEvent(seq: 1, at: 0, actor: actor, type: "inc"),
                                           PluginEvent(seq: 2, at: 0, actor: actor, type: "deep"),
                                           PluginEvent(seq: 3, at: 0, actor: actor, type: "inc")])
        #expect(r.rejections == [2: "not_encodable"])
        #expect(r.views["public"]?["count"] == 2, "the refused reduction left the state as it was")
        #expect(!r.transcript.contains("null"))
    }
}
