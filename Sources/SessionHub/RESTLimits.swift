import Foundation
import Hummingbird
import Toolbox

/// The limits of the REST side that `hubctl serve` can set (docs/SECURITY.md: Search, Login and tokens,
/// Join codes, Agendas and imports).
public struct RESTLimits: Sendable {
    /// Longest request target (path and query) in bytes; longer is answered 414 (`--max-url-bytes`).
    public var maxURLBytes = 8 * 1024
    /// How long one kennisbank or gereedschapskist search may run (`--search-timeout-ms`).
    public var searchTimeout: Duration = SearchLimits.defaultTimeout
    /// Failed logins per address and per account before 429 (`--login-attempts`, `--login-attempts-per-address`).
    public var login = LoginThrottle.Policy()
    /// Facilitator token expiry (`--token-idle-hours`, `--token-max-days`).
    public var tokens = TokenLifetime()
    /// Join-code lookups that find nothing, per address (`--join-code-misses`, `--join-code-miss-rate`).
    public var codeMisses = CodeLookupLimiter.Policy()
    /// A loaded session without connections or lookups this long is unloaded (`--session-idle-minutes`).
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// Audit entries older than this are deleted, at start and daily (`--audit-retention-days`, docs/PRIVACY.md).
    public var auditRetention: Duration = .seconds(365 * 86_400)

    public init() {}
}

/// Refuses a request whose target is longer than `maxURLBytes` before any route parses it: a 16 KB query
/// string once kept a core busy for minutes. Also refuses a NUL character anywhere in it.
struct RequestTargetLimitMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let maxURLBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.head.path?.utf8.count ?? 0
        guard length <= maxURLBytes else {
            throw APIError(status: .uriTooLong, code: "uri_too_long", message: "The URL has \(length) bytes; at most \(maxURLBytes) are allowed.")
        }
        // A NUL character (`%00`) names nothing and searches for nothing; a PostgreSQL store cannot even compare
        // text with it. Refused the same way on every store: no id has it (404), no query value may (400).
        let target = request.head.path ?? ""
        if let nul = target.range(of: "%00") {
            if let query = target.firstIndex(of: "?"), query < nul.lowerBound {
                throw APIError(status: .badRequest, code: "bad_message", message: "A query value contains the NUL character (%00).")
            }
            throw APIError(status: .notFound, code: "not_found", message: "No such resource: the path contains the NUL character (%00).")
        }
        return try await next(request, context)
    }
}
