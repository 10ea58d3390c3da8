import Foundation
import Model

/// For plugin authors' tests: feed a recorded event list to a plugin, look at the views and outputs,
/// and check that replaying gives the same result (the host relies on it after every restart).
public struct PluginTestKit<P: ActivityPlugin> {
    public struct Result: Sendable, Hashable {
        /// The latest view of each audience after all events.
        public var views: [String: JSONValue]
        public var outputs: [PluginOutput]
        /// Rejections by seq, with their codes.
        public var rejections: [Int64: String]
        /// Every answer, in order: what the host would have received.
        public var transcript: [String]
    }

    public var config: JSONValue
    public var anonymity: Anonymity
    public var context: JSONValue

    public init(config: JSONValue = [:], anonymity: Anonymity = .pseudonymous, context: JSONValue = [:]) {
        self.config = config
        self.anonymity = anonymity
        self.context = context
    }

    public func run(_ events: [PluginEvent]) -> Result {
        var engine = PluginEngine<P>()
        var result = Result(views: [:], outputs: [], rejections: [:], transcript: [])
        func take(_ answers: [PluginMessage]) {
            for a in answers {
                // An answer the runner could not encode is what the runner would send instead.
                result.transcript.append((try? a.jsonLine) ?? (try? PluginRunner.fallback(for: a).jsonLine) ?? "unencodable")
                switch a {
                case .views(_, _, let v, let o):
                    result.views.merge(v) { $1 }
                    result.outputs += o
                case .reject(_, let seq, let code, _):
                    result.rejections[seq] = code
                default:
                    break
                }
            }
        }
        take(engine.handle(.start(instance: "test/a1", config: config, anonymity: anonymity, context: context)))
        for e in events {
            take(engine.handle(.event(instance: "test/a1", seq: e.seq, at: e.at, actor: e.actor, type: e.type, payload: e.payload)))
        }
        return result
    }

    /// Runs the events twice in fresh engines; true when both transcripts are identical byte for byte.
    public func isDeterministic(_ events: [PluginEvent]) -> Bool {
        run(events).transcript == run(events).transcript
    }

    /// Reads a recorded event list: JSON lines of `event` messages as the host sends them.
    public static func events(jsonLines text: String) -> [PluginEvent] {
        text.split(separator: "\n").compactMap { line in
            guard case .event(_, let seq, let at, let actor, let type, let payload)? = HostMessage.parse(String(line)) else { return nil }
            return PluginEvent(seq: seq, at: at, actor: actor, type: type, payload: payload)
        }
    }
}
