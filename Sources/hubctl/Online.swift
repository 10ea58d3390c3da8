import ArgumentParser
import Foundation
import Model

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in as a facilitator and save the token for later commands.")
    @OptionGroup var server: ServerOptions
    @Option(help: "Login e-mail address.") var email: String
    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required).") var passwordStdin = false
    @Flag(help: "Print {\"token\": …}.") var json = false

    func validate() throws {
        guard passwordStdin else { throw ValidationError("--password-stdin is required") }
    }

    func run() async throws {
        try await reporting {
            let password = readLine(strippingNewline: true) ?? ""
            let body = try JSONCoding.encode(["email": email, "password": password])
            let a = try await server.client(authenticated: false).send("POST", "/api/v1/login", body: body)
            // A refused login is about the password (or too many tries), never "not logged in".
            guard (200..<300).contains(a.status) else {
                let message = a.json?["error"]?["message"]?.stringValue ?? a.text
                throw Failure(message: a.status == 401 ? "login failed: the e-mail address or password is wrong" : "login failed: \(message) (HTTP \(a.status))")
            }
            guard let token = a.json?["token"]?.stringValue else { throw Failure(message: "the hub answered without a token") }
            try TokenFile.save(server: server.serverURL, token: token)
            if json { printJSON(["token": .string(token)]) } else { print("Logged in to \(server.serverURL) as \(email)") }
        }
    }
}

struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "Create, list, run, export and delete sessions.",
        subcommands: [Create.self, List.self, Show.self, Start.self, Close.self, Delete.self, Export.self, Report.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a session from an agenda YAML file; prints the join code and URLs.")
        @OptionGroup var server: ServerOptions
        @Option(help: "Agenda YAML file.") var agenda: String
        @Flag(help: "Print {id, code, participantUrl, facilitatorUrl, beamerUrl}.") var json = false

        func run() async throws {
            try await reporting {
                guard let text = try? String(contentsOfFile: agenda, encoding: .utf8) else { throw Failure(message: "cannot read \(agenda)") }
                let client = try server.client()
                let a = try await client.send("POST", "/api/v1/sessions", body: Data(text.utf8), contentType: "application/yaml")
                if a.status == 422, let errors = a.json?["error"]?["errors"]?.arrayValue {
                    for e in errors {
                        let line = e["line"]?.intValue.map { ":\($0)" } ?? ""
                        printError("\(agenda)\(line): \(e["field"]?.stringValue ?? "?"): \(e["message"]?.stringValue ?? "")")
                    }
                    throw Failure(message: "\(agenda): \(errors.count) problem(s); no session created")
                }
                guard (200..<300).contains(a.status), let s = a.json else {
                    if a.status == 401 { throw Failure(message: "not logged in or token revoked: run `hubctl login`") }
                    throw Failure(message: "\(a.json?["error"]?["message"]?.stringValue ?? a.text) (HTTP \(a.status))")
                }
                if json {
                    printJSON(["id": s["id"] ?? .null, "code": s["code"] ?? .null, "participantUrl": s["participantUrl"] ?? .null,
                               "facilitatorUrl": s["facilitatorUrl"] ?? .null, "beamerUrl": s["beamerUrl"] ?? .null])
                } else {
                    print("Created session \"\(s["title"]?.stringValue ?? "")\" (\(s["id"]?.stringValue ?? ""))")
                    print("  join code:    \(s["code"]?.stringValue ?? "")")
                    print("  participants: \(s["participantUrl"]?.stringValue ?? "")")
                    print("  facilitator:  \(s["facilitatorUrl"]?.stringValue ?? "")")
                    print("  beamer:       \(s["beamerUrl"]?.stringValue ?? "")")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sessions, newest first.")
        @OptionGroup var server: ServerOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let a = try await server.client().expect("GET", "/api/v1/sessions")
                let list = a.json?["sessions"]?.arrayValue ?? []
                if json { printJSON(.array(list)); return }
                for s in list {
                    print("\(s["code"]?.stringValue ?? "")  \((s["status"]?.stringValue ?? "").padding(toLength: 6, withPad: " ", startingAt: 0))  \(s["id"]?.stringValue ?? "")  \(s["title"]?.stringValue ?? "")")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one session with its agenda.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Session id or join code.") var session: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let a = try await server.client().expect("GET", "/api/v1/sessions/\(escape(session))")
                guard let s = a.json else { throw Failure(message: "unexpected answer") }
                if json { printJSON(s); return }
                print("\(s["title"]?.stringValue ?? "")  [\(s["status"]?.stringValue ?? "")]  code \(s["code"]?.stringValue ?? "")  seq \(s["seq"]?.intValue ?? 0)  participants \(s["participants"]?.intValue ?? 0)")
                for m in s["purged"]?.arrayValue ?? [] {
                    print("  purged: \(m["kind"]?.stringValue ?? "") at \(m["at"]?.intValue.map(AuditCommand.iso) ?? "?")")
                }
                let current = s["current"]?["activity"]?.stringValue
                for item in s["agenda"]?.arrayValue ?? [] {
                    let id = item["id"]?.stringValue ?? ""
                    print("\(id == current ? "→" : " ") \(id)  \(item["plugin"]?.stringValue ?? "")  \(item["title"]?.stringValue ?? "")  (phase \(item["phase"]?.stringValue ?? ""), input \(item["inputsOpen"]?.boolValue == true ? "open" : "closed"))")
                }
                print("  participants: \(s["participantUrl"]?.stringValue ?? "")\n  facilitator:  \(s["facilitatorUrl"]?.stringValue ?? "")\n  beamer:       \(s["beamerUrl"]?.stringValue ?? "")")
            }
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a draft session for input.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Session id or join code.") var session: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws { try await lifecycle("start", session, server, json) }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close an open session; its results stay readable.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Session id or join code.") var session: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws { try await lifecycle("close", session, server, json) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a session and all its data (owners only).")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Session id or join code.") var session: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                _ = try await server.client().expect("DELETE", "/api/v1/sessions/\(escape(session))")
                if json { printJSON(["deleted": .string(session)]) } else { print("Deleted \(session)") }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a session at any moment: agenda, participants, events, views, outputs.")
        @OptionGroup var server: ServerOptions
        @Argument(help: "Session id or join code.") var session: String
        @Option(help: "json, csv or md.") var format = "json"
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            guard ["json", "csv", "md"].contains(format) else { throw ValidationError("--format must be json, csv or md") }
        }

        func run() async throws {
            try await reporting {
                let a = try await server.client().expect("GET", "/api/v1/sessions/\(escape(session))/export?format=\(format)")
                if let out {
                    do { try a.body.write(to: URL(fileURLWithPath: out)) } catch { throw Failure(message: "cannot write \(out): \(error.localizedDescription)") }
                } else {
                    FileHandle.standardOutput.write(a.body)
                }
            }
        }
    }
}

func lifecycle(_ action: String, _ session: String, _ server: ServerOptions, _ json: Bool) async throws {
    try await reporting {
        let a = try await server.client().expect("POST", "/api/v1/sessions/\(escape(session))/\(action)")
        if json { printJSON(a.json ?? .null) } else { print("\(session): \(a.json?["status"]?.stringValue ?? "")") }
    }
}

func escape(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? s
}
