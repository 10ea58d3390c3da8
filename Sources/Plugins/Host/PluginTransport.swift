import Foundation
import Model
import PluginSDK

/// How a session reaches its plugins: the supervised processes (`PluginHost`, JSON lines over pipes) or
/// engines in this process (`InProcessPlugins`, for tests of the live room without processes or sockets).
/// Each new process (or engine) has a new generation: a session that sees one starts its instances again
/// and replays its events (the plugin is a deterministic reducer).
public protocol PluginTransport: Sendable {
    func allManifests() async -> [String: PluginManifest]
    /// Makes sure the plugin runs and returns its generation.
    func ready(_ name: String) async throws -> Int
    /// Sends a message of `generation`; throws `PluginGenerationChanged` when the plugin was replaced meanwhile.
    func send(_ name: String, generation: Int, _ message: HostMessage) async throws -> PluginMessage
    /// Several messages in order, without waiting between them (a replay); their answers in that order.
    func send(_ name: String, generation: Int, _ messages: [HostMessage]) async throws -> [PluginMessage]
    /// Whether an instance is failed for its session (its session skips it on replay).
    func instanceFailed(_ name: String, instance: String) async -> Bool
}

extension PluginHost: PluginTransport {}

/// Plugins run as `PluginEngine`s in this process: the same protocol messages, each passed through its JSON
/// line as over a pipe, answered at once. `restart` stands for a process that died and came back.
public actor InProcessPlugins: PluginTransport {
    private struct Loaded {
        var manifest: PluginManifest
        var make: @Sendable () -> any EngineRunner
        var engine: any EngineRunner
        var generation = 1
    }

    private var plugins: [String: Loaded] = [:]
    private var failed: Set<String> = []
    /// Every message sent, in order (plugin name, message): what the plugin was told.
    public private(set) var sent: [(plugin: String, message: HostMessage)] = []

    public init() {}

    public func load<P: ActivityPlugin>(_ plugin: P.Type, manifest: PluginManifest) {
        let make: @Sendable () -> any EngineRunner = { PluginEngine<P>() }
        plugins[manifest.name] = Loaded(manifest: manifest, make: make, engine: make())
    }

    /// A new engine with no instances and the next generation, as after a crash and restart.
    public func restart(_ name: String) {
        guard var p = plugins[name] else { return }
        p.engine = p.make()
        p.generation += 1
        plugins[name] = p
    }

    /// Marks an instance failed for its session, as the host does after repeated failures on its inputs.
    public func failInstance(_ name: String, instance: String) { failed.insert("\(name) \(instance)") }

    public func allManifests() -> [String: PluginManifest] { plugins.mapValues(\.manifest) }

    public func ready(_ name: String) throws -> Int {
        guard let p = plugins[name] else { throw HubError(.pluginUnavailable) }
        return p.generation
    }

    public func instanceFailed(_ name: String, instance: String) -> Bool { failed.contains("\(name) \(instance)") }

    public func send(_ name: String, generation: Int, _ message: HostMessage) throws -> PluginMessage {
        guard var p = plugins[name] else { throw HubError(.pluginUnavailable) }
        guard p.generation == generation else { throw PluginGenerationChanged() }
        if let instance = message.instance, failed.contains("\(name) \(instance)") { throw PluginInstanceFailed(reason: "failed") }
        sent.append((name, message))
        // Through the JSON lines, as over the pipe: what cannot be encoded or read fails here as it would there.
        guard let line = try? message.jsonLine, let received = HostMessage.parse(line) else { throw HubError(.tooLarge) }
        let answers = p.engine.handle(received)
        plugins[name] = p
        guard let answer = answers.last(where: { if case .log = $0 { false } else { true } }),
              case .success(let read) = PluginMessage.parse(try answer.jsonLine) else { throw HubError(.pluginUnavailable) }
        return read
    }

    public func send(_ name: String, generation: Int, _ messages: [HostMessage]) throws -> [PluginMessage] {
        try messages.map { try send(name, generation: generation, $0) }
    }
}

protocol EngineRunner {
    mutating func handle(_ message: HostMessage) -> [PluginMessage]
}

extension PluginEngine: EngineRunner {}
