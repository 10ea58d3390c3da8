import Foundation
import Model

/// One section of an activity's results: a `report.section` record as read (and bounded) by the hub, or one
/// made from the activity's public view when its plugin has emitted none yet (docs/REPORTS.md).
public struct Section: Codable, Sendable, Hashable {
    public struct Item: Codable, Sendable, Hashable {
        public var label: LocalizedText
        /// As printed: a number is printed without a needless decimal.
        public var value: String
        /// The number a chart draws, when the value is one.
        public var number: Double?

        public init(label: LocalizedText, value: String, number: Double?) {
            self.label = label
            self.value = value
            self.number = number
        }
    }

    public var title: LocalizedText
    public var text: LocalizedText?
    public var items: [Item]
    /// `bars`: the renderer draws the items' numbers.
    public var chart: String?
    /// A chart the plugin drew itself; shown as an image, so nothing in it runs.
    public var svg: String?

    public init(title: LocalizedText, text: LocalizedText? = nil, items: [Item] = [], chart: String? = nil, svg: String? = nil) {
        self.title = title
        self.text = text
        self.items = items
        self.chart = chart
        self.svg = svg
    }

    /// The documented limits of a section (docs/PLUGINS.md "Output records"); longer strings are cut, further
    /// items left out, an oversized or foreign `svg` dropped.
    public enum Limits {
        public static let title = 200
        public static let text = 4_000
        public static let items = 200
        public static let label = 300
        public static let value = 300
        public static let svgBytes = 65_536
        public static let sectionsPerActivity = 20
    }

    /// Reads a `report.section` record; nil when it has no title.
    public static func read(_ record: JSONValue) -> Section? {
        guard let title = localized(record["title"], limit: Limits.title) else { return nil }
        var s = Section(title: title, text: localized(record["text"], limit: Limits.text))
        for item in (record["items"]?.arrayValue ?? []).prefix(Limits.items) {
            guard let label = localized(item["label"], limit: Limits.label), let v = item["value"] else { continue }
            if let n = v.doubleValue, v.stringValue == nil {
                s.items.append(Item(label: label, value: number(n), number: n.isFinite ? n : nil))
            } else if let t = v.stringValue {
                s.items.append(Item(label: label, value: clean(t, Limits.value), number: nil))
            }
        }
        if record["chart"]?.stringValue == "bars", s.items.contains(where: { $0.number != nil }) { s.chart = "bars" }
        if let svg = record["svg"]?.stringValue, svg.utf8.count <= Limits.svgBytes, svg.hasPrefix("<svg") { s.svg = svg }
        return s
    }

    /// A section from an activity's public view, for a plugin that has not reported yet: its plain values and
    /// its lists of labelled counts as items, never the view itself.
    public static func fromView(_ view: JSONValue) -> Section {
        var items: [Item] = []
        func add(_ label: String, _ v: JSONValue) {
            guard items.count < 60 else { return }
            let l = LocalizedText(nl: label, en: label)
            switch v {
            case .string(let s) where !s.isEmpty: items.append(Item(label: l, value: clean(s, Limits.value), number: nil))
            case .int(let n): items.append(Item(label: l, value: String(n), number: Double(n)))
            case .double(let d): items.append(Item(label: l, value: number(d), number: d))
            case .bool(let b): items.append(Item(label: l, value: b ? "✓" : "–", number: nil))
            default: break
            }
        }
        func walk(_ v: JSONValue, _ path: String, depth: Int) {
            switch v {
            case .object(let o):
                guard depth < 3 else { return }
                for k in o.keys.sorted() where !ignored.contains(k) { walk(o[k]!, path.isEmpty ? k : "\(path) › \(k)", depth: depth + 1) }
            case .array(let a):
                let scalars = a.filter { $0.objectValue == nil && $0.arrayValue == nil }
                if scalars.count == a.count, !a.isEmpty {
                    let text = a.prefix(30).map { $0.stringValue ?? ($0.doubleValue.map(number) ?? "") }.joined(separator: ", ")
                    add(path, .string(text))
                    return
                }
                for element in a.prefix(30) {
                    guard let o = element.objectValue else { continue }
                    let label = labelKeys.lazy.compactMap { o[$0]?.stringValue }.first
                    let count = countKeys.lazy.compactMap { o[$0] }.first { $0.doubleValue != nil }
                    if let label, let count { add(label, count) }
                }
            default:
                add(path, v)
            }
        }
        walk(view, "", depth: 0)
        // The templates say that it is a view, not the activity's own report (`source: view`).
        return Section(title: LocalizedText(nl: "Stand van zaken", en: "Where it stands"), items: items)
    }

    static let ignored: Set<String> = ["id", "seq", "by", "deadline", "web", "config", "audience", "me", "participant"]
    static let labelKeys = ["label", "word", "name", "title", "text", "option", "question"]
    static let countKeys = ["count", "votes", "dots", "value", "points", "total"]

    static func localized(_ v: JSONValue?, limit: Int) -> LocalizedText? {
        if let s = v?.stringValue { let c = clean(s, limit); return c.isEmpty ? nil : LocalizedText(nl: c, en: c) }
        guard let nl = v?["nl"]?.stringValue ?? v?["en"]?.stringValue else { return nil }
        let c = clean(nl, limit)
        guard !c.isEmpty else { return nil }
        return LocalizedText(nl: c, en: clean(v?["en"]?.stringValue ?? nl, limit))
    }

    /// Trimmed, control characters (but newlines) out, at most `limit` characters.
    static func clean(_ s: String, _ limit: Int) -> String {
        let kept = s.unicodeScalars.filter { $0 == "\n" || !CharacterSet.controlCharacters.contains($0) }
        let t = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespacesAndNewlines)
        return t.count > limit ? String(t.prefix(limit - 1)) + "…" : t
    }

    /// 12, 3.5, 0.33: whole numbers without a decimal point, others with at most two decimals.
    public static func number(_ n: Double) -> String {
        guard n.isFinite else { return "–" }
        let r = (n * 100).rounded() / 100
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        return String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }
}
