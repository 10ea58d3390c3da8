import Foundation
import Logging
import Model
import NIOCore
import Toolbox

/// What a session's connections see: the published state (as of the last durable event), the latest view
/// per activity and audience, and the connections themselves. Changes are marked dirty and sent on the
/// next tick, each view encoded once and the same bytes written to every connection of its audience
/// (DESIGN.md §3); welcomes, presence and the facilitators' roster go out from here too.
///
/// Owned by its `LiveSession` and used only on it; the session runs the tick (`tick(_:)`) when `claimTick`
/// says one is due.
final class Fanout {
    struct ViewKey: Hashable {
        var activity: String
        var audience: String
    }

    private let record: SessionRecord
    private let services: SessionServices
    /// State as of the last durable event: what clients are shown.
    private(set) var published: SessionState
    private var views: [String: [String: (seq: Int64, view: JSONValue)]] = [:]
    private var dirtyViews: Set<ViewKey> = []
    private var sessionDirty = false { didSet { if sessionDirty { sessionChanges &+= 1 } } }
    /// Counts changes of what `session` shows; each connection's welcome records the count it reflected.
    /// A plugin-health change keeps `seq`, so `seq` alone cannot tell who has seen it.
    private var sessionChanges = 0
    private var welcomedAtChange: [Int: Int] = [:]
    private var rosterDirty = false
    private var presenceDirty = false
    /// Facilitator account id → name, for `presence.facilitators` (filled when a facilitator joins).
    var facilitatorNames: [String: String] = [:]
    private var tickScheduled = false
    private var lastRoster = ContinuousClock.now - .seconds(60)
    private var lastPresence = ContinuousClock.now - .seconds(60)
    /// Facilitator connections that asked for `roster-diff` (join `features`), with the roster entries each
    /// has been sent: each tick sends it only the entries that changed (docs/PROTOCOL.md "roster-diff").
    private var rosterDiffSent: [Int: [String: ServerMessage.RosterEntry]] = [:]
    static let rosterDiffFeature = "roster-diff"
    private(set) var connections: [Int: ClientConnection] = [:]
    private var participantConnections: [String: Set<Int>] = [:]

    init(record: SessionRecord, services: SessionServices, published: SessionState) {
        self.record = record
        self.services = services
        self.published = published
    }

    private var id: String { record.id }

    // MARK: - Connections

    func attach(_ conn: ClientConnection) {
        connections[conn.id] = conn
        if let p = conn.participant { participantConnections[p, default: []].insert(conn.id) }
        presenceDirty = true
        rosterDirty = true
    }

    /// A facilitator that asked for `roster-diff` gets diffs after its first full roster.
    func wantsRosterDiff(_ connection: Int) { rosterDiffSent[connection] = [:] }

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
    }

    /// Participants of `state` with at least one connection, in join order (what `groups` forms groups of).
    func presentParticipants(in state: SessionState) -> [String] { state.participantOrder.filter { participantConnections[$0] != nil } }

    func connections(of participant: String) -> [ClientConnection] {
        (participantConnections[participant] ?? []).compactMap { connections[$0] }
    }

    func disconnectAll(_ code: CloseCode) {
        for c in connections.values { c.outbox.close(code) }
    }

    // MARK: - What changed

    func sessionChanged() { sessionDirty = true }

    /// Whether a tick has something to send.
    var hasChanges: Bool { sessionDirty || !dirtyViews.isEmpty || presenceDirty || rosterDirty }

    /// After a rebuild from the log.
    func restore(_ state: SessionState) { published = state }

    /// One durable event becomes what clients see, with the views its plugins answered.
    func publish(_ e: LoggedEvent, views results: [(activity: String, views: [String: JSONValue])]) {
        let before = published
        published.apply(e)
        for (activity, audiences) in results {
            for (audience, view) in audiences {
                // An unchanged view (an upvote that changes nothing public) is not sent again.
                if views[activity]?[audience]?.view == view { continue }
                views[activity, default: [:]][audience] = (e.seq, view)
                dirtyViews.insert(ViewKey(activity: activity, audience: audience))
            }
        }
        guard e.kind != .input else { return }
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

    /// The last views a replay returned: those that differ from what the room has become the published ones.
    func adoptReplayed(_ latest: [String: [String: JSONValue]], lastSeq: [String: Int64]) {
        for (activity, audiences) in latest {
            for (audience, view) in audiences {
                let seq = lastSeq[activity] ?? 0
                if let old = views[activity]?[audience], old.view == view { continue }
                views[activity, default: [:]][audience] = (max(seq, published.seq), view)
                dirtyViews.insert(ViewKey(activity: activity, audience: audience))
            }
        }
    }

    /// Every view, sorted (what a closed session stores and an export shows).
    func currentViews() -> [StoredView] {
        views.flatMap { activity, audiences in audiences.map { StoredView(activity: activity, audience: $0.key, seq: $0.value.seq, view: $0.value.view) } }
            .sorted { ($0.activity, $0.audience) < ($1.activity, $1.audience) }
    }

    /// A closed session is served from its stored views.
    func replaceViews(_ stored: [StoredView]) {
        views = [:]
        for v in stored { views[v.activity, default: [:]][v.audience] = (v.seq, v.view) }
    }

    // MARK: - Welcome

    func sendWelcome(_ conn: ClientConnection, _ instances: ActivityInstances) {
        conn.welcomeSeq.store(published.seq, ordering: .relaxed)
        welcomedAtChange[conn.id] = sessionChanges
        let aliases = conn.participant.map(instances.aliases(of:)) ?? [:]
        var activityViews: [String: [String: JSONValue]] = [:]
        for activity in published.order {
            let held = views[activity] ?? [:]
            var audiences: [String: JSONValue] = [:]
            if conn.participant != nil, aliases[activity] == nil {
                // No pseudonym key for this activity any more: which participant view is whose is found the slow way.
                for (key, v) in held {
                    if let audience = Audience(key: key), receives(conn, audience, activity: activity, instances) { audiences[audience.wireName] = v.view }
                }
            } else {
                // The audiences this connection can receive, looked up by key: scanning every view instead made a join
                // cost as much as the room has participant views, and a join wave of N the square of N.
                for audience in audiencesReceived(by: conn, alias: aliases[activity]) {
                    if let v = held[audience.key] { audiences[audience.wireName] = v.view }
                }
            }
            activityViews[activity] = audiences
        }
        let state = ServerMessage.WelcomeState(status: published.status, agenda: instances.agendaEntries(published), current: published.currentActivity,
                                               groups: groupsField(for: conn), views: activityViews)
        var welcome = ServerMessage.Welcome(role: conn.role, session: .init(id: id, code: record.code, title: record.title, lang: record.lang),
                                            seq: published.seq, state: state)
        if let p = conn.participant {
            welcome.participant = p
            welcome.token = services.tokens.issue(session: id, participant: p)
            // Extension: the id each plugin knows this participant by, so a plugin's web component can find "me" in its views.
            welcome.aliases = aliases
            // Extension: who keeps one identity across the series gets the token that continues it (docs/SERIES.md).
            if let series = record.seriesId, published.participants[p]?.seriesMember == true {
                welcome.seriesToken = services.tokens.issue(series: series, participant: p)
            }
        }
        conn.outbox.send(.welcome(welcome))
        // Presence follows on the next tick (attach marks it): computing it per welcome would make a join
        // wave of N cost N² (docs/BENCH.md).
        if conn.role == .facilitator {
            let entries = rosterEntries()
            // The full roster is the base a `roster-diff` connection's diffs apply to.
            if rosterDiffSent[conn.id] != nil { rosterDiffSent[conn.id] = Dictionary(entries.map { ($0.id, $0) }) { $1 } }
            conn.outbox.send(.roster(.init(seq: published.seq, participants: entries)))
        }
    }

    private func groupsField(for conn: ClientConnection) -> JSONValue {
        switch conn.role {
        case .facilitator: return SessionState.encodeGroups(published.groups)
        case .participant: return conn.participant.flatMap { published.group(of: $0) }.map(JSONValue.string) ?? .null
        case .beamer, .system: return .null
        }
    }

    /// Every audience whose views this connection receives in an activity where its participant is `alias`
    /// (`receives` answers the same per audience).
    private func audiencesReceived(by conn: ClientConnection, alias: String?) -> [Audience] {
        switch conn.role {
        case .beamer: return [.everyone]
        case .facilitator: return [.everyone, .facilitators]
        case .participant, .system:
            var all: [Audience] = [.everyone]
            if let g = conn.participant.flatMap({ published.group(of: $0) }) { all.append(.group(g)) }
            if let alias { all.append(.participant(alias: alias)) }
            return all
        }
    }

    /// Whether this connection receives a view for `audience`.
    private func receives(_ conn: ClientConnection, _ audience: Audience, activity: String, _ instances: ActivityInstances) -> Bool {
        switch (conn.role, audience) {
        case (_, .everyone): return true
        case (.beamer, _): return false
        case (.facilitator, .facilitators): return true
        case (.facilitator, _): return false
        case (.participant, .facilitators), (.system, .facilitators): return false
        case (.participant, .group(let g)), (.system, .group(let g)):
            return conn.participant.flatMap { published.group(of: $0) } == g
        case (.participant, .participant(let alias)), (.system, .participant(let alias)):
            guard let p = conn.participant else { return false }
            return instances.participant(alias: alias, activity: activity, in: published) == p
        }
    }

    // MARK: - The tick

    /// Whether a tick is to be scheduled now, and after how long (the fixed tick, 50 ms): nil when one already
    /// is. Every tick writes to every connection concerned, but as one batch per event loop with one flush
    /// per connection (`OutboxBatch`), so a big room keeps the short tick (docs/PERFORMANCE.md). Acks do not
    /// wait for ticks.
    func claimTick() -> Duration? {
        guard !tickScheduled else { return nil }
        tickScheduled = true
        return services.tick
    }

    /// Connections above which presence is sent at most once per roster interval.
    static let bigRoom = 250

    /// Sends what changed since the last tick. Returns true when the roster or presence had to wait (another tick is due).
    func tick(_ instances: ActivityInstances) -> Bool {
        tickScheduled = false
        let started = ContinuousClock.now
        defer { Metrics.tickDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds) }
        let conns = Array(connections.values)
        // Everything this tick queues is written together at its end: one drain per connection, batched per event loop.
        var batch = OutboxBatch()
        defer { batch.flush() }
        if sessionDirty {
            sessionDirty = false
            let agenda = instances.agendaEntries(published)
            var byGroup: [String: WireFrame] = [:]
            let facilitatorFrame = sessionFrame(agenda, groups: SessionState.encodeGroups(published.groups))
            let nullFrame = sessionFrame(agenda, groups: .null)
            for c in conns where welcomedAtChange[c.id, default: 0] < sessionChanges {
                guard let facilitatorFrame, let nullFrame else { break }
                switch c.role {
                case .facilitator: batch.send(facilitatorFrame, to: c.outbox)
                case .participant, .system:
                    if let p = c.participant, let g = published.group(of: p) {
                        guard let frame = byGroup[g] ?? sessionFrame(agenda, groups: .string(g)) else { continue }
                        byGroup[g] = frame
                        batch.send(frame, to: c.outbox)
                    } else { batch.send(nullFrame, to: c.outbox) }
                case .beamer: batch.send(nullFrame, to: c.outbox)
                }
            }
        }
        if !dirtyViews.isEmpty {
            let dirty = dirtyViews
            dirtyViews.removeAll()
            for key in dirty {
                guard let v = views[key.activity]?[key.audience], let audience = Audience(key: key.audience) else { continue }
                let targets: [ClientConnection]
                switch audience {
                case .everyone:
                    targets = conns
                case .facilitators:
                    targets = conns.filter { $0.role == .facilitator }
                case .group(let g):
                    let members = Set(published.groups[g] ?? [])
                    targets = conns.filter { $0.participant.map(members.contains) ?? false }
                case .participant(let alias):
                    let p = instances.participant(alias: alias, activity: key.activity, in: published)
                    targets = p.map(connections(of:)) ?? []
                }
                if targets.isEmpty { continue }
                let message = ServerMessage.view(.init(seq: v.seq, activity: key.activity, audience: audience.wireName, view: v.view))
                guard let frame = frame(message, "view \(key.activity) \(key.audience)") else { continue }
                // A connection whose socket has not taken the previous one yet gets only this one (`Outbox.enqueue`).
                for c in targets where v.seq > c.welcomeSeq.load(ordering: .relaxed) { batch.send(frame, to: c.outbox, view: key) }
            }
        }
        // A room's presence changes with every join: in a big room at most once per roster interval, else a
        // join wave of N costs N² frames on the short tick (docs/PERFORMANCE.md).
        let presenceWaits = presenceDirty && conns.count > Self.bigRoom && ContinuousClock.now - lastPresence < services.rosterInterval
        if presenceDirty, !presenceWaits {
            presenceDirty = false
            lastPresence = ContinuousClock.now
            if let plain = frame(.presence(presence(facilitator: false)), "presence"), let full = frame(.presence(presence(facilitator: true)), "presence") {
                for c in conns { batch.send(c.role == .facilitator ? full : plain, to: c.outbox) }
            }
        }
        // The roster is the whole participant list: at most one a second, however fast people join.
        if rosterDirty, ContinuousClock.now - lastRoster < services.rosterInterval { return true }
        if rosterDirty {
            rosterDirty = false
            lastRoster = ContinuousClock.now
            let withDiffs = conns.filter { $0.role == .facilitator && rosterDiffSent[$0.id] != nil }
            // A roster changes without an event too (a connection comes or goes), so one at the welcome's seq is
            // news; only one older than the welcome is not.
            let facilitators = conns.filter { $0.role == .facilitator && rosterDiffSent[$0.id] == nil && published.seq >= $0.welcomeSeq.load(ordering: .relaxed) }
            if !facilitators.isEmpty || !withDiffs.isEmpty {
                let entries = rosterEntries()
                if !facilitators.isEmpty, let frame = frame(.roster(.init(seq: published.seq, participants: entries)), "roster") {
                    for c in facilitators { batch.send(frame, to: c.outbox) }
                }
                for c in withDiffs { sendRosterDiff(entries, to: c) }
            }
        }
        return presenceWaits
    }

    /// A frame for the connections, or nil (logged) when it cannot be encoded: a view a plugin nested too
    /// deep is left out rather than sent as `null`.
    private func frame(_ message: ServerMessage, _ what: String) -> WireFrame? {
        do { return WireFrame(text: try message.text()) } catch {
            services.logger.error("frame not encodable; not sent", metadata: ["session": "\(id)", "what": "\(what)", "error": "\(error)"])
            return nil
        }
    }

    private func sessionFrame(_ agenda: [AgendaEntry], groups: JSONValue) -> WireFrame? {
        frame(.session(.init(seq: published.seq, status: published.status, agenda: agenda, current: published.currentActivity, groups: groups)), "session")
    }

    private func presence(facilitator: Bool) -> ServerMessage.Presence {
        let people = published.participantOrder.compactMap { published.participants[$0] }.filter { !$0.kicked }
        var m = ServerMessage.Presence(count: people.count, connected: connections.values.filter { $0.role == .participant && $0.participant != nil }.count)
        if facilitator {
            var byFunction: [String: Int] = [:]
            for p in people { byFunction[p.function ?? "", default: 0] += 1 }
            m.byFunction = byFunction
            m.byGroup = published.groups.mapValues(\.count)
            let inConsole = Set(connections.values.compactMap { $0.role == .facilitator ? $0.facilitator : nil })
            m.facilitators = inConsole.sorted().map { .init(id: $0, name: facilitatorNames[$0] ?? "") }
            if people.contains(where: { $0.domain != nil }) {
                var byDomain: [String: Int] = [:]
                for p in people { byDomain[p.domain ?? "", default: 0] += 1 }
                m.byDomain = byDomain
            }
        }
        return m
    }

    /// The roster's entries in join order, kicked participants left out.
    private func rosterEntries() -> [ServerMessage.RosterEntry] {
        published.participantOrder.compactMap { published.participants[$0] }.filter { !$0.kicked }.map { p in
            ServerMessage.RosterEntry(id: p.id, name: p.name, function: p.function, org: p.org, group: published.group(of: p.id),
                                      connected: participantConnections[p.id] != nil, domain: p.domain)
        }
    }

    /// The entries that changed since what `conn` was sent (whole, in join order), and the ids that left
    /// the roster; nothing when nothing changed. A room of thousands then costs a facilitator a few
    /// hundred bytes a second instead of the whole list.
    private func sendRosterDiff(_ entries: [ServerMessage.RosterEntry], to conn: ClientConnection) {
        var sent = rosterDiffSent[conn.id] ?? [:]
        var upsert: [ServerMessage.RosterEntry] = []
        for entry in entries where sent[entry.id] != entry {
            upsert.append(entry)
            sent[entry.id] = entry
        }
        let current = Set(entries.map(\.id))
        let removed = sent.keys.filter { !current.contains($0) }.sorted()
        for id in removed { sent[id] = nil }
        rosterDiffSent[conn.id] = sent
        guard !upsert.isEmpty || !removed.isEmpty else { return }
        conn.outbox.send(.rosterDiff(.init(seq: published.seq, upsert: upsert, remove: removed)))
    }
}
