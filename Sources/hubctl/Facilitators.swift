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
        @OptionGroup var database: StoreOptions
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
        }

        func run() async throws {
            try await reporting {
                let password = readLine(strippingNewline: true) ?? ""
                guard password.count >= 8 else { throw Failure(message: "the password must have at least 8 characters") }
                let record = FacilitatorRecord(
                    id: Identifiers.random(prefix: "f_"), email: email.lowercased(), name: name, passwordHash: try await FacilitatorAuth.hash(password: password),
                    role: FacilitatorRole(rawValue: role) ?? .coFacilitator, createdAt: Int64(Date().timeIntervalSince1970 * 1000))
                // The first account creates the database.
                try await database.with(mustExist: false) { store in
                    do { try await store.addFacilitator(record) } catch StoreError.duplicate(let why) { throw Failure(message: why) }
                }
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
        @OptionGroup var database: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let all = try await database.with { try await $0.facilitators() }
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
        @OptionGroup var database: StoreOptions
        @Argument(help: "Facilitator id or e-mail.") var facilitator: String

        func run() async throws {
            try await reporting {
                guard try await database.with({ try await $0.removeFacilitator(facilitator) }) else { throw Failure(message: "no facilitator \(facilitator)") }
                print("Removed \(facilitator)")
            }
        }
    }
}
