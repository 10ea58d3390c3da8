import Foundation
import Model
import Synchronization
import Toolbox

/// A session's queue: its jobs run one at a time in the order they arrived, and what the event log
/// reports is handled as soon as it arrives (acks do not wait for the jobs queued meanwhile).
final class JobQueue: Sendable {
    enum LogNote: Sendable {
        case durable(Int64)
        case refused(from: Int64, reason: String)
    }

    private let jobStream: AsyncStream<LiveSession.Job>
    private let jobs: AsyncStream<LiveSession.Job>.Continuation
    /// What the event log reported, in order; taken note of by the log's writer, handled by the session.
    private let notes: AsyncStream<LogNote>
    private let noter: AsyncStream<LogNote>.Continuation
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init() {
        (jobStream, jobs) = AsyncStream.makeStream(of: LiveSession.Job.self)
        (notes, noter) = AsyncStream.makeStream(of: LogNote.self)
    }

    func start(_ session: LiveSession) {
        let stream = jobStream
        let task = Task { [weak session] in
            for await job in stream {
                guard let session else { return }
                await session.run(job)
            }
        }
        loop.withLock { $0 = task }
        let notes = self.notes
        Task { [weak session] in
            for await note in notes {
                guard let session else { return }
                await session.handle(note)
            }
        }
    }

    /// False once `finish` has run: the job was not taken, and the caller must answer it.
    func submit(_ job: LiveSession.Job) -> Bool {
        if case .terminated = jobs.yield(job) { return false }
        return true
    }

    func note(_ note: LogNote) { noter.yield(note) }

    /// No more jobs: returns once the last one has run (the session refuses those queued before, `submit` those after).
    func finish() async {
        jobs.finish()
        await loop.withLock { $0 }?.value
    }

    func finishNotes() { noter.finish() }
}

/// Accepted events on their way to the log and the acks that wait for them: an event is acknowledged,
/// and its views published, only once the log says it is durable.
struct AckLedger {
    struct Pending {
        var event: LoggedEvent
        var views: [(activity: String, views: [String: JSONValue])]
        var outputs: [StoredOutput]
    }

    /// Idempotency key → seq of every accepted event: a resend is answered with the first one's ack.
    var accepted: [String: Int64] = [:]
    private var pending: [Pending] = []
    private var awaitingAck: [Int64: [AckTarget]] = [:]
    /// When accepted inputs arrived, for the input→ack latency histogram.
    var receivedAt: [Int64: ContinuousClock.Instant] = [:]

    mutating func append(_ event: LoggedEvent, views: [(activity: String, views: [String: JSONValue])], outputs: [StoredOutput], target: AckTarget?) {
        if let k = event.idempotencyKey { accepted[k] = event.seq }
        if let target { awaitingAck[event.seq, default: []].append(target) }
        pending.append(Pending(event: event, views: views, outputs: outputs))
    }

    mutating func wait(for seq: Int64, _ target: AckTarget) { awaitingAck[seq, default: []].append(target) }

    /// The oldest accepted event if it is durable now.
    mutating func nextDurable(upTo seq: Int64) -> Pending? {
        guard let first = pending.first, first.event.seq <= seq else { return nil }
        pending.removeFirst()
        return first
    }

    mutating func waiting(for seq: Int64) -> [AckTarget] { awaitingAck.removeValue(forKey: seq) ?? [] }

    /// Every target still waiting for an event up to `seq` (resends whose event became durable meanwhile).
    mutating func waiting(upTo seq: Int64) -> [(seq: Int64, targets: [AckTarget])] {
        awaitingAck.keys.filter { $0 <= seq }.map { ($0, awaitingAck.removeValue(forKey: $0) ?? []) }
    }

    /// Events from `seq` on will never be stored: forgotten, and who waited for them is returned.
    mutating func drop(from seq: Int64) -> [AckTarget] {
        pending.removeAll { $0.event.seq >= seq }
        return awaitingAck.keys.filter { $0 >= seq }.flatMap { awaitingAck.removeValue(forKey: $0) ?? [] }
    }
}
