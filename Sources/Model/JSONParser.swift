import Foundation

/// `JSONCoding.parse` in one pass over the UTF-8 bytes. It answers exactly what the hub's parse answered while it
/// ran Foundation's `JSONDecoder` (through `JSONValue.init(from:)`) after a scan for trailing commas: peers see
/// no difference, and the hub stops paying for Foundation's thrown errors (four per number; 13 % of a
/// 2,000-ballot burst, docs/PERFORMANCE.md). Tests/ModelTests/JSONParserTests.swift holds both side by side.
///
/// Foundation's ways this keeps, found by experiment (swift-foundation of Swift 6.3):
/// - A number written as an integer that fits Int64 is `.int`; any other number is `.int` when strtod reads it
///   as a whole Int64 below 2^53 (`1.0`, `1e2`, `1e-400` is 0), above that when Foundation's Decimal reading of
///   the text is a whole Int64 after dropping its fraction (`decimalInteger`); else `.double` of strtod.
///   A number beyond Double's range (`1e400`) refuses the whole text.
/// - Of two equal keys the first one wins, and the later value is never read: only its brackets, quotes and
///   literals have to be right (`{"a":1,"a":01}` is `{"a":1}`), as Foundation's scanner checks no more of it.
/// - At most 512 levels of arrays and objects, counted in such skipped values too.
/// - One UTF-8 byte order mark before the value is skipped.
///
/// Where it differs, on purpose: Foundation guesses UTF-16 or UTF-32 from NUL bytes among the first four
/// (`"1\0"` reads as 1), which a text that is already a String never is, so such texts are refused here as
/// RFC 8259 says; and a whole number of 2^53 or more that Foundation's Decimal cannot hold
/// (`0.<130 zeros>9007199254740993e147`) stops the process in Foundation, while here it is the `.double`
/// Foundation would fall back to.
enum JSONParser {
    static let maximumDepth = 512

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var parser = Parser(bytes: bytes)
        return parser.document()
    }

    /// Whether Foundation's `JSONDecoder` would stop the process on this text: somewhere outside a string is a
    /// whole number between 2^53 and 2^63 whose Decimal reading overflows (`0.<113 zeros>9007199254740993e130`:
    /// more than 128 fraction digits read; SIGILL in swift-foundation of Swift 6.3, a decoded `Int` or a
    /// `JSONValue` alike). Every decode that reaches Foundation asks this first (`JSONCoding.decode`), and the
    /// scan looks at every number, also those after a trailing comma or in a value Foundation would skip.
    /// Nesting deeper than `foundationDepth` is refused too: 513 unclosed `[` stop Foundation's decoder (found by
    /// the json fuzz target; no body the hub reads nests more than a few levels).
    static func stopsFoundation(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var parser = Parser(bytes: bytes)
        var depth = 0
        while parser.i < bytes.count {
            let b = bytes[parser.i]
            if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
                if depth > foundationDepth { return true }
                parser.i += 1
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
                parser.i += 1
            } else if b == quote {
                guard parser.skipString() else { return false }
            } else if b == UInt8(ascii: "-") || parser.isDigit(b) {
                let start = parser.i
                _ = parser.number()
                if parser.decimalOverflowed { return true }
                parser.i = max(parser.i, start + 1)
            } else {
                parser.i += 1
            }
        }
        return false
    }

    static let foundationDepth = 256
}

private let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Escaped text of the string being read, reused from string to string.
    var scratch: [UInt8] = []
    /// Set when a skipped string's `\u` swallowed a backslash. Foundation's scanner then ends that string where
    /// the old trailing-comma scan of the raw bytes did not, so that scan decides about trailing commas.
    var stringsDisagree = false
    /// Set when a number's Decimal reading overflowed (`decimalInteger`): Foundation stops there.
    var decimalOverflowed = false

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// An open array or object, kept on a heap stack so that nesting costs no recursion.
    struct Frame {
        var isObject: Bool
        var array: [JSONValue] = []
        var object: [String: JSONValue] = [:]
        var key = ""
    }

    enum Members { case value, closed, failed }

    mutating func document() -> JSONValue? {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        guard let value = nestedValue() else { return nil }
        skipWhitespace()
        guard i == bytes.count else { return nil }
        if stringsDisagree, JSONCoding.scanForTrailingComma(bytes) { return nil }
        return value
    }

    mutating func nestedValue() -> JSONValue? {
        var stack: [Frame] = []
        while true {
            skipWhitespace()
            guard i < bytes.count else { return nil }
            var value: JSONValue
            switch bytes[i] {
            case UInt8(ascii: "{"):
                guard stack.count < JSONParser.maximumDepth else { return nil }
                i += 1
                var frame = Frame(isObject: true)
                switch members(of: &frame, depth: stack.count + 1, first: true) {
                case .failed: return nil
                case .value: stack.append(frame); continue
                case .closed: value = .object(frame.object)
                }
            case UInt8(ascii: "["):
                guard stack.count < JSONParser.maximumDepth else { return nil }
                i += 1
                skipWhitespace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    value = .array([])
                } else {
                    stack.append(Frame(isObject: false))
                    continue
                }
            default:
                guard let scalar = scalarValue() else { return nil }
                value = scalar
            }
            // Hand the value to the containers it completes.
            while let last = stack.indices.last {
                if stack[last].isObject {
                    stack[last].object[stack[last].key] = value
                    let depth = stack.count
                    switch members(of: &stack[last], depth: depth, first: false) {
                    case .failed: return nil
                    case .value: break
                    case .closed: value = .object(stack.removeLast().object)
                        continue
                    }
                } else {
                    stack[last].array.append(value)
                    skipWhitespace()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                            guard stringsDisagree else { return nil }
                            i += 1
                            value = .array(stack.removeLast().array)
                            continue
                        }
                    } else if bytes[i] == UInt8(ascii: "]") {
                        i += 1
                        value = .array(stack.removeLast().array)
                        continue
                    } else {
                        return nil
                    }
                }
                break
            }
            if stack.isEmpty { return value }
        }
    }

    /// Reads an object up to the next value to keep (`.value`, its key in `frame.key`) or its end. A later
    /// value of a key already present is skipped the way Foundation's scanner passes it.
    mutating func members(of frame: inout Frame, depth: Int, first: Bool) -> Members {
        var first = first
        while true {
            skipWhitespace()
            guard i < bytes.count else { return .failed }
            if first {
                first = false
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .closed }
            } else if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .closed
            } else if bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipWhitespace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                    guard stringsDisagree else { return .failed }
                    i += 1
                    return .closed
                }
            } else {
                return .failed
            }
            guard i < bytes.count, bytes[i] == quote, let key = string() else { return .failed }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return .failed }
            i += 1
            if frame.object[key] == nil {
                frame.key = key
                return .value
            }
            guard skipValue(depth: depth) else { return .failed }
        }
    }

    mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): i += 1
            default: return
            }
        }
    }

    mutating func scalarValue() -> JSONValue? {
        switch bytes[i] {
        case quote: return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - i >= count else { return false }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { return false }
        i += count
        return true
    }

    // MARK: Strings

    /// The string whose opening quote is at `i`, with its escapes resolved; nil where Foundation refuses it:
    /// a control character, an unknown escape, a surrogate without its other half.
    mutating func string() -> String? {
        i += 1
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == quote {
                i += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]), as: UTF8.self)
            }
            if b == backslash || b < 0x20 { break }
            i += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == quote { return String(decoding: scratch, as: UTF8.self) }
            if b < 0x20 { return nil }
            guard b == backslash else { scratch.append(b); continue }
            guard i < bytes.count else { return nil }
            let escaped = bytes[i]
            i += 1
            switch escaped {
            case quote, backslash, UInt8(ascii: "/"): scratch.append(escaped)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hexUnit() else { return nil }
                var scalar = UInt32(unit)
                if UTF16.isLeadSurrogate(unit) {
                    guard bytes.count - i >= 2, bytes[i] == backslash, bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                    i += 2
                    guard let trail = hexUnit(), UTF16.isTrailSurrogate(trail) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(trail) - 0xDC00)
                } else if UTF16.isTrailSurrogate(unit) {
                    return nil
                }
                appendUTF8(scalar)
            default: return nil
            }
        }
        return nil
    }

    mutating func hexUnit() -> UInt16? {
        guard bytes.count - i >= 4 else { return nil }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt16(digit)
            i += 1
        }
        return unit
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Numbers

    /// The number at `i`: nil where its text is not a JSON number, or where it is beyond Double's range (both
    /// refuse the whole text in Foundation).
    mutating func number() -> JSONValue? {
        let start = i
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let integerStart = i
        guard i < bytes.count, isDigit(bytes[i]) else { return nil }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let integerEnd = i
        var fractionEnd = i
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { return nil }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            fractionEnd = i
        }
        var exponentDigits = i..<i
        var exponentNegative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let digitsStart = i
            guard i < bytes.count, isDigit(bytes[i]) else { return nil }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            exponentDigits = digitsStart..<i
        }
        // Foundation's scanner takes these as part of the number, whose text is then no JSON number.
        if i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                return nil
            default: break
            }
        }
        if fractionEnd == integerEnd, exponentDigits.isEmpty, let whole = integer(integerStart..<integerEnd, negative: negative) {
            return .int(whole)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else { return nil }
        guard let whole = Int64(exactly: double) else { return .double(double) }
        if double.magnitude < 0x1p53 { return .int(whole) }
        let fraction = integerEnd == fractionEnd ? integerEnd..<integerEnd : (integerEnd + 1)..<fractionEnd
        switch decimalInteger(integer: integerStart..<integerEnd, fraction: fraction, exponent: exponentDigits,
                              exponentNegative: exponentNegative, negative: negative) {
        case .whole(let value): return .int(value)
        case .notInt64: return .double(double)
        case .overflows:
            decimalOverflowed = true
            return .double(double)
        }
    }

    func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    /// Digits written as an integer, when Int64 holds them.
    func integer(_ digits: Range<Int>, negative: Bool) -> Int64? {
        guard digits.count <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for k in digits { magnitude = magnitude * 10 + UInt64(bytes[k] - UInt8(ascii: "0")) }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// The Int64 Foundation reads from a number whose double is a whole number of 2^53 or more: it reads the
    /// text again as a Decimal and drops the fraction (`9007199254740993.5` is 9007199254740993). The Decimal
    /// keeps the leading digits that fit 128 bits, each later digit of the integer part raising its exponent,
    /// which must stay within -128...127; without trailing zeros those digits must fit 64 bits. nil where
    /// Foundation's Int64 fails (it then reads the Double) or where its Decimal overflows (Foundation stops).
    enum DecimalReading { case whole(Int64), notInt64, overflows }

    func decimalInteger(integer: Range<Int>, fraction: Range<Int>, exponent: Range<Int>, exponentNegative: Bool,
                        negative: Bool) -> DecimalReading {
        func digit(_ k: Int) -> UInt8 {
            bytes[k < integer.count ? integer.lowerBound + k : fraction.lowerBound + k - integer.count] - UInt8(ascii: "0")
        }
        let total = integer.count + fraction.count
        var leadingZeros = 0
        while leadingZeros < total, digit(leadingZeros) == 0 { leadingZeros += 1 }
        var kept = total - leadingZeros
        if kept >= 39 {
            // 2^128 - 1: the largest 39-digit mantissa.
            let limit = Array("340282366920938463463374607431768211455".utf8).map { $0 - UInt8(ascii: "0") }
            var fits = true
            for k in 0..<39 where digit(leadingZeros + k) != limit[k] {
                fits = digit(leadingZeros + k) < limit[k]
                break
            }
            kept = fits ? 39 : 38
        }
        let read = leadingZeros + kept
        var scale: Int
        if read < integer.count {
            scale = integer.count - read
            guard scale <= 127 else { return .overflows }
        } else {
            let fractionRead = min(read - integer.count, fraction.count)
            guard fractionRead <= 128 else { return .overflows }
            scale = -fractionRead
        }
        var e = exponent.lowerBound
        while e < exponent.upperBound, bytes[e] == UInt8(ascii: "0") { e += 1 }
        if e < exponent.upperBound {
            guard exponent.upperBound - e <= 3 else { return .overflows }
            var value = 0
            for k in e..<exponent.upperBound { value = value * 10 + Int(bytes[k] - UInt8(ascii: "0")) }
            guard value <= 254 else { return .overflows }
            scale += exponentNegative ? -value : value
            guard (-128...127).contains(scale) else { return .overflows }
        }
        var end = leadingZeros + kept
        while end > leadingZeros, digit(end - 1) == 0 { end -= 1; scale += 1 }
        var mantissa: UInt64 = 0
        for k in leadingZeros..<end {
            let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit(k)))
            guard !overflow1, !overflow2 else { return .notInt64 }
            mantissa = sum
        }
        if scale < 0 {
            for _ in 0 ..< -scale { mantissa /= 10 }
        } else {
            for _ in 0..<scale {
                let (times10, overflow) = mantissa.multipliedReportingOverflow(by: 10)
                guard !overflow else { return .notInt64 }
                mantissa = times10
            }
        }
        guard let magnitude = Int64(exactly: mantissa) else { return .notInt64 }
        return .whole(negative ? -magnitude : magnitude)
    }

    // MARK: Skipped values

    /// Passes the value at `i` as Foundation's scanner does one it never decodes: brackets, commas, colons and
    /// literals must be right, strings only closed, numbers any run of digits, signs, points and exponents.
    mutating func skipValue(depth: Int) -> Bool {
        var openIsObject: [Bool] = []
        while true {
            skipWhitespace()
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case quote:
                guard skipString() else { return false }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth + openIsObject.count < JSONParser.maximumDepth else { return false }
                let isObject = bytes[i] == UInt8(ascii: "{")
                i += 1
                skipWhitespace()
                guard i < bytes.count else { return false }
                if bytes[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                } else {
                    openIsObject.append(isObject)
                    if isObject, !skipKey() { return false }
                    continue
                }
            case UInt8(ascii: "t"): guard literal("true") else { return false }
            case UInt8(ascii: "f"): guard literal("false") else { return false }
            case UInt8(ascii: "n"): guard literal("null") else { return false }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i += 1
                scan: while i < bytes.count {
                    switch bytes[i] {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"),
                         UInt8(ascii: "e"), UInt8(ascii: "E"):
                        i += 1
                    default: break scan
                    }
                }
            default:
                return false
            }
            // After a value: close the containers it completes, or go on to the next member.
            while let isObject = openIsObject.last {
                skipWhitespace()
                guard i < bytes.count else { return false }
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if bytes[i] == close {
                    i += 1
                    openIsObject.removeLast()
                    continue
                }
                guard bytes[i] == UInt8(ascii: ",") else { return false }
                i += 1
                skipWhitespace()
                if i < bytes.count, bytes[i] == close {
                    guard stringsDisagree else { return false }
                    i += 1
                    openIsObject.removeLast()
                    continue
                }
                if isObject, !skipKey() { return false }
                break
            }
            if openIsObject.isEmpty { return true }
        }
    }

    mutating func skipKey() -> Bool {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == quote, skipString() else { return false }
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
        i += 1
        return true
    }

    /// Passes a string as Foundation's scanner does: any byte up to the closing quote, a backslash taking the next
    /// byte and `\u` four more, none of them a quote.
    mutating func skipString() -> Bool {
        i += 1
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == quote { return true }
            guard b == backslash else { continue }
            guard i < bytes.count else { return false }
            let escaped = bytes[i]
            i += 1
            guard escaped == UInt8(ascii: "u") else { continue }
            guard bytes.count - i >= 4 else { return false }
            for k in i..<(i + 4) {
                if bytes[k] == quote { return false }
                if bytes[k] == backslash { stringsDisagree = true }
            }
            i += 4
        }
        return false
    }
}
