import NIOCore
import NIOWebSocket

/// Writes a connection's outbox to its socket, on the channel's event loop: each drain takes everything
/// the outbox holds and writes it with one flush (one `writev`). The frames come framed (`WireFrame`, a
/// broadcast's bytes shared by every connection), so the writer sits in the pipeline just before NIO's
/// `WebSocketFrameEncoder` (`install`) and its writes go to the socket without it; the library's own frames
/// (close, ping, pong) still pass the encoder. Both run on the event loop in the order they are written, so a
/// close the gateway writes after the outbox ended follows every frame the outbox held.
///
/// Backpressure is the channel's writability: a socket over its high-water mark is not written to; the
/// outbox fills up to 4004 meanwhile, and becoming writable again drains it. A socket that stays
/// unwritable is closed by the write timeout (`ConnectionDeadlines`).
final class OutboxWriter: ChannelInboundHandler, RemovableChannelHandler, OutboxDrain, @unchecked Sendable {
    // @unchecked: `context` is used only on `eventLoop` (the handler's callbacks and `drain` run there).
    // Before the frame decoder: what it reads are the socket's bytes, passed on untouched.
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let outbox: Outbox
    let eventLoop: (any EventLoop)?
    private var context: ChannelHandlerContext?

    private init(outbox: Outbox, eventLoop: any EventLoop) {
        self.outbox = outbox
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbox.attach(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        outbox.gone()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        outbox.gone()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { drain() }
        context.fireChannelWritabilityChanged()
    }

    func drain() {
        guard let context else { return }
        let (frames, ended) = outbox.take(writable: context.channel.isWritable)
        for f in frames { context.write(wrapOutboundOut(f.bytes), promise: nil) }
        if !frames.isEmpty { context.flush() }
        if ended { outbox.endWritten() }
    }

    /// Puts the writer just before the frame encoder (on the socket's side of it); a channel already gone ends
    /// the outbox at once.
    static func install(_ outbox: Outbox, on channel: any Channel) async {
        do {
            try await channel.eventLoop.submit {
                let ops = channel.pipeline.syncOperations
                let writer = OutboxWriter(outbox: outbox, eventLoop: channel.eventLoop)
                try ops.addHandler(writer, position: .before(try ops.handler(type: WebSocketFrameEncoder.self)))
            }.get()
        } catch {
            outbox.gone()
        }
    }
}
