import ArgumentParser
import Foundation
import Model
import Plugins

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List, reload and validate activity plugins.",
        subcommands: [List.self, Reload.self, Validate.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the hub's plugins: name, version, state, restarts.")
        @OptionGroup var server: ServerOptions
        @Flag(help: "Print JSON.") var json = false
        func run() async throws { try await listPlugins("GET", "/api/v1/plugins", server, json) }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rescan the plugin folder: new plugins become usable, changed ones switch over by replay.")
        @OptionGroup var server: ServerOptions
        @Flag(help: "Print JSON.") var json = false
        func run() async throws { try await listPlugins("POST", "/api/v1/plugins/reload", server, json) }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a plugin folder, or each plugin folder inside a folder (offline).")
        @Argument(help: "A plugin folder or a folder of plugin folders.") var dir: String
        @Flag(help: "Print JSON: [{plugin, ok, problems: [{field, message}]}].") var json = false

        func run() async throws {
            try await reporting {
                let url = URL(fileURLWithPath: dir)
                let single = FileManager.default.fileExists(atPath: url.appendingPathComponent("plugin.json").path)
                let folders = single ? [url] : ManifestLoader.pluginFolders(in: url)
                guard !folders.isEmpty else { throw Failure(message: "\(dir) has no plugin.json and no plugin folders") }
                var results: [JSONValue] = []
                var bad = 0
                for folder in folders {
                    switch ManifestLoader.load(folder: folder) {
                    case .success(let m):
                        results.append(["plugin": .string(m.name), "ok": true, "problems": []])
                        if !json { print("\(m.name) \(m.version): ok") }
                    case .failure(let p):
                        bad += 1
                        results.append(["plugin": .string(folder.lastPathComponent), "ok": false,
                                        "problems": .array(p.problems.map { ["field": .string($0.field), "message": .string($0.message)] })])
                        if !json { for problem in p.problems { printError(problem.description) } }
                    }
                }
                if json { printJSON(.array(results)) }
                if bad > 0 { throw Failure(message: "\(bad) of \(folders.count) plugin(s) invalid") }
            }
        }
    }
}

func listPlugins(_ method: String, _ path: String, _ server: ServerOptions, _ json: Bool) async throws {
    try await reporting {
        let a = try await server.client().expect(method, path)
        if json { printJSON(a.json ?? .null); return }
        for p in a.json?["plugins"]?.arrayValue ?? [] {
            let error = p["error"]?.stringValue.map { "  (\($0))" } ?? ""
            let failed = p["failedInstances"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let instances = failed.isEmpty ? "" : "  failed for their session: \(failed.joined(separator: ", "))"
            print("\(p["name"]?.stringValue ?? "")  \(p["version"]?.stringValue ?? "")  \(p["state"]?.stringValue ?? "")  restarts \(p["restarts"]?.intValue ?? 0)\(error)\(instances)")
        }
        for problem in a.json?["problems"]?.arrayValue ?? [] { printError("not loaded: \(problem.stringValue ?? "")") }
    }
}
