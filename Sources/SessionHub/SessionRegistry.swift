import Foundation
import Logging
import Model
import Plugins
import Toolbox

/// The sessions this hub runs: loaded from the store on first use (or at start for draft and open ones),
/// created from agendas, deleted on request.
public actor SessionRegistry {
    let services: SessionServices
    /// Which sessions this node may run when several share a store (docs/SCALING.md "One owner per session").
    let ownership: any SessionOwnership
    private var byId: [String: LiveSession] = [:]
    private var restoring: [String: Task<LiveSession, any Error>] = [:]
    /// When each loaded session was last looked up or created: with no connections, the idle clock (finding 8).
    private var lastUsed: [String: ContinuousClock.Instant] = [:]
    /// Sessions being unloaded: a lookup waits until they have written what they accepted, then loads them again.
    private var unloading: [String: Task<Void, Never>] = [:]
    private var sweeper: Task<Void, Never>?
    private var follower: Task<Void, Never>?
    /// Sessions being deleted (id → code): not found any more, and not loaded again from their rows.
    private var deleting: [String: String] = [:]

    init(services: SessionServices, ownership: any SessionOwnership = SoleOwner()) {
        self.services = services
        self.ownership = ownership
    }

    private func phases() async -> [String: [String]] {
        await services.host.allManifests().mapValues { $0.phases.map(\.name) }
    }

    /// The live session with this id or join code, loading it from the store when needed.
    public func session(_ idOrCode: String) async throws -> LiveSession? {
        let key = Self.key(idOrCode)
        if isDeleting(key) { return nil }
        if let s = loaded(key) { return used(s) }
        guard let record = try await services.store.session(key) else { return nil }
        if let s = byId[record.id] { return used(s) }
        try await claim(record)
        return used(try await load(record))
    }

    /// Makes the session this node's before it is loaded; throws `SessionElsewhere` when another node runs it.
    private func claim(_ record: SessionRecord) async throws {
        // A node that has just taken the lock writes its address a moment later: ask again, for 2 s at most.
        for _ in 0..<20 {
            switch try await ownership.claim(record.id) {
            case .mine: return
            case .elsewhere(let node): throw SessionElsewhere(node: node, session: record.id, code: record.code)
            case .changing: try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw HubError(.unavailable)
    }

    /// Whether the id or join code names a session, without loading it (a load can take seconds: a takeover replays).
    public func knows(_ idOrCode: String) async throws -> Bool {
        let key = Self.key(idOrCode)
        if isDeleting(key) { return false }
        if loaded(key) != nil { return true }
        return try await services.store.session(key) != nil
    }

    /// Ids as they are, join codes in capitals (codes are typed in any case).
    private static func key(_ idOrCode: String) -> String { idOrCode.hasPrefix("s_") ? idOrCode : idOrCode.uppercased() }

    private func isDeleting(_ key: String) -> Bool { deleting[key] != nil || deleting.values.contains(key) }

    /// The session loaded on this node under this id or code.
    private func loaded(_ key: String) -> LiveSession? { byId[key] ?? byId.values.first { $0.code == key } }

    private func used(_ s: LiveSession) -> LiveSession {
        lastUsed[s.id] = .now
        return s
    }

    /// One load per session, however many callers ask at once: a join arriving while `loadUnfinished`
    /// restores the same session after a restart must not build (and replay) it a second time.
    private func load(_ record: SessionRecord) async throws -> LiveSession {
        // Never two live copies: an unloading one first writes everything it accepted.
        while let pending = unloading[record.id] { await pending.value }
        if let s = byId[record.id] { return s }
        if let task = restoring[record.id] { return try await task.value }
        let task = Task { try await self.build(record) }
        restoring[record.id] = task
        defer { restoring[record.id] = nil }
        do { return try await task.value } catch {
            await ownership.release(record.id)
            throw error
        }
    }

    private func build(_ record: SessionRecord) async throws -> LiveSession {
        let keys = try await services.store.activityKeys(session: record.id)
        let phases = await phases()
        let session = LiveSession(record: record, keys: keys, services: services, phases: phases)
        await session.setManifests(await services.host.allManifests())
        try await session.start(phases: phases)
        // Only a started session is handed out; callers that came meanwhile waited on `restoring`.
        byId[record.id] = session
        Metrics.sessionsLoaded.set(byId.count)
        return session
    }

    /// Brings every draft and open session back after a restart or a crash.
    /// With several nodes on one store, each brings back only the sessions it ran before (the others' come back
    /// wherever their clients reconnect).
    func loadUnfinished() async {
        let mine: Set<String>?
        do { mine = try await ownership.formerlyMine().map(Set.init) } catch {
            services.logger.error("sessions not restored: the owner table cannot be read", metadata: ["error": "\(error)"])
            return
        }
        for status in [SessionStatus.draft, .open] {
            guard let records = try? await services.store.sessions(status: status) else { continue }
            for r in records where byId[r.id] == nil && mine?.contains(r.id) != false {
                do {
                    try await claim(r)
                    _ = try await load(r)
                } catch is SessionElsewhere {
                    continue
                } catch {
                    services.logger.error("session not restored", metadata: ["session": "\(r.id)", "error": "\(error)"])
                }
            }
        }
    }

    public func create(_ agenda: ParsedAgenda, source: String, createdBy: String?) async throws -> LiveSession {
        var seriesId: String?
        if let name = agenda.series {
            if let existing = try await services.store.series(name) {
                seriesId = existing.id
            } else {
                try await services.store.saveSeries(SeriesRecord(id: name, title: name, createdAt: services.clock()))
                seriesId = name
            }
        }
        var keys: [String: [UInt8]] = [:]
        for item in agenda.items { keys[item.id] = Identifiers.randomBytes(32) }
        var items: [AgendaItem] = []
        for item in agenda.items {
            var resolved = item
            resolved.context = try await ContextResolver(kennisbank: services.kennisbank).resolve(item.context)
            items.append(resolved)
        }
        for _ in 0..<50 {
            let record = SessionRecord(
                id: Identifiers.random(prefix: "s_"), code: Identifiers.joinCode(), seriesId: seriesId, title: agenda.title,
                date: agenda.date, lang: agenda.lang, agendaSource: source, agenda: items, createdAt: services.clock(), createdBy: createdBy)
            do {
                try await services.store.createSession(record, activityKeys: keys)
            } catch StoreError.duplicate {
                continue
            }
            try await services.store.audit(actor: createdBy, action: "session.create", target: record.id)
            try await claim(record)
            return used(try await load(record))
        }
        throw HubError(.internal, LocalizedText(nl: "Geen vrije deelnamecode gevonden.", en: "No free join code found."))
    }

    /// Deletes a session: first it stops accepting and writes what it accepted (its job loop ends, its
    /// queued jobs are refused, the log is flushed), only then its rows go. Its events can therefore never
    /// be in a batch of the event log with rows that no longer exist, and fail other sessions' events.
    public func delete(_ session: LiveSession, by actor: String?) async throws {
        // Deleting writes what the session accepted first: while the log cannot store, that would hang.
        guard services.log.isDurable else { throw HubError(.unavailable) }
        deleting[session.id] = session.code
        defer { deleting[session.id] = nil }
        byId[session.id] = nil
        await session.disconnectAll(.sessionDeleted)
        await session.retire()
        try await services.store.deleteSession(session.id, actor: actor)
        await ownership.release(session.id)
    }

    /// Runs `body` with the session out of memory (its viewers disconnected to come back): a lookup meanwhile
    /// waits, then loads it again from the store. A participant's erasure rewrites a closed session's log and views.
    func whileUnloaded<T: Sendable>(_ id: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        while let pending = unloading[id] { await pending.value }
        let loaded = byId.removeValue(forKey: id)
        lastUsed[id] = nil
        let work = Task {
            if let loaded {
                await loaded.disconnectAll(.goingAway)
                await loaded.retire()
            }
            return try await body()
        }
        unloading[id] = Task { _ = await work.result }
        let result = await work.result
        unloading[id] = nil
        Metrics.sessionsLoaded.set(byId.count)
        return try result.get()
    }

    func pluginStateChanged(_ plugin: String, _ state: PluginState, _ error: String?) async {
        for s in byId.values { await s.pluginStateChanged(plugin, state, error) }
    }

    /// Tells every session about the manifests after `plugins reload`.
    func manifestsChanged() async {
        let manifests = await services.host.allManifests()
        for s in byId.values { await s.setManifests(manifests) }
    }

    /// Every `idle / 4` (at most a minute) unloads the sessions idle that long (`--session-idle-minutes`).
    func unloadIdleSessions(after idle: Duration) {
        sweeper?.cancel()
        let every = min(idle / 4, .seconds(60))
        sweeper = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                await self?.unloadIdle(after: idle)
            }
        }
    }

    /// Unloads the sessions that had no connection and no lookup for `idle`: a probed join code loads its
    /// session, and without this it stayed in memory (with its plugin instances) until the hub stopped. An
    /// unloaded session is loaded again, from its log, by the next lookup. A join always looks the session
    /// up first (which restarts the clock), so a session is never unloaded under a join.
    func unloadIdle(after idle: Duration) async {
        lastUsed = lastUsed.filter { byId[$0.key] != nil }
        let now = ContinuousClock.now
        for (id, s) in byId where unloading[id] == nil {
            guard let used = lastUsed[id] else { lastUsed[id] = now; continue }
            guard now - used >= idle else { continue }
            guard await s.connectionCount == 0 else { lastUsed[id] = .now; continue }
            // The await let other calls in: unload only if nobody looked the session up meanwhile.
            guard byId[id] === s, lastUsed[id] == used else { continue }
            byId[id] = nil
            lastUsed[id] = nil
            let task = Task {
                await s.retire()
                await self.ownership.release(id)
            }
            unloading[id] = task
            await task.value
            unloading[id] = nil
            services.logger.info("unloaded idle session", metadata: ["session": "\(id)"])
        }
        Metrics.sessionsLoaded.set(byId.count)
    }

    /// Unloads every session whenever the claims may be lost (the lock connection broke): another node may take
    /// them now, and never two run one. Their clients are closed with 1012 and reconnect to whichever node runs them.
    func followOwnership() {
        follower?.cancel()
        follower = Task { [weak self, losses = ownership.losses] in
            for await _ in losses { await self?.dropAll() }
        }
    }

    private func dropAll() async {
        let loaded = byId
        byId = [:]
        lastUsed = [:]
        services.logger.error("ownership lost: unloading every session", metadata: ["sessions": "\(loaded.count)"])
        for s in loaded.values {
            await s.disconnectAll(.serviceRestart)
            await s.retire()
        }
        Metrics.sessionsLoaded.set(byId.count)
    }

    func shutdown() async {
        sweeper?.cancel()
        follower?.cancel()
        for s in byId.values { await s.disconnectAll(.goingAway) }
        // Gives up on a log that cannot write instead of retrying forever: nothing unwritten was acknowledged.
        await services.log.shutdown()
    }
}

/// Resolves an agenda item's `context` references when the session is created (CONTRACTS.md §2): the
/// records are stored with the agenda, so replays see what the session started from even after the
/// kennisbank changed. Only published descriptions are handed to plugins.
struct ContextResolver {
    let kennisbank: any KennisbankStore
    static let limit = 50

    func resolve(_ context: JSONValue) async throws -> JSONValue {
        guard var o = context.objectValue else { return [:] }
        if let ref = o["kennisbank"] {
            o["kennisbank"] = ["ref": ref, "records": .array(try await records(ref).map { try JSONCoding.value($0) })]
        }
        return .object(o)
    }

    /// `[id, …]` in the order written, or `{facet: value | [values]}` by title.
    func records(_ ref: JSONValue) async throws -> [Intervention] {
        if case .array(let ids) = ref {
            var found: [Intervention] = []
            for id in ids.compactMap(\.stringValue).prefix(Self.limit) {
                if let i = try await kennisbank.intervention(id, version: nil), i.state == .published { found.append(i) }
            }
            return found
        }
        guard case .object(let filters) = ref else { return [] }
        var query = InterventionQuery(limit: Self.limit)
        for (facet, value) in filters {
            switch value {
            case .string(let v): query.filters[facet] = [v]
            case .array(let vs): query.filters[facet] = vs.compactMap(\.stringValue)
            default: continue
            }
        }
        var found: [Intervention] = []
        for hit in try await kennisbank.search(query).hits {
            if let i = try await kennisbank.intervention(hit.id, version: nil) { found.append(i) }
        }
        return found.sorted { ($0.title, $0.id) < ($1.title, $1.id) }
    }
}
