import Foundation
import Hummingbird
import Toolbox
import Yams

/// `GET /api/v1/templates`: the session templates the hub offers to "Nieuwe sessie uit sjabloon" on the facilitator's
/// home (docs/WEB.md). Each is an agenda file of one session in `<templates>/sessions/NAME.yaml`, answered as its text
/// with a few fields read from it for the list; the editor loads the text through the dry run like an import, so a
/// template is checked by the same validator as any agenda, against the plugins installed at that moment.
struct TemplatesAPI {
    let auth: FacilitatorAuth
    /// The templates folder (`hubctl serve --templates`); its `sessions/` holds the session templates.
    let folder: URL

    /// A template file over this size, or beyond this many files, is left out: the list is read on every request.
    static let maxBytes = 256 << 10
    static let maxFiles = 100

    struct SessionTemplate: Encodable {
        var name: String
        var title: String
        var description: String?
        var lang: String?
        var plugins: [String]
        var activities: Int
        var yaml: String
    }

    func register(on router: Router<HubRequestContext>) {
        let secured = router.group("api/v1").add(middleware: FacilitatorMiddleware(auth: auth))
        secured.get("templates") { _, _ in JSONResponse.make(["templates": self.sessionTemplates()]) }
    }

    func sessionTemplates() -> [SessionTemplate] {
        let dir = folder.appendingPathComponent("sessions")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        return names.prefix(Self.maxFiles).compactMap { file in
            guard let data = try? Data(contentsOf: dir.appendingPathComponent(file)), data.count <= Self.maxBytes,
                  let text = String(data: data, encoding: .utf8) else { return nil }
            return Self.template(name: String(file.dropLast(5)), text)
        }
    }

    /// The list's fields, read as scalars from the file's top level and its agenda's `plugin` keys; a file that is not
    /// a mapping is left out (the editor's dry run reports anything else wrong with it).
    static func template(name: String, _ text: String) -> SessionTemplate? {
        guard let top = (try? Yams.compose(yaml: text))??.mapping else { return nil }
        let items = top["agenda"]?.sequence.map(Array.init) ?? []
        var plugins: [String] = []
        for p in items.compactMap({ $0.mapping?["plugin"]?.scalar?.string }) where !plugins.contains(p) { plugins.append(p) }
        return SessionTemplate(name: name, title: top["session"]?.scalar?.string ?? top["title"]?.scalar?.string ?? name,
                               description: top["description"]?.scalar?.string, lang: top["lang"]?.scalar?.string,
                               plugins: plugins, activities: items.count, yaml: text)
    }

    /// `--templates`, else `./templates` when there is one, else the `templates` folder beside the web folder (the source
    /// tree and an install keep them side by side).
    static func folder(configured: String?, webDir: String) -> URL {
        if let configured { return URL(fileURLWithPath: configured) }
        if FileManager.default.fileExists(atPath: "./templates/sessions") { return URL(fileURLWithPath: "./templates") }
        return URL(fileURLWithPath: webDir).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("templates")
    }
}
