import Foundation
import Hummingbird
import Model
import NIOCore
import Toolbox

/// Adding an activity to a session that is being prepared or runs (docs/PROTOCOL.md "Adding an activity live"): the item
/// is checked as an agenda item, appended to the stored agenda, and the session is loaded again from its log, as after
/// a restart. The stored agenda is what every replay starts from, so live and replay agree; connections are closed with
/// 1001 and rejoin (the browser client does so at once), and get the new agenda in their `welcome`.
extension SessionRegistry {
    func addActivity(_ session: LiveSession, _ item: AgendaItem, explicitId: Bool, by actor: String?) async throws -> ActivityAddition {
        guard let store = services.store as? any DraftAgendaStore else {
            throw HubError(.internal, LocalizedText(nl: "Deze opslag kan geen activiteit toevoegen.", en: "This store cannot add an activity."))
        }
        var resolved = item
        resolved.context = try await ContextResolver(kennisbank: services.kennisbank).resolve(item.context)
        let next = resolved
        return try await whileUnloaded(session.id) {
            try await store.appendActivity(session: session.id, next, explicitId: explicitId, key: Identifiers.randomBytes(32), actor: actor)
        }
    }
}

extension API {
    /// POST /api/v1/sessions/{session}/activities with `{"item": {plugin, title, config, …}}` (JSON): one agenda item,
    /// checked by the agenda validator (422 `invalid_agenda`, fields as `item.config.…`), appended; 409 `session_closed`
    /// for a closed session, 409 `activity_exists` for an `id` in use. Answers the session with its agenda (201).
    func addActivity(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let s = try await session(ctx)
        let closed = APIError(status: .conflict, code: "session_closed", message: "The session is closed: its agenda does not change any more.")
        guard await s.status != .closed else { throw closed }
        let buffer: ByteBuffer
        do { buffer = try await req.body.collect(upTo: ctx.maxUploadSize) } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, code: "too_large", message: "The activity has more than \(ctx.maxUploadSize / (1 << 20)) MiB.")
        }
        guard let body = JSONCoding.parse(String(buffer: buffer)), let itemValue = body["item"], itemValue.objectValue != nil else {
            throw APIError(status: .badRequest, code: "bad_message", message: "The body is `{\"item\": {\"plugin\": …, \"title\": …, \"config\": {…}}}`.")
        }
        // The item inside a one-item agenda, so that it gets exactly the checks of an agenda file's items.
        let document: JSONValue = ["session": .string(s.record.title), "agenda": .array([itemValue])]
        let item: AgendaItem
        switch AgendaParser(manifests: await host.allManifests()).parse(try JSONCoding.string(document)) {
        case .failure(let p):
            let problems = p.problems.map { AgendaProblem(line: nil, field: $0.field.replacingOccurrences(of: "agenda[0]", with: "item"), message: $0.message) }
            throw APIError(status: .unprocessableContent, code: "invalid_agenda", message: "The activity has \(problems.count) problem(s).",
                           extra: ["errors": try JSONCoding.value(problems)])
        case .success(let a): item = a.items[0]
        }
        let change: ActivityAddition
        do {
            change = try await registry.addActivity(s, item, explicitId: itemValue["id"] != nil, by: ctx.facilitator?.id)
        } catch let e as HubError { throw APIError.from(e) }
        switch change {
        case .closed: throw closed
        case .idInUse(let id):
            throw APIError(status: .conflict, code: "activity_exists", message: "The agenda has an activity `\(id)` already; give this one another id or none.")
        case .added:
            guard let fresh = try await registry.session(s.id) else {
                throw APIError(status: .notFound, code: "session_not_found", message: "The session is gone.")
            }
            return JSONResponse.make(status: .created, await summary(fresh, detail: true))
        }
    }
}
