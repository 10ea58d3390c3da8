import Foundation
import Logging

/// Prints a report's HTML to PDF with headless Chromium (Debian's `chromium`), one print at a time, each
/// in a fresh temporary profile and killed after `timeout` (docs/REPORTS.md, docs/OPERATIONS.md).
actor PDFPrinter {
    enum Failure: Error, Equatable {
        /// No Chromium on this server: the request answers `pdf_unavailable`.
        case unavailable
        /// Chromium ran but gave no PDF in time, or failed.
        case failed(String)
    }

    static let shared = PDFPrinter()

    /// `SESSIONHUB_CHROMIUM` (a path, or `none` to switch PDF off), else the first of these on PATH.
    static let candidates = ["chromium", "chromium-browser", "google-chrome"]
    let timeout: Duration = .seconds(45)

    static func chromium() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let set = env["SESSIONHUB_CHROMIUM"], !set.isEmpty {
            return set == "none" || !FileManager.default.isExecutableFile(atPath: set) ? nil : set
        }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in candidates where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        }
        return nil
    }

    func pdf(html: String) async throws(Failure) -> Data {
        guard let chromium = Self.chromium() else { throw .unavailable }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sessionhub-pdf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html"), out = dir.appendingPathComponent("report.pdf")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: page)
        } catch { throw .failed("cannot write the page: \(error)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                       "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--no-pdf-header-footer",
                       "--print-to-pdf=\(out.path)", page.absoluteString]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let done = AsyncStream<Int32>.makeStream()
        p.terminationHandler = { done.continuation.yield($0.terminationStatus); done.continuation.finish() }
        do { try p.run() } catch { throw .failed("cannot start \(chromium): \(error)") }
        let timeout = self.timeout, pid = p.processIdentifier
        let killer = Task { try await Task.sleep(for: timeout); kill(pid, SIGKILL) }
        var status: Int32 = -1
        for await s in done.stream { status = s }
        killer.cancel()
        guard let data = try? Data(contentsOf: out), data.starts(with: Array("%PDF".utf8)) else {
            throw .failed(status == 0 ? "chromium wrote no PDF" : "chromium ended with \(status) (or was stopped after \(timeout))")
        }
        return data
    }
}
