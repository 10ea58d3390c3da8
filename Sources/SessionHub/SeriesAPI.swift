import Foundation
import Hummingbird
import Model
import Toolbox
import Yams

/// `/api/v1/series`: a series as a container (title, kind, description) or as a journey, created from one file
/// with all its sessions and agendas (docs/SERIES.md); shown with its sessions in order, results and gereedschapskist.
extension API {
    func registerSeries(_ secured: RouterGroup<HubRequestContext>) {
        secured.get("series", use: listSeries)
        secured.post("series", use: createSeries)
        secured.get("series/:series", use: showSeries)
    }

    func listSeries(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        JSONResponse.make(["series": try await store.allSeries()])
    }

    func createSeries(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        let text = String(buffer: buffer)
        if SeriesParser.isJourney(text) { return try await createJourney(text, ctx) }
        let value: JSONValue?
        if req.headers[.contentType]?.hasPrefix("application/json") == true {
            value = JSONCoding.parse(text)
        } else {
            // Only the four fields are read, as scalars: an alias bomb elsewhere in the document is never expanded.
            let mapping = (try? Yams.compose(yaml: text))??.mapping
            value = mapping.map { m in
                .object(Dictionary(uniqueKeysWithValues: Self.seriesFields.keys.compactMap { k in m[k]?.scalar.map { (k, JSONValue.string($0.string)) } }))
            }
        }
        guard let v = value, let title = v["title"]?.stringValue, !title.isEmpty else {
            throw APIError(status: .badRequest, code: "bad_message", message: "A series needs a `title` (and optionally `id`, `kind`, `description`).")
        }
        for (field, limit) in Self.seriesFields where (v[field]?.stringValue?.count ?? 0) > limit {
            throw APIError(status: .badRequest, code: "bad_message", message: "A series' `\(field)` has at most \(limit) characters.")
        }
        let id = v["id"]?.stringValue ?? Self.slug(title)
        let retention = try SeriesRetention.rule(text, json: req.headers[.contentType]?.hasPrefix("application/json") == true)
        let record = SeriesRecord(id: id, title: title, kind: v["kind"]?.stringValue, description: v["description"]?.stringValue,
                                  createdAt: SessionServices.now())
        try await store.saveSeries(record)
        try await (store as? any RetentionStore)?.setSeriesRetention(series: id, retention)
        return JSONResponse.make(status: .created, SeriesRetention.Shown(record, retention))
    }

    /// The fields of a series and their longest length.
    static let seriesFields = ["id": 100, "title": 200, "kind": 100, "description": 4000]

    static func slug(_ title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        let parts = folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        let s = parts.joined(separator: "-")
        return s.isEmpty ? Identifiers.random(prefix: "series-", length: 8) : String(s.prefix(60))
    }

    /// A journey: the series, then its sessions in order (each as `session create` makes one), then their plan.
    private func createJourney(_ text: String, _ ctx: HubRequestContext) async throws -> Response {
        guard let journeys = store as? any SeriesStore else {
            throw APIError(status: .notImplemented, code: "not_supported", message: "This hub's store keeps no series journeys.")
        }
        let parser = SeriesParser(agendas: AgendaParser(manifests: await host.allManifests()))
        let parsed: ParsedSeries
        switch parser.parse(text) {
        case .failure(let p):
            throw APIError(status: .unprocessableContent, code: "invalid_series", message: "The series file has \(p.problems.count) problem(s).",
                           extra: ["errors": try JSONCoding.value(p.problems)])
        case .success(let s): parsed = s
        }
        let id = parsed.id ?? Self.slug(parsed.title)
        if try await store.series(id)?.id == id, let existing = try await journeys.journey(series: id), !existing.sessions.isEmpty {
            throw APIError(status: .conflict, code: "series_exists",
                           message: "Series `\(id)` already has its sessions; give this one another `id` or `title`.")
        }
        let retention = try SeriesRetention.rule(text, json: false)
        let record = SeriesRecord(id: id, title: parsed.title, kind: parsed.kind.rawValue, description: parsed.description, createdAt: SessionServices.now())
        try await store.saveSeries(record)
        try await (store as? any RetentionStore)?.setSeriesRetention(series: id, retention)
        var journey = parsed.journey
        for (i, s) in parsed.sessions.enumerated() {
            var agenda = s.agenda
            agenda.series = id
            let live = try await registry.create(agenda, source: s.source, createdBy: ctx.facilitator?.id)
            journey.sessions.append(PlannedSession(position: i + 1, session: live.id, title: agenda.title, date: agenda.date, time: s.time, location: s.location))
        }
        try await journeys.saveJourney(series: id, journey)
        try await store.audit(actor: ctx.facilitator?.id, action: "series.create", target: id)
        return JSONResponse.make(status: .created, try await SeriesView.build(record, store: store) { self.summary($0) })
    }

    func showSeries(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let key = ctx.parameters.get("series") ?? ""
        guard key.count <= 200, let s = try await store.series(key) else {
            throw APIError(status: .notFound, code: "not_found", message: "No series `\(key.prefix(64))`.")
        }
        return JSONResponse.make(try await SeriesView.build(s, store: store) { self.summary($0) })
    }
}
