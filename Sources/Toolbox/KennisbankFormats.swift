import Foundation
import Model

/// Reading and writing kennisbank and gereedschapskist records: JSON Lines (lossless: one record a line,
/// sorted keys, so export → import → export is byte-identical), CSV (flat, for spreadsheets) and Markdown
/// (one document, a section per record).
public enum KennisbankFormats {
    public static let idPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

    public static func jsonLines<T: Encodable>(_ records: [T]) throws -> String {
        try records.map { try JSONCoding.string($0) + "\n" }.joined()
    }

    /// Parses and validates every line; returns the records, or every problem with its line number.
    public static func parseInterventions(_ text: String, effects: Set<String>) -> Result<[(line: Int, record: Intervention)], ImportProblems> {
        parse(text) { (i: Intervention) in validate(i, effects: effects) }
    }

    public static func parseToolkit(_ text: String) -> Result<[(line: Int, record: ToolkitItem)], ImportProblems> {
        parse(text, validate: validate)
    }

    public static func validate(_ t: ToolkitItem) -> [String] {
        var p: [String] = []
        if t.id.range(of: idPattern, options: .regularExpression) == nil { p.append("id: use letters, digits, . _ - (at most 100)") }
        if t.title.trimmingCharacters(in: .whitespaces).isEmpty { p.append("title: is required") }
        if t.body.trimmingCharacters(in: .whitespaces).isEmpty { p.append("body: is required") }
        return p
    }

    public static func parseMonitoring(_ text: String) -> Result<[(line: Int, record: MonitoringEntry)], ImportProblems> {
        parse(text) { (m: MonitoringEntry) in validate(m) }
    }

    public struct ImportProblems: Error, Sendable, Hashable {
        public var problems: [ImportProblem]
    }

    static func parse<T: Decodable & Identified>(_ text: String, validate: (T) -> [String]) -> Result<[(line: Int, record: T)], ImportProblems> {
        var records: [(Int, T)] = []
        var problems: [ImportProblem] = []
        var seen: [String: Int] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let n = i + 1
            do {
                let record = try JSONCoding.decode(T.self, from: line)
                for p in validate(record) { problems.append(ImportProblem(line: n, id: record.id, message: p)) }
                if let first = seen[record.id] { problems.append(ImportProblem(line: n, id: record.id, message: "id also on line \(first)")) }
                seen[record.id] = seen[record.id] ?? n
                records.append((n, record))
            } catch {
                problems.append(ImportProblem(line: n, id: JSONCoding.parse(line)?["id"]?.stringValue, message: describe(error)))
            }
        }
        return problems.isEmpty ? .success(records) : .failure(ImportProblems(problems: problems))
    }

    public static func describeError(_ error: any Error) -> String { describe(error) }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx): return "\(path(ctx.codingPath + [key])): is required"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        case DecodingError.dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        default: return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    public static func validate(_ i: Intervention, effects: Set<String>) -> [String] {
        var p: [String] = []
        if i.id.range(of: idPattern, options: .regularExpression) == nil { p.append("id: use letters, digits, . _ - (at most 100)") }
        if i.title.trimmingCharacters(in: .whitespaces).isEmpty { p.append("title: is required") }
        if i.kind.trimmingCharacters(in: .whitespaces).isEmpty { p.append("kind: is required") }
        for e in i.effects ?? [] where !effects.isEmpty && !effects.contains(e) { p.append("effects: `\(e)` is not in the effectordening") }
        var ingredientIds = Set<String>()
        for (n, a) in (i.activeIngredients ?? []).enumerated() {
            if a.statement.trimmingCharacters(in: .whitespaces).isEmpty { p.append("activeIngredients[\(n)].statement: is required") }
            if !ingredientIds.insert(a.id).inserted { p.append("activeIngredients[\(n)].id: `\(a.id)` is used twice") }
        }
        if i.type == .praktijk && !(i.generalisedPractices ?? []).isEmpty { p.append("practices: only an archetype links to practice descriptions") }
        return p
    }

    public static func validate(_ m: MonitoringEntry) -> [String] {
        var p: [String] = []
        if m.date.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil { p.append("date: use YYYY-MM-DD") }
        for (name, v) in [("attribution", m.attribution), ("deadWeight", m.deadWeight)] {
            if let v, !(0...1).contains(v) { p.append("\(name): must be between 0 and 1") }
        }
        if m.kind == .rendement && (m.baseline == nil || m.measured == nil) { p.append("rendement needs baseline and measured") }
        // The summary adds and multiplies these: bounded, every sum stays finite. One entry of 1e308 euros made
        // the next sum infinite, which JSON cannot carry, and the intervention's monitoring answered 500 from then on.
        for (name, v) in [("euros", m.euros), ("hours", m.hours), ("value", m.value), ("target", m.target), ("baseline", m.baseline),
                          ("measured", m.measured), ("valuePerUnit", m.valuePerUnit)] {
            if let v, !(v.isFinite && abs(v) <= maxMonitoringAmount) { p.append("\(name): at most 10^12 either way") }
        }
        return p
    }

    /// The largest amount (euros, hours, a value, …) a monitoring entry may hold, positive or negative.
    public static let maxMonitoringAmount = 1e12

    // MARK: CSV and Markdown

    public static func csv(_ records: [Intervention]) -> String {
        let header = ["id", "title", "kind", "type", "state", "version", "scale", "partner", "location", "themes", "effects", "targetGroups", "goals",
                      "activeIngredients", "evidence", "summary", "updatedAt"]
        var out = header.joined(separator: ",") + "\n"
        for i in records {
            let row: [String] = [
                i.id, i.title, i.kind, i.type.rawValue, i.state.rawValue, i.version.map(String.init) ?? "", i.scale?.rawValue ?? "", i.partner ?? "",
                i.location ?? "", (i.themes ?? []).joined(separator: "; "), (i.effects ?? []).joined(separator: "; "),
                (i.targetGroups ?? []).joined(separator: "; "), (i.goals ?? []).joined(separator: "; "),
                (i.activeIngredients ?? []).map(\.statement).joined(separator: "; "),
                (i.activeIngredients ?? []).map { $0.evidence?.level.rawValue ?? "" }.joined(separator: "; "),
                i.summary ?? "", i.updatedAt.map(String.init) ?? "",
            ]
            out += row.map(CSV.field).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func csv(_ items: [ToolkitItem]) -> String {
        var out = "id,kind,title,body,audience,barriers,themes,series,version,updatedAt\n"
        for t in items {
            let row = [t.id, t.kind.rawValue, t.title, t.body, (t.audience ?? []).joined(separator: "; "), (t.barriers ?? []).joined(separator: "; "),
                       (t.themes ?? []).joined(separator: "; "), t.series ?? "", t.version.map(String.init) ?? "", t.updatedAt.map(String.init) ?? ""]
            out += row.map(CSV.field).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func markdown(_ records: [Intervention], title: String = "Kennisbank") -> String {
        var md = "# \(title)\n"
        for i in records {
            md += "\n## \(i.title)\n\n"
            md += "- Soort: \(i.kind) · \(i.type.rawValue) · \(i.state.rawValue)\(i.version.map { " · versie \($0)" } ?? "")\n"
            if let p = i.partner { md += "- Partner: \(p)\(i.location.map { ", \($0)" } ?? "")\n" }
            if let s = i.scale { md += "- Schaal: \(s.rawValue)\n" }
            if let t = i.themes, !t.isEmpty { md += "- Thema's: \(t.joined(separator: ", "))\n" }
            if let s = i.summary { md += "\n\(s)\n" }
            func section(_ heading: String, _ text: String?) { if let text, !text.isEmpty { md += "\n### \(heading)\n\n\(text)\n" } }
            func list(_ heading: String, _ items: [String]?) {
                guard let items, !items.isEmpty else { return }
                md += "\n### \(heading)\n\n" + items.map { "- \($0)\n" }.joined()
            }
            section("Aanleiding", i.problem)
            list("Doelen", i.goals)
            list("Doelgroep", i.targetGroups)
            section("Aanpak", i.approach)
            list("Stappen", i.steps)
            if let a = i.activeIngredients, !a.isEmpty {
                md += "\n### Werkzame bestanddelen\n\n"
                for x in a {
                    md += "- **\(x.statement)**\(x.evidence.map { " (\($0.level.rawValue))" } ?? "")\(x.why.map { ": \($0)" } ?? "")\n"
                }
            }
            section("Beoogd effect", i.intendedEffect)
            list("Effecten", (i.effects ?? []) + (i.otherEffects ?? []))
        }
        return md
    }

    public static func markdown(_ items: [ToolkitItem], title: String = "Gereedschapskist") -> String {
        var md = "# \(title)\n"
        for t in items {
            md += "\n## \(t.title)\n\n- Soort: \(t.kind.rawValue)\n"
            if let b = t.barriers, !b.isEmpty { md += "- Belemmeringen: \(b.joined(separator: ", "))\n" }
            if let a = t.audience, !a.isEmpty { md += "- Voor: \(a.joined(separator: ", "))\n" }
            md += "\n\(t.body)\n"
        }
        return md
    }
}

public protocol Identified {
    var id: String { get }
}

extension Intervention: Identified {}
extension ToolkitItem: Identified {}
extension MonitoringEntry: Identified {}

/// CSV fields as spreadsheets read them; a leading = + - @ is neutralised so it is not run as a formula.
public enum CSV {
    public static func field(_ s: String) -> String {
        var v = s
        if let f = v.first, "=+-@".contains(f) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
