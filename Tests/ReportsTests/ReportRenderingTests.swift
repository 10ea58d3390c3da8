import Foundation
import Model
import Testing
@testable import Reports

@Suite struct ReportRenderingTests {
    static func report(sections: [Section], source: SessionReport.Activity.Source = .plugin) -> SessionReport {
        SessionReport(
            session: .init(id: "s_1", code: "ABC123", title: "Wijkavond <Noord>", date: "2027-02-01", status: "closed", lang: .nl,
                           series: nil, startedAt: 1_800_000_000_000, closedAt: 1_800_003_600_000),
            generatedAt: 1_800_003_700_000,
            agenda: [.init(id: "a1", title: "Stemmen", plugin: "voting", startedAt: 1_800_000_060_000, minutes: 12, current: false)],
            attendance: .count([("wijkagent", "Gemeente"), ("wijkagent", "Politie"), (nil, "Gemeente")]),
            activities: [.init(id: "a1", title: "Stemmen", plugin: "voting", source: source, sections: sections)],
            produced: [.init(kind: .gereedschapskist, id: "tk-1", version: 1, title: "Resultaten", activity: "a1", link: "/api/v1/toolkit/tk-1")])
    }

    static let voting: JSONValue = [
        "title": ["nl": "Welk plein?", "en": "Which square?"],
        "text": ["nl": "12 deelnemers stemden.", "en": "12 participants voted."],
        "items": [["label": "Marktplein <b>", "value": 7], ["label": "Kerkplein", "value": 5], ["label": ["nl": "Gemiddelde", "en": "Mean"], "value": 3.456]],
        "chart": "bars",
    ]

    @Test func readsTheDocumentedRecord() throws {
        let s = try #require(Section.read(Self.voting))
        #expect(s.title.nl == "Welk plein?" && s.title.en == "Which square?")
        #expect(s.items.map(\.value) == ["7", "5", "3.46"])
        #expect(s.items[2].label.en == "Mean" && s.items[0].label.nl == "Marktplein <b>")
        #expect(s.chart == "bars")
        #expect(Section.read(["text": "no title"]) == nil)
    }

    @Test func boundsWhatAPluginSends() throws {
        let long = String(repeating: "x", count: 10_000)
        let items = JSONValue.array((0..<500).map { JSONValue.object(["label": .string("o\($0)"), "value": .int(Int64($0))]) })
        let s = try #require(Section.read(["title": .string(long), "items": items, "svg": "<script>alert(1)</script>"]))
        #expect(s.title.nl.count == Section.Limits.title)
        #expect(s.items.count == Section.Limits.items)
        #expect(s.svg == nil)
    }

    @Test func aViewBecomesLabelledItemsNotJSON() {
        let view: JSONValue = ["question": "Hoe gaat het?", "total": 4, "words": [["word": "samen", "count": 3], ["word": "moe", "count": 1]], "moods": [0, 1, 2, 1, 0]]
        let s = Section.fromView(view)
        let pairs = s.items.map { "\($0.label.nl)=\($0.value)" }
        #expect(pairs.contains("samen=3") && pairs.contains("total=4") && pairs.contains("question=Hoe gaat het?"))
        #expect(pairs.contains("moods=0, 1, 2, 1, 0"))
    }

    @Test func htmlEscapesTheRoomsWordsAndDrawsBars() throws {
        let r = Self.report(sections: [try #require(Section.read(Self.voting))])
        let html = try ReportRenderer().html(r, lang: .nl, tokens: ":root{--color-primary:#1f3a68}", baseURL: "https://hub.example")
        #expect(html.contains("Marktplein &lt;b&gt;") && !html.contains("Marktplein <b>"))
        #expect(html.contains("Wijkavond &lt;Noord&gt;"))
        #expect(html.contains("<svg") && html.contains("<rect"))
        #expect(html.contains("Agenda en tijden") && html.contains("12 min"))
        #expect(html.contains("wijkagent") && html.contains("niet opgegeven"))
        #expect(html.contains("https://hub.example/api/v1/toolkit/tk-1"))
        #expect(!html.contains("{\""))
        #expect(html.contains("@page { size: A4"))
    }

    @Test func markdownIsProseInEitherLanguage() throws {
        let r = Self.report(sections: [try #require(Section.read(Self.voting))])
        let nl = try ReportRenderer().markdown(r, lang: .nl, baseURL: "")
        #expect(nl.hasPrefix("# Wijkavond <Noord>"))
        #expect(nl.contains("- Marktplein <b>: 7") && nl.contains("12 deelnemers stemden."))
        #expect(nl.contains("- wijkagent: 2") && nl.contains("- Gemeente: 2"))
        #expect(!nl.contains("{\"") && !nl.contains("```") && !nl.contains("\n\n\n"))
        let en = try ReportRenderer().markdown(r, lang: .en, baseURL: "")
        #expect(en.contains("Which square?") && en.contains("- Mean: 3.46") && en.contains("Agenda and timings"))
    }

    @Test func aPluginsOwnChartIsAnImage() throws {
        var s = try #require(Section.read(Self.voting))
        s.svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
        let html = try ReportRenderer().html(Self.report(sections: [s]), lang: .en, tokens: "", baseURL: "")
        #expect(html.contains("src=\"data:image/svg+xml;base64,") && !html.contains("<script>"))
    }

    @Test func attendanceCountsMostFirstAndNotGivenLast() {
        let a = SessionReport.Attendance.count([("b", nil), ("a", nil), ("b", "X"), (nil, "X")])
        #expect(a.total == 4)
        #expect(a.byFunction == [.init(label: "b", count: 2), .init(label: "a", count: 1), .init(label: nil, count: 1)])
        #expect(a.byOrganisation == [.init(label: "X", count: 2), .init(label: nil, count: 2)])
    }
}
