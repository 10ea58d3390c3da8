import Foundation
import Model

/// Numbers a plugin takes from a payload come from a participant's phone: any JSON number up to Int64's
/// limits. Swift traps on overflow, and a trapped plugin takes every session's instances down with it, so a
/// plugin reads them through these helpers: bounded on the way in, summed without overflow, and refused
/// (a `Rejection`, nothing logged) when out of range (docs/PLUGINS.md "Numbers from payloads").
extension JSONValue {
    /// This value as a whole number within `range`, or nil (not a whole number, a bool, or out of range).
    public func integer(in range: ClosedRange<Int>) -> Int? {
        guard let i = intValue, let n = Int(exactly: i), range.contains(n) else { return nil }
        return n
    }

    /// `self[key]` as a whole number within `range`; otherwise throws `rejection`
    /// (by default `out_of_range`, naming the field and the range).
    public func integer(_ key: String, in range: ClosedRange<Int>, orReject rejection: Rejection? = nil) throws(Rejection) -> Int {
        guard let n = self[key]?.integer(in: range) else { throw rejection ?? .outOfRange(key, range) }
        return n
    }

    /// `self[key]` as an array of whole numbers, each within `range`; otherwise throws `rejection`
    /// (by default `out_of_range`).
    public func integers(_ key: String, in range: ClosedRange<Int>, orReject rejection: Rejection? = nil) throws(Rejection) -> [Int] {
        guard let a = self[key]?.arrayValue else { throw rejection ?? .outOfRange(key, range) }
        var out: [Int] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard let n = v.integer(in: range) else { throw rejection ?? .outOfRange(key, range) }
            out.append(n)
        }
        return out
    }
}

extension Sequence where Element: FixedWidthInteger {
    /// The sum, or nil when it does not fit in `Element` (`reduce(0, +)` would trap).
    public func checkedSum() -> Element? {
        var total: Element = 0
        for v in self {
            let (sum, overflow) = total.addingReportingOverflow(v)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The sum; throws `rejection` (by default `out_of_range`) when it does not fit.
    public func sum(orReject rejection: Rejection = .outOfRange("sum")) throws(Rejection) -> Element {
        guard let s = checkedSum() else { throw rejection }
        return s
    }
}

extension Rejection {
    /// The SDK's refusal of a number outside what the plugin accepts (`out_of_range`).
    public static func outOfRange(_ field: String, _ range: ClosedRange<Int>? = nil) -> Rejection {
        let span = range.map { " (\($0.lowerBound)…\($0.upperBound))" } ?? ""
        return Rejection("out_of_range", nl: "Het getal bij `\(field)` valt buiten het toegestane bereik\(span).",
                         en: "The number in `\(field)` is outside the allowed range\(span).")
    }
}
