import Foundation
import Model
@testable import PostgresStore
import Testing
import Toolbox

/// What only the PostgreSQL store has: its URL, and the retry of a batch whose COMMIT answer was lost.
@Suite struct PostgresStoreTests {
    @Test func urlsAreReadAsLibpqWritesThem() throws {
        let tcp = try PostgresStore.configuration("postgres://hub:s%40cret@db.internal:6543/sessionhub?options=-c%20search_path%3Dhub_a")
        #expect(tcp.host == "db.internal")
        #expect(tcp.port == 6543)
        #expect(tcp.username == "hub")
        #expect(tcp.password == "s@cret")
        #expect(tcp.database == "sessionhub")
        #expect(tcp.options.additionalStartupParameters.map { "\($0.0)=\($0.1)" } == ["search_path=hub_a"])
        #expect(PostgresStore.firstSchema(tcp) == "hub_a")
        let socket = try PostgresStore.configuration("postgresql://hub@/sessionhub?host=/run/postgresql")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(PostgresStore.firstSchema(socket) == nil)
        for bad in ["mysql://hub@db/x", "postgres://hub@db/x?sslmode=require", "postgres://hub@db/x?options=--x", "postgres://hub@db/x?options=-c%20x"] {
            #expect(throws: PostgresStoreError.self, "\(bad)") { try PostgresStore.configuration(bad) }
        }
        #expect(PostgresStore.quoted(#"a"b"#) == #""a""b""#)
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipped)))
    func aBatchWhoseCommitAnswerWasLostIsFoundStoredOnItsRetryAndOnlyThat() async throws {
        let under = try await StoreUnderTest.fresh(.postgres)
        let store = try #require(under.store as? PostgresStore)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.createSession(session("s_2", code: "GHJKLM"), activityKeys: [:])
        let batch = [("s_1", inc(1)), ("s_1", inc(2)), ("s_2", inc(1, session: "s_2"))]
        try await store.append(batch)
        // As if that COMMIT had failed on the wire after the server committed it: the EventLog writes it again.
        store.uncertain.withLock { $0.formUnion(["s_1#1", "s_1#2", "s_2#1"]) }
        #expect(try await store.append(batch).isEmpty, "the retry finds its own events and counts them stored")
        #expect(try await store.events(session: "s_1", after: 0).map(\.seq) == [1, 2], "stored once")
        #expect(store.uncertain.withLock { $0.isEmpty }, "the note ends with the retry")

        // Without the note, the same events are duplicates like any other.
        #expect(Array(try await store.append(batch).keys).sorted() == ["s_1", "s_2"])
        // A noted seq with other content is not the lost batch: refused.
        store.uncertain.withLock { $0.insert("s_2#1") }
        var other = inc(1, session: "s_2")
        other.type = "other"
        #expect(Array(try await store.append([("s_2", other)]).keys) == ["s_2"])
    }
}
