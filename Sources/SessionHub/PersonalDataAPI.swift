import Foundation
import Hummingbird
import Model
import Plugins
import Toolbox

/// REST for a person's data (docs/PRIVACY.md "Answering a request"), owners only (docs/ROLES.md): find a
/// participant by name, export or erase one participant of a session, delete kennisbank and gereedschapskist
/// records with their versions, erase a contributor. Each is an audit entry.
struct PersonalDataAPI {
    let registry: SessionRegistry
    let store: any ServedStore
    let host: PluginHost
    let auth: FacilitatorAuth

    func register(on router: Router<HubRequestContext>) {
        let api = router.group("api/v1")
        let secured = api.group().add(middleware: FacilitatorMiddleware(auth: auth))
        secured.get("participants", use: findParticipants)
        secured.get("sessions/:session/participants/:participant/export", use: exportParticipant)
        secured.post("sessions/:session/participants/:participant/erase", use: eraseParticipant)
        let write = api.group().add(middleware: KennisbankAccessMiddleware(auth: auth, required: true))
        write.delete("interventions/:id") { _, ctx in
            try Self.ownerOnly(ctx, "delete a kennisbank record")
            return try await Self.deleted(try await store.deleteIntervention(ctx.parameters.get("id") ?? "", actor: ctx.facilitator?.id), ctx)
        }
        write.delete("toolkit/:id") { _, ctx in
            try Self.ownerOnly(ctx, "delete a gereedschapskist item")
            return try await Self.deleted(try await store.deleteToolkitItem(ctx.parameters.get("id") ?? "", actor: ctx.facilitator?.id), ctx)
        }
        write.post("contributors/:id/erase") { _, ctx in
            try Self.ownerOnly(ctx, "erase a contributor")
            // An e-mail address arrives percent-encoded (`%40`): path parameters are not decoded.
            let raw = ctx.parameters.get("id") ?? ""
            let id = raw.removingPercentEncoding ?? raw
            guard id.count <= 200, try await store.eraseContributor(id, actor: ctx.facilitator?.id) != nil else {
                throw APIError(status: .notFound, code: "not_found", message: "No contributor with that id or e-mail.")
            }
            return Response(status: .noContent)
        }
    }

    static func ownerOnly(_ ctx: HubRequestContext, _ what: String) throws {
        guard ctx.facilitator?.role.mayDelete == true else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only an owner may \(what).")
        }
    }

    static func deleted(_ found: Bool, _ ctx: HubRequestContext) async throws -> Response {
        guard found else { throw APIError(status: .notFound, code: "not_found", message: "No record `\((ctx.parameters.get("id") ?? "").prefix(80))`.") }
        return Response(status: .noContent)
    }

    /// `?name=`: every join with that name (case-insensitive), in every session.
    func findParticipants(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.ownerOnly(ctx, "look participants up")
        // A form sends spaces as `+`, which the query parser leaves as it is; no name holds a `+`.
        let name = (req.uri.queryParameters.get("name") ?? "").replacingOccurrences(of: "+", with: " ")
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw APIError(status: .badRequest, code: "bad_message", message: "name must be 1 to 200 characters.")
        }
        return JSONResponse.make(["participants": try await store.participants(named: name)])
    }

    /// The session's record as stored (its status now) and the participant id from the path.
    func target(_ ctx: HubRequestContext) async throws -> (SessionRecord, String) {
        let key = ctx.parameters.get("session") ?? ""
        let participant = ctx.parameters.get("participant") ?? ""
        guard key.count <= 64, let live = try await registry.session(key), let record = try await store.session(live.id) else {
            throw APIError(status: .notFound, code: "session_not_found", message: "No session with id or code `\(key.prefix(64))`.")
        }
        guard participant.count <= 64 else {
            throw APIError(status: .notFound, code: "participant_not_found", message: "No participant `\(participant.prefix(64))` joined that session.")
        }
        return (record, participant)
    }

    func exportParticipant(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.ownerOnly(ctx, "export a participant's data")
        let (record, participant) = try await target(ctx)
        guard let data = ParticipantExport.build(record, events: try await store.events(session: record.id, after: 0), participant: participant) else {
            throw APIError(status: .notFound, code: "participant_not_found", message: "No participant `\(participant.prefix(64))` joined that session.")
        }
        try await store.audit(actor: ctx.facilitator?.id, action: "participant.export", target: "\(record.id)/\(participant)")
        return JSONResponse.make(data)
    }

    func eraseParticipant(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.ownerOnly(ctx, "erase a participant's data")
        let (record, participant) = try await target(ctx)
        guard record.status == .closed else {
            throw APIError(status: .conflict, code: "session_not_closed", message: ErasureRefused.notClosed(record.id).message)
        }
        let eraser = ParticipantEraser(store: store, host: host)
        let actor = ctx.facilitator?.id
        do {
            let n = try await registry.whileUnloaded(record.id) {
                try await eraser.erase(session: record, participant: participant, actor: actor)
            }
            return JSONResponse.make(["session": JSONValue.string(record.id), "participant": .string(participant), "erasedEvents": .int(Int64(n))])
        } catch let r as ErasureRefused {
            let status: HTTPResponse.Status = switch r.code {
            case "participant_not_found": .notFound
            case "session_not_closed": .conflict
            default: .serviceUnavailable
            }
            throw APIError(status: status, code: r.code, message: r.message)
        }
    }
}
