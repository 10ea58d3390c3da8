import Metrics

/// The event log's series at /metrics (docs/OPERATIONS.md "Health and metrics"): how big its group
/// commits are, how long they take, and how much waits for one.
struct EventLogMetrics: Sendable {
    /// Events per stored batch (one transaction).
    let batchSize = Recorder(label: "sessionhub_eventlog_batch_size", aggregate: true)
    /// Time to store one batch (the transaction with its fsync), for batches that were stored.
    let commitTime = Timer(label: "sessionhub_eventlog_commit_seconds")
    /// Events handed to the log and not yet stored or refused: the batch being written and the queue behind it.
    let queueDepth = Gauge(label: "sessionhub_eventlog_queue_depth")
    /// Writes of a batch that failed (each is tried again until it is stored).
    let writeFailures = Counter(label: "sessionhub_eventlog_write_failures_total")

    init() {}
}
