import Foundation
import Model
import Toolbox

/// A complete export of a session at any moment (DESIGN.md §7): its agenda, participants, every logged
/// event, the current views and the plugin outputs.
struct SessionExport {
    var json: JSONValue
    var csv: String
    var markdown: String

    static func build(_ s: LiveSession, store: any HubStore) async throws -> SessionExport {
        let state = await s.snapshot
        // While a session runs, its log still holds confidential payloads (sealing redacts them at close);
        // an export shows them as the sealed log will, and leaves out the group views that carry them.
        let confidential = await s.confidentialInputs()
        let logged = try await store.events(session: s.id, after: 0).map { SeriesResults.exported(Redaction.sealed($0, confidential: confidential)) }
        // Likewise the inputs of anonymous activities: under their pseudonyms, without resend ids, seq or exact
        // time, in the sealed order, after the log (docs/DECISIONS.md "Sealing anonymous activities").
        let anonymous = await s.anonymousAliases()
        let (events, sealing) = AnonymousSeal.split(logged, aliases: anonymous)
        let sealed = try await store.sealedInputs(session: s.id) + sealing
        let views = await s.currentViews().compactMap { SessionExport.sealed($0, confidential: confidential, anonymous: Set(anonymous.keys), seq: state.seq) }
        // A restricted `series.result` (an intervisie follow-up) is only for the next session's plugin.
        let outputs = try await store.outputs(session: s.id).filter { !SeriesResults.isRestricted($0) }
        let record = s.record
        let participants = state.participantOrder.compactMap { state.participants[$0] }
        let json: JSONValue = [
            "session": [
                "id": .string(record.id), "code": .string(record.code), "title": .string(record.title),
                "series": record.seriesId.map(JSONValue.string) ?? .null, "date": record.date.map(JSONValue.string) ?? .null,
                "lang": .string(record.lang.rawValue), "status": .string(state.status.rawValue), "seq": .int(state.seq),
                "createdAt": .int(record.createdAt),
            ],
            "agenda": try JSONCoding.value(state.agendaEntries),
            "participants": try JSONCoding.value(participants),
            "groups": SessionState.encodeGroups(state.groups),
            "events": .array(try events.map(JSONCoding.value) + sealed.map(JSONCoding.value)),
            "views": try JSONCoding.value(views),
            "outputs": try JSONCoding.value(outputs),
        ]
        var csv = "seq,at,kind,activity,actor,role,type,client_id,payload\n"
        for e in events {
            let fields = [String(e.seq), String(e.at), e.kind.rawValue, e.activity ?? "", e.actor, e.role.rawValue, e.type, e.clientId ?? "", try JSONCoding.string(e.payload)]
            csv += fields.map(CSV.field).joined(separator: ",") + "\n"
        }
        for e in sealed {
            let fields = ["", String(e.at), e.kind.rawValue, e.activity, e.actor, e.role.rawValue, e.type, "", try JSONCoding.string(e.payload)]
            csv += fields.map(CSV.field).joined(separator: ",") + "\n"
        }
        // The Markdown is the session's report in prose (docs/REPORTS.md): one way to render a session as text.
        let report = try await SessionReportBuilder.build(s, store: store, now: SessionServices.now())
        let md = try ReportAPI.renderer().markdown(report, lang: record.lang, baseURL: "")
        return SessionExport(json: json, csv: csv, markdown: md)
    }

    /// A view as an export shows it and a closed session keeps it, or nil when it is left out: see `shareable`;
    /// anonymous activities lose their `participant:` audiences (routed by the link the close deletes) and carry
    /// the session's `seq` rather than that of the input that last changed them, which would point at its
    /// sender's place in the log.
    static func sealed(_ v: StoredView, confidential: [String: [String]], anonymous: Set<String>, seq: Int64) -> StoredView? {
        guard shareable(activity: v.activity, audience: v.audience, confidential) else { return nil }
        guard anonymous.contains(v.activity) else { return v }
        if v.audience.hasPrefix("participant:") { return nil }
        return StoredView(activity: v.activity, audience: v.audience, seq: seq, view: v.view)
    }

    /// Views of activities with confidential inputs leave the group only through `public` and `facilitator`,
    /// which by contract hold no group content.
    static func shareable(activity: String, audience: String, _ confidential: [String: [String]]) -> Bool {
        confidential[activity] == nil || audience == "public" || audience == "facilitator"
    }
}
