import ArgumentParser
import Foundation
import Logging
import SessionHub
import Toolbox

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the hub: web pages, REST API, WebSocket and plugins on one port.",
        discussion: "Prints `listening on http://HOST:PORT` once it accepts connections. SIGTERM or SIGINT stops it gracefully.")

    @Option(help: "SQLite database file (created if missing).")
    var db = "./data/hub.sqlite"

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 8080

    @Option(name: .customLong("public-url"), help: "Base URL people reach the hub at (e.g. behind a TLS proxy); used in printed and QR URLs.")
    var publicURL: String?

    @Option(help: "Folder of plugin folders (each with a plugin.json).")
    var plugins = "./plugins"

    @Option(help: "Folder of the web pages.")
    var web = "./web"

    @Option(name: .customLong("plugin-timeout"), help: "Seconds a plugin may take to answer one event before it counts as hung and is restarted (default 5, or env SESSIONHUB_PLUGIN_TIMEOUT).")
    var pluginTimeout: Double = ProcessInfo.processInfo.environment["SESSIONHUB_PLUGIN_TIMEOUT"].flatMap(Double.init) ?? 5

    @Flag(name: .customLong("private-kennisbank"), help: "Require a facilitator token to read the kennisbank and gereedschapskist (default: public reading).")
    var privateKennisbank = false

    @Option(name: .customLong("search-timeout-ms"), help: "Milliseconds one kennisbank or gereedschapskist search may run before it is stopped with 503 (default 250).")
    var searchTimeoutMs = 250

    @Option(name: .customLong("max-url-bytes"), help: "Longest request URL (path and query) in bytes; longer is answered 414 (default 8192).")
    var maxURLBytes = 8 * 1024

    @Option(name: .customLong("login-attempts"), help: "Failed logins an account may have in a row before 429; then one more per minute (default 5).")
    var loginAttempts = 5

    @Option(name: .customLong("login-attempts-per-address"), help: "Failed logins one client address may have in a row before 429; then one more per 6 s (default 20).")
    var loginAttemptsPerAddress = 20

    @Option(name: .customLong("token-idle-hours"), help: "Hours a facilitator token stays valid without use; every use extends it (default 12).")
    var tokenIdleHours: Double = 12

    @Option(name: .customLong("token-max-days"), help: "Days after the login at which a facilitator token expires however much it is used (default 30).")
    var tokenMaxDays: Double = 30

    @Option(name: .customLong("join-code-misses"), help: "Join-code lookups (join page, QR code) that find nothing one client address may make in a row before 429 (default 60).")
    var joinCodeMisses = 60

    @Option(name: .customLong("join-code-miss-rate"), help: "Further join-code misses per second and client address after those (default 1).")
    var joinCodeMissRate: Double = 1

    @Option(name: .customLong("session-idle-minutes"), help: "Minutes a loaded session without connections or lookups stays in memory before it is unloaded (default 30).")
    var sessionIdleMinutes: Double = 30

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("log-format"), help: "text (default) or json: one JSON object a line on stderr, with request and connection ids.")
    var logFormat = "text"

    @Option(name: .customLong("header-timeout"), help: "Seconds a new connection may take to send its first request's headers (default 10).")
    var headerTimeout: Double = 10

    @Option(name: .customLong("idle-timeout"), help: "Seconds a keep-alive HTTP connection may sit idle between requests (default 60).")
    var idleTimeout: Double = 60

    @Option(name: .customLong("join-timeout"), help: "Seconds after the WebSocket upgrade within which a `join` must succeed; then close 1008 (default 30).")
    var joinTimeout: Double = 30

    @Option(name: .customLong("token-check-interval"), help: "Seconds between checks that a facilitator connection's token still lives (logout, removal, expiry also end it at its next command); a dead one is closed 4003 (default 10).")
    var tokenCheckInterval: Double = 10

    @Option(name: .customLong("write-timeout"), help: "Seconds a socket may refuse writes (a client that stopped reading) before it is closed (default 30).")
    var writeTimeout: Double = 30

    @Option(name: .customLong("ping-interval"), help: "Seconds between WebSocket pings; a connection that has not answered one by the next is closed (default 30).")
    var pingInterval: Double = 30

    @Option(name: .customLong("max-connections"), help: "Open connections in all; more are closed at accept (default 20000).")
    var maxConnections = 20_000

    @Option(name: .customLong("max-pending-per-address"), help: "Connections per client address that have not joined (nor had an HTTP request answered) yet; joined ones never count (default 1000).")
    var maxPendingPerAddress = 1_000

    @Option(name: .customLong("trusted-proxy"), help: "A proxy (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For or PROXY protocol v1 line names the client; repeatable (default none).")
    var trustedProxy: [String] = []

    @Option(name: .customLong("join-rate"), help: "WebSocket handshakes and joins per second per client address, sustained (default 200).")
    var joinRate: Double = 200

    @Option(name: .customLong("join-burst"), help: "Burst of WebSocket handshakes and joins per client address (default 3000).")
    var joinBurst: Double = 3_000

    @Option(name: .customLong("outbox-frames"), help: "Frames a connection's outbox holds for a client that reads too slowly; when full, close 4004 (default 2048).")
    var outboxFrames = 2_048

    @Option(name: .customLong("max-message-bytes"), help: "Largest WebSocket message after reassembly, in bytes; larger ones close the connection with 1009 (default 65536).")
    var maxMessageBytes = 64 << 10

    @Option(name: .customLong("max-participants"), help: "Participants per session; a new participant's join beyond it gets `session_full` (default 10000).")
    var maxParticipants = 10_000

    @Option(name: .customLong("audit-retention-days"), help: "Days the audit log keeps an entry; older ones are deleted at start and daily (default 365, at least 1).")
    var auditRetentionDays: Double = 365

    @Option(name: .customLong("retain-names-days"), help: "Days after a session's close at which its participants' names, functions and organisations are removed, or `never` (default 90; per series or agenda: `retention: {names: N}`).")
    var retainNamesDays = RetentionPolicy.defaultNames

    @Option(name: .customLong("retain-inputs-days"), help: "Days after a session's close at which its inputs are removed (published kennisbank and gereedschapskist records stay), or `never` (default 365; per series or agenda: `retention: {inputs: N}`).")
    var retainInputsDays = RetentionPolicy.defaultInputs

    @Option(name: .customLong("backup-dir"), help: "Folder the hub writes its backups into (POST /api/v1/admin/backup, --backup-every); default: `backups` next to --db.")
    var backupDir: String?

    @Option(name: .customLong("backup-every"), help: "Hours between scheduled backups into --backup-dir (default: none).")
    var backupEvery: Double?

    @Option(name: .customLong("backup-keep"), help: "Backups kept in --backup-dir; older ones are deleted after each new one (default 7).")
    var backupKeep = 7

    @Option(name: .customLong("min-free-disk-mb"), help: "Free space (MB) on the database's file system below which /healthz reports disk_nearly_full (default 512; 0: never).")
    var minFreeDiskMB = 512

    func validate() throws {
        guard pluginTimeout > 0, pluginTimeout <= 300 else { throw ValidationError("--plugin-timeout must be more than 0 and at most 300 seconds") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...60_000).contains(searchTimeoutMs) else { throw ValidationError("--search-timeout-ms must be 1 to 60000") }
        guard (256...1 << 20).contains(maxURLBytes) else { throw ValidationError("--max-url-bytes must be 256 to 1048576") }
        guard loginAttempts >= 1, loginAttemptsPerAddress >= 1 else { throw ValidationError("--login-attempts and --login-attempts-per-address must be at least 1") }
        guard tokenIdleHours > 0, tokenMaxDays > 0, tokenIdleHours <= tokenMaxDays * 24 else {
            throw ValidationError("--token-idle-hours and --token-max-days must be more than 0, and the idle time at most the maximum age")
        }
        guard joinCodeMisses >= 1, joinCodeMissRate > 0 else { throw ValidationError("--join-code-misses must be at least 1 and --join-code-miss-rate more than 0") }
        guard sessionIdleMinutes > 0 else { throw ValidationError("--session-idle-minutes must be more than 0") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        if let u = publicURL, URL(string: u)?.scheme == nil { throw ValidationError("--public-url must be a URL such as https://hub.example.org") }
        for (name, v) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout), ("--join-timeout", joinTimeout),
                          ("--write-timeout", writeTimeout), ("--ping-interval", pingInterval), ("--token-check-interval", tokenCheckInterval)] where !(v > 0 && v <= 3600) {
            throw ValidationError("\(name) must be more than 0 and at most 3600 seconds")
        }
        guard maxConnections > 0, maxPendingPerAddress > 0 else { throw ValidationError("--max-connections and --max-pending-per-address must be at least 1") }
        guard (16...65_536).contains(outboxFrames) else { throw ValidationError("--outbox-frames must be 16 to 65536") }
        guard (1 << 10...16 << 20).contains(maxMessageBytes) else { throw ValidationError("--max-message-bytes must be 1024 to 16777216") }
        if let h = backupEvery, !(h > 0 && h <= 24 * 366) { throw ValidationError("--backup-every must be more than 0 hours and at most a year") }
        guard backupKeep >= 1 else { throw ValidationError("--backup-keep must be at least 1") }
        guard (0...1 << 30).contains(minFreeDiskMB) else { throw ValidationError("--min-free-disk-mb must be 0 to 1073741824") }
        guard maxParticipants > 0 else { throw ValidationError("--max-participants must be at least 1") }
        guard auditRetentionDays >= 1, auditRetentionDays <= 36_600 else { throw ValidationError("--audit-retention-days must be 1 to 36600") }
        guard joinRate > 0, joinBurst >= 1 else { throw ValidationError("--join-rate must be more than 0 and --join-burst at least 1") }
        for p in trustedProxy where CIDR(p) == nil { throw ValidationError("--trusted-proxy \(p): not an address or CIDR such as 10.0.0.0/8") }
    }

    func run() async throws {
        var config = HubConfiguration(binDir: Self.executableDir())
        config.dbPath = db
        config.host = host
        config.port = port
        config.publicURL = publicURL
        config.pluginsDir = plugins
        config.webDir = web
        config.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        config.privateKennisbank = privateKennisbank
        config.rest.searchTimeout = .milliseconds(searchTimeoutMs)
        config.rest.maxURLBytes = maxURLBytes
        config.rest.login.accountBurst = Double(loginAttempts)
        config.rest.login.addressBurst = Double(loginAttemptsPerAddress)
        config.rest.tokens = TokenLifetime(idle: .seconds(tokenIdleHours * 3600), maxAge: .seconds(tokenMaxDays * 86_400))
        config.rest.codeMisses.burst = Double(joinCodeMisses)
        config.rest.codeMisses.perSecond = joinCodeMissRate
        config.rest.sessionIdle = .seconds(sessionIdleMinutes * 60)
        config.pluginTimeout = .milliseconds(Int(pluginTimeout * 1000))
        config.connectionPolicy.headerTimeout = Self.duration(headerTimeout)
        config.connectionPolicy.idleTimeout = Self.duration(idleTimeout)
        config.connectionPolicy.joinTimeout = Self.duration(joinTimeout)
        config.connectionPolicy.tokenCheckInterval = Self.duration(tokenCheckInterval)
        config.connectionPolicy.writeTimeout = Self.duration(writeTimeout)
        config.connectionPolicy.pingInterval = Self.duration(pingInterval)
        config.connectionPolicy.maxConnections = maxConnections
        config.connectionPolicy.maxPendingPerAddress = maxPendingPerAddress
        config.connectionPolicy.trustedProxies = trustedProxy.compactMap(CIDR.init)
        config.joinsPerSecondPerAddress = joinRate
        config.joinBurstPerAddress = joinBurst
        config.maxParticipants = maxParticipants
        config.rest.auditRetention = Self.duration(auditRetentionDays * 86_400)
        config.retention = RetentionPolicy(names: retainNamesDays, inputs: retainInputsDays)
        config.connection.maxMessageBytes = maxMessageBytes
        config.connection.outboxFrames = outboxFrames
        config.backup.directory = backupDir
        config.backup.every = backupEvery.map { Self.duration($0 * 3600) }
        config.backup.keep = backupKeep
        config.minFreeDiskBytes = Int64(minFreeDiskMB) << 20
        let level = config.logLevel
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var h = JSONLogHandler(label: label)
                h.logLevel = level
                return h
            }
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        try await HubServer.run(config)
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int(seconds * 1000)) }

    static func executableDir() -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }
}
