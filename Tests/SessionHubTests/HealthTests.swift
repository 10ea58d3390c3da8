import Foundation
import Testing
@testable import SessionHub

/// Issue 17: what /healthz calls late backups and a nearly full disk (docs/OPERATIONS.md "Health and metrics").
@Suite struct HealthTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "health-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func copy(in folder: String, named name: String, written: Date) throws {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: path)
    }

    @Test func withoutACopyTheHubsStartCountsUntilTwiceThePeriodHasPassed() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let started = Date()
        let watch = BackupWatch(directory: dir, every: .seconds(3600), started: started)
        #expect(watch.problem(now: started + 7000) == nil)
        let late = watch.problem(now: started + 7300)
        #expect(late?.code == "backups_late")
        #expect(late?.message.contains("no backup") == true)
    }

    @Test func theNewestCopyByNameDecidesAndAFreshOneIsNotLate() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Date()
        let watch = BackupWatch(directory: dir, every: .seconds(3600), started: now)
        try Self.copy(in: dir, named: "hub-20200101T000000.000Z.sqlite", written: now - 3 * 86_400)
        #expect(watch.problem(now: now)?.message.contains("minutes old") == true)
        try Self.copy(in: dir, named: "hub-20261202T080000.000Z.sqlite", written: now - 600)
        try Self.copy(in: dir, named: "not-a-backup.sqlite", written: now - 9 * 86_400)
        #expect(watch.problem(now: now) == nil)
    }

    @Test func aFailedScheduledCopyIsLateUntilTheNextSucceeds() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let watch = BackupWatch(directory: dir, every: .seconds(3600))
        watch.scheduled(failure: "disk full")
        #expect(watch.problem()?.detail == "disk full")
        watch.scheduled(failure: nil)
        #expect(watch.problem() == nil)
    }

    @Test func theDiskIsNearlyFullBelowTheThresholdAndNeverWithZero() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/hub.sqlite"
        let free = try #require(DiskWatch(databasePath: db, minFreeBytes: 0).freeBytes())
        #expect(DiskWatch(databasePath: db, minFreeBytes: 0).problem() == nil)
        #expect(DiskWatch(databasePath: db, minFreeBytes: 1).problem() == nil)
        let full = DiskWatch(databasePath: db, minFreeBytes: free + (1 << 40)).problem()
        #expect(full?.code == "disk_nearly_full")
    }
}
