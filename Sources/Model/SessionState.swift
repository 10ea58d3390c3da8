import Foundation

public struct ActivityState: Codable, Sendable, Hashable {
    public var item: AgendaItem
    public var phase: String
    public var inputsOpen: Bool

    public init(item: AgendaItem, phase: String, inputsOpen: Bool = true) {
        self.item = item
        self.phase = phase
        self.inputsOpen = inputsOpen
    }

    public var id: String { item.id }
}

/// The session as a pure fold over its event log: the same events always give the same state.
/// The live session, crash recovery and exports all use this one function.
public struct SessionState: Codable, Sendable, Hashable {
    public var status: SessionStatus
    public var order: [String]
    public var activities: [String: ActivityState]
    public var current: String?
    public var groups: Groups {
        didSet { groupIndex = Self.index(groups) }
    }
    /// Participant → group, derived from `groups`: rooms of thousands look this up for every frame.
    public private(set) var groupIndex: [String: String] = [:]
    public var participants: [String: Participant]
    /// Join order, for stable rosters and group formation.
    public var participantOrder: [String]
    public var seq: Int64

    public init(agenda: [AgendaItem], firstPhase: (String) -> String) {
        status = .draft
        order = agenda.map(\.id)
        activities = Dictionary(uniqueKeysWithValues: agenda.map { ($0.id, ActivityState(item: $0, phase: firstPhase($0.plugin))) })
        current = nil
        groups = [:]
        participants = [:]
        participantOrder = []
        seq = 0
    }

    enum CodingKeys: String, CodingKey {
        case status, order, activities, current, groups, participants, participantOrder, seq
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(SessionStatus.self, forKey: .status)
        order = try c.decode([String].self, forKey: .order)
        activities = try c.decode([String: ActivityState].self, forKey: .activities)
        current = try c.decodeIfPresent(String.self, forKey: .current)
        groups = try c.decode(Groups.self, forKey: .groups)
        participants = try c.decode([String: Participant].self, forKey: .participants)
        participantOrder = try c.decode([String].self, forKey: .participantOrder)
        seq = try c.decode(Int64.self, forKey: .seq)
        groupIndex = Self.index(groups)
    }

    static func index(_ groups: Groups) -> [String: String] {
        var index: [String: String] = [:]
        for (g, members) in groups { for m in members { index[m] = g } }
        return index
    }

    public var agenda: [ActivityState] { order.compactMap { activities[$0] } }

    public func group(of participant: String) -> String? { groupIndex[participant] }

    /// Applies one accepted event. Commands carry their resolved effect in the payload
    /// (see `CommandResolver`), so applying never needs randomness or a clock.
    public mutating func apply(_ event: LoggedEvent) {
        seq = event.seq
        switch event.kind {
        case .input:
            break
        case .join:
            let p = event.payload
            let id = p["participant"]?.stringValue ?? event.actor
            if participants[id] == nil { participantOrder.append(id) }
            participants[id] = Participant(
                id: id, name: p["name"]?.stringValue, function: p["function"]?.stringValue, org: p["org"]?.stringValue,
                domain: p["domain"]?.stringValue, seriesMember: p["series"]?.boolValue ?? false)
        case .command:
            if let status = event.sessionStatus { self.status = status }
            applyCommand(event.type, event.payload)
        }
    }

    private mutating func applyCommand(_ type: String, _ p: JSONValue) {
        switch type {
        case "start", "close":
            break // the status: `LoggedEvent.sessionStatus`
        case "goto", "next", "prev":
            current = p["activity"]?.stringValue
            if let formed = p["formed"], let g = Self.decodeGroups(formed) { groups = g }
        case "phase":
            if let a = p["activity"]?.stringValue, let phase = p["phase"]?.stringValue { activities[a]?.phase = phase }
        case "inputs":
            if let a = p["activity"]?.stringValue, let open = p["open"]?.boolValue { activities[a]?.inputsOpen = open }
        case "reorder":
            // Activities the order does not name (added after it: PROTOCOL.md "Adding an activity live") stay, at the end.
            if let o = p["order"]?.arrayValue?.compactMap(\.stringValue) { order = o + order.filter { !o.contains($0) } }
        case "groups":
            groups = Self.decodeGroups(p["formed"] ?? .object([:])) ?? [:]
        case "ungroup":
            groups = [:]
        case "kick":
            if let id = p["participant"]?.stringValue {
                participants[id]?.kicked = true
                for (g, members) in groups { groups[g] = members.filter { $0 != id } }
            }
        default:
            break
        }
    }

    public static func decodeGroups(_ value: JSONValue) -> Groups? {
        guard let o = value.objectValue else { return nil }
        return o.mapValues { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
    }

    public static func encodeGroups(_ groups: Groups) -> JSONValue {
        .object(groups.mapValues { .array($0.map { .string($0) }) })
    }

    /// The plugin events an accepted event causes, in delivery order.
    public func deliveries(for event: LoggedEvent) -> [PluginDelivery] {
        func system(_ activity: String, _ type: String, _ payload: JSONValue) -> PluginDelivery {
            PluginDelivery(activity: activity, type: type, payload: payload, actor: SystemActor.id, role: .system)
        }
        switch event.kind {
        case .input:
            guard let a = event.activity else { return [] }
            return [PluginDelivery(activity: a, type: event.type, payload: event.payload, actor: event.actor, role: event.role)]
        case .join:
            return order.map { system($0, "$join", event.payload) }
        case .command:
            let p = event.payload
            switch event.type {
            case "phase":
                guard let a = p["activity"]?.stringValue, let phase = p["phase"] else { return [] }
                return [system(a, "$phase", ["phase": phase])]
            case "reveal":
                guard let a = p["activity"]?.stringValue else { return [] }
                return [system(a, "$reveal", [:])]
            case "groups", "ungroup":
                let formed = p["formed"] ?? .object([:])
                return order.map { system($0, "$groups", ["groups": formed]) }
            case "goto", "next", "prev":
                guard let formed = p["formed"] else { return [] }
                return order.map { system($0, "$groups", ["groups": formed]) }
            case "kick":
                guard let id = p["participant"] else { return [] }
                return order.map { system($0, "$leave", ["participant": id]) }
            default:
                return []
            }
        }
    }
}

extension LoggedEvent {
    /// The status this event moves its session to (`start` opens, `close` closes), nil when it keeps it: the one
    /// rule for the folded state and for the store's `sessions.status` column.
    public var sessionStatus: SessionStatus? {
        guard kind == .command else { return nil }
        switch type {
        case "start": return .open
        case "close": return .closed
        default: return nil
        }
    }
}
