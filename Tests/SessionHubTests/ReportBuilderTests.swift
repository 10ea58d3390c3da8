import Foundation
import Model
import Reports
import Testing
@testable import SessionHub

/// The parts of the session report the hub derives from the log (docs/REPORTS.md): timings, and the guard
/// that leaves out a section quoting a confidential input.
@Suite struct ReportBuilderTests {
    static func command(_ seq: Int64, _ type: String, at: Int64, _ payload: JSONValue = [:]) -> LoggedEvent {
        LoggedEvent(seq: seq, kind: .command, activity: nil, actor: "f", role: .facilitator, type: type, payload: payload, clientId: nil, at: at)
    }

    @Test func timingsFollowTheNavigationAndCountTheRunningActivityUntilNow() {
        let events = [
            Self.command(1, "start", at: 0),
            Self.command(2, "next", at: 60_000, ["activity": "a1"]),
            Self.command(3, "next", at: 360_000, ["activity": "a2"]),
            Self.command(4, "prev", at: 480_000, ["activity": "a1"]),
            Self.command(5, "goto", at: 600_000, ["activity": "a2"]),
        ]
        let (started, closed, t) = SessionReportBuilder.timeline(events, now: 720_000)
        #expect(started == 0 && closed == nil)
        #expect(t["a1"]?.first == 60_000 && t["a1"]?.total == 300_000 + 120_000)
        #expect(t["a2"]?.first == 360_000 && t["a2"]?.total == 120_000 + 120_000)
        let (_, closedAt, after) = SessionReportBuilder.timeline(events + [Self.command(6, "close", at: 630_000)], now: 999_999_999)
        #expect(closedAt == 630_000 && after["a2"]?.total == 120_000 + 30_000)
    }

    @Test func aSectionQuotingAConfidentialInputIsLeftOut() {
        let secret = LoggedEvent(seq: 7, kind: .input, activity: "a4", actor: "p", role: .participant, type: "propose",
                                 payload: ["title": "Casus van mevrouw Jansen", "question": "kort"], clientId: "c", at: 1)
        let texts = SessionReportBuilder.secretTexts([secret], activity: "a4", types: ["propose"])
        #expect(texts == ["Casus van mevrouw Jansen"])
        let quoting = Section(title: LocalizedText(nl: "Intervisie", en: "Case review"),
                              items: [.init(label: LocalizedText(nl: "Casus", en: "Case"), value: "Casus van mevrouw Jansen", number: nil)])
        let counting = Section(title: LocalizedText(nl: "Intervisie", en: "Case review"),
                               items: [.init(label: LocalizedText(nl: "Groepen", en: "Groups"), value: "2", number: 2)])
        #expect(SessionReportBuilder.quotes(quoting, texts))
        #expect(!SessionReportBuilder.quotes(counting, texts))
        #expect(SessionReportBuilder.secretTexts([secret], activity: "a4", types: ["card"]).isEmpty)
    }
}
