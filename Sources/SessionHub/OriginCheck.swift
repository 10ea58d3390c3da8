import Foundation

/// Which web pages may open `/ws` (cross-site WebSocket hijacking): a browser always sends `Origin`,
/// and only the hub's own pages may use a participant's or facilitator's connection. Allowed: the
/// `--public-url` origin and the host the request was sent to (the `Host` header: the hub's pages as
/// served, whatever name or address the room uses). No `Origin` at all is a non-browser client
/// (hubctl, a test, an independent client): allowed; it carries no one else's cookies or tokens.
enum OriginCheck {
    static func allows(origin: String?, host: String?, publicURL: String) -> Bool {
        guard let origin else { return true }
        guard let o = Endpoint(url: origin) else { return false }
        if let p = Endpoint(url: publicURL), p == o { return true }
        guard let host, let served = Endpoint(url: o.scheme + "://" + host) else { return false }
        return served == o
    }

    /// Scheme, host and port (the default port of the scheme when absent), lower-cased.
    struct Endpoint: Equatable {
        let scheme: String
        let host: String
        let port: Int

        init?(url: String) {
            guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased(), !host.isEmpty
            else { return nil }
            let defaultPort = ["http": 80, "ws": 80, "https": 443, "wss": 443][scheme]
            guard let port = c.port ?? defaultPort else { return nil }
            self.scheme = scheme == "ws" ? "http" : scheme == "wss" ? "https" : scheme
            self.host = host
            self.port = port
        }
    }
}
