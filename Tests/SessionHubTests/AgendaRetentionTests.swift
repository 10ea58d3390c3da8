import Foundation
import Model
import SessionHub
import Testing
import Toolbox

@Suite struct AgendaRetentionTests {
    let base = """
        session: Leerkring
        agenda:
          - plugin: counter
            title: Tellen

        """

    @Test func anAgendaMayCarryItsOwnRetentionAndTheStoredSourceGivesItBack() throws {
        let text = base + "retention: { names: 0, inputs: never }\n"
        #expect(agendaProblems(text).isEmpty)
        #expect(AgendaRetention.rule(agendaSource: text) == RetentionRule(names: .days(0), inputs: .forever))
        #expect(AgendaRetention.rule(agendaSource: base) == nil, "without the field the series and the defaults apply")
        #expect(AgendaRetention.rule(agendaSource: "not: [valid") == nil)
    }

    @Test func aWrongRetentionIsAProblemWithItsLine() {
        let problems = agendaProblems(base + "retention:\n  names: -1\n  emails: 30\n")
        #expect(Set(problems.map(\.field)) == ["retention.names", "retention.emails"])
        #expect(problems.allSatisfy { ($0.line ?? 0) >= 5 }, "at the field, not at the top")
        #expect(agendaProblems(base + "retention: 30\n").map(\.field) == ["retention"])
    }
}
