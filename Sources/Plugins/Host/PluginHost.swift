import Foundation
import Logging
import Metrics
import Model

public enum PluginState: String, Codable, Sendable {
    /// Loaded; its process starts when a session first needs it.
    case idle
    case running
    /// Its process failed; a new one starts after a backoff.
    case restarting
    /// It failed repeatedly and is left stopped until `hubctl plugins reload`.
    case failed
}

public struct PluginStatus: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    public var state: PluginState
    public var restarts: Int
    public var title: LocalizedText
    public var phases: [String]
    /// Phase name → its title in both languages, for consoles that show the phase.
    public var phaseTitles: [String: LocalizedText]
    public var error: String?
    /// Instances (`<session>/<activity>`) failed for their session, while the plugin serves the others;
    /// absent when none.
    public var failedInstances: [String]?
    /// The manifest's description and config schema, for editors that build an activity's config (issue 20).
    public var description: LocalizedText?
    public var configSchema: JSONValue?
}

/// A plugin process was replaced since the caller started its instances: they must be started and replayed again.
public struct PluginGenerationChanged: Error, Sendable {}

/// The plugin crashed, hung or broke the protocol on this very message (`PluginFailure.blamesInput`). The
/// session refuses the input (`rejected`, `plugin_failed`) and never logs it.
public struct PluginInputFailed: Error, Sendable {
    public var failure: PluginFailure
    /// True when the instance is failed for its session now (this failure or an earlier one marked it).
    public var instanceFailed: Bool
}

/// The instance failed too often and is left stopped for its session until `hubctl plugins reload`;
/// the plugin keeps serving every other session.
public struct PluginInstanceFailed: Error, Sendable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}

/// Finds plugins in a folder, runs one supervised process per plugin, and routes messages to it.
/// A process that exits, hangs or writes garbage is restarted with backoff; after `maxFailures` within
/// `failureWindow` the plugin is marked failed. Each new process has a new generation number, which tells
/// sessions to start their instances again and replay their events (the plugin is a deterministic reducer).
public actor PluginHost {
    struct Entry {
        var manifest: PluginManifest
        var folder: URL
        var process: PluginProcess?
        var launching: Task<Int, any Error>?
        var generation = 0
        var state = PluginState.idle
        var restarts = 0
        /// Every failure in the window: what the restart backoff grows with.
        var failures: [ContinuousClock.Instant] = []
        /// Failures no input is to blame for (start-up, kills, spontaneous exits): `maxFailures` of these
        /// mark the plugin failed for the hub.
        var unattributed: [ContinuousClock.Instant] = []
        /// Failures blamed on an instance's input, per instance.
        var instanceFailures: [String: [ContinuousClock.Instant]] = [:]
        /// Instances marked failed for their session, with the reason.
        var failedInstances: [String: String] = [:]
        /// Sessions with a failed instance, and when: `sessionsToFail` of these within `failureWindow` mark
        /// the plugin failed for the hub.
        var failedSessions: [String: ContinuousClock.Instant] = [:]
        /// No new process starts before this (the backoff), however urgently a session asks.
        var notBefore: ContinuousClock.Instant?
        var lastError: String?
    }

    public let directory: URL
    public let binDir: URL
    let logger: Logger
    let limits: PluginLimits
    /// Failures no input is to blame for, within `failureWindow`, before the plugin is failed for the hub.
    public var maxFailures = 5
    public var failureWindow: Duration = .seconds(600)
    /// Failures blamed on one instance's inputs, within `failureWindow`, before that instance is failed for
    /// its session (docs/PLUGINS.md "When a plugin fails").
    public var instanceMaxFailures = 3
    /// Sessions with a failed instance, within `failureWindow`, before the plugin is failed for the hub.
    public var sessionsToFail = 3
    /// The first restart's delay, doubled for every earlier failure in `failureWindow`, at most 5 s (or this).
    let restartBackoff: Duration
    /// After `shutdown` no restart that was waiting out its backoff starts a process.
    private var shutDown = false
    private var entries: [String: Entry] = [:]
    private(set) public var problems: [ManifestProblem] = []
    /// Each plugin's series at /metrics, made on first use.
    private var metrics: [String: PluginMetrics] = [:]
    /// Told whenever a plugin's state changes, so that facilitators see a restarting or failed activity.
    private var stateListener: (@Sendable (String, PluginState, String?) async -> Void)?

    public func onStateChange(_ listener: @escaping @Sendable (String, PluginState, String?) async -> Void) {
        stateListener = listener
    }

    private func announce(_ name: String) async {
        guard let e = entries[name] else { return }
        await stateListener?(name, e.state, e.lastError)
    }

    public init(directory: URL, binDir: URL, logger: Logger, limits: PluginLimits = PluginLimits(),
                restartBackoff: Duration = .milliseconds(100)) {
        self.restartBackoff = restartBackoff
        self.directory = directory
        self.binDir = binDir
        self.logger = logger
        self.limits = limits
    }

    public func manifest(_ name: String) -> PluginManifest? { entries[name]?.manifest }

    public func allManifests() -> [String: PluginManifest] { entries.mapValues(\.manifest) }

    public func folder(_ name: String) -> URL? { entries[name]?.folder }

    public func statuses() -> [PluginStatus] {
        entries.values.sorted { $0.manifest.name < $1.manifest.name }.map {
            PluginStatus(name: $0.manifest.name, version: $0.manifest.version, state: $0.state, restarts: $0.restarts,
                         title: $0.manifest.title, phases: $0.manifest.phases.map(\.name),
                         phaseTitles: Dictionary($0.manifest.phases.map { ($0.name, $0.title) }, uniquingKeysWith: { a, _ in a }), error: $0.lastError,
                         failedInstances: $0.failedInstances.isEmpty ? nil : $0.failedInstances.keys.sorted(),
                         description: $0.manifest.description, configSchema: $0.manifest.configSchema)
        }
    }

    /// Scans the folder again: new plugins become usable, changed ones are switched over (their running
    /// process is stopped and sessions replay into the new one), failed ones get a fresh start.
    @discardableResult
    public func reload() async -> [ManifestProblem] {
        var found: [String: (PluginManifest, URL)] = [:]
        var problems: [ManifestProblem] = []
        for folder in ManifestLoader.pluginFolders(in: directory) {
            switch ManifestLoader.load(folder: folder) {
            case .success(let m): found[m.name] = (m, folder)
            case .failure(let p): problems += p.problems
            }
        }
        for p in problems { logger.warning("plugin not loaded: \(p)") }
        self.problems = problems
        for (name, (manifest, folder)) in found {
            if var e = entries[name] {
                let changed = e.manifest != manifest
                if changed || e.state == .failed {
                    await e.process?.terminate()
                    e.process = nil
                    e.launching = nil
                    e.state = .idle
                    e.failures = []
                    e.unattributed = []
                    e.notBefore = nil
                    e.lastError = nil
                    e.manifest = manifest
                    e.folder = folder
                    entries[name] = e
                    await announce(name)
                    logger.info("plugin reloaded", metadata: ["plugin": "\(name)", "version": "\(manifest.version)"])
                }
            } else {
                entries[name] = Entry(manifest: manifest, folder: folder)
                logger.info("plugin loaded", metadata: ["plugin": "\(name)", "version": "\(manifest.version)"])
            }
        }
        // Instances failed for their session get a fresh start too: their sessions replay them on next use.
        for name in entries.keys where entries[name]?.failedInstances.isEmpty == false || entries[name]?.instanceFailures.isEmpty == false {
            entries[name]?.failedInstances = [:]
            entries[name]?.instanceFailures = [:]
            entries[name]?.failedSessions = [:]
        }
        // A plugin whose folder disappeared stays loaded: running sessions may still use it. It is gone after a restart.
        return problems
    }

    /// Makes sure the plugin's process runs and returns its generation.
    public func ready(_ name: String) async throws -> Int {
        guard let e = entries[name] else { throw HubError(.pluginUnavailable, Self.notLoaded(name)) }
        if e.state == .failed {
            throw HubError(.pluginUnavailable, LocalizedText(nl: "Plugin `\(name)` is uitgevallen: \(e.lastError ?? "")",
                                                             en: "Plugin `\(name)` failed: \(e.lastError ?? "")"))
        }
        if e.process != nil { return e.generation }
        if let launching = e.launching { return try await launching.value }
        // The backoff always applies: a session asking again right away would otherwise restart a plugin
        // in a tight loop. The scheduled relaunch starts it when the backoff is over.
        if let notBefore = e.notBefore, ContinuousClock.now < notBefore {
            throw HubError(.pluginUnavailable, LocalizedText(nl: "Plugin `\(name)` start opnieuw.", en: "Plugin `\(name)` is restarting."))
        }
        let task = Task { try await self.launch(name) }
        entries[name]?.launching = task
        return try await task.value
    }

    /// Starts a new process; each one gets the next generation number.
    private func launch(_ name: String) async throws -> Int {
        guard let e = entries[name] else { throw HubError(.pluginUnavailable) }
        let generation = e.generation + 1
        let process = PluginProcess(
            manifest: e.manifest, folder: e.folder, binDir: binDir, logger: logger, limits: limits,
            onFailure: { [weak self] failure, culprit in await self?.processFailed(name, generation: generation, failure, culprit: culprit) })
        do {
            try await process.launch()
        } catch {
            // Reported while still launching, so that `processFailed` counts it and the backoff applies:
            // otherwise a plugin that cannot start would be tried again on every input, at once.
            await process.fail(error as? PluginFailure ?? .couldNotStart("\(error)"))
            entries[name]?.launching = nil
            throw HubError(.pluginUnavailable, LocalizedText(nl: "Plugin `\(name)` kon niet starten: \(error)",
                                                             en: "Plugin `\(name)` could not start: \(error)"))
        }
        entries[name]?.process = process
        entries[name]?.generation = generation
        let wasRunning = entries[name]?.state == .running
        entries[name]?.state = .running
        entries[name]?.launching = nil
        if !wasRunning { await announce(name) }
        let pid = await process.pid ?? -1
        logger.info("plugin process started", metadata: ["plugin": "\(name)", "pid": "\(pid)", "generation": "\(generation)"])
        return generation
    }

    private func processFailed(_ name: String, generation: Int, _ failure: PluginFailure, culprit: String?) async {
        // A failure during launch is reported by `launch` itself; a stale process's failure changes nothing.
        guard var e = entries[name], e.generation == generation || e.launching != nil else { return }
        logger.error("plugin process failed", metadata: ["plugin": "\(name)", "reason": "\(failure)", "instance": "\(culprit ?? "-")"])
        metrics(name).failures.increment()
        let now = ContinuousClock.now
        let recent = { (times: [ContinuousClock.Instant]) in times.filter { now - $0 < self.failureWindow } }
        e.failures = recent(e.failures) + [now]
        e.lastError = failure.description
        e.process = nil
        var hubWide: String?
        if let culprit {
            // One session's inputs fail its own instance, not the plugin: counted per instance, and the
            // plugin fails for the hub only when several sessions' instances have failed.
            let times = recent(e.instanceFailures[culprit] ?? []) + [now]
            e.instanceFailures[culprit] = times
            if times.count >= instanceMaxFailures, e.failedInstances[culprit] == nil {
                e.failedInstances[culprit] = failure.description
                e.failedSessions[Self.session(of: culprit)] = now
                logger.error("plugin instance marked failed for its session after \(times.count) failures",
                             metadata: ["plugin": "\(name)", "instance": "\(culprit)"])
            }
            e.failedSessions = e.failedSessions.filter { now - $0.value < failureWindow }
            if e.failedSessions.count >= sessionsToFail { hubWide = "instances of \(e.failedSessions.count) sessions failed" }
        } else {
            e.unattributed = recent(e.unattributed) + [now]
            if e.unattributed.count >= maxFailures { hubWide = "\(e.unattributed.count) failures" }
        }
        if let hubWide {
            e.state = .failed
            entries[name] = e
            logger.critical("plugin marked failed: \(hubWide)", metadata: ["plugin": "\(name)"])
            await announce(name)
            return
        }
        e.state = .restarting
        e.restarts += 1
        metrics(name).restarts.increment()
        let delay = min(restartBackoff * (1 << min(e.failures.count - 1, 6)), max(restartBackoff, .seconds(5)))
        e.notBefore = now + delay
        entries[name] = e
        await announce(name)
        Task {
            try? await Task.sleep(for: delay)
            await self.relaunch(name)
        }
    }

    /// Instance ids are `<session>/<activity>`.
    static func session(of instance: String) -> String {
        instance.lastIndex(of: "/").map { String(instance[..<$0]) } ?? instance
    }

    /// Whether an instance is failed for its session (its session skips it on replay).
    public func instanceFailed(_ name: String, instance: String) -> Bool {
        entries[name]?.failedInstances[instance] != nil
    }

    private func relaunch(_ name: String) async {
        guard !shutDown, let e = entries[name], e.state == .restarting, e.process == nil, e.launching == nil else { return }
        entries[name]?.notBefore = nil
        _ = try? await ready(name)
    }

    /// Sends a message of generation `generation`; fails with `PluginGenerationChanged` when the process
    /// was replaced in between, so the caller replays first.
    public func send(_ name: String, generation: Int, _ message: HostMessage) async throws -> PluginMessage {
        try await send(name, generation: generation, [message])[0]
    }

    /// `send` for several messages at once, written without waiting between them (a replay); the answers in the
    /// same order. Fails as a whole, as `send` would have on the first message that failed.
    public func send(_ name: String, generation: Int, _ messages: [HostMessage]) async throws -> [PluginMessage] {
        guard let e = entries[name] else { throw HubError(.pluginUnavailable, Self.notLoaded(name)) }
        guard e.generation == generation else { throw PluginGenerationChanged() }
        guard let process = e.process else { throw HubError(.pluginUnavailable) }
        for message in messages {
            if let instance = message.instance, let reason = e.failedInstances[instance] { throw PluginInstanceFailed(reason: reason) }
        }
        let started = ContinuousClock.now
        do {
            let answers = try await process.requests(messages.map { ($0, Self.expect($0)) })
            // A batch's answers queue behind each other: only a single message's time says how fast the plugin is.
            for (message, answer) in zip(messages, answers) { record(answer, to: message, of: name, since: messages.count == 1 ? started : nil) }
            return answers
        } catch let fault as PluginFault {
            // The process reported the failure (`processFailed`) before it resumed this request.
            throw PluginInputFailed(failure: fault.failure, instanceFailed: entries[name]?.failedInstances[fault.instance] != nil)
        } catch let f as PluginFailure {
            throw HubError(.pluginUnavailable, LocalizedText(nl: "Plugin `\(name)` viel uit (\(f)).", en: "Plugin `\(name)` \(f)."))
        }
    }

    private static func expect(_ message: HostMessage) -> PluginProcess.Expect {
        switch message {
        case .hello: .ready
        case .start(let i, _, _, _): .answer(instance: i, seq: 0)
        case .event(let i, let s, _, _, _, _): .answer(instance: i, seq: s)
        case .stop(let i): .stopped(instance: i)
        }
    }

    private func metrics(_ name: String) -> PluginMetrics {
        if let m = metrics[name] { return m }
        let m = PluginMetrics(plugin: name)
        metrics[name] = m
        return m
    }

    private func record(_ answer: PluginMessage, to message: HostMessage, of name: String, since started: ContinuousClock.Instant?) {
        let m = metrics(name)
        if let started { m.answerTime.record(duration: ContinuousClock.now - started) }
        guard case .event = message else { return }
        m.events.increment()
        if case .reject = answer { m.rejects.increment() }
    }

    static func notLoaded(_ name: String) -> LocalizedText {
        LocalizedText(nl: "Plugin `\(name)` is niet geladen.", en: "Plugin `\(name)` is not loaded.")
    }

    /// The process id of a plugin's current process (tests and `plugins list --json` use it).
    public func pid(_ name: String) async -> Int32? { await entries[name]?.process?.pid }

    public func shutdown() async {
        shutDown = true
        for (name, e) in entries {
            await e.process?.terminate()
            entries[name]?.process = nil
        }
    }
}
