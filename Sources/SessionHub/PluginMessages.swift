import Foundation
import Model
import Plugins

/// The message a plugin gets for one delivery, with identities as the activity's anonymity allows: in `named`
/// activities the participant id with name, function and organisation; otherwise the activity's pseudonym of
/// the participant (an HMAC under the activity's key) and nothing else. One rule for a live session's
/// instances (`ActivityInstances`) and for rendering a closed session's views again (`ClosedViewRenderer`).
enum PluginMessages {
    /// `noteAlias(participant, pseudonym)` is told each pseudonym handed out, so that `participant:<pseudonym>`
    /// audiences can be routed back.
    static func event(for d: PluginDelivery, event e: LoggedEvent, state: SessionState, instance: String, key: [UInt8],
                      noteAlias: (String, String) -> Void = { _, _ in }) -> HostMessage {
        guard let item = state.activities[d.activity]?.item else {
            return .event(instance: instance, seq: e.seq, at: e.at, actor: PluginActor(id: SystemActor.id, role: .system), type: d.type, payload: d.payload)
        }
        let named = item.anonymity == .named
        func alias(_ p: String) -> String {
            if named { return p }
            let a = Identifiers.pseudonym(participant: p, key: key)
            noteAlias(p, a)
            return a
        }
        let actor: PluginActor
        switch d.role {
        case .participant:
            let who = state.participants[d.actor]
            actor = PluginActor(id: alias(d.actor), role: .participant, group: state.group(of: d.actor),
                                name: named ? who?.name : nil, function: named ? who?.function : nil, org: named ? who?.org : nil)
        case .facilitator:
            actor = PluginActor(id: d.actor, role: .facilitator)
        case .beamer, .system:
            actor = PluginActor(id: SystemActor.id, role: .system)
        }
        var payload = d.payload
        switch d.type {
        case "$join":
            let p = d.payload["participant"]?.stringValue ?? ""
            payload = named ? d.payload : ["participant": .string(alias(p))]
        case "$leave":
            payload = ["participant": .string(alias(d.payload["participant"]?.stringValue ?? ""))]
        case "$groups":
            let groups = SessionState.decodeGroups(d.payload["groups"] ?? [:]) ?? [:]
            payload = ["groups": SessionState.encodeGroups(groups.mapValues { $0.map(alias) })]
        default:
            break
        }
        return .event(instance: instance, seq: e.seq, at: e.at, actor: actor, type: d.type, payload: payload)
    }
}
