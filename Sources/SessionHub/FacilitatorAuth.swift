import Foundation
import HummingbirdBcrypt
import Model
import NIOPosix
import Toolbox

/// Facilitator passwords (bcrypt) and bearer tokens (random, stored hashed, revocable, expiring).
public struct FacilitatorAuth: Sendable {
    let store: any HubStore
    /// `--token-idle-hours` and `--token-max-days` (docs/SECURITY.md, "Login and tokens").
    let lifetime: TokenLifetime

    public init(store: any HubStore, lifetime: TokenLifetime = TokenLifetime()) {
        self.store = store
        self.lifetime = lifetime
    }

    /// The token of an `Authorization` header: the scheme is case-insensitive (RFC 9110 §11.1), so
    /// `bearer T` and `BEARER T` count as well as `Bearer T`.
    public static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Cost 12 in production (DESIGN.md §8); `SESSIONHUB_BCRYPT_COST` lowers it for tests.
    public static var cost: UInt8 {
        UInt8(ProcessInfo.processInfo.environment["SESSIONHUB_BCRYPT_COST"].flatMap(Int.init) ?? 12)
    }

    public static func hash(password: String) async throws -> String {
        let cost = Self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func login(email: String, password: String) async throws -> (token: String, facilitator: FacilitatorRecord)? {
        guard let f = try await store.facilitator(email: email) else {
            // Spend the same time as a real check, so e-mail addresses cannot be probed by timing.
            _ = try? await Self.hash(password: password)
            return nil
        }
        let ok = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: f.passwordHash) }
        guard ok else { return nil }
        let token = "hub_" + Identifiers.base64url(Identifiers.randomBytes(32))
        let now = SessionServices.now()
        // Logins are rare; each one clears the rows of revoked and expired tokens.
        _ = try await store.purgeTokens(at: now, lifetime: lifetime)
        try await store.saveToken(hash: Identifiers.tokenHash(token), facilitatorId: f.id, at: now)
        return (token, f)
    }

    public func facilitator(token: String) async -> FacilitatorRecord? {
        guard token.count <= FieldLimits.token,
              let id = try? await store.facilitatorId(forTokenHash: Identifiers.tokenHash(token), at: SessionServices.now(), lifetime: lifetime) else { return nil }
        return try? await store.facilitator(id: id)
    }

    /// A contributor's invitation link carries this token; it never expires, but a facilitator can revoke it.
    public func invite(_ contributor: ContributorRecord) async throws -> String {
        let token = "kbc_" + Identifiers.base64url(Identifiers.randomBytes(32))
        try await store.addContributor(contributor, tokenHash: Identifiers.tokenHash(token))
        return token
    }

    public func contributor(token: String) async -> ContributorRecord? {
        guard token.hasPrefix("kbc_"), token.count <= FieldLimits.token else { return nil }
        return try? await store.contributor(forTokenHash: Identifiers.tokenHash(token))
    }

    public func logout(token: String) async throws {
        try await store.revokeToken(hash: Identifiers.tokenHash(token))
    }
}
