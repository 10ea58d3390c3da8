@testable import SessionHub
import Testing

/// The address and origin rules of docs/SECURITY.md "Connections", without a server.
@Suite struct ConnectionPolicyTests {
    @Test func cidrMatchesItsNetworkOnly() throws {
        let net = try #require(CIDR("10.1.0.0/16"))
        #expect(net.contains("10.1.200.7"))
        #expect(!net.contains("10.2.0.1"))
        #expect(try #require(CIDR("127.0.0.1")).contains("127.0.0.1"))
        #expect(!(try #require(CIDR("127.0.0.1"))).contains("127.0.0.2"))
        #expect(try #require(CIDR("::1/128")).contains("::1"))
        #expect(try #require(CIDR("fd00::/8")).contains("fd12::5"))
        #expect(try #require(CIDR("0.0.0.0/0")).contains("203.0.113.9"))
        // An IPv4 peer on a dual-stack socket.
        #expect(net.contains("::ffff:10.1.2.3"))
        for bad in ["10.0.0.0/33", "::/129", "example.org", "10.0.0/8", "", "10.0.0.0/-1"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }

    @Test func forwardedForCountsOnlyFromATrustedPeer() throws {
        var policy = ConnectionPolicy()
        policy.trustedProxies = [try #require(CIDR("127.0.0.1/32")), try #require(CIDR("10.0.0.0/8"))]
        // The right-most entry that is not itself a trusted proxy: what the last trusted hop saw.
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: "198.51.100.1, 203.0.113.5") == "203.0.113.5")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: "203.0.113.5, 10.0.0.3") == "203.0.113.5")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: "10.0.0.4") == "10.0.0.4")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: "not an address") == "127.0.0.1")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: nil) == "127.0.0.1")
        // From anyone else the header is the client's own say-so.
        #expect(policy.clientAddress(peer: "203.0.113.9", forwardedFor: "198.51.100.1") == "203.0.113.9")
    }

    @Test func originIsThePublicURLOrTheServingHost() {
        let publicURL = "https://hub.example.org"
        #expect(OriginCheck.allows(origin: nil, host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(OriginCheck.allows(origin: "https://hub.example.org", host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(OriginCheck.allows(origin: "https://Hub.Example.org:443", host: nil, publicURL: publicURL))
        #expect(OriginCheck.allows(origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(OriginCheck.allows(origin: "http://zaal.local", host: "zaal.local", publicURL: publicURL))
        #expect(!OriginCheck.allows(origin: "http://127.0.0.1:8081", host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(!OriginCheck.allows(origin: "http://hub.example.org", host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(!OriginCheck.allows(origin: "https://hub.example.org.evil.example", host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(!OriginCheck.allows(origin: "null", host: "127.0.0.1:8080", publicURL: publicURL))
        #expect(!OriginCheck.allows(origin: "https://evil.example", host: nil, publicURL: publicURL))
    }
}
