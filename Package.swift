// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SessionHub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hubctl", targets: ["hubctl"]),
        .library(name: "PluginSDK", targets: ["PluginSDK"]),
        .library(name: "VoteTally", targets: ["VoteTally"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.21.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        // libqrencode from Debian's libqrencode-dev, for the beamer's join QR code.
        .systemLibrary(name: "CQREncode", path: "Sources/CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Domain and wire types; no I/O.
        .target(name: "Model", path: "Sources/Model"),
        // What a plugin executable links: the JSON-lines loop and a reducer protocol. No Hummingbird, no GRDB.
        .target(name: "PluginSDK", dependencies: ["Model"], path: "Sources/Plugins/SDK"),
        // The vote-counting formulas (docs/VOTING.md) that voting and theme-choice share; Foundation only.
        .target(name: "VoteTally", path: "Sources/Plugins/VoteTally"),
        // Manifests, config schemas, the supervised plugin processes and PluginTransport: a session reaches its plugins
        // through the processes (PluginHost) or, in tests, through PluginEngines in this process (InProcessPlugins).
        .target(
            name: "Plugins",
            dependencies: [
                "Model", "PluginSDK",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Plugins/Host"
        ),
        .target(
            name: "Toolbox",
            dependencies: [
                "Model",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources/effectordening.json")]
        ),
        // The PostgreSQL store (issue 21), apart from Toolbox so that the embedded SQLite store builds and links without
        // postgres-nio (docs/ARCHITECTURE.md).
        .target(
            name: "PostgresStore",
            dependencies: [
                "Model", "Toolbox",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The session report (docs/REPORTS.md): its model, the report sections plugins emit, and the Mustache
        // templates that render it as HTML and Markdown. No I/O: the hub gathers, this renders.
        .target(
            name: "Reports",
            dependencies: ["Model", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates")]
        ),
        .target(
            name: "SessionHub",
            dependencies: [
                "Model", "Plugins", "Toolbox", "CQREncode", "Reports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "hubctl",
            dependencies: [
                "SessionHub", "Toolbox", "PostgresStore", "Plugins", "Model",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Plugins built with the hub; their manifests start them as ${HUB_BIN_DIR}/<name>-plugin.
        .executableTarget(name: "timer-plugin", dependencies: ["PluginSDK"], path: "plugins/timer/Sources"),
        .executableTarget(name: "voting-plugin", dependencies: ["PluginSDK", "VoteTally"], path: "plugins/voting/Sources"),
        .executableTarget(name: "theme-choice-plugin", dependencies: ["PluginSDK", "VoteTally"], path: "plugins/theme-choice/Sources"),
        .executableTarget(name: "brainstorm-plugin", dependencies: ["PluginSDK"], path: "plugins/brainstorm/Sources"),
        .executableTarget(name: "case-review-plugin", dependencies: ["PluginSDK"], path: "plugins/case-review/Sources"),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(name: "PluginsTests", dependencies: ["Plugins", "PluginSDK", "Model", "timer-plugin", "voting-plugin", "brainstorm-plugin", "case-review-plugin", "VoteTally", "theme-choice-plugin"]),
        .testTarget(name: "ToolboxTests", dependencies: ["Toolbox", "PostgresStore", "Model"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Model"]),
        .testTarget(name: "SessionHubTests", dependencies: ["SessionHub", "Toolbox", "Model", "Plugins", "PluginSDK"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target over the decoders of untrusted bytes (Tests/Fuzz), only in the instrumented build of
// scripts/fuzz: the normal builds never compile it.
if Context.environment["SESSIONHUB_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(name: "fuzz-decoders", dependencies: ["Model", "Toolbox", .product(name: "GRDB", package: "GRDB.swift")],
                          path: "Tests/Fuzz/Decoders"))
}
