import Foundation
import Model
import Plugins
import Yams

/// One thing wrong with an agenda file, with the line it is on (CONTRACTS.md §3: hubctl prints these
/// after the file's name).
public struct AgendaProblem: Codable, Sendable, Hashable, CustomStringConvertible {
    public var line: Int?
    public var field: String
    public var message: String

    public var description: String { "\(line.map { "\($0): " } ?? "")\(field): \(message)" }

    public init(line: Int?, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }
}

public struct AgendaProblems: Error, Sendable, Hashable {
    public var problems: [AgendaProblem]
}

public struct ParsedAgenda: Sendable, Hashable {
    public var title: String
    public var series: String?
    public var date: String?
    public var lang: Language
    /// Items with ids `a1`, `a2`, … in file order; `context` still holds the references as written.
    public var items: [AgendaItem]
}

/// What one YAML document may expand to once its aliases are followed (issue 13, finding 10): a 424-byte
/// agenda whose aliases nested six deep took 10 s and 130 MiB and stored 8 MB. Yams follows aliases as it
/// composes but has no limit, so the conversion to JSON counts every node and scalar byte it produces,
/// aliases each time they are used, and stops at the first that goes over.
public struct YAMLBudget: Sendable {
    public static let maxValues = 50_000
    public static let maxScalarBytes = 1 << 20
    /// Levels of nesting in `config` or `context` (counted from the item's field).
    public static let maxDepth = 32
    /// An item's `context` has no schema: it gets a tighter bound, as JSON.
    public static let maxContextBytes = 16 * 1024
    public static let maxContextDepth = 8

    var values = 0
    var scalarBytes = 0

    public init() {}

    public enum Exceeded: Error, Sendable, Equatable {
        case tooLarge
        case tooDeep(limit: Int)

        public var message: String {
            switch self {
            case .tooLarge:
                return "expands to more than \(YAMLBudget.maxValues) values or \(YAMLBudget.maxScalarBytes / 1024) KiB of text (a YAML alias counts each time it is used)"
            case .tooDeep(let limit):
                return "is nested more than \(limit) levels deep"
            }
        }
    }

    /// YAML → JSON with YAML's own typing (quoted scalars stay strings, dates stay text), within the budget.
    public mutating func json(_ node: Node, depth: Int = 0, maxDepth: Int = YAMLBudget.maxDepth) throws(Exceeded) -> JSONValue {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        values += 1
        guard values <= Self.maxValues else { throw .tooLarge }
        switch node {
        case .scalar(let s):
            scalarBytes += s.string.utf8.count
            guard scalarBytes <= Self.maxScalarBytes else { throw .tooLarge }
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(s.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(s.string)
            case .float: return node.float.map(JSONValue.double) ?? .string(s.string)
            default: return .string(s.string)
            }
        case .mapping(let m):
            var o: [String: JSONValue] = [:]
            for (k, v) in m {
                let key = k.string ?? ""
                scalarBytes += key.utf8.count
                guard scalarBytes <= Self.maxScalarBytes else { throw .tooLarge }
                o[key] = try json(v, depth: depth + 1, maxDepth: maxDepth)
            }
            return .object(o)
        case .sequence(let s):
            var a: [JSONValue] = []
            for v in s { a.append(try json(v, depth: depth + 1, maxDepth: maxDepth)) }
            return .array(a)
        case .alias:
            return .null
        }
    }
}

/// Reads an agenda YAML (DESIGN.md §2) and checks it against the loaded plugin manifests.
public struct AgendaParser: Sendable {
    public var manifests: [String: PluginManifest]

    public init(manifests: [String: PluginManifest]) {
        self.manifests = manifests
    }

    static let topKeys: Set<String> = ["series", "session", "title", "date", "lang", "agenda", "description", "retention"]
    static let itemKeys: Set<String> = ["id", "plugin", "title", "config", "anonymity", "groups", "context"]

    public func parse(_ text: String) -> Result<ParsedAgenda, AgendaProblems> {
        var problems: [AgendaProblem] = []
        func problem(_ node: Node?, _ field: String, _ message: String, line: Int? = nil) {
            problems.append(AgendaProblem(line: line ?? node?.mark?.line, field: field, message: message))
        }
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else {
                return .failure(AgendaProblems(problems: [AgendaProblem(line: 1, field: "agenda", message: "the file is empty")]))
            }
            root = r
        } catch let e as YamlError {
            return .failure(AgendaProblems(problems: [Self.problem(from: e)]))
        } catch {
            return .failure(AgendaProblems(problems: [AgendaProblem(line: nil, field: "agenda", message: "\(error)")]))
        }
        guard let top = root.mapping else {
            return .failure(AgendaProblems(problems: [AgendaProblem(line: root.mark?.line, field: "agenda", message: "the file must be a mapping with `session` and `agenda`")]))
        }
        for (k, _) in top {
            let key = k.string ?? ""
            if !Self.topKeys.contains(key) { problem(k, key, "unknown field; known: \(Self.topKeys.sorted().joined(separator: ", "))") }
        }
        let titleNode = top["session"] ?? top["title"]
        let title = titleNode?.string?.trimmingCharacters(in: .whitespaces) ?? ""
        if titleNode == nil || title.isEmpty { problem(titleNode ?? root, "session", "is required: the session's title", line: titleNode?.mark?.line ?? 1) }
        var lang = Language.nl
        if let l = top["lang"] {
            if let parsed = l.string.flatMap(Language.init(rawValue:)) { lang = parsed } else { problem(l, "lang", "must be `nl` or `en`") }
        }
        if let r = top["retention"] { for p in AgendaRetention.problems(r) { problem(r, p.field, p.message) } }
        let series = top["series"]?.string
        let date = top["date"]?.string
        // One budget for the whole document: every item's config and context draw from it.
        var budget = YAMLBudget()
        let items = parseAgenda(top["agenda"], in: root, prefix: "", seriesReferences: false, budget: &budget) { problem($0, $1, $2, line: $3) }
        guard problems.isEmpty else { return .failure(AgendaProblems(problems: problems)) }
        return .success(ParsedAgenda(title: title, series: series, date: date, lang: lang, items: items))
    }

    /// The `agenda` list of a session (`prefix` places it in a series file: `sessions[1].`). Items get ids
    /// `a1`, `a2`, … in file order, or the `id` they give (docs/SERIES.md: what `context.from.activity` names).
    /// `context.from` (a series reference) is refused unless `seriesReferences`; its shape is the series parser's.
    func parseAgenda(_ agendaNode: Node?, in root: Node, prefix: String, seriesReferences: Bool, budget: inout YAMLBudget,
                     problem: (Node?, String, String, Int?) -> Void) -> [AgendaItem] {
        var items: [AgendaItem] = []
        guard let agendaNode else {
            problem(root, "\(prefix)agenda", "is required: a list of activities", root.mark?.line ?? 1)
            return []
        }
        guard let seq = agendaNode.sequence, !seq.isEmpty else {
            problem(agendaNode, "\(prefix)agenda", "must be a non-empty list of activities", nil)
            return []
        }
        var seen: Set<String> = []
        for (i, itemNode) in seq.enumerated() {
            if let item = parseItem(itemNode, index: i, prefix: prefix, seriesReferences: seriesReferences, budget: &budget, problem: problem) {
                if !seen.insert(item.id).inserted {
                    problem(itemNode.mapping?["id"] ?? itemNode, "\(prefix)agenda[\(i)].id", "`\(item.id)` is the id of an earlier activity of this session", nil)
                }
                items.append(item)
            }
            // Past the budget the rest of the document is not read: that is where the cost is.
            if budget.values > YAMLBudget.maxValues || budget.scalarBytes > YAMLBudget.maxScalarBytes { break }
        }
        return items
    }

    /// An activity id an agenda may give: lower case, digits and `-`, starting with a letter.
    static func isActivityId(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first), s.count <= 40 else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private func parseItem(_ node: Node, index i: Int, prefix: String, seriesReferences: Bool, budget: inout YAMLBudget,
                           problem: (Node?, String, String, Int?) -> Void) -> AgendaItem? {
        let at = "\(prefix)agenda[\(i)]"
        guard let m = node.mapping else {
            problem(node, at, "must be a mapping with `plugin` and `title`", nil)
            return nil
        }
        var ok = true
        func fail(_ n: Node?, _ field: String, _ message: String) {
            ok = false
            problem(n ?? node, field, message, n?.mark?.line ?? node.mark?.line)
        }
        for (k, _) in m where !Self.itemKeys.contains(k.string ?? "") {
            fail(k, "\(at).\(k.string ?? "?")", "unknown field; known: \(Self.itemKeys.sorted().joined(separator: ", "))")
        }
        let pluginNode = m["plugin"]
        let pluginName = pluginNode?.string ?? ""
        var manifest: PluginManifest?
        if pluginNode == nil || pluginName.isEmpty {
            fail(pluginNode, "\(at).plugin", "is required")
        } else if let found = manifests[pluginName] {
            manifest = found
        } else {
            let known = manifests.keys.sorted().joined(separator: ", ")
            fail(pluginNode, "\(at).plugin", "unknown plugin `\(pluginName)`; loaded plugins: \(known.isEmpty ? "none" : known)")
        }
        let titleNode = m["title"]
        let title = titleNode?.string?.trimmingCharacters(in: .whitespaces) ?? ""
        if title.isEmpty { fail(titleNode, "\(at).title", "is required") }
        if title.count > 200 { fail(titleNode, "\(at).title", "must have at most 200 characters") }
        var config = JSONValue.object([:])
        let configNode = m["config"]
        if let c = configNode {
            do { config = try budget.json(c) } catch { fail(c, "\(at).config", error.message); return nil }
            if config.objectValue == nil { fail(c, "\(at).config", "must be a mapping") }
        }
        // A missing config is checked as `{}`, so the schema's `required` still applies.
        if config.objectValue != nil, let manifest {
            for v in ConfigSchema.validate(config, against: manifest.configSchema, path: "\(at).config") {
                let place = configNode.flatMap { Self.node(at: v.path, below: $0, prefix: "\(at).config") ?? $0 } ?? node
                fail(place, v.path, v.message)
            }
        }
        var anonymity = Anonymity.pseudonymous
        if let a = m["anonymity"] {
            if let parsed = a.string.flatMap(Anonymity.init(rawValue:)) { anonymity = parsed } else {
                fail(a, "\(at).anonymity", "must be one of named, pseudonymous, anonymous")
            }
        }
        var groups: GroupSpec?
        if let g = m["groups"] {
            if let gm = g.mapping, let mode = gm["mode"]?.string.flatMap(GroupMode.init(rawValue:)) {
                let size = gm["size"]?.int
                // Trios are three (docs/SERIES.md "Trios"): no size.
                if mode != .manual && mode != .trio && (size == nil || size! < 1) {
                    fail(gm["size"] ?? g, "\(at).groups.size", "must be a whole number ≥ 1 for mode \(mode.rawValue)")
                }
                groups = GroupSpec(mode: mode, size: size)
            } else {
                fail(g, "\(at).groups", "must be a mapping with `mode` (random, function, org, manual, trio) and `size`")
            }
        }
        var context = JSONValue.object([:])
        if let c = m["context"] {
            do { context = try budget.json(c, maxDepth: YAMLBudget.maxContextDepth) } catch { fail(c, "\(at).context", error.message); return nil }
            if context.objectValue == nil { fail(c, "\(at).context", "must be a mapping, e.g. { kennisbank: { kind: buurtbeheerbedrijven } }") }
            // Context has no schema and is stored with the session and sent to its plugin: bounded as JSON too.
            if let size = try? JSONCoding.encode(context).count, size > YAMLBudget.maxContextBytes {
                fail(c, "\(at).context", "must be at most \(YAMLBudget.maxContextBytes / 1024) KiB as JSON (it is \(size / 1024) KiB)")
            }
            if !seriesReferences, let from = c.mapping?["from"] {
                fail(from, "\(at).context.from", "takes a result of an earlier session of a series: only in a series file (hubctl series create, docs/SERIES.md)")
            }
        }
        var id = "a\(i + 1)"
        if let idNode = m["id"] {
            if let given = idNode.string, Self.isActivityId(given), !(given.hasPrefix("a") && Int(given.dropFirst()) != nil) {
                id = given
            } else {
                fail(idNode, "\(at).id", "must be 1 to 40 of a-z, 0-9 and -, starting with a letter, and not of the form a1, a2, … (those are the ids of activities without one)")
            }
        }
        guard ok else { return nil }
        return AgendaItem(id: id, plugin: pluginName, title: title, config: config, anonymity: anonymity, groups: groups, context: context)
    }

    /// The node that a violation path such as `agenda[0].config.questions[2]` points at, for its line.
    static func node(at path: String, below root: Node, prefix: String) -> Node? {
        guard path.hasPrefix(prefix) else { return nil }
        var rest = Substring(path.dropFirst(prefix.count))
        var node = root
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
                guard let next = node.mapping?[String(rest[..<end])] else { return node }
                node = next
                rest = rest[end...]
            } else if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                guard let s = node.sequence, i < s.count else { return node }
                node = s[i]
                rest = rest[rest.index(after: close)...]
            } else {
                return node
            }
        }
        return node
    }

    /// YAML → JSON within a fresh `YAMLBudget` (a whole small document such as a series).
    static func json(_ node: Node) throws(YAMLBudget.Exceeded) -> JSONValue {
        var budget = YAMLBudget()
        return try budget.json(node)
    }

    static func problem(from error: YamlError) -> AgendaProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return AgendaProblem(line: mark.line, field: "yaml", message: problem)
        default:
            return AgendaProblem(line: nil, field: "yaml", message: "\(error)")
        }
    }
}
