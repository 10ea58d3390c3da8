import Foundation
import Logging
import Model
import NIOCore
import Plugins
import PluginSDK
@testable import SessionHub
import Synchronization
import Testing
import Toolbox

/// A live room in this process, in the spirit of Hummingbird's `app.test(.router)`: a real SQLite store and
/// event log, the session registry, plugins as in-process engines (`InProcessPlugins`), and clients that are
/// outboxes whose frames are kept. No processes, no sockets.
struct Room {
    let registry: SessionRegistry
    let plugins: InProcessPlugins
    let store: SQLiteStore
    let session: LiveSession
    let folder: URL

    /// The room's rejoin tokens (a test may issue one).
    static let tokens = RejoinTokens(key: Array(repeating: 7, count: 32))

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Three activities like the e2e suites' standard agenda: a named counter, a pseudonymous counter by
    /// twos with groups, an anonymous counter.
    static let agenda = """
        session: Room
        lang: en
        agenda:
          - plugin: counter
            title: Count together
            anonymity: named
          - plugin: counter
            title: Count by twos
            config: {step: 2}
          - plugin: counter
            title: Count in secret
            anonymity: anonymous
        """

    static func open(_ agenda: String = Room.agenda, start: Bool = true) async throws -> Room {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("room-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: folder.appendingPathComponent("hub.db").path)
        let plugins = InProcessPlugins()
        let manifest = try ManifestLoader.load(folder: repository.appendingPathComponent("Tests/e2e/plugins/counter")).get()
        await plugins.load(CounterPlugin.self, manifest: manifest)
        var logger = Logger(label: "room")
        logger.logLevel = .critical
        var services = SessionServices(store: store, kennisbank: store, log: EventLog(store: store, announce: { _, _ in }), host: plugins,
                                       tokens: Room.tokens, logger: logger, tick: .milliseconds(5),
                                       clock: SessionServices.now)
        services.rosterInterval = .milliseconds(100)
        let registry = SessionRegistry(services: services)
        let parsed = try AgendaParser(manifests: await plugins.allManifests()).parse(agenda).get()
        let session = try await registry.create(parsed, source: agenda, createdBy: nil)
        if start { _ = try await session.runCommand("start", facilitator: "f_test") }
        return Room(registry: registry, plugins: plugins, store: store, session: session, folder: folder)
    }

    func close() async {
        await registry.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// One client: its outbox and every frame the session wrote into it, in order.
final class Client: Sendable {
    final class Frames: Sendable {
        let texts = Mutex<[String]>([])
    }

    let outbox = Outbox(capacity: 10_000)
    private let frames = Frames()
    let connection = Mutex<ClientConnection?>(nil)

    init() {
        let stream = outbox.frames()
        let frames = self.frames
        Task {
            for await case .text(let buffer) in stream { frames.texts.withLock { $0.append(String(buffer: buffer)) } }
        }
    }

    var texts: [String] { frames.texts.withLock { $0 } }
    var messages: [ServerMessage] { texts.compactMap { try? ServerMessage.parse($0) } }
    var conn: ClientConnection { connection.withLock { $0! } }

    @discardableResult
    func join(_ room: Room, name: String? = nil, token: String? = nil, beamer: Bool = false, facilitator: String? = nil,
              features: Set<String> = []) async throws -> ServerMessage.Welcome {
        let req = JoinRequest(code: room.session.code, name: name, token: token, asBeamer: beamer, features: features)
        let result: Result<ClientConnection, HubError> = await withCheckedContinuation { cont in
            room.session.submit(.join(nil, req, outbox, facilitator: facilitator, reply: { cont.resume(returning: $0) }))
        }
        connection.withLock { $0 = try? result.get() }
        _ = try result.get()
        guard case .welcome(let w) = try await next({ if case .welcome = $0 { true } else { false } }) else { fatalError() }
        return w
    }

    func input(_ room: Room, id: String, activity: String, type: String = "inc", payload: JSONValue = [:]) {
        room.session.submit(.input(conn, InputRequest(id: id, activity: activity, type: type, payload: payload), received: .now))
    }

    func command(_ room: Room, id: String, _ type: String, _ fields: [String: JSONValue] = [:]) {
        var all = fields
        all["t"] = "command"
        all["type"] = .string(type)
        let req = CommandRequest(id: id, type: type, fields: .object(all))
        room.session.submit(.command(req, actor: conn.facilitator!, target: .connection(conn, id: id), reply: conn))
    }

    /// The first message (after the first `after` frames) that matches, waiting up to `timeout` for it.
    func next(after: Int = 0, timeout: Duration = .seconds(3), _ matches: (ServerMessage) -> Bool) async throws -> ServerMessage {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let m = messages.dropFirst(after).first(where: matches) { return m }
            guard ContinuousClock.now < deadline else { throw Timeout(frames: texts) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func ack(_ id: String, after: Int = 0) async throws -> ServerMessage.Ack {
        let m = try await next(after: after) { if case .ack(let a) = $0, a.id == id { true } else { false } }
        guard case .ack(let a) = m else { fatalError() }
        return a
    }

    func error(_ id: String?, after: Int = 0) async throws -> ServerMessage.ErrorReply {
        let m = try await next(after: after) { if case .error(let e) = $0, e.id == id { true } else { false } }
        guard case .error(let e) = m else { fatalError() }
        return e
    }

    /// The latest view of `activity` this client got for `audience` (its wire name), waiting until `matches` holds.
    func view(_ activity: String, _ audience: String, timeout: Duration = .seconds(3), where matches: (JSONValue) -> Bool = { _ in true }) async throws -> ServerMessage.ViewUpdate {
        let m = try await next(timeout: timeout) {
            if case .view(let v) = $0, v.activity == activity, v.audience == audience, matches(v.view) { true } else { false }
        }
        guard case .view(let v) = m else { fatalError() }
        return v
    }

    func views(_ activity: String) -> [ServerMessage.ViewUpdate] {
        messages.compactMap { if case .view(let v) = $0, v.activity == activity { v } else { nil } }
    }

    /// Every frame reads as a `ServerMessage` and encodes back to the very same bytes: nothing hand-built.
    func expectFramesRoundTrip(sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            do {
                #expect(try ServerMessage.parse(text).text() == text, sourceLocation: sourceLocation)
            } catch {
                Issue.record("frame does not decode as ServerMessage: \(text.prefix(300)): \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var frames: [String]
        var description: String { "timed out; frames so far:\n" + frames.joined(separator: "\n") }
    }
}
