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
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
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
