import Foundation
import Model
import Plugins
import Testing

let goodManifest: JSONValue = [
    "name": "counter", "version": "1.2.0", "protocol": 1,
    "title": ["nl": "Teller", "en": "Counter"], "description": ["nl": "Telt", "en": "Counts"],
    "command": ["python3", "counter.py"],
    "configSchema": ["type": "object", "properties": ["step": ["type": "integer", "minimum": 1, "maximum": 10]], "additionalProperties": false],
    "phases": [["name": "counting", "title": ["nl": "Tellen", "en": "Counting"], "inputs": ["participant": ["inc"]]]],
    "outputs": ["gereedschapskist.item"],
]

func with(_ change: (inout [String: JSONValue]) -> Void) -> JSONValue {
    var o = goodManifest.objectValue!
    change(&o)
    return .object(o)
}

func problems(_ v: JSONValue) -> [ManifestProblem] {
    if case .failure(let p) = ManifestLoader.validate(v, folderName: "counter") { return p.problems }
    return []
}

@Suite struct ManifestTests {
    @Test func acceptsAValidManifest() throws {
        let m = try ManifestLoader.validate(goodManifest, folderName: "counter").get()
        #expect(m.name == "counter")
        #expect(m.phase(named: "counting")?.allows(role: .participant, type: "inc") == true)
        #expect(m.phase(named: "counting")?.allows(role: .facilitator, type: "inc") == false)
    }

    @Test func namesThePluginAndTheField() {
        let missing = problems(with { $0["command"] = nil })
        #expect(missing.contains(ManifestProblem(plugin: "counter", field: "command", message: "is required")))
        let proto = problems(with { $0["protocol"] = 2 })
        #expect(proto.count == 1 && proto[0].field == "protocol" && proto[0].plugin == "counter")
        #expect(problems(with { $0["title"] = ["nl": "Teller"] }).map(\.field) == ["title.en"])
        #expect(problems(with { $0["name"] = "other" }).map(\.field) == ["name"])
        #expect(problems(with { $0["version"] = "one" }).map(\.field) == ["version"])
        #expect(problems(with { $0["phases"] = [] }).map(\.field) == ["phases"])
        #expect(problems(with { $0["outputs"] = ["kennisbank.whatever"] }).map(\.field) == ["outputs"])
        #expect(problems(with { $0["configSchema"] = ["type": "object", "patternProperties": [:]] }).map(\.field) == ["configSchema"])
        #expect(problems(with { $0["web"] = "../../etc/passwd" }).map(\.field) == ["web"])
    }

    /// docs/PLUGINS.md: the `web` module sits in a subfolder, on a path the hub serves.
    @Test func theWebModuleSitsWhereTheHubServesIt() {
        for refused in ["counter.js", "./counter.js", "web/./counter.js", "web//counter.js", ".web/counter.js", "web/.counter.js",
                        "/web/counter.js", "web/../counter.js", "web/"] {
            #expect(problems(with { $0["web"] = .string(refused) }).map(\.field) == ["web"], "\(refused)")
        }
        for accepted in ["web/counter.js", "web/js/counter.js", "ui/counter.mjs"] {
            #expect(problems(with { $0["web"] = .string(accepted) }).isEmpty, "\(accepted)")
        }
    }
}

@Suite struct ConfigSchemaTests {
    let schema: JSONValue = [
        "type": "object", "required": ["kind"], "additionalProperties": false,
        "properties": [
            "kind": ["type": "string", "enum": ["single", "scale"]],
            "min": ["type": "integer", "minimum": 0, "maximum": 10],
            "labels": ["type": "array", "maxItems": 2, "items": ["type": "string", "maxLength": 5]],
            "ratio": ["type": "number"],
        ],
    ]

    @Test func validConfigPasses() {
        #expect(ConfigSchema.validate(["kind": "scale", "min": 1, "labels": ["laag", "hoog"], "ratio": 0.5], against: schema).isEmpty)
        #expect(ConfigSchema.validate(["kind": "scale", "ratio": 2], against: schema).isEmpty, "an integer is a number")
    }

    @Test func everyKeywordReportsItsPath() {
        let v = ConfigSchema.validate(["min": "1", "labels": ["heel hoog", "a", "b"], "extra": true, "kind": "vote"], against: schema)
        let paths = v.map(\.path).sorted()
        #expect(paths == ["config.extra", "config.kind", "config.labels", "config.labels[0]", "config.min"])
        #expect(ConfigSchema.validate(["kind": "scale", "min": 11], against: schema).map(\.message) == ["must be at most 10"])
        #expect(ConfigSchema.validate([:], against: schema).map(\.path) == ["config.kind"])
        #expect(ConfigSchema.validate(["kind": "scale", "min": 1.5], against: schema).map(\.path) == ["config.min"])
    }
}
