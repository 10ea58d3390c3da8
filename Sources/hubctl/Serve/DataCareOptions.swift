import ArgumentParser
import SessionHub
import Toolbox

/// What the hub keeps and for how long: retention, the audit log, backups, disk space (docs/PRIVACY.md, docs/OPERATIONS.md).
struct DataCareOptions: ParsableArguments {
    @Option(name: .customLong("audit-retention-days"), help: "Days the audit log keeps an entry; older ones are deleted at start and daily (at least 1).")
    var auditRetentionDays: Double = 365

    @Option(name: .customLong("retain-names-days"), help: "Days after a session's close at which its participants' names, functions and organisations are removed, or `never` (per series or agenda: `retention: {names: N}`).")
    var retainNamesDays = RetentionPolicy.defaultNames

    @Option(name: .customLong("retain-inputs-days"), help: "Days after a session's close at which its inputs are removed (published kennisbank and gereedschapskist records stay), or `never` (per series or agenda: `retention: {inputs: N}`).")
    var retainInputsDays = RetentionPolicy.defaultInputs

    @Option(name: .customLong("backup-dir"), help: "Folder the hub writes its backups into (POST /api/v1/admin/backup, --backup-every); default: `backups` next to --db.")
    var backupDir: String?

    @Option(name: .customLong("backup-every"), help: "Hours between scheduled backups into --backup-dir (default: none).")
    var backupEvery: Double?

    @Option(name: .customLong("backup-keep"), help: "Backups kept in --backup-dir; older ones are deleted after each new one.")
    var backupKeep = 7

    @Option(name: .customLong("min-free-disk-mb"), help: "Free space (MB) on the database's file system below which /healthz reports disk_nearly_full (0: never).")
    var minFreeDiskMB = 512

    func validate() throws {
        guard auditRetentionDays >= 1, auditRetentionDays <= 36_600 else { throw ValidationError("--audit-retention-days must be 1 to 36600") }
        if let h = backupEvery, !(h > 0 && h <= 24 * 366) { throw ValidationError("--backup-every must be more than 0 hours and at most a year") }
        guard backupKeep >= 1 else { throw ValidationError("--backup-keep must be at least 1") }
        guard (0...1 << 30).contains(minFreeDiskMB) else { throw ValidationError("--min-free-disk-mb must be 0 to 1073741824") }
    }

    func apply(to config: inout HubConfiguration) {
        config.rest.auditRetention = Serve.duration(auditRetentionDays * 86_400)
        config.retention = RetentionPolicy(names: retainNamesDays, inputs: retainInputsDays)
        config.backup.directory = backupDir
        config.backup.every = backupEvery.map { Serve.duration($0 * 3600) }
        config.backup.keep = backupKeep
        config.minFreeDiskBytes = Int64(minFreeDiskMB) << 20
    }
}
