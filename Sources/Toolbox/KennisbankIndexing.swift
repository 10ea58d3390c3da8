import Foundation
import Model

/// What both stores index of a kennisbank description or a gereedschapskist item (facets, search text, the
/// content that decides "is this a new version?") and how a search text becomes words: one definition, so that
/// the SQLite store (FTS5) and the PostgreSQL store (tsvector) index and search alike (issue 21).
public enum KennisbankIndexing {
    /// The record without its bookkeeping, for "is this other content?".
    public static func content(_ i: Intervention) throws -> String {
        var c = i
        c.version = nil
        c.createdAt = nil
        c.updatedAt = nil
        c.author = nil
        return try JSONCoding.string(c)
    }

    public static func content(_ t: ToolkitItem) throws -> String {
        var c = t
        c.version = nil
        c.createdAt = nil
        c.updatedAt = nil
        c.author = nil
        return try JSONCoding.string(c)
    }

    /// (facet, value) pairs of a description; `domains`: effect id → its domain in the current effectordening.
    public static func facets(_ i: Intervention, domains: [String: String]) -> [(facet: String, value: String)] {
        var f: [(facet: String, value: String)] = []
        func add(_ facet: String, _ values: [String]?) { for v in values ?? [] where !v.isEmpty { f.append((facet, v)) } }
        add("kind", [i.kind])
        add("type", [i.type.rawValue])
        add("state", [i.state.rawValue])
        add("scale", i.scale.map { [$0.rawValue] })
        add("theme", i.themes)
        add("effect", i.effects)
        add("domain", i.effects?.compactMap { domains[$0] })
        add("targetGroup", i.targetGroups)
        add("evidence", i.activeIngredients?.compactMap { $0.evidence?.level.rawValue })
        add("partner", i.partner.map { [$0] })
        return f
    }

    public static func facets(_ item: ToolkitItem) -> [(facet: String, value: String)] {
        var f: [(facet: String, value: String)] = [("kind", item.kind.rawValue)]
        for b in item.barriers ?? [] { f.append(("barrier", b)) }
        for t in item.themes ?? [] { f.append(("theme", t)) }
        for a in item.audience ?? [] { f.append(("audience", a)) }
        if let s = item.series { f.append(("series", s)) }
        return f
    }

    /// The searchable text besides the title.
    public static func searchText(_ i: Intervention) -> String {
        var parts: [String?] = [i.summary, i.problem, i.approach, i.intendedEffect, i.kind, i.partner, i.location]
        parts += (i.goals ?? []) + (i.targetGroups ?? []) + (i.steps ?? []) + (i.otherEffects ?? []) + (i.themes ?? [])
        for a in i.activeIngredients ?? [] { parts += [a.statement, a.why] + (a.sourceRecords ?? []) + [a.evidence?.explanation] }
        return parts.compactMap { $0 }.joined(separator: "\n")
    }

    public static func searchText(_ item: ToolkitItem) -> String {
        ([item.body] + (item.audience ?? []) + (item.barriers ?? []) + (item.themes ?? [])).joined(separator: "\n")
    }

    /// The words of a text as FTS5's `unicode61` tokenizer cuts them: runs of letters and digits, everything else
    /// separates. The PostgreSQL store indexes these words (not PostgreSQL's own parser's tokens, which keep
    /// e-mail addresses, URLs and hyphenated words whole), so both stores see the same words.
    public static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
    }

    /// The words of a search text, each to be matched as a prefix, all required; nil when there are none. A text
    /// longer than `SearchLimits` allows is refused, never cut: the answer would silently be for another query.
    public static func queryWords(_ text: String?) throws -> [Substring]? {
        guard let text else { return nil }
        let length = text.count
        guard length <= SearchLimits.maxCharacters else { throw SearchError.tooManyCharacters(length) }
        let found = words(text)
        guard found.count <= SearchLimits.maxTerms else { throw SearchError.tooManyTerms(found.count) }
        return found.isEmpty ? nil : found
    }

    /// The effectordening that ships with the hub (the first version of a new store's).
    public static func shippedEffects() -> [Effect] {
        guard let url = Bundle.module.url(forResource: "effectordening", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONCoding.decode([Effect].self, from: data)) ?? []
    }
}

// Public makers for what another store (the PostgresStore module) builds from its rows: the memberwise
// initialisers are internal to this module, and an extension may not declare their signature again.

extension VersionInfo {
    public static func make(version: Int, author: String?, at: Int64) -> VersionInfo {
        VersionInfo(version: version, author: author, at: at)
    }
}

extension InterventionHit {
    public static func make(id: String, title: String, kind: String, type: InterventionType, state: PublicationState, summary: String?,
                            snippet: String?) -> InterventionHit {
        InterventionHit(id: id, title: title, kind: kind, type: type, state: state, summary: summary, snippet: snippet)
    }
}

extension InterventionResults {
    public static func make(total: Int, hits: [InterventionHit], facets: [String: [FacetCount]]) -> InterventionResults {
        InterventionResults(total: total, hits: hits, facets: facets)
    }
}

extension ToolkitResults {
    public static func make(total: Int, hits: [ToolkitItem], facets: [String: [FacetCount]]) -> ToolkitResults {
        ToolkitResults(total: total, hits: hits, facets: facets)
    }
}

extension ParticipantMatch {
    public static func make(session: String, code: String, title: String, status: SessionStatus, participant: String, name: String) -> ParticipantMatch {
        ParticipantMatch(session: session, code: code, title: title, status: status, participant: participant, name: name)
    }
}

extension FacilitatorData {
    public static func make(account: [String: JSONValue], sessions: [[String: JSONValue]], audit: [AuditEntry]) -> FacilitatorData {
        FacilitatorData(account: account, sessions: sessions, audit: audit)
    }
}
