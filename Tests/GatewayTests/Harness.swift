import LabCore
import LabHTTP
import MockOllama
import FaultInjector
import ProviderHost
@testable import Gateway

/// Mock providers, the gateway (and optionally the edge route) on one loop, with the
/// host names of real configs mapped to the mocks.
final class Harness {
    let loop: EventLoop
    var providers: [String: FakeProvider] = [:]
    var gateway: PortkeyGateway!
    var edge: EdgeRoute?
    /// A port where nothing listens.
    var deadPort = 0

    /// Simulated by default: the real code on a virtual clock, so timings are exact.
    init(clock: LoopClock = .simulation, seed: UInt64 = 1, faults: [String: String] = [:], edgeTimeoutMs: Int? = nil,
         upstreamBodyLimit: Int? = nil) throws {
        loop = EventLoop(clock: clock)
        for name in ["primary", "backup", "third"] {
            let rules = try FaultRuleParser.parse(try JSONParser.parse(faults[name] ?? "[]"))
            providers[name] = try FakeProvider(name: name, loop: loop, mock: try MockOllama(), rules: rules, seed: seed)
        }
        let dead = try HTTPServer(loop: loop) { _, _ in }
        deadPort = dead.port
        dead.shutdown()
        var options = GatewayOptions()
        options.seed = seed
        let ports = providers.mapValues(\.port)
        let deadPort = deadPort
        options.resolveHost = { parts in
            var p = parts
            if let port = ports[parts.host] { p.host = "127.0.0.1"; p.port = port }
            if parts.host == "dead" { p.host = "127.0.0.1"; p.port = deadPort }
            return p
        }
        options.hostPolicy = CustomHostPolicy()
        if let upstreamBodyLimit { options.upstreamBodyLimit = upstreamBodyLimit }
        gateway = try PortkeyGateway(loop: loop, options: options)
        if let t = edgeTimeoutMs {
            edge = try EdgeRoute(loop: loop, upstream: URLParts(gateway.url)!, timeoutMs: t)
        }
    }

    func hits(_ name: String) -> Int { providers[name]!.journal.entries.count }

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var text: String
        var error: HTTPClientError?
        var labMs: Double
        var json: JSONValue { (try? JSONParser.parse(text)) ?? .null }
        var index: String? { headers["x-portkey-last-used-option-index"] }
        var retries: String? { headers["x-portkey-retry-attempt-count"] }
    }

    /// Sends one request through the gateway (or the edge) and waits for the whole answer.
    func send(config: String?, body: String = #"{"model":"llama3","messages":[{"role":"user","content":"What is the capital of France?"}]}"#,
              path: String = "/v1/chat/completions", headers extra: HTTPHeaders = HTTPHeaders(), viaEdge: Bool = false) throws -> Answer {
        var headers = extra
        if let config { headers.add("x-portkey-config", config) }
        let base = viaEdge ? edge!.url : gateway.url
        let client = HTTPClient(loop: loop)
        var answer: Answer?
        let start = loop.nowMs
        client.fetch(try ClientRequest(method: "POST", url: base + path, headers: headers, body: Array(body.utf8))) { [loop] result in
            let ms = loop.nowMs - start
            switch result {
            case .success(let r): answer = Answer(status: r.status, headers: r.headers, text: r.text, labMs: ms)
            case .failure(let e): answer = Answer(status: 0, headers: HTTPHeaders(), text: "", error: e, labMs: ms)
            }
        }
        loop.run(until: { answer != nil }, timeoutMs: 120_000)
        return answer!
    }
}

func target(_ host: String, _ extra: String = "") -> String {
    #"{"provider":"ollama","api_key":"x","custom_host":"http://\#(host):11434","override_params":{"model":"llama3"}\#(extra.isEmpty ? "" : "," + extra)}"#
}

func fallback(_ targets: [String], _ strategyExtra: String = "") -> String {
    #"{"strategy":{"mode":"fallback"\#(strategyExtra.isEmpty ? "" : "," + strategyExtra)},"targets":[\#(targets.joined(separator: ","))]}"#
}
