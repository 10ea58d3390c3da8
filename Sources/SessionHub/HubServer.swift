import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Metrics
import Model
import NIOCore
import Plugins
import Prometheus
import ServiceLifecycle
import Synchronization
import Toolbox

#if canImport(Glibc)
import Glibc
#endif

/// Everything `hubctl serve` can set.
public struct HubConfiguration: Sendable {
    public var dbPath = "./data/hub.sqlite"
    public var host = "127.0.0.1"
    public var port = 8080
    public var publicURL: String?
    public var pluginsDir = "./plugins"
    public var webDir = "./web"
    /// Opens the store instead of the SQLite file at `dbPath`: `hubctl serve --store postgres://…` (issue 21). The hub
    /// then takes no backups of its own (`BackupUnavailable`) and the retention purges no backup folder.
    public var openStore: (@Sendable () async throws -> any ServedStore)?
    /// Several nodes on one store (`--store`): which node runs each live session. Called with this node's URL.
    public var openOwnership: (@Sendable (_ node: @escaping @Sendable () -> String) throws -> any SessionOwnership)?
    /// This node's URL as the other nodes reach it (`--node-url`); default: the address it listens on.
    public var nodeURL: String?
    /// Folder of the templates (`--templates`); nil: `./templates`, else the one beside `webDir` (TemplatesAPI).
    public var templatesDir: String?
    /// Folder of the hub's own executable: `${HUB_BIN_DIR}` in plugin commands.
    public var binDir: String
    public var tick: Duration = .milliseconds(50)
    public var connection = ConnectionLimits()
    /// Timeouts and caps of TCP connections (docs/SECURITY.md "Connections").
    public var connectionPolicy = ConnectionPolicy()
    public var joinsPerSecondPerAddress = 200.0
    public var joinBurstPerAddress = 3_000.0
    /// Participants per session (`--max-participants`); a new participant's join beyond it gets `session_full`.
    public var maxParticipants = 10_000
    public var logLevel: Logger.Level = .info
    /// How long a plugin may take to answer one message before it counts as hung.
    public var pluginTimeout: Duration = .seconds(5)
    /// Whether reading the kennisbank and gereedschapskist needs a facilitator token.
    public var privateKennisbank = false
    /// URL, search, login and join-code limits of the REST side (docs/SECURITY.md).
    public var rest = RESTLimits()
    /// Backups the hub makes itself (docs/OPERATIONS.md "Backup and restore").
    public var backup = BackupPolicy()
    /// How long closed sessions keep names and inputs (`--retain-names-days`, `--retain-inputs-days`; docs/PRIVACY.md "Retention").
    public var retention = RetentionPolicy()
    /// Free space on the database's file system below which `/healthz` reports `disk_nearly_full`; 0: never.
    public var minFreeDiskBytes: Int64 = 512 << 20

    public init(binDir: String) {
        self.binDir = binDir
    }
}

/// The public base URL, known once the port is bound (`--port 0`).
final class PublicBase: Sendable {
    private let value = Mutex<String>("")
    func set(_ s: String) { value.withLock { $0 = s } }
    func get() -> String { value.withLock { $0 } }
}

public enum HubServer {
    /// Runs the hub until SIGTERM or SIGINT: then it stops accepting, flushes the event log and closes
    /// every WebSocket with 1001.
    public static func run(_ config: HubConfiguration) async throws {
        signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
        var logger = Logger(label: "sessionhub")
        logger.logLevel = config.logLevel

        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(HubMetricsBuckets.factory(registry: prometheus))

        let store: any ServedStore
        if let open = config.openStore { store = try await open() } else { store = try SQLiteStore(path: config.dbPath) }
        var limits = PluginLimits()
        limits.answerTimeout = config.pluginTimeout
        let host = PluginHost(directory: URL(fileURLWithPath: config.pluginsDir), binDir: URL(fileURLWithPath: config.binDir), logger: logger, limits: limits)
        await host.reload()
        let tokens = RejoinTokens(key: try await store.secret(named: "rejoin-token-key"))
        let log = EventLog(store: store, announce: { [logger] level, message in logger.log(level: Logger.Level(rawValue: level) ?? .critical, "\(message)") })
        let services = SessionServices(store: store, kennisbank: store, log: log, host: host, tokens: tokens, logger: logger, tick: config.tick, clock: SessionServices.now,
                                       maxParticipants: config.maxParticipants)
        let base = PublicBase()
        let node = PublicBase()
        // Sessions are restored once the hub listens: only then does it know its own address, which is its name
        // among several nodes (`formerlyMine`), when --node-url does not give it.
        let (serverListens, announceListening) = AsyncStream.makeStream(of: Void.self)
        let ownership = try config.openOwnership?({ node.get() }) ?? SoleOwner()
        let registry = SessionRegistry(services: services, ownership: ownership)
        await registry.unloadIdleSessions(after: config.rest.sessionIdle)
        await registry.followOwnership()
        // Named in `/healthz` and as sessions' owner only for a node of several (`--node-url`): one hub's answers stay as they were.
        let nodeName: (@Sendable () -> String)? = config.openOwnership == nil || config.nodeURL == nil ? nil : { @Sendable in node.get() }
        await host.onStateChange { name, state, error in await registry.pluginStateChanged(name, state, error) }
        let auth = FacilitatorAuth(store: store, lifetime: config.rest.tokens)

        let connections = ConnectionGuard(policy: config.connectionPolicy)
        let router = Router(context: HubRequestContext.self)
        // First, so that every answer carries the security headers, errors included.
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ClientAddressMiddleware(connections: connections, settles: true))
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: RequestTargetLimitMiddleware(maxURLBytes: config.rest.maxURLBytes))
        // Only with several nodes on one store; one hub alone never reads a body before its handler does.
        if config.openOwnership != nil { router.add(middleware: OwnerForwarding()) }
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: FileMiddleware(config.webDir, searchForIndexHtml: true, logger: logger))
        let backupWatch = config.backup.every.map { BackupWatch(directory: config.backup.folder(dbPath: config.dbPath), every: $0) }
        Health(host: host, log: log, disk: DiskWatch(databasePath: config.openStore == nil ? config.dbPath : nil, minFreeBytes: config.minFreeDiskBytes), backups: backupWatch,
               node: nodeName).register(on: router)
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: prometheus.emitToString())))
        }
        let codeLookups = CodeLookupLimiter(config.rest.codeMisses)
        API(registry: registry, store: store, host: host, auth: auth, publicURL: { base.get() }, nodeURL: nodeName, loginThrottle: LoginThrottle(config.rest.login),
            codeLookups: codeLookups).register(on: router)
        let backups = Backups(store: store, directory: config.backup.folder(dbPath: config.dbPath), keep: config.backup.keep, logger: logger)
        BackupAPI(backups: backups, auth: auth).register(on: router)
        let retention = RetentionRunner(defaults: config.retention, store: store, registry: registry,
                                        backupDir: config.openStore == nil ? config.backup.folder(dbPath: config.dbPath) : nil, logger: logger)
        PurgeAPI(runner: retention, auth: auth).register(on: router)
        PersonalDataAPI(registry: registry, store: store, host: host, auth: auth).register(on: router)
        KennisbankAPI(store: store, auth: auth, publicReads: !config.privateKennisbank, searchTimeout: config.rest.searchTimeout).register(on: router)
        ReportAPI(registry: registry, store: store, auth: auth, webDir: URL(fileURLWithPath: config.webDir), publicURL: { base.get() },
                  clock: SessionServices.now).register(on: router)
        TemplatesAPI(auth: auth, folder: TemplatesAPI.folder(configured: config.templatesDir, webDir: config.webDir)).register(on: router)
        CoFacilitatorInvites(store: store, auth: auth).register(on: router)
        Pages(webDir: URL(fileURLWithPath: config.webDir), host: host, registry: registry, publicURL: { base.get() }, codeLookups: codeLookups).register(on: router)

        let gateway = Gateway(registry: registry, auth: auth, limits: config.connection,
                              addressLimiter: AddressLimiter(rate: config.joinsPerSecondPerAddress, burst: config.joinBurstPerAddress),
                              connections: connections, codeLookups: codeLookups, logger: logger)
        let wsRouter = Router(context: HubRequestContext.self)
        wsRouter.add(middleware: SecurityHeadersMiddleware())
        wsRouter.add(middleware: ClientAddressMiddleware(connections: connections, settles: false))
        let handshakeLimiter = AddressLimiter(rate: config.joinsPerSecondPerAddress, burst: config.joinBurstPerAddress)
        wsRouter.ws("ws", shouldUpgrade: { request, ctx in
            // A node relaying a client (docs/SCALING.md) checked that client's origin itself; its own handshake carries
            // the WebSocket client library's made-up origin. A page cannot set that header on a WebSocket (browsers
            // send no custom handshake headers), so it opens nothing to cross-site pages.
            let relayedByNode = request.headers[NodeHeaders.relayed] != nil
            guard relayedByNode || OriginCheck.allows(origin: request.headers[.origin], host: request.head.authority, publicURL: base.get()) else {
                throw HTTPError(.forbidden)
            }
            guard await handshakeLimiter.allow(ctx.peer) else { throw HTTPError(.tooManyRequests) }
            // Behind a trusted proxy the connection now counts against the forwarded client's address.
            guard connections.pending(ctx.channel, address: ctx.peer) else { throw HTTPError(.tooManyRequests) }
            return .upgrade([:])
        }) { inbound, outbound, ctx in
            try await gateway.handle(inbound: inbound, outbound: outbound, context: ctx.requestContext,
                                     relayed: ctx.request.headers[NodeHeaders.relayed] != nil)
        }

        let maxMessage = config.connection.maxMessageBytes
        let policy = config.connectionPolicy
        let wsResponder = wsRouter.buildResponder()
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: .init(policy.idleTimeout)),
            ws: .init(maxFrameSize: maxMessage, autoPing: .enabled(timePeriod: policy.pingInterval), validateUTF8: true))
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                GuardedChildChannel(
                    inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: wsResponder, configuration: channelConfiguration),
                    connections: connections)
            },
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "SessionHub"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.port
                let listening = "http://\(config.host):\(port)"
                base.set(config.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? listening)
                node.set(config.nodeURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? listening)
                print("listening on \(listening)")
                fflush(nil)
                announceListening.finish()
            },
            logger: logger
        )
        let hub = HubService(registry: registry, ownership: ownership, host: host, log: log, connections: connections, serverListens: serverListens, logger: logger)
        let auditRetention = AuditRetention(store: store, keep: config.rest.auditRetention, logger: logger)
        var lifecycle: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: app), .init(service: hub),
                                                                          .init(service: auditRetention, successTerminationBehavior: .ignore)]
        lifecycle.append(.init(service: RetentionService(runner: retention, logger: logger), successTerminationBehavior: .ignore))
        if let every = config.backup.every, let backupWatch {
            lifecycle.append(.init(service: ScheduledBackups(backups: backups, every: every, watch: backupWatch, logger: logger),
                                   successTerminationBehavior: .ignore))
        }
        let group = ServiceGroup(configuration: .init(services: lifecycle,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Big rooms need many sockets; the soft limit is often far below the hard one.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Restores unfinished sessions at start; on shutdown closes every connection with 1001 and flushes the log.
struct HubService: Service {
    let registry: SessionRegistry
    let ownership: any SessionOwnership
    let host: PluginHost
    let log: EventLog
    let connections: ConnectionGuard
    /// Ends when the server listens.
    let serverListens: AsyncStream<Void>
    let logger: Logger

    func run() async throws {
        for await _ in serverListens {}
        await registry.loadUnfinished()
        try? await gracefulShutdown()
        logger.info("shutting down: closing connections and flushing the event log")
        await registry.shutdown()
        // Connections that never joined a session are closed the same way.
        await connections.closeWebSockets(.goingAway)
        await log.flush()
        // Everything accepted is stored: the other nodes may take the sessions now.
        await ownership.close()
        await host.shutdown()
    }
}
