import Foundation
import Model
import Testing
import Toolbox

/// Another process holding the database's write lock (python3's sqlite3 `BEGIN IMMEDIATE`), as a backup
/// tool or a stray `sqlite3` shell would; released by `release()`.
final class WriteLockHolder {
    let process = Process()
    let input = Pipe()
    let output = Pipe()

    init(path: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.read()
            db.execute("COMMIT")
            """, path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        precondition(line.hasPrefix("locked"), "the lock holder did not start: \(line)")
    }

    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

func inc(_ seq: Int, session: String = "s_1") -> LoggedEvent {
    LoggedEvent(seq: Int64(seq), kind: .input, activity: "a1", actor: "p_1", role: .participant, type: "inc", payload: [:], clientId: "\(session)-c\(seq)", at: Int64(seq))
}

/// Waits (polling, at most 20 s) until `check` holds; the tests assert outcomes, never how long they took.
func eventually(_ check: () async -> Bool) async -> Bool {
    for _ in 0..<400 {
        if await check() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// The tests with an argument are part of the store conformance suite; the others hold SQLite's write lock.
@Suite struct EventLogDurabilityTests {
    /// issue 13 finding 2: a batch that could not be written used to be dropped, and the next batch's
    /// durability acknowledged it across the gap.
    @Test func aFailedWriteIsRetriedAndNothingIsReportedAcrossAGap() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path, busyTimeout: 0.1)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        let log = EventLog(store: store, stallAfter: .seconds(60), retryDelays: .milliseconds(20) ... .milliseconds(100))
        let sink = Recorder()
        #expect(log.isDurable)

        let lock = try WriteLockHolder(path: path)
        for i in 1...5 { await log.enqueue(session: "s_1", event: inc(i), sink: sink) }
        #expect(await eventually { await log.failure != nil }, "a failing write makes the log not durable")
        #expect(!log.isDurable)
        await log.enqueue(session: "s_1", event: inc(6), sink: sink)
        try await Task.sleep(for: .milliseconds(300))
        #expect(sink.seen.isEmpty, "nothing is durable while the lock is held")
        lock.release()

        await log.flush()
        #expect(sink.seen.last == 6)
        #expect(log.isDurable, "durable again once a write succeeded")
        #expect(await log.failure == nil)
        let stored = try await SQLiteStore(path: path).events(session: "s_1", after: 0)
        #expect(stored.map(\.seq) == Array(1...6).map(Int64.init), "the failed batch was written, once, before what followed it")
    }

    @Test func aWriteThatStallsMakesTheLogNotDurableUntilItFinishes() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path, busyTimeout: 30)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        let log = EventLog(store: store, stallAfter: .milliseconds(200))
        let sink = Recorder()

        let lock = try WriteLockHolder(path: path)
        await log.enqueue(session: "s_1", event: inc(1), sink: sink)
        #expect(await eventually { !log.isDurable }, "a write waiting on a lock past stallAfter makes the log not durable")
        #expect(sink.seen.isEmpty)
        lock.release()
        await log.flush()
        #expect(sink.seen == [1])
        #expect(log.isDurable)
    }

    /// A replay or takeover of one session waits for that session's queued events, not for a write of others'.
    @Test func aSessionsFlushWaitsForItsOwnEventsOnly() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path, busyTimeout: 30)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.createSession(session("s_2", code: "GHJKLM"), activityKeys: [:])
        let log = EventLog(store: store, stallAfter: .seconds(60))
        let one = Recorder()
        let two = Recorder()
        await log.enqueue(session: "s_2", event: inc(1, session: "s_2"), sink: two)
        await log.flush(session: "s_2")
        #expect(two.seen == [1])

        let lock = try WriteLockHolder(path: path)
        await log.enqueue(session: "s_1", event: inc(1), sink: one)
        // Released later in any case, so that a flush that wrongly waits shows up as a failure, not a hang.
        let release = Task { try? await Task.sleep(for: .seconds(2)); lock.release() }
        await log.flush(session: "s_2")
        await log.flush(session: "s_3")
        #expect(one.seen.isEmpty, "s_2's and an unknown session's flush returned while s_1's write waited on the lock")
        await log.flush(session: "s_1")
        #expect(one.seen == [1])
        await release.value
    }

    /// issue 13 finding 2: a deleted session's queued event used to fail the shared batch, and with it
    /// every other session's events in it.
    @Test(arguments: StoreKind.available) func oneSessionsRefusedEventsNeverFailAnothersBatch(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.createSession(session("s_2", code: "GHJKLM"), activityKeys: [:])
        try await store.deleteSession("s_2")
        let log = EventLog(store: store)
        let kept = Recorder()
        let gone = Recorder()
        for i in 1...10 {
            await log.enqueue(session: "s_1", event: inc(i), sink: kept)
            await log.enqueue(session: "s_2", event: inc(i, session: "s_2"), sink: gone)
        }
        await log.flush()
        #expect(kept.seen.last == 10)
        #expect(gone.seen.isEmpty, "nothing of the deleted session is reported durable")
        #expect(gone.refusedFrom.first == 1)
        #expect(try await store.events(session: "s_1", after: 0).count == 10)
        #expect(try await store.events(session: "s_2", after: 0).isEmpty)

        // Its later events are refused unwritten; the other session carries on.
        await log.enqueue(session: "s_2", event: inc(11, session: "s_2"), sink: gone)
        await log.enqueue(session: "s_1", event: inc(11), sink: kept)
        await log.flush()
        #expect(kept.seen.last == 11)
        #expect(gone.seen.isEmpty)
        #expect(log.isDurable, "a refused session is not an outage of the log")
    }

    @Test(arguments: StoreKind.available) func aDuplicateInOneSessionRefusesOnlyThatSession(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.createSession(session("s_2", code: "GHJKLM"), activityKeys: [:])
        try await store.append([("s_2", inc(1, session: "s_2"))])
        let refused = try await store.append([("s_1", inc(1)), ("s_2", inc(1, session: "s_2")), ("s_1", inc(2))])
        #expect(Array(refused.keys) == ["s_2"])
        #expect(try await store.events(session: "s_1", after: 0).map(\.seq) == [1, 2])
        #expect(try await store.session("s_1")?.seq == 2)
    }

    @Test func shutdownGivesUpOnALogThatCannotWrite() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path, busyTimeout: 0.05)
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        let log = EventLog(store: store, retryDelays: .milliseconds(20) ... .milliseconds(50))
        let sink = Recorder()
        let lock = try WriteLockHolder(path: path)
        defer { lock.release() }
        await log.enqueue(session: "s_1", event: inc(1), sink: sink)
        #expect(await eventually { !log.isDurable })
        await log.shutdown()
        #expect(sink.seen.isEmpty, "what was not written was never reported durable")
    }
}
