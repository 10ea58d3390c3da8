import Foundation

/// Totals and maatschappelijk rendement from monitoring entries, by the formula of DESIGN.md §4:
/// net effect = (measured − baseline) × attributie × (1 − dead weight); value = net effect × value per unit;
/// rendement = Σ values ÷ Σ kosten (euros) over the same entries. The parts are shown, not only the ratio.
public struct MonitoringSummary: Codable, Sendable, Hashable {
    public struct Indicator: Codable, Sendable, Hashable {
        public var entry: String
        public var label: String
        public var date: String
        public var unit: String?
        public var baseline: Double
        public var measured: Double
        public var attribution: Double
        public var deadWeight: Double
        public var netEffect: Double
        /// Euros, where the indicator is monetised.
        public var value: Double?
    }

    public struct Output: Codable, Sendable, Hashable {
        public var label: String
        public var unit: String?
        public var value: Double
        public var target: Double?

        public init(label: String, unit: String?, value: Double, target: Double?) {
            self.label = label
            self.unit = unit
            self.value = value
            self.target = target
        }
    }

    public struct Year: Codable, Sendable, Hashable {
        public var year: String
        public var euros: Double
        public var hours: Double
        public var value: Double
    }

    public var euros: Double
    public var hours: Double
    public var eurosByCategory: [String: Double]
    public var outputs: [Output]
    public var indicators: [Indicator]
    /// Σ of the monetised indicators' values.
    public var value: Double
    /// value ÷ euros; nil when nothing was spent (or so little that the ratio is not a finite number).
    public var ratio: Double?
    public var byYear: [Year]

    public static func compute(_ entries: [MonitoringEntry]) -> MonitoringSummary {
        var s = MonitoringSummary(euros: 0, hours: 0, eurosByCategory: [:], outputs: [], indicators: [], value: 0, ratio: nil, byYear: [])
        var years: [String: Year] = [:]
        var outputs: [String: Output] = [:]
        var outputOrder: [String] = []
        for e in entries.sorted(by: { ($0.date, $0.id) < ($1.date, $1.id) }) {
            let year = String(e.date.prefix(4))
            var y = years[year] ?? Year(year: year, euros: 0, hours: 0, value: 0)
            switch e.kind {
            case .kosten:
                let euros = e.euros ?? 0
                s.euros += euros
                s.hours += e.hours ?? 0
                s.eurosByCategory[e.category ?? "overig", default: 0] += euros
                y.euros += euros
                y.hours += e.hours ?? 0
            case .resultaat:
                let key = "\(e.label)\u{1F}\(e.unit ?? "")"
                if outputs[key] == nil { outputOrder.append(key) }
                var o = outputs[key] ?? Output(label: e.label, unit: e.unit, value: 0, target: nil)
                o.value += e.value ?? 0
                if let t = e.target { o.target = (o.target ?? 0) + t }
                outputs[key] = o
            case .rendement:
                guard let baseline = e.baseline, let measured = e.measured else { continue }
                let attribution = e.attribution ?? 1
                let deadWeight = e.deadWeight ?? 0
                let net = (measured - baseline) * attribution * (1 - deadWeight)
                let value = e.valuePerUnit.map { net * $0 }
                s.indicators.append(Indicator(entry: e.id, label: e.label, date: e.date, unit: e.unit, baseline: baseline, measured: measured,
                                              attribution: attribution, deadWeight: deadWeight, netEffect: net, value: value))
                s.value += value ?? 0
                y.value += value ?? 0
            }
            years[year] = y
        }
        s.outputs = outputOrder.compactMap { outputs[$0] }
        // A few cents against a large value would be an infinite ratio, which JSON cannot carry.
        let ratio = s.value / s.euros
        s.ratio = s.euros > 0 && ratio.isFinite ? ratio : nil
        s.byYear = years.values.sorted { $0.year < $1.year }
        return s
    }
}
