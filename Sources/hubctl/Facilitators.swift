import ArgumentParser
import Foundation
import Model
import PostgresStore
import SessionHub
import Toolbox

struct FacilitatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facilitator",
        abstract: "Manage facilitator accounts in the database (offline: the operator's bootstrap).",
        subcommands: [Add.self, List.self, Remove.self, Export.self, Erase.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a facilitator; the password is read from standard input.")
        @Option(help: "SQLite database file.") var db = "./data/hub.sqlite"
        @Option(help: "A PostgreSQL store (postgres://USER@HOST:PORT/DATABASE) instead of --db: the first account of a hub served with --store (docs/SCALING.md).")
        var store: String?
        @Option(help: "Login e-mail address.") var email: String
        @Option(help: "Display name.") var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required: passwords never go on the command line).")
        var passwordStdin = false
        @Option(help: "owner (may delete sessions) or co-facilitator.") var role = "co-facilitator"
        @Flag(help: "Print the new account as JSON.") var json = false

        func validate() throws {
            guard passwordStdin else { throw ValidationError("--password-stdin is required") }
            guard FacilitatorRole(rawValue: role) != nil else { throw ValidationError("--role must be owner or co-facilitator") }
            guard email.contains("@"), email.count <= 200 else { throw ValidationError("--email must be an e-mail address") }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 80 else { throw ValidationError("--name must be 1 to 80 characters") }
            if let store {
                guard PostgresStore.isStoreURL(store) else { throw ValidationError("--store takes a postgres:// URL; a SQLite file is --db FILE") }
                do { try PostgresStore.check(url: store) } catch { throw ValidationError("--store: \(error)") }
            }
        }

        func run() async throws {
            try await reporting {
                let password = readLine(strippingNewline: true) ?? ""
                guard password.count >= 8 else { throw Failure(message: "the password must have at least 8 characters") }
                let store: any HubStore = if let url = self.store { try await PostgresStore(url: url, maximumConnections: 1) } else { try SQLiteStore(path: db) }
                defer { (store as? PostgresStore)?.close() }
                let record = FacilitatorRecord(
                    id: Identifiers.random(prefix: "f_"), email: email.lowercased(), name: name, passwordHash: try await FacilitatorAuth.hash(password: password),
                    role: FacilitatorRole(rawValue: role) ?? .coFacilitator, createdAt: Int64(Date().timeIntervalSince1970 * 1000))
                do { try await store.addFacilitator(record) } catch StoreError.duplicate(let why) { throw Failure(message: why) }
                if json {
                    print(try JSONCoding.string(["id": JSONValue.string(record.id), "email": .string(record.email), "name": .string(record.name), "role": .string(record.role.rawValue)] as JSONValue))
                } else {
                    print("Added \(record.role.rawValue) \(record.name) <\(record.email)> (\(record.id))")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List facilitators.")
        @Option(help: "SQLite database file.") var db = "./data/hub.sqlite"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                try existingDatabase(db)
                let all = try await SQLiteStore(path: db).facilitators()
                if json {
                    let list: [JSONValue] = all.map { ["id": .string($0.id), "email": .string($0.email), "name": .string($0.name), "role": .string($0.role.rawValue), "createdAt": .int($0.createdAt)] }
                    print(try JSONCoding.string(JSONValue.array(list)))
                } else {
                    for f in all { print("\(f.id)  \(f.role.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0))  \(f.email)  \(f.name)") }
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a facilitator (by id or e-mail); their tokens stop working.")
        @Option(help: "SQLite database file.") var db = "./data/hub.sqlite"
        @Argument(help: "Facilitator id or e-mail.") var facilitator: String

        func run() async throws {
            try await reporting {
                try existingDatabase(db)
                guard try await SQLiteStore(path: db).removeFacilitator(facilitator) else { throw Failure(message: "no facilitator \(facilitator)") }
                print("Removed \(facilitator)")
            }
        }
    }
}

/// Listing or removing reads a database that must exist: opening a missing path would create an empty
/// database there and answer "nobody", as if that were the hub's (only `facilitator add` creates one).
func existingDatabase(_ path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw Failure(message: "no database at \(path): give the hub's --db (only `hubctl facilitator add` creates one)")
    }
}
