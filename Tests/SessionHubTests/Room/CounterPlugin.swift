import Foundation
import PluginSDK

/// The e2e suites' `counter` plugin (Tests/e2e/plugins/counter/counter.py) in Swift, for the in-process room:
/// every audience kind (public, facilitator, group:<g>, participant:<id>) and every system event, so that a
/// test can tell from the views what the hub delivered, to whom, and in which order.
enum CounterPlugin: ActivityPlugin {
    struct Config: Decodable, Sendable {
        var step: Int?
        var label: String?
    }

    struct State: Sendable {
        var step = 1
        var count = 0
        var byActor: [String: Int] = [:]
        var joined: [String] = []
        var groups: [String: [String]] = [:]
        var revealed = false
        var phase = "counting"
        var notes: [String] = []
    }

    static let name = "counter"
    static let version = "1.0.0"

    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views) {
        let state = State(step: config.step ?? 1)
        return (state, views(state))
    }

    static func reduce(_ s: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        var extra: [String] = []
        let p = event.payload
        switch event.type {
        case "inc":
            let by = p["by"].map { $0.intValue ?? -1 } ?? Int64(s.step)
            guard by >= 1 else { throw Rejection("bad_by", nl: "Ophogen kan alleen met 1 tot 10.", en: "You can only add 1 to 10.") }
            guard by <= 10 else { throw Rejection("too_much", nl: "Maximaal 10 tegelijk.", en: "At most 10 at a time.") }
            s.count += Int(by)
            s.byActor[event.actor.id, default: 0] += Int(by)
            if event.actor.role == .participant { extra.append("participant:\(event.actor.id)") }
        case "reset":
            s.count = 0
            s.byActor = [:]
        case "note":
            guard let text = p["text"]?.stringValue, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Rejection("empty_note", nl: "Schrijf eerst iets op.", en: "Write something first.")
            }
            s.notes.append(text)
        case "$join":
            if let id = p["participant"]?.stringValue, !s.joined.contains(id) { s.joined.append(id) }
        case "$leave":
            s.joined.removeAll { $0 == p["participant"]?.stringValue }
        case "$groups":
            s.groups = (p["groups"]?.objectValue ?? [:]).mapValues { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
        case "$reveal":
            s.revealed = true
        case "$phase":
            s.phase = p["phase"]?.stringValue ?? s.phase
        default:
            throw Rejection("unknown_input", nl: "Onbekende invoer.", en: "Unknown input.")
        }
        return views(s, extra: extra)
    }

    static func views(_ s: State, extra: [String] = []) -> Views {
        var v = Views()
        v.set("public", ["count": .int(Int64(s.count)), "revealed": .bool(s.revealed), "phase": .string(s.phase),
                         "joined": .array(s.joined.map(JSONValue.string)), "notes": .array(s.notes.map(JSONValue.string))] as JSONValue)
        v.set("facilitator", ["count": .int(Int64(s.count)), "byActor": .object(s.byActor.mapValues { .int(Int64($0)) })] as JSONValue)
        for (g, members) in s.groups {
            v.set("group:\(g)", ["groupCount": .int(Int64(members.map { s.byActor[$0] ?? 0 }.reduce(0, +)))] as JSONValue)
        }
        for audience in extra {
            v.set(audience, ["mine": .int(Int64(s.byActor[String(audience.dropFirst("participant:".count))] ?? 0))] as JSONValue)
        }
        return v
    }
}
