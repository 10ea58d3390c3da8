import Foundation
import Hummingbird
import Model
import NIOCore
import Plugins
import Yams

/// The agenda body of `POST /api/v1/sessions` and of the dry run `POST /api/v1/agendas/validate` (issue 20): the
/// YAML as the body, or JSON `{"agenda": "<yaml>"}`; at most `maxUploadSize` bytes like every REST body.
enum AgendaBody {
    static func text(_ req: Request, _ ctx: HubRequestContext) async throws -> String {
        let buffer: ByteBuffer
        do { buffer = try await req.body.collect(upTo: ctx.maxUploadSize) } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, code: "too_large",
                           message: "The agenda has more than \(ctx.maxUploadSize / (1 << 20)) MiB; a real agenda is a few KiB.")
        }
        guard req.headers[.contentType]?.hasPrefix("application/json") == true else { return String(buffer: buffer) }
        struct Body: Decodable { var agenda: String }
        guard let body = try? JSONCoding.decode(Body.self, from: Data(buffer.readableBytesView)) else {
            throw APIError(status: .badRequest, code: "bad_message", message: "Send the agenda YAML as the body, or JSON {\"agenda\": \"...\"}.")
        }
        return body.agenda
    }
}

extension API {
    /// The dry run of `createSession`: the same parser and the same problems, nothing stored. The answer is 200
    /// either way, `{ok, errors?, agenda?}`; `agenda` is the document as JSON (YAML's own typing, within the
    /// agenda's YAML budget) whenever it is a YAML mapping, so that a browser without a YAML reader can import a file.
    func validateAgenda(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let text = try await AgendaBody.text(req, ctx)
        let parser = AgendaParser(manifests: await host.allManifests())
        var answer: [String: JSONValue] = [:]
        switch parser.parse(text) {
        case .failure(let p):
            answer["ok"] = .bool(false)
            answer["errors"] = try JSONCoding.value(p.problems)
        case .success:
            answer["ok"] = .bool(true)
        }
        // Composed again; not YAML, not a mapping or over the budget leaves `agenda` out.
        if let node = try? Yams.compose(yaml: text), node.mapping != nil, let document = try? AgendaParser.json(node) {
            answer["agenda"] = document
        }
        return JSONResponse.make(JSONValue.object(answer))
    }

    /// The agenda file a session was created from, as it was sent: the editor duplicates a session from it.
    func agendaSource(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        let s = try await session(ctx)
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: s.record.agendaSource)))
    }
}
