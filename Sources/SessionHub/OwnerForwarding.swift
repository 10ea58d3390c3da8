import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// REST requests may reach any node; one that needs a live session another node runs is forwarded to that node
/// and its answer returned as it came (docs/SCALING.md "Requests for a session on another node"). The body of a
/// request under `/api/v1/sessions/` is read first (up to the usual upload limit), so it can be sent on.
struct OwnerForwarding: RouterMiddleware {
    typealias Context = HubRequestContext

    /// What is passed back of the owner's answer: the security headers are this node's own (SecurityHeadersMiddleware).
    static let answerHeaders: [HTTPField.Name] = [.contentType, .contentDisposition, .retryAfter, .cacheControl, .location, .wwwAuthenticate]
    static let timeout = TimeAmount.seconds(60)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let path = request.uri.path
        var body: ByteBuffer?
        var tooLarge = false
        if path.hasPrefix("/api/v1/sessions/") && ![.get, .head].contains(request.method) {
            do { body = try await request.collectBody(upTo: context.maxUploadSize) } catch is NIOTooManyBytesError {
                // The handler answers with its own `too_large`, reading a body just over the limit.
                tooLarge = true
                request.body = .init(buffer: ByteBuffer(repeating: 0, count: context.maxUploadSize + 1))
            }
        }
        do {
            return try await next(request, context)
        } catch let elsewhere as SessionElsewhere {
            if tooLarge {
                throw APIError(status: .contentTooLarge, code: "too_large", message: "The body has more than \(context.maxUploadSize / (1 << 20)) MiB.")
            }
            // Passed on once at most; a request without a buffered body cannot be sent twice.
            guard request.headers[NodeHeaders.relayed] == nil, body != nil || [.get, .head].contains(request.method) else {
                throw APIError(status: .serviceUnavailable, code: "unavailable", message: "The session is moving to another node: try again.",
                               headers: [.retryAfter: "1"])
            }
            return try await forward(request, body: body, to: elsewhere.node, peer: context.peer)
        }
    }

    private func forward(_ request: Request, body: ByteBuffer?, to node: String, peer: String) async throws -> Response {
        let base = node.hasSuffix("/") ? String(node.dropLast()) : node
        var out = HTTPClientRequest(url: base + request.uri.description)
        out.method = HTTPMethod(rawValue: request.method.rawValue)
        // Hop-by-hop fields stay here; the client's address goes in a field of this node's.
        let own: Set<HTTPField.Name> = [.connection, .contentLength, .transferEncoding, NodeHeaders.forwardedFor, NodeHeaders.relayed, HTTPField.Name("Host")!]
        for field in request.headers where !own.contains(field.name) {
            out.headers.add(name: field.name.rawName, value: field.value)
        }
        out.headers.add(name: NodeHeaders.relayed.rawName, value: "1")
        out.headers.add(name: NodeHeaders.forwardedFor.rawName, value: peer)
        if let body { out.body = .bytes(body) }
        let answer: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            answer = try await HTTPClient.shared.execute(out, timeout: Self.timeout)
            bytes = try await answer.body.collect(upTo: 256 << 20)
        } catch {
            throw APIError(status: .serviceUnavailable, code: "unavailable", message: "The node that runs this session did not answer: try again.",
                           headers: [.retryAfter: "1"])
        }
        var headers = HTTPFields()
        for name in Self.answerHeaders {
            for value in answer.headers[name.rawName] { headers.append(HTTPField(name: name, value: value)) }
        }
        return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: bytes))
    }
}
