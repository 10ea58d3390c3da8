import Foundation
import Hummingbird
import Model
import Plugins
import Synchronization
import Toolbox

#if canImport(Glibc)
import Glibc
#endif

/// One thing wrong with this node, as `/healthz` names it: a stable `code`, an English sentence for the
/// operator (`message`), and the particulars (`detail`, `plugin`).
struct HealthProblem: Sendable {
    var code: String
    var message: String
    var detail: String?
    var plugin: String?

    var json: JSONValue {
        var o: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let detail { o["detail"] = .string(detail) }
        if let plugin { o["plugin"] = .string(plugin) }
        return .object(o)
    }
}

/// `GET /healthz` (docs/OPERATIONS.md "Health and metrics"). 503 only when this node cannot store inputs
/// (the event log fails): a load balancer then takes it out. Everything else that is wrong (a plugin failed,
/// the disk nearly full, backups late) is a 200 `degraded` with `problems`, since the node still serves
/// every session: dropping it for a failed plugin would end every other session on it too.
struct Health: Sendable {
    let host: PluginHost
    let log: EventLog
    let disk: DiskWatch
    let backups: BackupWatch?
    /// This node's URL (`--node-url`) with several nodes on one store: behind HAProxy, which node answered.
    var node: (@Sendable () -> String)?

    func register(on router: Router<HubRequestContext>) {
        router.get("healthz") { _, _ -> Response in await self.response() }
    }

    func problems() async -> [HealthProblem] {
        var found: [HealthProblem] = []
        if let failure = await log.failure {
            found.append(HealthProblem(code: "log_not_durable", message: "The event log cannot store inputs; they are refused until it can.",
                                       detail: failure))
        }
        for status in await host.statuses() where status.state == .failed {
            found.append(HealthProblem(code: "plugin_failed", message: "Plugin \(status.name) failed for every session; `hubctl plugins reload` starts it again.",
                                       detail: status.error ?? "", plugin: status.name))
        }
        if let p = disk.problem() { found.append(p) }
        if let p = backups?.problem() { found.append(p) }
        return found
    }

    func response() async -> Response {
        let found = await problems()
        let named: [String: JSONValue] = node.map { ["node": .string($0())] } ?? [:]
        let body = JSONValue.array(found.map(\.json))
        if let failing = found.first(where: { $0.code == "log_not_durable" }) {
            return JSONResponse.make(status: .serviceUnavailable, JSONValue.object([
                "status": "failing", "reason": .string(failing.detail ?? failing.message), "problems": body].merging(named, uniquingKeysWith: { $1 })))
        }
        guard !found.isEmpty else { return JSONResponse.make(JSONValue.object(["status": "ok"].merging(named, uniquingKeysWith: { $1 }))) }
        return JSONResponse.make(JSONValue.object(["status": "degraded", "problems": body].merging(named, uniquingKeysWith: { $1 })))
    }
}

/// Free space of the file system that holds the database (`--min-free-disk-mb`): below it, the node
/// still stores, but will not for long (and a backup or VACUUM on the same disk may fail first).
struct DiskWatch: Sendable {
    /// The SQLite file; nil on a PostgreSQL store, whose disk is the database server's (watched by its own monitoring).
    let databasePath: String?
    /// Bytes free below which the disk counts as nearly full; 0: never.
    let minFreeBytes: Int64

    /// Bytes the hub's user may still write there, or nil when the file system cannot be asked.
    func freeBytes() -> Int64? {
        guard let databasePath else { return nil }
        var info = statvfs()
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        guard statvfs(folder, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    func problem() -> HealthProblem? {
        guard minFreeBytes > 0, let free = freeBytes(), free < minFreeBytes else { return nil }
        let mb = { (bytes: Int64) in bytes >> 20 }
        return HealthProblem(code: "disk_nearly_full",
                             message: "The database's disk has \(mb(free)) MB free, less than --min-free-disk-mb \(mb(minFreeBytes)).",
                             detail: "\(free) bytes free")
    }
}

/// Whether `--backup-every` keeps up: the newest copy in `--backup-dir` is at most twice the period old
/// (the hub's start counts as a copy while there is none), and the last scheduled copy did not fail.
final class BackupWatch: Sendable {
    let directory: String
    let every: Duration
    let started: Date
    private let lastFailure = Mutex<String?>(nil)

    init(directory: String, every: Duration, started: Date = Date()) {
        self.directory = directory
        self.every = every
        self.started = started
    }

    /// A scheduled copy failed (`error`) or succeeded (nil).
    func scheduled(failure error: String?) { lastFailure.withLock { $0 = error } }

    func problem(now: Date = Date()) -> HealthProblem? {
        if let failure = lastFailure.withLock({ $0 }) {
            return HealthProblem(code: "backups_late", message: "The last scheduled backup failed; see the log (`scheduled backup failed`).",
                                 detail: failure)
        }
        let newest = DatabaseBackup.backups(in: directory).last.flatMap { name in
            (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.modificationDate] as? Date
        }
        let period = Double(every.components.seconds) + Double(every.components.attoseconds) / 1e18
        let age = now.timeIntervalSince(newest ?? started)
        guard age > 2 * period else { return nil }
        let what = newest == nil ? "There is no backup in --backup-dir yet" : "The newest backup in --backup-dir is \(Int(age / 60)) minutes old"
        return HealthProblem(code: "backups_late", message: "\(what), more than twice --backup-every.",
                             detail: newest.map { "newest backup written \(ISO8601DateFormatter().string(from: $0))" } ?? "no backup since the hub started")
    }
}
