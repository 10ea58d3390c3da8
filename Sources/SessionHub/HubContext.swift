import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Toolbox

/// The request context of every HTTP and WebSocket request: the peer's address for per-IP limits and,
/// after `FacilitatorMiddleware`, the facilitator the bearer token names.
public struct HubRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    /// The TCP connection, for the connection guard (per-address counts, closing at shutdown).
    public let channel: any Channel
    /// The client's address from `X-Forwarded-For` when the peer is a trusted proxy (`ClientAddressMiddleware`).
    public var forwardedFor: String?
    public var facilitator: FacilitatorRecord?
    /// Set on kennisbank routes for a contributor's token (never together with `facilitator`).
    public var contributor: ContributorRecord?
    public var bearer: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }

    /// Request bodies are agendas and records, not uploads.
    public var maxUploadSize: Int { 4 << 20 }

    /// The client's address for per-address limits: behind a trusted proxy the forwarded one.
    var peer: String { forwardedFor ?? remoteAddress?.ipAddress ?? "unknown" }
}
