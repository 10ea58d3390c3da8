import Foundation
import Model
import Plugins

/// What a session remembers of inputs that made its plugin fail (docs/PLUGINS.md "When a plugin fails").
///
/// The order is checks → plugin → append, so an input that crashes or hangs its plugin is never logged: it is
/// refused to its sender (`rejected`, `plugin_failed`), and a resend of it (same sender, id and payload) is
/// refused from memory without reaching the plugin again. Activities whose instance the host marked failed
/// for this session are remembered too, so the agenda shows them failed and replays skip them.
struct PluginFaults {
    /// Remembered failing inputs per session; beyond this the oldest are forgotten (a forgotten one that is
    /// resent fails the plugin once more and counts against its instance again).
    static let maxRemembered = 1_000

    private var poisoned: [String: Int] = [:]
    private var order: [String] = []
    /// activity → why its instance failed for this session.
    private(set) var failedActivities: [String: String] = [:]

    static func key(actor: String, _ req: InputRequest) -> String { IdempotencyKey.make(actor: actor, clientId: req.id) }

    /// The payload's identity: Swift's hasher is seeded per process, so it cannot be aimed at from outside.
    static func hash(_ req: InputRequest) -> Int {
        var h = Hasher()
        h.combine(req.activity)
        h.combine(req.type)
        h.combine(req.payload)
        return h.finalize()
    }

    /// Whether this input is a resend of one that made the plugin fail.
    func isPoisoned(actor: String, _ req: InputRequest) -> Bool {
        poisoned[Self.key(actor: actor, req)] == Self.hash(req)
    }

    mutating func remember(actor: String, _ req: InputRequest) {
        let key = Self.key(actor: actor, req)
        if poisoned.updateValue(Self.hash(req), forKey: key) == nil { order.append(key) }
        if order.count > Self.maxRemembered { poisoned[order.removeFirst()] = nil }
    }

    mutating func markFailed(_ activity: String, reason: String) { failedActivities[activity] = reason }

    /// After `hubctl plugins reload` the host no longer counts the instance failed: the session replays it.
    mutating func clear(_ activity: String) { failedActivities[activity] = nil }

    static func refusal(_ lang: Language) -> HubError {
        HubError(.rejected, LocalizedText(nl: "Deze invoer liet de activiteit vastlopen en is niet aangenomen.",
                                          en: "This input made the activity fail and was not accepted."), detail: "plugin_failed")
    }

    static func instanceFailed(_ lang: Language) -> HubError {
        HubError(.pluginUnavailable, LocalizedText(nl: "Deze activiteit is in deze sessie uitgevallen. De facilitator kan haar herstarten.",
                                                   en: "This activity failed in this session. The facilitator can restart it."))
    }
}
