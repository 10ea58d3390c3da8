import Foundation
import Model
import NIOCore
import Synchronization

/// A connection's bounded outbox. The session writes encoded frames into it without waiting; one writer
/// task per connection drains it into the socket. A full outbox means the client cannot keep up: it is
/// closed with 4004 and rejoins to a fresh `welcome`, instead of slowing the room down.
public final class Outbox: Sendable {
    public enum Frame: Sendable {
        case text(ByteBuffer)
    }

    public let stream: AsyncStream<Frame>
    let continuation: AsyncStream<Frame>.Continuation
    /// 0 while open; the close code once the connection is to be closed.
    let closeCode = Atomic<UInt16>(0)

    public init(capacity: Int) {
        (stream, continuation) = AsyncStream.makeStream(of: Frame.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    public func send(_ buffer: ByteBuffer) {
        // Once per connection: a close finishes the stream, after which yields are `terminated`, not `dropped`.
        if case .dropped = continuation.yield(.text(buffer)) {
            Metrics.slowConsumers.increment()
            close(.tooSlow)
        }
    }

    public func send(_ text: String) { send(ByteBuffer(string: text)) }

    /// A message that cannot be encoded is never sent as `null`: the client gets an `internal` error instead.
    public func send(_ message: ServerMessage) {
        do { send(try message.text()) } catch { send(ServerMessage.unencodable) }
    }

    /// Asks the writer to close with `code` as soon as it can; the first code asked for wins.
    public func close(_ code: CloseCode) {
        _ = closeCode.compareExchange(expected: 0, desired: code.rawValue, ordering: .relaxed)
        continuation.finish()
    }

    public var requestedClose: CloseCode? {
        let c = closeCode.load(ordering: .relaxed)
        return c == 0 ? nil : CloseCode(rawValue: c)
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
