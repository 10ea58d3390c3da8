import Foundation
import Logging
import Testing
@testable import SessionHub

/// `--log-format json`: whatever a log line holds, it is one line of one JSON object.
struct JSONLogHandlerTests {
    func decode(_ data: Data?) throws -> [String: Any] {
        let data = try #require(data)
        #expect(data.last == UInt8(ascii: "\n"))
        #expect(!data.dropLast().contains(UInt8(ascii: "\n")), "one line")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func aMessageWithNewlinesAndQuotesStaysOneLineAndRoundTrips() throws {
        let handler = JSONLogHandler(label: "sessionhub")
        let text = "first line\nsecond \"quoted\" line\u{0}\t— ünïcode"
        let object = try decode(handler.line(level: .warning, message: "\(text)", metadata: ["why": .string("a\nb")]))
        #expect(object["message"] as? String == text)
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "sessionhub")
        #expect((object["metadata"] as? [String: Any])?["why"] as? String == "a\nb")
        let stamp = try #require(object["timestamp"] as? String)
        #expect(stamp.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
    }

    @Test func requestConnectionAndSessionIdsAreTopLevelFields() throws {
        var handler = JSONLogHandler(label: "sessionhub")
        handler[metadataKey: "hb.request.id"] = .string("r1")
        let object = try decode(handler.line(level: .info, message: "Request",
                                             metadata: ["connection": .string("c1"), "session": .string("s_1"), "role": .array([.string("x")])]))
        #expect(object["request"] as? String == "r1")
        #expect(object["connection"] as? String == "c1")
        #expect(object["session"] as? String == "s_1")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["hb.request.id"] == nil && metadata["connection"] == nil)
        #expect(metadata["role"] as? [String] == ["x"])
    }
}
