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
        FileHandle.standardOutput.write(Data((m.jsonLine + "\n").utf8))
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
