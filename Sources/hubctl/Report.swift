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
                let path = "/api/v1/sessions/\(escape(session))/report?format=\(format)" + (lang.map { "&lang=\($0)" } ?? "")
                let a = try await server.client().send("GET", path)
                guard (200..<300).contains(a.status) else {
                    // The code too: a script tells `pdf_unavailable` from other failures.
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
        }
    }
}
