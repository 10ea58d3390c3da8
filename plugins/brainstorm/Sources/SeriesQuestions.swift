import Foundation
import PluginSDK

/// A brainstorm in a later session of a series (docs/BRAINSTORM.md "In a series"): the hub resolves
/// `context.from` when the session starts and hands the earlier session's `series.result` items in
/// `context.from.items`; each item becomes a question (its text, or its `title`: text or `{nl, en}`).
extension BrainstormPlugin {
    /// At most as many questions as the config allows (12); nil when the context carries no items.
    static func seriesQuestions(_ context: JSONValue) -> [Question]? {
        guard let items = context["from"]?["items"]?.arrayValue, !items.isEmpty else { return nil }
        var questions: [Question] = []
        for item in items.prefix(12) {
            let title = item.stringValue.map { JSONValue.string($0) } ?? item["title"] ?? .null
            guard let nl = (title.stringValue ?? title["nl"]?.stringValue ?? title["en"]?.stringValue)?
                .trimmingCharacters(in: .whitespacesAndNewlines), !nl.isEmpty else { continue }
            let en = title["en"]?.stringValue
            questions.append(Question(id: "thema-\(questions.count + 1)", nl: String(nl.prefix(300)), en: en.map { String($0.prefix(300)) }, field: nil))
        }
        return questions.isEmpty ? nil : questions
    }
}
