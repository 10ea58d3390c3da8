import Foundation
import Model
import Plugins
import Toolbox

/// Why a participant's data cannot be erased (docs/PRIVACY.md "Erasure, a participant"); `code` is stable.
public struct ErasureRefused: Error, CustomStringConvertible, Sendable {
    public var code: String
    public var message: String
    public var description: String { message }

    static func notClosed(_ id: String) -> ErasureRefused {
        ErasureRefused(code: "session_not_closed", message: "Session \(id) is not closed: a participant's data is erased only after the close.")
    }
    static func sealing(_ id: String) -> ErasureRefused {
        ErasureRefused(code: "session_not_closed", message: "Session \(id) is still being sealed after its close: try again in a moment.")
    }
    static func noParticipant(_ p: String) -> ErasureRefused {
        ErasureRefused(code: "participant_not_found", message: "No participant \(p.prefix(64)) joined that session.")
    }
    static func plugin(_ error: any Error) -> ErasureRefused {
        ErasureRefused(code: "plugin_unavailable", message: "The views cannot be rendered again (\(error)); nothing was erased.")
    }
}

/// Erases one participant of a closed session: the log blanked in place (`ParticipantErasure`) and the stored
/// views rendered again from the blanked log, as a restart would replay it, so that they no longer show what
/// the participant wrote or their name. Both happen in one store transaction, only once the plugins rendered
/// the new views: when a plugin cannot, nothing changes.
public struct ParticipantEraser: Sendable {
    public let store: any HubStore & PersonalDataStore
    public let host: any PluginTransport

    public init(store: any HubStore & PersonalDataStore, host: any PluginTransport) {
        self.store = store
        self.host = host
    }

    /// Returns how many events were blanked.
    public func erase(session record: SessionRecord, participant: String, actor: String?) async throws -> Int {
        guard record.status == .closed else { throw ErasureRefused.notClosed(record.id) }
        let events = try await store.events(session: record.id, after: 0)
        guard ParticipantErasure.joined(events, participant: participant) else { throw ErasureRefused.noParticipant(participant) }
        let anonymous = Set(record.agenda.filter { $0.anonymity == .anonymous }.map(\.id))
        // Until the seal (just after the close) an anonymous activity's inputs are still in the log and its
        // final views not yet stored: rendering now would leave those activities without their results.
        let keys = try await store.activityKeys(session: record.id)
        guard !anonymous.contains(where: { keys[$0] != nil }) else { throw ErasureRefused.sealing(record.id) }
        let blanked = events.map { ParticipantErasure.blank($0, participant: participant, anonymous: anonymous) ?? $0 }
        let old = try await store.views(session: record.id)
        let views: [StoredView]
        do {
            views = try await ClosedViewRenderer(host: host).render(record, events: blanked, keys: keys, old: old)
        } catch {
            throw ErasureRefused.plugin(error)
        }
        return try await store.eraseParticipant(session: record.id, participant: participant, anonymous: anonymous, views: views, actor: actor)
    }
}

/// Renders a closed session's views again from its log: the plugins of its `named` and `pseudonymous`
/// activities replay the log in fresh instances, as after a restart (ActivityInstances' replay: blanked inputs
/// are not delivered; the same messages, `PluginMessages`). `anonymous` activities keep their stored views: their
/// participant inputs left the log at the close, so a replay would lose their results, and their views hold
/// nothing linkable to a participant.
struct ClosedViewRenderer {
    let host: any PluginTransport

    func render(_ record: SessionRecord, events: [LoggedEvent], keys: [String: [UInt8]], old: [StoredView]) async throws -> [StoredView] {
        let manifests = await host.allManifests()
        let anonymous = Set(record.agenda.filter { $0.anonymity == .anonymous }.map(\.id))
        var confidential: [String: [String]] = [:]
        for item in record.agenda { if let t = manifests[item.plugin]?.confidential, !t.isEmpty { confidential[item.id] = t } }
        let targets = record.agenda.filter { !anonymous.contains($0.id) }
        var latest: [String: [String: JSONValue]] = [:]
        for plugin in Set(targets.map(\.plugin)).sorted() {
            let items = targets.filter { $0.plugin == plugin }
            let ids = Set(items.map(\.id))
            let generation = try await host.ready(plugin)
            for item in items {
                let answer = try await host.send(plugin, generation: generation, .start(
                    instance: "\(record.id)/\(item.id)", config: item.config, anonymity: item.anonymity, context: item.context))
                if case .views(_, _, let v, _) = answer { latest[item.id, default: [:]].merge(v) { $1 } }
            }
            var state = SessionState(agenda: record.agenda, firstPhase: { _ in "" })
            for e in events {
                // Purged and erased inputs are replayed as never sent, as the live session's replay does.
                for d in state.deliveries(for: e) where ids.contains(d.activity) && !e.isPurged && !e.isErased {
                    let answer = try await host.send(plugin, generation: generation, PluginMessages.event(for: d, event: e, state: state, instance: "\(record.id)/\(d.activity)", key: keys[d.activity] ?? []))
                    if case .views(_, _, let v, _) = answer { latest[d.activity, default: [:]].merge(v) { $1 } }
                }
                state.apply(e)
            }
            for item in items { _ = try? await host.send(plugin, generation: generation, .stop(instance: "\(record.id)/\(item.id)")) }
        }
        var seqs: [String: Int64] = [:]
        for v in old { seqs["\(v.activity)\u{0}\(v.audience)"] = v.seq }
        var views = old.filter { anonymous.contains($0.activity) }
        for (activity, audiences) in latest {
            for (audience, view) in audiences {
                let v = StoredView(activity: activity, audience: audience, seq: seqs["\(activity)\u{0}\(audience)"] ?? record.seq, view: view)
                if let kept = SessionExport.sealed(v, confidential: confidential, anonymous: anonymous, seq: record.seq) { views.append(kept) }
            }
        }
        return views.sorted { ($0.activity, $0.audience) < ($1.activity, $1.audience) }
    }
}
