import PluginSDK

/// A countdown shown on every screen. The view carries the deadline (from the event's `at`); the screens
/// count down to it, so the plugin never reads a clock and replays give the same views.
enum TimerPlugin: ActivityPlugin {
    static let name = "timer"
    static let version = "1.0.0"

    struct Config: Decodable, Sendable {
        var minutes: Double?
        var label: String?
    }

    struct State: Sendable, Hashable {
        var durationMs: Int64
        /// Set while running.
        var deadline: Int64?
        /// Time left while paused or before the start.
        var remainingMs: Int64
        /// How often it was started, for the report.
        var starts = 0
    }

    struct PublicView: Encodable {
        var label: String?
        var running: Bool
        var deadline: Int64?
        var remainingMs: Int64
        var durationMs: Int64
    }

    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views) {
        let duration = Int64((config.minutes ?? 5) * 60_000)
        let state = State(durationMs: duration, deadline: nil, remainingMs: duration)
        return (state, views(state, config))
    }

    static func reduce(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        switch event.type {
        case "start":
            if let minutes = event.payload["minutes"]?.doubleValue {
                guard minutes > 0, minutes <= 600 else { throw Rejection("bad_minutes", nl: "Kies 0 tot 600 minuten.", en: "Choose 0 to 600 minutes.") }
                state.durationMs = Int64(minutes * 60_000)
            }
            state.remainingMs = state.durationMs
            state.deadline = event.at + state.durationMs
            state.starts += 1
        case "pause":
            guard let deadline = state.deadline else { throw Rejection("not_running", nl: "De timer loopt niet.", en: "The timer is not running.") }
            state.remainingMs = max(0, deadline - event.at)
            state.deadline = nil
        case "resume":
            guard state.deadline == nil else { throw Rejection("running", nl: "De timer loopt al.", en: "The timer is already running.") }
            state.deadline = event.at + state.remainingMs
        case "reset":
            state.deadline = nil
            state.remainingMs = state.durationMs
        case "set":
            guard let minutes = event.payload["minutes"]?.doubleValue, minutes > 0, minutes <= 600 else {
                throw Rejection("bad_minutes", nl: "Kies 0 tot 600 minuten.", en: "Choose 0 to 600 minutes.")
            }
            state.durationMs = Int64(minutes * 60_000)
            if state.deadline == nil { state.remainingMs = state.durationMs }
        default:
            // System events ($join, $phase, …) do not change a timer.
            return Views()
        }
        var v = views(state, config)
        // Few events, each one a moment the report keeps (docs/REPORTS.md).
        v.report(reportSection(state, config))
        return v
    }

    static func reportSection(_ state: State, _ config: Config) -> ReportSection {
        let label = config.label ?? "Timer"
        let minutes = Double(state.durationMs) / 60_000
        let status: LocalizedText = state.deadline != nil ? LocalizedText(nl: "loopt", en: "running")
            : state.starts == 0 ? LocalizedText(nl: "niet gestart", en: "not started")
            : LocalizedText(nl: "gepauzeerd of gestopt", en: "paused or stopped")
        return ReportSection(
            title: LocalizedText(nl: label, en: label),
            text: LocalizedText(nl: "Een aftelklok van \(minutes.minutesText) minuten, \(state.starts)× gestart; \(status.nl).",
                                en: "A countdown of \(minutes.minutesText) minutes, started \(state.starts)×; \(status.en)."),
            items: [ReportItem(LocalizedText(nl: "Minuten", en: "Minutes"), minutes),
                    ReportItem(LocalizedText(nl: "Keer gestart", en: "Times started"), state.starts)])
    }

    static func views(_ state: State, _ config: Config) -> Views {
        var v = Views()
        v.set("public", PublicView(label: config.label, running: state.deadline != nil, deadline: state.deadline,
                                   remainingMs: state.remainingMs, durationMs: state.durationMs))
        return v
    }
}

extension Double {
    /// Whole minutes without a decimal point, others with one or two decimals.
    var minutesText: String { let r = (self * 100).rounded() / 100; return r == r.rounded() ? String(Int64(r)) : String(r) }
}

@main
enum Main {
    static func main() { PluginRunner.main(TimerPlugin.self) }
}
