import Foundation

/// The result formulas of the voting plugin (docs/VOTING.md), pure functions so tests can check them
/// against numbers computed by hand. A library of its own so that every plugin that counts votes (voting,
/// theme-choice) counts them the same way.
public enum Tally {
    /// Percentages that sum to exactly 100 (largest remainder): floor every share, then give the points
    /// left to the largest remainders; ties go to the earlier option.
    public static func percentages(_ counts: [Int]) -> [Int] {
        let total = counts.reduce(0, +)
        guard total > 0 else { return counts.map { _ in 0 } }
        // Whole numbers throughout: floating-point remainders would let rounding noise decide ties.
        var result = counts.map { $0 * 100 / total }
        let remainders = counts.map { $0 * 100 % total }
        let left = 100 - result.reduce(0, +)
        let order = counts.indices.sorted { a, b in
            remainders[a] == remainders[b] ? a < b : remainders[a] > remainders[b]
        }
        for i in order.prefix(left) { result[i] += 1 }
        return result
    }

    /// Median; for an even count the mean of the middle two.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Borda count: with n options a first place earns n−1 points, the last 0. Returns points per option
    /// and, per option, how often it stood at each position.
    public static func borda(_ rankings: [[Int]], options n: Int) -> (points: [Int], positions: [[Int]]) {
        var points = Array(repeating: 0, count: n)
        var positions = Array(repeating: Array(repeating: 0, count: n), count: n)
        for ranking in rankings {
            for (place, option) in ranking.enumerated() where option < n && place < n {
                points[option] += n - 1 - place
                positions[option][place] += 1
            }
        }
        return (points, positions)
    }

    /// Word-cloud normalisation: Unicode NFC, lower case, trimmed, inner whitespace collapsed.
    public static func normalise(_ word: String) -> String {
        word.precomposedStringWithCanonicalMapping.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
