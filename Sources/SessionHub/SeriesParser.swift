import Foundation
import Model
import Plugins
import Toolbox
import Yams

/// One session of a series file, ready to be created.
struct ParsedSeriesSession: Sendable {
    var agenda: ParsedAgenda
    /// The session's own part of the file, as YAML: kept as its agenda source (exports, retention).
    var source: String
    var time: String?
    var location: SessionLocation?
}

/// A series file as a journey (docs/SERIES.md): the series' fields and its sessions with their agendas.
struct ParsedSeries: Sendable {
    var id: String?
    var title: String
    var kind: SeriesKind
    var description: String?
    var journey: SeriesJourney
    var sessions: [ParsedSeriesSession]
}

/// Reads a series file with `sessions` (docs/SERIES.md). Every problem carries its line and field like an agenda's
/// (`sessions[1].agenda[0].context.from.session`); each session's agenda is checked as `session create` checks one.
struct SeriesParser {
    var agendas: AgendaParser

    static let topKeys: Set<String> = ["id", "title", "series", "kind", "description", "themes", "facilitators", "start", "template",
                                       "lang", "retention", "sessions"]
    static let sessionKeys: Set<String> = ["session", "title", "date", "week", "time", "location", "lang", "retention", "agenda"]
    static let locationKeys = ["name": 200, "address": 300, "route": 500]
    static let fromKeys: Set<String> = ["session", "activity", "result", "optional"]
    /// Documented limits (docs/SERIES.md "Limits").
    static let maxSessions = 20
    static let maxThemes = 30
    static let maxFacilitators = 20
    static let maxText = 120
    static let maxWeek = 156

    /// True when a document is a journey (has `sessions`); other series documents are the old container form.
    static func isJourney(_ text: String) -> Bool {
        (try? Yams.compose(yaml: text))??.mapping?["sessions"] != nil
    }

    func parse(_ text: String) -> Result<ParsedSeries, AgendaProblems> {
        var problems: [AgendaProblem] = []
        func problem(_ node: Node?, _ field: String, _ message: String, _ line: Int? = nil) {
            problems.append(AgendaProblem(line: line ?? node?.mark?.line, field: field, message: message))
        }
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else {
                return .failure(AgendaProblems(problems: [AgendaProblem(line: 1, field: "series", message: "the file is empty")]))
            }
            root = r
        } catch let e as YamlError {
            return .failure(AgendaProblems(problems: [AgendaParser.problem(from: e)]))
        } catch {
            return .failure(AgendaProblems(problems: [AgendaProblem(line: nil, field: "series", message: "\(error)")]))
        }
        guard let top = root.mapping else {
            return .failure(AgendaProblems(problems: [AgendaProblem(line: root.mark?.line, field: "series", message: "the file must be a mapping with `title`, `kind` and `sessions`")]))
        }
        for (k, _) in top where !Self.topKeys.contains(k.string ?? "") {
            problem(k, k.string ?? "?", "unknown field; known: \(Self.topKeys.sorted().joined(separator: ", "))")
        }
        let titleNode = top["title"] ?? top["series"]
        let title = titleNode?.string?.trimmingCharacters(in: .whitespaces) ?? ""
        if title.isEmpty || title.count > 200 { problem(titleNode ?? root, "title", "is required: the series' title, at most 200 characters", titleNode?.mark?.line ?? 1) }
        var id: String?
        if let n = top["id"] {
            if let s = n.string, AgendaParser.isActivityId(s) || (s.count <= 100 && !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                id = s
            } else {
                problem(n, "id", "must be 1 to 100 letters, digits, - or _")
            }
        }
        var kind = SeriesKind.leerkring
        if let n = top["kind"], let k = n.string.flatMap(SeriesKind.init(rawValue:)) {
            kind = k
        } else {
            let known = SeriesKind.allCases.map { "\($0.rawValue) (\($0.title.nl))" }.joined(separator: ", ")
            problem(top["kind"] ?? root, "kind", "must be one of: \(known)", top["kind"]?.mark?.line ?? 1)
        }
        let description = top["description"]?.string
        if (description?.count ?? 0) > 4000 { problem(top["description"], "description", "must have at most 4000 characters") }
        let themes = strings(top["themes"], "themes", max: Self.maxThemes, problem: problem)
        let facilitators = strings(top["facilitators"], "facilitators", max: Self.maxFacilitators, problem: problem)
        var start: Date?
        if let n = top["start"] {
            start = n.string.flatMap(Self.day)
            if start == nil { problem(n, "start", "must be a date YYYY-MM-DD") }
        }
        if let r = top["retention"] { for p in AgendaRetention.problems(r) { problem(r, p.field, p.message) } }
        var lang = Language.nl
        if let l = top["lang"] {
            if let parsed = l.string.flatMap(Language.init(rawValue:)) { lang = parsed } else { problem(l, "lang", "must be `nl` or `en`") }
        }
        var sessions: [ParsedSeriesSession] = []
        var budget = YAMLBudget()
        if let list = top["sessions"]?.sequence, !list.isEmpty, list.count <= Self.maxSessions {
            // The activity ids of each earlier session; nil for one with problems of its own (its ids are not checked against).
            var earlier: [[String]?] = []
            for (i, node) in list.enumerated() {
                let s = session(node, index: i, start: start, lang: lang, earlier: earlier, budget: &budget, problem: problem)
                earlier.append(s?.agenda.items.map(\.id))
                if let s { sessions.append(s) }
            }
        } else {
            problem(top["sessions"] ?? root, "sessions", "must be a list of 1 to \(Self.maxSessions) sessions, each with `session` and `agenda`",
                    top["sessions"]?.mark?.line ?? 1)
        }
        guard problems.isEmpty else { return .failure(AgendaProblems(problems: problems)) }
        let journey = SeriesJourney(themes: themes, facilitators: facilitators, start: top["start"]?.string, template: top["template"]?.string,
                                    sessions: [])
        return .success(ParsedSeries(id: id, title: title, kind: kind, description: description, journey: journey, sessions: sessions))
    }

    private func strings(_ node: Node?, _ field: String, max: Int, problem: (Node?, String, String, Int?) -> Void) -> [String] {
        guard let node else { return [] }
        guard let seq = node.sequence, seq.count <= max else {
            problem(node, field, "must be a list of at most \(max) texts", nil)
            return []
        }
        var out: [String] = []
        for (i, n) in seq.enumerated() {
            guard let s = n.scalar?.string.trimmingCharacters(in: .whitespaces), !s.isEmpty, s.count <= Self.maxText else {
                problem(n, "\(field)[\(i)]", "must be a text of 1 to \(Self.maxText) characters", nil)
                continue
            }
            out.append(s)
        }
        return out
    }

    private func session(_ node: Node, index i: Int, start: Date?, lang: Language, earlier: [[String]?], budget: inout YAMLBudget,
                         problem: (Node?, String, String, Int?) -> Void) -> ParsedSeriesSession? {
        let at = "sessions[\(i)]"
        guard let m = node.mapping else {
            problem(node, at, "must be a mapping with `session` and `agenda`", nil)
            return nil
        }
        var ok = true
        func fail(_ n: Node?, _ field: String, _ message: String) {
            ok = false
            problem(n ?? node, field, message, n?.mark?.line ?? node.mark?.line)
        }
        for (k, _) in m where !Self.sessionKeys.contains(k.string ?? "") {
            fail(k, "\(at).\(k.string ?? "?")", "unknown field; known: \(Self.sessionKeys.sorted().joined(separator: ", "))")
        }
        let titleNode = m["session"] ?? m["title"]
        let title = titleNode?.string?.trimmingCharacters(in: .whitespaces) ?? ""
        if title.isEmpty || title.count > 200 { fail(titleNode, "\(at).session", "is required: the session's title, at most 200 characters") }
        var date: String?
        if let d = m["date"] {
            if let s = d.string, Self.day(s) != nil { date = s } else { fail(d, "\(at).date", "must be a date YYYY-MM-DD") }
        } else if let w = m["week"] {
            if let n = w.int, (0...Self.maxWeek).contains(n) {
                // Without `start` (a template not yet given `--start`) the session has no date.
                if let start { date = Self.text(Calendar.utc.date(byAdding: .day, value: 7 * n, to: start) ?? start) }
            } else {
                fail(w, "\(at).week", "must be a whole number of weeks after `start`, 0 to \(Self.maxWeek)")
            }
        }
        let time = m["time"]?.string
        if let t = m["time"], (time?.count ?? 100) > 40 { fail(t, "\(at).time", "must be a text of at most 40 characters, e.g. 13:30-16:30") }
        var location: SessionLocation?
        if let l = m["location"] {
            if let name = l.scalar?.string, !name.isEmpty, name.count <= 200 {
                location = SessionLocation(name: name)
            } else if let lm = l.mapping {
                var fields: [String: String] = [:]
                for (k, v) in lm {
                    let key = k.string ?? "?"
                    guard let limit = Self.locationKeys[key] else { fail(k, "\(at).location.\(key)", "unknown field; known: address, name, route"); continue }
                    guard let s = v.scalar?.string, s.count <= limit else { fail(v, "\(at).location.\(key)", "must be a text of at most \(limit) characters"); continue }
                    fields[key] = s
                }
                location = SessionLocation(name: fields["name"], address: fields["address"], route: fields["route"])
            } else {
                fail(l, "\(at).location", "must be a place's name or a mapping with name, address and route")
            }
        }
        var sessionLang = lang
        if let l = m["lang"] {
            if let parsed = l.string.flatMap(Language.init(rawValue:)) { sessionLang = parsed } else { fail(l, "\(at).lang", "must be `nl` or `en`") }
        }
        if let r = m["retention"] { for p in AgendaRetention.problems(r) { fail(r, "\(at).\(p.field)", p.message) } }
        let items = agendas.parseAgenda(m["agenda"], in: node, prefix: "\(at).", seriesReferences: true, budget: &budget) { n, f, msg, line in
            ok = false
            problem(n, f, msg, line)
        }
        // The references' shape, now that the earlier sessions' activity ids are known.
        for (j, itemNode) in (m["agenda"]?.sequence ?? []).enumerated() {
            guard let from = itemNode.mapping?["context"]?.mapping?["from"] else { continue }
            for p in Self.referenceProblems(from, at: "\(at).agenda[\(j)].context.from", position: i + 1, earlier: earlier) {
                fail(p.node, p.field, p.message)
            }
        }
        guard ok else { return nil }
        let source = (try? Yams.serialize(node: node)) ?? ""
        let agenda = ParsedAgenda(title: title, series: nil, date: date, lang: sessionLang, items: items)
        return ParsedSeriesSession(agenda: agenda, source: source, time: time, location: location)
    }

    /// What is wrong with a `context.from` node: `{session: N, activity: ID, result: NAME}`, naming an earlier
    /// session of this file (1-based `position` is this session's) and an activity id it has.
    static func referenceProblems(_ node: Node, at: String, position: Int, earlier: [[String]?]) -> [(node: Node, field: String, message: String)] {
        guard let m = node.mapping else {
            return [(node, at, "must be a mapping {session: N, activity: ID, result: NAME}")]
        }
        var out: [(node: Node, field: String, message: String)] = []
        for (k, _) in m where !fromKeys.contains(k.string ?? "") {
            out.append((k, "\(at).\(k.string ?? "?")", "unknown field; known: activity, optional, result, session"))
        }
        if let o = m["optional"], o.bool == nil { out.append((o, "\(at).optional", "must be true or false")) }
        var target: [String]?
        if let s = m["session"] {
            if let n = s.int, n >= 1, n < position, n <= earlier.count {
                target = earlier[n - 1]
            } else {
                out.append((s, "\(at).session", "must be the number (1, 2, …) of an earlier session of this series; this is session \(position)"))
            }
        } else {
            out.append((node, "\(at).session", "is required: the number of the earlier session"))
        }
        if let a = m["activity"] {
            if let id = a.string, !id.isEmpty {
                if let target, !target.contains(id) {
                    out.append((a, "\(at).activity", "session \(m["session"]?.int ?? 0) has no activity `\(id)`; its activities: \(target.joined(separator: ", "))"))
                }
            } else {
                out.append((a, "\(at).activity", "must be the `id` of an activity of that session"))
            }
        } else {
            out.append((node, "\(at).activity", "is required: the `id` of an activity of that session"))
        }
        if let r = m["result"] {
            if !(r.string.map(SeriesResults.isName) ?? false) { out.append((r, "\(at).result", "must be a result name of 1 to 40 of a-z, 0-9 and -")) }
        } else {
            out.append((node, "\(at).result", "is required: the name of the `series.result` that activity emits"))
        }
        return out
    }

    static func day(_ s: String) -> Date? {
        let parts = s.split(separator: "-")
        guard s.count == 10, parts.count == 3, let y = Int(parts[0]), let mo = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        let c = DateComponents(calendar: .utc, timeZone: TimeZone(identifier: "UTC"), year: y, month: mo, day: d)
        guard c.isValidDate, let date = c.date else { return nil }
        return date
    }

    static func text(_ d: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}

extension Calendar {
    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()
}
