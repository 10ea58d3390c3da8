/// One `report.section` output: an activity's results as the session report shows them (docs/PLUGINS.md
/// "Output records", docs/REPORTS.md). Labelled prose and numbers, never raw views; the hub draws `chart`
/// itself from the items, so a plugin sends numbers, not markup. Never put confidential input text in one.
public struct ReportSection: Encodable, Sendable, Hashable {
    public var title: LocalizedText
    /// A paragraph of prose.
    public var text: LocalizedText?
    public var items: [ReportItem]
    /// `bars`: the hub draws the items' numeric values as horizontal bars.
    public var chart: String?

    public init(title: LocalizedText, text: LocalizedText? = nil, items: [ReportItem] = [], chart: String? = nil) {
        self.title = title
        self.text = text
        self.items = items
        self.chart = chart
    }

    enum CodingKeys: String, CodingKey { case title, text, items, chart }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(text, forKey: .text)
        if !items.isEmpty { try c.encode(items, forKey: .items) }
        try c.encodeIfPresent(chart, forKey: .chart)
    }
}

/// A labelled value: `{label, value}`. A label is `{nl, en}` (the plugin's words) or a plain string (the
/// room's words: an option, a card, a word); a value is a number or a short text.
public struct ReportItem: Encodable, Sendable, Hashable {
    public enum Label: Sendable, Hashable { case text(LocalizedText), plain(String) }
    public enum Value: Sendable, Hashable { case number(Double), text(String) }

    public var label: Label
    public var value: Value

    public init(_ label: LocalizedText, _ value: Double) { self.label = .text(label); self.value = .number(value) }
    public init(_ label: String, _ value: Double) { self.label = .plain(label); self.value = .number(value) }
    public init(_ label: LocalizedText, text: String) { self.label = .text(label); self.value = .text(text) }
    public init(_ label: String, text: String) { self.label = .plain(label); self.value = .text(text) }
    public init(_ label: LocalizedText, _ value: Int) { self.init(label, Double(value)) }
    public init(_ label: String, _ value: Int) { self.init(label, Double(value)) }

    enum CodingKeys: String, CodingKey { case label, value }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch label {
        case .text(let t): try c.encode(t, forKey: .label)
        case .plain(let s): try c.encode(s, forKey: .label)
        }
        switch value {
        // Whole numbers as integers, so a count reads 3, not 3.0.
        case .number(let n) where n == n.rounded() && abs(n) < 1e15: try c.encode(Int64(n), forKey: .value)
        case .number(let n): try c.encode(n, forKey: .value)
        case .text(let s): try c.encode(s, forKey: .value)
        }
    }
}

extension Views {
    /// Emits `report.section` outputs; the report shows an activity's sections of its latest emitting event.
    public mutating func report(_ sections: ReportSection...) {
        for s in sections { emit("report.section", s) }
    }
}
