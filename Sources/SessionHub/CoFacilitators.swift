import Crypto
import Foundation
import Hummingbird
import Model
import Toolbox

/// Co-facilitators invited by link (issue 20; docs/ROLES.md "Co-facilitators invited by link"), as contributors are:
/// an owner makes a link, the person who opens it chooses a name, an e-mail address and a password and has a
/// co-facilitator account, signed in at once. The link is signed (`fi1.<invite>.<expires>.<mac>`, HMAC-SHA256 with a key
/// kept in the database), lasts 7 days and works once: its acceptance is an audit entry, which the next try finds.
struct CoFacilitatorInvites {
    let store: any HubStore
    let auth: FacilitatorAuth
    static let lifetime: Int64 = 7 * 24 * 3_600_000
    static let acceptAction = "facilitator.invite.accept"

    func register(on router: Router<HubRequestContext>) {
        let api = router.group("api/v1")
        api.post("facilitators/accept", use: accept)
        api.group().add(middleware: FacilitatorMiddleware(auth: auth)).post("facilitators/invites", use: invite)
    }

    private func key() async throws -> SymmetricKey { SymmetricKey(data: try await store.secret(named: "facilitator-invite-key")) }

    func invite(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        guard let by = ctx.facilitator, by.role.mayDelete else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only an owner may invite co-facilitators.")
        }
        let id = Identifiers.random(prefix: "fi_", length: 12)
        let expires = SessionServices.now() + Self.lifetime
        let body = "fi1.\(id).\(expires)"
        let signing = try await key()
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: signing)
        let token = body + "." + Identifiers.base64url(mac)
        try await store.audit(actor: by.id, action: "facilitator.invite", target: id)
        struct Out: Encodable { var invite: String; var token: String; var link: String; var expiresAt: Int64 }
        // In the fragment, as the contributors' links: it reaches no server log and no Referer header.
        return JSONResponse.make(status: .created, Out(invite: id, token: token, link: "/web/facilitate/invite.html#invite=\(token)", expiresAt: expires))
    }

    func accept(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        struct Body: Decodable { var token: String; var name: String; var email: String; var password: String }
        let buffer = try await req.body.collect(upTo: ctx.maxUploadSize)
        guard let b = try? JSONCoding.decode(Body.self, from: Data(buffer.readableBytesView)) else {
            throw APIError(status: .badRequest, code: "bad_message", message: "Send {\"token\", \"name\", \"email\", \"password\"}.")
        }
        let name = b.name.trimmingCharacters(in: .whitespaces), email = b.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard (1...120).contains(name.count), (3...200).contains(email.count), email.contains("@"), (8...200).contains(b.password.count) else {
            throw APIError(status: .badRequest, code: "bad_message", message: "A name of 1 to 120 characters, an e-mail address and a password of at least 8 characters.")
        }
        let parts = b.token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let signing = try await key()
        guard b.token.count <= 200, parts.count == 4, parts[0] == "fi1", let expires = Int64(parts[2]), let mac = Identifiers.fromBase64url(parts[3]),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0...2].joined(separator: ".").utf8), using: signing) else {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "This invitation link is not valid.")
        }
        let invite = parts[1]
        guard expires > SessionServices.now() else {
            throw APIError(status: .gone, code: "invite_expired", message: "This invitation link has expired; ask for a new one.")
        }
        if try await store.auditEntries(AuditQuery(action: Self.acceptAction, limit: 10_000)).contains(where: { $0.target == invite }) {
            throw APIError(status: .gone, code: "invite_used", message: "This invitation link was used already; sign in, or ask for a new one.")
        }
        let record = FacilitatorRecord(id: Identifiers.random(prefix: "f_"), email: email, name: name,
                                       passwordHash: try await FacilitatorAuth.hash(password: b.password), role: .coFacilitator, createdAt: SessionServices.now())
        do { try await store.addFacilitator(record) } catch StoreError.duplicate {
            throw APIError(status: .conflict, code: "email_in_use", message: "There is an account with this e-mail address; sign in with it.")
        }
        try await store.audit(actor: record.id, action: Self.acceptAction, target: invite, detail: email)
        guard let (token, f) = try await auth.login(email: email, password: b.password) else {
            throw APIError(status: .internalServerError, code: "internal", message: "The account was made but could not sign in.")
        }
        let facilitator: JSONValue = ["id": .string(f.id), "email": .string(f.email), "name": .string(f.name), "role": .string(f.role.rawValue)]
        return JSONResponse.make(status: .created, JSONValue.object(["token": .string(token), "facilitator": facilitator]))
    }
}
