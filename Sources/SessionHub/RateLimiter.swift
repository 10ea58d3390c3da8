import Foundation

/// A token bucket: `rate` per second sustained, bursts up to `burst`.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = .now
    }

    public mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// How long until `take` would succeed (zero when it would now).
    public mutating func wait(now: ContinuousClock.Instant = .now) -> Duration {
        refill(now)
        return tokens >= 1 ? .zero : .milliseconds(Int(((1 - tokens) / rate * 1000).rounded(.up)))
    }

    /// Gives back a token taken for something that turned out not to count (a login that succeeded).
    public mutating func refund(now: ContinuousClock.Instant = .now) {
        refill(now)
        tokens = min(burst, tokens + 1)
    }

    /// Full again: nothing to remember about this key.
    public mutating func isFull(now: ContinuousClock.Instant = .now) -> Bool {
        refill(now)
        return tokens >= burst
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + max(0, seconds) * rate)
    }
}

/// Token buckets by key (an address, an account, …). When it holds many keys it forgets the full buckets
/// only: forgetting one that is still draining would hand its key a fresh burst.
struct KeyedBuckets {
    let rate: Double
    let burst: Double
    private(set) var buckets: [String: TokenBucket] = [:]

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    mutating func wait(_ key: String) -> Duration {
        buckets[key]?.wait() ?? .zero
    }

    mutating func take(_ key: String) -> Bool {
        if buckets.count > 100_000 { buckets = buckets.filter { var b = $0.value; return !b.isFull() } }
        var b = buckets[key] ?? TokenBucket(rate: rate, burst: burst)
        defer { buckets[key] = b }
        return b.take()
    }

    mutating func refund(_ key: String) {
        buckets[key]?.refund()
    }
}

/// Failed logins per client address and per account (issue 13, finding 7). Every attempt takes a token from
/// both before the password is checked (so parallel guesses cannot all slip through while bcrypt runs);
/// a successful login gives them back. An empty bucket means 429 with `Retry-After`.
public actor LoginThrottle {
    public struct Policy: Sendable, Hashable {
        /// Failed logins an account may have in a row, then one more per `accountRefill`.
        public var accountBurst = 5.0
        public var accountRefill: Duration = .seconds(60)
        /// Failed logins one address may have in a row (a community centre shares one), then one per `addressRefill`.
        public var addressBurst = 20.0
        public var addressRefill: Duration = .seconds(6)
        public init() {}
    }

    private var accounts: KeyedBuckets
    private var addresses: KeyedBuckets

    public init(_ policy: Policy = Policy()) {
        accounts = KeyedBuckets(rate: 1 / (policy.accountRefill / .seconds(1)), burst: policy.accountBurst)
        addresses = KeyedBuckets(rate: 1 / (policy.addressRefill / .seconds(1)), burst: policy.addressBurst)
    }

    static func account(_ email: String) -> String { email.trimmingCharacters(in: .whitespaces).lowercased() }

    /// nil: go ahead (one attempt is counted against both); else how long the client must wait.
    public func admit(address: String, account email: String) -> Duration? {
        let account = Self.account(email)
        let wait = max(addresses.wait(address), accounts.wait(account))
        guard wait == .zero else { return wait }
        _ = addresses.take(address)
        _ = accounts.take(account)
        return nil
    }

    /// The attempt was a good login: it does not count.
    public func succeeded(address: String, account email: String) {
        addresses.refund(address)
        accounts.refund(Self.account(email))
    }
}

/// Handshakes and joins per IP address. Only these are limited per address: a community centre's
/// phones share one address (DESIGN.md §5).
public actor AddressLimiter {
    let rate: Double
    let burst: Double
    private var buckets: [String: TokenBucket] = [:]

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    public func allow(_ address: String) -> Bool {
        if buckets.count > 100_000 { buckets.removeAll() }
        var b = buckets[address] ?? TokenBucket(rate: rate, burst: burst)
        let ok = b.take()
        buckets[address] = b
        return ok
    }
}

/// Join-code lookups that find nothing, per client address (issue 13, finding 8): `/api/v1/join/{code}`
/// and `qr.svg` answered 640 probes a second. A lookup takes a token before it runs and gives it back when
/// it finds a session, so a room whose phones share one address and type the right code never runs out,
/// while a prober spends one token per miss; an empty bucket means 429 with `Retry-After` for every lookup.
public actor CodeLookupLimiter {
    public struct Policy: Sendable, Hashable {
        /// Misses one address may have in a row (`--join-code-misses`)…
        public var burst = 60.0
        /// …then this many more per second (`--join-code-miss-rate`).
        public var perSecond = 1.0
        public init() {}
    }

    private var buckets: KeyedBuckets

    public init(_ policy: Policy = Policy()) {
        buckets = KeyedBuckets(rate: policy.perSecond, burst: policy.burst)
    }

    /// nil: look it up (one miss is counted until `found`); else how long the address must wait.
    public func admit(_ address: String) -> Duration? {
        let wait = buckets.wait(address)
        guard wait == .zero else { return wait }
        _ = buckets.take(address)
        return nil
    }

    /// The lookup found a session: it does not count.
    public func found(_ address: String) {
        buckets.refund(address)
    }
}
