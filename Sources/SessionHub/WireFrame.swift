import NIOCore

/// A text message as it goes on the wire: the WebSocket frame header and the payload in one buffer (RFC 6455
/// §5.2). A server's frames are not masked, so a broadcast's frame is the same bytes for every connection: it is
/// framed once and shared, and `OutboxWriter` writes it below NIO's `WebSocketFrameEncoder`, which would build and
/// write a header buffer for every frame on every connection (7 % of the hub's sending at 10,000 connections,
/// docs/PERFORMANCE.md).
struct WireFrame: Sendable {
    let bytes: ByteBuffer

    init(text: String) {
        self.init(payloadLength: text.utf8.count) { $0.writeString(text) }
    }

    init(text payload: ByteBuffer) {
        var payload = payload
        self.init(payloadLength: payload.readableBytes) { $0.writeBuffer(&payload) }
    }

    private init(payloadLength n: Int, payload write: (inout ByteBuffer) -> Void) {
        var b = ByteBufferAllocator().buffer(capacity: n + 10)
        b.writeInteger(UInt8(0x81))  // FIN, opcode 1 (text); no extension bits
        if n < 126 {
            b.writeInteger(UInt8(n))
        } else if n <= Int(UInt16.max) {
            b.writeInteger(UInt8(126))
            b.writeInteger(UInt16(n))
        } else {
            b.writeInteger(UInt8(127))
            b.writeInteger(UInt64(n))
        }
        write(&b)
        bytes = b
    }

    /// The message without its header: what a client's WebSocket library hands on.
    var payload: ByteBuffer {
        let start = bytes.readerIndex
        let header = switch bytes.getInteger(at: start + 1, as: UInt8.self) {
        case 126: 4
        case 127: 10
        default: 2
        }
        return bytes.getSlice(at: start + header, length: bytes.readableBytes - header) ?? ByteBuffer()
    }
}
