import Crypto
import Foundation

/// Random ids, join codes and tokens, all from the system's secure generator.
public enum Identifiers {
    static let base32 = Array("abcdefghijklmnopqrstuvwxyz234567")
    /// No 0/O, 1/I/L: codes are read off a beamer and typed on phones.
    public static let codeAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let codeLength = 6

    public static func random(prefix: String, length: Int = 12) -> String {
        var rng = SystemRandomNumberGenerator()
        return prefix + String((0..<length).map { _ in base32[Int.random(in: 0..<base32.count, using: &rng)] })
    }

    public static func joinCode() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<codeLength).map { _ in codeAlphabet[Int.random(in: 0..<codeAlphabet.count, using: &rng)] })
    }

    public static func randomBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    public static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Only the canonical spelling decodes: the last character's unused bits must be zero, so one byte string
    /// has one text (otherwise a changed token character could still verify).
    public static func fromBase64url(_ s: String) -> [UInt8]? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        guard let bytes = Data(base64Encoded: t).map({ [UInt8]($0) }), base64url(bytes) == s else { return nil }
        return bytes
    }

    /// Facilitator tokens are stored as this hash, so a copied database does not hand out logins.
    public static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A per-activity pseudonym: the same live and on replay, and meaningless without the activity's key.
    public static func pseudonym(participant: String, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(participant.utf8), using: SymmetricKey(data: key))
        let bytes = Array(mac)
        return "x_" + String((0..<12).map { base32[Int(bytes[$0]) % 32] })
    }
}

/// Rejoin tokens: `v1.<session>.<participant>.<mac>`, signed with a key kept in the database so they
/// survive restarts. Revocation (kick) is checked against the session state, not the token.
public struct RejoinTokens: Sendable {
    let key: SymmetricKey

    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    public func issue(session: String, participant: String) -> String {
        let body = "v1.\(session).\(participant)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return body + "." + Identifiers.base64url(mac)
    }

    /// The (session, participant) a token names, if its signature holds.
    public func verify(_ token: String) -> (session: String, participant: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "v1", let mac = Identifiers.fromBase64url(parts[3]) else { return nil }
        let body = parts[0...2].joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body.utf8), using: key) else { return nil }
        return (parts[1], parts[2])
    }
}

/// Series tokens (docs/SERIES.md "Participants who continue"): `s1.<series, base64url>.<participant>.<mac>`, signed
/// with the rejoin tokens' key. The `s1` prefix is in what is signed, so a rejoin token never verifies as one.
extension RejoinTokens {
    public func issue(series: String, participant: String) -> String {
        let body = "s1.\(Identifiers.base64url(Array(series.utf8))).\(participant)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key)
        return body + "." + Identifiers.base64url(mac)
    }

    /// The (series, participant) a series token names, if its signature holds.
    public func verifySeries(_ token: String) -> (series: String, participant: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "s1", let mac = Identifiers.fromBase64url(parts[3]),
              let series = Identifiers.fromBase64url(parts[1]), !parts[2].isEmpty else { return nil }
        let body = parts[0...2].joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(body.utf8), using: key) else { return nil }
        return (String(decoding: series, as: UTF8.self), parts[2])
    }
}
