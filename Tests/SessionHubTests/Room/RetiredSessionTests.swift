import Model
@testable import SessionHub
import Testing

/// A session unloaded as idle (or deleted) between a caller's lookup and its job: the job is answered, never
/// left waiting (CI saw a join wait for ever after `--session-idle-minutes 0.02` unloaded its session).
@Suite struct RetiredSessionTests {
    @Test(.timeLimit(.minutes(1))) func aJobSubmittedAfterRetirementIsRefusedNotDropped() async throws {
        let room = try await Room.open()
        await room.session.retire()
        let p = Client()
        await #expect(throws: HubError.self) { try await p.join(room, name: "Late") }
        await #expect(throws: HubError.self) { _ = try await room.session.runCommand("next", facilitator: "f_test") }
        await room.close()
    }
}
