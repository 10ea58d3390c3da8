import Foundation
import Hummingbird
import Model
import Reports
import Toolbox

/// `GET /api/v1/series/{id}/report?format=html|pdf|md|json[&lang=nl|en]` (docs/REPORTS.md "Series report"):
/// what `GET /api/v1/series/{id}` shows (SeriesView), as a report: sessions with attendance, themes and every
/// gereedschapskist item with its provenance. JSON is that view itself.
extension ReportAPI {
    func seriesReport(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let format = req.uri.queryParameters.get("format") ?? "html"
        guard Self.formats.contains(format) else {
            throw APIError(status: .badRequest, code: "bad_format", message: "format must be html, pdf, md or json")
        }
        let langParam = req.uri.queryParameters.get("lang")
        guard langParam == nil || Language(rawValue: langParam!) != nil else {
            throw APIError(status: .badRequest, code: "bad_lang", message: "lang must be nl or en")
        }
        let key = ctx.parameters.get("series") ?? ""
        guard key.count <= 200, let record = try await store.series(key) else {
            throw APIError(status: .notFound, code: "not_found", message: "No series `\(key.prefix(64))`.")
        }
        let base = publicURL()
        let view = try await SeriesView.build(record, store: store) { r in
            SessionSummary(id: r.id, code: r.code, title: r.title, status: r.status, series: r.seriesId, date: r.date, lang: r.lang, seq: r.seq,
                           createdAt: r.createdAt, participants: 0, participantUrl: "\(base)/s/\(r.code)", facilitatorUrl: "\(base)/facilitate/\(r.id)",
                           beamerUrl: "\(base)/beamer/\(r.code)")
        }
        let lang = langParam.flatMap(Language.init(rawValue:)) ?? .nl
        let renderer: ReportRenderer
        do { renderer = try Self.renderer() } catch {
            throw APIError(status: .internalServerError, code: "internal", message: "\(error)")
        }
        let tokens = (try? String(contentsOf: webDir.appendingPathComponent("tokens.css"), encoding: .utf8)) ?? ""
        let response: Response
        switch format {
        case "json":
            response = JSONResponse.make(view)
        case "md":
            response = Self.body(renderer.seriesMarkdown(view, lang: lang, baseURL: base, now: clock()), "text/markdown; charset=utf-8", "series-\(record.id).md")
        case "html":
            var r = Self.body(renderer.seriesHTML(view, lang: lang, tokens: tokens, baseURL: base, now: clock()), "text/html; charset=utf-8", nil)
            r.headers[.contentSecurityPolicy] = Self.policy
            response = r
        default:
            response = try await pdf(renderer.seriesHTML(view, lang: lang, tokens: tokens, baseURL: base, now: clock()), name: "series-\(record.id)")
        }
        try await store.audit(actor: ctx.facilitator?.id, action: "series.report", target: record.id, detail: "format \(format)")
        return response
    }
}
