import Foundation
import Model

/// The series report (docs/REPORTS.md "Series report"): the series as `GET /api/v1/series/{id}` shows it
/// (docs/SERIES.md), rendered with the same Mustache library and words as a session report: sessions in
/// order with their attendance, the chosen themes, every gereedschapskist item with where it came from.
extension ReportRenderer {
    public func seriesHTML(_ series: JSONValue, lang: Language, tokens: String, baseURL: String, now: Int64) -> String {
        var c = seriesContext(series, lang: lang, baseURL: baseURL, now: now)
        c["tokens"] = tokens
        return library.render(c, withTemplate: "series-html") ?? ""
    }

    public func seriesMarkdown(_ series: JSONValue, lang: Language, baseURL: String, now: Int64) -> String {
        let text = library.render(seriesContext(series, lang: lang, baseURL: baseURL, now: now), withTemplate: "series-md") ?? ""
        return text.replacingOccurrences(of: #"\n{3,}"#, with: "\n\n", options: .regularExpression)
    }

    func seriesContext(_ s: JSONValue, lang: Language, baseURL: String, now: Int64) -> [String: Any] {
        let t = ReportWords.words(lang)
        func str(_ v: JSONValue?) -> String { v?.stringValue ?? v?.intValue.map(String.init) ?? "" }
        let sessions = s["sessions"]?.arrayValue ?? []
        var titles: [String: String] = [:]
        let rows: [[String: Any]] = sessions.enumerated().map { i, x in
            titles[str(x["id"])] = str(x["title"])
            let place = [str(x["location"]?["name"]), str(x["location"]?["address"])].filter { !$0.isEmpty }.joined(separator: ", ")
            return ["n": x["position"]?.intValue.map(Int.init) ?? i + 1, "title": str(x["title"]), "code": str(x["code"]),
                    "date": [str(x["date"]), str(x["time"])].filter { !$0.isEmpty }.joined(separator: " "), "place": place,
                    "route": str(x["location"]?["route"]), "status": t["status.\(str(x["status"]))"] ?? str(x["status"]),
                    "attendance": x["attendance"]?.intValue ?? 0,
                    "report": baseURL + "/api/v1/sessions/\(str(x["id"]))/report?format=html"]
        }
        let toolkit: [[String: Any]] = (s["gereedschapskist"]?.arrayValue ?? []).map { item in
            let id = str(item["id"])
            return ["title": str(item["title"]), "kind": str(item["kind"]), "id": str(item["filed"]).isEmpty ? id : str(item["filed"]),
                    "session": titles[str(item["sessionId"])] ?? str(item["sessionId"]), "n": str(item["session"]),
                    "activity": str(item["activity"]), "link": id.isEmpty ? "" : baseURL + "/api/v1/toolkit/\(id)"]
        }
        let themes = (s["themes"]?.arrayValue ?? []).compactMap(\.stringValue).map { ["theme": $0] }
        let kind = s["kindTitle"]?[lang.rawValue]?.stringValue ?? str(s["kind"])
        // Who continues across the series: counts only, never names (docs/SERIES.md "Participants who continue").
        let continuing = s["seriesParticipants"]?.arrayValue ?? []
        let bySessions = Dictionary(grouping: continuing, by: { $0["attended"]?.intValue ?? 0 })
        let continuingRows: [[String: Any]] = bySessions.keys.sorted(by: >).map { ["sessions": $0, "people": bySessions[$0]!.count] }
        let trioCount = s["trios"]?.arrayValue?.count ?? 0
        return [
            "t": t, "lang": lang.rawValue, "title": str(s["title"]), "kind": kind, "description": str(s["description"]),
            "sessions": rows, "hasSessions": !rows.isEmpty, "total": rows.reduce(0) { $0 + (($1["attendance"] as? Int64) ?? 0) },
            "themes": themes, "hasThemes": !themes.isEmpty, "toolkit": toolkit, "hasToolkit": !toolkit.isEmpty,
            "generated": TimeText(lang: lang).dateTime(now),
            "continuing": continuing.count, "hasContinuing": !continuing.isEmpty, "continuingRows": continuingRows,
            "trioCount": trioCount, "hasTrios": trioCount > 0,
        ]
    }
}
