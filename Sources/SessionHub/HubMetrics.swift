import Metrics
import Prometheus

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

/// Histogram buckets fitted to what they measure; the factory's defaults (5 ms to 10 s, and 5 to 10,000)
/// would put nearly every commit, plugin answer and batch into the first bucket.
enum HubMetricsBuckets {
    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let fine: [Duration] = [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                .milliseconds(2500), .seconds(5), .seconds(10)]
        factory.durationHistogramBuckets["sessionhub_eventlog_commit_seconds"] = fine
        factory.durationHistogramBuckets["sessionhub_plugin_answer_seconds"] = fine
        factory.valueHistogramBuckets["sessionhub_eventlog_batch_size"] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        return factory
    }
}
