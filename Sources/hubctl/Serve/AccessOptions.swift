import ArgumentParser
import SessionHub
import Toolbox

/// Logins, tokens and what anonymous callers may ask of the REST API (docs/SECURITY.md).
struct AccessOptions: ParsableArguments {
    @Flag(name: .customLong("private-kennisbank"), help: "Require a facilitator token to read the kennisbank and gereedschapskist (default: public reading).")
    var privateKennisbank = false

    @Option(name: .customLong("search-timeout-ms"), help: "Milliseconds one kennisbank or gereedschapskist search may run before it is stopped with 503.")
    var searchTimeoutMs = 250

    @Option(name: .customLong("max-url-bytes"), help: "Longest request URL (path and query) in bytes; longer is answered 414.")
    var maxURLBytes = 8 * 1024

    @Option(name: .customLong("login-attempts"), help: "Failed logins an account may have in a row before 429; then one more per minute.")
    var loginAttempts = 5

    @Option(name: .customLong("login-attempts-per-address"), help: "Failed logins one client address may have in a row before 429; then one more per 6 s.")
    var loginAttemptsPerAddress = 20

    @Option(name: .customLong("token-idle-hours"), help: "Hours a facilitator token stays valid without use; every use extends it.")
    var tokenIdleHours: Double = 12

    @Option(name: .customLong("token-max-days"), help: "Days after the login at which a facilitator token expires however much it is used.")
    var tokenMaxDays: Double = 30

    @Option(name: .customLong("join-code-misses"), help: "Join-code lookups (join page, QR code) that find nothing one client address may make in a row before 429.")
    var joinCodeMisses = 60

    @Option(name: .customLong("join-code-miss-rate"), help: "Further join-code misses per second and client address after those.")
    var joinCodeMissRate: Double = 1

    @Option(name: .customLong("session-idle-minutes"), help: "Minutes a loaded session without connections or lookups stays in memory before it is unloaded.")
    var sessionIdleMinutes: Double = 30

    func validate() throws {
        guard (1...60_000).contains(searchTimeoutMs) else { throw ValidationError("--search-timeout-ms must be 1 to 60000") }
        guard (256...1 << 20).contains(maxURLBytes) else { throw ValidationError("--max-url-bytes must be 256 to 1048576") }
        guard loginAttempts >= 1, loginAttemptsPerAddress >= 1 else { throw ValidationError("--login-attempts and --login-attempts-per-address must be at least 1") }
        guard tokenIdleHours > 0, tokenMaxDays > 0, tokenIdleHours <= tokenMaxDays * 24 else {
            throw ValidationError("--token-idle-hours and --token-max-days must be more than 0, and the idle time at most the maximum age")
        }
        guard joinCodeMisses >= 1, joinCodeMissRate > 0 else { throw ValidationError("--join-code-misses must be at least 1 and --join-code-miss-rate more than 0") }
        guard sessionIdleMinutes > 0 else { throw ValidationError("--session-idle-minutes must be more than 0") }
    }

    func apply(to config: inout HubConfiguration) {
        config.privateKennisbank = privateKennisbank
        config.rest.searchTimeout = .milliseconds(searchTimeoutMs)
        config.rest.maxURLBytes = maxURLBytes
        config.rest.login.accountBurst = Double(loginAttempts)
        config.rest.login.addressBurst = Double(loginAttemptsPerAddress)
        config.rest.tokens = TokenLifetime(idle: .seconds(tokenIdleHours * 3600), maxAge: .seconds(tokenMaxDays * 86_400))
        config.rest.codeMisses.burst = Double(joinCodeMisses)
        config.rest.codeMisses.perSecond = joinCodeMissRate
        config.rest.sessionIdle = .seconds(sessionIdleMinutes * 60)
    }
}
