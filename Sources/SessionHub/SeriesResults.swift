import Foundation
import Model
import Toolbox

/// Results carried forward between the sessions of a series (docs/SERIES.md "Carry results forward"): a plugin
/// emits `series.result {name, items}`; a later session's activity names it in `context.from`, and the hub
/// resolves that reference when the session starts. The resolved context is logged in the `start` event, so a
/// replay starts the instance from the same value even if the earlier session's results changed since.
enum SeriesResults {
    static let kind = "series.result"
    /// The stable code of a `start` refused because a reference does not resolve.
    static let unresolvedCode = "context_unresolved"
    /// Items one reference hands on; more are cut (documented in docs/SERIES.md).
    static let maxItems = 50

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 40 && s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// One named result of one activity: the latest output with that name (a later one replaces an earlier one).
    struct Found: Encodable, Sendable, Hashable {
        var activity: String
        var name: String
        var items: [JSONValue]
        var seq: Int64
        /// Set for a restricted result (docs/SERIES.md "Restricted results"): only the plugin that takes it sees it.
        var audience: String?
    }

    /// Whether an output is a restricted `series.result`: one with an `audience` (the case review's `follow-up`),
    /// handed on only to the later session's plugin, never shown in a series, a report or an export.
    static func isRestricted(_ o: StoredOutput) -> Bool { o.kind == kind && o.record["audience"] != nil }

    /// The results a session's activities emitted, the latest per (activity, name), in the order first emitted.
    /// Restricted ones only with `restricted` (for resolving `context.from`, never for showing).
    static func results(_ outputs: [StoredOutput], session: String, restricted: Bool = false) -> [Found] {
        var found: [Found] = []
        for o in outputs.sorted(by: { ($0.seq, $0.index) < ($1.seq, $1.index) }) where o.kind == kind && (restricted || !isRestricted(o)) {
            guard let name = o.record["name"]?.stringValue, isName(name), let items = o.record["items"]?.arrayValue else { continue }
            let activity = o.instance.hasPrefix("\(session)/") ? String(o.instance.dropFirst(session.count + 1)) : o.instance
            let r = Found(activity: activity, name: name, items: Array(items.prefix(maxItems)), seq: o.seq,
                          audience: o.record["audience"]?.stringValue.map { String($0.prefix(40)) })
            if let i = found.firstIndex(where: { $0.activity == activity && $0.name == name }) { found[i] = r } else { found.append(r) }
        }
        return found
    }

    /// A logged event as an export shows it: a `start` whose resolved contexts carry a restricted result keeps
    /// the reference but not its items (the follow-ups of one group are not the session's to show).
    static func exported(_ e: LoggedEvent) -> LoggedEvent {
        guard e.kind == .command, e.type == "start", var contexts = e.payload["context"]?.objectValue else { return e }
        var changed = false
        for (a, c) in contexts {
            guard case .object(var context) = c, case .object(var from)? = context["from"], from["audience"] != nil else { continue }
            from["items"] = .array([])
            from["withheld"] = .bool(true)
            context["from"] = .object(from)
            contexts[a] = .object(context)
            changed = true
        }
        guard changed, case .object(var payload) = e.payload else { return e }
        payload["context"] = .object(contexts)
        var out = e
        out.payload = .object(payload)
        return out
    }

    /// The contexts a logged `start` resolved, by activity (empty when none did).
    static func logged(_ events: [LoggedEvent]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for e in events where e.kind == .command && e.type == "start" {
            for (a, c) in e.payload["context"]?.objectValue ?? [:] { out[a] = c }
        }
        return out
    }

    /// Resolves every `context.from` of a session's agenda against the earlier sessions of its series. Returns the
    /// activities' whole contexts with `from` completed by `items`, `sessionId` and `seq` (and `audience` for a
    /// restricted result); a reference that does not resolve fails with `context_unresolved`, naming the session,
    /// activity and result, unless it says `optional: true`: then its `items` are empty.
    static func resolve(_ record: SessionRecord, store: any HubStore) async throws -> Result<[String: JSONValue], HubError> {
        let referring = record.agenda.filter { $0.context["from"] != nil }
        guard !referring.isEmpty else { return .success([:]) }
        var journey: SeriesJourney?
        if let series = record.seriesId { journey = try await (store as? any SeriesStore)?.journey(series: series) }
        var out: [String: JSONValue] = [:]
        for item in referring {
            guard case .object(var from) = item.context["from"] ?? .null else { continue }
            let position = from["session"]?.intValue.map(Int.init) ?? 0
            let activity = from["activity"]?.stringValue ?? ""
            let name = from["result"]?.stringValue ?? ""
            var found: Found?
            if let earlier = journey?.sessions.first(where: { $0.position == position }) {
                found = results(try await store.outputs(session: earlier.session), session: earlier.session, restricted: true)
                    .first { $0.activity == activity && $0.name == name }
                from["sessionId"] = .string(earlier.session)
            }
            if let found {
                from["items"] = .array(found.items)
                from["seq"] = .int(found.seq)
                if let audience = found.audience { from["audience"] = .string(audience) }
            } else if from["optional"]?.boolValue == true {
                from["items"] = .array([])
            } else {
                return .failure(unresolved(item: item.id, position: position, activity: activity, name: name))
            }
            var context = item.context.objectValue ?? [:]
            context["from"] = .object(from)
            out[item.id] = .object(context)
        }
        return .success(out)
    }

    static func unresolved(item: String, position: Int, activity: String, name: String) -> HubError {
        HubError(.rejected, LocalizedText(
            nl: "Deze sessie kan nog niet starten: activiteit \(item) neemt het resultaat `\(name)` van activiteit `\(activity)` uit sessie \(position) van de reeks over, en dat is er nog niet. Rond die activiteit eerst af.",
            en: "This session cannot start yet: activity \(item) takes result `\(name)` of activity `\(activity)` from session \(position) of the series, and there is none yet. Finish that activity first."),
            detail: unresolvedCode)
    }
}
