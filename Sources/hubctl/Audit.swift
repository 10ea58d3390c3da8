import ArgumentParser
import Foundation
import Model
import Toolbox

/// `hubctl audit`: the audit log of facilitator and operator actions (docs/PRIVACY.md, "The audit log"),
/// from the database file (`--db`) or from a running hub (owner token).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: logins, failed logins, session create/start/close/delete, exports, kicks, kennisbank publications, backups.",
        discussion: "With --db it reads the database file (the hub may run); without, it asks the running hub (an owner's token).")
    @OptionGroup var server: ServerOptions
    @Option(help: "Read this SQLite database file instead of asking a running hub.") var db: String?
    @Option(help: "Only entries from then on: an ISO 8601 date or time (2026-12-01, 2026-12-01T08:00:00Z) or an age such as 30m, 24h, 7d.")
    var since: String?
    @Option(help: "Only this action, e.g. login.failed or session.delete.") var action: String?
    @Option(help: "At most this many entries, the newest (1 to 10000, default 1000).") var limit = 1000
    @Flag(help: "Print a JSON array of {id, at, time, actor, actorEmail, action, target, detail}.") var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
        if let since, Self.milliseconds(since, now: Date()) == nil {
            throw ValidationError("--since must be an ISO 8601 date or time, or an age such as 30m, 24h or 7d")
        }
    }

    func run() async throws {
        try await reporting {
            let sinceMs = since.flatMap { Self.milliseconds($0, now: Date()) }
            let entries: [JSONValue]
            if let db {
                try existingDatabase(db)
                let found = try await SQLiteStore(path: db).auditEntries(AuditQuery(since: sinceMs, action: action, limit: limit))
                entries = try found.map { try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode($0)) }
            } else {
                var query = ["limit=\(limit)"]
                if let sinceMs { query.append("since=\(sinceMs)") }
                if let action { query.append("action=\(escape(action))") }
                let a = try await server.client().expect("GET", "/api/v1/audit?" + query.joined(separator: "&"))
                entries = a.json?["entries"]?.arrayValue ?? []
            }
            let timed = entries.map(Self.withTime)
            if json { printJSON(.array(timed)); return }
            for e in timed {
                let who = e["actorEmail"]?.stringValue ?? e["actor"]?.stringValue ?? "-"
                let detail = e["detail"]?.stringValue.map { "  (\($0))" } ?? ""
                print("\(e["time"]?.stringValue ?? "")  \((e["action"]?.stringValue ?? "").padding(toLength: 18, withPad: " ", startingAt: 0))  \(who)  \(e["target"]?.stringValue ?? "-")\(detail)")
            }
        }
    }

    /// The entry with `time`, its `at` as ISO 8601 UTC.
    static func withTime(_ entry: JSONValue) -> JSONValue {
        guard case .object(var fields) = entry, let at = entry["at"]?.intValue else { return entry }
        fields["time"] = .string(iso(at))
        return .object(fields)
    }

    static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// `--since` as milliseconds since 1970: a date, a date and time, or an age before `now`.
    static func milliseconds(_ text: String, now: Date) -> Int64? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last.flatMap({ units[$0] }), let n = Double(text.dropLast()), n >= 0 {
            return Int64((now.timeIntervalSince1970 - n * unit) * 1000)
        }
        let f = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate]] {
            f.formatOptions = options
            if let d = f.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}
