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
    public var host: PluginHost
    public var tokens: RejoinTokens
    public var logger: Logger
    public var tick: Duration
    public var clock: @Sendable () -> Int64
    /// Participants one session accepts (`--max-participants`): every join stays in the log and the roster.
    public var maxParticipants = 10_000

    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Who gets the ack of an accepted event.
enum AckTarget: Sendable {
    case connection(ClientConnection, id: String)
    case waiter(CheckedContinuation<Int64, any Error>)
    /// A first join: its welcome waits until the join event is durable, so it reflects the join.
    case welcome(ClientConnection)
}

/// One running session: the single order of its inputs and commands, its plugin instances, its views,
/// and the fan-out to its connections (DESIGN.md §3; CONTRACTS.md §1 "Order, durability, reconnection").
///
/// Jobs (joins, inputs, commands, replays) run one at a time from a queue, so the order is the order
/// they arrived in, even while a job waits for its plugin. Accepted events go to the event log; their
/// acks, views and state changes are released only once the log says they are durable.
public actor LiveSession: DurabilitySink {
    public let id: String
    public let code: String
    public let record: SessionRecord
    let services: SessionServices

    /// State including accepted events that are not durable yet: what checks run against.
    private(set) var live: SessionState
    /// State as of the last durable event: what clients are shown.
    private(set) var published: SessionState
    private var keys: [String: [UInt8]]
    private var generations: [String: Int] = [:]
    /// Inputs that made a plugin fail, and activities failed for this session (PluginFaults.swift).
    private var faults = PluginFaults()
    private var views: [String: [String: (seq: Int64, view: JSONValue)]] = [:]
    private var pending: [(event: LoggedEvent, views: [(activity: String, views: [String: JSONValue])], outputs: [StoredOutput])] = []
    private var accepted: [String: Int64] = [:]
    private var awaitingAck: [Int64: [AckTarget]] = [:]
    private var dirtyViews: Set<ViewKey> = []
    /// When accepted inputs arrived, for the input→ack latency histogram.
    private var receivedAt: [Int64: ContinuousClock.Instant] = [:]
    private var sessionDirty = false { didSet { if sessionDirty { sessionChanges &+= 1 } } }
    /// Counts changes of what `session` shows; each connection's welcome records the count it reflected.
    /// A plugin-health change keeps `seq`, so `seq` alone cannot tell who has seen it.
    private var sessionChanges = 0
    private var welcomedAtChange: [Int: Int] = [:]
    private var rosterDirty = false
    private var presenceDirty = false
    private var tickScheduled = false
    private var lastRoster = ContinuousClock.now - .seconds(60)
    static let rosterInterval: Duration = .seconds(1)
    /// Facilitator connections that asked for `roster-diff` (join `features`), with the roster entries each
    /// has been sent: each tick sends it only the entries that changed (docs/PROTOCOL.md "roster-diff").
    private var rosterDiffSent: [Int: [String: JSONValue]] = [:]
    static let rosterDiffFeature = "roster-diff"
    private var connections: [Int: ClientConnection] = [:]
    private var participantConnections: [String: Set<Int>] = [:]
    private let jobStream: AsyncStream<Job>
    private let jobs: AsyncStream<Job>.Continuation
    private var jobLoop: Task<Void, Never>?
    /// What the event log reported, in order; taken note of by the log's writer, handled here.
    private let logNotes: AsyncStream<LogNote>
    private let logNoter: AsyncStream<LogNote>.Continuation
    /// Set when the session is being deleted: jobs still queued are refused.
    private var retired = false
    /// Why the store refused this session's events: from then on the session accepts nothing.
    private var lost: String?
    private var closedSnapshotSaved = false
    /// activity → pseudonym → participant, filled whenever a participant is aliased for a plugin, so that
    /// `participant:<pseudonym>` audiences route without recomputing every participant's pseudonym.
    private var aliases: [String: [String: String]] = [:]

    struct ViewKey: Hashable {
        var activity: String
        var audience: String
    }

    enum Job: Sendable {
        case join(ClientConnection?, JoinRequest, Outbox, facilitator: String?, reply: @Sendable (Result<ClientConnection, HubError>) -> Void)
        case input(ClientConnection, InputRequest, received: ContinuousClock.Instant)
        case command(CommandRequest, actor: String, target: AckTarget, reply: ClientConnection?)
        /// What follows durable events but may wait on the database or plugins: storing their outputs, and
        /// after `close` the snapshot, the seal and stopping the plugin instances.
        case stored(outputs: [StoredOutput], closing: Bool)
    }

    enum LogNote: Sendable {
        case durable(Int64)
        case refused(from: Int64, reason: String)
    }

    init(record: SessionRecord, keys: [String: [UInt8]], services: SessionServices, phases: [String: [String]]) {
        self.id = record.id
        self.code = record.code
        self.record = record
        self.services = services
        self.keys = keys
        let initial = SessionState(agenda: record.agenda, firstPhase: { phases[$0]?.first ?? "" })
        self.live = initial
        self.published = initial
        (jobStream, jobs) = AsyncStream.makeStream(of: Job.self)
        (logNotes, logNoter) = AsyncStream.makeStream(of: LogNote.self)
    }

    var initialState: SessionState { SessionState(agenda: record.agenda, firstPhase: { _ in "" }) }

    // MARK: - Start-up and rebuild

    /// Rebuilds from the log (after a restart or crash) and starts the job loop.
    func start(phases: [String: [String]]) async throws {
        let events = try await services.store.events(session: id, after: 0)
        var state = SessionState(agenda: record.agenda, firstPhase: { phases[$0]?.first ?? "" })
        for e in events {
            state.apply(e)
            if let k = e.idempotencyKey { accepted[k] = e.seq }
        }
        live = state
        published = state
        if state.status == .closed {
            let stored = try await services.store.views(session: id)
            if !stored.isEmpty {
                for v in stored { views[v.activity, default: [:]][v.audience] = (v.seq, v.view) }
                closedSnapshotSaved = true
                // Closed with its views stored but not sealed (the hub stopped in between): seal it now.
                if record.agenda.contains(where: { $0.anonymity == .anonymous && keys[$0.id] != nil }) { await sealLog() }
            } else {
                await replayAll()
                await saveClosedSnapshot()
            }
        } else {
            await replayAll()
        }
        startJobLoop()
    }

    private func startJobLoop() {
        let stream = jobStream
        jobLoop = Task { [weak self] in
            for await job in stream {
                guard let self else { return }
                await self.run(job)
            }
        }
        // Acks go out as soon as the log reports, not after the jobs queued meanwhile.
        let notes = logNotes
        Task { [weak self] in
            for await note in notes {
                guard let self else { return }
                await self.handle(note)
            }
        }
    }

    nonisolated func submit(_ job: Job) {
        jobs.yield(job)
    }

    private func run(_ job: Job) async {
        if retired || lost != nil {
            refuse(job, retired ? HubError(.sessionNotFound) : HubError(.unavailable))
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
    private func refuse(_ job: Job, _ e: HubError) {
        switch job {
        case .join(_, _, _, _, let reply): reply(.failure(e))
        case .input(let conn, let request, _): conn.sendError(e, id: request.id)
        case .command(_, _, let target, _): fail(target, e)
        case .stored: break
        }
    }

    private func fail(_ target: AckTarget, _ e: HubError) {
        switch target {
        case .connection(let c, let id): c.sendError(e, id: id)
        case .waiter(let w): w.resume(throwing: e)
        case .welcome(let c): c.sendError(e)
        }
    }

    // MARK: - Plugin instances

    private func instanceId(_ activity: String) -> String { "\(id)/\(activity)" }

    private func plugin(of activity: String) -> String? { live.activities[activity]?.item.plugin }

    /// Makes sure this session's instances of `plugin` live in the plugin's current process, starting
    /// and replaying them when the process is new.
    private func ensureInstances(_ plugin: String) async throws -> Int {
        let generation = try await services.host.ready(plugin)
        if generations[plugin] == generation { return generation }
        try await replay(plugin, generation: generation)
        return generation
    }

    private func replayAll() async {
        for plugin in Set(record.agenda.map(\.plugin)).sorted() {
            do { _ = try await ensureInstances(plugin) } catch {
                services.logger.error("replay failed", metadata: ["session": "\(id)", "plugin": "\(plugin)", "error": "\(error)"])
            }
        }
    }

    /// Starts every instance of `plugin` in this session and feeds it the logged events in order. The plugin
    /// is a deterministic reducer, so this rebuilds exactly the state it had; the last views it returns
    /// become the published ones (after an upgrade they may differ, and then the room sees the new ones).
    private func replay(_ plugin: String, generation: Int) async throws {
        await services.log.flush()
        let events = try await services.store.events(session: id, after: 0)
        let activities = record.agenda.filter { $0.plugin == plugin }
        var latest: [String: [String: JSONValue]] = [:]
        // An instance failed for this session stays out of the process until `hubctl plugins reload`.
        var skipped: Set<String> = []
        for item in activities where await services.host.instanceFailed(plugin, instance: instanceId(item.id)) {
            skipped.insert(item.id)
            instanceFailed(item.id, reason: "failed")
        }
        for item in activities where !skipped.contains(item.id) {
            let answer = try await services.host.send(plugin, generation: generation, .start(
                instance: instanceId(item.id), config: item.config, anonymity: item.anonymity, context: item.context))
            if case .views(_, _, let v, _) = answer { latest[item.id, default: [:]].merge(v) { $1 } }
        }
        var state = initialState
        var lastSeq: [String: Int64] = [:]
        for e in events {
            for d in state.deliveries(for: e) where state.activities[d.activity]?.item.plugin == plugin && !skipped.contains(d.activity) {
                let answer = try await services.host.send(plugin, generation: generation, message(for: d, event: e, state: state))
                switch answer {
                case .views(_, _, let v, let outputs):
                    latest[d.activity, default: [:]].merge(v) { $1 }
                    lastSeq[d.activity] = e.seq
                    let stored = storedOutputs(outputs, activity: d.activity, seq: e.seq)
                    if !stored.isEmpty { reportFiling(try await services.store.saveOutputs(session: id, stored)) }
                case .reject(_, _, let code, _):
                    services.logger.warning("plugin refused a logged event on replay; it is not deterministic",
                                            metadata: ["plugin": "\(plugin)", "seq": "\(e.seq)", "code": "\(code)"])
                default:
                    break
                }
            }
            state.apply(e)
        }
        generations[plugin] = generation
        for (activity, audiences) in latest {
            for (audience, view) in audiences {
                let seq = lastSeq[activity] ?? 0
                if let old = views[activity]?[audience], old.view == view { continue }
                views[activity, default: [:]][audience] = (max(seq, published.seq), view)
                dirtyViews.insert(ViewKey(activity: activity, audience: audience))
            }
        }
        scheduleTick()
        services.logger.info("plugin instances replayed", metadata: ["session": "\(id)", "plugin": "\(plugin)", "events": "\(events.count)"])
    }

    /// The message a plugin gets for one delivery, with identities as the activity's anonymity allows.
    private func message(for d: PluginDelivery, event e: LoggedEvent, state: SessionState) -> HostMessage {
        guard let item = state.activities[d.activity]?.item else {
            return .event(instance: instanceId(d.activity), seq: e.seq, at: e.at, actor: PluginActor(id: SystemActor.id, role: .system), type: d.type, payload: d.payload)
        }
        let named = item.anonymity == .named
        let key = keys[d.activity] ?? []
        func alias(_ p: String) -> String {
            if named { return p }
            let a = Identifiers.pseudonym(participant: p, key: key)
            aliases[d.activity, default: [:]][a] = p
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
        return .event(instance: instanceId(d.activity), seq: e.seq, at: e.at, actor: actor, type: d.type, payload: payload)
    }

    /// Sends one delivery to its instance (replaying first if the process is new).
    /// Throws `PluginInputFailed` only when this delivery itself made the plugin fail; a failure while
    /// replaying the log first is the plugin being unavailable, not this input's fault.
    private func deliver(_ d: PluginDelivery, event: LoggedEvent) async throws -> PluginMessage {
        guard let plugin = plugin(of: d.activity) else { throw HubError(.activityNotFound) }
        if let reason = faults.failedActivities[d.activity] {
            guard !(await services.host.instanceFailed(plugin, instance: instanceId(d.activity))) else { throw PluginInstanceFailed(reason: reason) }
            // Reloaded since: start and replay it again.
            faults.clear(d.activity)
            generations[plugin] = nil
            sessionDirty = true
        }
        for attempt in 0..<2 {
            let generation: Int
            do { generation = try await ensureInstances(plugin) } catch is PluginInputFailed {
                throw HubError(.pluginUnavailable)
            }
            do {
                return try await services.host.send(plugin, generation: generation, message(for: d, event: event, state: live))
            } catch is PluginGenerationChanged where attempt == 0 {
                continue
            }
        }
        throw HubError(.pluginUnavailable)
    }

    // MARK: - Join

    private func join(_ existing: ClientConnection?, _ req: JoinRequest, outbox: Outbox, facilitator: String?) async -> Result<ClientConnection, HubError> {
        let lang = req.lang ?? record.lang
        let connId = ConnectionIds.next()
        let conn: ClientConnection
        if let facilitator {
            conn = ClientConnection(id: connId, outbox: outbox, role: .facilitator, participant: nil, facilitator: facilitator, lang: lang)
            if req.features.contains(Self.rosterDiffFeature) { rosterDiffSent[connId] = [:] }
        } else if req.asBeamer {
            conn = ClientConnection(id: connId, outbox: outbox, role: .beamer, participant: nil, facilitator: nil, lang: lang)
        } else if let token = req.token {
            guard let (session, participant) = services.tokens.verify(token), session == id,
                  let who = live.participants[participant], !who.kicked
            else { return .failure(HubError(.unauthorized)) }
            conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: participant, facilitator: nil, lang: lang)
        } else if live.status == .closed {
            // Read-only results: no new participant joins a closed session.
            conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: nil, facilitator: nil, lang: lang)
        } else if !services.log.isDurable {
            // A join is an event: while the log cannot store, nobody new comes in (a rejoin needs no event).
            return .failure(HubError(.unavailable))
        } else {
            // Every join stays in the log, the roster and presence: the cap keeps fake joins from growing them without end.
            guard live.participants.count < services.maxParticipants else { return .failure(HubError(.sessionFull)) }
            let participant = Identifiers.random(prefix: "p_")
            var payload: [String: JSONValue] = ["participant": .string(participant)]
            if let n = req.name { payload["name"] = .string(n) }
            if let f = req.function { payload["function"] = .string(f) }
            if let o = req.org { payload["org"] = .string(o) }
            let event = LoggedEvent(seq: live.seq + 1, kind: .join, activity: nil, actor: participant, role: .participant,
                                    type: "join", payload: .object(payload), clientId: nil, at: services.clock())
            conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: participant, facilitator: nil, lang: lang)
            await acceptSystemEvent(event, target: .welcome(conn))
            Metrics.joins.increment()
            return .success(conn)
        }
        attach(conn)
        sendWelcome(conn)
        Metrics.joins.increment()
        return .success(conn)
    }

    private func attach(_ conn: ClientConnection) {
        connections[conn.id] = conn
        if let p = conn.participant { participantConnections[p, default: []].insert(conn.id) }
        presenceDirty = true
        rosterDirty = true
        scheduleTick()
    }

    func detach(_ conn: ClientConnection) {
        connections[conn.id] = nil
        rosterDiffSent[conn.id] = nil
        welcomedAtChange[conn.id] = nil
        if let p = conn.participant {
            participantConnections[p]?.remove(conn.id)
            if participantConnections[p]?.isEmpty == true { participantConnections[p] = nil }
        }
        presenceDirty = true
        rosterDirty = true
        scheduleTick()
    }

    private func sendWelcome(_ conn: ClientConnection) {
        conn.welcomeSeq.store(published.seq, ordering: .relaxed)
        welcomedAtChange[conn.id] = sessionChanges
        var activityViews: [String: JSONValue] = [:]
        for activity in published.order {
            var audiences: [String: JSONValue] = [:]
            for (audience, v) in views[activity] ?? [:] {
                if let wire = wireAudience(audience, activity: activity, for: conn) { audiences[wire] = v.view }
            }
            activityViews[activity] = .object(audiences)
        }
        guard let agenda = try? Self.json(agendaEntries(published)), let current = try? Self.json(published.currentActivity) else {
            services.logger.error("agenda not encodable; welcome not sent", metadata: ["session": "\(id)"])
            conn.sendError(HubError(.internal))
            return
        }
        let state: [String: JSONValue] = [
            "status": .string(published.status.rawValue),
            "agenda": agenda,
            "current": current,
            "groups": groupsField(for: conn),
            "views": .object(activityViews),
        ]
        var welcome: [String: JSONValue] = [
            "t": "welcome",
            "role": .string(conn.role.rawValue),
            "session": ["id": .string(id), "code": .string(code), "title": .string(record.title), "lang": .string(record.lang.rawValue)],
            "seq": .int(published.seq),
            "state": .object(state),
        ]
        if let p = conn.participant {
            welcome["participant"] = .string(p)
            welcome["token"] = .string(services.tokens.issue(session: id, participant: p))
            // Extension: the id each plugin knows this participant by (its per-activity pseudonym, or the id
            // itself in `named` activities), so a plugin's web component can find "me" in its views.
            var aliases: [String: JSONValue] = [:]
            for item in record.agenda {
                if item.anonymity == .named { aliases[item.id] = .string(p) } else if let key = keys[item.id] {
                    aliases[item.id] = .string(Identifiers.pseudonym(participant: p, key: key))
                }
            }
            welcome["aliases"] = .object(aliases)
        }
        conn.outbox.send(JSONValue.object(welcome))
        // Presence follows on the next tick (attach marks it): computing it per welcome would make a join
        // wave of N cost N² (docs/BENCH.md).
        if conn.role == .facilitator {
            let entries = rosterEntries()
            // The full roster is the base a `roster-diff` connection's diffs apply to.
            if rosterDiffSent[conn.id] != nil { rosterDiffSent[conn.id] = Dictionary(entries.map { ($0.id, $0.entry) }) { $1 } }
            conn.outbox.send(rosterMessage(entries))
        }
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

    static func json<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONCoding.value(value)
    }

    /// A frame for the connections, or nil (logged) when it cannot be encoded: a view a plugin nested too
    /// deep is left out rather than sent as `null`.
    private func frame<T: Encodable>(_ message: T, _ what: String) -> ByteBuffer? {
        do { return ByteBuffer(string: try JSONCoding.string(message)) } catch {
            services.logger.error("frame not encodable; not sent", metadata: ["session": "\(id)", "what": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    private func groupsField(for conn: ClientConnection) -> JSONValue {
        switch conn.role {
        case .facilitator: return SessionState.encodeGroups(published.groups)
        case .participant: return conn.participant.flatMap { published.group(of: $0) }.map(JSONValue.string) ?? .null
        case .beamer, .system: return .null
        }
    }

    /// The wire name of a plugin audience for this connection, or nil when it does not receive it.
    private func wireAudience(_ audience: String, activity: String, for conn: ClientConnection) -> String? {
        switch conn.role {
        case .beamer:
            return audience == "public" ? "public" : nil
        case .facilitator:
            return audience == "public" || audience == "facilitator" ? audience : nil
        case .participant, .system:
            if audience == "public" { return "public" }
            guard let p = conn.participant else { return nil }
            if audience.hasPrefix("group:"), let g = published.group(of: p), audience == "group:\(g)" { return audience }
            if audience.hasPrefix("participant:"), participantFor(audience: audience, activity: activity) == p { return "me" }
            return nil
        }
    }

    private func participantFor(audience: String, activity: String) -> String? {
        let alias = String(audience.dropFirst("participant:".count))
        guard let item = published.activities[activity]?.item else { return nil }
        if item.anonymity == .named { return alias }
        if let p = aliases[activity]?[alias] { return p }
        let key = keys[activity] ?? []
        return published.participantOrder.first { Identifiers.pseudonym(participant: $0, key: key) == alias }
    }

    // MARK: - Inputs

    private func input(_ conn: ClientConnection, _ req: InputRequest, received: ContinuousClock.Instant) async {
        let actor = conn.actorId
        if let seq = accepted[IdempotencyKey.make(actor: actor, clientId: req.id)] {
            ackOrWait(seq, .connection(conn, id: req.id))
            return
        }
        if let error = checkInput(conn, req) {
            Metrics.rejects.increment()
            conn.sendError(error, id: req.id)
            return
        }
        // Checked before the plugin sees the input: a plugin must not reduce what the log cannot store.
        guard services.log.isDurable else {
            Metrics.rejects.increment()
            conn.sendError(HubError(.unavailable), id: req.id)
            return
        }
        // A resend of an input that made the plugin fail is refused from memory, never sent again.
        if faults.isPoisoned(actor: actor, req) {
            Metrics.rejects.increment()
            conn.sendError(PluginFaults.refusal(conn.lang), id: req.id)
            return
        }
        let event = LoggedEvent(seq: live.seq + 1, kind: .input, activity: req.activity, actor: actor, role: conn.role,
                                type: req.type, payload: req.payload, clientId: req.id, at: services.clock())
        let delivery = PluginDelivery(activity: req.activity, type: req.type, payload: req.payload, actor: actor, role: conn.role)
        do {
            switch try await deliver(delivery, event: event) {
            case .views(_, _, let v, let outputs):
                await accept(event, views: [(req.activity, v)], outputs: storedOutputs(outputs, activity: req.activity, seq: event.seq),
                             target: .connection(conn, id: req.id))
                receivedAt[event.seq] = received
                Metrics.inputs.increment()
            case .reject(_, _, let code, let message):
                Metrics.rejects.increment()
                conn.sendError(HubError(.rejected, message, detail: code), id: req.id)
            default:
                conn.sendError(HubError(.internal), id: req.id)
            }
        } catch let f as PluginInputFailed {
            // Never logged (checks → plugin → append): refused, and remembered so a resend is refused too.
            Metrics.rejects.increment()
            faults.remember(actor: actor, req)
            if f.instanceFailed { instanceFailed(req.activity, reason: f.failure.description) }
            services.logger.warning("input made its plugin fail; refused", metadata: [
                "session": "\(id)", "activity": "\(req.activity)", "type": "\(req.type.prefix(64))", "reason": "\(f.failure)"])
            conn.sendError(PluginFaults.refusal(conn.lang), id: req.id)
        } catch let f as PluginInstanceFailed {
            instanceFailed(req.activity, reason: f.reason)
            conn.sendError(PluginFaults.instanceFailed(conn.lang), id: req.id)
        } catch let e as HubError {
            conn.sendError(e, id: req.id)
        } catch is EncodingError {
            conn.sendError(HubError(.tooLarge), id: req.id)
        } catch {
            conn.sendError(HubError(.pluginUnavailable), id: req.id)
        }
    }

    private func checkInput(_ conn: ClientConnection, _ req: InputRequest) -> HubError? {
        switch live.status {
        case .closed: return HubError(.sessionClosed)
        case .draft: return HubError(.activityClosed)
        case .open: break
        }
        guard conn.role == .participant || conn.role == .facilitator else { return HubError(.forbidden) }
        if conn.role == .participant && conn.participant == nil { return HubError(.sessionClosed) }
        guard let activity = live.activities[req.activity] else { return HubError(.activityNotFound) }
        guard live.current == req.activity else { return HubError(.activityClosed) }
        guard let manifest = manifests[activity.item.plugin], let phase = manifest.phase(named: activity.phase) else {
            return HubError(.pluginUnavailable)
        }
        // CONTRACTS §1 orders the phase gate before "input open": a type this phase never takes from this
        // role is `phase_forbids` whether or not input is open right now.
        guard phase.allows(role: conn.role, type: req.type) else { return HubError(.phaseForbids) }
        guard activity.inputsOpen else { return HubError(.activityClosed) }
        return nil
    }

    /// Manifests as of the last refresh; refreshed before each job that needs them would cost an actor hop
    /// per input, so the registry pushes them on load and reload.
    private var manifests: [String: PluginManifest] = [:]

    func setManifests(_ m: [String: PluginManifest]) { manifests = m }

    /// Plugins of this session that are not running normally, shown in every agenda entry (facilitators act on
    /// it; participants and the beamer show that the activity is restarting).
    private var pluginHealth: [String: (state: String, error: String?)] = [:]

    /// The host failed this activity's instance for this session: the agenda shows it (to facilitators
    /// with the reason), and deliveries stop until `hubctl plugins reload`.
    private func instanceFailed(_ activity: String, reason: String) {
        guard faults.failedActivities[activity] == nil else { return }
        faults.markFailed(activity, reason: reason)
        sessionDirty = true
        scheduleTick()
    }

    func pluginStateChanged(_ plugin: String, _ state: PluginState, _ error: String?) {
        guard record.agenda.contains(where: { $0.plugin == plugin }) else { return }
        pluginHealth[plugin] = state == .running || state == .idle ? nil : (state.rawValue, error)
        sessionDirty = true
        scheduleTick()
    }

    /// A record the kennisbank refused stays with the session; the plugin's author learns why from the log.
    private func reportFiling(_ saved: [StoredOutput]) {
        for o in saved {
            if let filed = o.filed, filed.hasPrefix("invalid: ") {
                services.logger.warning("output not filed", metadata: [
                    "session": "\(id)", "instance": "\(o.instance)", "seq": "\(o.seq)", "kind": "\(o.kind)", "reason": "\(filed.dropFirst(9).prefix(300))"])
            } else if let filed = o.filed {
                services.logger.info("output filed", metadata: ["session": "\(id)", "kind": "\(o.kind)", "as": "\(filed)"])
            }
        }
    }

    /// Outputs of a kind the manifest does not declare are dropped (and logged): a plugin may only produce
    /// what its manifest says it produces.
    private func storedOutputs(_ outputs: [PluginOutput], activity: String, seq: Int64) -> [StoredOutput] {
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

    // MARK: - Commands

    private func command(_ req: CommandRequest, actor: String, target: AckTarget, conn: ClientConnection?) async {
        func refuse(_ e: HubError) {
            Metrics.rejects.increment()
            switch target {
            case .connection(let c, let id): c.sendError(e, id: id)
            case .waiter(let w): w.resume(throwing: e)
            case .welcome(let c): c.sendError(e)
            }
        }
        if let seq = accepted[IdempotencyKey.make(actor: actor, clientId: req.id)] {
            ackOrWait(seq, target)
            return
        }
        let manifests = self.manifests
        let resolver = CommandResolver(phases: { manifests[$0]?.phases.map(\.name) ?? [] })
        var rng = SystemRandomNumberGenerator()
        let present = live.participantOrder.filter { participantConnections[$0] != nil }
        switch resolver.resolve(req, state: live, present: present, rng: &rng) {
        case .failure(let e):
            refuse(e)
        case .success(.unchanged):
            ackOrWait(live.seq, target)
        case .success(.accepted) where !services.log.isDurable:
            refuse(HubError(.unavailable))
        case .success(.accepted(let activity, let payload)):
            let event = LoggedEvent(seq: live.seq + 1, kind: .command, activity: activity, actor: actor, role: .facilitator,
                                    type: req.type, payload: payload, clientId: req.id, at: services.clock())
            await audit(event)
            await acceptSystemEvent(event, target: target)
            if req.type == "kick", let p = payload["participant"]?.stringValue {
                for c in participantConnections[p] ?? [] { connections[c]?.outbox.close(.kicked) }
            }
        }
    }

    /// The facilitator commands the audit log keeps (docs/PRIVACY.md), by the action they are recorded as.
    static let auditedCommands = ["start": "session.start", "close": "session.close", "kick": "participant.kick"]

    /// Recorded as the command is accepted, before it enters the log: whoever has seen it acknowledged finds it.
    private func audit(_ event: LoggedEvent) async {
        guard let action = Self.auditedCommands[event.type] else { return }
        let target = event.type == "kick" ? "\(id)/\(event.payload["participant"]?.stringValue ?? "")" : id
        do {
            try await services.store.audit(actor: event.actor, action: action, target: target, detail: nil)
        } catch {
            services.logger.error("audit entry not written", metadata: ["session": "\(id)", "action": "\(action)", "error": "\(error)"])
        }
    }

    /// Accepts an event whose plugin deliveries cannot be refused (commands and joins). A plugin that is
    /// down misses the delivery now and gets it on its replay, which reads the log.
    private func acceptSystemEvent(_ event: LoggedEvent, target: AckTarget? = nil) async {
        var results: [(activity: String, views: [String: JSONValue])] = []
        var outputs: [StoredOutput] = []
        for d in live.deliveries(for: event) {
            do {
                if case .views(_, _, let v, let o) = try await deliver(d, event: event) {
                    results.append((d.activity, v))
                    outputs += storedOutputs(o, activity: d.activity, seq: event.seq)
                }
            } catch {
                if let plugin = plugin(of: d.activity) { generations[plugin] = nil }
                services.logger.warning("plugin missed a system event; it will replay", metadata: ["session": "\(id)", "type": "\(d.type)"])
            }
        }
        await accept(event, views: results, outputs: outputs, target: target)
    }

    private func accept(_ event: LoggedEvent, views results: [(activity: String, views: [String: JSONValue])], outputs: [StoredOutput], target: AckTarget?) async {
        live.apply(event)
        if let k = event.idempotencyKey { accepted[k] = event.seq }
        if let target { awaitingAck[event.seq, default: []].append(target) }
        pending.append((event, results, outputs))
        await services.log.enqueue(session: id, event: event, sink: self)
    }

    private func ackOrWait(_ seq: Int64, _ target: AckTarget) {
        if seq <= published.seq {
            sendAck(seq, target)
        } else {
            awaitingAck[seq, default: []].append(target)
        }
    }

    private func sendAck(_ seq: Int64, _ target: AckTarget) {
        switch target {
        case .connection(let c, let id): c.outbox.send(AckMessage(id: id, seq: seq))
        case .waiter(let w): w.resume(returning: seq)
        case .welcome(let c):
            attach(c)
            sendWelcome(c)
        }
    }

    // MARK: - Durability and fan-out

    /// Called by the event log's writer while every session's writes wait: only takes note.
    public nonisolated func durable(upTo seq: Int64) {
        logNoter.yield(.durable(seq))
    }

    public nonisolated func refused(from seq: Int64, reason: String) {
        logNoter.yield(.refused(from: seq, reason: reason))
    }

    private func handle(_ note: LogNote) {
        switch note {
        case .durable(let seq): publish(upTo: seq)
        case .refused(let seq, let reason): lose(from: seq, reason: reason)
        }
    }

    /// Events up to `seq` are stored: they become what clients see, and their senders get their acks.
    /// What may wait (outputs, the closing snapshot) goes to the job queue.
    private func publish(upTo seq: Int64) {
        var outputs: [StoredOutput] = []
        while let first = pending.first, first.event.seq <= seq {
            pending.removeFirst()
            let e = first.event
            let before = published
            published.apply(e)
            for (activity, audiences) in first.views {
                for (audience, view) in audiences {
                    // An unchanged view (an upvote that changes nothing public) is not sent again.
                    if views[activity]?[audience]?.view == view { continue }
                    views[activity, default: [:]][audience] = (e.seq, view)
                    dirtyViews.insert(ViewKey(activity: activity, audience: audience))
                }
            }
            outputs += first.outputs
            if e.kind != .input {
                sessionDirty = sessionDirty || e.kind == .command
                rosterDirty = true
                presenceDirty = true
                if e.kind == .command, before.groups != published.groups {
                    // Group audiences change with the groups: resend group views to everyone concerned, stamped
                    // with this event. To a participant put into a group after its welcome the view is new even
                    // when the plugin's view is older than that welcome (clients drop views with seq ≤ welcome.seq).
                    for (activity, audiences) in views {
                        for a in audiences.keys where a.hasPrefix("group:") {
                            views[activity]?[a]?.seq = e.seq
                            dirtyViews.insert(ViewKey(activity: activity, audience: a))
                        }
                    }
                }
            }
            for target in awaitingAck.removeValue(forKey: e.seq) ?? [] { sendAck(e.seq, target) }
            if let received = receivedAt.removeValue(forKey: e.seq) {
                Metrics.ackLatency.recordNanoseconds((ContinuousClock.now - received).nanoseconds)
            }
        }
        // Resends of ids whose event became durable while they waited.
        for s in awaitingAck.keys where s <= seq {
            for target in awaitingAck.removeValue(forKey: s) ?? [] { sendAck(s, target) }
        }
        scheduleTick()
        let closing = published.status == .closed && !closedSnapshotSaved
        if closing { closedSnapshotSaved = true }
        if !outputs.isEmpty || closing { jobs.yield(.stored(outputs: outputs, closing: closing)) }
    }

    private func afterDurable(outputs: [StoredOutput], closing: Bool) async {
        if !outputs.isEmpty {
            do { reportFiling(try await services.store.saveOutputs(session: id, outputs)) } catch {
                services.logger.error("outputs not stored", metadata: ["session": "\(id)", "error": "\(error)"])
            }
        }
        if closing {
            await saveClosedSnapshot()
            // A closed session is served from its stored views: its instances can go.
            await stopPluginInstances()
        }
    }

    /// The store refused this session's events from `seq` on (its rows are gone, or a bug broke a
    /// constraint): they are not stored and never will be, so they are never acknowledged; their senders
    /// hear `unavailable`, and the session accepts nothing more (its state ran ahead of its log).
    private func lose(from seq: Int64, reason: String) {
        guard lost == nil else { return }
        lost = reason
        services.logger.critical("session events refused by the store; the session stops accepting",
                                 metadata: ["session": "\(id)", "from": "\(seq)", "reason": "\(reason)"])
        pending.removeAll { $0.event.seq >= seq }
        for s in awaitingAck.keys where s >= seq {
            for target in awaitingAck.removeValue(forKey: s) ?? [] { fail(target, HubError(.unavailable)) }
        }
    }

    /// Keeps the final views (closed sessions are served from them, without plugins), then seals the log:
    /// anonymous activities lose the link to participants, confidential payloads are redacted. The views are
    /// kept as an export shows them (`SessionExport.sealed`).
    private func saveClosedSnapshot() async {
        closedSnapshotSaved = true
        let confidential = confidentialInputs()
        let anonymous = Set(record.agenda.filter { $0.anonymity == .anonymous }.map(\.id))
        let stored = currentViews().compactMap { SessionExport.sealed($0, confidential: confidential, anonymous: anonymous, seq: published.seq) }
        views = [:]
        for v in stored { views[v.activity, default: [:]][v.audience] = (v.seq, v.view) }
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
            try await services.store.seal(session: id, anonymous: anonymous, confidential: confidentialInputs())
        } catch {
            services.logger.error("log not sealed", metadata: ["session": "\(id)", "error": "\(error)"])
        }
        for k in linked { accepted[k] = nil }
        for activity in anonymous.keys {
            keys[activity] = nil
            aliases[activity] = nil
        }
    }

    /// Activity → participant → pseudonym for every `anonymous` activity (no pseudonyms once its key is gone):
    /// what sealing and exports put in place of the participants.
    func anonymousAliases() -> [String: [String: String]] {
        var anonymous: [String: [String: String]] = [:]
        for item in record.agenda where item.anonymity == .anonymous {
            guard let key = keys[item.id] else { anonymous[item.id] = [:]; continue }
            anonymous[item.id] = Dictionary(live.participantOrder.map { ($0, Identifiers.pseudonym(participant: $0, key: key)) }, uniquingKeysWith: { a, _ in a })
        }
        return anonymous
    }

    private func scheduleTick() {
        guard !tickScheduled else { return }
        tickScheduled = true
        // A big room gets its views less often: each tick writes to every connection, and a beamer or a
        // phone needs no more than a few updates a second. Up to 250 connections: every tick (50 ms);
        // 2,000: every 8th (400 ms). Acks do not wait for ticks.
        let delay = services.tick * min(8, 1 + connections.count / 250)
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.tick()
        }
    }

    /// Sends what changed since the last tick: each view encoded once and the same bytes written to
    /// every connection of its audience.
    private func tick() {
        tickScheduled = false
        let started = ContinuousClock.now
        let conns = Array(connections.values)
        if sessionDirty {
            sessionDirty = false
            var byGroup: [String: ByteBuffer] = [:]
            let facilitatorFrame = sessionFrame(groups: SessionState.encodeGroups(published.groups))
            let nullFrame = sessionFrame(groups: .null)
            for c in conns where welcomedAtChange[c.id, default: 0] < sessionChanges {
                guard let facilitatorFrame, let nullFrame else { break }
                switch c.role {
                case .facilitator: c.outbox.send(facilitatorFrame)
                case .participant, .system:
                    if let p = c.participant, let g = published.group(of: p) {
                        guard let frame = byGroup[g] ?? sessionFrame(groups: .string(g)) else { continue }
                        byGroup[g] = frame
                        c.outbox.send(frame)
                    } else { c.outbox.send(nullFrame) }
                case .beamer: c.outbox.send(nullFrame)
                }
            }
        }
        if !dirtyViews.isEmpty {
            let dirty = dirtyViews
            dirtyViews.removeAll()
            for key in dirty {
                guard let v = views[key.activity]?[key.audience] else { continue }
                let targets: [ClientConnection]
                var wire = key.audience
                if key.audience == "public" {
                    targets = conns
                } else if key.audience == "facilitator" {
                    targets = conns.filter { $0.role == .facilitator }
                } else if key.audience.hasPrefix("group:") {
                    let members = Set(published.groups[String(key.audience.dropFirst(6))] ?? [])
                    targets = conns.filter { $0.participant.map(members.contains) ?? false }
                } else if key.audience.hasPrefix("participant:") {
                    wire = "me"
                    let p = participantFor(audience: key.audience, activity: key.activity)
                    targets = p.map { p in (participantConnections[p] ?? []).compactMap { connections[$0] } } ?? []
                } else {
                    continue
                }
                if targets.isEmpty { continue }
                guard let frame = frame(ViewMessage(seq: v.seq, activity: key.activity, audience: wire, view: v.view), "view \(key.activity) \(key.audience)") else { continue }
                for c in targets where v.seq > c.welcomeSeq.load(ordering: .relaxed) { c.outbox.send(frame) }
            }
        }
        if presenceDirty {
            presenceDirty = false
            if let plain = frame(presenceMessage(facilitator: false), "presence"), let full = frame(presenceMessage(facilitator: true), "presence") {
                for c in conns { c.outbox.send(c.role == .facilitator ? full : plain) }
            }
        }
        // The roster is the whole participant list: at most one a second, however fast people join.
        if rosterDirty, ContinuousClock.now - lastRoster < Self.rosterInterval {
            scheduleTick()
        } else if rosterDirty {
            rosterDirty = false
            lastRoster = ContinuousClock.now
            let withDiffs = conns.filter { $0.role == .facilitator && rosterDiffSent[$0.id] != nil }
            // A roster changes without an event too (a connection comes or goes), so one at the welcome's seq is
            // news; only one older than the welcome is not.
            let facilitators = conns.filter { $0.role == .facilitator && rosterDiffSent[$0.id] == nil && published.seq >= $0.welcomeSeq.load(ordering: .relaxed) }
            if !facilitators.isEmpty || !withDiffs.isEmpty {
                let entries = rosterEntries()
                if !facilitators.isEmpty, let frame = frame(rosterMessage(entries), "roster") {
                    for c in facilitators { c.outbox.send(frame) }
                }
                for c in withDiffs { sendRosterDiff(entries, to: c) }
            }
        }
        Metrics.tickDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
    }

    private func sessionFrame(groups: JSONValue) -> ByteBuffer? {
        guard let agenda = try? Self.json(agendaEntries(published)), let current = try? Self.json(published.currentActivity) else {
            services.logger.error("agenda not encodable; session message not sent", metadata: ["session": "\(id)"])
            return nil
        }
        let message: JSONValue = [
            "t": "session", "seq": .int(published.seq), "status": .string(published.status.rawValue),
            "agenda": agenda, "current": current, "groups": groups,
        ]
        return frame(message, "session")
    }

    private func presenceMessage(facilitator: Bool) -> JSONValue {
        let people = published.participantOrder.compactMap { published.participants[$0] }.filter { !$0.kicked }
        var m: [String: JSONValue] = [
            "t": "presence",
            "count": .int(Int64(people.count)),
            "connected": .int(Int64(connections.values.filter { $0.role == .participant && $0.participant != nil }.count)),
        ]
        if facilitator {
            var byFunction: [String: JSONValue] = [:]
            for p in people { byFunction[p.function ?? "", default: 0] = .int((byFunction[p.function ?? ""]?.intValue ?? 0) + 1) }
            m["byFunction"] = .object(byFunction)
            m["byGroup"] = .object(published.groups.mapValues { .int(Int64($0.count)) })
        }
        return .object(m)
    }

    /// The roster's entries in join order, kicked participants left out.
    private func rosterEntries() -> [(id: String, entry: JSONValue)] {
        published.participantOrder.compactMap { published.participants[$0] }.filter { !$0.kicked }.map { p in
            (p.id, [
                "id": .string(p.id), "name": p.name.map(JSONValue.string) ?? .null, "function": p.function.map(JSONValue.string) ?? .null,
                "org": p.org.map(JSONValue.string) ?? .null, "group": published.group(of: p.id).map(JSONValue.string) ?? .null,
                "connected": .bool(participantConnections[p.id] != nil),
            ])
        }
    }

    private func rosterMessage(_ entries: [(id: String, entry: JSONValue)]) -> JSONValue {
        ["t": "roster", "seq": .int(published.seq), "participants": .array(entries.map(\.entry))]
    }

    /// The entries that changed since what `conn` was sent (whole, in join order), and the ids that left
    /// the roster; nothing when nothing changed. A room of thousands then costs a facilitator a few
    /// hundred bytes a second instead of the whole list.
    private func sendRosterDiff(_ entries: [(id: String, entry: JSONValue)], to conn: ClientConnection) {
        var sent = rosterDiffSent[conn.id] ?? [:]
        var upsert: [JSONValue] = []
        for (id, entry) in entries where sent[id] != entry {
            upsert.append(entry)
            sent[id] = entry
        }
        let current = Set(entries.map(\.id))
        let removed = sent.keys.filter { !current.contains($0) }.sorted()
        for id in removed { sent[id] = nil }
        rosterDiffSent[conn.id] = sent
        guard !upsert.isEmpty || !removed.isEmpty else { return }
        let message: JSONValue = ["t": "roster-diff", "seq": .int(published.seq), "upsert": .array(upsert), "remove": .array(removed.map(JSONValue.string))]
        conn.outbox.send(message)
    }

    // MARK: - For the REST API and the registry

    public var status: SessionStatus { published.status }
    public var seq: Int64 { published.seq }
    public var participantCount: Int { published.participants.values.filter { !$0.kicked }.count }
    /// Joined connections (participants, facilitators, beamers): none for long, and the session may be unloaded.
    var connectionCount: Int { connections.count }
    public var snapshot: SessionState { published }

    /// Runs a facilitator command outside a WebSocket (REST start/close) through the same queue.
    public func runCommand(_ type: String, facilitator: String) async throws -> Int64 {
        let req = CommandRequest(id: "rest-\(Identifiers.random(prefix: ""))", type: type, fields: ["t": "command", "type": .string(type)])
        return try await withCheckedThrowingContinuation { cont in
            submit(.command(req, actor: facilitator, target: .waiter(cont), reply: nil))
        }
    }

    /// Closes every connection (hub shutdown, session deletion).
    public func disconnectAll(_ code: CloseCode) {
        for c in connections.values { c.outbox.close(code) }
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

    public func currentViews() -> [StoredView] {
        views.flatMap { activity, audiences in audiences.map { StoredView(activity: activity, audience: $0.key, seq: $0.value.seq, view: $0.value.view) } }
            .sorted { ($0.activity, $0.audience) < ($1.activity, $1.audience) }
    }

    func stopPluginInstances() async {
        for plugin in Set(record.agenda.map(\.plugin)) {
            guard let generation = generations.removeValue(forKey: plugin) else { continue }
            for item in record.agenda where item.plugin == plugin {
                _ = try? await services.host.send(plugin, generation: generation, .stop(instance: instanceId(item.id)))
            }
        }
    }

    /// Ends the session's life in this process, before its rows are deleted: the job loop stops (jobs still
    /// queued are refused), everything it accepted is written, then its plugin instances stop. Its events
    /// can then no longer reach a batch of the log after its rows are gone.
    public func retire() async {
        retired = true
        jobs.finish()
        await jobLoop?.value
        await services.log.flush()
        logNoter.finish()
        await stopPluginInstances()
    }
}

struct ViewMessage: Encodable {
    let t = "view"
    var seq: Int64
    var activity: String
    var audience: String
    var view: JSONValue
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
