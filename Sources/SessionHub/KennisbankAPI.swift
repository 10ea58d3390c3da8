import Foundation
import Hummingbird
import Model
import ServiceLifecycle
import Toolbox

/// REST for the kennisbank and the gereedschapskist (issue 6): search, read, versions and diffs,
/// monitoring with rendement, writes and bulk import/export. Reading is public unless the deployment
/// says otherwise (`hubctl serve --private-kennisbank`); writing needs a facilitator token, or the token of
/// a contributor invited by link, who writes and edits their own practice descriptions (docs/KENNISBANK.md).
struct KennisbankAPI {
    let store: any ServedStore
    let auth: FacilitatorAuth
    let publicReads: Bool
    /// How long one search may run before SQLite is interrupted (`--search-timeout-ms`).
    var searchTimeout: Duration = SearchLimits.defaultTimeout

    func register(on router: Router<HubRequestContext>) {
        let api = router.group("api/v1")
        let read = api.group().add(middleware: KennisbankAccessMiddleware(auth: auth, required: !publicReads))
        let write = api.group().add(middleware: KennisbankAccessMiddleware(auth: auth, required: true))
        read.get("interventions", use: searchInterventions)
        read.get("interventions/:id", use: showIntervention)
        read.get("interventions/:id/versions", use: versions)
        read.get("interventions/:id/diff", use: diff)
        read.get("interventions/:id/monitoring", use: monitoring)
        read.get("toolkit", use: searchToolkit)
        read.get("toolkit/:id", use: showToolkitItem)
        read.get("search", use: searchBoth)
        read.get("effects") { req, _ in
            let version = req.uri.queryParameters.get("version").map { Int($0) ?? -1 }
            guard let list = try await store.effectordening(version: version) else {
                throw APIError(status: .notFound, code: "not_found", message: "No version \(req.uri.queryParameters.get("version") ?? "") of the effectordening.")
            }
            return JSONResponse.make(list)
        }
        read.get("effects/versions") { _, _ in JSONResponse.make(["versions": try await store.effectordeningVersions()]) }
        read.get("kennisbank/export", use: exportInterventions)
        read.get("toolkit-export", use: exportToolkit)
        write.post("interventions", use: createIntervention)
        write.put("interventions/:id", use: updateIntervention)
        write.post("interventions/:id/monitoring", use: addMonitoring)
        write.delete("interventions/:id/monitoring/:entry", use: deleteMonitoring)
        write.post("toolkit", use: createToolkitItem)
        write.put("toolkit/:id", use: updateToolkitItem)
        write.post("kennisbank/import", use: importInterventions)
        write.post("toolkit-import", use: importToolkit)
        write.put("effects/:id", use: saveEffect)
        write.delete("effects/:id") { _, ctx in
            try Self.facilitatorOnly(ctx)
            let id = ctx.parameters.get("id") ?? ""
            do {
                guard let list = try await store.removeEffect(id, author: ctx.facilitator?.id) else {
                    throw APIError(status: .notFound, code: "not_found", message: "No effect `\(id.prefix(80))` in the effectordening.")
                }
                return JSONResponse.make(list)
            } catch StoreError.duplicate(let user) {
                throw APIError(status: .conflict, code: "conflict", message: "`\(id)` is used by descriptions (e.g. `\(user)`): change those first.")
            }
        }
        write.get("me", use: me)
        write.post("contributors", use: invite)
        write.get("contributors") { _, ctx in
            try Self.facilitatorOnly(ctx)
            return JSONResponse.make(["contributors": try await store.contributors()])
        }
        write.delete("contributors/:id") { _, ctx in
            try Self.facilitatorOnly(ctx)
            let contributor = ctx.parameters.get("id") ?? ""
            guard try await store.revokeContributor(contributor, at: SessionServices.now()) else {
                throw APIError(status: .notFound, code: "not_found", message: "No active contributor with that id.")
            }
            try await store.audit(actor: ctx.facilitator?.id, action: "contributor.revoke", target: contributor)
            return Response(status: .noContent)
        }
    }

    // MARK: the effectordening

    static let effectIdPattern = "^[a-z0-9][a-z0-9-]{0,79}$"

    /// Adds an effect or changes its domain or title: a new version of the effectordening (facilitators only).
    func saveEffect(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.facilitatorOnly(ctx)
        let id = ctx.parameters.get("id") ?? ""
        struct Body: Decodable { var domain: String; var title: LocalizedText }
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        let body: Body
        do { body = try JSONCoding.decode(Body.self, from: Data(buffer.readableBytesView)) } catch {
            throw APIError(status: .badRequest, code: "bad_message", message: "Send {\"domain\": …, \"title\": {\"nl\": …, \"en\": …}}: \(KennisbankFormats.describeError(error))")
        }
        var problems: [String] = []
        if id.range(of: Self.effectIdPattern, options: .regularExpression) == nil { problems.append("id: use lower-case letters, digits and - (at most 80)") }
        if body.domain.range(of: Self.effectIdPattern, options: .regularExpression) == nil { problems.append("domain: use lower-case letters, digits and - (at most 80)") }
        for (lang, text) in [("nl", body.title.nl), ("en", body.title.en)] where text.trimmingCharacters(in: .whitespaces).isEmpty || text.count > 120 {
            problems.append("title.\(lang): 1 to 120 characters")
        }
        guard problems.isEmpty else {
            throw APIError(status: .unprocessableContent, code: "invalid_record", message: problems.joined(separator: "; "),
                           extra: ["errors": .array(problems.map { .string($0) })])
        }
        return JSONResponse.make(try await store.saveEffect(Effect(id: id, domain: body.domain, title: body.title), author: ctx.facilitator?.id))
    }

    // MARK: who may do what

    /// Imports, toolkit writes, archetypes and invitations are facilitators' work.
    static func facilitatorOnly(_ ctx: HubRequestContext) throws {
        guard ctx.facilitator != nil else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only facilitators may do this; contributors write and edit their own practice descriptions.")
        }
    }

    /// The account that wrote version 1 owns a description.
    func owner(of id: String) async throws -> String? {
        try await store.versions(of: id).first?.author
    }

    /// A contributor sees drafts they wrote; a facilitator sees every draft.
    func maySeeDrafts(of id: String, _ ctx: HubRequestContext) async throws -> Bool {
        if ctx.facilitator != nil { return true }
        guard let c = ctx.contributor else { return false }
        return try await owner(of: id) == c.id
    }

    /// A contributor writes practice descriptions only, and changes only their own.
    func checkWrite(_ record: Intervention, existing: Intervention?, _ ctx: HubRequestContext) async throws {
        guard let c = ctx.contributor else { return }
        guard record.type == .praktijk else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Archetypes are written by facilitators; a contributor writes practice descriptions (type `praktijk`).")
        }
        if existing != nil, try await owner(of: record.id) != c.id {
            throw APIError(status: .forbidden, code: "forbidden", message: "Contributors change only the descriptions they wrote.")
        }
    }

    /// The account a write is recorded under.
    func authorId(_ ctx: HubRequestContext) -> String? { ctx.facilitator?.id ?? ctx.contributor?.id }

    func me(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        struct Me: Encodable { var kind: String; var id: String; var name: String; var interventions: [String] }
        // The write routes' middleware guarantees one of the two.
        let (kind, id, name) = ctx.facilitator.map { ("facilitator", $0.id, $0.name) } ?? ("contributor", ctx.contributor?.id ?? "", ctx.contributor?.name ?? "")
        return JSONResponse.make(Me(kind: kind, id: id, name: name, interventions: try await store.interventionIds(firstAuthor: id)))
    }

    /// A facilitator invites a contributor: the answer carries the link (shown once; only its hash is kept).
    func invite(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        try Self.facilitatorOnly(ctx)
        struct Body: Decodable { var name: String; var email: String?; var organisation: String? }
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        guard let body = try? JSONCoding.decode(Body.self, from: Data(buffer.readableBytesView)),
              !body.name.trimmingCharacters(in: .whitespaces).isEmpty, body.name.count <= 120,
              (body.email?.count ?? 0) <= 200, (body.organisation?.count ?? 0) <= 200 else {
            throw APIError(status: .badRequest, code: "bad_message", message: "Send {\"name\": …, \"email\"?: …, \"organisation\"?: …} (name 1–120 characters).")
        }
        let contributor = ContributorRecord(id: Identifiers.random(prefix: "c_", length: 12), name: body.name.trimmingCharacters(in: .whitespaces),
                                            email: body.email, organisation: body.organisation, invitedBy: ctx.facilitator!.id, createdAt: SessionServices.now())
        let token = try await auth.invite(contributor)
        struct Out: Encodable { var contributor: ContributorRecord; var token: String; var link: String }
        // The token rides in the fragment, so it reaches no server log and no Referer header.
        return JSONResponse.make(status: .created, Out(contributor: contributor, token: token, link: "/web/kennisbank/wizard.html#invite=\(token)"))
    }

    static func filters(_ req: Request, facets: [String]) -> [String: [String]] {
        var f: [String: [String]] = [:]
        for name in facets {
            let values = req.uri.queryParameters.getAll(name).flatMap { (v: String) -> [String] in v.split(separator: Character(",")).map(String.init) }
            if !values.isEmpty { f[name] = values }
        }
        return f
    }

    /// `since` and `until` (YYYY-MM-DD, both inclusive, UTC days): when a record last changed.
    static func changed(_ req: Request) throws -> ChangedRange {
        func day(_ name: String) throws -> Int64? {
            guard let text = req.uri.queryParameters.get(name) else { return nil }
            let parts = text.split(separator: "-").compactMap { Int($0) }
            var c = DateComponents()
            c.calendar = Calendar(identifier: .gregorian)
            c.timeZone = TimeZone(identifier: "UTC")
            let shaped = text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil && parts.count == 3
            if shaped { (c.year, c.month, c.day) = (parts[0], parts[1], parts[2]) }
            guard shaped, c.isValidDate, let date = c.date else {
                throw APIError(status: .badRequest, code: "bad_message", message: "`\(name)` must be a date YYYY-MM-DD.")
            }
            return Int64(date.timeIntervalSince1970 * 1000)
        }
        return ChangedRange(since: try day("since"), until: try day("until").map { $0 + 86_400_000 })
    }

    static func page(_ req: Request) -> (Int, Int) {
        let limit = min(100, max(1, req.uri.queryParameters.get("limit", as: Int.self) ?? 20))
        let offset = max(0, req.uri.queryParameters.get("offset", as: Int.self) ?? 0)
        return (limit, offset)
    }

    func id(_ ctx: HubRequestContext) throws -> String {
        let id = ctx.parameters.get("id") ?? ""
        guard id.range(of: KennisbankFormats.idPattern, options: .regularExpression) != nil else {
            throw APIError(status: .notFound, code: "not_found", message: "No record `\(id.prefix(100))`.")
        }
        return id
    }

    /// Decodes a record; with `newId`, a missing or empty `id` (and, for PUT, any `id`) is filled in first.
    func body<T: Decodable>(_ type: T.Type, _ req: Request, _ ctx: HubRequestContext, newId: String? = nil, id: String? = nil) async throws -> T {
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        var data = Data(buffer.readableBytesView)
        if newId != nil || id != nil, var object = JSONCoding.parse(String(decoding: data, as: UTF8.self))?.objectValue {
            if let id { object["id"] = .string(id) }
            if let prefix = newId, (object["id"]?.stringValue ?? "").isEmpty { object["id"] = .string(Identifiers.random(prefix: prefix, length: 10)) }
            data = try JSONCoding.encode(JSONValue.object(object))
        }
        do { return try JSONCoding.decode(T.self, from: data) } catch {
            throw APIError(status: .badRequest, code: "bad_message", message: "The body is not a valid record: \(KennisbankFormats.describeError(error))")
        }
    }

    // MARK: search

    /// A search within its time budget; a refused or stopped one answers why (docs/SECURITY.md, Search).
    func bounded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        do { return try await cancelWhenGracefulShutdown { [searchTimeout] in try await withSearchTimeout(searchTimeout, work) } } catch let e as SearchError {
            switch e {
            case .tooManyCharacters, .tooManyTerms:
                throw APIError(status: .badRequest, code: "query_too_long", message: e.message)
            case .timedOut, .stopped:
                throw APIError(status: .serviceUnavailable, code: "search_timeout", message: e.message)
            }
        }
    }

    // MARK: interventions

    func searchInterventions(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let (limit, offset) = Self.page(req)
        let drafts = req.uri.queryParameters.get("drafts") == "1" && ctx.facilitator != nil
        let q = InterventionQuery(text: req.uri.queryParameters.get("q"), filters: Self.filters(req, facets: InterventionQuery.facets),
                                  includeDrafts: drafts, changed: try Self.changed(req), limit: limit, offset: offset)
        return JSONResponse.make(try await bounded { [store] in try await store.search(q) })
    }

    /// The one visibility rule of every intervention read (record, version, version list, diff, monitoring):
    /// a published version is for everyone, a draft only for facilitators and the description's writer.
    func visible(_ version: Intervention, _ ctx: HubRequestContext) async throws -> Bool {
        version.state == .published ? true : try await maySeeDrafts(of: version.id, ctx)
    }

    /// The latest version if this reader may see it; to anyone else the record does not exist.
    func readable(_ id: String, _ ctx: HubRequestContext) async throws -> Intervention {
        guard let i = try await store.intervention(id, version: nil), try await visible(i, ctx) else {
            throw APIError(status: .notFound, code: "not_found", message: "No intervention `\(id)`.")
        }
        return i
    }

    /// The versions of a readable record this reader may see, oldest first: an earlier draft (with, say, a
    /// contributor's phone number) stays hidden from the public after a later version is published.
    func visibleVersions(_ id: String, _ ctx: HubRequestContext) async throws -> [(info: VersionInfo, record: Intervention)] {
        let latest = try await readable(id, ctx)
        var out: [(info: VersionInfo, record: Intervention)] = []
        for info in try await store.versions(of: latest.id) {
            if let v = try await store.intervention(latest.id, version: info.version), try await visible(v, ctx) { out.append((info, v)) }
        }
        return out
    }

    func showIntervention(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let requested = try id(ctx)
        guard let version = req.uri.queryParameters.get("version", as: Int.self) else { return JSONResponse.make(try await readable(requested, ctx)) }
        guard let found = try await visibleVersions(requested, ctx).first(where: { $0.info.version == version }) else {
            throw APIError(status: .notFound, code: "not_found", message: "No intervention `\(requested)` version \(version).")
        }
        return JSONResponse.make(found.record)
    }

    func versions(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        JSONResponse.make(["versions": try await visibleVersions(try id(ctx), ctx).map(\.info)])
    }

    /// Field-level differences between two versions this reader may see (default: the latest and the one before it).
    func diff(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let list = try await visibleVersions(try id(ctx), ctx)
        let numbers = list.map(\.info.version)
        guard let latest = numbers.last else { throw APIError(status: .notFound, code: "not_found", message: "No intervention with that id.") }
        let to = req.uri.queryParameters.get("to", as: Int.self) ?? latest
        let from = req.uri.queryParameters.get("from", as: Int.self) ?? (numbers.last(where: { $0 < to }) ?? to)
        guard let a = list.first(where: { $0.info.version == from })?.record, let b = list.first(where: { $0.info.version == to })?.record else {
            throw APIError(status: .notFound, code: "not_found", message: "Version \(from) or \(to) does not exist.")
        }
        return JSONResponse.make(VersionDiff.between(a, b, from: from, to: to))
    }

    func createIntervention(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let record = try await body(Intervention.self, req, ctx, newId: "kb-")
        guard try await store.intervention(record.id, version: nil) == nil else {
            throw APIError(status: .conflict, code: "conflict", message: "`\(record.id)` exists: change it with PUT /api/v1/interventions/\(record.id).")
        }
        try await checkWrite(record, existing: nil, ctx)
        return JSONResponse.make(status: .created, try await save(record, ctx))
    }

    func updateIntervention(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let record = try await body(Intervention.self, req, ctx, id: try id(ctx))
        try await checkWrite(record, existing: try await store.intervention(record.id, version: nil), ctx)
        return JSONResponse.make(try await save(record, ctx))
    }

    func save(_ record: Intervention, _ ctx: HubRequestContext) async throws -> Intervention {
        let effects = Set(try await store.effects().map(\.id))
        let problems = KennisbankFormats.validate(record, effects: effects)
        guard problems.isEmpty else {
            throw APIError(status: .unprocessableContent, code: "invalid_record", message: problems.joined(separator: "; "),
                           extra: ["errors": .array(problems.map { .string($0) })])
        }
        let saved = try await store.save(record, author: authorId(ctx))
        if saved.state == .published {
            try await store.audit(actor: authorId(ctx), action: "kennisbank.publish", target: saved.id, detail: saved.version.map { "version \($0)" })
        }
        return saved
    }

    // MARK: monitoring

    func monitoring(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let i = try await readable(try id(ctx), ctx)
        let id = i.id
        var entries = try await store.monitoring(of: id)
        // An archetype's figures aggregate its practice descriptions' entries (published ones, for the public).
        if i.type == .archetype {
            for p in i.generalisedPractices ?? [] {
                if let practice = try await store.intervention(p, version: nil), try await visible(practice, ctx) { entries += try await store.monitoring(of: p) }
            }
        }
        struct Out: Encodable { var intervention: String; var entries: [MonitoringEntry]; var summary: MonitoringSummary }
        return JSONResponse.make(Out(intervention: id, entries: entries, summary: MonitoringSummary.compute(entries)))
    }

    func addMonitoring(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let id = try id(ctx)
        guard let existing = try await store.intervention(id, version: nil) else { throw APIError(status: .notFound, code: "not_found", message: "No intervention `\(id)`.") }
        try await checkWrite(existing, existing: existing, ctx)
        // `id` and `intervention` may be left out: the hub fills them in.
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        guard let raw = JSONCoding.parse(String(buffer: buffer))?["entries"]?.arrayValue else {
            throw APIError(status: .badRequest, code: "bad_message", message: "Send {\"entries\": [MonitoringEntry]}.")
        }
        var entries: [MonitoringEntry] = []
        for (n, value) in raw.enumerated() {
            var object = value.objectValue ?? [:]
            object["intervention"] = .string(id)
            if (object["id"]?.stringValue ?? "").isEmpty { object["id"] = .string(Identifiers.random(prefix: "m-", length: 10)) }
            let entry: MonitoringEntry
            do { entry = try JSONCoding.decode(MonitoringEntry.self, from: JSONCoding.encode(JSONValue.object(object))) } catch {
                throw APIError(status: .badRequest, code: "bad_message", message: "entries[\(n)]: \(KennisbankFormats.describeError(error))")
            }
            let problems = KennisbankFormats.validate(entry)
            guard problems.isEmpty else {
                throw APIError(status: .unprocessableContent, code: "invalid_record", message: "entries[\(n)]: " + problems.joined(separator: "; "),
                               extra: ["errors": .array(problems.map { .string("entries[\(n)]: \($0)") })])
            }
            // An entry id belongs to one intervention: reusing another's would move that entry.
            if let other = try await store.monitoringEntry(entry.id), other.intervention != id {
                throw APIError(status: .conflict, code: "conflict", message: "entries[\(n)]: id `\(entry.id)` is an entry of another intervention; leave `id` out for a new entry.")
            }
            entries.append(entry)
        }
        try await store.saveMonitoring(entries)
        return try await monitoring(req, ctx)
    }

    func deleteMonitoring(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let id = try id(ctx)
        guard let existing = try await store.intervention(id, version: nil) else { throw APIError(status: .notFound, code: "not_found", message: "No intervention `\(id)`.") }
        try await checkWrite(existing, existing: existing, ctx)
        guard try await store.deleteMonitoring(ctx.parameters.get("entry") ?? "", of: id) else {
            throw APIError(status: .notFound, code: "not_found", message: "No monitoring entry with that id on `\(id)`.")
        }
        return try await monitoring(req, ctx)
    }
}
