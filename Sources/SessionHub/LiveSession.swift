import Foundation
import Logging
import Metrics
import Model
import NIOCore
import Plugins
import Synchronization
import Toolbox

/// What every live session shares.
public struct SessionServices: Sendable {
    public var store: any HubStore
    /// Where agenda `context` references resolve (the same database as `store` in one-node deployments).
    public var kennisbank: any KennisbankStore
    public var log: EventLog
    /// The plugins: their processes (`PluginHost`), or engines in this process for tests (`InProcessPlugins`).
    public var host: any PluginTransport
    public var tokens: RejoinTokens
    public var logger: Logger
    public var tick: Duration
    /// The roster is the whole participant list: it goes out at most this often, however fast people join.
    public var rosterInterval: Duration = .seconds(1)
    public var clock: @Sendable () -> Int64
    /// Participants one session accepts (`--max-participants`): every join stays in the log and the roster.
    public var maxParticipants = 10_000

    public static func now() -> Int64 { WallClock.millis() }
}

/// Who gets the ack of an accepted event.
enum AckTarget: Sendable {
    case connection(ClientConnection, id: String)
    case waiter(CheckedContinuation<Int64, any Error>)
    /// A first join: its welcome waits until the join event is durable, so it reflects the join.
    case welcome(ClientConnection)
}

/// One running session's core: the single order of its inputs and commands (DESIGN.md §3; CONTRACTS.md §1
/// "Order, durability, reconnection"). Its parts own the rest: `ActivityInstances` the plugin instances,
/// `Fanout` the published state, the views and the connections.
///
/// Jobs (joins, inputs, commands, replays) run one at a time from a queue, so the order is the order
/// they arrived in, even while a job waits for its plugin: checks → plugin → durable append → ack. Accepted
/// events go to the event log; their acks, views and state changes are released only once the log says
/// they are durable.
public actor LiveSession: DurabilitySink {
    public let record: SessionRecord
    let services: SessionServices
    /// State including accepted events that are not durable yet: what checks run against.
    var live: SessionState
    /// Accepted events on their way to the log, and who waits for their acks.
    var ledger = AckLedger()
    let queue: JobQueue
    let instances: ActivityInstances
    let fanout: Fanout
    private var life = Lifecycle()

    /// Where the session is in its life in this process.
    struct Lifecycle {
        /// Set when the session is being deleted or unloaded: jobs still queued are refused.
        var retired = false
        /// Why the store refused this session's events: from then on the session accepts nothing.
        var lost: String?
        /// The closing views are stored (or being stored): the close's snapshot and seal run once.
        var closedSnapshotSaved = false
    }

    public nonisolated var id: String { record.id }
    public nonisolated var code: String { record.code }

    enum Job: Sendable {
        case join(ClientConnection?, JoinRequest, Outbox, facilitator: String?, reply: @Sendable (Result<ClientConnection, HubError>) -> Void)
        case input(ClientConnection, InputRequest, received: ContinuousClock.Instant)
        case command(CommandRequest, actor: String, target: AckTarget, reply: ClientConnection?)
        /// What follows durable events but may wait on the database or plugins: storing their outputs, and
        /// after `close` the snapshot, the seal and stopping the plugin instances.
        case stored(outputs: [StoredOutput], closing: Bool)
    }

    init(record: SessionRecord, keys: [String: [UInt8]], services: SessionServices, phases: [String: [String]]) {
        self.record = record
        self.services = services
        let initial = SessionState(agenda: record.agenda, firstPhase: { phases[$0]?.first ?? "" })
        self.live = initial
        let fanout = Fanout(record: record, services: services, published: initial)
        self.fanout = fanout
        self.instances = ActivityInstances(record: record, keys: keys, services: services, fanout: fanout)
        self.queue = JobQueue()
    }

    // MARK: - Start-up and rebuild

    /// Rebuilds from the log (after a restart or crash) and starts the job loop.
    func start(phases: [String: [String]]) async throws {
        let events = try await services.store.events(session: id, after: 0)
        var state = SessionState(agenda: record.agenda, firstPhase: { phases[$0]?.first ?? "" })
        for e in events {
            state.apply(e)
            if let k = e.idempotencyKey { ledger.accepted[k] = e.seq }
        }
        live = state
        fanout.restore(state)
        if state.status == .closed {
            let stored = try await services.store.views(session: id)
            if !stored.isEmpty {
                fanout.replaceViews(stored)
                life.closedSnapshotSaved = true
                // Closed with its views stored but not sealed (the hub stopped in between): seal it now.
                if instances.holdsAnonymousKeys { await sealLog() }
            } else {
                await instances.replayAll()
                await saveClosedSnapshot()
            }
        } else {
            await instances.replayAll()
        }
        scheduleTick()
        queue.start(self)
    }

    nonisolated func submit(_ job: Job) {
        // A retired session's queue takes no more jobs: answered here, or their callers (a join, a REST
        // command) would wait for ever. `sessionNotFound`: the caller may look the session up again.
        if !queue.submit(job) {
            if case .input(let conn, _, _) = job { conn.inputsQueued.subtract(1, ordering: .relaxed) }
            refuse(job, HubError(.sessionNotFound))
        }
    }

    func run(_ job: Job) async {
        if case .input(let conn, _, _) = job { conn.inputsQueued.subtract(1, ordering: .relaxed) }
        // What the job changed (views of a replay, a failed instance) goes out on the next tick.
        defer { if fanout.hasChanges { scheduleTick() } }
        if life.retired || life.lost != nil {
            refuse(job, life.retired ? HubError(.sessionNotFound) : HubError(.unavailable))
            return
        }
        switch job {
        case .join(let existing, let request, let outbox, let facilitator, let reply):
            reply(await join(existing, request, outbox: outbox, facilitator: facilitator))
        case .input(let conn, let request, let received):
            await input(conn, request, received: received)
        case .command(let request, let actor, let target, let conn):
            await command(request, actor: actor, target: target, conn: conn)
        case .stored(let outputs, let closing):
            await afterDurable(outputs: outputs, closing: closing)
        }
    }

    /// Answers a job that will not run.
    private nonisolated func refuse(_ job: Job, _ e: HubError) {
        switch job {
        case .join(_, _, _, _, let reply): reply(.failure(e))
        case .input(let conn, let request, _): conn.sendError(e, id: request.id)
        case .command(_, _, let target, _): fail(target, e)
        case .stored: break
        }
    }

    nonisolated func fail(_ target: AckTarget, _ e: HubError) {
        switch target {
        case .connection(let c, let id): c.sendError(e, id: id)
        case .waiter(let w): w.resume(throwing: e)
        case .welcome(let c): c.sendError(e)
        }
    }

    // MARK: - Accepting and acknowledging

    /// Accepts an event whose plugin deliveries cannot be refused (commands and joins). A plugin that is
    /// down misses the delivery now and gets it on its replay, which reads the log.
    func acceptSystemEvent(_ event: LoggedEvent, target: AckTarget? = nil) async {
        var results: [(activity: String, views: [String: JSONValue])] = []
        var outputs: [StoredOutput] = []
        for d in live.deliveries(for: event) {
            do {
                if case .views(_, _, let v, let o) = try await instances.deliver(d, event: event, state: live) {
                    results.append((d.activity, v))
                    outputs += instances.storedOutputs(o, activity: d.activity, seq: event.seq)
                }
            } catch {
                instances.missed(d.activity)
                services.logger.warning("plugin missed a system event; it will replay", metadata: ["session": "\(id)", "type": "\(d.type)"])
            }
        }
        await accept(event, views: results, outputs: outputs, target: target)
    }

    func accept(_ event: LoggedEvent, views results: [(activity: String, views: [String: JSONValue])], outputs: [StoredOutput], target: AckTarget?) async {
        live.apply(event)
        ledger.append(event, views: results, outputs: outputs, target: target)
        await services.log.enqueue(session: id, event: event, sink: self)
    }

    func ackOrWait(_ seq: Int64, _ target: AckTarget) {
        if seq <= fanout.published.seq {
            sendAck(seq, target)
        } else {
            ledger.wait(for: seq, target)
        }
    }

    private func sendAck(_ seq: Int64, _ target: AckTarget) {
        switch target {
        case .connection(let c, let id): c.outbox.send(.ack(id: id, seq: seq))
        case .waiter(let w): w.resume(returning: seq)
        case .welcome(let c):
            attach(c)
            fanout.sendWelcome(c, instances)
        }
    }

    func attach(_ conn: ClientConnection) {
        fanout.attach(conn)
        scheduleTick()
    }

    func detach(_ conn: ClientConnection) {
        fanout.detach(conn)
        scheduleTick()
    }

    // MARK: - Durability

    /// Called by the event log's writer while every session's writes wait: only takes note.
    public nonisolated func durable(upTo seq: Int64) {
        queue.note(.durable(seq))
    }

    public nonisolated func refused(from seq: Int64, reason: String) {
        queue.note(.refused(from: seq, reason: reason))
    }

    func handle(_ note: JobQueue.LogNote) {
        switch note {
        case .durable(let seq): publish(upTo: seq)
        case .refused(let seq, let reason): lose(from: seq, reason: reason)
        }
    }

    /// Events up to `seq` are stored: they become what clients see, and their senders get their acks.
    /// What may wait (outputs, the closing snapshot) goes to the job queue.
    private func publish(upTo seq: Int64) {
        var outputs: [StoredOutput] = []
        while let first = ledger.nextDurable(upTo: seq) {
            let e = first.event
            fanout.publish(e, views: first.views)
            outputs += first.outputs
            for target in ledger.waiting(for: e.seq) { sendAck(e.seq, target) }
            if let received = ledger.receivedAt.removeValue(forKey: e.seq) {
                Metrics.ackLatency.recordNanoseconds((ContinuousClock.now - received).nanoseconds)
            }
        }
        // Resends of ids whose event became durable while they waited.
        for (s, targets) in ledger.waiting(upTo: seq) {
            for target in targets { sendAck(s, target) }
        }
        scheduleTick()
        let closing = fanout.published.status == .closed && !life.closedSnapshotSaved
        if closing { life.closedSnapshotSaved = true }
        if !outputs.isEmpty || closing { submit(.stored(outputs: outputs, closing: closing)) }
    }

    private func afterDurable(outputs: [StoredOutput], closing: Bool) async {
        if !outputs.isEmpty {
            do { instances.reportFiling(try await services.store.saveOutputs(session: id, outputs)) } catch {
                services.logger.error("outputs not stored", metadata: ["session": "\(id)", "error": "\(error)"])
            }
        }
        if closing {
            await saveClosedSnapshot()
            // A closed session is served from its stored views: its instances can go.
            await instances.stopAll()
        }
    }

    /// The store refused this session's events from `seq` on (its rows are gone, or a bug broke a
    /// constraint): they are not stored and never will be, so they are never acknowledged; their senders
    /// hear `unavailable`, and the session accepts nothing more (its state ran ahead of its log).
    private func lose(from seq: Int64, reason: String) {
        guard life.lost == nil else { return }
        life.lost = reason
        services.logger.critical("session events refused by the store; the session stops accepting",
                                 metadata: ["session": "\(id)", "from": "\(seq)", "reason": "\(reason)"])
        for target in ledger.drop(from: seq) { fail(target, HubError(.unavailable)) }
    }

    // MARK: - The tick

    func scheduleTick() {
        guard let delay = fanout.claimTick() else { return }
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.tick()
        }
    }

    private func tick() {
        if fanout.tick(instances) { scheduleTick() }
    }

    // MARK: - Close and seal

    /// Keeps the final views (closed sessions are served from them, without plugins), then seals the log:
    /// anonymous activities lose the link to participants, confidential payloads are redacted. The views are
    /// kept as an export shows them (`SessionExport.sealed`).
    private func saveClosedSnapshot() async {
        life.closedSnapshotSaved = true
        let confidential = instances.confidentialInputs()
        let anonymous = Set(record.agenda.filter { $0.anonymity == .anonymous }.map(\.id))
        let stored = fanout.currentViews().compactMap { SessionExport.sealed($0, confidential: confidential, anonymous: anonymous, seq: fanout.published.seq) }
        fanout.replaceViews(stored)
        do {
            try await services.store.saveViews(session: id, stored)
        } catch {
            services.logger.error("closing views not stored; the log stays unsealed until they are", metadata: ["session": "\(id)", "error": "\(error)"])
            return
        }
        await sealLog()
    }

    /// Seals the log (DESIGN.md §5; docs/DECISIONS.md "Sealing anonymous activities") and forgets, in memory too,
    /// which participant sent which input to an anonymous activity: the pseudonym keys and the resend ids of those
    /// inputs, so a resend after the close is refused (`session_closed`) like any other input, not acknowledged.
    private func sealLog() async {
        let anonymous = anonymousAliases()
        var linked: [String] = []
        do {
            linked = try await services.store.events(session: id, after: 0)
                .filter { $0.role == .participant && $0.activity.map { anonymous[$0] != nil } == true }
                .compactMap(\.idempotencyKey)
            try await services.store.seal(session: id, anonymous: anonymous, confidential: instances.confidentialInputs())
        } catch {
            services.logger.error("log not sealed", metadata: ["session": "\(id)", "error": "\(error)"])
        }
        for k in linked { ledger.accepted[k] = nil }
        instances.forget(anonymous.keys)
    }

    // MARK: - For the REST API, exports and the registry

    public var status: SessionStatus { fanout.published.status }
    public var seq: Int64 { fanout.published.seq }
    public var participantCount: Int { fanout.published.participants.values.filter { !$0.kicked }.count }
    /// Joined connections (participants, facilitators, beamers): none for long, and the session may be unloaded.
    var connectionCount: Int { fanout.connections.count }
    public var snapshot: SessionState { fanout.published }

    func setManifests(_ m: [String: PluginManifest]) { instances.setManifests(m) }

    func pluginStateChanged(_ plugin: String, _ state: PluginState, _ error: String?) {
        if instances.pluginStateChanged(plugin, state, error) { scheduleTick() }
    }

    /// Runs a facilitator command outside a WebSocket (REST start/close) through the same queue.
    public func runCommand(_ type: String, facilitator: String) async throws -> Int64 {
        let req = CommandRequest(id: "rest-\(Identifiers.random(prefix: ""))", type: type, fields: ["t": "command", "type": .string(type)])
        return try await withCheckedThrowingContinuation { cont in
            submit(.command(req, actor: facilitator, target: .waiter(cont), reply: nil))
        }
    }

    /// Closes every connection (hub shutdown, session deletion).
    public func disconnectAll(_ code: CloseCode) { fanout.disconnectAll(code) }

    /// Activity → the input types its manifest marks `confidential` (activities without any left out).
    func confidentialInputs() -> [String: [String]] { instances.confidentialInputs() }

    /// Activity → participant → pseudonym for every `anonymous` activity: what sealing and exports put in place of the participants.
    func anonymousAliases() -> [String: [String: String]] { instances.anonymousAliases(live.participantOrder) }

    public func currentViews() -> [StoredView] { fanout.currentViews() }

    /// Ends the session's life in this process, before its rows are deleted: the job loop stops (jobs still
    /// queued are refused), everything it accepted is written, then its plugin instances stop. Its events
    /// can then no longer reach a batch of the log after its rows are gone.
    public func retire() async {
        life.retired = true
        await queue.finish()
        await services.log.flush(session: id)
        queue.finishNotes()
        await instances.stopAll()
    }
}

enum ConnectionIds {
    private static let counter = Synchronization.Atomic<Int>(0)
    static func next() -> Int { counter.add(1, ordering: .relaxed).newValue }
}

extension Duration {
    var nanoseconds: Int64 {
        let (s, a) = components
        return s * 1_000_000_000 + a / 1_000_000_000
    }
}
