import Foundation
import Model

/// Everything the hub keeps, behind one protocol so that PostgreSQL can follow SQLite (DESIGN.md §3).
/// No method relies on SQLite-only behaviour; where the SQLite store uses any, its implementation says so.
public protocol HubStore: Sendable {
    /// A random secret, created on first use and kept in the database (rejoin-token key and the like).
    func secret(named name: String) async throws -> [UInt8]

    func addFacilitator(_ f: FacilitatorRecord) async throws
    func facilitators() async throws -> [FacilitatorRecord]
    func facilitator(email: String) async throws -> FacilitatorRecord?
    func facilitator(id: String) async throws -> FacilitatorRecord?
    /// Removes by id or e-mail; true when one was removed. Its tokens go with it.
    func removeFacilitator(_ idOrEmail: String) async throws -> Bool

    func saveToken(hash: String, facilitatorId: String, at: Int64) async throws
    /// The facilitator of a live token (not revoked, not expired by `lifetime`); records the use (sliding expiry).
    func facilitatorId(forTokenHash hash: String, at now: Int64, lifetime: TokenLifetime) async throws -> String?
    /// Deletes revoked and expired token rows; returns how many went.
    func purgeTokens(at now: Int64, lifetime: TokenLifetime) async throws -> Int
    func revokeToken(hash: String) async throws

    func addContributor(_ c: ContributorRecord, tokenHash: String) async throws
    /// A contributor whose invitation is not revoked.
    func contributor(forTokenHash hash: String) async throws -> ContributorRecord?
    func contributors() async throws -> [ContributorRecord]
    /// True when one was revoked now.
    func revokeContributor(_ id: String, at: Int64) async throws -> Bool

    func saveSeries(_ s: SeriesRecord) async throws
    func series(_ idOrTitle: String) async throws -> SeriesRecord?
    func allSeries() async throws -> [SeriesRecord]

    /// Fails with `StoreError.duplicate` when the code is taken.
    func createSession(_ s: SessionRecord, activityKeys: [String: [UInt8]]) async throws
    func session(_ idOrCode: String) async throws -> SessionRecord?
    func sessions() async throws -> [SessionRecord]
    func sessions(status: SessionStatus) async throws -> [SessionRecord]
    func codeInUse(_ code: String) async throws -> Bool
    func activityKeys(session: String) async throws -> [String: [UInt8]]
    /// Deletes the session's rows and records it in the audit log (`actor`: the facilitator, nil for the operator).
    func deleteSession(_ id: String, actor: String?) async throws

    /// Appends in one transaction and makes it durable (the group commit of the event log). One session's
    /// events cannot fail another's: a session whose events break a constraint (its row is gone, a duplicate
    /// seq or client id) or cannot be encoded has none of its events of this batch stored, and is returned
    /// with the reason; every other session's events are stored. Throws, storing nothing, only when the
    /// database itself cannot write (busy, full, read-only, I/O): then the same batch can be written again.
    @discardableResult
    func append(_ batch: [(session: String, event: LoggedEvent)]) async throws -> [String: String]
    func events(session: String, after seq: Int64) async throws -> [LoggedEvent]
    /// The seq an idempotency key was accepted with, if any.
    func acceptedSeq(session: String, actor: String, clientId: String) async throws -> Int64?

    /// What closing a session makes permanent (DESIGN.md §5): the participant inputs of the `anonymous` activities
    /// (`anonymous`: activity → participant → pseudonym) leave the log for the sealed inputs, as `AnonymousSeal`
    /// orders and times them, without idempotency ids; the activity keys are deleted (the link is gone); the
    /// payloads of confidential input types are redacted. The freed pages are overwritten.
    func seal(session: String, anonymous: [String: [String: String]], confidential: [String: [String]]) async throws
    /// The sealed inputs of a closed session's anonymous activities, by activity in their sealed order.
    func sealedInputs(session: String) async throws -> [SealedInput]

    func saveViews(session: String, _ views: [StoredView]) async throws
    func views(session: String) async throws -> [StoredView]
    /// Stores outputs under (instance, seq, index); ones already stored are left as they are. New outputs of
    /// the kinds `kennisbank.intervention` and `gereedschapskist.item` are filed into the kennisbank in the
    /// same transaction (docs/PLUGINS.md "Output records"). Returns the new outputs as filed.
    @discardableResult
    func saveOutputs(session: String, _ outputs: [StoredOutput]) async throws -> [StoredOutput]
    func outputs(session: String) async throws -> [StoredOutput]

    /// Appends to the audit log (docs/PRIVACY.md, "The audit log"): `actor` is a facilitator id, nil for the
    /// operator's `hubctl` on the database or the hub itself. There is no call that changes or removes an entry
    /// other than `purgeAudit`, the retention, and a facilitator's erasure (`PersonalDataStore.eraseFacilitator`).
    func audit(actor: String?, action: String, target: String?, detail: String?) async throws
    /// Entries, oldest first: the newest `limit` of those that match.
    func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry]
    /// Removes the entries older than `before` (ms); returns how many went.
    func purgeAudit(before: Int64) async throws -> Int
}

extension HubStore {
    /// Deletes a session on the operator's behalf (no facilitator).
    public func deleteSession(_ id: String) async throws { try await deleteSession(id, actor: nil) }

    public func audit(actor: String?, action: String, target: String?) async throws {
        try await audit(actor: actor, action: action, target: target, detail: nil)
    }
}
