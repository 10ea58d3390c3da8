import Foundation
import Model

/// Told when events of its session became durable.
public protocol DurabilitySink: Actor {
    func durable(upTo seq: Int64) async
}

/// The event log's group commit: appends wait in a queue while one batch is written; the next batch
/// takes everything that queued meanwhile, so a burst of inputs costs a few transactions, not one each.
/// Batches are written in the order appends arrived, so durability is monotonic per session.
public actor EventLog {
    let store: any HubStore
    private var queue: [(session: String, event: LoggedEvent, sink: any DurabilitySink)] = []
    private var writing = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) public var failure: String?

    public init(store: any HubStore) {
        self.store = store
    }

    /// Queues an event; its sink hears `durable(upTo:)` once it and everything before it are written.
    public func enqueue(session: String, event: LoggedEvent, sink: any DurabilitySink) {
        queue.append((session, event, sink))
        if !writing {
            writing = true
            Task { await self.drain() }
        }
    }

    /// Returns once everything queued before the call is durable.
    public func flush() async {
        if !writing && queue.isEmpty { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            do {
                try await store.append(batch.map { ($0.session, $0.event) })
            } catch {
                // Nothing of this batch was acknowledged, and the write is all-or-nothing: stop rather than
                // acknowledge later events over a gap. The operator sees it in the log and in /healthz.
                failure = "event log write failed: \(error)"
                FileHandle.standardError.write(Data("critical: \(failure ?? "")\n".utf8))
                queue.removeAll()
                break
            }
            var latest: [ObjectIdentifier: (any DurabilitySink, Int64)] = [:]
            for item in batch {
                let key = ObjectIdentifier(item.sink)
                latest[key] = (item.sink, max(latest[key]?.1 ?? 0, item.event.seq))
            }
            for (_, (sink, seq)) in latest { await sink.durable(upTo: seq) }
        }
        writing = false
        let w = waiters
        waiters.removeAll()
        for c in w { c.resume() }
    }
}
