import Foundation
import Model

public struct PhaseSpec: Codable, Sendable, Hashable {
    public var name: String
    public var title: LocalizedText
    /// Connection role (`participant`, `facilitator`) → input types it may send in this phase.
    public var inputs: [String: [String]]

    public func allows(role: ConnectionRole, type: String) -> Bool {
        inputs[role.rawValue]?.contains(type) ?? false
    }
}

/// `plugins/<name>/plugin.json` (CONTRACTS.md §2).
public struct PluginManifest: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    public var `protocol`: Int
    public var title: LocalizedText
    public var description: LocalizedText
    public var command: [String]
    public var configSchema: JSONValue
    public var phases: [PhaseSpec]
    public var roles: [String: LocalizedText]?
    public var confidential: [String]?
    public var web: String?
    public var outputs: [String]?
    public var privateConfig: [String]?

    public static let outputKinds: Set<String> = ["kennisbank.intervention", "gereedschapskist.item", "report.section", "series.result"]

    public func phase(named name: String) -> PhaseSpec? { phases.first { $0.name == name } }
}

/// One thing wrong with a manifest, naming the plugin and the field.
public struct ManifestProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var plugin: String
    public var field: String
    public var message: String
    public var description: String { "plugin `\(plugin)`: \(field): \(message)" }

    public init(plugin: String, field: String, message: String) {
        self.plugin = plugin
        self.field = field
        self.message = message
    }
}

public struct ManifestProblems: Error, Sendable, Hashable {
    public var problems: [ManifestProblem]
}

public enum ManifestLoader {
    /// Reads and validates `folder/plugin.json`; either a manifest or every problem found.
    public static func load(folder: URL) -> Result<PluginManifest, ManifestProblems> {
        let folderName = folder.lastPathComponent
        let file = folder.appendingPathComponent("plugin.json")
        guard let data = try? Data(contentsOf: file) else {
            return .failure(ManifestProblems(problems: [ManifestProblem(plugin: folderName, field: "plugin.json", message: "cannot be read")]))
        }
        guard let value = try? JSONCoding.decode(JSONValue.self, from: data) else {
            return .failure(ManifestProblems(problems: [ManifestProblem(plugin: folderName, field: "plugin.json", message: "is not valid JSON")]))
        }
        return validate(value, folderName: folderName)
    }

    public static func validate(_ value: JSONValue, folderName: String) -> Result<PluginManifest, ManifestProblems> {
        let name = value["name"]?.stringValue ?? folderName
        var problems: [ManifestProblem] = []
        func problem(_ field: String, _ message: String) { problems.append(ManifestProblem(plugin: name, field: field, message: message)) }
        guard let o = value.objectValue else {
            return .failure(ManifestProblems(problems: [ManifestProblem(plugin: name, field: "plugin.json", message: "must be a JSON object")]))
        }
        func requireString(_ k: String) -> String? {
            guard let v = o[k] else { problem(k, "is required"); return nil }
            guard let s = v.stringValue, !s.isEmpty else { problem(k, "must be a non-empty string"); return nil }
            return s
        }
        if let n = requireString("name") {
            if n.range(of: "^[a-z0-9-]+$", options: .regularExpression) == nil { problem("name", "must match [a-z0-9-]+") }
            if n != folderName { problem("name", "must equal the folder name `\(folderName)`") }
        }
        if let v = requireString("version"), v.range(of: #"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"#, options: .regularExpression) == nil {
            problem("version", "must be a semantic version such as 1.0.0")
        }
        if let p = o["protocol"] {
            if p.intValue != Int64(PluginProtocol.version) {
                problem("protocol", "must be \(PluginProtocol.version) (this hub speaks plugin protocol \(PluginProtocol.version)), not \((try? JSONCoding.string(p)) ?? p.typeName)")
            }
        } else { problem("protocol", "is required") }
        for k in ["title", "description"] {
            guard let t = o[k] else { problem(k, "is required"); continue }
            for lang in ["nl", "en"] where t[lang]?.stringValue?.isEmpty ?? true { problem("\(k).\(lang)", "is required") }
        }
        if let c = o["command"] {
            if c.arrayValue?.isEmpty ?? true || c.arrayValue?.contains(where: { $0.stringValue == nil }) == true {
                problem("command", "must be a non-empty list of strings (program and arguments)")
            }
        } else { problem("command", "is required") }
        if let s = o["configSchema"] {
            for v in ConfigSchema.check(schema: s) { problem(v.path, v.message) }
        } else { problem("configSchema", "is required") }
        if let ph = o["phases"]?.arrayValue, !ph.isEmpty {
            var seen = Set<String>()
            for (i, p) in ph.enumerated() {
                let at = "phases[\(i)]"
                guard let pn = p["name"]?.stringValue, !pn.isEmpty else { problem("\(at).name", "is required"); continue }
                if !seen.insert(pn).inserted { problem("\(at).name", "`\(pn)` is used twice") }
                for lang in ["nl", "en"] where p["title"]?[lang]?.stringValue == nil { problem("\(at).title.\(lang)", "is required") }
                guard let inputs = p["inputs"]?.objectValue else { problem("\(at).inputs", "is required (an object: role → input types)"); continue }
                for (role, types) in inputs {
                    if role != "participant" && role != "facilitator" { problem("\(at).inputs.\(role)", "role must be participant or facilitator") }
                    if types.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true { problem("\(at).inputs.\(role)", "must be a list of input types") }
                    for t in types.arrayValue?.compactMap(\.stringValue) ?? [] where t.hasPrefix("$") {
                        problem("\(at).inputs.\(role)", "input type `\(t)` may not start with $ (reserved for system events)")
                    }
                }
            }
        } else { problem("phases", "is required (a non-empty list)") }
        if let outs = o["outputs"] {
            for k in outs.arrayValue?.compactMap(\.stringValue) ?? [] where !PluginManifest.outputKinds.contains(k) {
                problem("outputs", "unknown output kind `\(k)`; known: \(PluginManifest.outputKinds.sorted().joined(separator: ", "))")
            }
        }
        if let w = o["web"], w.stringValue == nil { problem("web", "must be a path relative to the plugin folder") }
        if let w = o["web"]?.stringValue, w.hasPrefix("/") || w.contains("..") { problem("web", "must stay inside the plugin folder") }
        if let w = o["web"]?.stringValue, !w.contains("/") { problem("web", "must sit in a subfolder such as web/\(name).js: only that folder is served") }
        // The hub serves no path with an empty part or one starting with `.` (Pages.file): such a module
        // would pass here and then never load.
        if let w = o["web"]?.stringValue, w.contains("/"), !w.hasPrefix("/"), !w.contains(".."),
           w.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0.hasPrefix(".") }) {
            problem("web", "no part of the path may be empty or start with `.`: the hub would not serve it")
        }
        if let r = o["roles"], r.objectValue?.values.allSatisfy({ $0["nl"]?.stringValue != nil && $0["en"]?.stringValue != nil }) != true {
            problem("roles", "must map each role name to {nl, en}")
        }
        for k in ["confidential", "privateConfig", "outputs"] {
            if let v = o[k], v.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true { problem(k, "must be a list of strings") }
        }
        guard problems.isEmpty else { return .failure(ManifestProblems(problems: problems)) }
        do {
            let data = try JSONCoding.encode(value)
            return .success(try JSONCoding.decode(PluginManifest.self, from: data))
        } catch {
            return .failure(ManifestProblems(problems: [ManifestProblem(plugin: name, field: "plugin.json", message: "\(error)")]))
        }
    }

    /// Every plugin folder below `dir` (folders with a plugin.json), in name order.
    public static func pluginFolders(in dir: URL) -> [URL] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.sorted().map { dir.appendingPathComponent($0) }.filter {
            fm.fileExists(atPath: $0.appendingPathComponent("plugin.json").path)
        }
    }
}
