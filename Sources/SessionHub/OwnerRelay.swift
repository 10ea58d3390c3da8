import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import Model
import NIOCore
import NIOWebSocket

/// The session runs on another node (docs/SCALING.md "One owner per session"): the WebSocket is relayed to it, a
/// REST request forwarded.
struct SessionElsewhere: Error {
    var node: String
    var session: String
    var code: String
}

/// Headers between nodes.
enum NodeHeaders {
    /// Marks a request or WebSocket that one node passes to another: it is never passed on again (no loops when
    /// ownership moves while it travels).
    static let relayed = HTTPField.Name("X-SessionHub-Relay")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// One client's WebSocket relayed to the node that owns its session: the client's frames go to the owner as they
/// came (the owner checks them again, counting them against the client's address from `X-Forwarded-For`, which
/// it trusts when the nodes are among each other's `--trusted-proxy`), the owner's frames go into the client's
/// outbox. When the owner ends the connection its close code is passed on; when the owner dies the client gets
/// 1012 and reconnects, to whichever node runs the session then.
final class OwnerRelay: Sendable {
    private let toOwner: AsyncStream<String>.Continuation

    /// Frames from the owner can be large (a welcome with a big room's state): the owner's own limits apply.
    static let maxOwnerMessage = 64 << 20

    private init(_ toOwner: AsyncStream<String>.Continuation) {
        self.toOwner = toOwner
    }

    func forward(_ text: String) { toOwner.yield(text) }

    /// The client went away: the relay closes its side towards the owner.
    func close() { toOwner.finish() }

    static func start(to node: String, code: String, join: String, client: Outbox, peer: String, maxClientMessage: Int, logger: Logger) -> OwnerRelay {
        let (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(1024))
        continuation.yield(join)
        let relay = OwnerRelay(continuation)
        let url = webSocketURL(node: node, code: code)
        Task {
            var headers = HTTPFields()
            headers[NodeHeaders.relayed] = "1"
            headers[NodeHeaders.forwardedFor] = peer
            let configuration = WebSocketClientConfiguration(maxFrameSize: max(maxClientMessage, maxOwnerMessage), additionalHeaders: headers)
            let closing: WebSocketCloseFrame?
            do {
                closing = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in frames {
                                do { try await outbound.write(.text(text)) } catch { return }
                            }
                        }
                        group.addTask {
                            do {
                                for try await message in inbound.messages(maxSize: maxOwnerMessage) {
                                    if case .text(let text) = message { client.send(text) }
                                }
                            } catch {}
                        }
                        // Either side ending ends the relay.
                        await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                logger.debug("relay to the owner failed", metadata: ["node": .string(node), "error": "\(error)"])
                closing = nil
            }
            continuation.finish()
            // The owner's own close code (kicked, deleted, token invalid, too slow) reaches the client as it was sent.
            let code = closing.flatMap { CloseCode(rawValue: UInt16(webSocketErrorCode: $0.closeCode)) } ?? .serviceRestart
            client.close(code)
        }
        return relay
    }

    /// `ws://owner/ws?code=CODE` from the owner's node URL (`http://…` or `https://…`).
    static func webSocketURL(node: String, code: String) -> String {
        var base = node.hasSuffix("/") ? String(node.dropLast()) : node
        if base.hasPrefix("https://") { base = "wss://" + base.dropFirst("https://".count) } else if base.hasPrefix("http://") {
            base = "ws://" + base.dropFirst("http://".count)
        }
        let query = code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? code
        return "\(base)/ws?code=\(query)"
    }
}
