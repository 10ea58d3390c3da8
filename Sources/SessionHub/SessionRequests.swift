import Foundation
import Logging
import Metrics
import Model
import Plugins
import Toolbox

/// The three jobs clients give a session (join, input, command): each checked against `live`, the state
/// including accepted events, then given to the plugins, then accepted into the log (LiveSession.swift).
extension LiveSession {
    // MARK: - Join

    func join(_ existing: ClientConnection?, _ req: JoinRequest, outbox: Outbox, facilitator: String?) async -> Result<ClientConnection, HubError> {
        let lang = req.lang ?? record.lang
        let connId = ConnectionIds.next()
        let conn: ClientConnection
        if let facilitator {
            conn = ClientConnection(id: connId, outbox: outbox, role: .facilitator, participant: nil, facilitator: facilitator, lang: lang)
            if req.features.contains(Fanout.rosterDiffFeature) { fanout.wantsRosterDiff(connId) }
            // Who is in the console (presence.facilitators): the account's name, looked up once per session.
            if fanout.facilitatorNames[facilitator] == nil, let f = try? await services.store.facilitator(id: facilitator) {
                fanout.facilitatorNames[facilitator] = f.name
            }
        } else if req.asBeamer {
            conn = ClientConnection(id: connId, outbox: outbox, role: .beamer, participant: nil, facilitator: nil, lang: lang)
        } else if let token = req.token {
            guard let (session, participant) = services.tokens.verify(token), session == id,
                  let who = live.participants[participant], !who.kicked
            else { return .failure(HubError(.unauthorized)) }
            conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: participant, facilitator: nil, lang: lang)
        } else if let seriesToken = req.seriesToken {
            // One identity across the series (docs/SERIES.md "Participants who continue"): the token names the
            // series participant; in a session they joined before it rejoins them, else they join as that id.
            guard let series = record.seriesId, let (named, participant) = services.tokens.verifySeries(seriesToken), named == series,
                  live.participants[participant]?.kicked != true
            else { return .failure(Self.badSeriesToken) }
            if live.participants[participant] != nil || live.status == .closed {
                conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: live.participants[participant] == nil ? nil : participant,
                                        facilitator: nil, lang: lang)
            } else {
                var domain = req.domain?.rawValue
                if domain == nil, let kept = try? await (services.store as? any SeriesParticipantStore)?.seriesParticipants(series: series) {
                    domain = kept.first { $0.id == participant }?.domain
                }
                return await newParticipant(req, id: participant, series: series, domain: domain, connId: connId, outbox: outbox, lang: lang)
            }
        } else if live.status == .closed {
            // Read-only results: no new participant joins a closed session.
            conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: nil, facilitator: nil, lang: lang)
        } else if !services.log.isDurable {
            // A join is an event: while the log cannot store, nobody new comes in (a rejoin needs no event).
            return .failure(HubError(.unavailable))
        } else {
            // Opting in only means something in a session of a series; elsewhere it is a join like any other.
            let series = req.optInSeries ? record.seriesId : nil
            return await newParticipant(req, id: Identifiers.random(prefix: "p_"), series: series, domain: req.domain?.rawValue,
                                        connId: connId, outbox: outbox, lang: lang)
        }
        attach(conn)
        fanout.sendWelcome(conn, instances)
        Metrics.joins.increment()
        return .success(conn)
    }

    /// A first join in this session: logged as a `join` event. `series`: they keep this id across that series
    /// (logged as `series: true`, enrolled with the series, and their welcome carries a series token).
    private func newParticipant(_ req: JoinRequest, id participant: String, series: String?, domain: String?, connId: Int,
                                outbox: Outbox, lang: Language) async -> Result<ClientConnection, HubError> {
        // A join is an event: while the log cannot store, nobody new comes in (a rejoin needs no event).
        guard services.log.isDurable else { return .failure(HubError(.unavailable)) }
        // Every join stays in the log, the roster and presence: the cap keeps fake joins from growing them without end.
        guard live.participants.count < services.maxParticipants else { return .failure(HubError(.sessionFull)) }
        var payload: [String: JSONValue] = ["participant": .string(participant)]
        if let n = req.name { payload["name"] = .string(n) }
        if let f = req.function { payload["function"] = .string(f) }
        if let o = req.org { payload["org"] = .string(o) }
        if let d = domain { payload["domain"] = .string(d) }
        if let series {
            payload["series"] = .bool(true)
            do {
                try await (services.store as? any SeriesParticipantStore)?.enrolSeriesParticipant(
                    series: series, participant: participant, domain: domain, at: services.clock())
            } catch {
                return .failure(HubError(.unavailable))
            }
        }
        let event = LoggedEvent(seq: live.seq + 1, kind: .join, activity: nil, actor: participant, role: .participant,
                                type: "join", payload: .object(payload), clientId: nil, at: services.clock())
        let conn = ClientConnection(id: connId, outbox: outbox, role: .participant, participant: participant, facilitator: nil, lang: lang)
        await acceptSystemEvent(event, target: .welcome(conn))
        Metrics.joins.increment()
        return .success(conn)
    }

    /// A series token that is forged, of another series, or of someone removed from this session: refused, and
    /// the connection stays (the page then joins without it). Not 4003: that is for the session's own rejoin token.
    static let badSeriesToken = HubError(.unauthorized, LocalizedText(
        nl: "Je reekstoken hoort niet bij deze reeks of is ongeldig. Doe mee zonder, als nieuwe deelnemer.",
        en: "Your series token does not belong to this series or is invalid. Join without it, as a new participant."), detail: "series_token")

    // MARK: - Inputs

    func input(_ conn: ClientConnection, _ req: InputRequest, received: ContinuousClock.Instant) async {
        let actor = conn.actorId
        if let seq = ledger.accepted[IdempotencyKey.make(actor: actor, clientId: req.id)] {
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
        if instances.faults.isPoisoned(actor: actor, req) {
            Metrics.rejects.increment()
            conn.sendError(PluginFaults.refusal(conn.lang), id: req.id)
            return
        }
        let event = LoggedEvent(seq: live.seq + 1, kind: .input, activity: req.activity, actor: actor, role: conn.role,
                                type: req.type, payload: req.payload, clientId: req.id, at: services.clock())
        let delivery = PluginDelivery(activity: req.activity, type: req.type, payload: req.payload, actor: actor, role: conn.role)
        do {
            switch try await instances.deliver(delivery, event: event, state: live) {
            case .views(_, _, let v, let outputs):
                await accept(event, views: [(req.activity, v)], outputs: instances.storedOutputs(outputs, activity: req.activity, seq: event.seq),
                             target: .connection(conn, id: req.id))
                ledger.receivedAt[event.seq] = received
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
            instances.poisoned(actor: actor, req)
            if f.instanceFailed { instances.instanceFailed(req.activity, reason: f.failure.description) }
            services.logger.warning("input made its plugin fail; refused", metadata: [
                "session": "\(id)", "activity": "\(req.activity)", "type": "\(req.type.prefix(64))", "reason": "\(f.failure)"])
            conn.sendError(PluginFaults.refusal(conn.lang), id: req.id)
        } catch let f as PluginInstanceFailed {
            instances.instanceFailed(req.activity, reason: f.reason)
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
        guard let manifest = instances.manifests[activity.item.plugin], let phase = manifest.phase(named: activity.phase) else {
            return HubError(.pluginUnavailable)
        }
        // CONTRACTS §1 orders the phase gate before "input open": a type this phase never takes from this
        // role is `phase_forbids` whether or not input is open right now.
        guard phase.allows(role: conn.role, type: req.type) else { return HubError(.phaseForbids) }
        guard activity.inputsOpen else { return HubError(.activityClosed) }
        return nil
    }

    // MARK: - Commands

    func command(_ req: CommandRequest, actor: String, target: AckTarget, conn: ClientConnection?) async {
        func refuse(_ e: HubError) {
            Metrics.rejects.increment()
            fail(target, e)
        }
        if let seq = ledger.accepted[IdempotencyKey.make(actor: actor, clientId: req.id)] {
            ackOrWait(seq, target)
            return
        }
        let manifests = instances.manifests
        var resolver = CommandResolver(phases: { manifests[$0]?.phases.map(\.name) ?? [] })
        resolver.seed = id
        // Trios reuse the ones kept with the series (docs/SERIES.md "Trios"): read before forming.
        let trioSeries = CommandResolver.formsTrios(req, state: live) ? record.seriesId : nil
        if let series = trioSeries, let store = services.store as? any SeriesParticipantStore {
            do {
                let kept = try await store.seriesParticipants(series: series)
                resolver.keptTrios = Dictionary(kept.compactMap { p in p.trio.map { (p.id, $0) } }, uniquingKeysWith: { a, _ in a })
            } catch {
                return refuse(HubError(.unavailable))
            }
        }
        var rng = SystemRandomNumberGenerator()
        switch resolver.resolve(req, state: live, present: fanout.presentParticipants(in: live), rng: &rng) {
        case .failure(let e):
            refuse(e)
        case .success(.unchanged):
            ackOrWait(live.seq, target)
        case .success(.accepted) where !services.log.isDurable:
            refuse(HubError(.unavailable))
        case .success(.accepted(let activity, var payload)):
            // A series reference is resolved as the session starts, and the value logged with the start (docs/SERIES.md).
            var resolved: [String: JSONValue] = [:]
            if req.type == "start" {
                do {
                    switch try await SeriesResults.resolve(record, store: services.store) {
                    case .failure(let e): return refuse(e)
                    case .success(let contexts): resolved = contexts
                    }
                } catch {
                    return refuse(HubError(.unavailable))
                }
                if !resolved.isEmpty, case .object(var o) = payload {
                    o["context"] = .object(resolved)
                    payload = .object(o)
                }
            }
            let event = LoggedEvent(seq: live.seq + 1, kind: .command, activity: activity, actor: actor, role: .facilitator,
                                    type: req.type, payload: payload, clientId: req.id, at: services.clock())
            await audit(event)
            await acceptSystemEvent(event, target: target)
            if let series = trioSeries, let formed = payload["formed"].flatMap(SessionState.decodeGroups) {
                await keepTrios(series: series, formed, kept: resolver.keptTrios)
            }
            if !resolved.isEmpty {
                services.logger.info("series context resolved", metadata: ["session": "\(id)", "activities": "\(resolved.keys.sorted())"])
                await instances.restart(Set(record.agenda.filter { resolved[$0.id] != nil }.map(\.plugin)))
            }
            if req.type == "kick", let p = payload["participant"]?.stringValue {
                for c in fanout.connections(of: p) { c.outbox.close(.kicked) }
            }
        }
    }

    /// The first trios of the series' participants are kept with the series, for its later sessions; newcomers
    /// put with a kept trio join it. Participants who did not opt in are in the groups but not kept.
    private func keepTrios(series: String, _ groups: Groups, kept: [String: String]) async {
        let members = Set(live.participants.values.filter(\.seriesMember).map(\.id))
        let labels = TrioFormation.newLabels(groups, kept: kept, members: members)
        guard !labels.isEmpty else { return }
        do {
            try await (services.store as? any SeriesParticipantStore)?.keepTrios(series: series, labels)
        } catch {
            services.logger.error("trios not kept with the series", metadata: ["session": "\(id)", "series": "\(series)", "error": "\(error)"])
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
}
