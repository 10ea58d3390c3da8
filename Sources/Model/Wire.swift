import Foundation

/// Limits on fields of client messages (docs/DECISIONS.md). Over a limit: `too_large`.
public enum FieldLimits {
    public static let name = 80
    public static let function = 80
    public static let org = 120
    public static let id = 64
    public static let code = 16
    public static let token = 512
    /// Levels a payload may nest (`{}` is one). The hub wraps a payload in an `event` for its plugin and in
    /// exports; only a bounded payload stays encodable there (docs/SECURITY.md "Payloads and plugins").
    public static let payloadDepth = 64
    /// A whole client message: its object plus a payload (or a command's fields) of `payloadDepth` levels.
    public static let messageDepth = payloadDepth + 1
}

public struct JoinRequest: Sendable, Hashable {
    public var code: String
    public var name: String?
    public var function: String?
    public var org: String?
    public var lang: Language?
    public var token: String?
    public var lastSeq: Int64?
    public var asBeamer: Bool
    public var auth: String?
    /// Optional protocol extensions the client understands (docs/PROTOCOL.md "join and welcome", e.g. `roster-diff`); unknown ones are ignored.
    public var features: Set<String>
    /// Extensions for series (docs/SERIES.md "Participants who continue"): `series: true` opts in to one identity
    /// across the series at a first join; `seriesToken` continues with it; `domain` (`fysiek`, `sociaal`,
    /// `informeel`) is asked when the series forms trios.
    public var optInSeries: Bool
    public var seriesToken: String?
    public var domain: ParticipantDomain?

    public init(code: String, name: String? = nil, function: String? = nil, org: String? = nil, lang: Language? = nil,
                token: String? = nil, lastSeq: Int64? = nil, asBeamer: Bool = false, auth: String? = nil, features: Set<String> = [],
                optInSeries: Bool = false, seriesToken: String? = nil, domain: ParticipantDomain? = nil) {
        self.optInSeries = optInSeries
        self.seriesToken = seriesToken
        self.domain = domain
        self.code = code
        self.name = name
        self.function = function
        self.org = org
        self.lang = lang
        self.token = token
        self.lastSeq = lastSeq
        self.asBeamer = asBeamer
        self.auth = auth
        self.features = features
    }
}

public struct InputRequest: Sendable, Hashable {
    public var id: String
    public var activity: String
    public var type: String
    public var payload: JSONValue

    public init(id: String, activity: String, type: String, payload: JSONValue) {
        self.id = id
        self.activity = activity
        self.type = type
        self.payload = payload
    }
}

public struct CommandRequest: Sendable, Hashable {
    public var id: String
    public var type: String
    /// The whole message, for the type-specific fields.
    public var fields: JSONValue

    public init(id: String, type: String, fields: JSONValue) {
        self.id = id
        self.type = type
        self.fields = fields
    }
}

public enum ClientMessage: Sendable, Hashable {
    case join(JoinRequest)
    case input(InputRequest)
    case command(CommandRequest)
    case ping
}

/// Turns one text frame into a client message, or the exact error the contract names.
public enum ClientMessageParser {
    public struct Failure: Error, Sendable, Hashable {
        public var error: HubError
        /// The message's `id` when one could be read, so the error can carry it.
        public var id: String?
        /// The `lang` of a `join` that could not be read, when it names a valid one: the refusal answers the
        /// join, so it is in the join's language (docs/PROTOCOL.md).
        public var lang: Language? = nil
    }

    public static func parse(_ text: String) -> Result<ClientMessage, Failure> {
        // The nesting is counted on the bytes, before the decoder builds anything: Foundation's own limit
        // (512) is far above what stays encodable once the hub wraps a payload.
        if JSONCoding.nestingDepth(text.utf8) > FieldLimits.messageDepth {
            let id = JSONCoding.topLevelString("id", in: text).flatMap { $0.count <= FieldLimits.id ? $0 : nil }
            return .failure(Failure(error: tooDeep, id: id))
        }
        guard let value = JSONCoding.parse(text) else { return .failure(Failure(error: HubError(.badJSON), id: nil)) }
        return parse(value)
    }

    /// `too_large` with the limit in `detail` (docs/PROTOCOL.md).
    static let tooDeep = HubError(.tooLarge, LocalizedText(
        nl: "Dit bericht is in zijn payload dieper genest dan \(FieldLimits.payloadDepth) niveaus.",
        en: "The message nests deeper than \(FieldLimits.payloadDepth) levels in its payload."), detail: "max_depth_\(FieldLimits.payloadDepth)")

    public static func parse(_ value: JSONValue) -> Result<ClientMessage, Failure> {
        guard let obj = value.objectValue else {
            return .failure(Failure(error: HubError(.badMessage, LocalizedText(nl: "Een bericht is een JSON-object.", en: "A message is a JSON object.")), id: nil))
        }
        let id = obj["id"]?.stringValue
        func fail(_ code: ErrorCode, _ text: LocalizedText) -> Result<ClientMessage, Failure> {
            .failure(Failure(error: HubError(code, text), id: id))
        }
        guard value.depth(limit: FieldLimits.messageDepth) <= FieldLimits.messageDepth else {
            return .failure(Failure(error: tooDeep, id: id))
        }
        guard let t = obj["t"]?.stringValue else { return fail(.badMessage, LocalizedText(nl: "Veld `t` (tekst) ontbreekt.", en: "Field `t` (string) is missing.")) }
        do {
            switch t {
            case "ping":
                return .success(.ping)
            case "join":
                let code = try requiredString(obj, "code", limit: FieldLimits.code)
                let lang: Language?
                if let l = try optionalString(obj, "lang", limit: 8) {
                    guard let parsed = Language(rawValue: l) else { throw field("lang", LocalizedText(nl: "is `nl` of `en`", en: "must be `nl` or `en`")) }
                    lang = parsed
                } else { lang = nil }
                var asBeamer = false
                if let role = try optionalString(obj, "as", limit: 16) {
                    switch role {
                    case "participant": asBeamer = false
                    case "beamer": asBeamer = true
                    default: throw field("as", LocalizedText(nl: "is `participant` of `beamer`", en: "must be `participant` or `beamer`"))
                    }
                }
                var lastSeq: Int64?
                if let ls = obj["lastSeq"], !ls.isNull {
                    guard let v = ls.intValue else { throw field("lastSeq", LocalizedText(nl: "is een geheel getal", en: "must be an integer")) }
                    lastSeq = v
                }
                var features: Set<String> = []
                if let f = obj["features"], !f.isNull {
                    let names = f.arrayValue?.compactMap(\.stringValue) ?? []
                    guard let list = f.arrayValue, names.count == list.count else { throw field("features", LocalizedText(nl: "is een lijst van teksten", en: "must be a list of strings")) }
                    guard names.count <= 16, names.allSatisfy({ $0.count <= FieldLimits.id }) else {
                        throw HubError(.tooLarge, LocalizedText(nl: "Veld `features`: hoogstens 16 namen van hoogstens \(FieldLimits.id) tekens.",
                                                                en: "Field `features`: at most 16 names of at most \(FieldLimits.id) characters."))
                    }
                    features = Set(names)
                }
                var optIn = false
                if let v = obj["series"], !v.isNull {
                    guard let b = v.boolValue else { throw field("series", LocalizedText(nl: "is true of false", en: "must be true or false")) }
                    optIn = b
                }
                var domain: ParticipantDomain?
                if let d = try optionalString(obj, "domain", limit: 16) {
                    guard let parsed = ParticipantDomain(rawValue: d) else {
                        throw field("domain", LocalizedText(nl: "is `fysiek`, `sociaal` of `informeel`", en: "must be `fysiek`, `sociaal` or `informeel`"))
                    }
                    domain = parsed
                }
                return .success(.join(JoinRequest(
                    code: code,
                    name: try optionalString(obj, "name", limit: FieldLimits.name),
                    function: try optionalString(obj, "function", limit: FieldLimits.function),
                    org: try optionalString(obj, "org", limit: FieldLimits.org),
                    lang: lang,
                    token: try optionalString(obj, "token", limit: FieldLimits.token),
                    lastSeq: lastSeq,
                    asBeamer: asBeamer,
                    auth: try optionalString(obj, "auth", limit: FieldLimits.token),
                    features: features,
                    optInSeries: optIn,
                    seriesToken: try optionalString(obj, "seriesToken", limit: FieldLimits.token),
                    domain: domain)))
            case "input":
                let id = try requiredString(obj, "id", limit: FieldLimits.id)
                let activity = try requiredString(obj, "activity", limit: FieldLimits.id)
                let type = try requiredString(obj, "type", limit: FieldLimits.id)
                guard let payload = obj["payload"] else { throw field("payload", Problem.missing) }
                guard payload.objectValue != nil else { throw field("payload", LocalizedText(nl: "is een object", en: "must be an object")) }
                return .success(.input(InputRequest(id: id, activity: activity, type: type, payload: payload)))
            case "command":
                let id = try requiredString(obj, "id", limit: FieldLimits.id)
                let type = try requiredString(obj, "type", limit: FieldLimits.id)
                return .success(.command(CommandRequest(id: id, type: type, fields: value)))
            default:
                return fail(.unknownType, LocalizedText(nl: "Berichttype `\(t.prefix(40))` bestaat niet.", en: "Unknown message type `\(t.prefix(40))`."))
            }
        } catch let e as HubError {
            let lang = t == "join" ? obj["lang"]?.stringValue.flatMap(Language.init(rawValue:)) : nil
            return .failure(Failure(error: e, id: id, lang: lang))
        } catch {
            return fail(.badMessage, LocalizedText(nl: "Dit bericht is onleesbaar: \(error)", en: "This message cannot be read: \(error)"))
        }
    }

    /// Ids, types, codes and names are text for people and for the log: control characters (NUL above all,
    /// which C APIs such as SQLite's would cut the text at) are refused rather than stored.
    static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// What is wrong with a field, in both languages: the sentence reads "Veld `x` …" / "Field `x` …".
    enum Problem {
        static let missing = LocalizedText(nl: "ontbreekt", en: "is missing")
        static let notString = LocalizedText(nl: "is tekst", en: "must be a string")
        static let empty = LocalizedText(nl: "is niet leeg", en: "must not be empty")
        static let control = LocalizedText(nl: "bevat geen stuurtekens", en: "must not contain control characters")
    }

    static func field(_ name: String, _ problem: LocalizedText) -> HubError {
        HubError(.badMessage, LocalizedText(nl: "Veld `\(name)` \(problem.nl).", en: "Field `\(name)` \(problem.en)."))
    }

    static func tooLong(_ name: String, _ limit: Int) -> HubError {
        HubError(.tooLarge, LocalizedText(nl: "Veld `\(name)` is langer dan \(limit) tekens.", en: "Field `\(name)` is longer than \(limit) characters."))
    }

    static func requiredString(_ obj: [String: JSONValue], _ name: String, limit: Int) throws -> String {
        guard let v = obj[name], !v.isNull else { throw field(name, Problem.missing) }
        guard let s = v.stringValue else { throw field(name, Problem.notString) }
        guard !s.isEmpty else { throw field(name, Problem.empty) }
        guard !hasControlCharacters(s) else { throw field(name, Problem.control) }
        guard s.count <= limit else { throw tooLong(name, limit) }
        return s
    }

    static func optionalString(_ obj: [String: JSONValue], _ name: String, limit: Int) throws -> String? {
        guard let v = obj[name], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw field(name, Problem.notString) }
        guard s.count <= limit else { throw tooLong(name, limit) }
        guard !hasControlCharacters(s) else { throw field(name, Problem.control) }
        let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

// MARK: - Hub → client

public struct AgendaEntry: Codable, Sendable, Hashable {
    public var id: String
    public var plugin: String
    public var title: String
    public var phase: String
    public var inputsOpen: Bool
    /// Extensions of the contract (new optional fields): which anonymity mode applies, the activity's
    /// config less the manifest's `privateConfig` keys, and the URL of the plugin's web component module.
    public var anonymity: Anonymity
    public var config: JSONValue?
    public var web: String?
    /// Present while the activity's plugin is not healthy: `restarting` or `failed` (docs/PLUGINS.md).
    public var pluginState: String?
    public var pluginError: String?
}

public struct CurrentActivity: Codable, Sendable, Hashable {
    public var activity: String?
    public var phase: String?

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // `activity` is null, not absent, when no activity is current (CONTRACTS.md §1).
        try c.encode(activity, forKey: .activity)
        try c.encode(phase, forKey: .phase)
    }
}

extension SessionState {
    public var agendaEntries: [AgendaEntry] {
        agenda.map {
            AgendaEntry(id: $0.id, plugin: $0.item.plugin, title: $0.item.title, phase: $0.phase, inputsOpen: $0.inputsOpen, anonymity: $0.item.anonymity)
        }
    }

    public var currentActivity: CurrentActivity {
        CurrentActivity(activity: current, phase: current.flatMap { activities[$0]?.phase })
    }
}
