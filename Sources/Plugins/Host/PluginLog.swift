import Foundation
import Logging
import Synchronization

/// What one plugin process writes for the hub's log: its stderr lines and its `log` messages. A plugin
/// must not be able to flood the hub's log (issue 13), so each line is cut at `maxLineBytes` and at most
/// `linesPerSecond` lines a second are logged; the others are counted and reported as dropped. The last
/// `tailLines` stderr lines are kept whether logged or not: when the process fails they are logged again at
/// warning, so its last words (a crash backtrace above all) reach the operator even when the limit ate them.
public final class PluginLog: Sendable {
    public struct Limits: Sendable {
        /// Longest line logged; the rest of a longer line is cut (the line gets the metadata `cut=true`).
        public var maxLineBytes = 2048
        /// Lines logged per second and plugin process, stderr and `log` messages together.
        public var linesPerSecond = 50
        /// Stderr lines kept for the failure report.
        public var tailLines = 40

        public init() {}
    }

    private struct State {
        var windowStart: ContinuousClock.Instant
        var loggedInWindow = 0
        var dropped = 0
        var tail: [String] = []
        /// Bytes of a stderr line not yet ended by a newline.
        var partial: [UInt8] = []
        /// The current line was already cut and logged: its bytes up to the next newline are skipped.
        var skipping = false
        var failed = false
    }

    let plugin: String
    let logger: Logger
    let limits: Limits
    let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    public init(plugin: String, logger: Logger, limits: Limits = Limits(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.plugin = plugin
        self.logger = logger
        self.limits = limits
        self.now = now
        self.state = Mutex(State(windowStart: now()))
    }

    /// Bytes read from the process's stderr, in order; lines end with `\n`.
    public func stderr(_ chunk: some Collection<UInt8>) {
        let bytes = Array(chunk)
        state.withLock { s in
            var i = 0
            while i < bytes.count {
                let newline = bytes[i...].firstIndex(of: 0x0A)
                let end = newline ?? bytes.count
                if !s.skipping {
                    let room = limits.maxLineBytes - s.partial.count
                    if end - i > room {
                        // Logged now, cut: a line that never ends must not grow in memory nor wait for its end.
                        s.partial.append(contentsOf: bytes[i..<(i + room)])
                        finishLine(&s, cut: true)
                        s.skipping = true
                    } else {
                        s.partial.append(contentsOf: bytes[i..<end])
                    }
                }
                guard let newline else { break }
                if s.skipping { s.skipping = false } else { finishLine(&s, cut: false) }
                i = newline + 1
            }
        }
    }

    /// The stderr stream ended: a last line without its newline is logged, and any dropped count reported;
    /// after a failure, what the process wrote since (a backtrace that arrives after its exit) at warning.
    public func stderrEnded() {
        state.withLock { s in
            if !s.partial.isEmpty { finishLine(&s, cut: false) }
            reportDropped(&s)
            if s.failed { logTail(&s, "plugin's stderr after its failure") }
        }
    }

    /// A `log` message the plugin sent on stdout, at the level it asked for.
    public func message(_ text: String, level: Logger.Level) {
        state.withLock { s in
            let bytes = Array(text.utf8)
            let cut = bytes.count > limits.maxLineBytes
            emit(&s, String(decoding: bytes.prefix(limits.maxLineBytes), as: UTF8.self), cut: cut, level: level, stream: "log")
        }
    }

    /// The process failed (not a deliberate stop): its last stderr lines are logged again at warning, so
    /// that its last words (a crash backtrace) are there whatever the line limit dropped.
    public func failed(_ reason: String) {
        state.withLock { s in
            guard !s.failed else { return }
            s.failed = true
            reportDropped(&s)
            logTail(&s, "plugin failed; its last stderr lines follow", reason: reason)
        }
    }

    private func finishLine(_ s: inout State, cut: Bool) {
        let line = String(decoding: s.partial, as: UTF8.self)
        s.partial.removeAll(keepingCapacity: true)
        s.tail.append(line)
        if s.tail.count > limits.tailLines { s.tail.removeFirst(s.tail.count - limits.tailLines) }
        // After a failure the process is dead or being killed: what is left in the pipe goes to the tail only,
        // logged at warning when the stream ends.
        if !s.failed { emit(&s, line, cut: cut, level: .info, stream: "stderr") }
    }

    private func logTail(_ s: inout State, _ header: String, reason: String? = nil) {
        guard !s.tail.isEmpty else { return }
        var metadata: Logger.Metadata = ["plugin": "\(plugin)", "lines": "\(s.tail.count)"]
        if let reason { metadata["reason"] = "\(reason)" }
        logger.warning("\(header)", metadata: metadata)
        for line in s.tail {
            logger.warning("\(line)", metadata: ["plugin": "\(plugin)", "stream": "stderr"])
        }
        s.tail.removeAll()
    }

    private func emit(_ s: inout State, _ line: String, cut: Bool, level: Logger.Level, stream: String) {
        let t = now()
        if t - s.windowStart >= .seconds(1) {
            reportDropped(&s)
            s.windowStart = t
            s.loggedInWindow = 0
        }
        guard s.loggedInWindow < limits.linesPerSecond else {
            s.dropped += 1
            return
        }
        s.loggedInWindow += 1
        var metadata: Logger.Metadata = ["plugin": "\(plugin)", "stream": "\(stream)"]
        if cut { metadata["cut"] = "true" }
        logger.log(level: level, "\(line)", metadata: metadata)
    }

    private func reportDropped(_ s: inout State) {
        guard s.dropped > 0 else { return }
        logger.warning("plugin log lines dropped", metadata: [
            "plugin": "\(plugin)", "dropped": "\(s.dropped)", "limit": "\(limits.linesPerSecond) lines per second"])
        s.dropped = 0
    }
}
