import Foundation
import Logging
import Model
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why a plugin process was given up on.
public enum PluginFailure: Error, Sendable, Hashable, CustomStringConvertible {
    case couldNotStart(String)
    case exited(Int32)
    /// Ended by a signal: a crash (SIGILL, SIGTRAP, SIGSEGV, …) or a kill from outside (SIGKILL).
    case signalled(Int32)
    case timedOut(String)
    case garbage(String)
    case protocolViolation(String)
    case stopped

    public var description: String {
        switch self {
        case .couldNotStart(let s): return "could not start: \(s)"
        case .exited(let code): return "exited with status \(code)"
        case .signalled(let signal): return "was ended by signal \(signal)"
        case .timedOut(let what): return "did not answer \(what) in time"
        case .garbage(let line): return "wrote a line that is not protocol JSON: \(line.prefix(120))"
        case .protocolViolation(let s): return "broke the protocol: \(s)"
        case .stopped: return "was stopped"
        }
    }

    /// Whether the message the process was working on when this happened is to blame: a crash, a hang,
    /// garbage or a broken answer while handling it. A kill from outside (SIGKILL: an operator, the OOM
    /// killer, a test) or a failed start is not any input's fault.
    public var blamesInput: Bool {
        switch self {
        case .exited, .timedOut, .garbage, .protocolViolation: return true
        case .signalled(let signal): return signal != SIGKILL
        case .couldNotStart, .stopped: return false
        }
    }
}

/// What a request gets when its own message was the one the process failed on (`PluginFailure.blamesInput`):
/// the host refuses that input instead of counting the failure against the whole plugin.
public struct PluginFault: Error, Sendable {
    public var failure: PluginFailure
    /// The instance the message was for.
    public var instance: String
}

/// Limits on what a plugin may send the hub (docs/PLUGINS.md).
public struct PluginLimits: Sendable {
    /// Longest line (one message) a plugin may write.
    public var maxLineBytes = 4 << 20
    /// How long a plugin may take to answer one message before it counts as hung.
    public var answerTimeout: Duration = .seconds(5)
    /// Lines a plugin may write per second before it counts as flooding.
    public var maxLinesPerSecond = 20_000
    /// What of its stderr and `log` messages reaches the hub's log.
    public var log = PluginLog.Limits()

    public init() {}
}

/// One running plugin executable, serving every instance of its plugin. It answers in the order it was
/// asked (CONTRACTS.md §2), so replies are matched first-in, first-out.
actor PluginProcess {
    let manifest: PluginManifest
    let folder: URL
    let binDir: URL
    let logger: Logger
    let limits: PluginLimits
    /// Its stderr and `log` messages, bounded, on their way to the hub's log.
    let log: PluginLog
    /// Told once when this process fails for any reason, with the instance whose message it failed on
    /// (when `blamesInput`); not told on a deliberate `terminate`.
    let onFailure: @Sendable (PluginFailure, String?) async -> Void

    private var process: Process?
    private var stdinHandle: FileHandle?
    private let writeQueue: DispatchQueue
    private var pending: [(serial: Int, expect: Expect, cont: Waiter)] = []
    /// When the plugin could start on the oldest waiting message: when it was written, or when the answer
    /// before it came. A message's answer time counts from here, not from its write: one queued behind
    /// others (a replay, a burst) has not had its turn yet, and blaming it for their time refused innocent inputs.
    private var headSince = ContinuousClock.now
    /// Lines the reader thread took from the process's stdout, and lines this actor has handled: when the
    /// first is ahead, the plugin has answered and the hub (its cooperative threads busy, as after a restart
    /// with a room reconnecting) has not read the answer yet; that is no plugin's hang.
    private let linesRead = LineCount()
    private var linesHandled = 0
    private var nextSerial = 0
    private var failed: PluginFailure?
    private var terminating = false
    private var linesThisSecond = 0
    private var secondStart = ContinuousClock.now

    enum Expect: Sendable {
        case ready
        case answer(instance: String, seq: Int64)
        case stopped(instance: String)

        var instance: String? {
            switch self {
            case .ready: return nil
            case .answer(let i, _), .stopped(let i): return i
            }
        }
    }

    init(manifest: PluginManifest, folder: URL, binDir: URL, logger: Logger, limits: PluginLimits,
         onFailure: @escaping @Sendable (PluginFailure, String?) async -> Void) {
        self.manifest = manifest
        self.folder = folder
        self.binDir = binDir
        self.logger = logger
        self.limits = limits
        self.log = PluginLog(plugin: manifest.name, logger: logger, limits: limits.log)
        self.onFailure = onFailure
        self.writeQueue = DispatchQueue(label: "plugin-stdin-\(manifest.name)")
    }

    var pid: Int32? { process?.processIdentifier }

    /// Starts the executable and completes the hello/ready handshake.
    func launch() async throws {
        var args = manifest.command.map { $0.replacingOccurrences(of: "${HUB_BIN_DIR}", with: binDir.path) }
        var program = args.removeFirst()
        if !program.contains("/") {
            program = Self.which(program) ?? program
        } else if !program.hasPrefix("/") {
            program = folder.appendingPathComponent(program).path
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        env["HUB_BIN_DIR"] = binDir.path
        env["PYTHONUNBUFFERED"] = "1"
        p.environment = env
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.terminationHandler = { [weak self] proc in
            let status = proc.terminationStatus
            let signalled = proc.terminationReason == .uncaughtSignal
            Task { await self?.exited(status, signalled: signalled) }
        }
        Self.markDescriptorsCloseOnExec()
        do {
            try p.run()
        } catch {
            throw PluginFailure.couldNotStart("\(program): \(error)")
        }
        process = p
        stdinHandle = inPipe.fileHandleForWriting
        startReading(outPipe.fileHandleForReading)
        startLogging(errPipe.fileHandleForReading)
        let answer = try await request(.hello(protocol: PluginProtocol.version), expect: .ready, timeout: .seconds(10))
        guard case .ready(let name, _, let proto) = answer else { throw PluginFailure.protocolViolation("expected ready") }
        guard name == manifest.name, proto == PluginProtocol.version else {
            let failure = PluginFailure.protocolViolation("ready names `\(name)` protocol \(proto), expected `\(manifest.name)` protocol \(PluginProtocol.version)")
            await fail(failure)
            throw failure
        }
    }

    /// Foundation's `Process` lets the child inherit every descriptor not marked close-on-exec, including the
    /// hub's listening socket: a plugin outliving a killed hub would keep its port bound. Mark them all first
    /// (the child's own pipe ends are dup2'ed onto 0, 1 and 2, which clears the flag for those).
    static func markDescriptorsCloseOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Sends a message that the plugin must answer, and waits for that answer.
    func request(_ message: HostMessage, expect: Expect, timeout: Duration? = nil) async throws -> PluginMessage {
        if let failed { throw failed }
        // A message that cannot be encoded is refused here, before it is written: the process is fine.
        let line = try message.jsonLine + "\n"
        let serial = nextSerial
        nextSerial += 1
        return try await withCheckedThrowingContinuation { cont in
            enqueue(line, expect: expect, serial: serial, .one(cont), timeout: timeout ?? limits.answerTimeout)
        }
    }

    /// Sends messages in order without waiting between them, and returns their answers in that order: a replay
    /// keeps the plugin busy instead of paying a round trip per logged event. Fails as a whole with the first
    /// failure (the process then failed, and every message after it with it).
    func requests(_ batch: [(message: HostMessage, expect: Expect)]) async throws -> [PluginMessage] {
        if let failed { throw failed }
        if batch.isEmpty { return [] }
        let lines = try batch.map { try $0.message.jsonLine + "\n" }
        let answers = Answers(count: batch.count)
        return try await withCheckedThrowingContinuation { cont in
            answers.cont = cont
            for (i, line) in lines.enumerated() {
                let serial = nextSerial
                nextSerial += 1
                enqueue(line, expect: batch[i].expect, serial: serial, .slot(answers, i), timeout: limits.answerTimeout)
            }
        }
    }

    private func enqueue(_ line: String, expect: Expect, serial: Int, _ waiter: Waiter, timeout: Duration) {
        if pending.isEmpty { headSince = .now }
        pending.append((serial, expect, waiter))
        write(line)
        scheduleTimeout(serial, limit: timeout, after: timeout)
    }

    private func write(_ line: String) {
        guard let handle = stdinHandle else { return }
        let data = Data(line.utf8)
        // A plugin that stops reading fills the pipe; the blocking write then holds this queue, not a
        // cooperative thread. The answer timeout notices, and killing the process releases the write.
        // A failed write (EPIPE) only says that the process is gone or stopped reading, not why: its exit
        // status does (a crash on the message it was working on blames that input, a SIGKILL from outside
        // blames none), and the termination handler or the answer timeout reports it. Blaming the message
        // being written refused an innocent input for good whenever a plugin was killed just before it.
        writeQueue.async {
            _ = try? handle.write(contentsOf: data)
        }
    }

    private func scheduleTimeout(_ serial: Int, limit: Duration, after delay: Duration) {
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.checkTimeout(serial, limit: limit)
        }
    }

    private func checkTimeout(_ serial: Int, limit: Duration) async {
        guard let index = pending.firstIndex(where: { $0.serial == serial }) else { return }
        let entry = pending[index]
        // Still queued behind others, or the plugin's turn on it began less than `limit` ago: look again later.
        guard index == 0 else { return scheduleTimeout(serial, limit: limit, after: limit) }
        let deadline = headSince + limit
        guard deadline <= .now else { return scheduleTimeout(serial, limit: limit, after: deadline - .now) }
        guard linesRead.value.load(ordering: .acquiring) == linesHandled else {
            return scheduleTimeout(serial, limit: limit, after: .milliseconds(100))
        }
        let what: String
        switch entry.expect {
        case .ready: what = "hello"
        case .answer(let i, let s): what = "event \(s) of \(i)"
        case .stopped(let i): what = "stop of \(i)"
        }
        await fail(.timedOut(what))
    }

    private func startReading(_ handle: FileHandle) {
        let (stream, cont) = AsyncStream<String?>.makeStream()
        let maxLine = limits.maxLineBytes
        let linesRead = self.linesRead
        Thread.detachNewThread {
            var buffer: [UInt8] = []
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(contentsOf: chunk)
                var start = 0
                while let nl = buffer[start...].firstIndex(of: 0x0A) {
                    linesRead.value.add(1, ordering: .releasing)
                    cont.yield(String(decoding: buffer[start..<nl], as: UTF8.self))
                    start = nl + 1
                }
                buffer.removeFirst(start)
                if buffer.count > maxLine {
                    cont.yield(nil)
                    break
                }
            }
            cont.finish()
        }
        Task { [weak self] in
            for await line in stream {
                guard let self else { return }
                if let line { await self.received(line) } else { await self.fail(.protocolViolation("a line longer than \(maxLine) bytes")) }
            }
            await self?.stdoutEnded()
        }
    }

    private func startLogging(_ handle: FileHandle) {
        let log = self.log
        Thread.detachNewThread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                log.stderr(chunk)
            }
            log.stderrEnded()
        }
    }

    private static func visibleASCIIAtBothEnds(_ line: String) -> Bool {
        guard let first = line.utf8.first, let last = line.utf8.last else { return false }
        return (0x21...0x7E).contains(first) && (0x21...0x7E).contains(last)
    }

    private func received(_ line: String) async {
        linesHandled += 1
        if failed != nil { return }
        // Answers are bounded by what the hub asked (a pipelined replay asks for thousands a second): only lines
        // nobody asked for count towards the limit, counted before parsing when nothing is asked.
        let unasked = pending.isEmpty
        if unasked, await flooding() { return }
        // Foundation's trimming bridges to NSString: 14 % of a debug hub's replay (perf, 2026-12-03). A line that
        // starts and ends with visible ASCII, as every JSON line does, has nothing to trim.
        let trimmed = Self.visibleASCIIAtBothEnds(line) ? line : line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return }
        let message: PluginMessage
        switch PluginMessage.parse(trimmed) {
        case .failure(.notJSON):
            await fail(.garbage(trimmed))
            return
        case .failure(.badMessage(let why)):
            await fail(.protocolViolation(why))
            return
        case .success(let m):
            message = m
        }
        if case .log(let level, let text) = message {
            if !unasked, await flooding() { return }
            log.message(text, level: Logger.Level(rawValue: level) ?? .info)
            return
        }
        guard !pending.isEmpty else {
            await fail(.protocolViolation("an answer nobody asked for"))
            return
        }
        let head = pending.removeFirst()
        headSince = .now
        switch (head.expect, message) {
        case (.ready, .ready):
            head.cont.resume(.success(message))
        case (.answer(let i, let s), .views(let mi, let ms, _, _)) where mi == i && ms == s:
            head.cont.resume(.success(message))
        case (.answer(let i, let s), .reject(let mi, let ms, _, _)) where mi == i && ms == s:
            head.cont.resume(.success(message))
        case (.stopped(let i), .stopped(let mi)) where mi == i:
            head.cont.resume(.success(message))
        default:
            pending.insert(head, at: 0)
            await fail(.protocolViolation("answer out of order"))
        }
    }

    /// Counts one unasked line; past `maxLinesPerSecond` in a second the plugin is flooding and fails.
    private func flooding() async -> Bool {
        let now = ContinuousClock.now
        if now - secondStart > .seconds(1) {
            secondStart = now
            linesThisSecond = 0
        }
        linesThisSecond += 1
        guard linesThisSecond > limits.maxLinesPerSecond else { return false }
        await fail(.protocolViolation("more than \(limits.maxLinesPerSecond) lines per second"))
        return true
    }

    /// Its stdout ended: the process is exiting. The termination handler normally reports how; now and then
    /// (about one kill in ten under the crash loop) it came only after the answer timeout, which then blamed the
    /// input in flight for an outside SIGKILL. So the exit is also read here, without reaping the process
    /// (`WNOWAIT`: Foundation still collects it), for up to 2 s.
    private func stdoutEnded() async {
        guard let pid = process?.processIdentifier else { return }
        for _ in 0..<40 {
            if failed != nil || terminating { return }
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid {
                let killed = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED
                return await exited(info._sifields._sigchld.si_status, signalled: killed)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func exited(_ status: Int32, signalled: Bool) async {
        if terminating { failAll(PluginFailure.stopped); return }
        await fail(signalled ? .signalled(status) : .exited(status))
    }

    /// Gives up on this process: every waiting request fails, the process is killed, the host is told.
    /// The plugin answers in order, so the oldest waiting request is the message it was working on: that
    /// one gets a `PluginFault` when the failure blames its input, the others the plain failure.
    func fail(_ failure: PluginFailure) async {
        guard failed == nil else { return }
        failed = failure
        var blamed: (instance: String, cont: Waiter)?
        if failure.blamesInput, let head = pending.first, let instance = head.expect.instance {
            pending.removeFirst()
            blamed = (instance, head.cont)
        }
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL) }
        if !terminating { log.failed("\(failure)") }
        // The host records the failure before anyone waiting hears of it, so that they see its outcome
        // (an instance failed for its session, the plugin restarting).
        if !terminating { await onFailure(failure, blamed?.instance) }
        blamed.map { $0.cont.resume(.failure(PluginFault(failure: failure, instance: $0.instance))) }
        failAll(failure)
    }

    private func failAll(_ error: any Error) {
        let waiting = pending
        pending.removeAll()
        for w in waiting { w.cont.resume(.failure(error)) }
    }

    /// Deliberate stop (reload, shutdown): not reported as a failure.
    func terminate() {
        terminating = true
        if failed == nil { failed = .stopped }
        failAll(PluginFailure.stopped)
        if let p = process, p.isRunning {
            p.terminate()
            let pid = p.processIdentifier
            Task.detached {
                try? await Task.sleep(for: .seconds(2))
                kill(pid, SIGKILL)
            }
        }
    }
}

/// A count the stdout reader thread raises and the process actor reads.
final class LineCount: Sendable {
    let value = Atomic<Int>(0)
}

/// Who waits for an answer: one request, or one message of a pipelined batch (`requests`).
private enum Waiter {
    case one(CheckedContinuation<PluginMessage, any Error>)
    case slot(Answers, Int)

    func resume(_ result: Result<PluginMessage, any Error>) {
        switch self {
        case .one(let cont): cont.resume(with: result)
        case .slot(let answers, let index): answers.fill(index, result)
        }
    }
}

/// A pipelined batch's answers, filled in order on the process's actor; its caller resumes when the last
/// arrives, or at the first failure.
private final class Answers {
    var cont: CheckedContinuation<[PluginMessage], any Error>?
    private var results: [PluginMessage?]
    private var missing: Int

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        missing = count
    }

    func fill(_ index: Int, _ result: Result<PluginMessage, any Error>) {
        guard let cont else { return }
        switch result {
        case .failure(let error):
            self.cont = nil
            cont.resume(throwing: error)
        case .success(let message):
            results[index] = message
            missing -= 1
            if missing == 0 {
                self.cont = nil
                cont.resume(returning: results.map { $0! })
            }
        }
    }
}
