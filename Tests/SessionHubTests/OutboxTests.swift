import NIOCore
import NIOPosix
@testable import SessionHub
import Synchronization
import Testing

/// The outbox's scheduling rules (docs/PERFORMANCE.md), without sockets: which drains are scheduled, and in
/// what order a broadcast's chunks and an ack run on an event loop.
@Suite struct OutboxTests {
    /// Counts the drains asked for and takes nothing: the test takes the queue itself.
    final class HeldDrain: OutboxDrain {
        let eventLoop: (any EventLoop)? = nil
        let asked = Mutex(0)
        func drain() { asked.withLock { $0 += 1 } }
    }

    static func text(_ frames: [ByteBuffer]) -> [String] { frames.map { String(buffer: $0) } }

    @Test func anAckGetsADrainOfItsOwnWhileABroadcastChunkIsPending() {
        let outbox = Outbox(capacity: 16)
        let drain = HeldDrain()
        outbox.attach(drain)
        // A broadcast schedules the connection's drain in one of its chunks; a second one rides along.
        #expect(outbox.enqueue(ByteBuffer(string: "view 1"), broadcast: true) != nil)
        #expect(outbox.enqueue(ByteBuffer(string: "presence"), broadcast: true) == nil)
        // An ack does not wait for that chunk: it schedules a drain at once (which takes the views too) …
        outbox.send("ack 1")
        #expect(drain.asked.withLock { $0 } == 1)
        // … once: a second ack rides along with it.
        outbox.send("ack 2")
        #expect(drain.asked.withLock { $0 } == 1)
        #expect(Self.text(outbox.take(writable: true).frames) == ["view 1", "presence", "ack 1", "ack 2"])
        // Taken: the next frame of either kind schedules a drain again.
        #expect(outbox.enqueue(ByteBuffer(string: "view 2"), broadcast: true) != nil)
    }

    /// The drains, and what the first of them queued on the loop (-1), in the order they ran.
    final class Log: Sendable {
        let entries = Mutex<[Int]>([])
    }

    @Test func aBroadcastsChunksLetAnAckQueuedMeanwhileGoFirst() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let n = OutboxBatch.chunk * 3 + 5
        let log = Log()
        let done = loop.makePromise(of: Void.self)
        let outboxes = (0..<n).map { _ in Outbox(capacity: 16) }
        for (i, outbox) in outboxes.enumerated() {
            let onDrain: @Sendable () -> Void
            switch i {
            // The first connection's drain stands for an ack queued on the loop while the broadcast runs.
            case 0: onDrain = { loop.execute { log.entries.withLock { $0.append(-1) } } }
            case n - 1: onDrain = { done.succeed() }
            default: onDrain = {}
            }
            outbox.attach(IndexedDrain(loop: loop, index: i, log: log, outbox: outbox, onDrain: onDrain))
        }
        var batch = OutboxBatch()
        for outbox in outboxes { batch.send(ByteBuffer(string: "view"), to: outbox) }
        batch.flush()
        try await done.futureResult.get()
        let order = log.entries.withLock { $0 }
        #expect(order.count == n + 1)
        // The ack ran after the first chunk, before the second: not behind the whole broadcast.
        #expect(order.firstIndex(of: -1) == OutboxBatch.chunk)
        #expect(order.filter { $0 >= 0 } == Array(0..<n))
        try await group.shutdownGracefully()
    }

    /// Takes its outbox and records its index in the order the drains ran; `onDrain` after that.
    final class IndexedDrain: OutboxDrain {
        let eventLoop: (any EventLoop)?
        let index: Int
        let log: Log
        let outbox: Outbox
        let onDrain: @Sendable () -> Void

        init(loop: any EventLoop, index: Int, log: Log, outbox: Outbox, onDrain: @escaping @Sendable () -> Void) {
            eventLoop = loop
            self.index = index
            self.log = log
            self.outbox = outbox
            self.onDrain = onDrain
        }

        func drain() {
            _ = outbox.take(writable: true)
            log.entries.withLock { $0.append(index) }
            onDrain()
        }
    }
}
