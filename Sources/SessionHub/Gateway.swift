import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Model
import NIOCore
import NIOWebSocket
import Synchronization

/// Limits of one connection (docs/DECISIONS.md).
public struct ConnectionLimits: Sendable {
    public var maxMessageBytes = 64 << 10
    public var messagesPerSecond = 20.0
    public var messageBurst = 60.0
    public var maxProtocolErrors = 100
    public var outboxFrames = 2048
    /// Inputs of one connection waiting in its session's queue (`--queued-inputs`): a session runs its inputs one
    /// at a time, so without a bound a few connections sending at the rate limit would grow everyone's wait without end.
    public var queuedInputs = 8

    public init() {}
}

/// The WebSocket side of the hub: reads frames, checks them (size, JSON, schema, rate) and hands
/// joins, inputs and commands to their session; its `OutboxWriter` writes the connection's outbox to the socket.
struct Gateway: Sendable {
    let registry: SessionRegistry
    let auth: FacilitatorAuth
    let limits: ConnectionLimits
    let addressLimiter: AddressLimiter
    let connections: ConnectionGuard
    /// Join codes that name no session, per address: the same budget as `/api/v1/join/{code}` and the QR code.
    let codeLookups: CodeLookupLimiter
    let logger: Logger

    /// `rate_limited` for an input over `--queued-inputs`: dropped, not acted on, so the client resends it later
    /// with the same id (docs/PROTOCOL.md "Limits").
    static let queueFull = HubError(.rateLimited, LocalizedText(
        nl: "De sessie verwerkt je vorige invoer nog. Wacht even en probeer het opnieuw.",
        en: "The session is still handling your earlier input. Wait a moment and try again."), detail: "queued_inputs")

    /// Rethrows what ended reading (e.g. the library's 1007 for invalid UTF-8, 1009 for a message that
    /// grew too large, 1002 for a protocol error), so that the library closes with that code.
    /// `relayed`: another node passed this connection on (`X-SessionHub-Relay`); it is never relayed again.
    func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: HubRequestContext, relayed: Bool = false) async throws {
        // The connection's id is its upgrade request's: the handshake's log lines and the connection's share it.
        let logger = { var l = self.logger; l[metadataKey: "connection"] = .string(context.id); return l }()
        logger.debug("websocket connected")
        await MaskedFramesOnly.install(on: context.channel)
        let outbox = Outbox(capacity: limits.outboxFrames)
        await OutboxWriter.install(outbox, on: context.channel)
        connections.attach(outbox, to: context.channel)
        Metrics.connections.increment()
        defer { Metrics.connections.decrement() }
        let state = ConnectionState()
        // A connection that upgraded but never joins holds a socket for nothing: 1008 after the deadline.
        let deadline = Task { [joinTimeout = connections.policy.joinTimeout] in
            try await Task.sleep(for: joinTimeout)
            if await !state.engaged { outbox.close(.policy) }
        }
        defer { deadline.cancel() }
        enum Side { case reader((any Error)?), writer, closeGrace }
        let readError: (any Error)? = await withTaskGroup(of: Side.self) { group in
            group.addTask {
                // The outbox is written by its `OutboxWriter` on the event loop; this task only waits for it to
                // end: a 4004 drops the backlog, any other close first writes what was queued (the error
                // before 4003), and a client that stopped reading holds it until the write timeout.
                await outbox.ended()
                if let code = outbox.requestedClose {
                    try? await outbound.close(.init(codeNumber: Int(code.rawValue)), reason: nil)
                }
                outbox.closeWritten.store(true, ordering: .relaxed)
                return .writer
            }
            group.addTask {
                let error = await self.read(inbound, outbox: outbox, state: state, context: context, relayed: relayed, logger: logger)
                // Reading ended (client closed, or too large): stop the writer too.
                outbox.finish()
                return .reader(error)
            }
            // The writer must get to send the close code the reader asked for (1003, 1008, 4003, …);
            // cancelling it when the reader ends would race that frame and close with 1000. When the
            // writer ends first (a close was asked for, or the socket died), the reader keeps draining what
            // the client still sends until its close frame answers ours, for `closeGrace` at most: closing
            // a socket with unread data resets it, and the reset can overtake our close frame (the client
            // then sees 1006, not the code). A client that never answers does not keep the connection.
            var readError: (any Error)?
            var readerDone = false, writerDone = false
            while let side = await group.next() {
                switch side {
                case .writer:
                    writerDone = true
                    if !readerDone {
                        group.addTask { [grace = connections.policy.closeGrace] in
                            try? await Task.sleep(for: grace)
                            return .closeGrace
                        }
                    }
                case .closeGrace: group.cancelAll()
                case .reader(let e):
                    readError = e
                    readerDone = true
                    // The writer done, only the grace period can still run: end it. Else the writer finishes its frames.
                    if writerDone { group.cancelAll() }
                }
            }
            return readError
        }
        // A facilitator's token watch (`watchToken`) ends with the connection.
        await state.stopWatching()
        if let (session, conn) = await state.joined { await session.detach(conn) }
        await state.relay?.close()
        logger.debug("websocket closed", metadata: ["close": "\(outbox.requestedClose.map { "\($0.rawValue)" } ?? "by the client")"])
        if let readError, outbox.requestedClose == nil { throw readError }
    }

    /// Returns the error that ended reading, nil when the client closed.
    private func read(_ inbound: WebSocketInboundStream, outbox: Outbox, state: ConnectionState, context: HubRequestContext, relayed: Bool,
                      logger: Logger) async -> (any Error)? {
        let peer = context.peer
        var bucket = TokenBucket(rate: limits.messagesPerSecond, burst: limits.messageBurst)
        var protocolErrors = 0
        do {
            for try await message in inbound.messages(maxSize: limits.maxMessageBytes) {
                // Closing: drop what still comes until the client's close frame ends the stream (see `handle`).
                if outbox.requestedClose != nil { continue }
                guard case .text(let text) = message else {
                    outbox.close(.unsupportedData)
                    return nil
                }
                // Relayed to the session's owner: it checks and rate-limits the frames as if the client were its own.
                if let relay = await state.relay {
                    relay.forward(text)
                    continue
                }
                let joined = await state.joined
                let sender = joined?.1
                let lang = sender?.lang ?? .nl
                func reply(_ e: HubError, id: String? = nil) {
                    outbox.send(.error(e, id: id, lang: lang))
                }
                let parsed = ClientMessageParser.parse(text)
                guard bucket.take() else {
                    // Parsed first so that the refusal names the dropped message's id.
                    reply(HubError(.rateLimited), id: Self.id(of: parsed))
                    continue
                }
                switch parsed {
                case .failure(let f):
                    if let joinLang = f.lang, joined == nil {
                        outbox.send(.error(f.error, id: f.id, lang: joinLang))
                    } else {
                        reply(f.error, id: f.id)
                    }
                    if [.badJSON, .badMessage, .unknownType].contains(f.error.code) {
                        protocolErrors += 1
                        if protocolErrors > limits.maxProtocolErrors {
                            outbox.close(.policy)
                            return nil
                        }
                    }
                case .success(.ping):
                    outbox.send(.pong)
                case .success(.join(let req)):
                    guard joined == nil else {
                        reply(HubError(.badMessage, LocalizedText(nl: "Deze verbinding doet al mee.", en: "This connection has already joined.")))
                        continue
                    }
                    guard await addressLimiter.allow(peer) else {
                        reply(HubError(.rateLimited))
                        continue
                    }
                    let joinLang = req.lang ?? lang
                    await join(req, text: text, relayed: relayed, outbox: outbox, state: state, peer: peer, channel: context.channel, logger: logger, reply: { e in
                        outbox.send(.error(e, lang: joinLang))
                    })
                case .success(.input(let req)):
                    guard let (session, conn) = joined else { reply(HubError(.notJoined), id: req.id); continue }
                    guard conn.role == .participant || conn.role == .facilitator else { reply(HubError(.forbidden), id: req.id); continue }
                    guard conn.inputsQueued.add(1, ordering: .relaxed).newValue <= limits.queuedInputs else {
                        conn.inputsQueued.subtract(1, ordering: .relaxed)
                        reply(Self.queueFull, id: req.id)
                        continue
                    }
                    session.submit(.input(conn, req, received: .now))
                case .success(.command(let req)):
                    guard let (session, conn) = joined else { reply(HubError(.notJoined), id: req.id); continue }
                    guard conn.role == .facilitator, let f = conn.facilitator else { reply(HubError(.forbidden), id: req.id); continue }
                    guard await facilitatorTokenLives(state) else {
                        refuseDeadToken(outbox, lang: lang, id: req.id)
                        return nil
                    }
                    session.submit(.command(req, actor: f, target: .connection(conn, id: req.id), reply: conn))
                }
            }
        } catch {
            // One frame over the limit is closed with 1009 by the library's decoder; a message that grows
            // over the limit while fragments are reassembled, or invalid UTF-8 in a text message, surfaces
            // here as the library's close error, which `handle` rethrows so that it closes with its code.
            logger.debug("websocket read ended", metadata: ["error": "\(error)"])
            return error
        }
        return nil
    }

    static func id(of parsed: Result<ClientMessage, ClientMessageParser.Failure>) -> String? {
        switch parsed {
        case .success(.input(let r)): return r.id
        case .success(.command(let r)): return r.id
        case .failure(let f): return f.id
        default: return nil
        }
    }

    /// A facilitator's token can die while the console is open (logout, account removed, expiry): the
    /// connection must not keep commanding the session or receiving names (docs/SECURITY.md). Started for
    /// facilitators only: a task per participant connection that wakes for nothing costs each one a few KB
    /// (docs/PERFORMANCE.md, the heap profile).
    private func watchToken(_ outbox: Outbox, state: ConnectionState) -> Task<Void, any Error> {
        Task { [period = connections.policy.tokenCheckInterval] in
            while true {
                try await Task.sleep(for: period)
                if await !self.facilitatorTokenLives(state) {
                    self.refuseDeadToken(outbox, lang: await state.joined?.1.lang ?? .nl, id: nil)
                    return
                }
            }
        }
    }

    /// Whether the token this connection joined with as a facilitator still names one (true for other roles).
    private func facilitatorTokenLives(_ state: ConnectionState) async -> Bool {
        guard let token = await state.facilitatorToken else { return true }
        return await auth.facilitator(token: token) != nil
    }

    /// `unauthorized` (naming the command that found it, if any), then the close with 4003.
    private func refuseDeadToken(_ outbox: Outbox, lang: Language, id: String?) {
        let e = HubError(.unauthorized, LocalizedText(nl: "Je facilitatortoken is ongeldig of verlopen: log opnieuw in.",
                                                   en: "Facilitator token invalid or expired: log in again."))
        outbox.send(.error(e, id: id, lang: lang))
        outbox.close(.tokenInvalid)
    }

    private func join(_ req: JoinRequest, text: String, relayed: Bool, outbox: Outbox, state: ConnectionState, peer: String, channel: any Channel,
                      logger: Logger, reply: (HubError) -> Void) async {
        // Probing codes over the WebSocket costs the same misses as over REST; a code that names a session costs nothing.
        if await codeLookups.admit(peer) != nil {
            reply(HubError(.rateLimited))
            return
        }
        // A code that names a session stops counting as a miss before the session is loaded: a takeover that
        // replays it for seconds must not make a room's joins from one address (a school's NAT) look like probing.
        guard (try? await registry.knows(req.code)) == true else {
            reply(HubError(.sessionNotFound))
            return
        }
        await codeLookups.found(peer)
        let found: LiveSession?
        do { found = try await registry.session(req.code) } catch let elsewhere as SessionElsewhere {
            // Passed on once at most: a relayed join for a session that moved on meanwhile comes back through the client.
            guard !relayed else {
                reply(HubError(.unavailable))
                outbox.close(.serviceRestart)
                return
            }
            logger.debug("websocket relayed", metadata: ["session": .string(elsewhere.session), "node": .string(elsewhere.node)])
            await state.relay(OwnerRelay.start(to: elsewhere.node, code: elsewhere.code, join: text, client: outbox, peer: peer,
                                               maxClientMessage: limits.maxMessageBytes, logger: logger))
            connections.settle(channel)
            return
        } catch let e as HubError {
            reply(e)
            return
        } catch {
            found = nil
        }
        guard var session = found else {
            reply(HubError(.sessionNotFound))
            return
        }
        var facilitator: String?
        if let token = req.auth {
            guard let f = await auth.facilitator(token: token) else {
                reply(HubError(.unauthorized, LocalizedText(nl: "Je facilitatortoken is ongeldig of verlopen: log opnieuw in.",
                                                     en: "Facilitator token invalid or expired: log in again.")))
                return
            }
            facilitator = f.id
        }
        var result = await Self.submitJoin(req, outbox, facilitator, to: session)
        // Unloaded as idle between the lookup and the join (the join refused as not found): looked up again,
        // the session loads from its log. A deleted one stays not found.
        if case .failure(let e) = result, e.code == .sessionNotFound, let again = try? await registry.session(req.code), again !== session {
            session = again
            result = await Self.submitJoin(req, outbox, facilitator, to: again)
        }
        switch result {
        case .success(let conn):
            await state.set(session, conn, facilitatorToken: conn.role == .facilitator ? req.auth : nil)
            if conn.role == .facilitator { await state.watch(watchToken(outbox, state: state)) }
            logger.debug("websocket joined", metadata: ["session": .string(session.id), "role": .string(conn.role.rawValue)])
            // Joined: no longer counts towards its address's cap on pending connections.
            connections.settle(channel)
        case .failure(let e):
            logger.debug("websocket join refused", metadata: ["code": .string(e.code.rawValue)])
            reply(e)
            if e.code == .unauthorized && req.token != nil { outbox.close(.tokenInvalid) }
        }
    }
}

extension Gateway {
    static func submitJoin(_ req: JoinRequest, _ outbox: Outbox, _ facilitator: String?, to session: LiveSession) async -> Result<ClientConnection, HubError> {
        await withCheckedContinuation { cont in
            session.submit(.join(nil, req, outbox, facilitator: facilitator, reply: { cont.resume(returning: $0) }))
        }
    }
}

/// What a connection has joined, shared between its reader and its cleanup.
actor ConnectionState {
    private(set) var joined: (LiveSession, ClientConnection)?
    /// Set instead of `joined` when the session runs on another node.
    private(set) var relay: OwnerRelay?
    var engaged: Bool { joined != nil || relay != nil }
    func relay(_ r: OwnerRelay) { relay = r }
    /// The token a facilitator joined with, checked again on each command and every `tokenCheckInterval`.
    private(set) var facilitatorToken: String?
    private var tokenWatch: Task<Void, any Error>?
    /// A connection that already ended stops the watch at once.
    private var ended = false
    func watch(_ task: Task<Void, any Error>) {
        if ended { task.cancel() } else { tokenWatch = task }
    }
    func stopWatching() {
        ended = true
        tokenWatch?.cancel()
    }
    func set(_ s: LiveSession, _ c: ClientConnection, facilitatorToken: String?) {
        joined = (s, c)
        self.facilitatorToken = facilitatorToken
    }
}
