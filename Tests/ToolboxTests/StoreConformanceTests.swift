import Foundation
import Model
import Testing
import Toolbox

/// The store conformance suite (issue 21): the same test bodies on SQLite and PostgreSQL (`StoreKind.available`),
/// each on a fresh store. EventLogTests and EventLogDurabilityTests hold the event log's part.
@Suite struct StoreConformanceTests {
    @Test(.enabled(if: StoreKind.postgresURL != nil, Comment(rawValue: StoreKind.postgresSkipped)))
    func postgresIsReachable() async throws {
        let under = try await StoreUnderTest.fresh(.postgres)
        #expect(try await under.store.sessions().isEmpty)
    }

    @Test(arguments: StoreKind.available) func aSecretIsMadeOnceAndKept(_ kind: StoreKind) async throws {
        let under = try await StoreUnderTest.fresh(kind)
        let first = try await under.store.secret(named: "rejoin-token-key")
        #expect(first.count == 32)
        #expect(try await under.reopen().secret(named: "rejoin-token-key") == first, "another hub on the same data gets the same key")
        #expect(try await under.store.secret(named: "other") != first)
    }

    @Test(arguments: StoreKind.available) func facilitatorsAreUniqueByEmailInAnyCase(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        let ann = FacilitatorRecord(id: "f_1", email: "Ann@example.org", name: "Ann", passwordHash: "h1", role: .owner, createdAt: 1)
        try await store.addFacilitator(ann)
        await #expect(throws: StoreError.self) {
            try await store.addFacilitator(FacilitatorRecord(id: "f_2", email: "ann@EXAMPLE.org", name: "Other", passwordHash: "h2", role: .coFacilitator, createdAt: 2))
        }
        try await store.addFacilitator(FacilitatorRecord(id: "f_3", email: "bob@example.org", name: "Bob", passwordHash: "h3", role: .coFacilitator, createdAt: 3))
        #expect(try await store.facilitator(email: "ann@example.org") == ann)
        #expect(try await store.facilitator(id: "f_1") == ann)
        #expect(try await store.facilitators().map(\.id) == ["f_1", "f_3"])
        #expect(try await store.auditEntries(AuditQuery(action: "facilitator.add")).map(\.target) == ["f_1", "f_3"])
        #expect(try await store.removeFacilitator("BOB@example.org"))
        #expect(try await store.removeFacilitator("f_3") == false)
        #expect(try await store.facilitators().map(\.id) == ["f_1"])
    }

    @Test(arguments: StoreKind.available) func tokensExpireSlideAndGoWithTheirFacilitator(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.addFacilitator(FacilitatorRecord(id: "f_1", email: "a@example.org", name: "A", passwordHash: "h", role: .owner, createdAt: 1))
        let lifetime = TokenLifetime(idle: .seconds(100), maxAge: .seconds(1000))
        let t0: Int64 = 1_000_000
        try await store.saveToken(hash: "live", facilitatorId: "f_1", at: t0)
        try await store.saveToken(hash: "revoked", facilitatorId: "f_1", at: t0)
        try await store.revokeToken(hash: "revoked")
        #expect(try await store.facilitatorId(forTokenHash: "live", at: t0 + 1, lifetime: lifetime) == "f_1")
        #expect(try await store.facilitatorId(forTokenHash: "revoked", at: t0 + 1, lifetime: lifetime) == nil)
        #expect(try await store.facilitatorId(forTokenHash: "nothing", at: t0 + 1, lifetime: lifetime) == nil)
        // Used at +90 s, so idle only from then: alive at +150 s, gone at +191 s.
        #expect(try await store.facilitatorId(forTokenHash: "live", at: t0 + 90_000, lifetime: lifetime) == "f_1")
        #expect(try await store.facilitatorId(forTokenHash: "live", at: t0 + 150_000, lifetime: lifetime) == "f_1")
        #expect(try await store.facilitatorId(forTokenHash: "live", at: t0 + 1_100_000, lifetime: lifetime) == nil, "past the maximum age")
        #expect(try await store.purgeTokens(at: t0 + 200_000, lifetime: lifetime) == 1, "the revoked one")
        try await store.saveToken(hash: "second", facilitatorId: "f_1", at: t0)
        #expect(try await store.removeFacilitator("f_1"))
        #expect(try await store.facilitatorId(forTokenHash: "second", at: t0 + 1, lifetime: lifetime) == nil, "tokens go with their facilitator")
    }

    @Test(arguments: StoreKind.available) func contributorsAreFoundByTokenUntilRevoked(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        let c = ContributorRecord(id: "c_1", name: "Carla", email: nil, organisation: "Wijkteam", invitedBy: "f_1", createdAt: 5)
        try await store.addContributor(c, tokenHash: "tok")
        #expect(try await store.contributor(forTokenHash: "tok") == c)
        #expect(try await store.revokeContributor("c_1", at: 9))
        #expect(try await store.revokeContributor("c_1", at: 10) == false)
        #expect(try await store.contributor(forTokenHash: "tok") == nil)
        #expect(try await store.contributors().map(\.revokedAt) == [9])
    }

    @Test(arguments: StoreKind.available) func seriesAreSavedUpdatedAndFoundByIdOrTitle(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Wijkgesprekken", kind: "reeks", createdAt: 1))
        try await store.saveSeries(SeriesRecord(id: "r_2", title: "r_1", createdAt: 2))
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Wijkgesprekken 2027", kind: nil, description: "Vier avonden", createdAt: 99))
        #expect(try await store.series("r_1") == SeriesRecord(id: "r_1", title: "Wijkgesprekken 2027", description: "Vier avonden", createdAt: 1),
                "an id goes before a title; an update keeps the creation time")
        #expect(try await store.series("Wijkgesprekken 2027")?.id == "r_1")
        #expect(try await store.series("none") == nil)
        #expect(try await store.allSeries().map(\.id) == ["r_2", "r_1"], "newest first")
    }

    @Test(arguments: StoreKind.available) func seriesParticipantsKeepTheirDomainAndTrio(_ kind: StoreKind) async throws {
        let store = try #require(try await StoreUnderTest.fresh(kind).store as? any SeriesParticipantStore & HubStore)
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Leerkring", createdAt: 1))
        try await store.enrolSeriesParticipant(series: "r_1", participant: "p_b", domain: "wonen", at: 10)
        try await store.enrolSeriesParticipant(series: "r_1", participant: "p_a", domain: nil, at: 10)
        try await store.enrolSeriesParticipant(series: "r_1", participant: "p_c", domain: "zorg", at: 5)
        try await store.enrolSeriesParticipant(series: "r_1", participant: "p_b", domain: nil, at: 20)
        try await store.enrolSeriesParticipant(series: "r_1", participant: "p_a", domain: "veiligheid", at: 30)
        try await store.keepTrios(series: "r_1", ["p_a": "t1", "p_c": "t1", "p_x": "t2"])
        #expect(try await store.seriesParticipants(series: "r_1") == [
            SeriesParticipant(id: "p_c", domain: "zorg", trio: "t1", joinedAt: 5),
            SeriesParticipant(id: "p_a", domain: "veiligheid", trio: "t1", joinedAt: 10),
            SeriesParticipant(id: "p_b", domain: "wonen", trio: nil, joinedAt: 10),
        ], "first join kept, a given domain replaces, none keeps it; trios only for enrolled participants; oldest first")
        #expect(try await store.seriesParticipants(series: "other").isEmpty)
    }

    @Test(arguments: StoreKind.available) func sessionsKeepTheirFieldsCodesAndKeys(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.saveSeries(SeriesRecord(id: "r_1", title: "Reeks", createdAt: 1))
        var s = session("s_1", code: "ABCDEF")
        s.seriesId = "r_1"
        s.title = "Avond één"
        s.date = "2026-12-02"
        s.lang = .en
        s.agendaSource = "agenda:\n  - plugin: x\n"
        s.createdBy = "f_1"
        try await store.createSession(s, activityKeys: ["a1": [1, 2, 3], "a2": [0, 255]])
        try await store.createSession(session("s_2", code: "GHJKLM"), activityKeys: [:])
        await #expect(throws: StoreError.self) { try await store.createSession(session("s_3", code: "ABCDEF"), activityKeys: [:]) }
        #expect(try await store.session("s_1") == s)
        #expect(try await store.session("abcdef") == s, "codes match in any case")
        #expect(try await store.codeInUse("ABCDEF"))
        #expect(try await store.codeInUse("ZZZZZZ") == false)
        #expect(try await store.activityKeys(session: "s_1") == ["a1": [1, 2, 3], "a2": [0, 255]])
        #expect(Set(try await store.sessions().map(\.id)) == ["s_1", "s_2"])

        // The status follows the log: a start command makes the session live.
        try await store.append([("s_1", LoggedEvent(seq: 1, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "start",
                                                    payload: [:], clientId: nil, at: 5))])
        #expect(try await store.session("s_1")?.seq == 1)
        #expect(try await store.sessions(status: .open).map(\.id) == ["s_1"])
        #expect(try await store.sessions(status: .draft).map(\.id) == ["s_2"])
        try await store.deleteSession("s_2", actor: "f_1")
        #expect(try await store.auditEntries(AuditQuery(action: "session.delete")).map(\.actor) == ["f_1"])
    }

    @Test(arguments: StoreKind.available) func viewsAreReplacedAndOutputsStoredOnce(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: [:])
        try await store.saveViews(session: "s_1", [StoredView(activity: "a1", audience: "beamer", seq: 3, view: ["n": 1]),
                                                   StoredView(activity: "a1", audience: "participant", seq: 3, view: ["n": 2])])
        try await store.saveViews(session: "s_1", [StoredView(activity: "a1", audience: "beamer", seq: 7, view: ["n": 3, "tekst": "één"])])
        #expect(try await store.views(session: "s_1") == [StoredView(activity: "a1", audience: "beamer", seq: 7, view: ["n": 3, "tekst": "één"])])

        let first = [StoredOutput(instance: "s_1/a1", seq: 4, index: 0, kind: "report.section", record: ["x": 1]),
                     StoredOutput(instance: "s_1/a1", seq: 4, index: 1, kind: "report.section", record: ["x": 2]),
                     StoredOutput(instance: "s_1/a0", seq: 2, index: 0, kind: "report.section", record: ["x": 0])]
        #expect(try await store.saveOutputs(session: "s_1", first) == first)
        let replay = [StoredOutput(instance: "s_1/a1", seq: 4, index: 0, kind: "report.section", record: ["x": 99]),
                      StoredOutput(instance: "s_1/a1", seq: 9, index: 0, kind: "report.section", record: ["x": 3])]
        #expect(try await store.saveOutputs(session: "s_1", replay).map(\.seq) == [9], "an output already stored under its key is not stored again")
        #expect(try await store.outputs(session: "s_1").map(\.record) == [["x": 0], ["x": 1], ["x": 2], ["x": 3]], "by seq, instance, index")
    }

    @Test(arguments: StoreKind.available) func sealingRemovesTheLinkAndTheConfidentialText(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.createSession(session("s_1", code: "ABCDEF"), activityKeys: ["a1": [1], "a2": [2]])
        try await store.append([
            ("s_1", LoggedEvent(seq: 1, kind: .input, activity: "a1", actor: "p_bob", role: .participant, type: "ballot", payload: ["choice": 1], clientId: "v1", at: 7_300_000)),
            ("s_1", LoggedEvent(seq: 2, kind: .input, activity: "a1", actor: "p_alice", role: .participant, type: "ballot", payload: ["choice": 2], clientId: "v2", at: 7_200_500)),
            ("s_1", LoggedEvent(seq: 3, kind: .input, activity: "a2", actor: "p_alice", role: .participant, type: "case", payload: ["text": "geheim"], clientId: "c1", at: 3)),
            ("s_1", LoggedEvent(seq: 4, kind: .input, activity: "a2", actor: "p_alice", role: .participant, type: "advice", payload: ["text": "advies"], clientId: "c2", at: 4)),
        ])
        try await store.seal(session: "s_1", anonymous: ["a1": ["p_alice": "x_b", "p_bob": "x_a"]], confidential: ["a2": ["case"]])
        let events = try await store.events(session: "s_1", after: 0)
        #expect(events.map(\.seq) == [3, 4], "the anonymous ballots left the log")
        #expect(events.map(\.payload) == [Redaction.payload, ["text": "advies"]], "only the confidential type is redacted")
        #expect(try await store.sealedInputs(session: "s_1") == [
            SealedInput(activity: "a1", actor: "x_a", type: "ballot", payload: ["choice": 1], at: 7_200_000),
            SealedInput(activity: "a1", actor: "x_b", type: "ballot", payload: ["choice": 2], at: 7_200_000),
        ], "in pseudonym order, with one coarse time")
        #expect(try await store.acceptedSeq(session: "s_1", actor: "p_bob", clientId: "v1") == nil, "no idempotency id is kept")
        #expect(try await store.activityKeys(session: "s_1") == ["a2": [2]])
        #expect(try await store.auditEntries(AuditQuery(action: "session.seal")).map(\.target) == ["s_1"])
    }

    @Test(arguments: StoreKind.available) func theAuditLogIsQueriedOldestFirstAndKeepsYoungEntries(_ kind: StoreKind) async throws {
        let store = try await StoreUnderTest.fresh(kind).store
        try await store.addFacilitator(FacilitatorRecord(id: "f_1", email: "f@example.org", name: "F", passwordHash: "h", role: .owner, createdAt: 1))
        try await store.audit(actor: "f_1", action: "login", target: "f@example.org", detail: nil)
        try await store.audit(actor: nil, action: "login.failed", target: "x@example.org", detail: "from 127.0.0.2")
        try await store.audit(actor: "f_1", action: "session.start", target: "s_1")
        let all = try await store.auditEntries(AuditQuery())
        #expect(all.map(\.action) == ["facilitator.add", "login", "login.failed", "session.start"])
        #expect(all[1].actorEmail == "f@example.org")
        #expect(try await store.auditEntries(AuditQuery(action: "login.failed")).map(\.detail) == ["from 127.0.0.2"])
        #expect(try await store.auditEntries(AuditQuery(limit: 2)).map(\.action) == ["login.failed", "session.start"], "the newest, oldest first")
        #expect(try await store.auditEntries(AuditQuery(since: Int64.max)).isEmpty)
        #expect(try await store.purgeAudit(before: 0) == 0)
        await #expect(throws: (any Error).self, "the database refuses to delete an entry younger than a day") {
            try await store.purgeAudit(before: WallClock.millis() + 1000)
        }
        #expect(try await store.auditEntries(AuditQuery()).count == 4)
    }
}
