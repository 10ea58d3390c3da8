import Testing
@testable import SessionHub

@Suite struct RejoinTokenTests {
    /// A 32-byte MAC is 43 base64url characters whose last one carries 2 unused bits: without a canonical
    /// check, 3 of the 63 other last characters decoded to the same MAC and a "tampered" token verified.
    @Test func everyOtherLastCharacterIsRefused() {
        let tokens = RejoinTokens(key: Array(repeating: 7, count: 32))
        let good = tokens.issue(session: "s_abcdefghijkl", participant: "p_abcdefghijkl")
        #expect(tokens.verify(good)?.participant == "p_abcdefghijkl")
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for c in alphabet where c != good.last {
            #expect(tokens.verify(String(good.dropLast()) + String(c)) == nil, "last character \(c)")
        }
    }
}
