import Foundation

/// Plugin protocol version 1 (CONTRACTS.md §2): JSON lines over a plugin process's stdin and stdout.
public enum PluginProtocol {
    public static let version = 1
}

public struct LocalizedText: Codable, Sendable, Hashable {
    public var nl: String
    public var en: String

    public init(nl: String, en: String) {
        self.nl = nl
        self.en = en
    }

    public func text(_ lang: Language) -> String { lang == .nl ? nl : en }
}

/// Who sent an event, as a plugin sees it: a pseudonym unless the activity is `named`.
public struct PluginActor: Codable, Sendable, Hashable {
    public var id: String
    public var role: ConnectionRole
    public var group: String?
    public var name: String?
    public var function: String?
    public var org: String?

    public init(id: String, role: ConnectionRole, group: String? = nil, name: String? = nil, function: String? = nil, org: String? = nil) {
        self.id = id
        self.role = role
        self.group = group
        self.name = name
        self.function = function
        self.org = org
    }
}

/// Hub → plugin.
public enum HostMessage: Sendable, Hashable {
    case hello(protocol: Int)
    case start(instance: String, config: JSONValue, anonymity: Anonymity, context: JSONValue)
    case event(instance: String, seq: Int64, at: Int64, actor: PluginActor, type: String, payload: JSONValue)
    case stop(instance: String)

    /// Reads one line a host sent (the plugin side of the protocol; the SDK uses it).
    public static func parse(_ line: String) -> HostMessage? {
        guard let v = JSONCoding.parse(line), let t = v["t"]?.stringValue else { return nil }
        switch t {
        case "hello":
            return .hello(protocol: Int(v["protocol"]?.intValue ?? 0))
        case "start":
            guard let instance = v["instance"]?.stringValue else { return nil }
            return .start(instance: instance, config: v["config"] ?? [:], anonymity: v["anonymity"]?.stringValue.flatMap(Anonymity.init(rawValue:)) ?? .pseudonymous,
                          context: v["context"] ?? [:])
        case "event":
            guard let instance = v["instance"]?.stringValue, let seq = v["seq"]?.intValue, let type = v["type"]?.stringValue,
                  let actorValue = v["actor"], let actor = try? JSONCoding.decode(PluginActor.self, from: JSONCoding.encode(actorValue)) else { return nil }
            return .event(instance: instance, seq: seq, at: v["at"]?.intValue ?? 0, actor: actor, type: type, payload: v["payload"] ?? [:])
        case "stop":
            return v["instance"]?.stringValue.map { .stop(instance: $0) }
        default:
            return nil
        }
    }

    /// The instance a message is for (`hello` is for the process).
    public var instance: String? {
        switch self {
        case .hello: return nil
        case .start(let i, _, _, _), .event(let i, _, _, _, _, _), .stop(let i): return i
        }
    }

    /// The line the hub writes for this message; throws when a value in it cannot be encoded.
    public var jsonLine: String {
        get throws {
            switch self {
            case .hello(let p):
                return try JSONCoding.string(["t": "hello", "protocol": JSONValue.int(Int64(p))] as JSONValue)
            case .start(let instance, let config, let anonymity, let context):
                return try JSONCoding.string(["t": "start", "instance": .string(instance), "config": config, "anonymity": .string(anonymity.rawValue), "context": context] as JSONValue)
            case .event(let instance, let seq, let at, let actor, let type, let payload):
                struct E: Encodable {
                    let t = "event"
                    let instance: String, seq: Int64, at: Int64, actor: PluginActor, type: String, payload: JSONValue
                }
                return try JSONCoding.string(E(instance: instance, seq: seq, at: at, actor: actor, type: type, payload: payload))
            case .stop(let instance):
                return try JSONCoding.string(["t": "stop", "instance": .string(instance)] as JSONValue)
            }
        }
    }
}

public struct PluginOutput: Codable, Sendable, Hashable {
    public var kind: String
    public var record: JSONValue

    public init(kind: String, record: JSONValue) {
        self.kind = kind
        self.record = record
    }
}

/// Plugin → hub.
public enum PluginMessage: Sendable, Hashable {
    /// The line a plugin writes for this message; throws when a value in it cannot be encoded.
    public var jsonLine: String {
        get throws {
            switch self {
            case .ready(let name, let version, let p):
                return try JSONCoding.string(["t": "ready", "name": .string(name), "version": .string(version), "protocol": .int(Int64(p))] as JSONValue)
            case .views(let instance, let seq, let views, let outputs):
                var m: [String: JSONValue] = ["t": "views", "instance": .string(instance), "seq": .int(seq), "views": .object(views)]
                if !outputs.isEmpty { m["outputs"] = .array(outputs.map { ["kind": .string($0.kind), "record": $0.record] }) }
                return try JSONCoding.string(JSONValue.object(m))
            case .reject(let instance, let seq, let code, let message):
                return try JSONCoding.string(["t": "reject", "instance": .string(instance), "seq": .int(seq), "code": .string(code),
                                          "message": ["nl": .string(message.nl), "en": .string(message.en)]] as JSONValue)
            case .log(let level, let message):
                return try JSONCoding.string(["t": "log", "level": .string(level), "message": .string(message)] as JSONValue)
            case .stopped(let instance):
                return try JSONCoding.string(["t": "stopped", "instance": .string(instance)] as JSONValue)
            }
        }
    }

    case ready(name: String, version: String, protocol: Int)
    case views(instance: String, seq: Int64, views: [String: JSONValue], outputs: [PluginOutput])
    case reject(instance: String, seq: Int64, code: String, message: LocalizedText)
    case log(level: String, message: String)
    case stopped(instance: String)

    public enum ParseError: Error, Sendable, Hashable {
        case notJSON
        case badMessage(String)
    }

    public static func parse(_ line: String) -> Result<PluginMessage, ParseError> {
        guard let v = JSONCoding.parse(line), let o = v.objectValue else { return .failure(.notJSON) }
        guard let t = o["t"]?.stringValue else { return .failure(.badMessage("missing `t`")) }
        func str(_ k: String) throws -> String {
            guard let s = o[k]?.stringValue else { throw ParseError.badMessage("`\(t)` needs string `\(k)`") }
            return s
        }
        func seq() throws -> Int64 {
            guard let s = o["seq"]?.intValue else { throw ParseError.badMessage("`\(t)` needs integer `seq`") }
            return s
        }
        do {
            switch t {
            case "ready":
                guard let p = o["protocol"]?.intValue else { throw ParseError.badMessage("`ready` needs integer `protocol`") }
                return .success(.ready(name: try str("name"), version: try str("version"), protocol: Int(p)))
            case "views":
                guard let views = o["views"]?.objectValue else { throw ParseError.badMessage("`views` needs object `views`") }
                var outputs: [PluginOutput] = []
                if let raw = o["outputs"], !raw.isNull {
                    guard let list = raw.arrayValue else { throw ParseError.badMessage("`outputs` must be a list") }
                    for item in list {
                        guard let kind = item["kind"]?.stringValue, let record = item["record"] else {
                            throw ParseError.badMessage("each output needs `kind` and `record`")
                        }
                        outputs.append(PluginOutput(kind: kind, record: record))
                    }
                }
                return .success(.views(instance: try str("instance"), seq: try seq(), views: views, outputs: outputs))
            case "reject":
                let m = o["message"]
                let text: LocalizedText
                if let s = m?.stringValue {
                    text = LocalizedText(nl: s, en: s)
                } else {
                    let nl = m?["nl"]?.stringValue ?? m?["en"]?.stringValue ?? ""
                    text = LocalizedText(nl: nl, en: m?["en"]?.stringValue ?? nl)
                }
                return .success(.reject(instance: try str("instance"), seq: try seq(), code: try str("code"), message: text))
            case "log":
                return .success(.log(level: o["level"]?.stringValue ?? "info", message: o["message"]?.stringValue ?? ""))
            case "stopped":
                return .success(.stopped(instance: try str("instance")))
            default:
                return .failure(.badMessage("unknown plugin message type `\(t.prefix(40))`"))
            }
        } catch let e as ParseError {
            return .failure(e)
        } catch {
            return .failure(.badMessage("\(error)"))
        }
    }
}
