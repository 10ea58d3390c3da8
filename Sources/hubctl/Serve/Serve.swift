import ArgumentParser
import Foundation
import PostgresStore
import SessionHub

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the hub: web pages, REST API, WebSocket and plugins on one port.",
        discussion: "Prints `listening on http://HOST:PORT` once it accepts connections. SIGTERM or SIGINT stops it gracefully.")

    @Option(help: "SQLite database file (created if missing).")
    var db = "./data/hub.sqlite"

    @Option(help: "A PostgreSQL store instead of --db: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, ?host=/socket/dir for a Unix socket, ?options=-csearch_path%3DSCHEMA for a schema of its own (docs/SCALING.md). Backups are then pg_dump's: --backup-every is refused.")
    var store: String?

    @Option(name: .customLong("node-url"), help: "With --store and several hubs on one database: this node's own URL as the other nodes reach it (e.g. http://10.0.0.2:8080), where they relay clients and forward requests for the sessions it runs (docs/SCALING.md). Default: the address it listens on.")
    var nodeURL: String?

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

    @Option(help: "Folder of the templates; its sessions/ holds the session templates of GET /api/v1/templates (default ./templates, else the templates folder beside --web).")
    var templates: String?

    @Option(name: .customLong("plugin-timeout"), help: "Seconds a plugin may take to answer one event before it counts as hung and is restarted (env SESSIONHUB_PLUGIN_TIMEOUT sets the default).")
    var pluginTimeout: Double = ProcessInfo.processInfo.environment["SESSIONHUB_PLUGIN_TIMEOUT"].flatMap(Double.init) ?? 5

    @OptionGroup(title: "Logins, tokens and the REST API")
    var access: AccessOptions

    @OptionGroup(title: "Connections and rooms")
    var connections: ConnectionOptions

    @OptionGroup(title: "Retention, audit log, backups and disk")
    var dataCare: DataCareOptions

    @OptionGroup(title: "Logging")
    var log: LogOptions

    func validate() throws {
        guard pluginTimeout > 0, pluginTimeout <= 300 else { throw ValidationError("--plugin-timeout must be more than 0 and at most 300 seconds") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        if let u = publicURL, URL(string: u)?.scheme == nil { throw ValidationError("--public-url must be a URL such as https://hub.example.org") }
        if let u = nodeURL {
            guard store != nil else { throw ValidationError("--node-url names this node among several on one --store postgres://… database") }
            guard let c = URLComponents(string: u), ["http", "https"].contains(c.scheme ?? ""), c.host?.isEmpty == false else {
                throw ValidationError("--node-url must be a URL such as http://10.0.0.2:8080")
            }
        }
        if let store {
            guard PostgresStore.isStoreURL(store) else { throw ValidationError("--store takes a postgres:// URL; a SQLite file is --db FILE") }
            do { try PostgresStore.check(url: store) } catch { throw ValidationError("--store: \(error)") }
            if dataCare.backupEvery != nil {
                throw ValidationError("--backup-every copies a SQLite file; back a PostgreSQL store up with pg_dump or pg_basebackup (docs/SCALING.md)")
            }
        }
    }

    func run() async throws {
        var config = HubConfiguration(binDir: Self.executableDir())
        config.dbPath = db
        if let store {
            config.openStore = { try await PostgresStore(url: store) }
            config.openOwnership = { node in try PostgresOwnership(url: store, node: node) }
        }
        config.nodeURL = nodeURL
        config.host = host
        config.port = port
        config.publicURL = publicURL
        config.pluginsDir = plugins
        config.webDir = web
        config.templatesDir = templates
        config.logLevel = log.level
        config.pluginTimeout = .milliseconds(Int(pluginTimeout * 1000))
        access.apply(to: &config)
        connections.apply(to: &config)
        dataCare.apply(to: &config)
        log.bootstrap()
        try await HubServer.run(config)
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int(seconds * 1000)) }

    static func executableDir() -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }
}
