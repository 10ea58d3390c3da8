import PluginSDK

/// Intervisie continuity in a series (docs/CASE-REVIEW.md "Follow-up in a series"): at the end of the case
/// review the inbrenger may consent to keep one follow-up question for the next session ("Wat heb je met het
/// advies gedaan?"). What travels is only that the group asked for it: the group's id, the method and the
/// fixed question, never the case, a card, an advice or anything the inbrenger typed. It travels as the
/// restricted `series.result` `follow-up` (`audience: group`), which the hub hands only to the next session's
/// plugin (`context.from`) and never shows in a series, a report or an export; this plugin shows each item
/// only in the `group:<id>` view of the group with the same id. Without consent nothing is emitted.
extension CaseReviewPlugin {
    static let followUpResult = "follow-up"
    static let followUpQuestion = LocalizedText(nl: "Wat heb je met het advies gedaan?", en: "What did you do with the advice?")

    /// One group's kept follow-up: what a `follow-up` item holds, and what the next session's group is shown.
    struct FollowUp: Encodable, Sendable, Hashable {
        var group: String
        var method: MethodInfo
        var question: LocalizedText
    }

    struct FollowUpRecord: Encodable {
        var name = CaseReviewPlugin.followUpResult
        /// The hub's mark of a restricted result (docs/SERIES.md "Restricted results").
        var audience = "group"
        var items: [FollowUp]
    }

    /// The follow-ups an earlier session kept, by group id, from the resolved `context.from.items` (docs/SERIES.md);
    /// items that are not follow-ups are skipped.
    static func lookBack(_ context: JSONValue) -> [String: FollowUp] {
        var out: [String: FollowUp] = [:]
        for item in context["from"]?["items"]?.arrayValue?.prefix(50) ?? [] {
            guard let group = item["group"]?.stringValue, !group.isEmpty, group.count <= 40 else { continue }
            let title = item["method"]?["title"]
            let nl = title?["nl"]?.stringValue ?? title?.stringValue ?? ""
            let method = MethodInfo(id: String((item["method"]?["id"]?.stringValue ?? "").prefix(40)),
                                    title: LocalizedText(nl: String(nl.prefix(300)), en: String((title?["en"]?.stringValue ?? nl).prefix(300))))
            out[group] = FollowUp(group: group, method: method, question: followUpQuestion)
        }
        return out
    }

    /// The groups whose inbrenger consents now, by id.
    static func consenting(_ state: State) -> [String] {
        state.groups.keys.sorted { ($0.count, $0) < ($1.count, $1) }.filter { state.groups[$0]!.followUp == true && state.groups[$0]!.inbrenger != nil }
    }

    /// Emits the `follow-up` result when the consenting groups changed since the last one: a later result replaces
    /// an earlier one, so a withdrawn consent takes the group out again. Nothing is emitted until someone consents.
    static func emitFollowUps(_ v: inout Views, _ state: inout State) {
        let now = consenting(state)
        guard now != state.followUpsEmitted, let method = state.method else { return }
        state.followUpsEmitted = now
        let info = MethodInfo(id: method.id, title: method.title)
        v.emit("series.result", FollowUpRecord(items: now.map { FollowUp(group: $0, method: info, question: followUpQuestion) }))
    }
}
