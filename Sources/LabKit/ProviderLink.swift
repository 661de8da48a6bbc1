import FaultInjector
import LabCore
import LabHTTP
import ProviderHost

/// A provider the lab drives: one it started in this process, or a `lab mock` running
/// elsewhere (in a cluster), reached through its control API.
public protocol ProviderLink: AnyObject {
    var name: String { get }
    var url: String { get }
    /// The loop time the provider's journal times count from.
    var originMs: Double { get }
    /// A scenario's start: these rules in force, an empty journal, counters and lab time
    /// restarted, listening.
    func prepare(rules: [FaultRule]) throws(ProviderLinkError)
    /// What it saw since `prepare`.
    func journalEntries() -> [JournalEntry]
    /// Down (connections refused) for a while of lab time, or until the next scenario.
    func goDown(forMs: Int?)
}

public struct ProviderLinkError: Error, CustomStringConvertible {
    public let description: String
}

extension FakeProvider: ProviderLink {
    public func prepare(rules: [FaultRule]) throws(ProviderLinkError) {
        faults.replace(rules)
        journal.clear()
        mock.unloadModels()
        resetClock()
        if !isUp { try? comeUp() }
    }

    public func journalEntries() -> [JournalEntry] { journal.entries }
}

/// Calls to a lab server's `/__lab/` API over the network, each waited for on the loop.
struct ControlClient {
    let url: String
    let token: String?
    let loop: EventLoop
    let client: HTTPClient
    /// Who is called, for errors: "provider primary", "the gateway".
    let who: String

    /// The JSON of a 2xx answer, or why not.
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil) throws(ProviderLinkError) -> JSONValue {
        guard let request = request(method, path, body) else {
            throw ProviderLinkError(description: "\(who): \(url) is not an http:// URL")
        }
        var result: Result<ClientResponse, HTTPClientError>?
        client.fetch(request, timeouts: ClientTimeouts(connectMs: 10_000, responseMs: 10_000)) { result = $0 }
        loop.run(until: { result != nil }, timeoutMs: 15_000)
        switch result {
        case .success(let r)? where (200...299).contains(r.status):
            return (try? JSONParser.parse(r.body)) ?? .null
        case .success(let r)?:
            let why = (try? JSONParser.parse(r.body))?["error"]?.stringValue ?? r.text
            let hint = r.status == 401 ? (token == nil ? " (this provider wants a token: set control_token_env and the variable)" : " (check the token in control_token_env)") : ""
            throw ProviderLinkError(description: "\(who) at \(url): \(method) \(path) answered \(r.status): \(why)\(hint)")
        case .failure(let e)?:
            throw ProviderLinkError(description: "\(who) at \(url): \(method) \(path) failed: \(e)")
        case nil:
            throw ProviderLinkError(description: "\(who) at \(url): \(method) \(path) got no answer in 15 s")
        }
    }

    /// Sent, not waited for.
    func send(_ method: String, _ path: String, _ body: JSONValue) {
        guard let request = request(method, path, body) else { return }
        client.fetch(request) { _ in }
    }

    /// A control request with the token, or nil when the URL is not http://.
    private func request(_ method: String, _ path: String, _ body: JSONValue?) -> ClientRequest? {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.add("x-lab-token", token) }
        return try? ClientRequest(method: method, url: url + path, headers: headers, body: body.map(\.compactBytes) ?? [])
    }
}

/// A `lab mock` elsewhere. Every call waits for its answer on the loop (the real clock:
/// a provider over the network has no simulated time), except going down, which is
/// sent when a scenario's outage begins and not waited for.
public final class RemoteProvider: ProviderLink {
    public let name: String
    public let url: String
    let control: ControlClient
    public private(set) var originMs: Double = 0

    public init(name: String, url: String, token: String?, loop: EventLoop) {
        self.name = name
        self.url = url
        control = ControlClient(url: url, token: token, loop: loop, client: HTTPClient(loop: loop), who: "provider \(name)")
    }

    public func prepare(rules: [FaultRule]) throws(ProviderLinkError) {
        _ = try control.call("POST", "/__lab/up")
        _ = try control.call("PUT", "/__lab/faults", .array(rules.map(\.source)))
        _ = try control.call("DELETE", "/__lab/journal")
        // The remote restarts its lab time with its journal: about now, on this side.
        originMs = control.loop.nowMs
    }

    public func journalEntries() -> [JournalEntry] {
        ((try? control.call("GET", "/__lab/journal"))?.arrayValue ?? []).compactMap(JournalEntry.init(json:))
    }

    public func goDown(forMs: Int?) {
        control.send("POST", "/__lab/down", forMs.map { ["for_ms": .int($0)] } ?? .object([]))
    }
}
