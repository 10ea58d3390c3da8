import Foundation
import Hummingbird
import Logging
import Model
import ServiceLifecycle
import Toolbox
import Yams

/// Runs the retention on the hub's own database and backups, one run at a time: at start and daily
/// (`RetentionService`) and when an owner asks (`POST /api/v1/admin/purge`).
actor RetentionRunner {
    let purger: Purger
    let store: any ServedStore
    let registry: SessionRegistry
    /// The SQLite store's backup folder, which the retention purges too; nil on PostgreSQL (the operator's backups).
    let backupDir: String?
    let logger: Logger
    private var running = false

    init(defaults: RetentionPolicy, store: any ServedStore, registry: SessionRegistry, backupDir: String?, logger: Logger) {
        self.purger = Purger(defaults: defaults)
        self.store = store
        self.registry = registry
        self.backupDir = backupDir
        self.logger = logger
    }

    struct Busy: Error {}

    /// One run; `Busy` while another is under way. Each purged session is out of memory while its rows
    /// change (viewers of a closed session reconnect), and loads again from the purged log.
    func run(override: RetentionRule?, dryRun: Bool, actor: String?, requested: Bool) async throws -> PurgeReport {
        guard !running else { throw Busy() }
        running = true
        defer { running = false }
        var purger = purger
        purger.override = override
        let (registry, folder) = (registry, backupDir)
        let report = try await purger.run(
            store: store, backupDir: folder, dryRun: dryRun, now: SessionServices.now(), actor: actor, alwaysAudit: requested,
            around: { id, body in try await registry.whileUnloaded(id, body) },
            beforeBackups: { if let folder { await Self.copiesFinished(in: folder) } })
        if !dryRun, !report.sessions.isEmpty || !report.backups.isEmpty {
            logger.info("retention purge", metadata: ["summary": "\(report.summary)", "scrubbed": "\(report.scrubbed)"])
        }
        for f in report.failures ?? [] {
            logger.error("session not purged", metadata: ["session": "\(f.session)", "error": "\(f.error)"])
        }
        for b in report.backups where b.error != nil {
            logger.error("backup not purged", metadata: ["file": "\(b.file)", "error": "\(b.error ?? "")"])
        }
        return report
    }

    /// A copy under way holds the database as it was when it started, maybe before the purge: it is waited
    /// for (its `.NAME.partial` file becomes NAME), so that the sweep of the folder purges it too.
    /// A partial file nobody wrote to for 5 minutes is left over from a hub that died while copying: not waited for.
    static func copiesFinished(in folder: String) async {
        for _ in 0..<600 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            let underWay = names.filter { $0.hasPrefix(".hub-") && $0.hasSuffix(".partial") }.contains { name in
                let modified = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.modificationDate] as? Date
                return modified.map { Date().timeIntervalSince($0) < 300 } ?? false
            }
            guard underWay else { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// `--retain-names-days`, `--retain-inputs-days`: the retention applied at start and then once a day.
struct RetentionService: Service {
    let runner: RetentionRunner
    let logger: Logger
    var every: Duration = .seconds(86_400)

    func run() async throws {
        // Stopping the hub cancels the wait.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { _ = try await runner.run(override: nil, dryRun: false, actor: nil, requested: false) } catch is RetentionRunner.Busy {
                } catch {
                    logger.error("retention purge failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: every)
            }
        }
    }
}

/// `POST /api/v1/admin/purge` (owner): the retention now, or what it would remove (`dryRun`), with the
/// operator's overrides `namesDays` / `inputsDays` (days, or "never").
struct PurgeAPI {
    let runner: RetentionRunner
    let auth: FacilitatorAuth

    func register(on router: Router<HubRequestContext>) {
        let admin = router.group("api/v1/admin").add(middleware: FacilitatorMiddleware(auth: auth))
        admin.post("purge", use: purge)
    }

    struct Body: Decodable {
        var dryRun: Bool?
        var namesDays: Keep?
        var inputsDays: Keep?
    }

    func purge(_ req: Request, _ ctx: HubRequestContext) async throws -> Response {
        guard ctx.facilitator?.role == .owner else {
            throw APIError(status: .forbidden, code: "forbidden", message: "Only an owner may purge.")
        }
        guard let buffer = try? await req.body.collect(upTo: 4096) else {
            throw APIError(status: .badRequest, code: "bad_message", message: "The body has at most 4 KiB.")
        }
        var body = Body()
        if buffer.readableBytes > 0 {
            do { body = try JSONCoding.decode(Body.self, from: Data(buffer.readableBytesView)) } catch {
                throw APIError(status: .badRequest, code: "bad_message",
                               message: "Send {\"dryRun\": bool, \"namesDays\": days or \"never\", \"inputsDays\": days or \"never\"}, each optional.")
            }
        }
        let override = RetentionRule(names: body.namesDays, inputs: body.inputsDays)
        do {
            let report = try await runner.run(override: override.isEmpty ? nil : override, dryRun: body.dryRun ?? false,
                                              actor: ctx.facilitator?.id, requested: true)
            return JSONResponse.make(report)
        } catch is RetentionRunner.Busy {
            throw APIError(status: .conflict, code: "busy", message: "A purge is under way; try again when it has finished.")
        } catch {
            ctx.logger.error("purge failed", metadata: ["error": "\(error)"])
            throw APIError(status: .internalServerError, code: "internal", message: "The purge failed; the hub's log says why.")
        }
    }
}

/// A series' own retention: `retention: {names: N, inputs: M}` in the series YAML or JSON (docs/PRIVACY.md "Retention").
enum SeriesRetention {
    /// The rule in a series document; nil when it has none. 400 when it is not a valid rule.
    static func rule(_ text: String, json: Bool) throws -> RetentionRule? {
        let value: JSONValue?
        if json {
            value = JSONCoding.parse(text)?["retention"]
        } else {
            // Only this field is expanded, within a YAML budget.
            guard let node = (try? Yams.compose(yaml: text))??.mapping?["retention"] else { return nil }
            guard let v = try? AgendaParser.json(node) else {
                throw APIError(status: .badRequest, code: "bad_message", message: "A series' `retention` is too large.")
            }
            value = v
        }
        guard let value, value != .null else { return nil }
        switch RetentionRule.parse(value) {
        case .success(let rule): return rule.isEmpty ? nil : rule
        case .failure(let problems):
            throw APIError(status: .badRequest, code: "bad_message", message: "A series' `retention` is wrong: \(problems.description).")
        }
    }

    /// A series as created: its record with its retention.
    struct Shown: Encodable {
        var id: String
        var title: String
        var kind: String?
        var description: String?
        var createdAt: Int64
        var retention: RetentionRule?

        init(_ r: SeriesRecord, _ retention: RetentionRule?) {
            (id, title, kind, description, createdAt, self.retention) = (r.id, r.title, r.kind, r.description, r.createdAt, retention)
        }
    }
}
