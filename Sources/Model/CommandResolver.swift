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
    /// Trios kept with the session's series (participant → label), for `trio` groups (docs/SERIES.md "Trios").
    public var keptTrios: [String: String] = [:]
    /// Seeds trio formation together with the seq and activity (the session's id): the same room forms the same trios.
    public var seed: String = ""

    public init(phases: @escaping @Sendable (String) -> [String]) {
        self.phases = phases
    }

    /// The activity `next` or `prev` moves to: after or before the current one in the order (`next` with none current: the first).
    static func neighbour(_ type: String, state: SessionState) -> String? {
        let order = state.order
        guard let cur = state.current, let i = order.firstIndex(of: cur) else { return type == "next" ? order.first : nil }
        let j = type == "next" ? i + 1 : i - 1
        return order.indices.contains(j) ? order[j] : nil
    }

    /// Whether accepting `command` would form trio groups: the hub then reads the series' kept trios first.
    public static func formsTrios(_ command: CommandRequest, state: SessionState) -> Bool {
        switch command.type {
        case "groups":
            return command.fields["mode"]?.stringValue == GroupMode.trio.rawValue
        case "goto":
            return command.fields["activity"]?.stringValue.flatMap { state.activities[$0]?.item.groups?.mode } == .trio
        case "next", "prev":
            return neighbour(command.type, state: state).flatMap { state.activities[$0]?.item.groups?.mode } == .trio
        default:
            return false
        }
    }

    /// - Parameter present: participants eligible for groups, in a stable order (connected, not kicked).
    public func resolve<R: RandomNumberGenerator>(
        _ command: CommandRequest, state: SessionState, present: [String], rng: inout R
    ) -> Result<Outcome, HubError> {
        let f = command.fields
        func bad(_ nl: String, _ en: String) -> Result<Outcome, HubError> { .failure(HubError(.badMessage, LocalizedText(nl: nl, en: en))) }
        func activity(_ key: String = "activity") -> Result<String, HubError> {
            guard let a = f[key]?.stringValue else { return .failure(HubError(.badMessage, Self.missing(key, "tekst", "string"))) }
            guard state.activities[a] != nil else { return .failure(HubError(.activityNotFound)) }
            return .success(a)
        }

        if state.status == .closed { return .failure(HubError(.sessionClosed)) }

        switch command.type {
        case "start":
            return .success(state.status == .open ? .unchanged : .accepted(activity: nil, payload: [:]))
        case "close":
            if state.status == .draft {
                return .failure(HubError(.forbidden, Self.draftCannotClose))
            }
            return .success(.accepted(activity: nil, payload: [:]))
        case "goto":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a): return move(to: a, state: state, present: present, type: "goto", rng: &rng)
            }
        case "next", "prev":
            guard let t = Self.neighbour(command.type, state: state) else {
                return .failure(HubError(.activityNotFound, command.type == "next"
                    ? LocalizedText(nl: "Er is geen volgende activiteit.", en: "There is no next activity.")
                    : LocalizedText(nl: "Er is geen vorige activiteit.", en: "There is no previous activity.")))
            }
            return move(to: t, state: state, present: present, type: command.type, rng: &rng)
        case "phase":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a):
                guard let phase = f["phase"]?.stringValue else { return .failure(HubError(.badMessage, Self.missing("phase", "tekst", "string"))) }
                let plugin = state.activities[a]!.item.plugin
                guard phases(plugin).contains(phase) else {
                    let known = phases(plugin).joined(separator: ", ")
                    return bad("Plugin `\(plugin)` heeft geen fase `\(phase.prefix(64))`; wel: \(known).",
                               "Plugin `\(plugin)` has no phase `\(phase.prefix(64))`; it has: \(known).")
                }
                if state.activities[a]!.phase == phase { return .success(.unchanged) }
                return .success(.accepted(activity: a, payload: ["activity": .string(a), "phase": .string(phase)]))
            }
        case "inputs":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a):
                guard let open = f["open"]?.boolValue else { return .failure(HubError(.badMessage, Self.missing("open", "boolean", "boolean"))) }
                if state.activities[a]!.inputsOpen == open { return .success(.unchanged) }
                return .success(.accepted(activity: a, payload: ["activity": .string(a), "open": .bool(open)]))
            }
        case "reveal":
            switch activity() {
            case .failure(let e): return .failure(e)
            case .success(let a): return .success(.accepted(activity: a, payload: ["activity": .string(a)]))
            }
        case "reorder":
            guard let raw = f["order"]?.arrayValue else { return .failure(HubError(.badMessage, Self.missing("order", "lijst van activiteit-ids", "array of activity ids"))) }
            let order = raw.compactMap(\.stringValue)
            guard order.count == raw.count, Set(order) == Set(state.order), order.count == state.order.count else {
                return bad("`order` noemt elke activiteit van de agenda precies één keer.", "`order` must list every activity id of the agenda exactly once.")
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
            guard let p = f["participant"]?.stringValue else { return .failure(HubError(.badMessage, Self.missing("participant", "tekst", "string"))) }
            guard let who = state.participants[p] else { return .failure(HubError(.badMessage, Self.noParticipant(p))) }
            if who.kicked { return .success(.unchanged) }
            return .success(.accepted(activity: nil, payload: ["participant": .string(p)]))
        default:
            return .failure(HubError(.unknownType, LocalizedText(nl: "Opdracht `\(command.type.prefix(40))` bestaat niet.",
                                                                 en: "Unknown command type `\(command.type.prefix(40))`.")))
        }
    }

    private func move<R: RandomNumberGenerator>(
        to target: String, state: SessionState, present: [String], type: String, rng: inout R
    ) -> Result<Outcome, HubError> {
        if state.current == target { return .success(.unchanged) }
        var payload: [String: JSONValue] = ["activity": .string(target)]
        // An agenda item's `groups` are formed by the hub when it becomes current (CONTRACTS.md §3).
        if let spec = state.activities[target]?.item.groups, spec.mode != .manual {
            let groups = spec.mode == .trio ? trios(state: state, present: present, activity: target)
                : Self.form(spec.mode, size: spec.size ?? 5, state: state, present: present, rng: &rng)
            payload["formed"] = SessionState.encodeGroups(groups)
        }
        return .success(.accepted(activity: target, payload: .object(payload)))
    }

    private func formGroups<R: RandomNumberGenerator>(
        _ f: JSONValue, state: SessionState, present: [String], rng: inout R
    ) -> Result<(GroupMode, Groups), HubError> {
        guard let m = f["mode"]?.stringValue, let mode = GroupMode(rawValue: m) else {
            return .failure(HubError(.badMessage, LocalizedText(nl: "Veld `mode` is random, function, org, manual of trio.",
                                                                en: "Field `mode` must be one of random, function, org, manual, trio.")))
        }
        if mode == .manual {
            guard let assignments = f["assignments"]?.objectValue else {
                return .failure(HubError(.badMessage, Self.missing("assignments", "{groupId: [participantId]}", "{groupId: [participantId]}")))
            }
            // CONTRACTS §1: group ids are `g1`, `g2`, …; audiences (`group:<id>`) and the console's numbering
            // rely on it, so any other id, or a gap, is refused rather than stored.
            let expected = Set((0..<assignments.count).map { "g\($0 + 1)" })
            if let odd = assignments.keys.sorted().first(where: { !expected.contains($0) }) {
                return .failure(HubError(.badMessage, LocalizedText(
                    nl: "Groep `\(odd.prefix(32))`: groepen heten g1, g2, … tot en met g\(assignments.count), zonder gaten.",
                    en: "Group `\(odd.prefix(32))`: ids are g1, g2, … up to g\(assignments.count), without gaps.")))
            }
            var seen = Set<String>()
            var groups: Groups = [:]
            for (g, members) in assignments {
                guard let ids = members.arrayValue?.compactMap(\.stringValue), ids.count == members.arrayValue?.count else {
                    return .failure(HubError(.badMessage, LocalizedText(nl: "Groep `\(g.prefix(32))` is een lijst van deelnemer-ids.",
                                                                        en: "Group `\(g.prefix(32))` must be a list of participant ids.")))
                }
                for id in ids {
                    guard let p = state.participants[id], !p.kicked else {
                        return .failure(HubError(.badMessage, Self.noParticipant(id)))
                    }
                    guard seen.insert(id).inserted else {
                        return .failure(HubError(.badMessage, LocalizedText(nl: "Deelnemer `\(id.prefix(64))` staat in meer dan één groep.",
                                                                            en: "Participant `\(id.prefix(64))` is in more than one group.")))
                    }
                }
                groups[g] = ids
            }
            return .success((mode, groups))
        }
        if mode == .trio { return .success((mode, trios(state: state, present: present, activity: nil))) }
        guard let size = f["size"]?.intValue, size >= 1, size <= 1000 else {
            return .failure(HubError(.badMessage, LocalizedText(nl: "Veld `size` is een geheel getal van 1 tot en met 1000.",
                                                                en: "Field `size` must be a whole number from 1 to 1000.")))
        }
        return .success((mode, Self.form(mode, size: Int(size), state: state, present: present, rng: &rng)))
    }

    /// Trios of the present participants, kept trios together (`TrioFormation`), seeded by session, seq and activity.
    func trios(state: SessionState, present: [String], activity: String?) -> Groups {
        let people = present.filter { state.participants[$0].map { !$0.kicked } ?? false }
        var rng = SeededGenerator(text: "\(seed)/\(state.seq + 1)/\(activity ?? "")")
        return TrioFormation.form(present: people, domain: { state.participants[$0]?.domain }, kept: keptTrios, rng: &rng)
    }

    // Refusals a facilitator reads in the console, in its language (CONTRACTS §1).
    static let draftCannotClose = LocalizedText(nl: "Een sessie in voorbereiding kan niet sluiten: start haar eerst, of verwijder haar.",
                                                en: "A session in draft cannot be closed: start it first, or delete it.")

    static func missing(_ field: String, _ typeNL: String, _ typeEN: String) -> LocalizedText {
        LocalizedText(nl: "Veld `\(field)` (\(typeNL)) ontbreekt.", en: "Field `\(field)` (\(typeEN)) is missing.")
    }

    static func noParticipant(_ id: String) -> LocalizedText {
        LocalizedText(nl: "Deelnemer `\(id.prefix(64))` zit niet in deze sessie.", en: "No participant `\(id.prefix(64))` in this session.")
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
        case .random, .manual, .trio:
            break
        }
        var groups: Groups = [:]
        for (i, id) in ordered.enumerated() {
            groups["g\(i % count + 1)", default: []].append(id)
        }
        return groups
    }
}
