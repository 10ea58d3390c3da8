import Foundation
import GRDB
@testable import Model
@testable import Toolbox

/// The decoders every untrusted byte passes through, each with the property it must keep whatever it is
/// given: it returns (a value or a refusal) and never traps, and what it accepts the hub can pass on.
///
/// A libFuzzer target, built only by scripts/fuzz (instrumented, in .build-fuzz); `FUZZ_TARGET` names the
/// decoder. Each crash it finds is kept in Tests/Fuzz/corpus/<decoder>/, which every run replays first
/// (docs/SECURITY.md "Fuzzing").
enum Decoder: String, CaseIterable {
    /// A WebSocket text frame from a client: `ClientMessageParser.parse`. An input it accepts must stay
    /// encodable once the hub wraps it for the plugin, and read back as the same value (issue 13, finding 1).
    case wire
    /// A line from a plugin process (`PluginMessage.parse`) and a line from the hub (`HostMessage.parse`).
    case plugin
    /// Strict JSON (`JSONCoding.parse`): it reads every text as Foundation's decoder did before JSONParser, and
    /// what it accepts encodes and parses back to the same value.
    case json
    /// A kennisbank or gereedschapskist search text (`FacetedIndex.match`): refused within the limits, or an
    /// FTS5 expression that SQLite runs without a syntax error, whatever the words are.
    case search

    /// One in-memory FTS5 table like the stores' (FacetedIndex.migrate), for the `search` decoder.
    static let fts: DatabaseQueue = {
        let db = try! DatabaseQueue()
        try! db.write { try $0.execute(sql: "CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2'); INSERT INTO t VALUES ('Buurtbemiddeling', 'financiële zorgen in de wijk')") }
        return db
    }()

    func check(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .wire:
            guard case .success(let message) = ClientMessageParser.parse(text) else { return }
            guard case .input(let input) = message else { return }
            let event = HostMessage.event(instance: "a1", seq: 1, at: 0, actor: PluginActor(id: "p_x", role: .participant),
                                          type: input.type, payload: input.payload)
            let line: String
            do { line = try event.jsonLine } catch { fatalError("an accepted input cannot be encoded for its plugin: \(error)") }
            guard case .event(_, _, _, _, _, let payload)? = HostMessage.parse(line) else {
                fatalError("the plugin cannot read the event line the hub wrote: \(line.prefix(200))")
            }
            // JSON has one kind of number: a whole double in Int64's range reads back as an integer of the same value.
            precondition(Self.same(payload, input.payload), "the payload changed on its way to the plugin: \(line.prefix(200))")
        case .plugin:
            _ = PluginMessage.parse(text)
            _ = HostMessage.parse(text)
        case .json:
            let parsed = JSONCoding.parse(text)
            // Foundation guesses UTF-16 from NUL bytes at the start, and stops the process on some numbers of over
            // 128 digits and on deep nesting (JSONParser.swift): JSONParser differs there on purpose.
            if !text.utf8.prefix(4).contains(0), !Self.hasLongDigitRun(text),
               !Array(text.utf8).withUnsafeBufferPointer(JSONParser.stopsFoundation) {
                precondition(JSONCoding.identical(parsed, JSONCoding.foundationReading(text)),
                             "JSONParser and Foundation read differently: \(text.prefix(200).debugDescription)")
            }
            guard let value = parsed else { return }
            // Foundation refuses deeper documents when it parses, so what parsed is within its limit; the
            // hub only re-encodes what its own depth checks let through.
            guard value.depth(limit: FieldLimits.messageDepth) <= FieldLimits.messageDepth else { return }
            let again: String
            do { again = try JSONCoding.string(value) } catch { fatalError("a parsed value cannot be encoded: \(error)") }
            guard let back = JSONCoding.parse(again) else { fatalError("the hub's own JSON does not parse: \(again.prefix(200))") }
            precondition(Self.same(back, value), "JSON changed in a round trip: \(again.prefix(200))")
        case .search:
            let expression: String?
            do { expression = try FacetedIndex.match(text) } catch is SearchError { return } catch {
                fatalError("the query parser threw something the API cannot answer: \(error)")
            }
            guard let expression else { return }
            do { _ = try Self.fts.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM t WHERE t MATCH ?", arguments: [expression]) } } catch {
                fatalError("SQLite refused the expression \(expression.prefix(200)): \(error)")
            }
        }
    }

    static func hasLongDigitRun(_ text: String) -> Bool {
        var run = 0
        for b in text.utf8 {
            run = b &- UInt8(ascii: "0") < 10 ? run + 1 : 0
            if run > 100 { return true }
        }
        return false
    }

    /// Equal, counting a whole double and the same integer as one number (JSON does not tell them apart).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)): return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue || (a.doubleValue!.isNaN && b.doubleValue!.isNaN)
        default: return a == b
        }
    }
}

/// libFuzzer's entry when a program keeps its own `main` (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

let target = Decoder(rawValue: ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "") ?? {
    fatalError("set FUZZ_TARGET to one of: \(Decoder.allCases.map(\.rawValue).joined(separator: ", "))")
}()

@main
struct Fuzz {
    static func main() {
        _ = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { bytes, count in
            target.check(bytes.map { Data(bytes: $0, count: count) } ?? Data())
            return 0
        })
    }
}
