import Foundation
import Model

/// A participant's input to an `anonymous` activity as it is kept once the session closes, and as every export
/// shows it before (docs/DECISIONS.md, "Sealing anonymous activities"): the activity's pseudonym instead of the
/// participant, no idempotency id, no place in the session's order (`seq`) and one time for the whole activity.
public struct SealedInput: Codable, Sendable, Hashable {
    public var kind: EventKind
    public var activity: String
    public var actor: String
    public var role: ConnectionRole
    public var type: String
    public var payload: JSONValue
    public var at: Int64

    public init(activity: String, actor: String, type: String, payload: JSONValue, at: Int64) {
        self.kind = .input
        self.activity = activity
        self.actor = actor
        self.role = .participant
        self.type = type
        self.payload = payload
        self.at = at
    }
}

/// The rules that cut an anonymous input loose from the person who sent it. The session's order and the
/// milliseconds of each input would otherwise tie it to its author: a vote sent right after its author's
/// named `join` sits next to it in the log. One implementation for the store's seal and for exports.
public enum AnonymousSeal {
    /// The actor of an input whose participant the pseudonym list does not know.
    public static let unknownActor = "$anonymous"

    /// One time for all of an activity's sealed inputs: the start of the hour of its first input. Any finer
    /// time, or one per input, would order the inputs again.
    public static func time(_ times: some Sequence<Int64>) -> Int64 {
        let first = times.min() ?? 0
        return first - first % 3_600_000
    }

    /// One activity's participant inputs in their sealed order, each with its pseudonym: by pseudonym (an HMAC
    /// under a key the close deletes, so unrelated to who joined or sent when), and each sender's own inputs in
    /// the order they were sent. `inputs` may come in any order; `seq` is read only to keep a sender's order.
    public static func order<Input>(_ inputs: [Input], participant: (Input) -> String, seq: (Input) -> Int64,
                                    aliases: [String: String]) -> [(input: Input, actor: String)] {
        inputs.map { (input: $0, actor: aliases[participant($0)] ?? unknownActor, seq: seq($0)) }
            .sorted { ($0.actor, $0.seq) < ($1.actor, $1.seq) }
            .map { ($0.input, $0.actor) }
    }

    /// Splits a log into what stays in the session's order and the sealed inputs of its anonymous activities
    /// (`aliases`: activity → participant → pseudonym; every activity listed is anonymous, even with no aliases).
    public static func split(_ events: [LoggedEvent], aliases: [String: [String: String]]) -> (kept: [LoggedEvent], sealed: [SealedInput]) {
        var kept: [LoggedEvent] = []
        var byActivity: [String: [LoggedEvent]] = [:]
        for e in events {
            if let a = e.activity, aliases[a] != nil, e.role == .participant { byActivity[a, default: []].append(e) } else { kept.append(e) }
        }
        var sealed: [SealedInput] = []
        for activity in byActivity.keys.sorted() {
            let inputs = byActivity[activity] ?? []
            let at = time(inputs.map(\.at))
            for (e, actor) in order(inputs, participant: \.actor, seq: \.seq, aliases: aliases[activity] ?? [:]) {
                sealed.append(SealedInput(activity: activity, actor: actor, type: e.type, payload: e.payload, at: at))
            }
        }
        return (kept, sealed)
    }
}
