import Foundation
import Model
import Toolbox

/// What `GET /api/v1/series/{series}` and `hubctl series show` give (docs/SERIES.md "Showing a series"): the
/// series, its sessions in order with status, date, time, location and attendance, the results carried
/// between them, the chosen themes and the gereedschapskist items its sessions produced, with provenance.
/// Rich on purpose: a series report builds on it.
enum SeriesView {
    static func build(_ s: SeriesRecord, store: any HubStore, summary: (SessionRecord) -> SessionSummary) async throws -> JSONValue {
        let journey = try await (store as? any SeriesStore)?.journey(series: s.id)
        let planned = Dictionary((journey?.sessions ?? []).map { ($0.session, $0) }, uniquingKeysWith: { a, _ in a })
        // The journey's sessions by position, then sessions that joined the series by its name (`series:` in an agenda).
        let records = try await store.sessions().filter { $0.seriesId == s.id }.sorted { a, b in
            switch (planned[a.id]?.position, planned[b.id]?.position) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return (a.date ?? "", a.createdAt, a.id) < (b.date ?? "", b.createdAt, b.id)
            }
        }
        var sessions: [JSONValue] = []
        var results: [JSONValue] = []
        var toolkit: [JSONValue] = []
        var chosenThemes: [String]?
        // Series participant → the sessions (number in the order shown, id) they joined (docs/SERIES.md "Participants who continue").
        var attended: [String: [(Int, String)]] = [:]
        for (index, r) in records.enumerated() {
            let plan = planned[r.id]
            let outputs = try await store.outputs(session: r.id)
            let found = SeriesResults.results(outputs, session: r.id)
            let joins = try await store.events(session: r.id, after: 0).filter { $0.kind == .join }
            let attendance = joins.count
            var continuing = 0
            for j in joins where j.payload["series"]?.boolValue == true {
                attended[j.payload["participant"]?.stringValue ?? j.actor, default: []].append((plan?.position ?? index + 1, r.id))
                continuing += 1
            }
            var o = try JSONCoding.value(summary(r)).objectValue ?? [:]
            o["participants"] = .int(Int64(attendance))
            o["attendance"] = .int(Int64(attendance))
            o["seriesParticipants"] = .int(Int64(continuing))
            if let plan {
                o["position"] = .int(Int64(plan.position))
                if let t = plan.time { o["time"] = .string(t) }
                if let l = plan.location { o["location"] = try JSONCoding.value(l) }
            }
            o["results"] = try JSONCoding.value(found)
            sessions.append(.object(o))
            for f in found {
                var entry = try JSONCoding.value(f).objectValue ?? [:]
                entry["sessionId"] = .string(r.id)
                if let p = plan?.position { entry["session"] = .int(Int64(p)) }
                results.append(.object(entry))
                if f.name == "themes" { chosenThemes = f.items.compactMap(title) }
            }
            for out in outputs where out.kind == "gereedschapskist.item" {
                let filed = out.filed.flatMap { $0.hasPrefix("invalid") ? nil : $0 }
                let activity = out.instance.hasPrefix("\(r.id)/") ? String(out.instance.dropFirst(r.id.count + 1)) : out.instance
                var item: [String: JSONValue] = [
                    "title": out.record["title"] ?? .null, "kind": out.record["kind"] ?? .null,
                    "sessionId": .string(r.id), "activity": .string(activity), "seq": .int(out.seq)]
                if let filed { item["id"] = .string(String(filed.split(separator: "@").first ?? "")); item["filed"] = .string(filed) }
                if let p = plan?.position { item["session"] = .int(Int64(p)) }
                toolkit.append(.object(item))
            }
        }
        let retention = try await (store as? any RetentionStore)?.seriesRetention(series: s.id)
        let enrolled = try await (store as? any SeriesParticipantStore)?.seriesParticipants(series: s.id) ?? []
        let people: [JSONValue] = enrolled.map { p in
            let sessions = attended[p.id] ?? []
            var o: [String: JSONValue] = ["id": .string(p.id), "attended": .int(Int64(sessions.count)),
                                          "sessions": .array(sessions.map { .int(Int64($0.0)) }),
                                          "sessionIds": .array(sessions.map { .string($0.1) })]
            if let d = p.domain { o["domain"] = .string(d) }
            if let t = p.trio { o["trio"] = .string(t) }
            return .object(o)
        }
        let trios = Dictionary(grouping: enrolled.filter { $0.trio != nil }, by: { $0.trio! })
        let trioList: [JSONValue] = trios.keys.sorted(by: TrioFormation.labelOrder).map { label in
            ["trio": .string(label), "members": .array(trios[label]!.map { .string($0.id) })]
        }
        var o: [String: JSONValue] = [
            "id": .string(s.id), "title": .string(s.title), "createdAt": .int(s.createdAt),
            "sessions": .array(sessions), "results": .array(results), "gereedschapskist": .array(toolkit),
            "themes": .array((chosenThemes ?? journey?.themes ?? []).map(JSONValue.string)),
            "plannedThemes": .array((journey?.themes ?? []).map(JSONValue.string)),
            "facilitators": .array((journey?.facilitators ?? []).map(JSONValue.string)),
            "seriesParticipants": .array(people), "trios": .array(trioList),
        ]
        if let k = s.kind {
            o["kind"] = .string(k)
            if let known = SeriesKind(rawValue: k) { o["kindTitle"] = try JSONCoding.value(known.title) }
        }
        if let d = s.description { o["description"] = .string(d) }
        if let r = retention { o["retention"] = try JSONCoding.value(r) }
        if let start = journey?.start { o["start"] = .string(start) }
        if let t = journey?.template { o["template"] = .string(t) }
        return .object(o)
    }

    /// An item's title: the item itself when it is text, else its `title` (text, or `{nl, en}`: Dutch first).
    static func title(_ item: JSONValue) -> String? {
        if let s = item.stringValue { return s }
        let t = item["title"]
        return t?.stringValue ?? t?["nl"]?.stringValue ?? t?["en"]?.stringValue
    }
}
