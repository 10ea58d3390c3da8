import Foundation
@testable import Model
import Testing

/// JSONParser against what `JSONCoding.parse` answered while it ran Foundation's decoder: the same value, doubles
/// to the bit, or the same refusal, for every text but the two differences JSONParser.swift names.
@Suite struct JSONParserTests {
    /// Texts near each corner; `JSONCoding.foundationReading` says what each must give.
    static let corners: [String] = [
        // Numbers: which are .int, which .double, which refuse the text.
        "1", "-0", "1.0", "1e2", "1E+2", "1e-2", "1.5e1", "0e0", "-0.0", "1.0e0", "100e-2", "2e18", "9.2e18", "1e19",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890", "1e400", "-1e400", "1e+400", "1e-400", "-1e-400",
        "0.1", "1.5", "4.9e-324", "2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623159e308",
        "9007199254740993", "9007199254740993.0", "9007199254740993.5", "9007199254740992.9", "-9007199254740993.9",
        "9223372036854775295.0", "9223372036854775296.0", "9223372036854775807.0", "-9223372036854775807.0",
        "-9223372036854775808.0", "9007199254740993e0", "90071992547409930e-1", "1.0000000000000001",
        "900719925474099300000000000000000000000000001e-29",
        "0." + String(repeating: "0", count: 130) + "9e130",
        "9007199254740993." + String(repeating: "0", count: 130),
        "01", "-01", "00", "-", "1.", "1.e2", ".5", "+1", "1e", "1e+", "-a", "0x10", "--1", "1-2", "1.5.5", "[01]", "[1.]", "[-]",
        // Strings.
        #""\ud800""#, #""\udc00""#, #""\ud800\udc00""#, #""\ud83d\ude00""#, #""\ud800x""#, #""\ud800\u0041""#,
        #""\uDBFF\uDFFF""#, #""\ud800\ud800""#, #""\udc00\ud800""#, #""\uD800\uDBFF""#, #""\/""#, #""\x""#,
        #""\u00e9""#, #""\u0000""#, #""\U0041""#, #""\u00G1""#, #""\u12""#, #""\u+041""#, #""\u 041""#,
        "\"a\u{1}b\"", "\"a\tb\"", "\"a\nb\"", "\"a\u{7F}b\"", "\"\u{0}\"", "\"é\"", #""a\"b""#, #""\b\f\n\r\t\\""#,
        #""a"#, #""\"#,
        // Objects: the first of two equal keys wins, and the later value is only scanned.
        #"{"a":1,"a":2}"#, #"{"a":1,"b":2,"a":3}"#, #"{"a":{},"a":[]}"#, #"{"\u0061":1,"a":2}"#, #"{"é":1,"e\u0301":2}"#,
        #"{"a":1,"a":01}"#, #"{"a":1,"a":1e400}"#, #"{"a":1,"a":"\ud800"}"#, #"{"a":1,"a":"\x"}"#, "{\"a\":1,\"a\":\"\u{1}\"}",
        #"{"a":1,"a":[1,]}"#, #"{"a":1,"a":{"b":1,"b":1e400}}"#, #"{"a":1,"a":-}"#, #"{"a":1,"a":1-2+e}"#, #"{"a":1,"a":tru}"#,
        #"{"a":1,"a":+1}"#, #"{"a":1,"a":x}"#, #"{"a":1,"a":"\u12"}"#, #"{"a":1,"a":[[1e400]]}"#, #"{"\ud800":1}"#,
        #"{"a":1,"a":{"\ud800":1}}"#,
        // A skipped `\u` that takes a backslash: there the old trailing-comma scan saw strings end elsewhere.
        #"{"a":1,"a":"\uabc\","b":",]"}"#, #"{"a":1,"a":"\uabc\","b":"x"}"#, #"{"a":1,"a":"\uab\\","b":[1,]}"#,
        #"{"a":1,"a":"\uabc\","b":[1,],"c":"]"}"#,
        // Whitespace, the top level, what follows the value.
        " 1 ", "\t[]\n", "\r{}\r", "\u{0B}1", "\u{0C}1", "\u{A0}1", "\u{FEFF}1", "\u{FEFF}{}", "\u{FEFF} 1", "\u{FEFF}",
        "1\u{FEFF}", "\u{FEFF}\u{FEFF}1", "", " ", #""a""#, "null", "true", "false", "nul", "True", "nulll", "truex",
        "{} x", "{}{}", "[] []", "1 2", "1,", "[1]]", "[[1]", "/*c*/1", "1//c", "NaN", "Infinity", "'a'", "{}\u{0}", "[\u{0}]",
        // Commas, colons, brackets.
        "[1 ,2]", "[1,]", #"{"a":1,}"#, "[1, 2 ,\n ]", "[,]", "[,1]", "[1,,2]", "{,}", #"{"a" 1}"#, #"{"a":}"#, "{1:1}",
        #"{"a":1 "b":2}"#, "[1 2]", "[", "{", "]", "}", "[}", "{]", #"{"a"}"#, #"{"a":1,"b"}"#, #"[",]"]"#,
    ]

    @Test func cornersReadAsFoundationReadThem() {
        var texts = Self.corners
        for levels in [511, 512, 513] {
            texts.append(String(repeating: "[", count: levels) + String(repeating: "]", count: levels))
            texts.append(String(repeating: #"{"a":"#, count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1))
            texts.append(#"{"a":1,"a":"# + String(repeating: "[", count: levels - 1) + String(repeating: "]", count: levels - 1) + "}")
            texts.append(#"{"a":1,"a":"# + String(repeating: #"{"b":"#, count: levels - 2) + "{}" + String(repeating: "}", count: levels - 2) + "}")
        }
        for text in texts {
            let expected = JSONCoding.foundationReading(text), parsed = JSONCoding.parse(text)
            #expect(JSONCoding.identical(parsed, expected), "\(text.prefix(80).debugDescription): \(String(describing: parsed)), Foundation \(String(describing: expected))")
        }
    }

    @Test func cornersReadAsDocumented() {
        #expect(JSONCoding.parse("1.0") == .int(1))
        #expect(JSONCoding.parse("1e-400") == .int(0))
        #expect(JSONCoding.parse("9007199254740993.5") == .int(9_007_199_254_740_993))
        #expect(JSONCoding.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(JSONCoding.parse("[1e400]") == nil)
        #expect(JSONCoding.parse(#"{"a":1,"a":2}"#) == ["a": 1])
        #expect(JSONCoding.parse(#"{"a":1,"a":01}"#) == ["a": 1])
        #expect(JSONCoding.parse(#""\ud800""#) == nil)
        #expect(JSONCoding.parse("\u{FEFF}[]") == [])
        #expect(JSONCoding.parse("[" + String(repeating: "[", count: 511) + String(repeating: "]", count: 512)) != nil)
        #expect(JSONCoding.parse(String(repeating: "[", count: 513) + String(repeating: "]", count: 513)) == nil)
    }

    /// Foundation guesses UTF-16 or UTF-32 from NUL bytes at the start and reads `"1\0"` as 1; the text is a String
    /// already, and RFC 8259 has no NUL outside strings, so these are refused.
    @Test func nulBytesAtTheStartAreRefused() {
        for text in ["1\u{0}", "\u{0}1", "1\u{0}2\u{0}", "\u{0}\u{0}\u{0}1", "\"\u{0}\"\u{0}"] {
            #expect(JSONCoding.foundationReading(text) != nil)
            #expect(JSONCoding.parse(text) == nil)
        }
    }

    /// A whole number from 2^53 whose Decimal reading overflows stops Foundation (SIGILL in
    /// JSONScanner.validateNumber); here it is the Double that Foundation would have fallen back to. Not compared
    /// with Foundation: that would stop the test run.
    @Test func aNumberThatStopsFoundationIsItsDouble() {
        let text = "0." + String(repeating: "0", count: 130) + "9007199254740993e147"
        #expect(JSONCoding.identical(JSONCoding.parse(text), .double(Double("90071992547409930")!)))
        #expect(JSONCoding.identical(JSONCoding.parse(#"{"n":[\#(text)]}"#), ["n": [.double(Double("90071992547409930")!)]]))
    }

    @Test func deepNestingIsRefusedWithoutRecursion() {
        #expect(JSONCoding.parse(String(repeating: "[", count: 100_000)) == nil)
        #expect(JSONCoding.parse(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)) == nil)
        #expect(JSONCoding.parse(#"{"a":1,"a":"# + String(repeating: #"{"b":"#, count: 100_000)) == nil)
    }

    @Test func randomTextsReadAsFoundationReadThem() {
        var texts = JSONTexts(random: SeededRNG(state: 2026))
        var accepted = 0
        for _ in 0..<4_000 {
            let text = texts.text()
            let parsed = JSONCoding.parse(text)
            if text.utf8.prefix(4).contains(0) {
                #expect(parsed == nil, "\(text.debugDescription)")
                continue
            }
            let expected = JSONCoding.foundationReading(text)
            if expected != nil { accepted += 1 }
            #expect(JSONCoding.identical(parsed, expected), "\(text.prefix(200).debugDescription): \(String(describing: parsed)), Foundation \(String(describing: expected))")
        }
        #expect(accepted > 1_000, "most generated texts are valid JSON")
    }
}

/// JSON texts, most of them valid, many near a corner: numbers around 2^53 and 2^63, escapes and surrogates,
/// repeated keys whose later values are broken, whitespace; then some of them cut, or a byte changed.
private struct JSONTexts {
    var random: SeededRNG

    mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &random)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func digits(_ range: ClosedRange<Int>) -> String {
        String((0..<Int.random(in: range, using: &random)).map { _ in pick(Array("0123456789")) })
    }

    mutating func number() -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return pick(["0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                             "-9223372036854775809", "9007199254740993", "1e400", "-1e400", "1e-400", "0.0", "-0.0",
                             "1E+2", "1e-2", "4.9e-324", "1.7976931348623157e308", "1.7976931348623159e308",
                             "9223372036854775295.0", "9223372036854775296.0", "-9223372036854775807.5",
                             "18446744073709551616", "1.0000000000000001", "9007199254740993.5", "123456789012345678901234567890"])
        case 1: return String(Int64.random(in: .min ... .max, using: &random))
        case 2: return String(Int.random(in: -1000...1000, using: &random))
        case 3:
            // Near 2^53 to 2^63, with a fraction or an exponent: Foundation's Decimal corner.
            let whole = digits(16...19).drop { $0 == "0" }
            let fraction = chance(70) ? "." + digits(1...30) : ""
            return (chance(30) ? "-" : "") + (whole.isEmpty ? "1" : whole) + fraction + (chance(30) ? "e" + pick(["", "+", "-"]) + pick(["0", "1", "00", "2"]) : "")
        case 4:
            // Up to 40 digits after the point, leading zeros among them, brought back near 1e0...1e20.
            let body = digits(1...40)
            let significant = body.drop { $0 == "0" }
            return "0." + body + "e" + String(significant.count + Int.random(in: -20...20, using: &random))
        case 5:
            let whole = chance(20) ? "0" : String(Int.random(in: 1...999_999, using: &random))
            return (chance(30) ? "-" : "") + whole + (chance(60) ? "." + digits(1...20) : "") + (chance(50) ? pick(["e", "E"]) + pick(["", "+", "-"]) + digits(1...3) : "")
        case 6: return "-" + digits(19...21)
        case 7: return digits(1...25)
        default:
            return pick(["1.", ".5", "+1", "01", "-", "1e", "1e+", "0x1", "1.e2", "--1", "1-2", "1.5.5", "0e", "-01", "00"])
        }
    }

    mutating func string() -> String {
        var s = "\""
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            switch Int.random(in: 0..<16, using: &random) {
            case 0: s += pick(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"])
            case 1: s += "\\u" + pick(["0041", "00e9", "0000", "001f", "FFFF", "fffe", "20AC", "D7FF", "E000"])
            case 2: s += pick(["\\ud83d\\ude00", "\\uD800\\uDC00", "\\uDBFF\\uDFFF"])
            case 3: s += pick(["\\ud800", "\\udc00", "\\ud800\\u0041", "\\ud800\\ud800", "\\udc00\\ud800", "\\ud800x"])
            case 4: s += pick(["\\x", "\\u12", "\\u00G1", "\\U0041", "\\", "\\uabc\\", "\\u\\\\ab"])
            case 5: s += pick(["\u{1}", "\t", "\n", "\u{7F}", "\u{0}"])
            case 6: s += pick(["é", "€", "😀", "e\u{301}", "\u{FEFF}", "ß"])
            case 7: s += pick([",]", ",}", "{", "[", ":", "\\\",]"])
            default: s += String(pick(Array("abcxyz ABC019")))
            }
        }
        return s + "\""
    }

    mutating func whitespace() -> String { chance(85) ? "" : pick([" ", "\t", "\n", "\r", "  ", "\u{C}", "\u{A0}"]) }

    mutating func value(_ depth: Int) -> String {
        let ws = whitespace()
        switch Int.random(in: 0..<(depth > 4 ? 6 : 10), using: &random) {
        case 0: return ws + pick(["null", "true", "false", "nul", "True", "truex"])
        case 1, 2: return ws + number()
        case 3, 4, 5: return ws + string()
        case 6, 7:
            let items = (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) }
            return ws + "[" + items.joined(separator: ",") + whitespace() + (chance(5) ? ",]" : "]")
        default:
            var keys: [String] = []
            var members: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let key = !keys.isEmpty && chance(30) ? pick(keys) : (chance(70) ? "\"" + String(pick(Array("abcde"))) + "\"" : string())
                keys.append(key)
                // The value of a repeated key is skipped: make it broken more often.
                let member = !members.isEmpty && keys.dropLast().contains(key) && chance(50) ? brokenValue() : value(depth + 1)
                members.append(whitespace() + key + whitespace() + ":" + member)
            }
            return ws + "{" + members.joined(separator: ",") + whitespace() + (chance(5) ? ",}" : "}")
        }
    }

    mutating func brokenValue() -> String {
        pick(["01", "-", "1.", "1-2+e", "\"\\x\"", "\"\\ud800\"", "\"\u{1}\"", "1e400", "[1e400]", "{\"b\":1,\"b\":1e400}",
              "\"\\uabc\\\"", "[1,]", "tru", "\"\\u12\"", "+1", ".5", "[01,-]", "{\"\\ud800\":0}"])
    }

    mutating func text() -> String {
        var text = value(0)
        if chance(5) { text = "\u{FEFF}" + text }
        if chance(30) {
            var bytes = Array(text.utf8)
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes = Array(bytes[..<at])
            case 1: if !bytes.isEmpty { bytes.remove(at: at) }
            case 2: bytes.insert(pick(Array("{}[],:\" \\-.eE+0u1x".utf8)), at: at)
            case 3: if !bytes.isEmpty { bytes[at] = pick(Array("{}[],:\" \\-.eE+0u1x".utf8)) }
            default: bytes += Array(pick([" ", " x", "{}", ",", "1"]).utf8)
            }
            text = String(decoding: bytes, as: UTF8.self)
        }
        return text
    }
}
