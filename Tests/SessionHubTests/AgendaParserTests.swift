import Foundation
import Model
import Plugins
import SessionHub
import Testing

let counter = try! ManifestLoader.validate([
    "name": "counter", "version": "1.0.0", "protocol": 1,
    "title": ["nl": "Teller", "en": "Counter"], "description": ["nl": "Telt", "en": "Counts"],
    "command": ["python3", "counter.py"],
    "configSchema": ["type": "object", "properties": ["step": ["type": "integer", "minimum": 1], "labels": ["type": "array", "items": ["type": "string"]]], "additionalProperties": false],
    "phases": [["name": "counting", "title": ["nl": "Tellen", "en": "Counting"], "inputs": ["participant": ["inc"]]]],
], folderName: "counter").get()

let parser = AgendaParser(manifests: ["counter": counter])

func agendaProblems(_ yaml: String) -> [AgendaProblem] {
    if case .failure(let p) = parser.parse(yaml) { return p.problems }
    return []
}

@Suite struct AgendaParserTests {
    @Test func parsesTheDesignExample() throws {
        let a = try parser.parse("""
            series: wat-werkt-in-2026
            session: Wat werkt in buurtbeheerbedrijven
            date: 2026-12-10
            lang: nl
            agenda:
              - plugin: counter
                title: Hoe goed ken je buurtbeheerbedrijven?
                config: { step: 2, labels: [laag, "10"] }
              - plugin: counter
                title: Intervisie
                anonymity: named
                groups: { mode: random, size: 5 }
                context: { kennisbank: { kind: buurtbeheerbedrijven } }
            """).get()
        #expect(a.title == "Wat werkt in buurtbeheerbedrijven")
        #expect(a.series == "wat-werkt-in-2026")
        #expect(a.date == "2026-12-10")
        #expect(a.items.map(\.id) == ["a1", "a2"])
        #expect(a.items[0].config == ["step": 2, "labels": ["laag", "10"]])
        #expect(a.items[0].anonymity == .pseudonymous)
        #expect(a.items[1].anonymity == .named)
        #expect(a.items[1].groups == GroupSpec(mode: .random, size: 5))
        #expect(a.items[1].context == ["kennisbank": ["kind": "buurtbeheerbedrijven"]])
    }

    @Test func unknownPluginNamesLineAndField() {
        let p = agendaProblems("session: X\nagenda:\n  - plugin: counter\n    title: A\n  - plugin: voting\n    title: B\n")
        #expect(p.count == 1)
        #expect(p[0].line == 5)
        #expect(p[0].field == "agenda[1].plugin")
        #expect(p[0].message.contains("voting"))
    }

    @Test func wrongConfigTypeNamesLineAndField() {
        let p = agendaProblems("session: X\nagenda:\n  - plugin: counter\n    title: A\n    config:\n      step: twee\n")
        #expect(p == [AgendaProblem(line: 6, field: "agenda[0].config.step", message: "must be of type integer, not string")])
    }

    @Test func missingPartsAreNamed() {
        #expect(agendaProblems("agenda:\n  - plugin: counter\n").map(\.field).sorted() == ["agenda[0].title", "session"])
        #expect(agendaProblems("session: X\n").map(\.field) == ["agenda"])
        #expect(agendaProblems("session: X\nagenda: [\n").first?.field == "yaml")
        #expect(agendaProblems("session: X\nagenda:\n  - plugin: counter\n    title: A\n    anonymity: secret\n").map(\.field) == ["agenda[0].anonymity"])
        #expect(agendaProblems("session: X\nagenda:\n  - plugin: counter\n    title: A\n    groups: { mode: random }\n").map(\.field) == ["agenda[0].groups.size"])
    }
}

@Suite struct TokenTests {
    @Test func rejoinTokensVerifyAndResistForgery() {
        let tokens = RejoinTokens(key: Array(repeating: 7, count: 32))
        let t = tokens.issue(session: "s_abc", participant: "p_def")
        #expect(tokens.verify(t)! == ("s_abc", "p_def"))
        #expect(tokens.verify(t + "x") == nil)
        #expect(tokens.verify(t.replacingOccurrences(of: "p_def", with: "p_xyz")) == nil)
        #expect(RejoinTokens(key: Array(repeating: 8, count: 32)).verify(t) == nil, "another hub's key does not verify")
        #expect(tokens.verify("garbage") == nil)
    }

    @Test func joinCodesAvoidLookAlikes() {
        for _ in 0..<200 {
            let c = Identifiers.joinCode()
            #expect(c.count == 6)
            #expect(!c.contains(where: { "01OIL".contains($0) }))
        }
    }

    @Test func pseudonymsAreStablePerKey() {
        let a = Identifiers.pseudonym(participant: "p_1", key: [1, 2, 3])
        #expect(a == Identifiers.pseudonym(participant: "p_1", key: [1, 2, 3]))
        #expect(a != Identifiers.pseudonym(participant: "p_1", key: [1, 2, 4]))
        #expect(a != Identifiers.pseudonym(participant: "p_2", key: [1, 2, 3]))
    }
}
