import ArgumentParser
import Logging
import SessionHub

/// How the hub logs: level and line format.
struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("log-format"), help: "text, or json: one JSON object a line on stderr, with request and connection ids.")
    var logFormat = "text"

    func validate() throws {
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    var level: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }

    /// Installs the process-wide log handler; once, before the hub starts.
    func bootstrap() {
        let level = self.level
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
    }
}
