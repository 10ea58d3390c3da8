import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import Model
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Connection-level limits and timeouts (docs/SECURITY.md "Connections"), each a `hubctl serve` flag.
public struct ConnectionPolicy: Sendable {
    /// A new connection must have sent its first request's headers within this (slowloris).
    public var headerTimeout: Duration = .seconds(10)
    /// A keep-alive HTTP connection with nothing in flight is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// After the WebSocket upgrade a `join` must succeed within this, else close 1008.
    public var joinTimeout: Duration = .seconds(30)
    /// How often a facilitator connection's token is checked again (also on every command): a dead one
    /// (logged out, account removed, expired) gets `unauthorized` and the close 4003.
    public var tokenCheckInterval: Duration = .seconds(10)
    /// After the hub's close frame, how long it reads (and drops) what the client still sends while waiting
    /// for its close frame, before it closes the socket anyway.
    public var closeGrace: Duration = .seconds(2)
    /// A socket that accepts no writes this long (a client that stopped reading) is closed.
    public var writeTimeout: Duration = .seconds(30)
    /// WebSocket ping period; a connection that has not answered a ping by the next one is closed.
    public var pingInterval: Duration = .seconds(30)
    /// Open TCP connections in all.
    public var maxConnections = 20_000
    /// Connections per client address that have not joined yet (nor sent a plain HTTP request). Joined
    /// ones never count: a room's phones share one address (DESIGN.md §5).
    public var maxPendingPerAddress = 1_000
    /// Peers whose `X-Forwarded-For` names the client.
    public var trustedProxies: [CIDR] = []

    public init() {}

    func trusts(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The client's address: the peer's, or behind a trusted proxy the right-most `X-Forwarded-For`
    /// entry that is not itself a trusted proxy (entries further left are the client's own say-so).
    func clientAddress(peer: String, forwardedFor: String?) -> String {
        guard trusts(peer), let header = forwardedFor else { return peer }
        let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { CIDR.bytes($0) != nil }
        return hops.last { !trusts($0) } ?? hops.first ?? peer
    }
}

/// An IPv4 or IPv6 network, `10.0.0.0/8` or `::1/128`; a plain address is a network of one.
public struct CIDR: Sendable, Equatable {
    let network: [UInt8]
    let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let bytes = CIDR.bytes(parts[0]) else { return nil }
        let bits = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        self.network = bytes
        self.prefix = prefix
    }

    func contains(_ address: String) -> Bool {
        guard var bytes = CIDR.bytes(address) else { return false }
        // An IPv4 peer may show up as ::ffff:a.b.c.d on a dual-stack socket.
        if bytes.count == 16, network.count == 4, bytes[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] { bytes = Array(bytes[12...]) }
        guard bytes.count == network.count else { return false }
        var left = prefix
        for (a, n) in zip(bytes, network) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if a & mask != n & mask { return false }
            left -= 8
        }
        return true
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Every open TCP connection of the hub: the overall cap, the per-address cap on connections that have
/// not joined yet, and the WebSockets to close with 1001 on shutdown (joined or not).
final class ConnectionGuard: Sendable {
    private struct Entry {
        /// The address this connection counts against while pending; nil once settled (joined, a plain
        /// HTTP request) or while it only has a trusted proxy's address.
        var pendingAddress: String?
        var outbox: Outbox?
        /// The client's address from a PROXY protocol header sent by a trusted proxy.
        var proxied: String?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var pending: [String: Int] = [:]

        mutating func release(_ address: String?) {
            guard let address else { return }
            let n = (pending[address] ?? 1) - 1
            pending[address] = n > 0 ? n : nil
        }
    }

    let policy: ConnectionPolicy
    private let state = Mutex(State())

    init(policy: ConnectionPolicy) {
        self.policy = policy
    }

    var open: Int { state.withLock { $0.entries.count } }

    /// Counts a new connection in, or says no when the hub or its address is full.
    func admit(_ channel: any Channel) -> Bool {
        let peer = channel.remoteAddress?.ipAddress ?? "unknown"
        // A trusted proxy's connections are counted per client once a request names the client.
        let address = policy.trusts(peer) ? nil : peer
        let limit = policy.maxPendingPerAddress
        let max = policy.maxConnections
        return state.withLock { s in
            guard s.entries.count < max else { return false }
            if let address {
                guard s.pending[address, default: 0] < limit else { return false }
                s.pending[address, default: 0] += 1
            }
            s.entries[ObjectIdentifier(channel)] = Entry(pendingAddress: address)
            return true
        }
    }

    func closed(_ id: ObjectIdentifier) {
        state.withLock { s in
            if let e = s.entries.removeValue(forKey: id) { s.release(e.pendingAddress) }
        }
    }

    /// The connection joined a session, or sent a plain HTTP request: it no longer counts per address.
    func settle(_ channel: any Channel) {
        state.withLock { s in
            let id = ObjectIdentifier(channel)
            s.release(s.entries[id]?.pendingAddress)
            s.entries[id]?.pendingAddress = nil
        }
    }

    /// A WebSocket handshake from `address` (the forwarded client behind a trusted proxy): counts the
    /// still pending connection against that address. False when that address is full.
    func pending(_ channel: any Channel, address: String) -> Bool {
        let limit = policy.maxPendingPerAddress
        return state.withLock { s in
            let id = ObjectIdentifier(channel)
            guard let entry = s.entries[id] else { return true }
            if entry.pendingAddress == address { return true }
            guard s.pending[address, default: 0] < limit else { return false }
            s.release(entry.pendingAddress)
            s.pending[address, default: 0] += 1
            s.entries[id]?.pendingAddress = address
            return true
        }
    }

    /// A trusted proxy named the client in a PROXY protocol header: it is the connection's address from
    /// now on (pending count included). False when that address is full.
    func proxied(_ channel: any Channel, address: String) -> Bool {
        guard pending(channel, address: address) else { return false }
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.proxied = address }
        return true
    }

    func proxiedAddress(of channel: any Channel) -> String? {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.proxied }
    }

    func attach(_ outbox: Outbox, to channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)]?.outbox = outbox }
    }

    /// Hub shutdown: every WebSocket, joined or not, is closed with `code`. Returns once each has written its
    /// close frame (or is gone), `within` at most: the HTTP server's own shutdown comes next and would close
    /// what is still open with 1000.
    func closeWebSockets(_ code: CloseCode, within: Duration = .seconds(2)) async {
        let outboxes = state.withLock { $0.entries.values.compactMap(\.outbox) }
        for o in outboxes { o.close(code) }
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline, outboxes.contains(where: { !$0.closeWritten.load(ordering: .relaxed) }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Wraps the HTTP/WebSocket child channel: admission against the caps, and the deadlines below.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let connections: ConnectionGuard

    struct Refused: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard connections.admit(channel) else {
            // Closed at once: the channel is not registered yet, so nothing can be written to it. NIO's
            // accept loop drops a failed setup without closing the channel, so this close is the only one.
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        let id = ObjectIdentifier(channel)
        let connections = self.connections
        channel.closeFuture.whenComplete { _ in connections.closed(id) }
        let policy = connections.policy
        return channel.eventLoop.makeCompletedFuture {
            let peer = channel.remoteAddress?.ipAddress ?? ""
            try channel.pipeline.syncOperations.addHandler(
                ConnectionDeadlines(headerTimeout: .init(policy.headerTimeout), writeTimeout: .init(policy.writeTimeout),
                                    proxyHeader: policy.trusts(peer) ? { address in connections.proxied(channel, address: address) } : nil))
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// First in every connection's pipeline, so it sees raw bytes before HTTP or WebSocket decoding:
/// - the first request's headers (up to the blank line) must arrive within the header timeout; later
///   requests are covered by Hummingbird's idle timeout, which starts after the first request;
/// - a socket that stays unwritable (the client stopped reading) for the write timeout is closed, so
///   that a writer blocked on it (the outbox writer, a close frame, an HTTP response) never waits forever;
/// - from a trusted proxy, a PROXY protocol v1 line (`PROXY TCP4 client server cport sport`) before
///   the request names the client; it is taken off the stream. No HTTP request starts with `PROXY `,
///   so a proxy that sends none is served as before.
final class ConnectionDeadlines: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let headerTimeout: TimeAmount
    let writeTimeout: TimeAmount
    /// Set for trusted peers: takes the client address of a PROXY header; false refuses the connection.
    private var proxyHeader: ((String) -> Bool)?
    private var proxyLine = ByteBuffer()
    private var headerDeadline: Scheduled<Void>?
    private var writeStall: Scheduled<Void>?
    private var lastBytes: UInt32 = 0
    private var headersDone = false
    static let proxyPrefix = Array("PROXY ".utf8)
    /// The longest v1 line, CRLF included (the PROXY protocol specification).
    static let proxyLineLimit = 107

    init(headerTimeout: TimeAmount, writeTimeout: TimeAmount, proxyHeader: ((String) -> Bool)? = nil) {
        self.headerTimeout = headerTimeout
        self.writeTimeout = writeTimeout
        self.proxyHeader = proxyHeader
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        headerDeadline = context.eventLoop.scheduleTask(in: headerTimeout) {
            // As if the client had closed its side: the HTTP upgrade handler then gives up quietly, instead
            // of an error in the log for every connection cut off.
            channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelAll() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var data = data
        if proxyHeader != nil {
            var bytes = unwrapInboundIn(data)
            guard let rest = takeProxyLine(&bytes, context: context) else { return }
            data = wrapInboundOut(rest)
        }
        if !headersDone {
            for byte in unwrapInboundIn(data).readableBytesView {
                lastBytes = lastBytes << 8 | UInt32(byte)
                if lastBytes == 0x0D0A_0D0A {
                    headersDone = true
                    headerDeadline?.cancel()
                    headerDeadline = nil
                    break
                }
            }
        }
        context.fireChannelRead(data)
    }

    /// Collects a leading PROXY line; returns the bytes to pass on, or nil while the line is incomplete
    /// (or the connection was refused).
    private func takeProxyLine(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) -> ByteBuffer? {
        proxyLine.writeBuffer(&bytes)
        let seen = Array(proxyLine.readableBytesView.prefix(Self.proxyPrefix.count))
        guard seen == Array(Self.proxyPrefix.prefix(seen.count)) else {
            // Not a PROXY line: everything is the request.
            proxyHeader = nil
            return proxyLine
        }
        guard seen.count == Self.proxyPrefix.count, let end = proxyLine.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if proxyLine.readableBytes > Self.proxyLineLimit { context.close(promise: nil) }
            return nil
        }
        let lineLength = end - proxyLine.readerIndex + 1
        let line = proxyLine.readString(length: lineLength) ?? ""
        let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        let accept = proxyHeader
        proxyHeader = nil
        // PROXY TCP4|TCP6 client server cport sport; `PROXY UNKNOWN` keeps the proxy's own address.
        if fields.count == 6, fields[1] == "TCP4" || fields[1] == "TCP6", CIDR.bytes(String(fields[2])) != nil {
            guard accept?(String(fields[2])) == true else {
                context.close(promise: nil)
                return nil
            }
        } else if !(fields.count >= 2 && fields[1] == "UNKNOWN") || lineLength > Self.proxyLineLimit {
            context.close(promise: nil)
            return nil
        }
        return proxyLine
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writeStall?.cancel()
            writeStall = nil
        } else if writeStall == nil {
            let channel = context.channel
            writeStall = context.eventLoop.scheduleTask(in: writeTimeout) { channel.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    private func cancelAll() {
        headerDeadline?.cancel()
        writeStall?.cancel()
        headerDeadline = nil
        writeStall = nil
    }
}

/// Names the client behind a trusted proxy (`X-Forwarded-For`) for every per-address limit; on the HTTP
/// router the first answered request settles its connection (it no longer counts as pending for its
/// address). Only once answered: a request whose body trickles in keeps its connection pending, so the
/// per-address cap bounds slow uploads as it bounds slow headers.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    let connections: ConnectionGuard
    let settles: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let remote = context.remoteAddress?.ipAddress ?? "unknown"
        let header = request.headers[values: Self.forwardedFor]
        // A PROXY header from a trusted proxy already named the client.
        let client = connections.proxiedAddress(of: context.channel)
            ?? connections.policy.clientAddress(peer: remote, forwardedFor: header.isEmpty ? nil : header.joined(separator: ","))
        if client != remote { context.forwardedFor = client }
        defer { if settles { connections.settle(context.channel) } }
        return try await next(request, context)
    }
}
