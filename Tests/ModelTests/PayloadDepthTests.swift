import Foundation
import Model
import Testing

/// A value nested `levels` deep: `{"a":{"a":…{}…}}`.
func nested(_ levels: Int) -> JSONValue {
    var v: JSONValue = [:]
    for _ in 1..<max(1, levels) { v = ["a": v] }
    return v
}

func nestedText(_ levels: Int) -> String {
    String(repeating: #"{"a":"#, count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)
}

func inputMessage(payload: String) -> String {
    #"{"t":"input","id":"deep-1","activity":"a1","type":"ballot","payload":\#(payload)}"#
}

@Suite struct PayloadDepthTests {
    @Test func depthCountsLevels() {
        #expect(JSONValue.int(1).depth() == 0)
        #expect(JSONValue.object([:]).depth() == 1)
        #expect((["a": [1]] as JSONValue).depth() == 2)
        #expect(nested(64).depth() == 64)
        #expect(nested(5_000).depth(limit: 70) <= 72, "counting stops past the limit")
        #expect(JSONCoding.nestingDepth(#"{"a":"{{{[[[","b":[{}]}"#.utf8) == 3, "brackets inside strings do not count")
        #expect(JSONCoding.nestingDepth(#"{"a":"\"{{{","b":1}"#.utf8) == 1, "an escaped quote does not end the string")
        #expect(JSONCoding.nestingDepth(nestedText(510).utf8) == 510)
    }

    @Test func aPayloadOf64LevelsPassesAndOneMoreIsTooLarge() throws {
        #expect(code(inputMessage(payload: nestedText(FieldLimits.payloadDepth))) == nil)
        guard case .failure(let f) = ClientMessageParser.parse(inputMessage(payload: nestedText(FieldLimits.payloadDepth + 1))) else {
            Issue.record("65 levels accepted"); return
        }
        #expect(f.error.code == .tooLarge)
        #expect(f.error.detail == "max_depth_64")
        #expect(f.id == "deep-1", "the refusal names the message")
    }

    /// The reproduction of issue 13: ~510 levels passed Foundation's 512-level parse limit.
    @Test func deepMessagesAreTooLargeBeforeAnyDecoderLimit() {
        for levels in [66, 200, 510, 511, 600, 5_000] {
            #expect(code(inputMessage(payload: nestedText(levels))) == .tooLarge, "\(levels) levels")
        }
        let deepCommand = #"{"t":"command","id":"c1","type":"groups","groups":\#(nestedText(300))}"#
        #expect(code(deepCommand) == .tooLarge, "the whole message is bounded, not only an input's payload")
        #expect(code(#"{"t":"join","code":"ABC234","x":\#(nestedText(100))}"#) == .tooLarge)
    }

    /// The id of a message refused for its depth is read in one pass over the bytes, not by decoding the
    /// document (which costs the square of the depth: about a second per 510-level message on a debug hub).
    /// Behind a payload deeper than Foundation's own limit (512) only that pass can still find it.
    @Test func aTooDeepMessageIsNamedWithoutDecodingIt() {
        let text = #"{"t":"input","activity":"a1","type":"x","payload":\#(nestedText(5_000)),"id":"deep-2"}"#
        guard case .failure(let f) = ClientMessageParser.parse(text) else { Issue.record(); return }
        #expect(f.error.code == .tooLarge && f.id == "deep-2")
    }

    @Test func topLevelStringReadsOnlyTheTopLevel() {
        #expect(JSONCoding.topLevelString("id", in: #"{"t":"x","id":"a\"b"}"#) == "a\"b")
        #expect(JSONCoding.topLevelString("id", in: #"{"p":{"id":"inner"},"q":["id","x"]}"#) == nil)
        #expect(JSONCoding.topLevelString("id", in: #"{"p":{"id":"inner"},"id":"outer"}"#) == "outer")
        #expect(JSONCoding.topLevelString("id", in: #"{"x":"id","y":"z"}"#) == nil, "a value that reads id is no key")
        #expect(JSONCoding.topLevelString("id", in: #"{"id":7}"#) == nil)
        #expect(JSONCoding.topLevelString("id", in: #"{"id":"unterminated"#) == nil)
        #expect(JSONCoding.topLevelString("id", in: #"["id","x"]"#) == nil)
    }

    @Test func theValueParserBoundsDepthToo() {
        let value: JSONValue = ["t": "input", "id": "1", "activity": "a1", "type": "x", "payload": nested(65)]
        guard case .failure(let f) = ClientMessageParser.parse(value) else { Issue.record(); return }
        #expect(f.error.code == .tooLarge)
    }
}

@Suite struct JSONCodingFailureTests {
    /// The old `JSONCoding.string` answered the text `null` for a value it could not encode: a plugin got
    /// the line `null`, an export the body `null`.
    @Test func encodingTooDeepAValueThrowsInsteadOfNull() {
        let deep = nested(600)
        #expect(throws: (any Error).self) { try JSONCoding.string(deep) }
        #expect(throws: (any Error).self) { try JSONCoding.value(deep) }
        #expect(throws: (any Error).self) { try JSONCoding.string(JSONValue.double(.nan)) }
        let event = HostMessage.event(instance: "s/a1", seq: 1, at: 0, actor: PluginActor(id: "x", role: .participant), type: "t", payload: nested(520))
        #expect(throws: (any Error).self) { try event.jsonLine }
    }

    @Test func aPayloadWithinTheLimitStaysEncodableWhenWrapped() throws {
        let payload = nested(FieldLimits.payloadDepth)
        let event = HostMessage.event(instance: "s/a1", seq: 1, at: 0, actor: PluginActor(id: "x", role: .participant), type: "t", payload: payload)
        let line = try event.jsonLine
        #expect(line != "null" && HostMessage.parse(line) == event)
        #expect(try JSONCoding.string(["events": [["payload": payload]]] as JSONValue) != "null")
    }
}
