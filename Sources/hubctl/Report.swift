import ArgumentParser
import Foundation

extension SessionCommand {
    /// `hubctl session report CODE --format html|pdf|md|json [--out FILE]` (docs/REPORTS.md).
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The session's report at any moment: agenda and timings, attendance, each activity's results, what it filed.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Session id or join code.") var session: String
        @Option(help: "html, pdf, md or json.") var format = "html"
        @Option(help: "nl or en (default: the session's language).") var lang: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            guard ["html", "pdf", "md", "json"].contains(format) else { throw ValidationError("--format must be html, pdf, md or json") }
            if let lang, !["nl", "en"].contains(lang) { throw ValidationError("--lang must be nl or en") }
        }

        func run() async throws {
            try await reporting {
                try await fetchReport(server, "/api/v1/sessions/\(escape(session))/report", format: format, lang: lang, out: out)
            }
        }
    }
}

extension SeriesCommand {
    /// `hubctl series report ID --format html|pdf|md|json [--out FILE]` (docs/REPORTS.md "Series report").
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The series' report: its sessions with attendance, the chosen themes, every gereedschapskist item with its provenance.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Series id or title.") var series: String
        @Option(help: "html, pdf, md or json.") var format = "html"
        @Option(help: "nl or en (default nl).") var lang: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            guard ["html", "pdf", "md", "json"].contains(format) else { throw ValidationError("--format must be html, pdf, md or json") }
            if let lang, !["nl", "en"].contains(lang) { throw ValidationError("--lang must be nl or en") }
        }

        func run() async throws {
            try await reporting {
                try await fetchReport(server, "/api/v1/series/\(escape(series))/report", format: format, lang: lang, out: out)
            }
        }
    }
}

/// GETs a report and writes it to `out` or standard output; a refusal names its code too, so a script tells
/// `pdf_unavailable` from other failures.
func fetchReport(_ server: ServerOptions, _ path: String, format: String, lang: String?, out: String?) async throws {
    let a = try await server.client().send("GET", path + "?format=\(format)" + (lang.map { "&lang=\($0)" } ?? ""))
    guard (200..<300).contains(a.status) else {
        if a.status == 401 { throw Failure(message: "not logged in: run `hubctl login` or pass --token (HTTP 401)") }
        let code = a.json?["error"]?["code"]?.stringValue.map { "\($0): " } ?? ""
        let message = a.json?["error"]?["message"]?.stringValue ?? a.text
        throw Failure(message: "\(code)\(message) (HTTP \(a.status))")
    }
    if let out {
        do { try a.body.write(to: URL(fileURLWithPath: out)) } catch { throw Failure(message: "cannot write \(out): \(error.localizedDescription)") }
    } else {
        FileHandle.standardOutput.write(a.body)
    }
}
