import Foundation
import LabHTTP

/// The two checks Ollama makes before any handler runs, in its order: gin-contrib/cors
/// with Ollama's allowed origins, then — only when Ollama is bound to a loopback address —
/// the Host check that keeps DNS-rebinding pages out. Both refuse with a bare 403, which is
/// what a browser extension, a web page or a proxy that passes its own `Host` on sees from a
/// real Ollama. Pure: the machine's name and addresses come in from outside.
public struct AccessPolicy: Sendable {
    private let exact: Set<String>
    private let wildcards: [(prefix: String, suffix: String)]
    private let allowAll: Bool
    /// Nil when the Host check is off (Ollama bound to a non-loopback address).
    private let machine: Machine?

    /// What the Host check accepts beside loopback, private and unspecified addresses.
    public struct Machine: Sendable {
        public var hostname: String?
        /// The machine's interface addresses, as text (`10.0.0.5`, `fe80::1`).
        public var addresses: [String]

        public init(hostname: String?, addresses: [String]) {
            self.hostname = hostname
            self.addresses = addresses
        }
    }

    public enum Verdict: Equatable {
        /// Go on to the handler; these headers join its answer.
        case serve(headers: [(String, String)])
        /// A bare answer with no body: 403 for a refused origin or host, 204 for a preflight.
        case answer(status: Int, headers: [(String, String)])

        public static func == (a: Verdict, b: Verdict) -> Bool {
            switch (a, b) {
            case let (.serve(x), .serve(y)): return x.elementsEqual(y, by: ==)
            case let (.answer(s, x), .answer(t, y)): return s == t && x.elementsEqual(y, by: ==)
            default: return false
            }
        }
    }

    /// Ollama's `envconfig.AllowedOrigins()` after the user's entries.
    static let ollamaOrigins: [String] = ["localhost", "127.0.0.1", "0.0.0.0"].flatMap { host in
        ["http://\(host)", "https://\(host)", "http://\(host):*", "https://\(host):*"]
    } + ["app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*"]

    /// gin-contrib/cors with `AllowBrowserExtensions`: schemes an origin without `*` may have.
    static let schemes = ["http://", "https://", "chrome-extension://", "safari-extension://", "moz-extension://", "ms-browser-extension://"]

    static let allowedHeaders = ["Authorization", "Content-Type", "User-Agent", "Accept", "X-Requested-With", "OpenAI-Beta"]
        + ["arch", "async", "custom-poll-interval", "helper-method", "lang", "os", "package-version", "poll-helper",
           "retry-count", "runtime", "runtime-version", "timeout"].map { "x-stainless-\($0)" }

    /// `extraOrigins` as `OLLAMA_ORIGINS` gives them (split on commas, nothing trimmed);
    /// `machine` turns the Host check on. Throws what makes Ollama refuse to start.
    public init(extraOrigins: [String] = [], machine: Machine? = nil) throws(AccessPolicyError) {
        // The user's entries, then Ollama's own, as `envconfig.AllowedOrigins()` lists them.
        let origins = extraOrigins + Self.ollamaOrigins
        for origin in origins where !origin.contains("*") && !Self.schemes.contains(where: { origin.hasPrefix($0) }) {
            throw AccessPolicyError(message: "bad origin: origins must contain '*' or include \(Self.schemes.joined(separator: ","))")
        }
        var wildcards: [(String, String)] = []
        for origin in origins where origin.contains("*") {
            guard origin.filter({ $0 == "*" }).count == 1 else { throw AccessPolicyError(message: "only one * is allowed") }
            let star = origin.firstIndex(of: "*")!
            wildcards.append((String(origin[..<star]), String(origin[origin.index(after: star)...])))
        }
        // Exact entries are compared trimmed and lowercased (the origin sent is not).
        exact = Set(origins.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        self.wildcards = wildcards
        allowAll = origins.contains("*")
        self.machine = machine
    }

    public var checksHost: Bool { machine != nil }

    /// The verdict on a request, from its method, `Origin` and `Host` (nil when absent).
    public func verdict(method: String, origin: String?, host: String?) -> Verdict {
        let host = host ?? ""
        var headers: [(String, String)] = []
        if let origin, !origin.isEmpty, origin != "http://" + host, origin != "https://" + host {
            guard allows(origin: origin) else { return .answer(status: 403, headers: []) }
            if method == "OPTIONS" { return .answer(status: 204, headers: preflightHeaders(origin)) }
            headers = allowAll ? [("Access-Control-Allow-Origin", "*")] : [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        }
        guard let machine else { return .serve(headers: headers) }
        let name = Self.hostPart(host)
        if let address = IPAddress(name), address.isLoopback || address.isPrivate || address.isUnspecified || machine.owns(address) {
            return .serve(headers: headers)
        }
        guard machine.accepts(name: name) else { return .answer(status: 403, headers: headers) }
        return method == "OPTIONS" ? .answer(status: 204, headers: headers) : .serve(headers: headers)
    }

    func allows(origin: String) -> Bool {
        allowAll || exact.contains(origin) || wildcards.contains { rule in
            rule.prefix.isEmpty ? origin.hasSuffix(rule.suffix)
                : rule.suffix.isEmpty ? origin.hasPrefix(rule.prefix)
                : origin.hasPrefix(rule.prefix) && origin.hasSuffix(rule.suffix)
        }
    }

    /// In the order Go writes them (sorted by name).
    private func preflightHeaders(_ origin: String) -> [(String, String)] {
        var headers: [(String, String)] = [
            ("Access-Control-Allow-Headers", Self.allowedHeaders.map(Self.canonical).joined(separator: ",")),
            ("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,HEAD"),
            ("Access-Control-Allow-Origin", allowAll ? "*" : origin),
            ("Access-Control-Max-Age", "43200"),
        ]
        if !allowAll {
            headers += [("Vary", "Origin"), ("Vary", "Access-Control-Request-Method"), ("Vary", "Access-Control-Request-Headers")]
        }
        return headers
    }

    /// Go's `http.CanonicalHeaderKey`: `openai-beta` → `Openai-Beta`.
    static func canonical(_ name: String) -> String {
        name.lowercased().split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }

    /// The host of a `Host` value as Go's `net.SplitHostPort` reads it, or the whole value
    /// when that fails (`[::1]` without a port stays bracketed, and is then refused).
    static func hostPart(_ value: String) -> String {
        guard let colon = value.lastIndex(of: ":") else { return value }
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value.index(after: close) == colon else { return value }
            let host = value[value.index(after: value.startIndex)..<close]
            return value.dropFirst().contains("[") || value[colon...].contains("]") ? value : String(host)
        }
        let host = value[..<colon]
        if host.contains(":") || value.contains("[") || value.contains("]") { return value }
        return String(host)
    }
}

extension AccessPolicy.Machine {
    /// The machine the lab runs on.
    public static var current: AccessPolicy.Machine {
        AccessPolicy.Machine(hostname: LocalMachine.hostname, addresses: LocalMachine.addresses)
    }

    /// Ollama's `allowedHost`: its own name, `localhost` and the local-only top-level domains.
    func accepts(name: String) -> Bool {
        let name = name.lowercased()
        if name.isEmpty || name == "localhost" { return true }
        if let hostname, name == hostname.lowercased() { return true }
        return [".localhost", ".local", ".internal"].contains { name.hasSuffix($0) }
    }

    func owns(_ address: IPAddress) -> Bool {
        address.zone == nil && addresses.contains { IPAddress($0).map { $0.bytes == address.bytes } ?? false }
    }
}

public struct AccessPolicyError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
