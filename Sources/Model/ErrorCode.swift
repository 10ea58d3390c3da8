import Foundation

public enum Language: String, Codable, Sendable, CaseIterable {
    case nl, en
}

/// The stable error codes of CONTRACTS.md §1, each with a plain message in both languages.
public enum ErrorCode: String, Codable, Sendable, CaseIterable, Error {
    case badJSON = "bad_json"
    case badMessage = "bad_message"
    case unknownType = "unknown_type"
    case tooLarge = "too_large"
    case rateLimited = "rate_limited"
    case notJoined = "not_joined"
    case unauthorized
    case forbidden
    case sessionNotFound = "session_not_found"
    case sessionClosed = "session_closed"
    case activityNotFound = "activity_not_found"
    case activityClosed = "activity_closed"
    case phaseForbids = "phase_forbids"
    case rejected = "rejected"
    case pluginUnavailable = "plugin_unavailable"
    /// A new participant's `join` when the session already has `--max-participants` participants.
    case sessionFull = "session_full"
    /// The hub cannot store anything right now (its event log is not durable): nothing is accepted until it can.
    case unavailable
    case `internal` = "internal"

    public func message(_ lang: Language) -> String {
        switch (self, lang) {
        case (.badJSON, .nl): return "Dit bericht is geen geldige JSON."
        case (.badJSON, .en): return "This message is not valid JSON."
        case (.badMessage, .nl): return "Dit bericht mist een veld of een veld heeft het verkeerde type."
        case (.badMessage, .en): return "This message lacks a field or a field has the wrong type."
        case (.unknownType, .nl): return "Dit berichttype kent de hub niet."
        case (.unknownType, .en): return "The hub does not know this message type."
        case (.tooLarge, .nl): return "Een veld is te lang. Maak het korter en probeer het opnieuw."
        case (.tooLarge, .en): return "A field is too long. Shorten it and try again."
        case (.rateLimited, .nl): return "Je stuurt te snel. Wacht even en probeer het opnieuw."
        case (.rateLimited, .en): return "You are sending too fast. Wait a moment and try again."
        case (.notJoined, .nl): return "Doe eerst mee met een sessie."
        case (.notJoined, .en): return "Join a session first."
        case (.unauthorized, .nl): return "Je toegangsbewijs is ongeldig of verlopen. Doe opnieuw mee met de code."
        case (.unauthorized, .en): return "Your token is invalid or expired. Join again with the code."
        case (.forbidden, .nl): return "Dit mag je in deze rol niet doen."
        case (.forbidden, .en): return "Your role may not do this."
        case (.sessionNotFound, .nl): return "Er is geen sessie met deze code. Controleer de code."
        case (.sessionNotFound, .en): return "There is no session with this code. Check the code."
        case (.sessionClosed, .nl): return "Deze sessie is gesloten. Je kunt de resultaten nog bekijken."
        case (.sessionClosed, .en): return "This session is closed. You can still view the results."
        case (.activityNotFound, .nl): return "Deze activiteit bestaat niet in de agenda."
        case (.activityNotFound, .en): return "This activity is not on the agenda."
        case (.activityClosed, .nl): return "Deze activiteit staat nu niet open. Wacht op de facilitator."
        case (.activityClosed, .en): return "This activity is not open now. Wait for the facilitator."
        case (.phaseForbids, .nl): return "In deze fase kan dat niet. Wacht op de volgende stap."
        case (.phaseForbids, .en): return "This phase does not allow that. Wait for the next step."
        case (.rejected, .nl): return "Dit is niet aangenomen."
        case (.rejected, .en): return "This was not accepted."
        case (.pluginUnavailable, .nl): return "Deze activiteit herstart even. Probeer het zo opnieuw."
        case (.pluginUnavailable, .en): return "This activity is restarting. Try again shortly."
        case (.sessionFull, .nl): return "Deze sessie zit vol. Vraag de facilitator om hulp."
        case (.sessionFull, .en): return "This session is full. Ask the facilitator for help."
        case (.unavailable, .nl): return "De hub kan even niets opslaan. Probeer het zo opnieuw."
        case (.unavailable, .en): return "The hub cannot store anything right now. Try again shortly."
        case (.internal, .nl): return "Er ging iets mis in de hub. Probeer het opnieuw."
        case (.internal, .en): return "Something went wrong in the hub. Try again."
        }
    }
}

/// A refusal that travels back to one sender as an `error` message.
public struct HubError: Error, Sendable, Hashable {
    public var code: ErrorCode
    /// What this refusal says beyond its code, in both languages (CONTRACTS §1: `message` is in the
    /// connection's language, for facilitators too); nil: the code's own message.
    public var text: LocalizedText?
    public var detail: String?

    public init(_ code: ErrorCode, _ text: LocalizedText? = nil, detail: String? = nil) {
        self.code = code
        self.text = text
        self.detail = detail
    }

    /// One language only: the same words reach Dutch and English connections alike.
    @available(*, deprecated, message: "give the message in both languages: HubError(code, LocalizedText(nl:en:))")
    public init(_ code: ErrorCode, message: String, detail: String? = nil) {
        self.init(code, LocalizedText(nl: message, en: message), detail: detail)
    }

    /// The `message` for a connection (or a request) in `lang`.
    public func message(_ lang: Language) -> String { text?.text(lang) ?? code.message(lang) }
}

/// WebSocket close codes of CONTRACTS.md §1.
public enum CloseCode: UInt16, Sendable {
    case goingAway = 1001
    /// The session moved to another node (its owner died or gave it up): reconnect at once (docs/SCALING.md).
    case serviceRestart = 1012
    case unsupportedData = 1003
    case policy = 1008
    case tooLarge = 1009
    case kicked = 4001
    case sessionDeleted = 4002
    case tokenInvalid = 4003
    case tooSlow = 4004
}
