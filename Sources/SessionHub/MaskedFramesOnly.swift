import NIOCore
import NIOWebSocket

/// RFC 6455 §5.1: a client masks every frame, and a server closes the connection (1002) on one that is
/// not masked. Neither NIO's decoder nor the WebSocket library checks it, so this handler sits right
/// after the frame decoder of every hub WebSocket (`install`, called when the connection starts).
final class MaskedFramesOnly: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        guard unwrapInboundIn(data).maskKey != nil else {
            refused = true
            var body = context.channel.allocator.buffer(capacity: 2)
            body.write(webSocketErrorCode: .protocolError)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: body))).whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        context.fireChannelRead(data)
    }

    /// Puts the check after the connection's frame decoder. Frames decoded before this runs (the upgrade
    /// has just finished) are not checked.
    static func install(on channel: any Channel) async {
        try? await channel.eventLoop.submit {
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(MaskedFramesOnly(), position: .after(decoder))
        }.get()
    }
}
