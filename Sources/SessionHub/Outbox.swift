import Foundation
import Model
import NIOCore
import Synchronization

/// A connection's bounded outbox. The session queues encoded frames into it without waiting; its drain
/// (`OutboxWriter`, on the connection's event loop) takes everything queued at once and writes it to the
/// socket with one flush, so a broadcast costs each connection one `writev` and wakes no task
/// (docs/PERFORMANCE.md). A view that a newer one of the same activity and audience overtakes before the
/// drain took it is dropped, so a socket that takes writes more slowly than the ticks come gets the newest
/// state, not every state (docs/PROTOCOL.md "Slow consumers"). A full outbox means the client cannot keep
/// up: it is closed with 4004 and rejoins to a fresh `welcome`, instead of slowing the room down.
public final class Outbox: Sendable {
    public enum Frame: Sendable {
        case text(ByteBuffer)
    }

    private struct State {
        /// In the order queued; nil where a newer view replaced the one queued there.
        var queue: [WireFrame?] = []
        /// Where in `queue` the view of each activity and audience waits.
        var views: [Fanout.ViewKey: Int] = [:]
        /// Frames queued since the socket last took the queue, replaced views included: what the capacity
        /// bounds, so that a client that takes nothing for `capacity` frames of the room's traffic is still
        /// closed with 4004 (the replaced views cost it no memory, but it has fallen that far behind).
        var behind = 0
        /// A drain is scheduled (or running); further frames of a broadcast ride along with it.
        var scheduled = false
        /// A drain of its own (`send`, not a broadcast's chunk) is scheduled: an ack queued while the connection
        /// waits in a broadcast's later chunk does not wait for that chunk.
        var direct = false
        /// No more frames are taken: a close was asked for, reading ended, or the channel is gone.
        var closing = false
        var ended = false
        var drain: (any OutboxDrain)?
    }

    private let state = Mutex(State())
    let capacity: Int
    /// 0 while open; the close code once the connection is to be closed.
    let closeCode = Atomic<UInt16>(0)
    /// Set once the gateway has written the close frame (or the channel is gone): what shutdown waits for.
    let closeWritten = Atomic<Bool>(false)
    /// Finished once the queue is written (or dropped, for 4004) after a close, or the channel is gone.
    private let end = AsyncStream<Void>.makeStream()

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public func send(_ buffer: ByteBuffer) { send(WireFrame(text: buffer)) }

    public func send(_ text: String) { send(WireFrame(text: text)) }

    func send(_ frame: WireFrame) {
        if let drain = enqueue(frame, broadcast: false) { Self.schedule(drain) }
    }

    /// A message that cannot be encoded is never sent as `null`: the client gets an `internal` error instead.
    public func send(_ message: ServerMessage) {
        do { send(try message.text()) } catch { send(ServerMessage.unencodable) }
    }

    /// Queues `buffer`; returns the drain to schedule, or nil when one already will take it: for a
    /// `broadcast` frame any scheduled drain (`OutboxBatch` schedules the drains of one broadcast together),
    /// for another frame only a drain of its own, so that it never waits for a broadcast's later chunk. A
    /// frame queued after a close is dropped.
    ///
    /// A `view` (its activity and audience) replaces a view of the same key still queued: the old one is
    /// dropped and the new one queued last, so what the client gets is what it would have got less the
    /// overtaken view, every other frame in its order. An ack therefore still comes before any view that
    /// reflects its seq (CONTRACTS.md), and acks, errors, welcomes and other messages are never dropped.
    func enqueue(_ frame: WireFrame, view: Fanout.ViewKey? = nil, broadcast: Bool) -> (any OutboxDrain)? {
        let (drain, overflow): ((any OutboxDrain)?, Bool) = state.withLock { s in
            if s.closing { return (nil, false) }
            if s.behind >= capacity { return (nil, true) }
            s.behind += 1
            if let view {
                if let old = s.views[view] { s.queue[old] = nil }
                s.views[view] = s.queue.count
            }
            s.queue.append(frame)
            return (Self.claim(&s, direct: !broadcast), false)
        }
        if overflow {
            // Once per connection: the close stops the queue, later frames are dropped without counting.
            Metrics.slowConsumers.increment()
            close(.tooSlow)
        }
        return drain
    }

    /// Asks for a close with `code` as soon as what was queued is written (4004: at once, the backlog
    /// dropped); the first code asked for wins.
    public func close(_ code: CloseCode) {
        _ = closeCode.compareExchange(expected: 0, desired: code.rawValue, ordering: .relaxed)
        stopTaking()
    }

    /// Reading ended: what is queued is still written, then the writer ends without a close code of its own.
    func finish() { stopTaking() }

    public var requestedClose: CloseCode? {
        let c = closeCode.load(ordering: .relaxed)
        return c == 0 ? nil : CloseCode(rawValue: c)
    }

    /// Returns once a close or `finish` has been carried out by the drain (or the channel is gone), or
    /// when the calling task is cancelled.
    func ended() async {
        for await _ in end.stream {}
    }

    // MARK: - The drain's side

    /// Where the frames go from now on; what was queued before is drained at once.
    func attach(_ drain: any OutboxDrain) {
        let claimed: (any OutboxDrain)? = state.withLock { s in
            s.drain = drain
            return s.queue.isEmpty && !s.closing ? nil : Self.claim(&s, direct: true)
        }
        if let claimed { Self.schedule(claimed) }
    }

    /// Called by the drain: everything queued, when the socket takes writes (or nothing waits), and
    /// whether the outbox has ended with it (a close or `finish`, the queue written or dropped). A
    /// socket that does not take writes keeps the queue: it fills up to 4004, or the write timeout ends it.
    func take(writable: Bool) -> (frames: [WireFrame], ended: Bool) {
        let tooSlow = requestedClose == .tooSlow
        return state.withLock { s in
            s.scheduled = false
            s.direct = false
            if s.ended { return ([], false) }
            if tooSlow { s.queue.removeAll() }
            guard writable || s.queue.isEmpty else { return ([], false) }
            let frames = s.queue.compactMap { $0 }
            s.queue = []
            s.views = [:]
            s.behind = 0
            if s.closing { s.ended = true }
            return (frames, s.closing)
        }
    }

    /// Called by the drain once the frames `take` returned with `ended` are written.
    func endWritten() { end.continuation.finish() }

    /// The channel is gone: nothing more is written, the writer ends.
    func gone() {
        state.withLock { s in
            s.closing = true
            s.ended = true
            s.queue.removeAll()
            s.views = [:]
            s.drain = nil
        }
        closeWritten.store(true, ordering: .relaxed)
        end.continuation.finish()
    }

    private func stopTaking() {
        let (drain, noDrain): ((any OutboxDrain)?, Bool) = state.withLock { s in
            s.closing = true
            return (Self.claim(&s, direct: true), s.drain == nil)
        }
        if let drain { Self.schedule(drain) } else if noDrain { end.continuation.finish() }
    }

    private static func claim(_ s: inout State, direct: Bool) -> (any OutboxDrain)? {
        guard let d = s.drain, !(direct ? s.direct : s.scheduled) else { return nil }
        s.scheduled = true
        s.direct = s.direct || direct
        return d
    }

    static func schedule(_ drain: any OutboxDrain) {
        if let loop = drain.eventLoop { loop.execute { drain.drain() } } else { drain.drain() }
    }

    /// A consumer without a channel (the tests): every frame in the order it was queued; the stream ends
    /// with a close or `finish`.
    public func frames() -> AsyncStream<Frame> {
        let (stream, continuation) = AsyncStream.makeStream(of: Frame.self)
        attach(OutboxCollector(outbox: self, continuation: continuation))
        return stream
    }
}

/// Takes an outbox's frames and writes them: `OutboxWriter` on a connection's event loop, or the tests'
/// collector in place.
protocol OutboxDrain: AnyObject, Sendable {
    /// Where `drain` runs; nil: in place, on the thread that queued.
    var eventLoop: (any EventLoop)? { get }
    func drain()
}

/// The drains one broadcast scheduled, run a chunk of `chunk` connections at a time on each event loop,
/// instead of a woken task per connection. Each chunk queues the next when it is done, so an ack (or another
/// broadcast's chunk) queued meanwhile waits for one chunk, not for the whole broadcast: queued all at once,
/// the chunks made acks wait for all of them (ack p99 918 ms at 10,000, docs/PERFORMANCE.md).
struct OutboxBatch {
    static let chunk = 128
    /// The next chunk is due this long after the previous one ends, not at once: NIO runs every task that is
    /// ready before it polls its sockets again, so a chunk queued with `execute` would keep reads (and the
    /// inputs in them) waiting until the whole broadcast is written. A loop with nothing else to do polls and
    /// goes on after the pause.
    static let pause = TimeAmount.microseconds(20)
    private var loops: [ObjectIdentifier: (loop: any EventLoop, drains: [any OutboxDrain])] = [:]

    /// `view`: the frame is that view, which replaces an older one still queued (`Outbox.enqueue`).
    mutating func send(_ frame: WireFrame, to outbox: Outbox, view: Fanout.ViewKey? = nil) {
        guard let drain = outbox.enqueue(frame, view: view, broadcast: true) else { return }
        guard let loop = drain.eventLoop else { return drain.drain() }
        loops[ObjectIdentifier(loop), default: (loop, [])].drains.append(drain)
    }

    /// Runs what `send` scheduled; called once the broadcast has queued everything.
    mutating func flush() {
        for (loop, drains) in loops.values {
            loop.execute { Self.run(drains, from: 0, on: loop) }
        }
        loops = [:]
    }

    /// Runs one chunk on `loop` (called there) and schedules the next.
    static func run(_ drains: [any OutboxDrain], from start: Int, on loop: any EventLoop) {
        let end = min(start + chunk, drains.count)
        for d in drains[start..<end] { d.drain() }
        guard end < drains.count else { return }
        _ = loop.scheduleTask(in: pause) { run(drains, from: end, on: loop) }
    }
}

private final class OutboxCollector: OutboxDrain {
    let eventLoop: (any EventLoop)? = nil
    private let outbox: Outbox
    private let continuation: AsyncStream<Outbox.Frame>.Continuation
    /// Sessions queue from several threads: takes and yields stay in order.
    private let order = Mutex(())

    init(outbox: Outbox, continuation: AsyncStream<Outbox.Frame>.Continuation) {
        self.outbox = outbox
        self.continuation = continuation
    }

    func drain() {
        order.withLock { _ in
            let (frames, ended) = outbox.take(writable: true)
            for f in frames { continuation.yield(.text(f.payload)) }
            if ended {
                continuation.finish()
                outbox.endWritten()
            }
        }
    }
}

/// One joined connection as its session sees it.
public final class ClientConnection: Sendable {
    public let id: Int
    public let outbox: Outbox
    public let role: ConnectionRole
    /// Participant id, or nil for a beamer, a facilitator and a viewer of a closed session.
    public let participant: String?
    /// Facilitator account id for facilitator connections.
    public let facilitator: String?
    public let lang: Language
    /// Frames with a seq at or below this were already reflected in the welcome.
    public let welcomeSeq: Atomic<Int64>
    /// This connection's inputs in its session's queue, not yet run (bounded by `ConnectionLimits.queuedInputs`).
    let inputsQueued = Atomic<Int>(0)

    public init(id: Int, outbox: Outbox, role: ConnectionRole, participant: String?, facilitator: String?, lang: Language) {
        self.id = id
        self.outbox = outbox
        self.role = role
        self.participant = participant
        self.facilitator = facilitator
        self.lang = lang
        self.welcomeSeq = Atomic(0)
    }

    /// The id under which this connection's inputs are deduplicated.
    public var actorId: String { participant ?? facilitator ?? "$anonymous" }

    public func sendError(_ error: HubError, id: String? = nil) {
        outbox.send(.error(error, id: id, lang: lang))
    }
}
