import Foundation

/// Checks a facilitator command against the session state and turns it into the payload that is logged.
/// Everything random or live (group formation, who is in the room) is decided here, once, and written into
/// the payload, so that `SessionState.apply` and plugin replays are deterministic.
public struct CommandResolver: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// Nothing would change: ack with the current seq and log nothing.
        case unchanged
        case accepted(activity: String?, payload: JSONValue)
    }

    /// Phase names of a plugin, in manifest order.
    public var phases: @Sendable (String) -> [String]

    public init(phases: @escaping @Sendable (String) -> [String]) {
        self.phases = phases
    }

    /// - Parameter present: participants eligible for groups, in a stable order (connected, not kicked).
    public func resolve<R: RandomNumberGenerator>(
        _ command: CommandRequest, state: SessionState, present: [String], rng: inout R
    ) -> Result<Outcome, HubError> {
        let f = command.fields
        func bad(_ message: String) -> Result<Outcome, HubError> { .failure(HubError(.badMessage, message: message)) }
        func activity(_ key: String = "activity") -> Result<String, HubError> {
            guard let a = f[key]?.stringValue else { return .failure(HubError(.badMessage, message: "Field `\(key)` (string) is missing.")) }
            guard state.activities[a] != nil else { return .failure(HubError(.activityNotFound)) }
            return .success(a)
        }

        if state.status == .closed { return .failure(HubError(.sessionClosed)) }

        switch command.type {
        case "start":
            return .success(state.status == .open ? .unchanged : .accepted(activity: nil, payload: [:]))
        case "close":
            if state.status == .draft {
                return .failure(HubError(.forbidden, message: "A session in draft cannot be closed: start it first, or delete it."))
            }
            return .success(.accepted(activity: nil, payload: [:]))
        case "goto":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a): return move(to: a, state: state, present: present, type: "goto", rng: &rng)
            }
        case "next", "prev":
            let order = state.order
            let target: String?
            if let cur = state.current, let i = order.firstIndex(of: cur) {
                let j = command.type == "next" ? i + 1 : i - 1
                target = order.indices.contains(j) ? order[j] : nil
            } else {
                target = command.type == "next" ? order.first : nil
            }
            guard let t = target else {
                return .failure(HubError(.activityNotFound, message: "There is no \(command.type == "next" ? "next" : "previous") activity."))
            }
            return move(to: t, state: state, present: present, type: command.type, rng: &rng)
        case "phase":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a):
                guard let phase = f["phase"]?.stringValue else { return bad("Field `phase` (string) is missing.") }
                let plugin = state.activities[a]!.item.plugin
                guard phases(plugin).contains(phase) else {
                    return bad("Plugin `\(plugin)` has no phase `\(phase)`; it has: \(phases(plugin).joined(separator: ", ")).")
                }
                if state.activities[a]!.phase == phase { return .success(.unchanged) }
                return .success(.accepted(activity: a, payload: ["activity": .string(a), "phase": .string(phase)]))
            }
        case "inputs":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a):
                guard let open = f["open"]?.boolValue else { return bad("Field `open` (boolean) is missing.") }
                if state.activities[a]!.inputsOpen == open { return .success(.unchanged) }
                return .success(.accepted(activity: a, payload: ["activity": .string(a), "open": .bool(open)]))
            }
        case "reveal":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a): return .success(.accepted(activity: a, payload: ["activity": .string(a)]))
            }
        case "reorder":
            guard let raw = f["order"]?.arrayValue else { return bad("Field `order` (array of activity ids) is missing.") }
            let order = raw.compactMap(\.stringValue)
            guard order.count == raw.count, Set(order) == Set(state.order), order.count == state.order.count else {
                return bad("`order` must list every activity id of the agenda exactly once.")
            }
            if order == state.order { return .success(.unchanged) }
            return .success(.accepted(activity: nil, payload: ["order": .array(order.map { .string($0) })]))
        case "groups":
            switch formGroups(f, state: state, present: present, rng: &rng) {
            case .failure(let e): return .failure(e)
            case .success(let (mode, groups)):
                return .success(.accepted(activity: nil, payload: ["mode": .string(mode.rawValue), "formed": SessionState.encodeGroups(groups)]))
            }
        case "ungroup":
            if state.groups.isEmpty { return .success(.unchanged) }
            return .success(.accepted(activity: nil, payload: ["formed": [:]]))
        case "kick":
            guard let p = f["participant"]?.stringValue else { return bad("Field `participant` (string) is missing.") }
            guard let who = state.participants[p] else { return bad("No participant `\(p.prefix(64))` in this session.") }
            if who.kicked { return .success(.unchanged) }
            return .success(.accepted(activity: nil, payload: ["participant": .string(p)]))
        default:
            return .failure(HubError(.unknownType, message: "Unknown command type `\(command.type.prefix(40))`."))
        }
    }

    private func move<R: RandomNumberGenerator>(
        to target: String, state: SessionState, present: [String], type: String, rng: inout R
    ) -> Result<Outcome, HubError> {
        if state.current == target { return .success(.unchanged) }
        var payload: [String: JSONValue] = ["activity": .string(target)]
        // An agenda item's `groups` are formed by the hub when it becomes current (CONTRACTS.md §3).
        if let spec = state.activities[target]?.item.groups, spec.mode != .manual {
            let groups = Self.form(spec.mode, size: spec.size ?? 5, state: state, present: present, rng: &rng)
            payload["formed"] = SessionState.encodeGroups(groups)
        }
        return .success(.accepted(activity: target, payload: .object(payload)))
    }

    private func formGroups<R: RandomNumberGenerator>(
        _ f: JSONValue, state: SessionState, present: [String], rng: inout R
    ) -> Result<(GroupMode, Groups), HubError> {
        guard let m = f["mode"]?.stringValue, let mode = GroupMode(rawValue: m) else {
            return .failure(HubError(.badMessage, message: "Field `mode` must be one of random, function, org, manual."))
        }
        if mode == .manual {
            guard let assignments = f["assignments"]?.objectValue else {
                return .failure(HubError(.badMessage, message: "Field `assignments` ({groupId: [participantId]}) is missing."))
            }
            // CONTRACTS §1: group ids are `g1`, `g2`, …; audiences (`group:<id>`) and the console's numbering
            // rely on it, so any other id, or a gap, is refused rather than stored.
            let expected = Set((0..<assignments.count).map { "g\($0 + 1)" })
            if let odd = assignments.keys.sorted().first(where: { !expected.contains($0) }) {
                return .failure(HubError(.badMessage, message: "Group `\(odd.prefix(32))`: ids are g1, g2, … up to g\(assignments.count), without gaps."))
            }
            var seen = Set<String>()
            var groups: Groups = [:]
            for (g, members) in assignments {
                guard let ids = members.arrayValue?.compactMap(\.stringValue), ids.count == members.arrayValue?.count else {
                    return .failure(HubError(.badMessage, message: "Group `\(g.prefix(32))` must be a list of participant ids."))
                }
                for id in ids {
                    guard let p = state.participants[id], !p.kicked else {
                        return .failure(HubError(.badMessage, message: "No participant `\(id.prefix(64))` in this session."))
                    }
                    guard seen.insert(id).inserted else {
                        return .failure(HubError(.badMessage, message: "Participant `\(id)` is in more than one group."))
                    }
                }
                groups[g] = ids
            }
            return .success((mode, groups))
        }
        guard let size = f["size"]?.intValue, size >= 1, size <= 1000 else {
            return .failure(HubError(.badMessage, message: "Field `size` must be a whole number from 1 to 1000."))
        }
        return .success((mode, Self.form(mode, size: Int(size), state: state, present: present, rng: &rng)))
    }

    /// Deals participants over ceil(n / size) groups. `function` and `org` spread each function or
    /// organisation evenly over the groups: mixed groups are what leerkringen and intervisie want
    /// (docs/DECISIONS.md).
    public static func form<R: RandomNumberGenerator>(
        _ mode: GroupMode, size: Int, state: SessionState, present: [String], rng: inout R
    ) -> Groups {
        let people = present.filter { state.participants[$0].map { !$0.kicked } ?? false }
        guard !people.isEmpty else { return [:] }
        let count = max(1, (people.count + max(size, 1) - 1) / max(size, 1))
        var ordered = people.shuffled(using: &rng)
        switch mode {
        case .function:
            ordered = ordered.enumerated().sorted { a, b in
                let fa = state.participants[a.element]?.function ?? "", fb = state.participants[b.element]?.function ?? ""
                return fa == fb ? a.offset < b.offset : fa < fb
            }.map(\.element)
        case .org:
            ordered = ordered.enumerated().sorted { a, b in
                let oa = state.participants[a.element]?.org ?? "", ob = state.participants[b.element]?.org ?? ""
                return oa == ob ? a.offset < b.offset : oa < ob
            }.map(\.element)
        case .random, .manual:
            break
        }
        var groups: Groups = [:]
        for (i, id) in ordered.enumerated() {
            groups["g\(i % count + 1)", default: []].append(id)
        }
        return groups
    }
}
