import Foundation
import Logging
import Model
import Plugins
import Toolbox

/// One session's plugin instances (one per agenda item, `<session>/<activity>` in its plugin): starting and
/// replaying them when their plugin (process) is new, the message each delivery becomes with identities as
/// the activity's anonymity allows (pseudonyms and their aliases), what failed, and the manifests and plugin
/// health the agenda shows.
///
/// Owned by its `LiveSession` and used only on it: the async methods are `nonisolated(nonsending)`, so they
/// run on the session's actor, in the order of its jobs.
final class ActivityInstances {
    private let record: SessionRecord
    private let services: SessionServices
    /// Where replayed views go.
    private let fanout: Fanout
    /// activity → the key its pseudonyms are made with; gone for anonymous activities once sealed.
    private var keys: [String: [UInt8]]
    /// plugin → the generation of its process this session's instances live in.
    private var generations: [String: Int] = [:]
    /// Inputs that made a plugin fail, and activities failed for this session (PluginFaults.swift).
    private(set) var faults = PluginFaults()
    /// activity → pseudonym → participant, filled whenever a participant is aliased for a plugin, so that
    /// `participant:<pseudonym>` audiences route without recomputing every participant's pseudonym.
    private var aliases: [String: [String: String]] = [:]
    /// Manifests as of the last refresh; refreshed before each job that needs them would cost an actor hop
    /// per input, so the registry pushes them on load and reload.
    private(set) var manifests: [String: PluginManifest] = [:]
    /// Plugins of this session that are not running normally, shown in every agenda entry (facilitators act on
    /// it; participants and the beamer show that the activity is restarting).
    private var pluginHealth: [String: (state: String, error: String?)] = [:]

    init(record: SessionRecord, keys: [String: [UInt8]], services: SessionServices, fanout: Fanout) {
        self.record = record
        self.keys = keys
        self.services = services
        self.fanout = fanout
    }

    private var id: String { record.id }

    func instanceId(_ activity: String) -> String { "\(id)/\(activity)" }

    func setManifests(_ m: [String: PluginManifest]) { manifests = m }

    // MARK: - Start and replay

    /// Makes sure this session's instances of `plugin` live in the plugin's current process, starting
    /// and replaying them when the process is new.
    nonisolated(nonsending) private func ensureInstances(_ plugin: String) async throws -> Int {
        let generation = try await services.host.ready(plugin)
        if generations[plugin] == generation { return generation }
        try await replay(plugin, generation: generation)
        return generation
    }

    /// Messages a replay writes before it waits for their answers: enough to keep the plugin busy, few enough
    /// that one batch's lines stay small.
    static let replayBatch = 256

    nonisolated(nonsending) func replayAll() async {
        for plugin in Set(record.agenda.map(\.plugin)).sorted() {
            do { _ = try await ensureInstances(plugin) } catch {
                services.logger.error("replay failed", metadata: ["session": "\(id)", "plugin": "\(plugin)", "error": "\(error)"])
            }
        }
    }

    /// Starts every instance of `plugin` in this session and feeds it the logged events in order. The plugin
    /// is a deterministic reducer, so this rebuilds exactly the state it had; the last views it returns
    /// become the published ones (after an upgrade they may differ, and then the room sees the new ones).
    nonisolated(nonsending) private func replay(_ plugin: String, generation: Int) async throws {
        let began = ContinuousClock.now
        await services.log.flush(session: id)
        let read = ContinuousClock.now
        let events = try await services.store.events(session: id, after: 0)
        let activities = record.agenda.filter { $0.plugin == plugin }
        var latest: [String: [String: JSONValue]] = [:]
        // An instance failed for this session stays out of the process until `hubctl plugins reload`.
        var skipped: Set<String> = []
        for item in activities where await services.host.instanceFailed(plugin, instance: instanceId(item.id)) {
            skipped.insert(item.id)
            instanceFailed(item.id, reason: "failed")
        }
        // A series reference resolved at `start` is in that event: the instance starts from the logged value.
        let resolved = SeriesResults.logged(events)
        let starts = activities.filter { !skipped.contains($0.id) }
        let started = try await services.host.send(plugin, generation: generation, starts.map { item in
            HostMessage.start(instance: instanceId(item.id), config: item.config, anonymity: item.anonymity, context: resolved[item.id] ?? item.context)
        })
        for (item, answer) in zip(starts, started) {
            if case .views(_, _, let v, _) = answer { latest[item.id, default: [:]].merge(v) { $1 } }
        }
        // Every delivery's message first (they follow from the log alone), then sent in batches without waiting
        // between messages: a takeover or restart replays at the plugin's pace, not at one round trip per event.
        var state = SessionState(agenda: record.agenda, firstPhase: { _ in "" })
        var deliveries: [(activity: String, seq: Int64, message: HostMessage)] = []
        for e in events {
            // A purged or erased input (docs/PRIVACY.md "Retention", "Erasure, a participant") is replayed as never sent: its payload is gone.
            for d in state.deliveries(for: e) where state.activities[d.activity]?.item.plugin == plugin && !skipped.contains(d.activity) && !e.isPurged && !e.isErased {
                deliveries.append((d.activity, e.seq, message(for: d, event: e, state: state)))
            }
            state.apply(e)
        }
        var lastSeq: [String: Int64] = [:]
        for first in stride(from: 0, to: deliveries.count, by: Self.replayBatch) {
            let batch = deliveries[first..<min(first + Self.replayBatch, deliveries.count)]
            let answers = try await services.host.send(plugin, generation: generation, batch.map(\.message))
            for (d, answer) in zip(batch, answers) {
                switch answer {
                case .views(_, _, let v, let outputs):
                    latest[d.activity, default: [:]].merge(v) { $1 }
                    lastSeq[d.activity] = d.seq
                    let stored = storedOutputs(outputs, activity: d.activity, seq: d.seq)
                    if !stored.isEmpty { reportFiling(try await services.store.saveOutputs(session: id, stored)) }
                case .reject(_, _, let code, _):
                    services.logger.warning("plugin refused a logged event on replay; it is not deterministic",
                                            metadata: ["plugin": "\(plugin)", "seq": "\(d.seq)", "code": "\(code)"])
                default:
                    break
                }
            }
        }
        generations[plugin] = generation
        fanout.adoptReplayed(latest, lastSeq: lastSeq)
        // How long the flush, the read and the plugin took: a takeover's time to a welcome is mostly these.
        let ms = { (d: Duration) in "\(Int(d / .milliseconds(1)))" }
        services.logger.info("plugin instances replayed", metadata: [
            "session": "\(id)", "plugin": "\(plugin)", "events": "\(events.count)", "took_flush_ms": "\(ms(read - began))", "took_ms": "\(ms(.now - began))",
        ])
    }

    /// Starts and replays these plugins' instances again now (a `start` resolved their series context), so the
    /// room sees views from the resolved context without waiting for the next input.
    nonisolated(nonsending) func restart(_ plugins: Set<String>) async {
        for plugin in plugins.sorted() {
            generations[plugin] = nil
            do { _ = try await ensureInstances(plugin) } catch {
                services.logger.error("replay failed", metadata: ["session": "\(id)", "plugin": "\(plugin)", "error": "\(error)"])
            }
        }
    }

    /// The message a plugin gets for one delivery (`PluginMessages`), noting each pseudonym it hands out.
    private func message(for d: PluginDelivery, event e: LoggedEvent, state: SessionState) -> HostMessage {
        PluginMessages.event(for: d, event: e, state: state, instance: instanceId(d.activity), key: keys[d.activity] ?? []) { participant, alias in
            aliases[d.activity, default: [:]][alias] = participant
        }
    }

    // MARK: - Deliveries

    func plugin(of activity: String) -> String? { record.agenda.first { $0.id == activity }?.plugin }

    /// Sends one delivery to its instance (replaying first if the process is new).
    /// Throws `PluginInputFailed` only when this delivery itself made the plugin fail; a failure while
    /// replaying the log first is the plugin being unavailable, not this input's fault.
    nonisolated(nonsending) func deliver(_ d: PluginDelivery, event: LoggedEvent, state: SessionState) async throws -> PluginMessage {
        guard let plugin = state.activities[d.activity]?.item.plugin else { throw HubError(.activityNotFound) }
        if let reason = faults.failedActivities[d.activity] {
            guard !(await services.host.instanceFailed(plugin, instance: instanceId(d.activity))) else { throw PluginInstanceFailed(reason: reason) }
            // Reloaded since: start and replay it again.
            faults.clear(d.activity)
            generations[plugin] = nil
            fanout.sessionChanged()
        }
        for attempt in 0..<2 {
            let generation: Int
            do { generation = try await ensureInstances(plugin) } catch is PluginInputFailed {
                throw HubError(.pluginUnavailable)
            }
            do {
                return try await services.host.send(plugin, generation: generation, message(for: d, event: event, state: state))
            } catch is PluginGenerationChanged where attempt == 0 {
                continue
            }
        }
        throw HubError(.pluginUnavailable)
    }

    /// A system event's delivery failed: the instances of its plugin replay at the next delivery.
    func missed(_ activity: String) {
        if let plugin = plugin(of: activity) { generations[plugin] = nil }
    }

    nonisolated(nonsending) func stopAll() async {
        for plugin in Set(record.agenda.map(\.plugin)) {
            guard let generation = generations.removeValue(forKey: plugin) else { continue }
            for item in record.agenda where item.plugin == plugin {
                _ = try? await services.host.send(plugin, generation: generation, .stop(instance: instanceId(item.id)))
            }
        }
    }

    // MARK: - Faults and health

    /// Remembers an input that made its plugin fail, so that a resend is refused from memory.
    func poisoned(actor: String, _ req: InputRequest) { faults.remember(actor: actor, req) }

    /// The host failed this activity's instance for this session: the agenda shows it (to facilitators
    /// with the reason), and deliveries stop until `hubctl plugins reload`.
    func instanceFailed(_ activity: String, reason: String) {
        guard faults.failedActivities[activity] == nil else { return }
        faults.markFailed(activity, reason: reason)
        fanout.sessionChanged()
    }

    /// Whether the change concerns this session (and the agenda shows it).
    func pluginStateChanged(_ plugin: String, _ state: PluginState, _ error: String?) -> Bool {
        guard record.agenda.contains(where: { $0.plugin == plugin }) else { return false }
        pluginHealth[plugin] = state == .running || state == .idle ? nil : (state.rawValue, error)
        fanout.sessionChanged()
        return true
    }

    /// Agenda entries with what the web shell needs from the manifests (CONTRACTS.md §2b).
    func agendaEntries(_ state: SessionState) -> [AgendaEntry] {
        state.agendaEntries.map { entry in
            var e = entry
            let manifest = manifests[e.plugin]
            var config = state.activities[e.id]?.item.config.objectValue ?? [:]
            for key in manifest?.privateConfig ?? [] { config[key] = nil }
            e.config = .object(config)
            e.web = manifest?.web.map { "/plugins/\(e.plugin)/\($0)" }
            if let health = pluginHealth[e.plugin] {
                e.pluginState = health.state
                e.pluginError = health.error
            }
            if let reason = faults.failedActivities[e.id], e.pluginState != PluginState.failed.rawValue {
                e.pluginState = PluginState.failed.rawValue
                e.pluginError = "failed in this session: \(reason)"
            }
            return e
        }
    }

    // MARK: - Outputs

    /// Outputs of a kind the manifest does not declare are dropped (and logged): a plugin may only produce
    /// what its manifest says it produces.
    func storedOutputs(_ outputs: [PluginOutput], activity: String, seq: Int64) -> [StoredOutput] {
        let plugin = plugin(of: activity) ?? ""
        let allowed = Set(manifests[plugin]?.outputs ?? [])
        return outputs.enumerated().compactMap { n, o in
            guard allowed.contains(o.kind) else {
                services.logger.warning("output of an undeclared kind dropped", metadata: ["plugin": "\(plugin)", "kind": "\(o.kind.prefix(60))"])
                return nil
            }
            return StoredOutput(instance: instanceId(activity), seq: seq, index: n, kind: o.kind, record: o.record)
        }
    }

    /// A record the kennisbank refused stays with the session; the plugin's author learns why from the log.
    func reportFiling(_ saved: [StoredOutput]) {
        for o in saved {
            switch o.filing {
            case .invalid(let reason):
                services.logger.warning("output not filed", metadata: [
                    "session": "\(id)", "instance": "\(o.instance)", "seq": "\(o.seq)", "kind": "\(o.kind)", "reason": "\(reason.prefix(300))"])
            case .filed(let filed):
                services.logger.info("output filed", metadata: ["session": "\(id)", "kind": "\(o.kind)", "as": "\(filed)"])
            case nil:
                break
            }
        }
    }

    // MARK: - Identities

    /// The participant a `participant:<alias>` audience of `activity` is for.
    func participant(alias: String, activity: String, in state: SessionState) -> String? {
        guard let item = state.activities[activity]?.item else { return nil }
        if item.anonymity == .named { return alias }
        if let p = aliases[activity]?[alias] { return p }
        let key = keys[activity] ?? []
        return state.participantOrder.first { Identifiers.pseudonym(participant: $0, key: key) == alias }
    }

    /// The id each plugin knows `participant` by: its per-activity pseudonym, or the id itself in `named` activities.
    func aliases(of participant: String) -> [String: String] {
        var aliases: [String: String] = [:]
        for item in record.agenda {
            if item.anonymity == .named { aliases[item.id] = participant } else if let key = keys[item.id] {
                aliases[item.id] = Identifiers.pseudonym(participant: participant, key: key)
            }
        }
        return aliases
    }

    /// Activity → participant → pseudonym for every `anonymous` activity (no pseudonyms once its key is gone):
    /// what sealing and exports put in place of the participants.
    func anonymousAliases(_ participants: [String]) -> [String: [String: String]] {
        var anonymous: [String: [String: String]] = [:]
        for item in record.agenda where item.anonymity == .anonymous {
            guard let key = keys[item.id] else { anonymous[item.id] = [:]; continue }
            anonymous[item.id] = Dictionary(participants.map { ($0, Identifiers.pseudonym(participant: $0, key: key)) }, uniquingKeysWith: { a, _ in a })
        }
        return anonymous
    }

    /// Whether an anonymous activity still has its key: then its closed log is not sealed yet.
    var holdsAnonymousKeys: Bool { record.agenda.contains { $0.anonymity == .anonymous && keys[$0.id] != nil } }

    /// After the seal: the link from pseudonyms to participants of these activities is gone, in memory too.
    func forget(_ activities: some Sequence<String>) {
        for activity in activities {
            keys[activity] = nil
            aliases[activity] = nil
        }
    }

    /// Activity → the input types its manifest marks `confidential` (activities without any left out).
    func confidentialInputs() -> [String: [String]] {
        var confidential: [String: [String]] = [:]
        for item in record.agenda {
            let types = manifests[item.plugin]?.confidential ?? []
            if !types.isEmpty { confidential[item.id] = types }
        }
        return confidential
    }
}
