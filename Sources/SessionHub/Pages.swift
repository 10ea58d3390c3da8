import Foundation
import Hummingbird
import Model
import Plugins

/// The shell's page routes (participant, beamer, facilitator), plugin web modules and the join QR code.
/// The pages are static files; they read the code or session id from their own URL.
struct Pages {
    let webDir: URL
    let host: PluginHost
    let registry: SessionRegistry
    let publicURL: @Sendable () -> String
    /// Shared with `GET /api/v1/join/{code}`: the QR route finds sessions by code too.
    var codeLookups = CodeLookupLimiter()

    func register(on router: Router<HubRequestContext>) {
        // The API description lives with the web files so that it ships and updates with them.
        router.get("api/v1/openapi.json") { _, _ in try file(webDir.appendingPathComponent("openapi.json")) }
        // Plugins load the shared tokens and components from /web/… (CONTRACTS.md §2b).
        router.get("web/**") { _, ctx in try file(webDir, relative: ctx.parameters.getCatchAll().joined(separator: "/")) }
        router.get("s/:code") { _, _ in try file(webDir.appendingPathComponent("index.html")) }
        router.get("beamer/:code") { _, _ in try file(webDir.appendingPathComponent("beamer.html")) }
        router.get("facilitate/:session") { _, _ in try file(webDir.appendingPathComponent("facilitate.html")) }
        // The agenda editor (issue 20); a constant path, so it wins over `:session`.
        router.get("facilitate") { _, _ in try file(webDir.appendingPathComponent("facilitate/home.html")) }
        router.get("facilitate/new") { _, _ in try file(webDir.appendingPathComponent("facilitate/editor.html")) }
        // The participant page's service worker sits at the root: a worker's scope is at most its own folder,
        // and the page lives at / and /s/<code> (docs/OPERATIONS.md, "Offline loading").
        router.get("sw.js") { _, _ in try file(webDir.appendingPathComponent("sw.js")) }
        router.get("plugins/:name/**") { req, ctx in
            let name = ctx.parameters.get("name") ?? ""
            let rest = ctx.parameters.getCatchAll().joined(separator: "/")
            guard let folder = await host.folder(name) else { throw HTTPError(.notFound) }
            // Only files below the folder the manifest's `web` module sits in are served, never the plugin's code.
            guard let web = await host.manifest(name)?.web else { throw HTTPError(.notFound) }
            let webDir = web.split(separator: "/").dropLast().joined(separator: "/")
            guard !webDir.isEmpty, rest.hasPrefix(webDir + "/") else { throw HTTPError(.notFound) }
            return try file(folder, relative: rest)
        }
        router.get("api/v1/sessions/:session/qr.svg") { _, ctx in
            let key = ctx.parameters.get("session") ?? ""
            try await API.admitLookup(codeLookups, ctx)
            guard key.count <= 64, let s = try await registry.session(key) else { throw HTTPError(.notFound) }
            await codeLookups.found(ctx.peer)
            guard let svg = QRCode.svg("\(publicURL())/s/\(s.code)") else { throw HTTPError(.internalServerError) }
            return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: svg)))
        }
    }

    /// A file below `base`, refusing any path that would leave it.
    func file(_ base: URL, relative: String) throws -> Response {
        let parts = relative.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else { throw HTTPError(.notFound) }
        return try file(base.appendingPathComponent(parts.joined(separator: "/")))
    }

    func file(_ url: URL) throws -> Response {
        guard let data = try? Data(contentsOf: url) else { throw HTTPError(.notFound) }
        let type = MediaType.getMediaType(forExtension: url.pathExtension)?.description ?? "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
