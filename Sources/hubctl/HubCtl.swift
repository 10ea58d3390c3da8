import ArgumentParser
import Foundation

@main
struct HubCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hubctl",
        abstract: "Run and manage a SessionHub: sessions, series, plugins and facilitators.",
        discussion: """
            Online commands talk to a running hub (--server, env HUBCTL_SERVER, default http://127.0.0.1:8080) with a
            facilitator token (--token, env HUBCTL_TOKEN, else the one saved by `hubctl login`). Offline commands work
            on files alone. Exit codes: 0 success, 64 usage error, 69 hub unreachable, 1 any other failure.
            """,
        subcommands: [Serve.self, FacilitatorCommand.self, Login.self, SessionCommand.self, SeriesCommand.self, PluginsCommand.self,
                      KennisbankCommand.self, ToolkitCommand.self, BackupCommand.self, RestoreCommand.self, AuditCommand.self, PurgeCommand.self,
                      ParticipantCommand.self, MigrateCommand.self]
    )
}

/// Exit codes of CONTRACTS.md §3.
enum Exit {
    static let failure = ExitCode(1)
    static let unreachable = ExitCode(69)
}

/// Prints to stderr and exits with `code`.
struct Failure: Error, CustomStringConvertible {
    var message: String
    var code: ExitCode = Exit.failure
    var description: String { message }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

/// Runs a command body and turns a `Failure` into its message on stderr and its exit code.
func reporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let f as Failure {
        printError("hubctl: \(f.message)")
        throw f.code
    }
}
