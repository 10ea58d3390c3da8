import Foundation

/// Any JSON value. Plugin views, payloads and configs are opaque to the hub, so they travel as this.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var isNull: Bool { self == .null }

    /// How deep this value nests: a scalar is 0, `{}` and `[1]` are 1, `{"a": [1]}` is 2. Counting stops
    /// once it passes `limit`, so a hostile value costs no more than its first `limit + 1` levels.
    public func depth(limit: Int = .max) -> Int {
        guard limit >= 0 else { return 0 }
        switch self {
        case .array(let a): return 1 + (a.lazy.map { $0.depth(limit: limit - 1) }.max() ?? 0)
        case .object(let o): return 1 + (o.values.lazy.map { $0.depth(limit: limit - 1) }.max() ?? 0)
        default: return 0
        }
    }

    /// The JSON Schema type name of this value (`integer` for whole numbers).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let d): return d.rounded() == d ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        // Every miss below is a thrown error, and errors are dear: the common kinds of payloads (strings and
        // objects) are tried first. A number is never taken for a string or a bool, nor the other way round.
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let o = try? c.decode([String: JSONValue].self) { self = .object(o); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }
}

/// One place that turns values into JSON text and back, with the same settings everywhere
/// (sorted keys, so that equal values give equal bytes: replays and exports compare byte for byte).
public enum JSONCoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try encoder().encode(value)
    }

    /// The JSON text of a value. Encoding can fail (a value nested deeper than Foundation's 512 levels, a
    /// NaN or infinite double): then this throws, and every caller decides what to do instead. It never
    /// answers `null` in place of the value, which a peer would take for real data.
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    /// The JSON value of an Encodable type; throws as `string` does.
    public static func value<T: Encodable>(_ value: T) throws -> JSONValue {
        try decode(JSONValue.self, from: encode(value))
    }

    /// Every decode into a Decodable type goes through here, never through a `JSONDecoder` of its own: a text
    /// that would stop the process in Foundation's decoder (`JSONParser.stopsFoundation`) is refused first, as
    /// invalid data, so that no body, file or line reaches it (docs/SECURITY.md "Numbers").
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let refused = data.withUnsafeBytes { JSONParser.stopsFoundation($0.bindMemory(to: UInt8.self)) }
        if refused { throw numberRefused }
        return try JSONDecoder().decode(type, from: data)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: Data(text.utf8))
    }

    static var numberRefused: DecodingError { .dataCorrupted(DecodingError.Context(
        codingPath: [], debugDescription: "A number has more than 128 digits after its point where a whole number is read; no decoder here holds it.")) }

    /// Strict JSON (RFC 8259), read by our own one-pass parser (JSONParser.swift) as Foundation's decoder read it,
    /// except that trailing commas, which Foundation takes and other peers' parsers refuse, are refused.
    public static func parse(_ text: String) -> JSONValue? {
        scanning(text.utf8, JSONParser.parse)
    }

    /// How deep a JSON text nests (arrays and objects, outside strings), counted on the bytes before any
    /// parser sees them: Foundation's decoder accepts 512 levels, far more than anything the hub sends on
    /// can carry once wrapped (docs/SECURITY.md "Payloads and plugins").
    /// The string at `key` of the top-level object in `text`, found by one pass over the bytes without building
    /// the document: a message refused for its depth still names its id, and a deep document costs the decoder
    /// time that grows with the square of its depth (each failed guess of a level records the path so far).
    /// nil when the key is absent, escaped or not a string.
    public static func topLevelString(_ key: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let wanted = Array("\"\(key)\"".utf8)
        var depth = 0, i = 0, keyMatches = false, inValue = false
        while i < bytes.count {
            let b = bytes[i]
            if b == quote {
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != quote { i += bytes[i] == backslash ? 2 : 1 }
                guard i < bytes.count else { return nil }
                if depth == 1 {
                    let token = bytes[start...i]
                    if inValue {
                        if keyMatches { return try? decode(String.self, from: Data(token)) }
                    } else {
                        keyMatches = token.elementsEqual(wanted)
                    }
                }
            } else {
                switch b {
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: ":") where depth == 1: inValue = true
                case UInt8(ascii: ",") where depth == 1: inValue = false; keyMatches = false
                default: break
                }
            }
            i += 1
        }
        return nil
    }

    public static func nestingDepth(_ bytes: String.UTF8View) -> Int {
        scanning(bytes, scanForNestingDepth)
    }

    private static func scanForNestingDepth(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var inString = false, escaped = false, depth = 0, deepest = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// The byte scans above run over the contiguous bytes: the view's iterator cost a debug build most of such a
    /// scan, which every plugin answer and client message passes (13 % of a hub's replay, perf 2026-12-03).
    private static func scanning<R>(_ bytes: String.UTF8View, _ scan: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withContiguousStorageIfAvailable(scan) ?? Array(bytes).withUnsafeBufferPointer(scan)
    }

    /// The trailing-comma check before JSONParser: it still decides in the one corner where a skipped string
    /// ends elsewhere for Foundation's scanner than for this scan (JSONParser.swift, `stringsDisagree`).
    static func scanForTrailingComma(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var inString = false, escaped = false, afterComma = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true; afterComma = false
            case UInt8(ascii: ","): afterComma = true
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if afterComma { return true }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): break
            default: afterComma = false
            }
        }
        return false
    }
    /// `parse` as it read before JSONParser: this scan, then Foundation's decoder. The reference that the
    /// differential tests (JSONParserTests) and the `json` fuzz target compare `parse` with; not for reading input
    /// (it stops the process on the numbers `JSONParser.stopsFoundation` finds).
    static func foundationReading(_ text: String) -> JSONValue? {
        if scanning(text.utf8, scanForTrailingComma) { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Equal, with doubles equal to the bit: how the differential checks compare two readings.
    static func identical(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (.double(let x)?, .double(let y)?): return x.bitPattern == y.bitPattern
        case (.array(let x)?, .array(let y)?): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x)?, .object(let y)?):
            return x.count == y.count && x.allSatisfy { key, value in
                guard let i = y.index(forKey: key) else { return false }
                return y[i].key.utf8.elementsEqual(key.utf8) && identical(value, y[i].value)
            }
        default: return a == b
        }
    }
}
