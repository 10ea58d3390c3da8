import Foundation

/// What one search may cost (issue 13, finding 3). Every word of a query becomes an FTS5 prefix term, and
/// SQLite's work grows with each one: 1,000 one-letter words kept a core busy for minutes. So a query has at
/// most `maxTerms` words and `maxCharacters` characters, and the REST layer gives each search a time budget
/// (`--search-timeout-ms`) after which SQLite is interrupted.
public enum SearchLimits {
    public static let maxTerms = 16
    public static let maxCharacters = 256
    public static let defaultTimeout: Duration = .milliseconds(250)
}

/// Why a search was refused; the REST layer answers 400 (`query_too_long`) or 503 (`search_timeout`).
public enum SearchError: Error, Sendable, Equatable {
    case tooManyCharacters(Int)
    case tooManyTerms(Int)
    case timedOut(Duration)
    /// Cancelled from outside, as on shutdown: the hub never waits for a search to finish.
    case stopped

    public var message: String {
        switch self {
        case .tooManyCharacters(let n):
            return "The search text has \(n) characters; at most \(SearchLimits.maxCharacters) are allowed."
        case .tooManyTerms(let n):
            return "The search text has \(n) words; at most \(SearchLimits.maxTerms) are allowed."
        case .timedOut(let limit):
            return "The search took longer than \(Int(limit / .milliseconds(1))) ms and was stopped; try fewer or longer words."
        case .stopped:
            return "The search was stopped because the hub is shutting down; try again shortly."
        }
    }
}

/// Runs `work` with a time limit: when the limit passes first, `work` is cancelled (a GRDB read then
/// interrupts its SQLite statement, `sqlite3_interrupt`) and `SearchError.timedOut` is thrown. The caller
/// waits only for the interrupted statement to unwind, never for the query to finish.
public func withSearchTimeout<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw SearchError.timedOut(limit)
        }
        defer { group.cancelAll() }
        do {
            guard let first = try await group.next() else { throw SearchError.timedOut(limit) }
            return first
        } catch let e as SearchError {
            throw e
        } catch where Task.isCancelled {
            throw SearchError.stopped
        }
    }
}
