import Metrics

/// The hub's counters and timers (DESIGN.md §8), exported at /metrics.
enum Metrics {
    static let joins = Counter(label: "sessionhub_joins_total")
    static let inputs = Counter(label: "sessionhub_inputs_total")
    static let rejects = Counter(label: "sessionhub_rejects_total")
    static let connections = Meter(label: "sessionhub_connections")
    /// Connections whose outbox overflowed (closed with 4004).
    static let slowConsumers = Counter(label: "sessionhub_slow_consumers_total")
    static let sessionsLoaded = Meter(label: "sessionhub_sessions_loaded")
    static let tickDuration = Timer(label: "sessionhub_tick_seconds")
    static let ackLatency = Timer(label: "sessionhub_input_ack_seconds")
}
