import Foundation
import Model

/// A person's data (docs/PRIVACY.md "Answering a request"): what can be found of one participant, facilitator
/// or contributor, handed out and erased. Participants have no account: a participant is a session and a
/// participant id, found by the name they gave at the join.
public protocol PersonalDataStore: Sendable {
    /// The joins whose name matches `name` (case-insensitively, surrounding spaces ignored), in every session.
    func participants(named name: String) async throws -> [ParticipantMatch]
    /// Blanks the participant's join and inputs in place (`ParticipantErasure`), replaces the session's stored
    /// views by `views`, records `participant.erase` and overwrites the old bytes in the file and the WAL.
    /// Returns how many events were blanked; `StoreError.notFound` when the participant never joined.
    func eraseParticipant(session: String, participant: String, anonymous: Set<String>, views: [StoredView], actor: String?) async throws -> Int

    /// The account, the sessions it created and the audit entries it made or that name it; nil when unknown.
    func facilitatorData(email: String) async throws -> FacilitatorData?
    /// Deletes the account and its tokens and blanks its e-mail and name where they are stored (the audit log's
    /// `login`/`login.failed` targets and `facilitator.add` details); records `facilitator.erase` under its id.
    func eraseFacilitator(email: String, actor: String?) async throws -> Bool
    /// Deletes a contributor (by id or e-mail): their row and invitation token. Their descriptions stay.
    func eraseContributor(_ idOrEmail: String, actor: String?) async throws -> ContributorRecord?

    /// Deletes a kennisbank record with every version, its facets, search rows and monitoring; `kennisbank.delete`.
    func deleteIntervention(_ id: String, actor: String?) async throws -> Bool
    /// Deletes a gereedschapskist item with every version, its facets and search rows; `toolkit.delete`.
    func deleteToolkitItem(_ id: String, actor: String?) async throws -> Bool
}

public struct ParticipantMatch: Codable, Sendable, Hashable {
    public var session: String
    public var code: String
    public var title: String
    public var status: SessionStatus
    public var participant: String
    public var name: String
}

public struct FacilitatorData: Codable, Sendable {
    public var account: [String: JSONValue]
    public var sessions: [[String: JSONValue]]
    public var audit: [AuditEntry]
}

/// What erasing one participant does to each event of a closed session's log: the join keeps only the
/// participant id (name, function and organisation go), and each of the participant's inputs to a `named` or
/// `pseudonymous` activity keeps its seq, activity, type, time and idempotency id but has its payload replaced
/// by `{"erased": true}`, so replay and provenance stay valid. Inputs of `anonymous` activities are not touched:
/// after the close they are sealed and not linked to anyone.
public enum ParticipantErasure {
    public static let erasedPayload: JSONValue = ["erased": true]

    /// The event as erased, or nil when erasing the participant does not change it.
    public static func blank(_ e: LoggedEvent, participant: String, anonymous: Set<String>) -> LoggedEvent? {
        var out = e
        switch e.kind {
        case .join:
            guard (e.payload["participant"]?.stringValue ?? e.actor) == participant else { return nil }
            out.payload = ["participant": .string(participant), "erased": true]
        case .input:
            guard e.actor == participant, e.role == .participant, let a = e.activity, !anonymous.contains(a) else { return nil }
            out.payload = erasedPayload
        case .command:
            return nil
        }
        return out == e ? nil : out
    }

    /// Whether the participant joined this log.
    public static func joined(_ events: [LoggedEvent], participant: String) -> Bool {
        events.contains { $0.kind == .join && ($0.payload["participant"]?.stringValue ?? $0.actor) == participant }
    }
}

extension LoggedEvent {
    /// An input a participant's erasure blanked (`{"erased":true}`): replay skips it, as if never sent, like a
    /// purged one (`isPurged`).
    public var isErased: Bool { kind == .input && payload == ParticipantErasure.erasedPayload }
}

/// What `participant export` hands out: the participant's join (name, function, organisation) and their
/// inputs to `named` and `pseudonymous` activities, from the session's log. Inputs to `anonymous` activities
/// are left out: they are not linkable to a participant (after the close by anyone, before it not through
/// any export either).
public enum ParticipantExport {
    public static let anonymousNote = "Inputs to anonymous activities are not linkable to a participant and are not part of this export."

    public static func build(_ record: SessionRecord, events: [LoggedEvent], participant: String) -> JSONValue? {
        guard let join = events.first(where: { $0.kind == .join && ($0.payload["participant"]?.stringValue ?? $0.actor) == participant }) else {
            return nil
        }
        let anonymity = Dictionary(record.agenda.map { ($0.id, $0.anonymity) }, uniquingKeysWith: { a, _ in a })
        let inputs: [JSONValue] = events.compactMap { e in
            guard e.kind == .input, e.role == .participant, e.actor == participant, let a = e.activity,
                  let mode = anonymity[a], mode != .anonymous else { return nil }
            return ["seq": .int(e.seq), "activity": .string(a), "anonymity": .string(mode.rawValue), "type": .string(e.type),
                    "payload": e.payload, "at": .int(e.at)]
        }
        let p = join.payload
        var session: [String: JSONValue] = ["id": .string(record.id), "code": .string(record.code), "title": .string(record.title),
                                            "status": .string(record.status.rawValue)]
        session["date"] = record.date.map(JSONValue.string)
        // Optional fields are absent, never null (web/openapi.json).
        var person: [String: JSONValue] = ["id": .string(participant), "joinedAt": .int(join.at), "erased": p["erased"] ?? false]
        for field in ["name", "function", "org"] { person[field] = p[field]?.stringValue.map(JSONValue.string) }
        return [
            "session": .object(session),
            "participant": .object(person),
            "inputs": .array(inputs),
            "anonymousActivities": .array(record.agenda.filter { $0.anonymity == .anonymous }.map { .string($0.id) }),
            "note": .string(anonymousNote),
        ]
    }
}
