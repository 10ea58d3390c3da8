import Foundation
import Logging
import ServiceLifecycle
import Toolbox

/// Keeps the audit log to its retention (`--audit-retention-days`, docs/PRIVACY.md "The audit log"):
/// entries older than that are deleted at start and then once a day.
struct AuditRetention: Service {
    let store: any HubStore
    let keep: Duration
    let logger: Logger
    var every: Duration = .seconds(86_400)

    func run() async throws {
        // Stopping the hub cancels the wait.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await apply(now: SessionServices.now())
                try await Task.sleep(for: every)
            }
        }
    }

    func apply(now: Int64) async {
        do {
            let removed = try await store.purgeAudit(before: now - Int64(keep / .milliseconds(1)))
            if removed > 0 { logger.info("audit entries past their retention removed", metadata: ["count": "\(removed)"]) }
        } catch {
            logger.error("audit retention failed", metadata: ["error": "\(error)"])
        }
    }
}
