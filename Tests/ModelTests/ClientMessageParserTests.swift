import Model
import Testing

func code(_ text: String) -> ErrorCode? {
    if case .failure(let f) = ClientMessageParser.parse(text) { return f.error.code }
    return nil
}

@Suite struct ClientMessageParserTests {
    @Test func errorsHaveTheContractCodes() {
        #expect(code("{not json") == .badJSON)
        #expect(code(#"{"t":"ping",}"#) == .badJSON)
        #expect(code(#"{"t":"input","id":"a\u0000b","activity":"a1","type":"x","payload":{}}"#) == .badMessage, "NUL would be cut by SQLite")
        #expect(code(#"{"t":"join","code":"ABC234","name":"An\u0007na"}"#) == .badMessage)
        #expect(code(#"{"t":"input","id":"1","activity":"a1","type":"x","payload":{"a":[1,2,]}}"#) == .badJSON)
        #expect(code(#"{"t":"join","code":"A,}"}"#) == nil, "a comma inside a string is text")
        #expect(code("[1,2]") == .badMessage)
        #expect(code(#"{"x":1}"#) == .badMessage)
        #expect(code(#"{"t":5}"#) == .badMessage)
        #expect(code(#"{"t":"dance"}"#) == .unknownType)
        #expect(code(#"{"t":"join"}"#) == .badMessage)
        #expect(code(#"{"t":"join","code":7}"#) == .badMessage)
        #expect(code(#"{"t":"join","code":"ABC234","lang":"de"}"#) == .badMessage)
        #expect(code(#"{"t":"join","code":"ABC234","as":"king"}"#) == .badMessage)
        #expect(code(#"{"t":"input","id":"1","activity":"a1","type":"x"}"#) == .badMessage)
        #expect(code(#"{"t":"input","id":"1","activity":"a1","type":"x","payload":[]}"#) == .badMessage)
        #expect(code(#"{"t":"command","id":"1"}"#) == .badMessage)
        let longName = String(repeating: "a", count: 81)
        #expect(code(#"{"t":"join","code":"ABC234","name":"\#(longName)"}"#) == .tooLarge)
        let longId = String(repeating: "i", count: 65)
        #expect(code(#"{"t":"input","id":"\#(longId)","activity":"a1","type":"x","payload":{}}"#) == .tooLarge)
    }

    @Test func errorsCarryTheIdWhenReadable() {
        guard case .failure(let f) = ClientMessageParser.parse(#"{"t":"input","id":"abc","activity":"a1","type":"x"}"#) else { Issue.record(); return }
        #expect(f.id == "abc")
    }

    @Test func parsesEveryClientMessage() throws {
        #expect(try ClientMessageParser.parse(#"{"t":"ping"}"#).get() == .ping)
        let join = try ClientMessageParser.parse(#"{"t":"join","code":"abc234","name":"  Fatima ","function":"woonconsulent","as":"beamer","lang":"en","lastSeq":4,"extra":true}"#).get()
        #expect(join == .join(JoinRequest(code: "abc234", name: "Fatima", function: "woonconsulent", lang: .en, lastSeq: 4, asBeamer: true)))
        let input = try ClientMessageParser.parse(#"{"t":"input","id":"i1","activity":"a1","type":"vote","payload":{"choice":1}}"#).get()
        #expect(input == .input(InputRequest(id: "i1", activity: "a1", type: "vote", payload: ["choice": 1])))
    }
}

@Suite struct JSONValueDecodingTests {
    /// The decoder tries kinds in the order of how common they are; each value must still keep its own kind.
    /// RFC 8259 refuses trailing commas (Foundation's decoder takes them); commas and brackets inside strings,
    /// after escaped quotes, are text.
    @Test func trailingCommasAreRefusedOutsideStringsOnly() {
        #expect(JSONCoding.parse(#"{"a":1,}"#) == nil)
        #expect(JSONCoding.parse("[1, 2 ,\n ]") == nil)
        #expect(JSONCoding.parse(#"{"a":[1,],"b":2}"#) == nil)
        #expect(JSONCoding.parse(#"{"a":",}","b":"\",]"}"#) == ["a": ",}", "b": "\",]"])
        #expect(JSONCoding.parse(#"[",]"]"#) == [",]"])
        #expect(JSONCoding.parse(String(#"{"a":"é,}"}"#.dropLast()) + "}") == ["a": "é,}"])
    }

    @Test func everyKindKeepsItsKind() throws {
        let v = try #require(JSONCoding.parse(#"{"a":true,"b":1,"c":1.5,"d":"1","e":null,"f":[1,"x",false],"g":{},"h":"true","i":-9007199254740993,"j":1e3}"#))
        #expect(v == ["a": true, "b": 1, "c": 1.5, "d": "1", "e": nil, "f": [1, "x", false], "g": [:], "h": "true",
                      "i": .int(-9_007_199_254_740_993), "j": .int(1000)])  // 1e3 is a whole number: Foundation reads it as one
        #expect(JSONCoding.parse("[]") == [])
        #expect(JSONCoding.parse(#""x""#) == "x")
    }
}
