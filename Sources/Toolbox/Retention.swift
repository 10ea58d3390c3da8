import Foundation
import Model

/// How long one kind of a closed session's data is kept after the close (docs/PRIVACY.md "Retention").
public enum Keep: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Removed by the first purge at least this many days after the close; 0: by the next purge.
    case days(Int)
    case forever

    /// The longest period a rule may name: about a century, so `close + days` never overflows.
    public static let maxDays = 36_600

    /// `never` (or `forever`), or a whole number of days from 0 to `maxDays`.
    public init?(text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "never" || t == "forever" { self = .forever; return }
        guard let n = Int(t), (0...Self.maxDays).contains(n) else { return nil }
        self = .days(n)
    }

    public var description: String {
        switch self {
        case .days(let n): return "\(n)"
        case .forever: return "never"
        }
    }

    /// Whether data of a session closed at `closedAt` (ms) is past this period at `now` (ms).
    public func isDue(closedAt: Int64, now: Int64) -> Bool {
        switch self {
        case .forever: return false
        case .days(let n): return closedAt + Int64(n) * 86_400_000 <= now
        }
    }

    /// As JSON: the number of days, or "never".
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .days(let n): try c.encode(n)
        case .forever: try c.encode("never")
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self), let keep = Keep(text: String(n)) { self = keep; return }
        if let s = try? c.decode(String.self), let keep = Keep(text: s) { self = keep; return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "a retention is a number of days (0 to \(Self.maxDays)) or \"never\"")
    }
}

/// What a purge removes from a closed session.
public enum PurgeKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Participants' name, function and organisation, blanked in the join events.
    case names
    /// The payloads of the session's inputs (logged and sealed), blanked; with the stored views and the
    /// outputs that were not filed into the kennisbank or gereedschapskist.
    case inputs

    public static func < (a: PurgeKind, b: PurgeKind) -> Bool { a.rawValue < b.rawValue }
}

/// A series' or a session's own retention (the agenda's `retention:` field, a series' `retention:`);
/// a kind it leaves out follows the next level: the series, then the hub's defaults.
public struct RetentionRule: Sendable, Hashable, Codable {
    public var names: Keep?
    public var inputs: Keep?

    public init(names: Keep? = nil, inputs: Keep? = nil) {
        self.names = names
        self.inputs = inputs
    }

    public var isEmpty: Bool { names == nil && inputs == nil }

    /// Reads `{names: N, inputs: M}` (days or "never"); the problems, by field, when it cannot.
    public static func parse(_ value: JSONValue) -> Result<RetentionRule, RetentionProblems> {
        guard let o = value.objectValue else {
            return .failure(RetentionProblems(problems: ["retention": "must be a mapping with `names` and/or `inputs` (days after the close, or never)"]))
        }
        var rule = RetentionRule()
        var problems: [String: String] = [:]
        for (key, v) in o {
            let text: String? = v.intValue.map { String($0) } ?? v.stringValue
            guard let kind = PurgeKind(rawValue: key) else {
                problems["retention.\(key)"] = "unknown field; known: inputs, names"
                continue
            }
            guard let keep = text.flatMap(Keep.init(text:)) else {
                problems["retention.\(key)"] = "must be a whole number of days from 0 to \(Keep.maxDays), or never"
                continue
            }
            switch kind {
            case .names: rule.names = keep
            case .inputs: rule.inputs = keep
            }
        }
        return problems.isEmpty ? .success(rule) : .failure(RetentionProblems(problems: problems))
    }
}

/// What is wrong with a `retention:` field, by field (`retention.names`).
public struct RetentionProblems: Error, Sendable, Hashable {
    public var problems: [String: String]

    /// One line: `field: message; …`, by field.
    public var description: String { problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") }
}

/// The hub's defaults (`hubctl serve --retain-names-days`, `--retain-inputs-days`) with the levels that
/// override them: a session's rule before its series' rule before the defaults.
public struct RetentionPolicy: Sendable, Hashable, Codable {
    /// The defaults of docs/DECISIONS.md "Retention defaults".
    public static let defaultNames = Keep.days(90)
    public static let defaultInputs = Keep.days(365)

    public var names: Keep
    public var inputs: Keep

    public init(names: Keep = RetentionPolicy.defaultNames, inputs: Keep = RetentionPolicy.defaultInputs) {
        self.names = names
        self.inputs = inputs
    }

    /// The policy with `rule`'s kinds in place of these.
    public func overridden(by rule: RetentionRule?) -> RetentionPolicy {
        RetentionPolicy(names: rule?.names ?? names, inputs: rule?.inputs ?? inputs)
    }

    public func keep(_ kind: PurgeKind) -> Keep {
        switch kind {
        case .names: return names
        case .inputs: return inputs
        }
    }
}

/// A session as the retention sees it.
public struct RetentionCandidate: Sendable, Hashable {
    public var session: String
    public var title: String
    public var status: SessionStatus
    public var seriesId: String?
    /// The time of the session's (last) `close` command; nil when it never closed.
    public var closedAt: Int64?
    /// Kinds already purged.
    public var purged: Set<PurgeKind>
    public var seriesRule: RetentionRule?
    public var sessionRule: RetentionRule?

    public init(session: String, title: String, status: SessionStatus, seriesId: String? = nil, closedAt: Int64?,
                purged: Set<PurgeKind> = [], seriesRule: RetentionRule? = nil, sessionRule: RetentionRule? = nil) {
        self.session = session
        self.title = title
        self.status = status
        self.seriesId = seriesId
        self.closedAt = closedAt
        self.purged = purged
        self.seriesRule = seriesRule
        self.sessionRule = sessionRule
    }
}

/// One closed session and what of it is due.
public struct PurgeDue: Sendable, Hashable, Codable {
    public var session: String
    public var title: String
    public var closedAt: Int64
    public var kinds: [PurgeKind]
}

/// Which sessions are due for which purge (pure: the tests decide "when" with it).
public enum RetentionPlanner {
    /// Closed sessions only, never a draft or open one (nor one that never logged its close); a kind
    /// already purged is not due again. `override`: the operator's `hubctl purge --names-days/--inputs-days`,
    /// which wins over series and session rules for that run.
    public static func due(_ candidates: [RetentionCandidate], defaults: RetentionPolicy, override: RetentionRule? = nil, now: Int64) -> [PurgeDue] {
        candidates.compactMap { c in
            guard c.status == .closed, let closedAt = c.closedAt else { return nil }
            let policy = defaults.overridden(by: c.seriesRule).overridden(by: c.sessionRule).overridden(by: override)
            let kinds = PurgeKind.allCases.filter { !c.purged.contains($0) && policy.keep($0).isDue(closedAt: closedAt, now: now) }
            return kinds.isEmpty ? nil : PurgeDue(session: c.session, title: c.title, closedAt: closedAt, kinds: kinds)
        }
    }
}

/// What one session's purge changed, in rows.
public struct PurgeCounts: Sendable, Hashable, Codable {
    /// Join events whose name, function or organisation were blanked.
    public var joins = 0
    /// Input payloads blanked (logged and sealed).
    public var inputs = 0
    /// Stored views deleted (the hub renders them again from the purged log when the session is next loaded).
    public var views = 0
    /// Outputs deleted: the ones not filed into the kennisbank or gereedschapskist.
    public var outputs = 0

    public init() {}

    public static func + (a: PurgeCounts, b: PurgeCounts) -> PurgeCounts {
        var s = a
        s.joins += b.joins
        s.inputs += b.inputs
        s.views += b.views
        s.outputs += b.outputs
        return s
    }
}

/// When a kind of a session's data was purged (the REST session and `hubctl session show` say so).
public struct PurgeMark: Sendable, Hashable, Codable {
    public var kind: PurgeKind
    public var at: Int64

    public init(kind: PurgeKind, at: Int64) {
        self.kind = kind
        self.at = at
    }
}

/// A purge the store will not do (the session is not closed).
public struct PurgeRefused: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The retention part of the store (SQLite: SQLiteRetention.swift).
public protocol RetentionStore: Sendable {
    /// Every session with what the retention needs; `sessionRule` is left to the caller (it is in the agenda).
    func retentionCandidates() async throws -> [(candidate: RetentionCandidate, agendaSource: String)]
    /// Blanks `kinds` of a closed session in place (seq and order kept) and records the purge; refuses a
    /// session that is not closed. The freed pages are overwritten (secure delete); call `scrub` after a run.
    func purge(session: String, kinds: [PurgeKind], at: Int64) async throws -> PurgeCounts
    /// Makes what purges freed gone from the files: the WAL checkpointed and truncated. Returns false when
    /// a reader kept the checkpoint from finishing (the next purge tries again).
    @discardableResult
    func scrub() async throws -> Bool
    func purgeMarks(session: String) async throws -> [PurgeMark]
    func setSeriesRetention(series: String, _ rule: RetentionRule?) async throws
    func seriesRetention(series: String) async throws -> RetentionRule?
}

extension LoggedEvent {
    /// An input whose payload the retention removed (`{"purged":true}`): replay skips it, as if never sent.
    public var isPurged: Bool { kind == .input && payload == ["purged": true] }
}
