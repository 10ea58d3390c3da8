import Foundation

/// A leerkring's trios (docs/SERIES.md "Trios"): a wijkprofessional with one colleague from the fysiek and one
/// from the sociaal domein. Pure and seeded, so the same room, domains and kept trios always give the same
/// groups; the hub logs what it formed as `$groups`, so a replay never forms them again.
public enum TrioFormation {
    /// Where a participant counts in a trio: `informeel` and no domain are both "the other one".
    enum Slot: Int, CaseIterable { case fysiek, sociaal, other }

    static func slot(_ domain: String?) -> Slot {
        switch domain {
        case ParticipantDomain.fysiek.rawValue: return .fysiek
        case ParticipantDomain.sociaal.rawValue: return .sociaal
        default: return .other
        }
    }

    /// Groups for the participants `present` (in a stable order).
    /// - Parameters:
    ///   - domain: each participant's domain, if given.
    ///   - kept: trios kept with the series, participant → trio label (`t1`, `t2`, …): present members of one
    ///     trio are together again.
    /// Kept trios come first (by label), then: newcomers fill the groups with room (fewer than three present),
    /// each taking a slot its group is missing; then new trios of one fysiek, one sociaal and one other while
    /// each slot has someone; the rest in groups of three, mixed as far as they go; the last one or two are
    /// spread over the smallest groups (a trio becomes a four), or form a group of their own when there is none.
    public static func form<R: RandomNumberGenerator>(
        present: [String], domain: (String) -> String?, kept: [String: String], rng: inout R
    ) -> Groups {
        var seen = Set<String>()
        let people = present.filter { seen.insert($0).inserted }
        var byLabel: [String: [String]] = [:]
        var newcomers: [String] = []
        for p in people {
            if let label = kept[p] { byLabel[label, default: []].append(p) } else { newcomers.append(p) }
        }
        var groups: [[String]] = byLabel.keys.sorted(by: labelOrder).map { byLabel[$0]! }
        var queues: [Slot: [String]] = [:]
        for p in newcomers.shuffled(using: &rng) { queues[slot(domain(p)), default: []].append(p) }
        func take(_ s: Slot) -> String? {
            guard var q = queues[s], !q.isEmpty else { return nil }
            let p = q.removeFirst()
            queues[s] = q
            return p
        }
        /// From the fullest queue (ties in slot order): the rest stays as mixed as it can.
        func takeAny(preferring wanted: [Slot] = []) -> String? {
            for s in wanted { if let p = take(s) { return p } }
            let fullest = Slot.allCases.max { a, b in
                let (x, y) = (queues[a]?.count ?? 0, queues[b]?.count ?? 0)
                return x == y ? a.rawValue > b.rawValue : x < y
            }
            return fullest.flatMap(take)
        }
        var remaining: Int { queues.values.reduce(0) { $0 + $1.count } }

        for i in groups.indices {
            while groups[i].count < 3, remaining > 0 {
                let has = Set(groups[i].map { slot(domain($0)) })
                guard let p = takeAny(preferring: Slot.allCases.filter { !has.contains($0) }) else { break }
                groups[i].append(p)
            }
        }
        while Slot.allCases.allSatisfy({ !(queues[$0] ?? []).isEmpty }) {
            groups.append(Slot.allCases.compactMap(take))
        }
        while remaining >= 3 {
            var g: [String] = []
            for _ in 0..<3 {
                let has = Set(g.map { slot(domain($0)) })
                if let p = takeAny(preferring: Slot.allCases.filter { !has.contains($0) }) { g.append(p) }
            }
            groups.append(g)
        }
        if remaining > 0 {
            if groups.isEmpty {
                var g: [String] = []
                while let p = takeAny() { g.append(p) }
                groups.append(g)
            } else {
                while let p = takeAny() {
                    let smallest = groups.indices.min { groups[$0].count == groups[$1].count ? $0 < $1 : groups[$0].count < groups[$1].count }!
                    groups[smallest].append(p)
                }
            }
        }
        var result: Groups = [:]
        for (i, g) in groups.enumerated() where !g.isEmpty { result["g\(i + 1)"] = g }
        return result
    }

    /// The trio labels to keep for series members who have none yet, after `groups` were formed: a group with
    /// kept members shares their label, a group without any gets the next free one (`t1`, `t2`, …).
    public static func newLabels(_ groups: Groups, kept: [String: String], members: Set<String>) -> [String: String] {
        var next = (kept.values.compactMap { Int($0.dropFirst()) }.max() ?? 0) + 1
        var labels: [String: String] = [:]
        for g in groups.keys.sorted(by: labelOrder) {
            let ids = groups[g] ?? []
            let unlabelled = ids.filter { members.contains($0) && kept[$0] == nil }
            guard !unlabelled.isEmpty else { continue }
            let label: String
            if let existing = ids.compactMap({ kept[$0] }).sorted(by: labelOrder).first {
                label = existing
            } else {
                label = "t\(next)"
                next += 1
            }
            for p in unlabelled { labels[p] = label }
        }
        return labels
    }

    /// `g2` before `g10`, `t2` before `t10`.
    public static func labelOrder(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Int(a.dropFirst()), Int(b.dropFirst()))
        if let x, let y, x != y { return x < y }
        return a < b
    }
}

/// SplitMix64: a small generator whose sequence follows from its seed alone, for group formation that must
/// come out the same for the same room (tests, and anyone checking a log against its inputs).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Seeded from text (FNV-1a of its UTF-8), e.g. session id, activity and seq.
    public init(text: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        state = h
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
