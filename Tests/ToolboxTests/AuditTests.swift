import Foundation
import GRDB
import Testing
import Toolbox

/// The audit log in the store (docs/PRIVACY.md, "The audit log"): appended, queried, kept per its retention,
/// and never changed.
@Suite struct AuditTests {
    @Test func entriesAreQueriedOldestFirstWithTheirFilters() async throws {
        let store = try SQLiteStore(path: tempDB())
        try await store.audit(actor: "f_1", action: "login", target: "f@example.org", detail: nil)
        try await store.audit(actor: nil, action: "login.failed", target: "x@example.org", detail: "from 10.0.0.1")
        try await store.audit(actor: "f_1", action: "session.start", target: "s_1")
        let all = try await store.auditEntries(AuditQuery())
        #expect(all.map(\.action) == ["login", "login.failed", "session.start"])
        #expect(try await store.auditEntries(AuditQuery(action: "login.failed")).map(\.target) == ["x@example.org"])
        #expect(try await store.auditEntries(AuditQuery(limit: 2)).map(\.action) == ["login.failed", "session.start"], "the newest, oldest first")
        #expect(try await store.auditEntries(AuditQuery(since: Int64.max)).isEmpty)
    }

    @Test func theDatabaseRefusesToChangeAnEntryOrDeleteAYoungOne() async throws {
        let store = try SQLiteStore(path: tempDB())
        try await store.audit(actor: "f_1", action: "session.delete", target: "s_1")
        await #expect(throws: DatabaseError.self) {
            try await store.pool.write { db in try db.execute(sql: "UPDATE audit SET actor = 'someone else'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await store.purgeAudit(before: Int64(Date().timeIntervalSince1970 * 1000) + 1000)
        }
        #expect(try await store.auditEntries(AuditQuery()).map(\.actor) == ["f_1"])
    }

    @Test func theRetentionRemovesOnlyOlderEntries() async throws {
        let store = try SQLiteStore(path: tempDB())
        let day: Int64 = 86_400_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await store.pool.write { db in
            for (age, action) in [(400, "old"), (10, "recent")] {
                try db.execute(sql: "INSERT INTO audit (at, action) VALUES (?, ?)", arguments: [now - Int64(age) * day, action])
            }
        }
        #expect(try await store.purgeAudit(before: now - 365 * day) == 1)
        #expect(try await store.auditEntries(AuditQuery()).map(\.action) == ["recent"])
    }
}
