import Foundation

/// What a `confidential` input (its manifest says which types are) becomes when its session is sealed, and in
/// exports before that (docs/PRIVACY.md): one rule for the exports (Swift) and the seal (SQL).
public enum Redaction {
    /// The payload a redacted input keeps.
    public static let payload: JSONValue = ["redacted": true]
    /// The same payload as the store writes it.
    public static let payloadText = #"{"redacted":true}"#

    /// Whether `event` is an input whose payload the seal redacts; `confidential` is activity → input types.
    public static func applies(to event: LoggedEvent, confidential: [String: [String]]) -> Bool {
        guard let activity = event.activity else { return false }
        return confidential[activity]?.contains(event.type) == true
    }

    /// The event as the sealed log holds it.
    public static func sealed(_ event: LoggedEvent, confidential: [String: [String]]) -> LoggedEvent {
        guard applies(to: event, confidential: confidential) else { return event }
        var redacted = event
        redacted.payload = payload
        return redacted
    }
}
