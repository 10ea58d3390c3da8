import Foundation
import Model
import Testing
import Toolbox

/// Issue 13 (found by schemathesis): a monitoring entry with an amount near Double's range made its
/// intervention's summary infinite, and every answer that carries the summary a 500, for good.
@Suite struct MonitoringBoundsTests {
    func entry(_ kind: MonitoringKind, euros: Double? = nil, value: Double? = nil, valuePerUnit: Double? = nil) -> MonitoringEntry {
        MonitoringEntry(id: "m", intervention: "kb-1", date: "2025-01-01", kind: kind, label: "x", euros: euros, value: value,
                        baseline: kind == .rendement ? 0 : nil, measured: kind == .rendement ? 1 : nil, valuePerUnit: valuePerUnit)
    }

    @Test func amountsBeyondTenToTheTwelveAreRefused() {
        #expect(KennisbankFormats.validate(entry(.kosten, euros: 1e308)) == ["euros: at most 10^12 either way"])
        #expect(KennisbankFormats.validate(entry(.resultaat, value: -1e13)) == ["value: at most 10^12 either way"])
        #expect(KennisbankFormats.validate(entry(.rendement, valuePerUnit: 1e300)) == ["valuePerUnit: at most 10^12 either way"])
        #expect(KennisbankFormats.validate(entry(.kosten, euros: 1e12)).isEmpty)
        #expect(KennisbankFormats.validate(entry(.kosten, euros: .infinity)) == ["euros: at most 10^12 either way"])
    }

    @Test func theSummaryOfEntriesWithinTheBoundsIsFiniteAndEncodes() throws {
        let entries = [entry(.kosten, euros: 1e-300), entry(.kosten, euros: 1e12), entry(.rendement, valuePerUnit: 1e12)]
            .enumerated().map { n, e in var e = e; e.id = "m\(n)"; return e }
        let tiny = MonitoringSummary.compute([entries[0], entries[2]])
        #expect(tiny.ratio == nil, "a few cents against a large value is no finite ratio")
        let s = MonitoringSummary.compute(entries)
        #expect(s.euros.isFinite && s.value.isFinite && s.ratio.map(\.isFinite) == true)
        _ = try JSONEncoder().encode(tiny)
    }
}
