import Foundation
import Model
import Mustache

/// Renders a `SessionReport` with the Mustache templates in Templates/ (docs/REPORTS.md): HTML for the
/// screen, print and PDF, Markdown in prose. The templates get a plain context built here in one language;
/// Mustache escapes every value in HTML, and the only unescaped value is the chart this file draws.
public struct ReportRenderer: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for name in ["report-html", "report-md", "series-html", "series-md"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Templates")
                ?? Bundle.module.url(forResource: name, withExtension: "mustache") else {
                throw ReportError.templateMissing(name)
            }
            try library.register(String(contentsOf: url, encoding: .utf8), named: name)
        }
        self.library = library
    }

    public enum ReportError: Error, CustomStringConvertible {
        case templateMissing(String)
        public var description: String {
            switch self { case .templateMissing(let n): "the report template \(n).mustache is missing from the build" }
        }
    }

    /// Printable A4 HTML; `tokens` is web/tokens.css, inlined so the file stands alone.
    public func html(_ report: SessionReport, lang: Language, tokens: String, baseURL: String) -> String {
        var c = context(report, lang: lang, baseURL: baseURL)
        c["tokens"] = tokens
        return library.render(c, withTemplate: "report-html") ?? ""
    }

    public func markdown(_ report: SessionReport, lang: Language, baseURL: String) -> String {
        let text = library.render(context(report, lang: lang, baseURL: baseURL), withTemplate: "report-md") ?? ""
        // Mustache leaves the blank lines of skipped sections; Markdown needs at most one.
        return text.replacingOccurrences(of: #"\n{3,}"#, with: "\n\n", options: .regularExpression)
    }

    // MARK: the context

    func context(_ r: SessionReport, lang: Language, baseURL: String) -> [String: Any] {
        let t = ReportWords.words(lang)
        func local(_ l: LocalizedText) -> String { l.text(lang) }
        let time = TimeText(lang: lang)
        let agenda: [[String: Any]] = r.agenda.enumerated().map { i, a in
            ["n": i + 1, "title": a.title, "plugin": a.plugin, "current": a.current,
             "start": a.startedAt.map(time.clock) ?? "–", "minutes": a.minutes.map { "\($0) min" } ?? "–"]
        }
        func counts(_ list: [SessionReport.Count]) -> [[String: Any]] {
            list.map { ["label": $0.label ?? t["notGiven"]!, "count": $0.count] }
        }
        let activities: [[String: Any]] = r.activities.map { a in
            ["title": a.title, "plugin": a.plugin, "fromView": a.source == .view, "empty": a.sections.isEmpty,
             "sections": a.sections.map { s -> [String: Any] in
                 var d: [String: Any] = ["title": local(s.title), "hasItems": !s.items.isEmpty,
                                         "items": s.items.map { ["label": local($0.label), "value": $0.value] }]
                 if let text = s.text { d["paragraphs"] = local(text).split(separator: "\n").map { ["text": String($0)] } }
                 if s.chart == "bars", let svg = BarChart.svg(s.items.compactMap { i in i.number.map { (label: local(i.label), value: $0, text: i.value) } }) {
                     d["chart"] = svg
                 }
                 if let svg = s.svg { d["image"] = "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString() }
                 return d
             }]
        }
        let produced: [[String: Any]] = r.produced.map { p in
            ["kind": p.kind == .kennisbank ? t["kennisbank"]! : t["gereedschapskist"]!, "title": p.title,
             "id": p.version.map { "\(p.id)@\($0)" } ?? p.id, "link": baseURL + p.link,
             "activity": r.activities.first { $0.id == p.activity }?.title ?? p.activity]
        }
        let s = r.session
        var when: [String] = []
        if let d = s.date { when.append(d) }
        if let at = s.startedAt { when.append("\(t["started"]!) \(time.dateTime(at))") }
        if let at = s.closedAt { when.append("\(t["closed"]!) \(time.dateTime(at))") }
        return [
            "t": t, "lang": lang.rawValue,
            "title": s.title, "code": s.code, "status": t["status.\(s.status)"] ?? s.status, "series": s.series ?? "",
            "when": when.joined(separator: " · "), "generated": time.dateTime(r.generatedAt),
            "agenda": agenda, "hasAgenda": !agenda.isEmpty,
            "total": r.attendance.total, "byFunction": counts(r.attendance.byFunction), "byOrganisation": counts(r.attendance.byOrganisation),
            "activities": activities, "produced": produced, "hasProduced": !produced.isEmpty,
        ]
    }
}

/// Times as the report prints them: the hub's clock in Dutch time, as the room lived it.
struct TimeText {
    let lang: Language
    static let zone = TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone(identifier: "UTC")!

    func format(_ ms: Int64, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: lang == .nl ? "nl_NL" : "en_GB")
        f.timeZone = Self.zone
        f.dateFormat = pattern
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    func clock(_ ms: Int64) -> String { format(ms, "HH:mm") }
    func dateTime(_ ms: Int64) -> String { format(ms, "yyyy-MM-dd HH:mm") }
}

/// The inline bar chart of a section's numbers: hub-drawn SVG with escaped labels, so no plugin markup
/// reaches the page. Bars in the chart token colour; the numbers stay in the table beside it as text.
enum BarChart {
    static func svg(_ bars: [(label: String, value: Double, text: String)]) -> String? {
        let shown = Array(bars.prefix(20))
        guard !shown.isEmpty, let top = shown.map(\.value).max(), top > 0 else { return nil }
        let rowHeight = 22, labelWidth = 200, barWidth = 300, width = labelWidth + barWidth + 60
        let height = shown.count * rowHeight + 4
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)">"#
        for (i, b) in shown.enumerated() {
            let y = i * rowHeight + 2
            let w = max(0, Int((b.value / top * Double(barWidth)).rounded()))
            let label = b.label.count > 30 ? String(b.label.prefix(29)) + "…" : b.label
            out += #"<text x="\#(labelWidth - 6)" y="\#(y + 15)" text-anchor="end">\#(escape(label))</text>"#
            out += #"<rect x="\#(labelWidth)" y="\#(y + 3)" width="\#(w)" height="\#(rowHeight - 8)" rx="2"></rect>"#
            out += #"<text x="\#(labelWidth + w + 6)" y="\#(y + 15)">\#(escape(b.text))</text>"#
        }
        return out + "</svg>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
