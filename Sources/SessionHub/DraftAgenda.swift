import Foundation
import Hummingbird
import Model
import Toolbox

/// Editing a draft session's agenda in the browser (PUT /api/v1/sessions/{id}/agenda; docs/WEB.md "Agenda editor"):
/// the session is taken out of memory, its stored agenda replaced, and loaded again, so its plugin instances start from
/// the new agenda as after a restart. Only before anything was prepared (SQLiteStore.replaceDraftAgenda says why).
extension SessionRegistry {
    func replaceDraftAgenda(_ session: LiveSession, _ agenda: ParsedAgenda, source: String, by actor: String?) async throws -> DraftAgendaChange {
        guard let store = services.store as? any DraftAgendaStore else {
            throw HubError(.internal, LocalizedText(nl: "Deze opslag kan de agenda van een sessie niet vervangen.", en: "This store cannot replace a session's agenda."))
        }
        var record = session.record
        record.title = agenda.title
        record.date = agenda.date
        record.lang = agenda.lang
        record.agendaSource = source
        record.seriesId = try await seriesId(agenda.series)
        var items: [AgendaItem] = []
        var keys: [String: [UInt8]] = [:]
        for item in agenda.items {
            var resolved = item
            resolved.context = try await ContextResolver(kennisbank: services.kennisbank).resolve(item.context)
            items.append(resolved)
            keys[item.id] = Identifiers.randomBytes(32)
        }
        record.agenda = items
        let next = record
        let fresh = keys
        return try await whileUnloaded(session.id) { try await store.replaceDraftAgenda(next, activityKeys: fresh, actor: actor) }
    }

    /// The series an agenda names, made when it does not exist yet (as `create` does).
    private func seriesId(_ name: String?) async throws -> String? {
        guard let name else { return nil }
        if let existing = try await services.store.series(name) { return existing.id }
        try await services.store.saveSeries(SeriesRecord(id: name, title: name, createdAt: services.clock()))
        return name
    }
}

extension API {
    /// PUT /api/v1/sessions/{session}/agenda: a draft session's agenda file replaced, checked by the same validator as a
    /// new one (422 `invalid_agenda` with `file:line: field` problems); 409 `not_draft` once it started or closed, 409
    /// `agenda_prepared` when commands were logged (the room was prepared for the old agenda).
    func replaceAgenda(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let s = try await session(ctx)
        let notDraft = APIError(status: .conflict, code: "not_draft", message: "Only a draft session's agenda can be replaced; this session has started or closed.")
        guard await s.status == .draft else { throw notDraft }
        let text = try await AgendaBody.text(req, ctx)
        let agenda: ParsedAgenda
        switch AgendaParser(manifests: await host.allManifests()).parse(text) {
        case .failure(let p):
            throw APIError(status: .unprocessableContent, code: "invalid_agenda", message: "The agenda has \(p.problems.count) problem(s).",
                           extra: ["errors": try JSONCoding.value(p.problems)])
        case .success(let a): agenda = a
        }
        let change: DraftAgendaChange
        do { change = try await registry.replaceDraftAgenda(s, agenda, source: text, by: ctx.facilitator?.id) } catch let e as HubError { throw APIError.from(e) }
        switch change {
        case .notDraft: throw notDraft
        case .prepared:
            throw APIError(status: .conflict, code: "agenda_prepared",
                           message: "The room was already prepared for this agenda (a goto, groups or reorder is logged); create a new session from the edited agenda instead.")
        case .replaced:
            guard let fresh = try await registry.session(s.id) else {
                throw APIError(status: .notFound, code: "session_not_found", message: "The session is gone.")
            }
            return JSONResponse.make(await summary(fresh, detail: true))
        }
    }
}

extension API {
    /// The agenda's routes of the editor and the console (issue 20): replace a draft's agenda, add an activity.
    func registerEditing(_ secured: RouterGroup<HubRequestContext>) {
        secured.put("sessions/:session/agenda", use: replaceAgenda)
        secured.post("sessions/:session/activities", use: addActivity)
    }
}
