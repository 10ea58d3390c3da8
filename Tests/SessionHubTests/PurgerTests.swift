import Foundation
import Model
import SessionHub
import Testing
import Toolbox

@Suite struct PurgerTests {
    func closed(_ store: SQLiteStore, _ id: String, code: String, agenda: String = "") async throws {
        let record = SessionRecord(id: id, code: code, seriesId: nil, title: id, date: nil, lang: .nl, agendaSource: agenda,
                                   agenda: [AgendaItem(id: "a1", plugin: "x", title: "X")], createdAt: 1, createdBy: nil)
        try await store.createSession(record, activityKeys: [:])
        try await store.append([
            (id, LoggedEvent(seq: 1, kind: .join, activity: nil, actor: "p_a", role: .participant, type: "join",
                             payload: ["participant": "p_a", "name": "Tjitske Wolkenveld"], clientId: nil, at: 5)),
            (id, LoggedEvent(seq: 2, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "close", payload: [:], clientId: "c", at: 10)),
        ])
    }

    @Test func oneSessionThatCannotBePurgedDoesNotKeepTheOthersAndTheAgendaRuleCounts() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("purger-\(UUID().uuidString).sqlite").path
        let store = try SQLiteStore(path: path)
        try await closed(store, "s_broken", code: "AAAAAA")
        try await closed(store, "s_fine", code: "BBBBBB")
        try await closed(store, "s_kept", code: "CCCCCC", agenda: "session: K\nretention: {names: never}\nagenda: []\n")
        // A row the store cannot read back (its agenda is not JSON): that session fails, alone.
        try await store.pool.write { db in try db.execute(sql: "UPDATE sessions SET agenda = 'kapot' WHERE id = 's_broken'") }

        let purger = Purger(defaults: RetentionPolicy(names: .days(0), inputs: .forever))
        let report = try await purger.run(store: store, backupDir: nil, dryRun: false, now: 1_000, actor: nil, alwaysAudit: false)
        #expect(Set(report.sessions.map(\.session)) == ["s_broken", "s_fine"], "the agenda's `never` keeps s_kept")
        #expect(report.failures?.map(\.session) == ["s_broken"])
        #expect(report.counts.joins == 1)
        #expect(try await store.events(session: "s_fine", after: 0)[0].payload == ["participant": "p_a"])
        #expect(try await store.purgeMarks(session: "s_broken").isEmpty, "tried again next time")
        let entries = try await store.auditEntries(AuditQuery(action: "purge"))
        #expect(entries.count == 1 && entries[0].detail?.hasSuffix("; 1 failed") == true)
    }
}
