import Foundation
import Testing
@testable import SessionHub

/// Issue 13, finding 7: failed logins per account and per address, and the bearer scheme.
@Suite struct LoginThrottleTests {
    @Test func anAccountIsRefusedAfterItsBurstAndGoodLoginsDoNotCount() async {
        var policy = LoginThrottle.Policy()
        policy.accountBurst = 3
        policy.accountRefill = .seconds(3600)
        let t = LoginThrottle(policy)
        for _ in 0..<10 {
            #expect(await t.admit(address: "10.0.0.1", account: "a@x") == nil)
            await t.succeeded(address: "10.0.0.1", account: "a@x")
        }
        for _ in 0..<3 { #expect(await t.admit(address: "10.0.0.1", account: "a@x") == nil) }
        let wait = await t.admit(address: "10.0.0.2", account: " A@X ")
        #expect(wait != nil && wait! > .seconds(3000), "another address, the same account")
        #expect(await t.admit(address: "10.0.0.1", account: "b@x") == nil, "another account from the same address")
    }

    @Test func anAddressIsRefusedAfterItsBurst() async {
        var policy = LoginThrottle.Policy()
        policy.addressBurst = 4
        let t = LoginThrottle(policy)
        for n in 0..<4 { #expect(await t.admit(address: "10.0.0.1", account: "u\(n)@x") == nil) }
        #expect(await t.admit(address: "10.0.0.1", account: "new@x") != nil)
        #expect(await t.admit(address: "10.0.0.9", account: "new@x") == nil)
    }

    @Test func theBearerSchemeIsCaseInsensitive() {
        #expect(FacilitatorAuth.bearer("Bearer abc") == "abc")
        #expect(FacilitatorAuth.bearer("bearer abc") == "abc")
        #expect(FacilitatorAuth.bearer("BEARER  abc ") == "abc")
        #expect(FacilitatorAuth.bearer("Basic abc") == nil)
        #expect(FacilitatorAuth.bearer("Bearer") == nil)
        #expect(FacilitatorAuth.bearer(nil) == nil)
    }
}
