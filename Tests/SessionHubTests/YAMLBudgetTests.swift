import Foundation
import SessionHub
import Testing

/// Issue 13, finding 10: an agenda's aliases, nesting and context are bounded before anything is stored.
@Suite struct YAMLBudgetTests {
    static func bomb(levels: Int) -> String {
        var lines = [#"      l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]"#]
        for n in 1..<levels { lines.append("      l\(n): &l\(n) [\(Array(repeating: "*l\(n - 1)", count: 9).joined(separator: ", "))]") }
        return lines.joined(separator: "\n")
    }

    @Test func anAliasBombStopsAtTheBudget() {
        let problems = agendaProblems("session: Bomb\nagenda:\n  - plugin: counter\n    title: Tel\n    context:\n" + Self.bomb(levels: 9) + "\n")
        #expect(problems.count == 1)
        #expect(problems.first?.field == "agenda[0].context")
        #expect(problems.first?.message.contains("alias") == true)
    }

    @Test func aSmallAliasIsFine() {
        let yaml = "session: Kort\nagenda:\n  - plugin: counter\n    title: Tel\n    context:\n" + Self.bomb(levels: 3) + "\n"
        guard case .success(let agenda) = parser.parse(yaml) else { Issue.record("refused"); return }
        #expect(agenda.items[0].context["l2"]?.arrayValue?.count == 9)
    }

    @Test func nestingDeeperThanTheLimitIsAProblemNotACrash() {
        for (field, depth) in [("config", 33), ("context", 9), ("context", 500)] {
            let nested = String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
            let problems = agendaProblems("session: Diep\nagenda:\n  - plugin: counter\n    title: Tel\n    \(field): \(nested)\n")
            #expect(problems.map(\.field) == ["agenda[0].\(field)"], "\(field) \(depth)")
            #expect(problems.first?.message.contains("nested") == true)
        }
    }
}
