import ArgumentParser
import Foundation
import Logging
import Model
import Plugins
import SessionHub
import Toolbox

/// `hubctl participant export|erase`: one participant's data (docs/PRIVACY.md "Answering a request"), by session
/// and participant id or by the name given at the join; against the running hub (an owner's token) or, with
/// `--db`, on the database file of a stopped hub.
struct ParticipantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "participant",
        abstract: "Export or erase one participant's data (an access or erasure request).",
        discussion: """
            Find the participant by --session and --participant (their id), or by --name (the name given at the join; \
            case-insensitive, every session). Only inputs to named and pseudonymous activities are attributable: inputs to \
            anonymous activities are not linkable to anyone and are never part of an export or an erasure. \
            Without --db it asks the running hub (an owner's token); with --db it works on the database file of a stopped hub.
            """,
        subcommands: [Export.self, Erase.self])

    struct Who: ParsableArguments {
        @Option(help: "Session id or join code.") var session: String?
        @Option(help: "Participant id (p_…), as in the session's export.") var participant: String?
        @Option(help: "The name the participant gave at the join (instead of --session and --participant).") var name: String?

        func validate() throws {
            guard (session != nil && participant != nil && name == nil) || (session == nil && participant == nil && name != nil) else {
                throw ValidationError("give --session and --participant, or --name")
            }
            if let name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200 { throw ValidationError("--name must be 1 to 200 characters") }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the participant's join (name, function, organisation) and their inputs to named and pseudonymous activities as JSON.",
            discussion: "By --name: {\"name\", \"matches\": [one export per session the name joined]}. Each export is an audit entry (participant.export).")
        @OptionGroup var server: ServerOptions
        @OptionGroup var who: Who
        @Option(help: "Work on this SQLite database file instead of asking a running hub.") var db: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func run() async throws {
            try await reporting {
                let store = try db.map { path -> SQLiteStore in
                    try existingDatabase(path)
                    return try SQLiteStore(path: path)
                }
                var result: JSONValue
                if let name = who.name {
                    var matches: [JSONValue] = []
                    for m in try await ParticipantCommand.find(name, store, server) { matches.append(try await export(m.session, m.participant, store)) }
                    result = ["name": .string(name), "matches": .array(matches)]
                } else {
                    result = try await export(who.session ?? "", who.participant ?? "", store)
                }
                let text = try JSONCoding.string(result)
                guard let out else { print(text); return }
                do { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: out)) } catch {
                    throw Failure(message: "cannot write \(out): \(error.localizedDescription)")
                }
            }
        }

        func export(_ session: String, _ participant: String, _ store: SQLiteStore?) async throws -> JSONValue {
            guard let store else {
                return try await server.client().expect("GET", "/api/v1/sessions/\(escape(session))/participants/\(escape(participant))/export").json ?? .null
            }
            guard let record = try await store.session(session) else { throw Failure(message: "no session \(session)") }
            guard let data = ParticipantExport.build(record, events: try await store.events(session: record.id, after: 0), participant: participant) else {
                throw Failure(message: "no participant \(participant) joined session \(record.id)")
            }
            try await store.audit(actor: nil, action: "participant.export", target: "\(record.id)/\(participant)")
            return data
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase the participant's name, function, organisation and inputs to named and pseudonymous activities from a closed session.",
            discussion: """
                The session must be closed. The events stay in the log, in their order, with their payloads blanked; the \
                session's stored views are rendered again by its plugins from the blanked log. By --name, exactly one \
                participant must match (else the matches are listed). An audit entry (participant.erase). \
                With --db the hub must be stopped; the plugins are started from --plugins.
                """)
        @OptionGroup var server: ServerOptions
        @OptionGroup var who: Who
        @Option(help: "Work on this SQLite database file (of a stopped hub) instead of asking a running hub.") var db: String?
        @Option(help: "With --db: the folder of plugin folders, as for `hubctl serve`.") var plugins = "./plugins"
        @Flag(help: "Print JSON {session, participant, erasedEvents}.") var json = false

        func run() async throws {
            try await reporting {
                let store = try db.map { path -> SQLiteStore in
                    try existingDatabase(path)
                    return try SQLiteStore(path: path)
                }
                var session = who.session ?? "", participant = who.participant ?? ""
                if let name = who.name {
                    let found = try await ParticipantCommand.find(name, store, server)
                    guard found.count == 1 else {
                        let list = found.map { "  --session \($0.session) --participant \($0.participant)" }.joined(separator: "\n")
                        throw Failure(message: found.isEmpty ? "nobody joined with the name \(name)"
                                      : "\(found.count) participants joined with the name \(name); erase one at a time:\n\(list)")
                    }
                    (session, participant) = (found[0].session, found[0].participant)
                }
                let answer: JSONValue
                if let store {
                    answer = try await offline(store, session, participant)
                } else {
                    answer = try await server.client().expect("POST", "/api/v1/sessions/\(escape(session))/participants/\(escape(participant))/erase").json ?? .null
                }
                if json { printJSON(answer); return }
                print("Erased \(answer["participant"]?.stringValue ?? participant) of \(answer["session"]?.stringValue ?? session): \(answer["erasedEvents"]?.intValue ?? 0) events blanked, views rendered again")
            }
        }

        func offline(_ store: SQLiteStore, _ session: String, _ participant: String) async throws -> JSONValue {
            guard let record = try await store.session(session) else { throw Failure(message: "no session \(session)") }
            let host = PluginHost(directory: URL(fileURLWithPath: plugins), binDir: URL(fileURLWithPath: Serve.executableDir()),
                                  logger: Logger(label: "hubctl.participant"))
            _ = await host.reload()
            let outcome: Result<Int, any Error>
            do {
                outcome = .success(try await ParticipantEraser(store: store, host: host).erase(session: record, participant: participant, actor: nil))
            } catch {
                outcome = .failure(error)
            }
            await host.shutdown()
            switch outcome {
            case .success(let n):
                return ["session": .string(record.id), "participant": .string(participant), "erasedEvents": .int(Int64(n))]
            case .failure(let r as ErasureRefused):
                throw Failure(message: "\(r.message) (\(r.code))")
            case .failure(let e):
                throw e
            }
        }
    }

    /// Every (session, participant) that joined with the name.
    static func find(_ name: String, _ store: SQLiteStore?, _ server: ServerOptions) async throws -> [(session: String, participant: String)] {
        if let store { return try await store.participants(named: name).map { ($0.session, $0.participant) } }
        let a = try await server.client().expect("GET", "/api/v1/participants?name=\(escape(name))")
        return (a.json?["participants"]?.arrayValue ?? []).compactMap { m in
            guard let s = m["session"]?.stringValue, let p = m["participant"]?.stringValue else { return nil }
            return (s, p)
        }
    }
}
