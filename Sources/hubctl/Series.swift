import ArgumentParser
import Foundation
import Model

struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series", abstract: "Series of sessions: a leerkring, a programme of themabijeenkomsten, a werkplaats.",
        subcommands: [Create.self, List.self, Show.self, Report.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a series from a YAML file, or from a template in templates/.",
            discussion: """
                A file with `sessions` is a journey: every session with its date, time, location and agenda is created at \
                once (docs/SERIES.md); problems are printed as FILE:LINE: FIELD: MESSAGE and nothing is created. A file \
                without `sessions` creates (or updates) the series as a container: title, and optionally id, kind, description.
                --template NAME reads templates/NAME.yaml (from --templates, env HUBCTL_TEMPLATES, ./templates, or the \
                templates folder of the source tree hubctl was built in); --title and --start fill in its title and first \
                date, and the other sessions' dates follow from their `week:`.
                """)
        @OptionGroup var server: ServerOptions
        @Option(help: "Series YAML file.") var file: String?
        @Option(help: "A template's name, e.g. leerkring or themabijeenkomsten.") var template: String?
        @Option(help: "The folder of the templates.") var templates: String?
        @Option(help: "With --template: the series' title.") var title: String?
        @Option(help: "With --template: the first session's date, YYYY-MM-DD.") var start: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (file == nil) != (template == nil) else { throw ValidationError("give either --file FILE or --template NAME") }
            if template != nil && title == nil { throw ValidationError("--template needs --title") }
            if let start, start.count != 10 || start.split(separator: "-").count != 3 { throw ValidationError("--start must be a date YYYY-MM-DD") }
        }

        func run() async throws {
            try await reporting {
                let path = try file ?? SeriesTemplates.find(template ?? "", in: templates)
                guard var text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Failure(message: "cannot read \(path)") }
                if template != nil { text = SeriesTemplates.fill(text, title: title, start: start) }
                let a = try await server.client().send("POST", "/api/v1/series", body: Data(text.utf8), contentType: "application/yaml")
                if a.status == 422, let errors = a.json?["error"]?["errors"]?.arrayValue {
                    for e in errors {
                        let line = e["line"]?.intValue.map { ":\($0)" } ?? ""
                        printError("\(path)\(line): \(e["field"]?.stringValue ?? "?"): \(e["message"]?.stringValue ?? "")")
                    }
                    throw Failure(message: "\(path): \(errors.count) problem(s); no series created")
                }
                guard (200..<300).contains(a.status), let s = a.json else {
                    if a.status == 401 { throw Failure(message: "not logged in or token revoked: run `hubctl login`") }
                    throw Failure(message: "\(a.json?["error"]?["message"]?.stringValue ?? a.text) (HTTP \(a.status))")
                }
                if json { printJSON(s) } else { SeriesCommand.printSeries(s) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List series.")
        @OptionGroup var server: ServerOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let list = try await server.client().expect("GET", "/api/v1/series").json?["series"]?.arrayValue ?? []
                if json { printJSON(.array(list)); return }
                for s in list { print("\(s["id"]?.stringValue ?? "")  \(s["title"]?.stringValue ?? "")") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a series: its sessions in order, themes, results and gereedschapskist.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Series id or title.") var series: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let s = try await server.client().expect("GET", "/api/v1/series/\(escape(series))").json ?? .null
                if json { printJSON(s) } else { SeriesCommand.printSeries(s) }
            }
        }
    }

    static func printSeries(_ s: JSONValue) {
        let kind = s["kindTitle"]?["nl"]?.stringValue ?? s["kind"]?.stringValue
        print("\(s["id"]?.stringValue ?? "")  \(s["title"]?.stringValue ?? "")\(kind.map { "  (\($0))" } ?? "")")
        if let r = s["retention"] {
            // Days after each session's close; a kind not named follows the hub's --retain-*-days.
            let days = { (k: String) in r[k].map { $0.intValue.map(String.init) ?? $0.stringValue ?? "?" } ?? "hub default" }
            print("  retention: names \(days("names")), inputs \(days("inputs"))")
        }
        let list = { (k: String) in (s[k]?.arrayValue ?? []).compactMap(\.stringValue) }
        if !list("facilitators").isEmpty { print("  begeleiding: \(list("facilitators").joined(separator: ", "))") }
        if !list("themes").isEmpty { print("  thema's: \(list("themes").joined(separator: "; "))") }
        for x in s["sessions"]?.arrayValue ?? [] {
            let when = [x["date"]?.stringValue, x["time"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            let n = x["position"]?.intValue.map { "\($0). " } ?? "   "
            print("  \(n)\(when.isEmpty ? "" : when + "  ")\(x["title"]?.stringValue ?? "")  [\(x["status"]?.stringValue ?? "")]  code \(x["code"]?.stringValue ?? "")  deelnemers \(x["attendance"]?.intValue ?? 0)")
            if let l = x["location"] {
                let place = [l["name"]?.stringValue, l["address"]?.stringValue].compactMap { $0 }.joined(separator: ", ")
                print("       \(place)\(l["route"]?.stringValue.map { " — \($0)" } ?? "")")
            }
        }
        for r in s["results"]?.arrayValue ?? [] {
            let items = (r["items"]?.arrayValue ?? []).compactMap { $0.stringValue ?? $0["title"]?.stringValue ?? $0["title"]?["nl"]?.stringValue }
            print("  resultaat \(r["name"]?.stringValue ?? "") (sessie \(r["session"]?.intValue.map(String.init) ?? "?"), \(r["activity"]?.stringValue ?? "")): \(items.joined(separator: "; "))")
        }
        for t in s["gereedschapskist"]?.arrayValue ?? [] {
            print("  gereedschapskist: \(t["title"]?.stringValue ?? "")  \(t["id"]?.stringValue ?? "")  (sessie \(t["session"]?.intValue.map(String.init) ?? "?"), \(t["activity"]?.stringValue ?? ""))")
        }
        // Who continues across the series (opted in): by id, never by name (docs/SERIES.md).
        for p in s["seriesParticipants"]?.arrayValue ?? [] {
            let sessions = (p["sessions"]?.arrayValue ?? []).compactMap(\.intValue).map(String.init).joined(separator: ", ")
            let extra = [p["domain"]?.stringValue, p["trio"]?.stringValue.map { "trio \($0)" }].compactMap { $0 }.joined(separator: ", ")
            print("  deelnemer \(p["id"]?.stringValue ?? "")\(extra.isEmpty ? "" : "  (\(extra))")  sessies \(sessions.isEmpty ? "-" : sessions)")
        }
    }
}

/// Where `--template NAME` is found, and how its title and start are filled in.
enum SeriesTemplates {
    static func find(_ name: String, in folder: String?) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw Failure(message: "--template takes a name such as leerkring (a file templates/NAME.yaml)")
        }
        var folders: [String] = []
        if let folder { folders.append(folder) }
        if let env = ProcessInfo.processInfo.environment["HUBCTL_TEMPLATES"] { folders.append(env) }
        folders.append(FileManager.default.currentDirectoryPath + "/templates")
        // The source tree hubctl was built in: .build/<config>/hubctl → templates/.
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        folders.append(exe.appendingPathComponent("../../templates").standardized.path)
        for f in folders where FileManager.default.fileExists(atPath: "\(f)/\(name).yaml") { return "\(f)/\(name).yaml" }
        throw Failure(message: "no template \(name).yaml in \(folders.joined(separator: ", "))")
    }

    /// Replaces the template's top-level `title:` and `start:` lines (adding them at the end when missing), so the
    /// line numbers of its problems stay those of the file.
    static func fill(_ text: String, title: String?, start: String?) -> String {
        var lines = text.components(separatedBy: "\n")
        func set(_ key: String, _ value: String?) {
            guard let value else { return }
            let quoted = (try? JSONCoding.string(value)) ?? "\"\""
            if let i = lines.firstIndex(where: { $0.hasPrefix("\(key):") }) { lines[i] = "\(key): \(quoted)" } else { lines.append("\(key): \(quoted)") }
        }
        set("title", title)
        set("start", start)
        return lines.joined(separator: "\n")
    }
}
