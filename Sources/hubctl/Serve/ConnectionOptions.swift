import ArgumentParser
import SessionHub

/// Timeouts and caps of connections and rooms (docs/SECURITY.md "Connections").
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("header-timeout"), help: "Seconds a new connection may take to send its first request's headers.")
    var headerTimeout: Double = 10

    @Option(name: .customLong("idle-timeout"), help: "Seconds a keep-alive HTTP connection may sit idle between requests.")
    var idleTimeout: Double = 60

    @Option(name: .customLong("join-timeout"), help: "Seconds after the WebSocket upgrade within which a `join` must succeed; then close 1008.")
    var joinTimeout: Double = 30

    @Option(name: .customLong("token-check-interval"), help: "Seconds between checks that a facilitator connection's token still lives (logout, removal, expiry also end it at its next command); a dead one is closed 4003.")
    var tokenCheckInterval: Double = 10

    @Option(name: .customLong("write-timeout"), help: "Seconds a socket may refuse writes (a client that stopped reading) before it is closed.")
    var writeTimeout: Double = 30

    @Option(name: .customLong("ping-interval"), help: "Seconds between WebSocket pings; a connection that has not answered one by the next is closed.")
    var pingInterval: Double = 30

    @Option(name: .customLong("max-connections"), help: "Open connections in all; more are closed at accept.")
    var maxConnections = 20_000

    @Option(name: .customLong("max-pending-per-address"), help: "Connections per client address that have not joined (nor had an HTTP request answered) yet; joined ones never count.")
    var maxPendingPerAddress = 1_000

    @Option(name: .customLong("trusted-proxy"), help: "A proxy (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For or PROXY protocol v1 line names the client; repeatable (default none).")
    var trustedProxy: [String] = []

    @Option(name: .customLong("join-rate"), help: "WebSocket handshakes and joins per second per client address, sustained.")
    var joinRate: Double = 200

    @Option(name: .customLong("join-burst"), help: "Burst of WebSocket handshakes and joins per client address.")
    var joinBurst: Double = 3_000

    @Option(name: .customLong("outbox-frames"), help: "Frames a connection's outbox holds for a client that reads too slowly; when full, close 4004.")
    var outboxFrames = 2_048

    @Option(name: .customLong("queued-inputs"), help: "Inputs of one connection waiting for its session at once; more get `rate_limited` (detail `queued_inputs`), to be resent.")
    var queuedInputs = 8

    @Option(name: .customLong("max-message-bytes"), help: "Largest WebSocket message after reassembly, in bytes; larger ones close the connection with 1009.")
    var maxMessageBytes = 64 << 10

    @Option(name: .customLong("max-participants"), help: "Participants per session; a new participant's join beyond it gets `session_full`.")
    var maxParticipants = 10_000

    func validate() throws {
        for (name, v) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout), ("--join-timeout", joinTimeout),
                          ("--write-timeout", writeTimeout), ("--ping-interval", pingInterval), ("--token-check-interval", tokenCheckInterval)] where !(v > 0 && v <= 3600) {
            throw ValidationError("\(name) must be more than 0 and at most 3600 seconds")
        }
        guard maxConnections > 0, maxPendingPerAddress > 0 else { throw ValidationError("--max-connections and --max-pending-per-address must be at least 1") }
        guard (16...65_536).contains(outboxFrames) else { throw ValidationError("--outbox-frames must be 16 to 65536") }
        guard (1...1_000).contains(queuedInputs) else { throw ValidationError("--queued-inputs must be 1 to 1000") }
        guard (1 << 10...16 << 20).contains(maxMessageBytes) else { throw ValidationError("--max-message-bytes must be 1024 to 16777216") }
        guard maxParticipants > 0 else { throw ValidationError("--max-participants must be at least 1") }
        guard joinRate > 0, joinBurst >= 1 else { throw ValidationError("--join-rate must be more than 0 and --join-burst at least 1") }
        for p in trustedProxy where CIDR(p) == nil { throw ValidationError("--trusted-proxy \(p): not an address or CIDR such as 10.0.0.0/8") }
    }

    func apply(to config: inout HubConfiguration) {
        config.connectionPolicy.headerTimeout = Serve.duration(headerTimeout)
        config.connectionPolicy.idleTimeout = Serve.duration(idleTimeout)
        config.connectionPolicy.joinTimeout = Serve.duration(joinTimeout)
        config.connectionPolicy.tokenCheckInterval = Serve.duration(tokenCheckInterval)
        config.connectionPolicy.writeTimeout = Serve.duration(writeTimeout)
        config.connectionPolicy.pingInterval = Serve.duration(pingInterval)
        config.connectionPolicy.maxConnections = maxConnections
        config.connectionPolicy.maxPendingPerAddress = maxPendingPerAddress
        config.connectionPolicy.trustedProxies = trustedProxy.compactMap(CIDR.init)
        config.joinsPerSecondPerAddress = joinRate
        config.joinBurstPerAddress = joinBurst
        config.maxParticipants = maxParticipants
        config.connection.maxMessageBytes = maxMessageBytes
        config.connection.outboxFrames = outboxFrames
        config.connection.queuedInputs = queuedInputs
    }
}
