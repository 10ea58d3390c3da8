import Foundation
import Model

/// The JSON Schema subset that plugin `configSchema`s may use (docs/PLUGINS.md): type, properties, required,
/// additionalProperties, enum, minimum/maximum, minLength/maxLength, items, minItems/maxItems; plus the
/// annotations title, description, default, examples, $schema, $comment, which are ignored.
/// No Swift package for JSON Schema is available here, and this subset is all our configs need.
public enum ConfigSchema {
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// Dotted path below the validated value, e.g. `config.questions[2]`.
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "enum", "minimum", "maximum",
        "minLength", "maxLength", "items", "minItems", "maxItems",
    ]
    static let annotations: Set<String> = ["title", "description", "default", "examples", "$schema", "$comment", "$id"]
    static let typeNames: Set<String> = ["object", "array", "string", "integer", "number", "boolean", "null"]

    /// Checks that a schema only uses the supported subset, so an author learns early that a keyword would be ignored.
    public static func check(schema: JSONValue, path: String = "configSchema") -> [Violation] {
        guard let s = schema.objectValue else { return [Violation(path: path, message: "must be a JSON object (a schema)")] }
        var out: [Violation] = []
        for key in s.keys.sorted() where !keywords.contains(key) && !annotations.contains(key) {
            out.append(Violation(path: path, message: "keyword `\(key)` is not in the supported subset (docs/PLUGINS.md)"))
        }
        if let t = s["type"] {
            let names = t.stringValue.map { [$0] } ?? t.arrayValue?.compactMap(\.stringValue) ?? []
            if names.isEmpty || names.contains(where: { !typeNames.contains($0) }) {
                out.append(Violation(path: "\(path).type", message: "must be one of \(typeNames.sorted().joined(separator: ", ")) or a list of them"))
            }
        }
        if let props = s["properties"] {
            if let p = props.objectValue {
                for (k, sub) in p.sorted(by: { $0.key < $1.key }) { out += check(schema: sub, path: "\(path).properties.\(k)") }
            } else {
                out.append(Violation(path: "\(path).properties", message: "must be an object of schemas"))
            }
        }
        if let req = s["required"], req.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            out.append(Violation(path: "\(path).required", message: "must be a list of property names"))
        }
        if let ap = s["additionalProperties"], ap.boolValue == nil { out += check(schema: ap, path: "\(path).additionalProperties") }
        if let items = s["items"] { out += check(schema: items, path: "\(path).items") }
        if let e = s["enum"], e.arrayValue == nil { out.append(Violation(path: "\(path).enum", message: "must be a list")) }
        for k in ["minimum", "maximum"] where s[k] != nil && s[k]?.doubleValue == nil {
            out.append(Violation(path: "\(path).\(k)", message: "must be a number"))
        }
        for k in ["minLength", "maxLength", "minItems", "maxItems"] where s[k] != nil && (s[k]?.intValue ?? -1) < 0 {
            out.append(Violation(path: "\(path).\(k)", message: "must be a whole number ≥ 0"))
        }
        return out
    }

    public static func validate(_ value: JSONValue, against schema: JSONValue, path: String = "config") -> [Violation] {
        guard let s = schema.objectValue else { return [] }
        var out: [Violation] = []
        if let t = s["type"] {
            let allowed = t.stringValue.map { [$0] } ?? t.arrayValue?.compactMap(\.stringValue) ?? []
            if !allowed.isEmpty && !allowed.contains(where: { matches(value, type: $0) }) {
                return [Violation(path: path, message: "must be of type \(allowed.joined(separator: " or ")), not \(value.typeName)")]
            }
        }
        if let e = s["enum"]?.arrayValue, !e.contains(where: { equal($0, value) }) {
            // Text for people: a value that cannot be encoded is shown by its type.
            let shown = e.map { (try? JSONCoding.string($0)) ?? "(\($0.typeName))" }.joined(separator: ", ")
            out.append(Violation(path: path, message: "must be one of \(shown)"))
        }
        if let n = value.doubleValue {
            if let min = s["minimum"]?.doubleValue, n < min { out.append(Violation(path: path, message: "must be at least \(fmt(min))")) }
            if let max = s["maximum"]?.doubleValue, n > max { out.append(Violation(path: path, message: "must be at most \(fmt(max))")) }
        }
        if let str = value.stringValue {
            if let min = s["minLength"]?.intValue, str.count < min { out.append(Violation(path: path, message: "must have at least \(min) characters")) }
            if let max = s["maxLength"]?.intValue, str.count > max { out.append(Violation(path: path, message: "must have at most \(max) characters")) }
        }
        if let arr = value.arrayValue {
            if let min = s["minItems"]?.intValue, arr.count < min { out.append(Violation(path: path, message: "must have at least \(min) items")) }
            if let max = s["maxItems"]?.intValue, arr.count > max { out.append(Violation(path: path, message: "must have at most \(max) items")) }
            if let items = s["items"] {
                for (i, el) in arr.enumerated() { out += validate(el, against: items, path: "\(path)[\(i)]") }
            }
        }
        if let obj = value.objectValue {
            let props = s["properties"]?.objectValue ?? [:]
            for req in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where obj[req] == nil {
                out.append(Violation(path: "\(path).\(req)", message: "is required"))
            }
            for (k, v) in obj.sorted(by: { $0.key < $1.key }) {
                if let sub = props[k] {
                    out += validate(v, against: sub, path: "\(path).\(k)")
                } else if let ap = s["additionalProperties"] {
                    if ap.boolValue == false {
                        out.append(Violation(path: "\(path).\(k)", message: "is not a known field"))
                    } else if ap.objectValue != nil {
                        out += validate(v, against: ap, path: "\(path).\(k)")
                    }
                }
            }
        }
        return out
    }

    static func matches(_ v: JSONValue, type: String) -> Bool {
        switch type {
        case "integer": return v.typeName == "integer"
        case "number": return v.doubleValue != nil
        default: return v.typeName == type || (type == "number" && v.typeName == "integer")
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }

    static func fmt(_ d: Double) -> String { d.rounded() == d ? String(Int64(d)) : String(d) }
}
