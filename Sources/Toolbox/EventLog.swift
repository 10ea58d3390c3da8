import Foundation
import Model
import Synchronization

/// Told what became of its session's events. Both calls come from the log's writer while every other
/// session's writes wait, so an implementation only takes note and does its work elsewhere.
public protocol DurabilitySink: AnyObject, Sendable {
    /// Every event of this sink up to `seq` is stored.
    func durable(upTo seq: Int64)
    /// The store refused this sink's events from `seq` on (its session's rows are gone, or an event broke a
    /// constraint): they are not stored and never will be, and nothing of it after them is written either.
    func refused(from seq: Int64, reason: String)
}

/// The event log's group commit: appends wait in a queue while one batch is written; the next batch
/// takes everything that queued meanwhile, so a burst of inputs costs a few transactions, not one each.
///
/// An ack means stored (docs/SECURITY.md "Durability: an ack means stored"), so a batch the store cannot
/// write is never dropped: the same batch is written again, with backoff, until it is stored, and nothing
/// queued after it goes first. Batches are written in the order appends arrived, so durability is
/// monotonic per session and never reported across a gap. While a write fails, or takes longer than
/// `stallAfter`, the log is not durable (`failure`, `isDurable`): sessions then refuse new inputs with
/// `unavailable` and `/healthz` answers 503, until a write succeeds again.
public actor EventLog {
    struct Item {
        var session: String
        var event: LoggedEvent
        var sink: any DurabilitySink
    }

    let store: any HubStore
    let stallAfter: Duration
    let retryDelays: ClosedRange<Duration>
    private var queue: [Item] = []
    private var writing = false
    /// Items handed to `enqueue` so far, and how many of them are settled (stored or refused); batches
    /// settle in queue order, so `flush` waits for a count, not for an empty queue that may never come.
    private var enqueued = 0
    private var settled = 0
    private var waiters: [(upTo: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Per session, the `enqueued` count after its latest event, until that is settled: `flush(session:)`.
    private var lastOfSession: [String: Int] = [:]
    /// Sessions whose events the store refused, with why: their later events are refused unwritten, since
    /// writing them would leave a gap in the session's log.
    private var refusedSessions: [String: String] = [:]
    private var closing = false
    /// Counts writes, so that a stall watch knows whether the write it watches is still the current one.
    private var writeNumber = 0
    private let problem = Mutex<String?>(nil)
    private let metrics = EventLogMetrics()
    /// Where the log's own trouble is told (level `critical` or `notice`, and the text): the hub's logger,
    /// so that `--log-format json` holds for these lines too; plain stderr lines by default.
    let announce: Report

    public typealias Report = @Sendable (_ level: String, _ message: String) -> Void
    public static let standardError: Report = { level, message in FileHandle.standardError.write(Data("\(level): \(message)\n".utf8)) }

    /// - Parameters:
    ///   - stallAfter: a write still unfinished after this long makes the log not durable (a lock held by
    ///     another process, a disk that hangs), so new inputs are refused instead of piling up unacknowledged.
    ///   - retryDelays: the pause before writing a failed batch again; it doubles from the lower bound up
    ///     to the upper one.
    public init(store: any HubStore, stallAfter: Duration = .seconds(2),
                retryDelays: ClosedRange<Duration> = .milliseconds(50) ... .seconds(2), announce: @escaping Report = EventLog.standardError) {
        self.store = store
        self.announce = announce
        self.stallAfter = stallAfter
        self.retryDelays = retryDelays
    }

    /// Why the log is not durable right now (a write failed or is stalled), or nil when it is.
    public var failure: String? { problem.withLock { $0 } }

    /// Whether a new event would be stored soon: false while a write fails or is stalled. Read on every
    /// input, so it needs no hop onto the log's actor.
    public nonisolated var isDurable: Bool { problem.withLock { $0 == nil } }

    /// Queues an event; its sink hears `durable(upTo:)` once it and everything before it are written.
    public func enqueue(session: String, event: LoggedEvent, sink: any DurabilitySink) {
        enqueued += 1
        lastOfSession[session] = enqueued
        metrics.queueDepth.record(enqueued - settled)
        queue.append(Item(session: session, event: event, sink: sink))
        if !writing {
            writing = true
            Task { await self.drain() }
        }
    }

    /// Returns once everything queued before the call is stored or refused (or the log was shut down).
    public func flush() async {
        await settled(upTo: enqueued)
    }

    /// Returns once everything queued for `session` before the call is stored or refused. A replay or a takeover
    /// reads one session's log: it need not wait for a batch of other sessions' events (on a busy PostgreSQL node
    /// that wait was 0.3-0.6 s of a failover).
    public func flush(session: String) async {
        await settled(upTo: lastOfSession[session] ?? 0)
    }

    /// Returns once the first `target` events queued are stored or refused (or the log was shut down).
    private func settled(upTo target: Int) async {
        if settled >= target || (closing && !writing) { return }
        await withCheckedContinuation { waiters.append((target, $0)) }
    }

    /// For the hub's shutdown: writes what is queued, but gives up after the first failure instead of
    /// retrying; what was not written was never acknowledged, and clients resend it after the restart.
    public func shutdown() async {
        closing = true
        await flush()
    }

    private func drain() async {
        var failures = 0
        while !queue.isEmpty {
            var batch = queue
            queue.removeAll(keepingCapacity: true)
            batch = refuseUnwritable(batch)
            while !batch.isEmpty {
                writeNumber += 1
                let watch = watchForStall(writeNumber)
                let started = ContinuousClock.now
                do {
                    let refused = try await store.append(batch.map { ($0.session, $0.event) })
                    watch.cancel()
                    metrics.commitTime.record(duration: ContinuousClock.now - started)
                    metrics.batchSize.record(batch.count)
                    if failures > 0 {
                        announce("notice", "event log durable again after \(failures) failed write(s)")
                    }
                    failures = 0
                    problem.withLock { $0 = nil }
                    report(batch, refused: refused)
                    batch = []
                } catch {
                    watch.cancel()
                    failures += 1
                    metrics.writeFailures.increment()
                    let text = "event log write failed (\(failures) time(s), retrying): \(error)"
                    problem.withLock { $0 = text }
                    if failures == 1 || failures.isMultiple(of: 20) {
                        announce("critical", text)
                    }
                    if closing {
                        // Shutting down: these events were never acknowledged; their senders resend them.
                        settle(queue.count + batch.count)
                        queue.removeAll()
                        batch = []
                        break
                    }
                    try? await Task.sleep(for: retryDelay(after: failures))
                }
            }
        }
        writing = false
        resumeWaiters()
    }

    /// Events of sessions already refused are refused at once: written, they would follow a gap.
    private func refuseUnwritable(_ batch: [Item]) -> [Item] {
        guard !refusedSessions.isEmpty else { return batch }
        var kept: [Item] = []
        var told: Set<ObjectIdentifier> = []
        var refusedCount = 0
        for item in batch {
            guard let reason = refusedSessions[item.session] else { kept.append(item); continue }
            refusedCount += 1
            if told.insert(ObjectIdentifier(item.sink)).inserted { item.sink.refused(from: item.event.seq, reason: reason) }
        }
        settle(refusedCount)
        return kept
    }

    /// Tells each sink how far it is durable, or from where it was refused.
    private func report(_ batch: [Item], refused: [String: String]) {
        var latest: [ObjectIdentifier: (any DurabilitySink, Int64)] = [:]
        var firstRefused: [ObjectIdentifier: (any DurabilitySink, Int64, String)] = [:]
        for item in batch {
            let key = ObjectIdentifier(item.sink)
            if let reason = refused[item.session] {
                refusedSessions[item.session] = reason
                if firstRefused[key] == nil { firstRefused[key] = (item.sink, item.event.seq, reason) }
            } else {
                latest[key] = (item.sink, max(latest[key]?.1 ?? 0, item.event.seq))
            }
        }
        for (_, (sink, seq)) in latest { sink.durable(upTo: seq) }
        for (_, (sink, seq, reason)) in firstRefused {
            announce("critical", "the store refused a session's events from seq \(seq): \(reason)")
            sink.refused(from: seq, reason: reason)
        }
        settle(batch.count)
    }

    private func settle(_ count: Int) {
        settled += count
        if !lastOfSession.isEmpty { lastOfSession = lastOfSession.filter { $0.value > settled } }
        metrics.queueDepth.record(enqueued - settled)
        resumeWaiters()
    }

    private func resumeWaiters() {
        var waiting: [(upTo: Int, continuation: CheckedContinuation<Void, Never>)] = []
        for w in waiters {
            if settled >= w.upTo || (closing && !writing) { w.continuation.resume() } else { waiting.append(w) }
        }
        waiters = waiting
    }

    /// A write that takes longer than `stallAfter` makes the log not durable until it finishes.
    private func watchForStall(_ number: Int) -> Task<Void, Never> {
        let after = stallAfter
        return Task {
            try? await Task.sleep(for: after)
            if Task.isCancelled { return }
            self.stalled(number)  // the task inherits the actor: no hop
        }
    }

    private func stalled(_ number: Int) {
        guard writing, writeNumber == number else { return }
        let text = "event log write has not finished after \(stallAfter)"
        problem.withLock { if $0 == nil { $0 = text } }
        announce("critical", text)
    }

    private func retryDelay(after failures: Int) -> Duration {
        let doubled = retryDelays.lowerBound * (1 << min(failures - 1, 16))
        return min(doubled, retryDelays.upperBound)
    }
}
