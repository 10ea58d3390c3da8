import Foundation
import Hummingbird
import Model

/// Answers of the REST API with our error shape: `{"error": {"code", "message", ...}}` (docs/DECISIONS.md).
struct APIError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var extra: [String: JSONValue] = [:]
    /// Extra response headers, e.g. `Retry-After` on a 429.
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        error.merge(extra) { $1 }
        var response = JSONResponse.make(status: status, JSONValue.object(["error": .object(error)]))
        response.headers.append(contentsOf: headers)
        return response
    }

    /// 429 `rate_limited`, with `Retry-After` in whole seconds (at least 1).
    static func tooManyRequests(_ message: String, retryAfter wait: Duration) -> APIError {
        let seconds = max(1, Int((wait / .seconds(1)).rounded(.up)))
        return APIError(status: .tooManyRequests, code: "rate_limited", message: "\(message) Try again in \(seconds) s.",
                        headers: [.retryAfter: String(seconds)])
    }

    static func from(_ e: HubError) -> APIError {
        // A `start` whose series reference does not resolve keeps its own stable code (docs/SERIES.md).
        if e.code == .rejected, e.detail == SeriesResults.unresolvedCode {
            return APIError(status: .conflict, code: SeriesResults.unresolvedCode, message: e.message(.en))
        }
        let status: HTTPResponse.Status
        switch e.code {
        case .unauthorized: status = .unauthorized
        case .forbidden: status = .forbidden
        case .sessionNotFound, .activityNotFound: status = .notFound
        case .sessionClosed: status = .conflict
        case .rateLimited: status = .tooManyRequests
        case .pluginUnavailable, .unavailable: status = .serviceUnavailable
        case .internal: status = .internalServerError
        default: status = .badRequest
        }
        return APIError(status: status, code: e.code.rawValue, message: e.message(.en))
    }
}

enum JSONResponse {
    static func make<T: Encodable>(status: HTTPResponse.Status = .ok, _ value: T) -> Response {
        let text: String
        var status = status
        do { text = try JSONCoding.string(value) } catch {
            // Never `null` in place of the answer: a client would take it for the data.
            status = .internalServerError
            text = #"{"error":{"code":"internal","message":"The answer could not be encoded as JSON."}}"#
        }
        var body = ByteBuffer(string: text)
        body.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}

/// Requires a facilitator bearer token on every route behind it.
struct FacilitatorMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let auth: FacilitatorAuth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = FacilitatorAuth.bearer(request.headers[.authorization]) else {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "Send a facilitator token as `Authorization: Bearer T` (hubctl login).")
        }
        guard let f = await auth.facilitator(token: token) else {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "The token is invalid, expired or revoked: log in again.")
        }
        var context = context
        context.facilitator = f
        context.bearer = token
        return try await next(request, context)
    }
}

/// The kennisbank's readers and writers: a facilitator token or a contributor's invitation token.
/// With `required`, a request with neither is refused; without, it reads as the public.
struct KennisbankAccessMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let auth: FacilitatorAuth
    let required: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = FacilitatorAuth.bearer(request.headers[.authorization]) {
            if let c = await auth.contributor(token: token) {
                context.contributor = c
            } else if let f = await auth.facilitator(token: token) {
                context.facilitator = f
            } else if required {
                throw APIError(status: .unauthorized, code: "unauthorized", message: "The token is invalid or revoked: log in again, or ask for a new invitation.")
            }
            if context.facilitator != nil || context.contributor != nil { context.bearer = token }
        }
        if required && context.facilitator == nil && context.contributor == nil {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "Send a facilitator or contributor token as `Authorization: Bearer T`.")
        }
        return try await next(request, context)
    }
}
