import Foundation
@_exported import Model

/// One event as a plugin sees it (CONTRACTS.md §2): an input, or a system event such as `$phase`.
public struct PluginEvent: Sendable, Hashable {
    public var seq: Int64
    /// Time of the event in ms since the epoch: the only clock a plugin may use.
    public var at: Int64
    public var actor: PluginActor
    public var type: String
    public var payload: JSONValue

    public init(seq: Int64, at: Int64, actor: PluginActor, type: String, payload: JSONValue = [:]) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.type = type
        self.payload = payload
    }

    /// Decodes the payload into a type of the plugin's own.
    public func payload<T: Decodable>(as type: T.Type) throws -> T {
        try JSONCoding.decode(T.self, from: JSONCoding.encode(payload))
    }
}

/// The views a reduction changes, by audience: `public`, `facilitator`, `group:<id>`, `participant:<id>`.
/// Audiences not set stay as they were.
public struct Views: Sendable, Hashable {
    public var byAudience: [String: JSONValue] = [:]
    public var outputs: [PluginOutput] = []
    /// Views and outputs that could not be encoded (too deep, a NaN): the engine refuses such a reduction
    /// (`not_encodable`) rather than send the host a placeholder.
    public private(set) var unencodable: [String] = []

    public init() {}

    public mutating func set(_ audience: String, _ view: some Encodable) {
        do { byAudience[audience] = try JSONCoding.value(view) } catch { unencodable.append("view \(audience): \(error)") }
    }

    public mutating func emit(_ kind: String, _ record: some Encodable) {
        do { outputs.append(PluginOutput(kind: kind, record: try JSONCoding.value(record))) } catch {
            unencodable.append("output \(kind): \(error)")
        }
    }
}

/// A refusal: the plugin's own code (e.g. `already_voted`) and a message in both languages.
public struct Rejection: Error, Sendable, Hashable {
    public var code: String
    public var message: LocalizedText

    public init(_ code: String, nl: String, en: String) {
        self.code = code
        self.message = LocalizedText(nl: nl, en: en)
    }

    /// The SDK's own refusal when a reduction's views or outputs cannot be encoded.
    public static let notEncodable = Rejection("not_encodable", nl: "Dit kon de activiteit niet verwerken.",
                                               en: "The activity could not process this.")
}

/// A Swift plugin: configuration, state, and a deterministic reducer. Nothing about pipes: `PluginRunner`
/// speaks the protocol. Time comes only from `event.at`; the same config, context and events must give the
/// same state and views on every replay.
public protocol ActivityPlugin {
    associatedtype Config: Decodable & Sendable
    associatedtype State: Sendable

    static var name: String { get }
    static var version: String { get }

    /// The initial state and views of one instance.
    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views)

    /// Applies one event, or throws a `Rejection` (then nothing changes and nothing is logged).
    static func reduce(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views
}
