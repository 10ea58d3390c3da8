import ArgumentParser
import Foundation
import Model

/// `hubctl kennisbank …` and `hubctl toolkit …` share their shape; this describes where each lives.
struct Collection {
    var name: String
    var searchPath: String
    var itemPath: String
    var importPath: String
    var exportPath: String

    static let kennisbank = Collection(name: "kennisbank", searchPath: "/api/v1/interventions", itemPath: "/api/v1/interventions/",
                                       importPath: "/api/v1/kennisbank/import", exportPath: "/api/v1/kennisbank/export")
    static let toolkit = Collection(name: "toolkit", searchPath: "/api/v1/toolkit", itemPath: "/api/v1/toolkit/",
                                    importPath: "/api/v1/toolkit-import", exportPath: "/api/v1/toolkit-export")
}

/// The date filter both searches share: when a record last changed.
struct ChangedOptions: ParsableArguments {
    @Option(help: "Only records last changed on or after this day (YYYY-MM-DD).") var since: String?
    @Option(help: "Only records last changed on or before this day (YYYY-MM-DD).") var until: String?

    var query: [String: String?] { ["since": since, "until": until] }
}

struct KennisbankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kennisbank", abstract: "Import, export, search and show intervention descriptions; invite contributors.",
        subcommands: [Import.self, Export.self, Search.self, Show.self, Invite.self, Delete.self, EraseContributor.self])

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a contributor: prints a link with which they write and edit their own practice descriptions.",
            discussion: "The link carries the contributor's token; it is shown once. Revoke it with DELETE /api/v1/contributors/ID.")
        @OptionGroup var server: ServerOptions
        @Option(help: "The contributor's name, as shown with their descriptions.") var name: String
        @Option(help: "Their e-mail address (kept for the facilitators; nothing is sent).") var email: String?
        @Option(help: "Their organisation (corporation, municipality, welfare organisation).") var organisation: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                var body: [String: JSONValue] = ["name": .string(name)]
                if let email { body["email"] = .string(email) }
                if let organisation { body["organisation"] = .string(organisation) }
                let a = try await server.client().expect("POST", "/api/v1/contributors", body: try JSONCoding.encode(JSONValue.object(body)))
                if json { printJSON(a.json ?? .null); return }
                print("\(a.json?["contributor"]?["id"]?.stringValue ?? "")  \(name)")
                print(server.serverURL + (a.json?["link"]?.stringValue ?? ""))
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a JSON Lines file; idempotent, and a file with a bad record imports nothing.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "JSON Lines file, one Intervention per line.") var file: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws { try await importFile(.kennisbank, file, server, json) }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export every description (drafts too, with a facilitator token).")
        @OptionGroup var server: ServerOptions
        @Option(help: "jsonl (lossless), csv or md.") var format = "jsonl"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        func validate() throws { try validateFormat(format) }
        func run() async throws { try await exportFile(.kennisbank, format, out, server) }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search published descriptions; filters take comma-separated values.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Words to search (diacritics do not matter).") var query: String = ""
        @Option(help: "Filter by kind of intervention.") var kind: String?
        @Option(help: "Filter by theme (schoon, heel, veilig, wonen, werken, leven).") var theme: String?
        @Option(help: "Filter by effect id of the effectordening.") var effect: String?
        @Option(help: "Filter by evidence level.") var evidence: String?
        @Option(help: "Filter by type (praktijk, archetype).") var type: String?
        @Option(help: "Filter by scale (complex, buurt, wijk).") var scale: String?
        @OptionGroup var changed: ChangedOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let filters = ["kind": kind, "theme": theme, "effect": effect, "evidence": evidence, "type": type, "scale": scale].merging(changed.query) { $1 }
            try await search(.kennisbank, query, filters, server, json) { hit in
                "\(hit["id"]?.stringValue ?? "")  [\(hit["type"]?.stringValue ?? "")/\(hit["kind"]?.stringValue ?? "")]  \(hit["title"]?.stringValue ?? "")"
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one description as JSON (a given version, or the latest).")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Intervention id.") var id: String
        @Option(help: "Version number.") var version: Int?
        @Flag(help: "Print JSON (what `show` always prints; accepted like on every other command).") var json = false
        func run() async throws {
            try await show(.kennisbank, id + (version.map { "?version=\($0)" } ?? ""), server)
        }
    }
}

struct ToolkitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toolkit", abstract: "Import, export, search and show gereedschapskist items.",
        subcommands: [Import.self, Export.self, Search.self, Show.self, Delete.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a JSON Lines file; idempotent, and a file with a bad record imports nothing.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "JSON Lines file, one ToolkitItem per line.") var file: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws { try await importFile(.toolkit, file, server, json) }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export every item.")
        @OptionGroup var server: ServerOptions
        @Option(help: "jsonl (lossless), csv or md.") var format = "jsonl"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        func validate() throws { try validateFormat(format) }
        func run() async throws { try await exportFile(.toolkit, format, out, server) }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Search the gereedschapskist; filters take comma-separated values.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Words to search.") var query: String = ""
        @Option(help: "Filter by kind (werkvorm, instrument, checklist, agenda, template, les, tip).") var kind: String?
        @Option(help: "Filter by belemmering.") var barrier: String?
        @Option(help: "Filter by theme.") var theme: String?
        @OptionGroup var changed: ChangedOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await search(.toolkit, query, ["kind": kind, "barrier": barrier, "theme": theme].merging(changed.query) { $1 }, server, json) { hit in
                "\(hit["id"]?.stringValue ?? "")  [\(hit["kind"]?.stringValue ?? "")]  \(hit["title"]?.stringValue ?? "")"
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one item as JSON.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Item id.") var id: String
        @Flag(help: "Print JSON (what `show` always prints; accepted like on every other command).") var json = false
        func run() async throws { try await show(.toolkit, id, server) }
    }
}

func validateFormat(_ format: String) throws {
    guard ["jsonl", "csv", "md"].contains(format) else { throw ValidationError("--format must be jsonl, csv or md") }
}

func importFile(_ c: Collection, _ file: String, _ server: ServerOptions, _ json: Bool) async throws {
    try await reporting {
        guard let data = FileManager.default.contents(atPath: file) else { throw Failure(message: "cannot read \(file)") }
        let a = try await server.client().send("POST", c.importPath, body: data, contentType: "application/x-ndjson")
        if a.status == 422, let errors = a.json?["error"]?["errors"]?.arrayValue {
            for e in errors {
                printError("\(file):\(e["line"]?.intValue ?? 0): \(e["id"]?.stringValue.map { "\($0): " } ?? "")\(e["message"]?.stringValue ?? "")")
            }
            // The hub lists the first 100 problems and counts them all.
            let count = a.json?["error"]?["errorCount"]?.intValue ?? Int64(errors.count)
            if count > errors.count { printError("\(file): … and \(count - Int64(errors.count)) more") }
            throw Failure(message: "\(file): \(count) bad record(s); nothing was imported")
        }
        guard (200..<300).contains(a.status) else { throw Failure(message: "\(a.json?["error"]?["message"]?.stringValue ?? a.text) (HTTP \(a.status))") }
        if json { printJSON(a.json ?? .null); return }
        print("\(file): \(a.json?["created"]?.intValue ?? 0) created, \(a.json?["updated"]?.intValue ?? 0) updated, \(a.json?["unchanged"]?.intValue ?? 0) unchanged")
    }
}

func exportFile(_ c: Collection, _ format: String, _ out: String?, _ server: ServerOptions) async throws {
    try await reporting {
        let a = try await server.client().expect("GET", "\(c.exportPath)?format=\(format)")
        if let out {
            do { try a.body.write(to: URL(fileURLWithPath: out)) } catch { throw Failure(message: "cannot write \(out): \(error.localizedDescription)") }
        } else {
            FileHandle.standardOutput.write(a.body)
        }
    }
}

func search(_ c: Collection, _ query: String, _ filters: [String: String?], _ server: ServerOptions, _ json: Bool, line: (JSONValue) -> String) async throws {
    try await reporting {
        var parts = ["q=\(escape(query))", "limit=100"]
        for (k, v) in filters.sorted(by: { $0.key < $1.key }) { if let v { parts.append("\(k)=\(escape(v))") } }
        let a = try await server.client().expect("GET", "\(c.searchPath)?\(parts.joined(separator: "&"))")
        if json { printJSON(a.json ?? .null); return }
        for hit in a.json?["hits"]?.arrayValue ?? [] { print(line(hit)) }
        print("\(a.json?["total"]?.intValue ?? 0) found")
    }
}

func show(_ c: Collection, _ idAndQuery: String, _ server: ServerOptions) async throws {
    try await reporting {
        let a = try await server.client().expect("GET", c.itemPath + idAndQuery)
        printJSON(a.json ?? .null)
    }
}
