import ArgumentParser
import Foundation
import Model
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where and as whom online commands talk to the hub.
struct ServerOptions: ParsableArguments {
    @Option(help: "Hub URL (env HUBCTL_SERVER; default http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "Facilitator token (env HUBCTL_TOKEN; default the one saved by `hubctl login`).")
    var token: String?

    var serverURL: String {
        let s = server ?? ProcessInfo.processInfo.environment["HUBCTL_SERVER"] ?? "http://127.0.0.1:8080"
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    var resolvedToken: String? {
        token ?? ProcessInfo.processInfo.environment["HUBCTL_TOKEN"] ?? TokenFile.load(server: serverURL)
    }

    func client(authenticated: Bool = true) throws -> HubClient {
        guard URL(string: serverURL)?.scheme != nil else { throw ValidationError("--server must be a URL") }
        return HubClient(base: serverURL, token: authenticated ? resolvedToken : nil)
    }
}

/// Tokens saved by `hubctl login`, one per server, in a file only the user can read.
enum TokenFile {
    static var url: URL {
        let env = ProcessInfo.processInfo.environment
        // HOME first: Foundation's home directory on Linux comes from the password database and ignores it.
        let base = env["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? env["HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent(".config") }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("sessionhub/tokens.json")
    }

    static func load(server: String) -> String? {
        guard let data = try? Data(contentsOf: url), let map = try? JSONCoding.decode([String: String].self, from: data) else { return nil }
        return map[server]
    }

    static func save(server: String, token: String) throws {
        var map: [String: String] = [:]
        if let data = try? Data(contentsOf: url), let m = try? JSONCoding.decode([String: String].self, from: data) { map = m }
        map[server] = token
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONCoding.encode(map).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }
}

struct HubClient {
    var base: String
    var token: String?

    struct Answer {
        var status: Int
        var body: Data
        var json: JSONValue? { try? JSONCoding.decode(JSONValue.self, from: body) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json") async throws -> Answer {
        guard let url = URL(string: base + path) else { throw Failure(message: "bad URL \(base + path)") }
        var req = URLRequest(url: url)
        req.httpMethod = method
        // An import of tens of thousands of records is one transaction that answers only when done.
        req.timeoutInterval = body == nil ? 60 : 600
        if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            req.httpBody = body
            req.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: req)
            return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
        } catch {
            throw Failure(message: "cannot reach the hub at \(base): \(error.localizedDescription)", code: Exit.unreachable)
        }
    }

    /// Sends and fails with the hub's own error message unless the status is 2xx.
    func expect(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json") async throws -> Answer {
        let a = try await send(method, path, body: body, contentType: contentType)
        guard (200..<300).contains(a.status) else {
            if a.status == 401 && token == nil { throw Failure(message: "not logged in: run `hubctl login` or pass --token") }
            let message = a.json?["error"]?["message"]?.stringValue ?? a.text
            throw Failure(message: "\(message) (HTTP \(a.status))")
        }
        return a
    }
}

func printJSON(_ value: JSONValue) {
    do { print(try JSONCoding.string(value)) } catch {
        // Never `null` for a value a script would take for the answer.
        FileHandle.standardError.write(Data("hubctl: the answer cannot be encoded as JSON: \(error)\n".utf8))
        exit(1)
    }
}
