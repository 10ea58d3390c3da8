import Foundation
import Hummingbird
import Model
import Reports
import Toolbox

/// `GET /api/v1/sessions/{id or code}/report?format=html|pdf|md|json[&lang=nl|en]` (docs/REPORTS.md): the
/// session's report at any moment, for a facilitator, as the export is. PDF needs Chromium on the server;
/// without it the answer is 503 `pdf_unavailable` and the other formats still work.
struct ReportAPI {
    let registry: SessionRegistry
    let store: any HubStore
    let auth: FacilitatorAuth
    let webDir: URL
    let publicURL: @Sendable () -> String
    let clock: @Sendable () -> Int64

    static let formats = ["html", "pdf", "md", "json"]
    /// The report page runs no script: its own inline style and data: images only.
    static let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    func register(on router: Router<HubRequestContext>) {
        let secured = router.group("api/v1").add(middleware: FacilitatorMiddleware(auth: auth))
        secured.get("sessions/:session/report", use: report)
        secured.get("series/:series/report", use: seriesReport)
    }

    func report(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let format = req.uri.queryParameters.get("format") ?? "html"
        guard Self.formats.contains(format) else {
            throw APIError(status: .badRequest, code: "bad_format", message: "format must be html, pdf, md or json")
        }
        let langParam = req.uri.queryParameters.get("lang")
        guard langParam == nil || Language(rawValue: langParam!) != nil else {
            throw APIError(status: .badRequest, code: "bad_lang", message: "lang must be nl or en")
        }
        let key = ctx.parameters.get("session") ?? ""
        guard key.count <= 64, let s = try await registry.session(key) else {
            throw APIError(status: .notFound, code: "session_not_found", message: "No session with id or code `\(key.prefix(64))`.")
        }
        let report = try await SessionReportBuilder.build(s, store: store, now: clock())
        let lang = langParam.flatMap(Language.init(rawValue:)) ?? report.session.lang
        let renderer: ReportRenderer
        do { renderer = try Self.renderer() } catch {
            throw APIError(status: .internalServerError, code: "internal", message: "\(error)")
        }
        let name = "report-\(report.session.code)"
        let response: Response
        switch format {
        case "json":
            response = JSONResponse.make(report)
        case "md":
            response = Self.body(renderer.markdown(report, lang: lang, baseURL: publicURL()), "text/markdown; charset=utf-8", "\(name).md")
        case "html":
            var r = Self.body(html(renderer, report, lang), "text/html; charset=utf-8", nil)
            r.headers[.contentSecurityPolicy] = Self.policy
            response = r
        default:
            response = try await pdf(html(renderer, report, lang), name: name)
        }
        try await store.audit(actor: ctx.facilitator?.id, action: "session.report", target: s.id, detail: "format \(format)")
        return response
    }

    /// The page printed by Chromium, or `pdf_unavailable` / `pdf_failed`.
    func pdf(_ html: String, name: String) async throws -> Response {
        do {
            let pdf = try await PDFPrinter.shared.pdf(html: html)
            return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename=\"\(name).pdf\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
        } catch .unavailable {
            throw APIError(status: .serviceUnavailable, code: "pdf_unavailable",
                           message: "This server cannot make PDFs: Chromium is not installed (apt-get install chromium). The html, md and json formats work.")
        } catch .failed(let why) {
            throw APIError(status: .internalServerError, code: "pdf_failed", message: "The PDF could not be made: \(why)")
        }
    }

    func html(_ renderer: ReportRenderer, _ report: SessionReport, _ lang: Language) -> String {
        let tokens = (try? String(contentsOf: webDir.appendingPathComponent("tokens.css"), encoding: .utf8)) ?? ""
        return renderer.html(report, lang: lang, tokens: tokens, baseURL: publicURL())
    }

    static func body(_ text: String, _ type: String, _ filename: String?) -> Response {
        var headers: HTTPFields = [.contentType: type]
        if let filename { headers[.contentDisposition] = "inline; filename=\"\(filename)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The templates are parsed once per process.
    static func renderer() throws -> ReportRenderer { try parsed.get() }
    static let parsed = Result { try ReportRenderer() }
}
