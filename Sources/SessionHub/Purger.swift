import Foundation
import Model
import Toolbox
import Yams

/// A session's own retention: the agenda's optional `retention: {names: DAYS, inputs: DAYS}` (days after
/// the close, or `never`), read from the agenda as it was stored (docs/PRIVACY.md "Retention").
public enum AgendaRetention {
    /// The rule of a stored agenda; nil when it has none (or it cannot be read: then the series and the
    /// defaults apply, as for an agenda written before the field existed).
    public static func rule(agendaSource: String) -> RetentionRule? {
        guard let node = try? Yams.compose(yaml: agendaSource)?.mapping?["retention"] else { return nil }
        guard let value = try? AgendaParser.json(node), case .success(let rule) = RetentionRule.parse(value) else { return nil }
        return rule.isEmpty ? nil : rule
    }

    /// What is wrong with a `retention:` node, by field, for the agenda's problems.
    static func problems(_ node: Node) -> [(field: String, message: String)] {
        guard let value = try? AgendaParser.json(node) else { return [("retention", "is too large")] }
        if case .failure(let p) = RetentionRule.parse(value) { return p.problems.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        return []
    }
}

/// What one backup file's purge did.
public struct BackupPurge: Sendable, Codable {
    public var file: String
    public var sessions: [PurgeDue]
    public var counts: PurgeCounts
    /// Why the file could not be purged (it is left as it was, and the run reports it).
    public var error: String?
}

/// A session the purge could not change.
public struct PurgeFailure: Sendable, Codable {
    public var session: String
    public var error: String
}

/// What `hubctl purge`, `POST /api/v1/admin/purge` or the daily run did, or would do (`dryRun`).
public struct PurgeReport: Sendable, Codable {
    public var dryRun: Bool
    public var at: Int64
    public var defaults: RetentionPolicy
    public var override: RetentionRule?
    public var sessions: [PurgeDue]
    public var counts: PurgeCounts
    public var backups: [BackupPurge]
    /// Whether the WAL was checkpointed and truncated afterwards (false: a reader held it; the next run tries again).
    public var scrubbed: Bool
    /// Sessions of `sessions` that could not be purged, with why (the others were; the next run tries these again).
    public var failures: [PurgeFailure]?

    /// One line for the audit log and the hub's log.
    public var summary: String {
        let names = sessions.filter { $0.kinds.contains(.names) }.count, inputs = sessions.filter { $0.kinds.contains(.inputs) }.count
        let inBackups = backups.reduce(PurgeCounts()) { $0 + $1.counts }
        return "\(sessions.count) sessions (names \(names), inputs \(inputs)): \(counts.joins) joins, \(counts.inputs) inputs, "
            + "\(counts.views) views, \(counts.outputs) outputs; \(backups.count) backups: \(backups.reduce(0) { $0 + $1.sessions.count }) sessions, "
            + "\(inBackups.joins) joins, \(inBackups.inputs) inputs" + (failures.map { "; \($0.count) failed" } ?? "")
    }
}

/// Applies the retention policy to a database and to the hub's backups (docs/PRIVACY.md "Retention").
public struct Purger: Sendable {
    public var defaults: RetentionPolicy
    /// The operator's `--names-days` / `--inputs-days` for this run: wins over series and session rules.
    public var override: RetentionRule?

    public init(defaults: RetentionPolicy, override: RetentionRule? = nil) {
        self.defaults = defaults
        self.override = override
    }

    /// The closed sessions due now and what of each.
    public func plan(_ candidates: [(candidate: RetentionCandidate, agendaSource: String)], now: Int64) -> [PurgeDue] {
        let resolved = candidates.map { c -> RetentionCandidate in
            var r = c.candidate
            // Only a closed session needs its agenda read.
            if r.status == .closed, r.closedAt != nil, r.purged.count < PurgeKind.allCases.count {
                r.sessionRule = AgendaRetention.rule(agendaSource: c.agendaSource)
            }
            return r
        }
        return RetentionPlanner.due(resolved, defaults: defaults, override: override, now: now)
    }

    /// Purges the live database (each session through `around`, which the hub uses to take it out of memory
    /// meanwhile), then every backup in `backupDir`, then records the run in the audit log (`audit`: when
    /// something was purged, or always for an operator's or owner's run).
    public func run(store: any HubStore & RetentionStore, backupDir: String?, dryRun: Bool, now: Int64, actor: String?, alwaysAudit: Bool,
                    around: @Sendable (String, @escaping @Sendable () async throws -> PurgeCounts) async throws -> PurgeCounts = { _, body in try await body() },
                    beforeBackups: @Sendable () async -> Void = {}) async throws -> PurgeReport {
        let due = plan(try await store.retentionCandidates(), now: now)
        var counts = PurgeCounts()
        var scrubbed = true
        var failures: [PurgeFailure] = []
        if !dryRun {
            // One session that cannot be purged (its rows are damaged) does not keep the others.
            for d in due {
                do {
                    counts = counts + (try await around(d.session) { try await store.purge(session: d.session, kinds: d.kinds, at: now) })
                } catch {
                    failures.append(PurgeFailure(session: d.session, error: "\(error)"))
                }
            }
            scrubbed = try await store.scrub()
        }
        await beforeBackups()
        var backups: [BackupPurge] = []
        if let backupDir {
            for name in DatabaseBackup.backups(in: backupDir) {
                backups.append(purgeBackup(backupDir + "/" + name, name: name, dryRun: dryRun, now: now))
            }
        }
        let report = PurgeReport(dryRun: dryRun, at: now, defaults: defaults, override: override, sessions: due, counts: counts,
                                 backups: backups.filter { !$0.sessions.isEmpty || $0.error != nil }, scrubbed: scrubbed,
                                 failures: failures.isEmpty ? nil : failures)
        let touched = !due.isEmpty || backups.contains { !$0.sessions.isEmpty }
        if !dryRun, touched || alwaysAudit {
            try await store.audit(actor: actor, action: "purge", target: nil, detail: report.summary)
            _ = try await store.scrub()
        }
        return report
    }

    /// Purges one backup file the same way, in place: it stays one self-contained file (rollback journal),
    /// with `secure_delete` on and a VACUUM after, so nothing purged is left in its free pages.
    func purgeBackup(_ path: String, name: String, dryRun: Bool, now: Int64) -> BackupPurge {
        var result = BackupPurge(file: name, sessions: [], counts: PurgeCounts())
        do {
            (result.sessions, result.counts) = try SQLiteStore.purgeFile(at: path, dryRun: dryRun, now: now) { plan($0, now: now) }
        } catch {
            result.error = "\(error)"
        }
        return result
    }
}
