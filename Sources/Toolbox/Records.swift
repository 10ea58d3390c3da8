import Foundation
import Model

public struct FacilitatorRecord: Codable, Sendable, Hashable {
    public var id: String
    public var email: String
    public var name: String
    public var passwordHash: String
    public var role: FacilitatorRole
    public var createdAt: Int64

    public init(id: String, email: String, name: String, passwordHash: String, role: FacilitatorRole, createdAt: Int64) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
    }
}

public struct SeriesRecord: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    public var kind: String?
    public var description: String?
    public var createdAt: Int64

    public init(id: String, title: String, kind: String? = nil, description: String? = nil, createdAt: Int64) {
        self.id = id
        self.title = title
        self.kind = kind
        self.description = description
        self.createdAt = createdAt
    }
}

public struct SessionRecord: Codable, Sendable, Hashable {
    public var id: String
    public var code: String
    public var seriesId: String?
    public var title: String
    public var date: String?
    public var lang: Language
    /// The agenda file as sent, kept for exports and audits.
    public var agendaSource: String
    public var agenda: [AgendaItem]
    public var status: SessionStatus
    /// Latest durable sequence number.
    public var seq: Int64
    public var createdAt: Int64
    public var createdBy: String?

    public init(id: String, code: String, seriesId: String?, title: String, date: String?, lang: Language, agendaSource: String,
                agenda: [AgendaItem], status: SessionStatus = .draft, seq: Int64 = 0, createdAt: Int64, createdBy: String?) {
        self.id = id
        self.code = code
        self.seriesId = seriesId
        self.title = title
        self.date = date
        self.lang = lang
        self.agendaSource = agendaSource
        self.agenda = agenda
        self.status = status
        self.seq = seq
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// The last view of one audience of one activity, kept when a session closes so that its
/// read-only results are served without starting plugins.
public struct StoredView: Codable, Sendable, Hashable {
    public var activity: String
    public var audience: String
    public var seq: Int64
    public var view: JSONValue

    public init(activity: String, audience: String, seq: Int64, view: JSONValue) {
        self.activity = activity
        self.audience = audience
        self.seq = seq
        self.view = view
    }
}

/// A professional a facilitator invited by link to write practice descriptions (DESIGN.md §4). The link
/// carries the contributor's token; only its hash is kept, and revoking ends it.
public struct ContributorRecord: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var email: String?
    public var organisation: String?
    public var invitedBy: String
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(id: String, name: String, email: String? = nil, organisation: String? = nil, invitedBy: String, createdAt: Int64, revokedAt: Int64? = nil) {
        self.id = id
        self.name = name
        self.email = email
        self.organisation = organisation
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

public struct StoredOutput: Codable, Sendable, Hashable {
    public var instance: String
    public var seq: Int64
    public var index: Int
    public var kind: String
    public var record: JSONValue
    /// What the store filed it as (`kb-…@2`, `tk-…@1`), or why not (`invalid: …`); nil for kinds it keeps
    /// only with the session. The stored column's text: read it as `filing`.
    public var filed: String?

    public var filing: Filing? { filed.map(Filing.init(stored:)) }

    public init(instance: String, seq: Int64, index: Int, kind: String, record: JSONValue, filed: String? = nil) {
        self.instance = instance
        self.seq = seq
        self.index = index
        self.kind = kind
        self.record = record
        self.filed = filed
    }
}

public enum StoreError: Error, Sendable, Hashable {
    case duplicate(String)
    case notFound(String)
    /// Text the store cannot keep: PostgreSQL's `TEXT` has no NUL character (U+0000), SQLite's has
    /// (docs/SCALING.md, "What differs between the stores"). The REST API answers 400 `bad_message`.
    case unstorableText(String)
}
