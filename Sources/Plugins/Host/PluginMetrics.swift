import Metrics

/// One plugin's series at /metrics (docs/OPERATIONS.md "Health and metrics"), labelled `plugin`. Made once
/// per plugin name, so that a message costs no lookup in the metrics registry.
struct PluginMetrics: Sendable {
    /// `event` messages the plugin answered (views or reject), replays included.
    let events: Counter
    /// `event` messages the plugin answered with `reject`: it refused the input.
    let rejects: Counter
    /// Processes started again after a failure (not counted when the failure marked the plugin failed).
    let restarts: Counter
    /// Processes given up on: crashes, hangs, garbage, failed starts, kills from outside.
    let failures: Counter
    /// From writing a message to the plugin to reading its answer, waiting behind earlier messages included.
    let answerTime: Timer

    init(plugin: String) {
        let dimensions = [("plugin", plugin)]
        events = Counter(label: "sessionhub_plugin_events_total", dimensions: dimensions)
        rejects = Counter(label: "sessionhub_plugin_rejects_total", dimensions: dimensions)
        restarts = Counter(label: "sessionhub_plugin_restarts_total", dimensions: dimensions)
        failures = Counter(label: "sessionhub_plugin_failures_total", dimensions: dimensions)
        answerTime = Timer(label: "sessionhub_plugin_answer_seconds", dimensions: dimensions)
    }
}
