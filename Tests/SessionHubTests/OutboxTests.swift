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

    static func text(_ frames: [WireFrame]) -> [String] { frames.map { String(buffer: $0.payload) } }

    @Test func anAckGetsADrainOfItsOwnWhileABroadcastChunkIsPending() {
        let outbox = Outbox(capacity: 16)
        let drain = HeldDrain()
        outbox.attach(drain)
        // A broadcast schedules the connection's drain in one of its chunks; a second one rides along.
        #expect(outbox.enqueue(WireFrame(text: "view 1"), broadcast: true) != nil)
        #expect(outbox.enqueue(WireFrame(text: "presence"), broadcast: true) == nil)
        // An ack does not wait for that chunk: it schedules a drain at once (which takes the views too) …
        outbox.send("ack 1")
        #expect(drain.asked.withLock { $0 } == 1)
        // … once: a second ack rides along with it.
        outbox.send("ack 2")
        #expect(drain.asked.withLock { $0 } == 1)
        #expect(Self.text(outbox.take(writable: true).frames) == ["view 1", "presence", "ack 1", "ack 2"])
        // Taken: the next frame of either kind schedules a drain again.
        #expect(outbox.enqueue(WireFrame(text: "view 2"), broadcast: true) != nil)
    }

    static let a1 = Fanout.ViewKey(activity: "a1", audience: "everyone")
    static let a2 = Fanout.ViewKey(activity: "a2", audience: "everyone")

    @Test func aNewerViewReplacesTheQueuedOneAndIsQueuedLast() {
        let outbox = Outbox(capacity: 16)
        outbox.attach(HeldDrain())
        func view(_ text: String, _ key: Fanout.ViewKey) { _ = outbox.enqueue(WireFrame(text: text), view: key, broadcast: true) }
        view("a1 seq 1", Self.a1)
        outbox.send("ack seq 2")
        view("a2 seq 1", Self.a2)
        _ = outbox.enqueue(WireFrame(text: "presence"), broadcast: true)
        view("a1 seq 2", Self.a1)
        // The overtaken view is gone; the newer one comes after the ack it reflects; nothing else is dropped or moved.
        #expect(Self.text(outbox.take(writable: true).frames) == ["ack seq 2", "a2 seq 1", "presence", "a1 seq 2"])
        // Written: the next view of that key is queued as any other.
        view("a1 seq 3", Self.a1)
        outbox.send("ack seq 4")
        #expect(Self.text(outbox.take(writable: true).frames) == ["a1 seq 3", "ack seq 4"])
    }

    @Test func viewsWaitingForAnUnwritableSocketKeepOnlyTheNewestPerKey() {
        let outbox = Outbox(capacity: 16)
        outbox.attach(HeldDrain())
        for seq in 1...5 {
            _ = outbox.enqueue(WireFrame(text: "a1 seq \(seq)"), view: Self.a1, broadcast: true)
            _ = outbox.enqueue(WireFrame(text: "a2 seq \(seq)"), view: Self.a2, broadcast: true)
        }
        // Not writable: nothing is taken and nothing is dropped but overtaken views.
        #expect(outbox.take(writable: false).frames.isEmpty)
        #expect(Self.text(outbox.take(writable: true).frames) == ["a1 seq 5", "a2 seq 5"])
        #expect(outbox.requestedClose == nil)
    }

    @Test func replacedViewsStillCountTowardsTheCapacity() {
        // A client that takes nothing for `capacity` frames of the room's traffic has fallen that far behind,
        // even though the replaced views cost it no memory: 4004, as before (PROTOCOL.md "Slow consumers").
        let outbox = Outbox(capacity: 4)
        outbox.attach(HeldDrain())
        for seq in 1...4 { _ = outbox.enqueue(WireFrame(text: "a1 seq \(seq)"), view: Self.a1, broadcast: true) }
        #expect(outbox.requestedClose == nil)
        _ = outbox.enqueue(WireFrame(text: "a1 seq 5"), view: Self.a1, broadcast: true)
        #expect(outbox.requestedClose == .tooSlow)
    }

    @Test func takingTheQueueResetsHowFarBehindItIs() {
        let outbox = Outbox(capacity: 4)
        outbox.attach(HeldDrain())
        for round in 1...3 {
            for seq in 1...4 { _ = outbox.enqueue(WireFrame(text: "\(round).\(seq)"), view: Self.a1, broadcast: true) }
            #expect(Self.text(outbox.take(writable: true).frames) == ["\(round).4"])
        }
        #expect(outbox.requestedClose == nil)
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
        for outbox in outboxes { batch.send(WireFrame(text: "view"), to: outbox) }
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

/// A frame is framed once and shared (`WireFrame`): its header is RFC 6455's for an unmasked, final text frame
/// at each of the three length encodings, and the payload comes back unchanged.
@Suite struct WireFrameTests {
    @Test(arguments: [0, 1, 125, 126, 65_535, 65_536, 200_000])
    func theHeaderIsAFinalUnmaskedTextFrameOfTheRightLength(n: Int) {
        let text = String(repeating: "é", count: n / 2) + String(repeating: "x", count: n % 2)
        let frame = WireFrame(text: text)
        let b = frame.bytes
        #expect(b.getInteger(at: 0, as: UInt8.self) == 0x81)
        let length: Int
        let header: Int
        switch b.getInteger(at: 1, as: UInt8.self)! {
        case 126: length = Int(b.getInteger(at: 2, as: UInt16.self)!); header = 4
        case 127: length = Int(b.getInteger(at: 2, as: UInt64.self)!); header = 10
        case let short: length = Int(short); header = 2
        }
        #expect(length == n && b.readableBytes == header + n)
        #expect(header == (n < 126 ? 2 : n <= 65_535 ? 4 : 10), "the shortest length encoding (RFC 6455 §5.2)")
        #expect(String(buffer: frame.payload) == text)
        #expect(String(buffer: WireFrame(text: ByteBuffer(string: text)).payload) == text)
    }
}
