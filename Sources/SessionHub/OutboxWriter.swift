import NIOCore
import NIOWebSocket

/// Writes a connection's outbox to its socket, on the channel's event loop: each drain takes everything
/// the outbox holds and writes it as text frames with one flush (one `writev`). It sits in the pipeline
/// after the frame decoder (`install`), so its writes go through NIO's `WebSocketFrameEncoder` like the
/// library's own (close, ping, pong); both run on the event loop, so a close the gateway writes after
/// the outbox ended follows every frame the outbox held.
///
/// Backpressure is the channel's writability: a socket over its high-water mark is not written to; the
/// outbox fills up to 4004 meanwhile, and becoming writable again drains it. A socket that stays
/// unwritable is closed by the write timeout (`ConnectionDeadlines`).
final class OutboxWriter: ChannelInboundHandler, RemovableChannelHandler, OutboxDrain, @unchecked Sendable {
    // @unchecked: `context` is used only on `eventLoop` (the handler's callbacks and `drain` run there).
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

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
        for f in frames { context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: f)), promise: nil) }
        if !frames.isEmpty { context.flush() }
        if ended { outbox.endWritten() }
    }

    /// Puts the writer after the frame decoder (and `MaskedFramesOnly`, installed before it); a channel
    /// already gone ends the outbox at once.
    static func install(_ outbox: Outbox, on channel: any Channel) async {
        do {
            try await channel.eventLoop.submit {
                let ops = channel.pipeline.syncOperations
                let writer = OutboxWriter(outbox: outbox, eventLoop: channel.eventLoop)
                if let masked = try? ops.handler(type: MaskedFramesOnly.self) {
                    try ops.addHandler(writer, position: .after(masked))
                } else {
                    try ops.addHandler(writer, position: .after(try ops.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)))
                }
            }.get()
        } catch {
            outbox.gone()
        }
    }
}
