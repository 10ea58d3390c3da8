import Foundation
import Hummingbird
import Model
import Toolbox

/// The gereedschapskist (toolkit) routes of the kennisbank API, and bulk import and export of both.
extension KennisbankAPI {
    // MARK: toolkit

    func searchToolkit(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let (limit, offset) = Self.page(req)
        let q = ToolkitQuery(text: req.uri.queryParameters.get("q"), filters: Self.filters(req, facets: ToolkitQuery.facets),
                             changed: try Self.changed(req), limit: limit, offset: offset)
        return JSONResponse.make(try await bounded { [store] in try await store.searchToolkit(q) })
    }

    func showToolkitItem(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        guard let t = try await store.toolkitItem(try id(ctx)) else { throw APIError(status: .notFound, code: "not_found", message: "No toolkit item with that id.") }
        return JSONResponse.make(t)
    }

    func createToolkitItem(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.facilitatorOnly(ctx)
        let item = try await body(ToolkitItem.self, req, ctx, newId: "gk-")
        guard try await store.toolkitItem(item.id) == nil else {
            throw APIError(status: .conflict, code: "conflict", message: "`\(item.id)` exists: change it with PUT /api/v1/toolkit/\(item.id).")
        }
        try Self.check(item)
        return JSONResponse.make(status: .created, try await store.save(item, author: ctx.facilitator?.id))
    }

    func updateToolkitItem(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.facilitatorOnly(ctx)
        let item = try await body(ToolkitItem.self, req, ctx, id: try id(ctx))
        try Self.check(item)
        return JSONResponse.make(try await store.save(item, author: ctx.facilitator?.id))
    }

    /// The same rules as an import.
    static func check(_ item: ToolkitItem) throws {
        let problems = KennisbankFormats.validate(item)
        guard problems.isEmpty else {
            throw APIError(status: .unprocessableContent, code: "invalid_record", message: problems.joined(separator: "; "),
                           extra: ["errors": .array(problems.map { .string($0) })])
        }
    }

    func searchBoth(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let text = req.uri.queryParameters.get("q")
        let (limit, offset) = Self.page(req)
        let interventions = try await bounded { [store] in try await store.search(InterventionQuery(text: text, limit: limit, offset: offset)) }
        let toolkit = try await bounded { [store] in try await store.searchToolkit(ToolkitQuery(text: text, limit: limit, offset: offset)) }
        struct Out: Encodable { var interventions: InterventionResults; var toolkit: ToolkitResults }
        return JSONResponse.make(Out(interventions: interventions, toolkit: toolkit))
    }

    // MARK: import and export

    func exportInterventions(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        var all = try await store.allInterventions()
        if ctx.facilitator == nil { all = all.filter { $0.state == .published } }
        return try Self.export(req, jsonl: try KennisbankFormats.jsonLines(all), csv: { KennisbankFormats.csv(all) }, md: { KennisbankFormats.markdown(all) })
    }

    func exportToolkit(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let all = try await store.allToolkitItems()
        return try Self.export(req, jsonl: try KennisbankFormats.jsonLines(all), csv: { KennisbankFormats.csv(all) }, md: { KennisbankFormats.markdown(all) })
    }

    static func export(_ req: Request, jsonl: String, csv: () -> String, md: () -> String) throws -> Response {
        let (text, type): (String, String)
        switch req.uri.queryParameters.get("format") ?? "jsonl" {
        case "jsonl": (text, type) = (jsonl, "application/x-ndjson")
        case "csv": (text, type) = (csv(), "text/csv")
        case "md": (text, type) = (md(), "text/markdown")
        default: throw APIError(status: .badRequest, code: "bad_message", message: "format must be jsonl, csv or md")
        }
        return Response(status: .ok, headers: [.contentType: "\(type); charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func importInterventions(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.facilitatorOnly(ctx)
        let text = String(buffer: try await req.body.collect(upTo: 64 << 20))
        switch KennisbankFormats.parseInterventions(text, effects: Set(try await store.effects().map(\.id))) {
        case .failure(let p): throw Self.importFailure(p)
        case .success(let records): return JSONResponse.make(try await store.importInterventions(records, author: ctx.facilitator?.id))
        }
    }

    func importToolkit(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.facilitatorOnly(ctx)
        let text = String(buffer: try await req.body.collect(upTo: 64 << 20))
        switch KennisbankFormats.parseToolkit(text) {
        case .failure(let p): throw Self.importFailure(p)
        case .success(let records): return JSONResponse.make(try await store.importToolkit(records, author: ctx.facilitator?.id))
        }
    }

    /// At most this many problems are listed in the answer; `errorCount` says how many there were.
    static let listedImportProblems = 100

    /// A file with thousands of bad lines answers with the first 100 problems and their count, not with a
    /// body as large as the file.
    static func importFailure(_ p: KennisbankFormats.ImportProblems) -> APIError {
        let count = p.problems.count
        let listed = count > listedImportProblems ? " (the first \(listedImportProblems) are listed)" : ""
        return APIError(status: .unprocessableContent, code: "invalid_import", message: "\(count) bad record(s); nothing was imported\(listed).",
                        extra: ["errors": (try? JSONCoding.value(Array(p.problems.prefix(listedImportProblems)))) ?? [], "errorCount": .int(Int64(count))])
    }
}

/// Which top-level fields changed between two versions, with both values.
struct VersionDiff: Encodable {
    struct Change: Encodable {
        var field: String
        var from: JSONValue?
        var to: JSONValue?
    }

    var from: Int
    var to: Int
    var changes: [Change]

    static func between(_ a: Intervention, _ b: Intervention, from: Int, to: Int) -> VersionDiff {
        let skip: Set<String> = ["version", "updatedAt", "createdAt", "author"]
        let x = (try? JSONCoding.value(a))?.objectValue ?? [:], y = (try? JSONCoding.value(b))?.objectValue ?? [:]
        let changes = Set(x.keys).union(y.keys).subtracting(skip).sorted().compactMap { key -> Change? in
            x[key] == y[key] ? nil : Change(field: key, from: x[key], to: y[key])
        }
        return VersionDiff(from: from, to: to, changes: changes)
    }
}
