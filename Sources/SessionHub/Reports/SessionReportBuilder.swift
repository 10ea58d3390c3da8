import Foundation
import Model
import Reports
import Toolbox

/// Gathers a session's report (docs/REPORTS.md) at any moment: the agenda with the times the log shows, the
/// attendance in counts, each activity's latest `report.section`s (or a section from its public view), and
/// what it filed in the kennisbank and gereedschapskist. Nothing of a confidential input: the sections of an
/// activity with confidential inputs are checked against those inputs while the log still holds them.
enum SessionReportBuilder {
    static func build(_ s: LiveSession, store: any HubStore, now: Int64) async throws -> SessionReport {
        let state = await s.snapshot
        let record = s.record
        let events = try await store.events(session: s.id, after: 0)
        let outputs = try await store.outputs(session: s.id)
        let views = await s.currentViews()
        let confidential = await s.confidentialInputs()

        let (started, closed, timings) = timeline(events, now: now)
        let agenda = state.agenda.map { a in
            SessionReport.AgendaRow(id: a.id, title: a.item.title, plugin: a.item.plugin, startedAt: timings[a.id]?.first,
                                    minutes: timings[a.id].map { Int((Double($0.total) / 60_000).rounded()) },
                                    current: state.status == .open && state.current == a.id)
        }
        let people = state.participantOrder.compactMap { state.participants[$0] }.filter { !$0.kicked }
        let attendance = SessionReport.Attendance.count(people.map { ($0.function, $0.org) })

        let activities = state.agenda.map { a -> SessionReport.Activity in
            let secrets = confidential[a.id].map { secretTexts(events, activity: a.id, types: Set($0)) } ?? []
            let mine = outputs.filter { $0.instance == "\(s.id)/\(a.id)" && $0.kind == "report.section" }
            if let last = mine.map(\.seq).max() {
                let sections = mine.filter { $0.seq == last }.sorted { $0.index < $1.index }
                    .prefix(Section.Limits.sectionsPerActivity).compactMap { Section.read($0.record) }
                    .filter { !quotes($0, secrets) }
                return SessionReport.Activity(id: a.id, title: a.item.title, plugin: a.item.plugin, source: .plugin, sections: sections)
            }
            // `public` holds no group content by contract, also for activities with confidential inputs.
            if let view = views.first(where: { $0.activity == a.id && $0.audience == "public" })?.view {
                let section = Section.fromView(view)
                if !section.items.isEmpty, !quotes(section, secrets) {
                    return SessionReport.Activity(id: a.id, title: a.item.title, plugin: a.item.plugin, source: .view, sections: [section])
                }
            }
            return SessionReport.Activity(id: a.id, title: a.item.title, plugin: a.item.plugin, source: .none, sections: [])
        }

        let produced = outputs.compactMap { o -> SessionReport.Produced? in
            guard case .filed(let stored)? = o.filing else { return nil }
            let parts = stored.split(separator: "@", maxSplits: 1)
            let id = String(parts[0])
            let version = parts.count > 1 ? Int(parts[1]) : nil
            let activity = String(o.instance.split(separator: "/").last ?? "")
            let title = o.record["title"]?.stringValue ?? id
            switch o.kind {
            case "kennisbank.intervention":
                return SessionReport.Produced(kind: .kennisbank, id: id, version: version, title: title, activity: activity,
                             link: "/web/kennisbank/intervention.html?id=\(id)" + (version.map { "&version=\($0)" } ?? ""))
            case "gereedschapskist.item":
                return SessionReport.Produced(kind: .gereedschapskist, id: id, version: version, title: title, activity: activity, link: "/api/v1/toolkit/\(id)")
            default:
                return nil
            }
        }
        let session = SessionReport.Session(id: record.id, code: record.code, title: record.title, date: record.date,
                                            status: state.status.rawValue, lang: record.lang, series: record.seriesId,
                                            startedAt: started, closedAt: closed)
        return SessionReport(session: session, generatedAt: now, agenda: agenda, attendance: attendance, activities: activities, produced: produced)
    }

    /// When the session started and closed, and per activity when it first became current and how long it was
    /// current in all (until the next navigation, the close, or now).
    static func timeline(_ events: [LoggedEvent], now: Int64) -> (Int64?, Int64?, [String: (first: Int64, total: Int64)]) {
        var started: Int64?, closed: Int64?
        var timings: [String: (first: Int64, total: Int64)] = [:]
        var current: (activity: String, since: Int64)?
        func leave(_ at: Int64) {
            guard let c = current else { return }
            let before = timings[c.activity] ?? (c.since, 0)
            timings[c.activity] = (before.first, before.total + max(0, at - c.since))
            current = nil
        }
        for e in events where e.kind == .command {
            switch e.type {
            case "start": started = started ?? e.at
            case "close": closed = e.at; leave(e.at)
            case "goto", "next", "prev":
                leave(e.at)
                if let a = e.payload["activity"]?.stringValue {
                    current = (a, e.at)
                    if timings[a] == nil { timings[a] = (e.at, 0) }
                }
            default: break
            }
        }
        leave(closed ?? now)
        return (started, closed, timings)
    }

    /// The strings of an activity's confidential inputs still in the log (sealing removes them at close).
    static func secretTexts(_ events: [LoggedEvent], activity: String, types: Set<String>) -> [String] {
        var out: [String] = []
        func collect(_ v: JSONValue) {
            switch v {
            case .string(let s) where s.count >= 8: out.append(s)
            case .array(let a): a.forEach(collect)
            case .object(let o): o.values.forEach(collect)
            default: break
            }
        }
        for e in events where e.kind == .input && e.activity == activity && types.contains(e.type) { collect(e.payload) }
        return out
    }

    /// Whether a section quotes any of `secrets`: such a section is left out of the report.
    static func quotes(_ s: Section, _ secrets: [String]) -> Bool {
        guard !secrets.isEmpty else { return false }
        var texts = [s.title.nl, s.title.en, s.text?.nl ?? "", s.text?.en ?? "", s.svg ?? ""]
        for i in s.items { texts += [i.label.nl, i.label.en, i.value] }
        return texts.contains { t in secrets.contains { t.contains($0) } }
    }
}
