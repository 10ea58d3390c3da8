import Foundation
import Model
import Plugins
@testable import SessionHub
import Testing
import Toolbox

/// The series file (docs/SERIES.md): sessions in order with dates from `start` and `week`, locations, activity
/// ids, and the shape of `context.from` checked at create with line and field; results and their resolution.
@Suite struct SeriesParserTests {
    let series = SeriesParser(agendas: parser)

    func problems(_ yaml: String) -> [AgendaProblem] {
        if case .failure(let p) = series.parse(yaml) { return p.problems }
        return []
    }

    static let journey = """
        title: Leerkring Zuid
        kind: leerkring
        themes: [Wonen, Werken]
        facilitators: [Anna]
        start: 2027-02-01
        sessions:
          - session: Startsessie
            week: 0
            time: "13:30-16:30"
            location: { name: Buurthuis, address: Dorpsstraat 1, route: Tram 4 }
            agenda:
              - id: themes
                plugin: counter
                title: Thema's
          - session: Lokaal
            week: 4
            location: Wijkcentrum
            agenda:
              - plugin: counter
                title: Vragen
                context: { from: { session: 1, activity: themes, result: themes } }
          - session: Los
            date: 2027-12-24
            agenda:
              - plugin: counter
                title: Tel
        """

    @Test func readsAJourney() throws {
        let s = try series.parse(Self.journey).get()
        #expect(s.title == "Leerkring Zuid" && s.kind == .leerkring && s.id == nil)
        #expect(s.journey.themes == ["Wonen", "Werken"] && s.journey.facilitators == ["Anna"] && s.journey.start == "2027-02-01")
        #expect(s.sessions.map(\.agenda.date) == ["2027-02-01", "2027-03-01", "2027-12-24"])
        #expect(s.sessions[0].time == "13:30-16:30")
        #expect(s.sessions[0].location == SessionLocation(name: "Buurthuis", address: "Dorpsstraat 1", route: "Tram 4"))
        #expect(s.sessions[1].location == SessionLocation(name: "Wijkcentrum"))
        #expect(s.sessions[0].agenda.items.map(\.id) == ["themes"])
        #expect(s.sessions[1].agenda.items[0].context == ["from": ["session": 1, "activity": "themes", "result": "themes"]])
        #expect(s.sessions[1].source.contains("session: Lokaal"))
    }

    @Test func aWeekWithoutStartLeavesTheDateOpen() throws {
        let s = try series.parse(Self.journey.replacingOccurrences(of: "start: 2027-02-01\n", with: "")).get()
        #expect(s.sessions.map(\.agenda.date) == [nil, nil, "2027-12-24"])
    }

    @Test func badReferencesAreNamedWithLineAndField() {
        let p = problems("""
            title: Kapot
            kind: leerkring
            sessions:
              - session: Een
                agenda:
                  - { id: themes, plugin: counter, title: T }
              - session: Twee
                agenda:
                  - plugin: counter
                    title: A
                    context: { from: { session: 2, activity: themes, result: themes } }
                  - plugin: counter
                    title: B
                    context: { from: { session: 1, activity: nergens, result: "Geen naam", extra: 1 } }
                  - plugin: counter
                    title: C
                    context: { from: [1] }
                  - plugin: counter
                    title: D
                    context: { from: { activity: themes } }
            """)
        let found = Set(p.map { "\($0.line ?? 0) \($0.field)" })
        #expect(found == [
            "11 sessions[1].agenda[0].context.from.session",
            "14 sessions[1].agenda[1].context.from.activity",
            "14 sessions[1].agenda[1].context.from.result",
            "14 sessions[1].agenda[1].context.from.extra",
            "17 sessions[1].agenda[2].context.from",
            "20 sessions[1].agenda[3].context.from.session",
            "20 sessions[1].agenda[3].context.from.result",
        ], "\(p)")
    }

    @Test func kindIsAClosedListAndSessionsAreChecked() {
        let p = problems("""
            title: Reeks
            kind: cursus
            start: 1 februari
            sessions:
              - session: Een
                week: -1
                location: { name: X, gps: "52,4" }
                agenda:
                  - { plugin: nope, title: T }
                  - { id: a2, plugin: counter, title: U }
                  - { id: dubbel, plugin: counter, title: V }
                  - { id: dubbel, plugin: counter, title: W }
            """)
        let found = Set(p.map { "\($0.line ?? 0) \($0.field)" })
        #expect(found == ["2 kind", "3 start", "6 sessions[0].week", "7 sessions[0].location.gps", "9 sessions[0].agenda[0].plugin",
                          "10 sessions[0].agenda[1].id", "12 sessions[0].agenda[3].id"], "\(p)")
        #expect(p.first { $0.field == "kind" }?.message.contains("themabijeenkomst-programma (Programma van themabijeenkomsten)") == true)
        #expect(problems("title: X\nkind: werkplaats\n").map(\.field) == ["sessions"])
    }

    @Test func aLoneAgendaMayNotReferToEarlierSessions() {
        let p = agendaProblems("""
            session: Alleen
            agenda:
              - plugin: counter
                title: T
                context: { from: { session: 1, activity: a1, result: x } }
            """)
        #expect(p.map(\.field) == ["agenda[0].context.from"] && p.first?.line == 5)
    }

    @Test func theLatestResultPerActivityAndNameCounts() {
        let out = [
            StoredOutput(instance: "s_x/themes", seq: 5, index: 0, kind: "series.result", record: ["name": "themes", "items": ["A"]]),
            StoredOutput(instance: "s_x/themes", seq: 9, index: 0, kind: "series.result", record: ["name": "themes", "items": ["B", "C"]]),
            StoredOutput(instance: "s_x/a2", seq: 7, index: 0, kind: "series.result", record: ["name": "themes", "items": ["D"]]),
            StoredOutput(instance: "s_x/themes", seq: 8, index: 0, kind: "gereedschapskist.item", record: ["title": "T"]),
            StoredOutput(instance: "s_x/themes", seq: 10, index: 0, kind: "series.result", record: ["name": "Bad Name", "items": []]),
        ]
        let r = SeriesResults.results(out, session: "s_x")
        #expect(r.map(\.activity) == ["themes", "a2"])
        #expect(r[0].items == ["B", "C"] && r[0].seq == 9)
        #expect(SeriesView.title(["title": ["nl": "Wonen", "en": "Housing"]]) == "Wonen" && SeriesView.title("Werken") == "Werken")
    }

    @Test func aLoggedStartGivesTheContextsReplayStartsFrom() {
        let ctx: JSONValue = ["from": ["session": 1, "items": ["A"]]]
        let events = [
            LoggedEvent(seq: 1, kind: .join, activity: nil, actor: "p_1", role: .participant, type: "join", payload: [:], clientId: nil, at: 1),
            LoggedEvent(seq: 2, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "start", payload: ["context": ["a1": ctx]], clientId: "c", at: 2),
        ]
        #expect(SeriesResults.logged(events) == ["a1": ctx])
        #expect(SeriesResults.logged(Array(events.prefix(1))).isEmpty)
    }

    @Test func anUnresolvedReferenceHasItsStableCode() {
        let e = SeriesResults.unresolved(item: "a1", position: 1, activity: "themes", name: "themes")
        #expect(e.code == .rejected && e.detail == "context_unresolved")
        #expect(e.message(.en).contains("session 1") && e.message(.nl).contains("sessie 1"))
        #expect(APIError.from(e).code == "context_unresolved" && APIError.from(e).status.code == 409)
    }
}
