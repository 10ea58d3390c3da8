import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Copies, checks and restores the SQLite database file (docs/OPERATIONS.md "Backup and restore").
/// SQLite-only, like the file it works on: a PostgreSQL store has its own tools.
public enum DatabaseBackup {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// A consistent copy of `pool` at `destination` through SQLite's online backup API: one read
    /// transaction copies every page of one snapshot, so commits that run meanwhile (the event log keeps
    /// writing) are either wholly in the copy or not at all. Written to a temporary file first and renamed,
    /// so `destination` is never half a database. Returns the copy's size in bytes.
    @discardableResult
    public static func copy(_ pool: DatabasePool, to destination: String) throws -> Int64 {
        let target = URL(fileURLWithPath: destination)
        let partial = target.deletingLastPathComponent().appendingPathComponent("." + target.lastPathComponent + ".partial")
        try? FileManager.default.removeItem(at: partial)
        do {
            let queue = try DatabaseQueue(path: partial.path)
            try pool.backup(to: queue)
            // A rollback-journal file: the copy is one self-contained file, with no -wal to lose.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try queue.close()
            try fsync(partial.path)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: partial, to: target)
            chmodPrivate(target.path)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        return fileSize(target.path)
    }

    /// Copies the database file at `source` (the hub may be running on it) to `destination`.
    @discardableResult
    public static func copy(databaseAt source: String, to destination: String) throws -> Int64 {
        guard FileManager.default.fileExists(atPath: source) else { throw Failure("no database at \(source)") }
        var config = Configuration()
        config.busyMode = .timeout(10)
        let pool = try DatabasePool(path: source, configuration: config)
        defer { try? pool.close() }
        return try copy(pool, to: destination)
    }

    /// `PRAGMA integrity_check` of the file, and that it is a SessionHub database. Returns the problems found.
    public static func problems(databaseAt path: String) -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return ["no file at \(path)"] }
        do {
            var config = Configuration()
            config.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in
                let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if check != ["ok"] { return check }
                for table in ["grdb_migrations", "sessions", "events"] where try !db.tableExists(table) {
                    return ["not a SessionHub database: no table \(table)"]
                }
                return []
            }
        } catch {
            return ["\(error)"]
        }
    }

    /// Whether some process has the database open (for `hubctl restore`; never call it in the hub: closing
    /// the probe's descriptor would drop the process's own SQLite locks on the file). A connection in WAL mode holds a shared lock on the
    /// database file and on the dead-man byte of its `-shm` for as long as it is open (sqlite wal.c).
    public static func inUse(databaseAt path: String) -> Bool {
        // PENDING_BYTE, RESERVED_BYTE and the SHARED range of os_unix.c.
        if lockHeld(path, start: 0x4000_0000, length: 2 + 510) { return true }
        // WALINDEX_LOCK_OFFSET + 8 (the DMS slot).
        return lockHeld(path + "-shm", start: 128, length: 1)
    }

    /// Puts the checked backup at `database`. Refuses while a process has `database` open, and when
    /// `database` exists unless `replace`: then the old file and its `-wal` move aside to `NAME.replaced-STAMP`.
    /// Returns the names the old files moved to.
    @discardableResult
    public static func restore(from backup: String, to database: String, replace: Bool, now: Date = Date()) throws -> [String] {
        let found = problems(databaseAt: backup)
        guard found.isEmpty else { throw Failure("\(backup) fails the integrity check: \(found.prefix(5).joined(separator: "; "))") }
        guard !inUse(databaseAt: database) else {
            throw Failure("\(database) is open in a running process (a hub?): stop it first")
        }
        let fm = FileManager.default
        var movedAside: [String] = []
        if fm.fileExists(atPath: database) {
            guard replace else { throw Failure("\(database) exists: give --force to replace it (the old file is kept next to it)") }
            let suffix = ".replaced-" + stamp(now)
            for companion in ["", "-wal"] where fm.fileExists(atPath: database + companion) {
                try fm.moveItem(atPath: database + companion, toPath: database + suffix + companion)
                movedAside.append(database + suffix + companion)
            }
        }
        // A stale -wal or -shm of another database must never be applied to the restored one.
        for companion in ["-wal", "-shm"] { try? fm.removeItem(atPath: database + companion) }
        let target = URL(fileURLWithPath: database)
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = target.deletingLastPathComponent().appendingPathComponent("." + target.lastPathComponent + ".restoring")
        try? fm.removeItem(at: partial)
        try fm.copyItem(atPath: backup, toPath: partial.path)
        try fsync(partial.path)
        try fm.moveItem(at: partial, to: target)
        chmodPrivate(database)
        let after = problems(databaseAt: database)
        guard after.isEmpty else { throw Failure("the restored \(database) fails the integrity check: \(after.prefix(5).joined(separator: "; "))") }
        return movedAside
    }

    /// The name of a backup the hub makes: `hub-20261202T075700.123Z.sqlite`, sorting by time.
    public static func generatedName(_ now: Date = Date()) -> String { "hub-\(stamp(now)).sqlite" }

    /// The hub's backups in `directory`, oldest first.
    public static func backups(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("hub-") && $0.hasSuffix(".sqlite") }.sorted()
    }

    /// Deletes the oldest of the hub's backups in `directory` beyond the newest `keep`; returns the deleted names.
    @discardableResult
    public static func rotate(_ directory: String, keep: Int) -> [String] {
        let all = backups(in: directory)
        let old = Array(all.dropLast(max(keep, 1)))
        for name in old { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
        return old
    }

    static func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return f.string(from: date)
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Backups hold personal data and secrets: readable by the hub's user only.
    static func chmodPrivate(_ path: String) {
        _ = chmod(path, 0o600)
    }

    static func fsync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure("cannot open \(path) to sync it") }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw Failure("cannot sync \(path) to disk") }
    }

    /// Whether another process holds a lock on any byte of the range (F_GETLK: nothing is taken).
    static func lockHeld(_ path: String, start: Int, length: Int) -> Bool {
        let fd = open(path, O_RDWR)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(start)
        lock.l_len = off_t(length)
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }
}
