import Foundation
@testable import PostgresStore
import Testing
import Toolbox

/// One owner per live session among nodes on one PostgreSQL store (issue 21; docs/SCALING.md "One owner per session"),
/// with two real `PostgresOwnership`s as two nodes would hold them.
@Suite(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipped)))
struct SessionOwnershipTests {
    /// A fresh schema (made by opening the store there), and two nodes' ownerships on it.
    static func twoNodes() async throws -> (PostgresOwnership, PostgresOwnership, String) {
        let under = try await StoreUnderTest.fresh(.postgres)
        let a = try PostgresOwnership(url: under.location, node: { "http://node-a:8080" })
        let b = try PostgresOwnership(url: under.location, node: { "http://node-b:8080" })
        return (a, b, under.location)
    }

    static func sessionId() -> String { "s_" + UUID().uuidString.prefix(12).lowercased() }

    @Test func aSessionHasOneOwnerAndTheOthersAreToldWhere() async throws {
        let (a, b, _) = try await Self.twoNodes()
        let s = Self.sessionId()
        #expect(try await a.claim(s) == .mine)
        #expect(try await a.claim(s) == .mine, "claiming again is cheap and stays mine")
        #expect(try await b.claim(s) == .elsewhere(node: "http://node-a:8080"))
        await a.release(s)
        #expect(try await b.claim(s) == .mine, "released, the next node takes it")
        #expect(try await a.claim(s) == .elsewhere(node: "http://node-b:8080"))
        await a.close()
        await b.close()
    }

    @Test func aNodeThatGoesAwayFreesItsSessionsAtOnce() async throws {
        let (a, b, _) = try await Self.twoNodes()
        let sessions = (0..<5).map { _ in Self.sessionId() }
        for s in sessions { #expect(try await a.claim(s) == .mine) }
        await a.close()
        for s in sessions { #expect(try await b.claim(s) == .mine, "no lease to wait for: the lock went with the connection") }
        await b.close()
    }

    @Test func aNodeNamesTheSessionsItHeldBeforeItRestarted() async throws {
        let (a, b, location) = try await Self.twoNodes()
        let mine = [Self.sessionId(), Self.sessionId()].sorted()
        for s in mine { _ = try await a.claim(s) }
        _ = try await b.claim(Self.sessionId())
        // A SIGKILL leaves the rows; the same node, started again, finds its sessions there.
        let again = try PostgresOwnership(url: location, node: { "http://node-a:8080" })
        #expect(try await again.formerlyMine() == mine)
        await a.close()
        await b.close()
        await again.close()
    }

    @Test func aBrokenLockConnectionIsReportedAndFreesTheSessions() async throws {
        let under = try await StoreUnderTest.fresh(.postgres)
        let store = try #require(under.store as? PostgresStore)
        let a = try PostgresOwnership(url: under.location, node: { "http://node-a:8080" })
        let b = try PostgresOwnership(url: under.location, node: { "http://node-b:8080" })
        let s = Self.sessionId()
        #expect(try await a.claim(s) == .mine)
        var losses = a.losses.makeAsyncIterator()
        // As a network cut or a PostgreSQL restart would: the server ends the connection that holds the lock.
        try await store.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND classid::bigint = ((hashtextextended(\(s), 0) >> 32) & 4294967295) AND objid::bigint = (hashtextextended(\(s), 0) & 4294967295)
            """)
        #expect(await losses.next() != nil, "the node hears that its claims are gone, and unloads its sessions")
        #expect(try await b.claim(s) == .mine)
        #expect(try await a.claim(s) == .elsewhere(node: "http://node-b:8080"), "a new lock connection, and no claim on what it lost")
        await a.close()
        await b.close()
    }

    @Test func racingNodesNeverBothGetOneSession() async throws {
        let (a, b, _) = try await Self.twoNodes()
        for _ in 0..<20 {
            let s = Self.sessionId()
            async let x = a.claim(s)
            async let y = b.claim(s)
            let results = try await [x, y]
            #expect(results.filter { $0 == .mine }.count == 1, "\(results)")
        }
        await a.close()
        await b.close()
    }
}
