import ArgumentParser
import Foundation
import Model
import Toolbox

/// A facilitator's data (docs/PRIVACY.md "A facilitator or a contributor"), on the database file like the other
/// `hubctl facilitator` commands: the operator's.
extension FacilitatorCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a facilitator's data as JSON: the account (no password hash), the sessions they created, their audit entries.")
        @OptionGroup var database: StoreOptions
        @Argument(help: "The facilitator's e-mail.") var email: String

        func run() async throws {
            try await reporting {
                try await database.with { store in
                    guard let data = try await store.facilitatorData(email: email) else { throw Failure(message: "no facilitator \(email)") }
                    try await store.audit(actor: nil, action: "facilitator.export", target: data.account["id"]?.stringValue)
                    printJSON(try JSONCoding.value(data))
                }
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a facilitator: the account and its tokens go, their e-mail is blanked in the audit log.",
            discussion: "Their id stays where it records who did what (sessions' created_by, the event log, audit entries).")
        @OptionGroup var database: StoreOptions
        @Argument(help: "The facilitator's e-mail.") var email: String

        func run() async throws {
            try await reporting {
                guard try await database.with({ try await $0.eraseFacilitator(email: email, actor: nil) }) else { throw Failure(message: "no facilitator \(email)") }
                print("Erased \(email)")
            }
        }
    }
}

/// Where a record deletion or a contributor's erasure runs: the running hub (an owner's token) or, with `--db`,
/// the database file.
struct RecordTarget: ParsableArguments {
    @OptionGroup var server: ServerOptions
    @Option(help: "Work on this SQLite database file instead of asking a running hub.") var db: String?

    func store() throws -> SQLiteStore? {
        try db.map { path in
            try existingDatabase(path)
            return try SQLiteStore(path: path)
        }
    }
}

extension KennisbankCommand {
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a description with every version, its monitoring and its search entries (owners; audit entry kennisbank.delete).")
        @OptionGroup var target: RecordTarget
        @Argument(help: "Intervention id.") var id: String

        func run() async throws {
            try await reporting {
                if let store = try target.store() {
                    guard try await store.deleteIntervention(id, actor: nil) else { throw Failure(message: "no description \(id)") }
                } else {
                    _ = try await target.server.client().expect("DELETE", "/api/v1/interventions/\(escape(id))")
                }
                print("Deleted \(id)")
            }
        }
    }

    struct EraseContributor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "erase-contributor",
            abstract: "Erase a contributor (by id or e-mail): their row and invitation go (owners; audit entry contributor.erase).",
            discussion: "Their descriptions stay: contact details written in them are for a facilitator to edit, or delete the description.")
        @OptionGroup var target: RecordTarget
        @Argument(help: "Contributor id or e-mail.") var contributor: String

        func run() async throws {
            try await reporting {
                if let store = try target.store() {
                    guard try await store.eraseContributor(contributor, actor: nil) != nil else { throw Failure(message: "no contributor \(contributor)") }
                } else {
                    _ = try await target.server.client().expect("POST", "/api/v1/contributors/\(escape(contributor))/erase")
                }
                print("Erased \(contributor)")
            }
        }
    }
}

extension ToolkitCommand {
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a gereedschapskist item with every version and its search entries (owners; audit entry toolkit.delete).")
        @OptionGroup var target: RecordTarget
        @Argument(help: "Item id.") var id: String

        func run() async throws {
            try await reporting {
                if let store = try target.store() {
                    guard try await store.deleteToolkitItem(id, actor: nil) else { throw Failure(message: "no item \(id)") }
                } else {
                    _ = try await target.server.client().expect("DELETE", "/api/v1/toolkit/\(escape(id))")
                }
                print("Deleted \(id)")
            }
        }
    }
}
