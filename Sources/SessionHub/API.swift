import Foundation
import Hummingbird
import Model
import Plugins
import Toolbox
import Yams

struct SessionSummary: Codable {
    var id: String
    var code: String
    var title: String
    var status: SessionStatus
    var series: String?
    var date: String?
    var lang: Language
    var seq: Int64
    var createdAt: Int64
    var participants: Int
    var participantUrl: String
    var facilitatorUrl: String
    var beamerUrl: String
    var agenda: [AgendaEntry]?
    var current: CurrentActivity?
    /// What the retention removed from the closed session, and when (docs/PRIVACY.md "Retention"); absent when nothing.
    var purged: [PurgeMark]?
    /// The node that runs the live session (`--node-url`; docs/SCALING.md); absent in lists, which come from the store.
    var owner: String?
}

/// The REST API under /api/v1 (docs/DECISIONS.md).
struct API {
    let registry: SessionRegistry
    let store: any HubStore
    let host: PluginHost
    let auth: FacilitatorAuth
    let publicURL: @Sendable () -> String
    /// This node's URL, named as the owner of the sessions it runs; nil for one hub on its own store.
    let nodeURL: (@Sendable () -> String)?
    /// Failed logins per address and per account (docs/SECURITY.md, "Login and tokens").
    var loginThrottle = LoginThrottle()
    /// Join-code lookups that miss, per address; shared with the QR route (docs/SECURITY.md, "Join codes").
    var codeLookups = CodeLookupLimiter()

    func register(on router: Router<HubRequestContext>) {
        let api = router.group("api/v1")
        api.post("login", use: login)
        api.get("join/:code", use: joinInfo)
        let secured = api.group().add(middleware: FacilitatorMiddleware(auth: auth))
        secured.post("logout", use: logout)
        secured.get("sessions", use: listSessions)
        secured.post("sessions", use: createSession)
        secured.post("agendas/validate", use: validateAgenda)
        secured.get("sessions/:session", use: showSession)
        secured.post("sessions/:session/start") { req, ctx in try await self.command("start", req, ctx) }
        secured.post("sessions/:session/close") { req, ctx in try await self.command("close", req, ctx) }
        secured.delete("sessions/:session", use: deleteSession)
        secured.get("sessions/:session/export", use: export)
        secured.get("sessions/:session/agenda.yaml", use: agendaSource)
        registerSeries(secured)
        registerEditing(secured)
        secured.get("plugins", use: listPlugins)
        secured.post("plugins/reload", use: reloadPlugins)
        secured.get("audit", use: auditLog)
    }

    // MARK: auth

    func login(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        struct Body: Decodable { var email: String; var password: String }
        let body = try await decode(Body.self, req, ctx)
        // Counted before bcrypt runs, so parallel guesses cannot all get through while it does.
        if let wait = await loginThrottle.admit(address: ctx.peer, account: body.email) {
            throw APIError.tooManyRequests("Too many failed logins from this address or for this account.", retryAfter: wait)
        }
        guard let (token, f) = try await auth.login(email: body.email, password: body.password) else {
            // The address tried, bounded; never the password.
            try await store.audit(actor: nil, action: "login.failed", target: String(body.email.prefix(200)), detail: "from \(ctx.peer)")
            throw APIError(status: .unauthorized, code: "unauthorized", message: "E-mail or password is wrong.")
        }
        await loginThrottle.succeeded(address: ctx.peer, account: body.email)
        try await store.audit(actor: f.id, action: "login", target: f.email, detail: nil)
        let facilitator: JSONValue = ["id": .string(f.id), "email": .string(f.email), "name": .string(f.name), "role": .string(f.role.rawValue)]
        return JSONResponse.make(JSONValue.object(["token": .string(token), "facilitator": facilitator]))
    }

    func logout(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        if let t = ctx.bearer { try await auth.logout(token: t) }
        return Response(status: .noContent)
    }

    func decode<T: Decodable>(_ type: T.Type, _ req: Request, _ ctx: HubRequestContext) async throws -> T {
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        do {
            return try JSONCoding.decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(status: .badRequest, code: "bad_message", message: "The body is not the expected JSON: \(error)")
        }
    }

    // MARK: sessions

    func summary(_ s: LiveSession, detail: Bool = false) async -> SessionSummary {
        let base = publicURL()
        let state = await s.snapshot
        let purged = detail ? (try? await (store as? any RetentionStore)?.purgeMarks(session: s.id)) ?? nil : nil
        return SessionSummary(
            id: s.id, code: s.code, title: s.record.title, status: state.status, series: s.record.seriesId, date: s.record.date,
            lang: s.record.lang, seq: state.seq, createdAt: s.record.createdAt, participants: await s.participantCount,
            participantUrl: "\(base)/s/\(s.code)", facilitatorUrl: "\(base)/facilitate/\(s.id)", beamerUrl: "\(base)/beamer/\(s.code)",
            agenda: detail ? state.agendaEntries : nil, current: detail ? state.currentActivity : nil, purged: purged?.isEmpty == false ? purged : nil,
            owner: nodeURL?())
    }

    func summary(_ r: SessionRecord) -> SessionSummary {
        let base = publicURL()
        return SessionSummary(
            id: r.id, code: r.code, title: r.title, status: r.status, series: r.seriesId, date: r.date, lang: r.lang, seq: r.seq,
            createdAt: r.createdAt, participants: 0, participantUrl: "\(base)/s/\(r.code)", facilitatorUrl: "\(base)/facilitate/\(r.id)",
            beamerUrl: "\(base)/beamer/\(r.code)")
    }

    func session(_ ctx: HubRequestContext) async throws -> LiveSession {
        let key = ctx.parameters.get("session") ?? ""
        guard key.count <= 64, let s = try await registry.session(key) else {
            throw APIError(status: .notFound, code: "session_not_found", message: "No session with id or code `\(key.prefix(64))`.")
        }
        return s
    }

    func listSessions(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        var list: [SessionSummary] = []
        for r in try await store.sessions() { list.append(summary(r)) }
        return JSONResponse.make(["sessions": list])
    }

    func createSession(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let text = try await AgendaBody.text(req, ctx)
        let parser = AgendaParser(manifests: await host.allManifests())
        switch parser.parse(text) {
        case .failure(let p):
            throw APIError(status: .unprocessableContent, code: "invalid_agenda", message: "The agenda has \(p.problems.count) problem(s).",
                           extra: ["errors": try JSONCoding.value(p.problems)])
        case .success(let agenda):
            let s = try await registry.create(agenda, source: text, createdBy: ctx.facilitator?.id)
            return JSONResponse.make(status: .created, await summary(s))
        }
    }

    func showSession(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        JSONResponse.make(await summary(try await session(ctx), detail: true))
    }

    func command(_ type: String, _ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        var s = try await session(ctx)
        do {
            do {
                _ = try await s.runCommand(type, facilitator: ctx.facilitator?.id ?? "")
            } catch let e as HubError where e.code == .sessionNotFound {
                // Unloaded as idle between the lookup and the command: looked up again, it loads from its log.
                s = try await session(ctx)
                _ = try await s.runCommand(type, facilitator: ctx.facilitator?.id ?? "")
            }
        } catch let e as HubError {
            throw APIError.from(e)
        }
        return JSONResponse.make(await summary(s))
    }

    func deleteSession(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        guard ctx.facilitator?.role.mayDelete == true else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only an owner may delete a session.")
        }
        do { try await registry.delete(try await session(ctx), by: ctx.facilitator?.id) } catch let e as HubError { throw APIError.from(e) }
        return Response(status: .noContent)
    }

    func export(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let s = try await session(ctx)
        let format = req.uri.queryParameters.get("format") ?? "json"
        let export: SessionExport
        do { export = try await SessionExport.build(s, store: store) } catch is EncodingError {
            throw APIError(status: .internalServerError, code: "internal", message: "The session holds a value that cannot be encoded as JSON.")
        }
        switch format {
        case "json": return try await audited(JSONResponse.make(export.json), s, format, ctx)
        case "csv": return try await audited(Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: export.csv))), s, format, ctx)
        case "md": return try await audited(Response(status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: export.markdown))), s, format, ctx)
        default: throw APIError(status: .badRequest, code: "bad_message", message: "format must be json, csv or md")
        }
    }

    /// Records an export once its format is known to be served.
    func audited(_ response: Response, _ s: LiveSession, _ format: String, _ ctx: HubRequestContext) async throws -> Response {
        try await store.audit(actor: ctx.facilitator?.id, action: "session.export", target: s.id, detail: "format \(format)")
        return response
    }

    func joinInfo(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let code = ctx.parameters.get("code") ?? ""
        try await Self.admitLookup(codeLookups, ctx)
        guard code.count <= FieldLimits.code, let s = try await registry.session(code) else {
            throw APIError(status: .notFound, code: "session_not_found", message: ErrorCode.sessionNotFound.message(.en))
        }
        await codeLookups.found(ctx.peer)
        var info: [String: JSONValue] = ["code": .string(s.code), "title": .string(s.record.title),
                                         "status": .string(await s.status.rawValue), "lang": .string(s.record.lang.rawValue)]
        // Extensions for series (docs/SERIES.md "Participants who continue"): the join page asks whether to be
        // recognised in the series, and the domain when the session or its series forms trios.
        func formsTrios(_ agenda: [AgendaItem]) -> Bool { agenda.contains { $0.groups?.mode == .trio } }
        var trios = formsTrios(s.record.agenda)
        if let series = s.record.seriesId, let found = try await store.series(series) {
            info["series"] = ["id": .string(found.id), "title": .string(found.title)]
            // The journey's few sessions, not every session of the hub: this is a public, per-join lookup.
            if !trios, let journeys = store as? any SeriesStore, let journey = try await journeys.journey(series: found.id) {
                for planned in journey.sessions where planned.session != s.id {
                    if let other = try await store.session(planned.session), formsTrios(other.agenda) { trios = true; break }
                }
            }
        }
        if trios { info["trios"] = true }
        return JSONResponse.make(JSONValue.object(info))
    }

    /// A join-code lookup from an address that has missed too often is refused before it runs.
    static func admitLookup(_ limiter: CodeLookupLimiter, _ ctx: HubRequestContext) async throws {
        if let wait = await limiter.admit(ctx.peer) {
            throw APIError.tooManyRequests("Too many unknown join codes from this address.", retryAfter: wait)
        }
    }

    // MARK: audit

    /// The audit log, owners only: `since` (ms since 1970), `action`, `limit` (1 to 10000, default 1000).
    func auditLog(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        guard ctx.facilitator?.role.mayDelete == true else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only an owner may read the audit log.")
        }
        let q = req.uri.queryParameters
        var query = AuditQuery()
        if let since = q.get("since") {
            guard let ms = Int64(since), ms >= 0 else { throw APIError(status: .badRequest, code: "bad_message", message: "since must be milliseconds since 1970") }
            query.since = ms
        }
        if let action = q.get("action") {
            guard (1...64).contains(action.count) else { throw APIError(status: .badRequest, code: "bad_message", message: "action has 1 to 64 characters") }
            query.action = action
        }
        if let limit = q.get("limit") {
            guard let n = Int(limit), (1...10_000).contains(n) else { throw APIError(status: .badRequest, code: "bad_message", message: "limit must be 1 to 10000") }
            query.limit = n
        }
        return JSONResponse.make(["entries": try await store.auditEntries(query)])
    }

    // MARK: plugins

    func listPlugins(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        JSONResponse.make(PluginList(plugins: await host.statuses(), problems: await host.problems.map(\.description)))
    }

    func reloadPlugins(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        await host.reload()
        await registry.manifestsChanged()
        return try await listPlugins(req, ctx)
    }
}

struct PluginList: Encodable {
    var plugins: [PluginStatus]
    var problems: [String]
}
