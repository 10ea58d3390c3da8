import Foundation
import Model
import Testing

/// `JSONCoding.decode` refuses, as invalid data, a text that would stop the process in Foundation's decoder:
/// a whole number between 2^53 and 2^63 read with more than 128 fraction digits (found by the json fuzz target;
/// measured boundary: 112 zeros after the point decode, 113 stop the process). Every REST body, file and plugin
/// line that is decoded into a type goes through it, so a request cannot stop the hub.
@Suite struct JSONDecodeRefusalTests {
    static func number(zeros: Int) -> String {
        "0." + String(repeating: "0", count: zeros) + "9007199254740993e\(zeros + 17)"
    }

    struct Body: Decodable { var v: Int }

    @Test func theLastNumberFoundationHoldsIsDecoded() throws {
        let body = try JSONCoding.decode(Body.self, from: #"{"v":\#(Self.number(zeros: 112))}"#)
        #expect(body.v == 90_071_992_547_409_930)
    }

    @Test func aNumberThatWouldStopFoundationIsRefused() {
        let n = Self.number(zeros: 113)
        for text in [
            #"{"v":\#(n)}"#, #"{"v":-\#(n)}"#, #"{"v":1,"w":[\#(n)]}"#,
            // After a trailing comma, which Foundation takes, and in a later value of a repeated key, which
            // Foundation scans without decoding: refused all the same, the scan does not guess what is decoded.
            #"{"w":[1,],"v":\#(n)}"#, #"{"v":1,"v":\#(n)}"#,
        ] {
            #expect(throws: DecodingError.self, "\(text.prefix(20))") { try JSONCoding.decode(Body.self, from: text) }
            #expect(throws: DecodingError.self) { try JSONCoding.decode(JSONValue.self, from: Data(text.utf8)) }
        }
    }

    @Test func theSameDigitsInAStringOrTooLargeForInt64AreNotRefused() throws {
        let n = Self.number(zeros: 113)
        struct Text: Decodable { var v: String }
        #expect(try JSONCoding.decode(Text.self, from: #"{"v":"\#(n)"}"#).v == n)
        // Beyond Int64 Foundation never reads the Decimal: the Double, as Foundation gives it.
        struct Real: Decodable { var v: Double }
        let big = "0." + String(repeating: "0", count: 130) + "9e300"
        #expect(try JSONCoding.decode(Real.self, from: #"{"v":\#(big)}"#).v == 9e169)
        #expect(try JSONCoding.decode(Real.self, from: #"{"v":1.5}"#).v == 1.5)
    }

    @Test func nestingDeeperThanFoundationHoldsIsRefused() throws {
        // 513 unclosed brackets stopped the hub through a REST body (found by the json fuzz target).
        for text in [String(repeating: "[", count: 513), String(repeating: "[", count: 257) + String(repeating: "]", count: 257)] {
            #expect(throws: DecodingError.self) { try JSONCoding.decode(JSONValue.self, from: Data(text.utf8)) }
        }
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try JSONCoding.decode(JSONValue.self, from: Data(ok.utf8)) != .null)
    }
}
