import HTTPTypes
import Hummingbird
import Toolbox

/// The security headers of every answer, errors included (issue 13, finding 11): Hummingbird's
/// `ContentSecurityMiddleware` added its headers only to answers a route returned, so a 404, 401 or 500
/// went out without CSP and `nosniff`; and no answer had a `Referrer-Policy`. Errors are turned into their
/// answers here, so the headers go on them too.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: ContentSecurityPolicy {
        [.defaultSrc(.self), .imgSrc(.self, "data:"), .connectSrc(.self), .formAction(.self), .frameAncestors(.none), .objectSrc(.none), .baseURI(.self)]
    }

    /// `no-referrer`: pages carry join codes and invitation tokens (in the fragment, but a page's own links
    /// need not tell other sites where a reader came from either).
    static var headers: HTTPFields {
        [
            .contentSecurityPolicy: contentSecurityPolicy.description,
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch StoreError.unstorableText(let why) {
            response = try APIError(status: .badRequest, code: "bad_message", message: why).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            response = Response(status: .internalServerError)
        }
        for field in Self.headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}
