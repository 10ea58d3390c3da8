import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `--log-format json`: one JSON object a line on stderr, for a log collector (docs/OPERATIONS.md "Logs").
/// Keys: `timestamp` (ISO 8601, UTC, milliseconds), `level`, `label`, `message`, `metadata` (when any), and
/// lifted out of the metadata so that a collector can index them: `request` (Hummingbird's request id),
/// `connection` (a WebSocket connection's id) and `session`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Metadata keys that become top-level fields, by their field name.
    static let lifted = ["hb.request.id": "request", "connection": "connection", "session": "session"]

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        if let data = self.line(level: level, message: message, metadata: explicit) { Self.write(data) }
    }

    /// The line of one entry, newline included; nil only if JSON cannot encode it.
    func line(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) -> Data? {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit { all.merge(explicit) { $1 } }
        var object: [String: Any] = ["timestamp": Self.timestamp(), "level": level.rawValue, "label": label, "message": message.description]
        for (key, field) in Self.lifted {
            if let v = all.removeValue(forKey: key) { object[field] = Self.json(v) }
        }
        if !all.isEmpty { object["metadata"] = all.mapValues(Self.json) }
        // JSON escapes control characters: a message with newlines stays one line.
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return a.map(json)
        case .dictionary(let d): return d.mapValues(json)
        }
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = tv.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(tv.tv_usec) / 1000)
    }

    /// One `write` per line under a lock: lines from concurrent tasks never interleave.
    static let output = Mutex<Void>(())

    static func write(_ data: Data) {
        output.withLock { _ in
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { if errno == EINTR { continue }; return }
                    offset += n
                }
            }
        }
    }
}
