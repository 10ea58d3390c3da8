import Foundation
import Hummingbird
import Logging
import Model
import ServiceLifecycle
import Toolbox

/// Where and how often the hub copies its database (`--backup-dir`, `--backup-every`, `--backup-keep`).
public struct BackupPolicy: Sendable {
    /// Folder of the copies; nil: `backups` next to the database file.
    public var directory: String?
    /// Time between scheduled copies; nil: none (copies only on `POST /api/v1/admin/backup`).
    public var every: Duration?
    /// Copies kept in the folder; older ones are deleted after each new one.
    public var keep = 7
    public init() {}

    func folder(dbPath: String) -> String {
        directory ?? URL(fileURLWithPath: dbPath).deletingLastPathComponent().appendingPathComponent("backups").path
    }
}

/// Makes the hub's backups, one at a time (a scheduled one and a requested one never share a name or a rotation).
actor Backups {
    let store: any HubStore
    let directory: String
    let keep: Int
    let logger: Logger
    /// The time of the newest name handed out (a copy under way has no file under its name yet): names
    /// keep rising, and so sort by age for the rotation, even if the clock steps back.
    private var lastStamp = Date.distantPast
    private var lastName = ""

    init(store: any HubStore, directory: String, keep: Int, logger: Logger) {
        self.store = store
        self.directory = directory
        self.keep = keep
        self.logger = logger
    }

    /// A new copy under a generated name in the folder, then rotation, recorded in the audit log
    /// (`by`: the owner who asked; nil for a scheduled copy). Returns its name and size.
    func take(by actor: String?) async throws -> (name: String, bytes: Int64) {
        // PostgreSQL is backed up by the operator's pg_dump or pg_basebackup (docs/SCALING.md), not by the hub.
        guard let sqlite = store as? SQLiteStore else { throw BackupUnavailable() }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var stamp = max(Date(), lastStamp + 0.001)
        var name = DatabaseBackup.generatedName(stamp)
        while name <= lastName || FileManager.default.fileExists(atPath: directory + "/" + name) {
            stamp += 0.001
            name = DatabaseBackup.generatedName(stamp)
        }
        (lastStamp, lastName) = (stamp, name)
        let (pool, path) = (sqlite.pool, directory + "/" + name)
        let bytes = try await Self.offCooperativePool { try DatabaseBackup.copy(pool, to: path) }
        let deleted = DatabaseBackup.rotate(directory, keep: keep)
        logger.info("backup written", metadata: ["file": "\(name)", "bytes": "\(bytes)", "rotated": "\(deleted.count)"])
        try await store.audit(actor: actor, action: "backup", target: name, detail: nil)
        return (name, bytes)
    }

    /// The copy blocks its thread while it reads the whole file: not one of the few threads every session shares.
    static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result(catching: work)) }
        }
    }
}

/// `--backup-every`: a copy each period until the hub stops.
struct ScheduledBackups: Service {
    let backups: Backups
    let every: Duration
    /// What `/healthz` reads: whether the last copy failed.
    let watch: BackupWatch
    let logger: Logger

    func run() async throws {
        // Stopping the hub cancels the wait; a copy under way finishes (it is one SQLite call).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: every)
                do {
                    _ = try await backups.take(by: nil)
                    watch.scheduled(failure: nil)
                } catch {
                    logger.error("scheduled backup failed", metadata: ["error": "\(error)"])
                    watch.scheduled(failure: "\(error)")
                }
            }
        }
    }
}

/// `POST /api/v1/admin/backup`: an owner asks for a copy now. It goes into the backup folder only;
/// the answer names it, nothing else about the file system.
struct BackupAPI {
    let backups: Backups
    let auth: FacilitatorAuth

    func register(on router: Router<HubRequestContext>) {
        let admin = router.group("api/v1/admin").add(middleware: FacilitatorMiddleware(auth: auth))
        admin.post("backup", use: backup)
    }

    func backup(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        guard ctx.facilitator?.role == .owner else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only an owner may take a backup.")
        }
        do {
            let made = try await backups.take(by: ctx.facilitator?.id)
            return JSONResponse.make(status: .created, JSONValue.object(["file": .string(made.name), "bytes": .int(made.bytes)]))
        } catch is BackupUnavailable {
            throw APIError(status: .notImplemented, code: BackupUnavailable.code, message: BackupUnavailable.message)
        } catch {
            ctx.logger.error("backup failed", metadata: ["error": "\(error)"])
            throw APIError(status: .internalServerError, code: "internal", message: "The backup could not be written.")
        }
    }
}

/// The hub on PostgreSQL takes no backups of its own (issue 21; docs/SCALING.md "Backups").
public struct BackupUnavailable: Error, CustomStringConvertible {
    public init() {}
    public static let code = "backup_unavailable"
    public static let message = "This hub's store is PostgreSQL: back it up with pg_dump or pg_basebackup (docs/SCALING.md \"Backups\"); hubctl backup copies SQLite files only."
    public var description: String { Self.message }
}

