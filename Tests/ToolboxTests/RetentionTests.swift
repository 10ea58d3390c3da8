import Foundation
import GRDB
import Model
import Testing
import Toolbox

@Suite struct RetentionPlannerTests {
    let day: Int64 = 86_400_000
    let closed: Int64 = 1_764_655_200_000

    func candidate(_ status: SessionStatus = .closed, closedAt: Int64? = 1_764_655_200_000, purged: Set<PurgeKind> = [],
                   series: RetentionRule? = nil, session: RetentionRule? = nil) -> RetentionCandidate {
        RetentionCandidate(session: "s_1", title: "T", status: status, closedAt: closedAt, purged: purged, seriesRule: series, sessionRule: session)
    }

    @Test func namesAreDueOnTheDayTheirPeriodEndsAndNotBefore() {
        let policy = RetentionPolicy(names: .days(90), inputs: .days(365))
        #expect(RetentionPlanner.due([candidate()], defaults: policy, now: closed + 90 * day - 1).isEmpty)
        #expect(RetentionPlanner.due([candidate()], defaults: policy, now: closed + 90 * day).map(\.kinds) == [[.names]])
        #expect(RetentionPlanner.due([candidate()], defaults: policy, now: closed + 365 * day).map(\.kinds) == [[.names, .inputs]])
        #expect(RetentionPlanner.due([candidate(purged: [.names])], defaults: policy, now: closed + 365 * day).map(\.kinds) == [[.inputs]],
                "a kind already purged is not due again")
        #expect(RetentionPlanner.due([candidate(purged: [.names, .inputs])], defaults: policy, now: closed + 999 * day).isEmpty)
    }

    @Test func sessionsThatAreNotClosedAreNeverDue() {
        let now = closed + 10_000 * day
        let zero = RetentionRule(names: .days(0), inputs: .days(0))
        for status in [SessionStatus.draft, .open] {
            #expect(RetentionPlanner.due([candidate(status)], defaults: RetentionPolicy(names: .days(0), inputs: .days(0)), override: zero, now: now).isEmpty)
        }
        #expect(RetentionPlanner.due([candidate(closedAt: nil)], defaults: RetentionPolicy(names: .days(0)), override: zero, now: now).isEmpty,
                "a closed status without a logged close has no date to count from")
    }

    @Test func theSessionRuleBeatsTheSeriesRuleWhichBeatsTheDefaultsAndTheOperatorsOverrideBeatsAll() {
        let defaults = RetentionPolicy(names: .days(90), inputs: .days(365))
        let series = RetentionRule(names: .days(30), inputs: .forever)
        let session = RetentionRule(names: .days(7))
        let due = { (c: RetentionCandidate, now: Int64, o: RetentionRule?) in RetentionPlanner.due([c], defaults: defaults, override: o, now: now).first?.kinds ?? [] }
        #expect(due(candidate(series: series), closed + 30 * day, nil) == [.names])
        #expect(due(candidate(series: series), closed + 29 * day, nil) == [])
        #expect(due(candidate(series: series), closed + 10_000 * day, nil) == [.names], "the series keeps inputs forever")
        #expect(due(candidate(series: series, session: session), closed + 7 * day, nil) == [.names])
        #expect(due(candidate(series: series, session: session), closed + 10_000 * day, nil) == [.names], "inputs still follow the series")
        #expect(due(candidate(series: series, session: session), closed, RetentionRule(inputs: .days(0))) == [.inputs])
        #expect(due(candidate(session: RetentionRule(names: .forever, inputs: .forever)), closed, RetentionRule(names: .days(0), inputs: .days(0))) == [.names, .inputs])
    }

    @Test func periodsAreWholeDaysFromZeroToACenturyOrNever() throws {
        #expect(Keep(text: "0") == .days(0))
        #expect(Keep(text: "36600") == .days(36_600))
        #expect(Keep(text: "never") == .forever && Keep(text: "Forever") == .forever)
        for bad in ["-1", "36601", "1.5", "", "soon", "99999999999999999999"] { #expect(Keep(text: bad) == nil, "\(bad)") }
        #expect(RetentionRule.parse(["names": 30, "inputs": "never"]) == .success(RetentionRule(names: .days(30), inputs: .forever)))
        guard case .failure(let problems) = RetentionRule.parse(["names": -3, "emails": 1]) else { Issue.record("accepted"); return }
        #expect(Set(problems.problems.keys) == ["retention.names", "retention.emails"])
        #expect(try JSONCoding.decode(RetentionRule.self, from: JSONCoding.string(RetentionRule(names: .forever, inputs: .days(5)))) == RetentionRule(names: .forever, inputs: .days(5)))
    }
}

@Suite struct RetentionStoreTests {
    static let name = "Gerrit Zwartkop-Uilenspiegel", function = "Wijkregisseur-Koekoeksbloem", org = "Stichting Dotterbloem-Wonen"
    static let secret = "Mijn buurvrouw Ansje Kwakkelstein heeft schulden"

    /// A closed session with a named join, one input, its views and two outputs (one filed into the kennisbank).
    func closedSession(_ store: SQLiteStore, _ id: String, code: String, status: SessionStatus = .closed) async throws {
        var record = session(id, code: code)
        record.agenda = [AgendaItem(id: "a1", plugin: "x", title: "X", anonymity: .named)]
        try await store.createSession(record, activityKeys: [:])
        var events: [(session: String, event: LoggedEvent)] = [
            (id, LoggedEvent(seq: 1, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "start", payload: [:], clientId: "c1", at: 10)),
            (id, LoggedEvent(seq: 2, kind: .join, activity: nil, actor: "p_a", role: .participant, type: "join",
                             payload: ["participant": "p_a", "name": .string(Self.name), "function": .string(Self.function), "org": .string(Self.org)], clientId: nil, at: 11)),
            (id, LoggedEvent(seq: 3, kind: .input, activity: "a1", actor: "p_a", role: .participant, type: "card", payload: ["text": .string(Self.secret)], clientId: "i1", at: 12)),
        ]
        if status == .closed {
            events.append((id, LoggedEvent(seq: 4, kind: .command, activity: nil, actor: "f_1", role: .facilitator, type: "close", payload: [:], clientId: "c2", at: 13)))
        }
        try await store.append(events)
        try await store.saveViews(session: id, [StoredView(activity: "a1", audience: "public", seq: 3, view: ["cards": [["by": .string(Self.name), "text": .string(Self.secret)]]])])
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO outputs (session_id, instance, seq, idx, kind, record, filed) VALUES (?, ?, 3, 0, 'kennisbank.intervention', '{\"title\":\"Gepubliceerd\"}', 'kb-0123456789abcdef@1')",
                           arguments: [id, "\(id)/a1"])
            try db.execute(sql: "INSERT INTO outputs (session_id, instance, seq, idx, kind, record) VALUES (?, ?, 3, 1, 'summary', ?)",
                           arguments: [id, "\(id)/a1", "{\"by\":\"\(Self.name)\"}"])
        }
    }

    func fileHolds(_ path: String, _ text: String) -> [String] {
        [path, path + "-wal", path + "-journal"].filter { FileManager.default.contents(atPath: $0)?.range(of: Data(text.utf8)) != nil }
    }

    @Test func aPurgeBlanksInPlaceKeepsPublishedOutputsAndLeavesNothingInTheFiles() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await closedSession(store, "s_1", code: "AAAAAA")
        try await closedSession(store, "s_2", code: "BBBBBB", status: .open)
        #expect(!fileHolds(path, Self.name).isEmpty && !fileHolds(path, Self.secret).isEmpty, "the scan finds them before the purge")

        let counts = try await store.purge(session: "s_1", kinds: [.names, .inputs], at: 99)
        #expect(counts.joins == 1 && counts.inputs == 1 && counts.views == 1 && counts.outputs == 1)
        try await store.scrub()
        let events = try await store.events(session: "s_1", after: 0)
        #expect(events.map(\.seq) == [1, 2, 3, 4], "seq and order kept")
        #expect(events[1].payload == ["participant": "p_a"])
        #expect(events[2].payload == ["purged": true] && events[2].type == "card" && events[2].actor == "p_a")
        #expect(try await store.views(session: "s_1").isEmpty)
        #expect(try await store.outputs(session: "s_1").map(\.filed) == ["kb-0123456789abcdef@1"], "what was filed stays")
        #expect(try await store.purgeMarks(session: "s_1") == [PurgeMark(kind: .inputs, at: 99), PurgeMark(kind: .names, at: 99)])

        // The open session is refused and untouched; so its texts are still in the file, the purged ones' are not.
        await #expect(throws: PurgeRefused.self) { try await store.purge(session: "s_2", kinds: [.names], at: 99) }
        #expect(try await store.events(session: "s_2", after: 0)[1].payload["name"] == .string(Self.name))
        try await store.deleteSession("s_2")
        for text in [Self.name, Self.function, Self.org, Self.secret] {
            #expect(fileHolds(path, text).isEmpty, "\(text) is still in \(fileHolds(path, text))")
        }
        let due = try await store.retentionCandidates().map(\.candidate)
        #expect(due.first?.purged == [.names, .inputs] && due.first?.closedAt == 13)
    }

    @Test func aBackupFileIsPurgedInPlaceAndStaysOneFile() async throws {
        let path = tempDB()
        let store = try SQLiteStore(path: path)
        try await closedSession(store, "s_1", code: "AAAAAA")
        let copy = path + ".backup.sqlite"
        try DatabaseBackup.copy(store.pool, to: copy)
        #expect(!fileHolds(copy, Self.name).isEmpty)

        let dry = try SQLiteStore.purgeFile(at: copy, dryRun: true, now: 100) { RetentionPlanner.due($0.map(\.candidate), defaults: RetentionPolicy(names: .days(0)), now: 100) }
        #expect(dry.0.map(\.kinds) == [[.names]] && !fileHolds(copy, Self.name).isEmpty, "a dry run changes nothing")
        let (due, counts) = try SQLiteStore.purgeFile(at: copy, dryRun: false, now: 100) {
            RetentionPlanner.due($0.map(\.candidate), defaults: RetentionPolicy(names: .days(0), inputs: .days(0)), now: 100)
        }
        #expect(due.map(\.kinds) == [[.names, .inputs]] && counts.joins == 1)
        for text in [Self.name, Self.function, Self.org, Self.secret] { #expect(fileHolds(copy, text).isEmpty, "\(text)") }
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"), "still one self-contained file")
        #expect(DatabaseBackup.problems(databaseAt: copy).isEmpty)
    }
}
