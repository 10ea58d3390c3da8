import Foundation
import Model

/// Runs a plugin over stdin/stdout: one JSON line in, one JSON line out, in order.
public enum PluginRunner {
    public static func main<P: ActivityPlugin>(_ plugin: P.Type) {
        var engine = PluginEngine<P>()
        while let line = readLine(strippingNewline: true) {
            guard let message = HostMessage.parse(line) else {
                write(.log(level: "warning", message: "ignored a line that is not a host message"))
                continue
            }
            for answer in engine.handle(message) { write(answer) }
        }
    }

    static func write(_ m: PluginMessage) {
        let line: String
        do { line = try m.jsonLine } catch {
            // The engine encodes views before it keeps a reduction, so only a hostile log text gets here;
            // the host still needs its answer, in order.
            line = (try? fallback(for: m).jsonLine) ?? #"{"t":"log","level":"error","message":"unencodable"}"#
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func fallback(for m: PluginMessage) -> PluginMessage {
        switch m {
        case .views(let instance, let seq, _, _), .reject(let instance, let seq, _, _):
            return .reject(instance: instance, seq: seq, code: Rejection.notEncodable.code, message: Rejection.notEncodable.message)
        default:
            return .log(level: "error", message: "a message could not be encoded")
        }
    }
}

/// The protocol logic without I/O: what `PluginRunner` runs and what the test kit drives.
public struct PluginEngine<P: ActivityPlugin> {
    struct Instance {
        var config: P.Config
        var state: P.State
    }

    var instances: [String: Instance] = [:]

    public init() {}

    public mutating func handle(_ message: HostMessage) -> [PluginMessage] {
        switch message {
        case .hello:
            return [.ready(name: P.name, version: P.version, protocol: PluginProtocol.version)]
        case .start(let instance, let configValue, let anonymity, let context):
            guard let config = try? JSONCoding.decode(P.Config.self, from: JSONCoding.encode(configValue)) else {
                return [.log(level: "error", message: "config of \(instance) does not decode"),
                        .views(instance: instance, seq: 0, views: [:], outputs: [])]
            }
            let (state, views) = P.start(config: config, anonymity: anonymity, context: context)
            instances[instance] = Instance(config: config, state: state)
            return [.views(instance: instance, seq: 0, views: views.byAudience, outputs: views.outputs)]
        case .event(let instance, let seq, let at, let actor, let type, let payload):
            guard var i = instances[instance] else {
                return [.reject(instance: instance, seq: seq, code: "unknown_instance", message: LocalizedText(nl: "Onbekende activiteit.", en: "Unknown activity."))]
            }
            do {
                let views = try P.reduce(&i.state, event: PluginEvent(seq: seq, at: at, actor: actor, type: type, payload: payload), config: i.config)
                // A view or output that cannot be encoded would reach the host as nothing: the reduction
                // is refused instead and its state change dropped, as for a `Rejection`.
                guard views.unencodable.isEmpty else {
                    return [.log(level: "error", message: "\(instance) seq \(seq): \(views.unencodable.joined(separator: "; ").prefix(500))"),
                            .reject(instance: instance, seq: seq, code: Rejection.notEncodable.code, message: Rejection.notEncodable.message)]
                }
                instances[instance] = i
                return [.views(instance: instance, seq: seq, views: views.byAudience, outputs: views.outputs)]
            } catch {
                return [.reject(instance: instance, seq: seq, code: error.code, message: error.message)]
            }
        case .stop(let instance):
            instances[instance] = nil
            return [.stopped(instance: instance)]
        }
    }
}
