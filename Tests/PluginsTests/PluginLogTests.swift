import Foundation
import Logging
@testable import Plugins
import Synchronization
import Testing

/// Keeps what is logged, in order, for the assertions.
final class CapturedLog: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let entries = Mutex<[Entry]>([])

    var all: [Entry] { entries.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let m = (metadata ?? [:]).mapValues { "\($0)" }
            log.entries.withLock { $0.append(Entry(level: level, message: "\(message)", metadata: m)) }
        }
    }
}

/// A clock the test moves by hand: the per-second line limit without waiting for seconds.
final class HandClock: Sendable {
    let instant = Mutex(ContinuousClock.now)
    func now() -> ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ d: Duration) { instant.withLock { $0 += d } }
}

/// Issue 13, finding 11: a plugin's stderr cannot flood the hub's log, and its crash backtrace is logged at
/// warning even when the line limit dropped it.
struct PluginLogTests {
    func make(_ captured: CapturedLog, _ clock: HandClock) -> PluginLog {
        PluginLog(plugin: "spewer", logger: captured.logger(), now: { clock.now() })
    }

    @Test func aLongLineIsCutAndTheNextLineIsWhole() {
        let captured = CapturedLog(), clock = HandClock()
        let log = make(captured, clock)
        // 3 MiB without a newline, over three reads, then its end and a short line.
        for _ in 0..<3 { log.stderr([UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)) }
        log.stderr(Array("rest\nshort line\n".utf8))
        let lines = captured.all
        #expect(lines.count == 2)
        #expect(lines[0].message.utf8.count == PluginLog.Limits().maxLineBytes)
        #expect(lines[0].metadata["cut"] == "true" && lines[0].level == .info && lines[0].metadata["stream"] == "stderr")
        #expect(lines[1].message == "short line" && lines[1].metadata["cut"] == nil)
    }

    @Test func linesOverTheRateAreDroppedAndCounted() {
        let captured = CapturedLog(), clock = HandClock()
        let log = make(captured, clock)
        let limit = PluginLog.Limits().linesPerSecond
        log.stderr(Array((0..<10_000).map { "line \($0)\n" }.joined().utf8))
        #expect(captured.all.count == limit)
        #expect(captured.all.last?.message == "line \(limit - 1)")
        clock.advance(.seconds(1))
        log.stderr(Array("next second\n".utf8))
        let tail = captured.all.suffix(2)
        #expect(tail.first?.level == .warning && tail.first?.message == "plugin log lines dropped")
        #expect(tail.first?.metadata["dropped"] == "\(10_000 - limit)")
        #expect(tail.last?.message == "next second")
    }

    @Test func logMessagesShareTheLimitAndAreCut() {
        let captured = CapturedLog(), clock = HandClock()
        let log = make(captured, clock)
        log.message(String(repeating: "y", count: 100_000), level: .error)
        for i in 0..<1000 { log.message("m\(i)", level: .debug) }
        #expect(captured.all.count == PluginLog.Limits().linesPerSecond)
        #expect(captured.all[0].level == .error && captured.all[0].metadata["cut"] == "true")
        #expect(captured.all[0].message.utf8.count == PluginLog.Limits().maxLineBytes)
        log.stderrEnded()
        #expect(captured.all.last?.metadata["dropped"] == "\(1001 - PluginLog.Limits().linesPerSecond)")
    }

    @Test func aBacktraceDroppedByTheLimitIsLoggedAtWarningWhenTheProcessFails() {
        let captured = CapturedLog(), clock = HandClock()
        let log = make(captured, clock)
        let backtrace = ["Traceback (most recent call last):", "  File \"crasher.py\", line 40, in main", "RuntimeError: spewed"]
        log.stderr(Array(((0..<5_000).map { "noise \($0)\n" } + backtrace.map { $0 + "\n" }).joined().utf8))
        #expect(!captured.all.contains { $0.message.hasPrefix("RuntimeError") }, "the limit dropped it")
        log.failed("exited with status 1")
        let warnings = captured.all.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.contains("plugin log lines dropped"))
        #expect(warnings.contains("plugin failed; its last stderr lines follow"))
        #expect(Array(warnings.suffix(3)) == backtrace)
        #expect(warnings.count <= 2 + PluginLog.Limits().tailLines)
    }

    @Test func whatArrivesAfterTheFailureIsLoggedAtWarningWhenTheStreamEnds() {
        let captured = CapturedLog(), clock = HandClock()
        let log = make(captured, clock)
        log.stderr(Array("starting\n".utf8))
        log.failed("did not answer event 3 of a1 in time")
        log.stderr(Array("Fatal error: boom\nStack dump:\n0 crasher".utf8))
        #expect(captured.all.last?.message == "starting", "nothing logged until the stream ends")
        log.stderrEnded()
        let end = captured.all.suffix(4)
        #expect(end.map(\.level) == [.warning, .warning, .warning, .warning])
        #expect(end.map(\.message) == ["plugin's stderr after its failure", "Fatal error: boom", "Stack dump:", "0 crasher"])
    }
}
