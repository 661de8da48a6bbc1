import ArgumentParser
import Gateway
import Glibc
import LabCore
import LabHTTP
import LabKit

struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the embedded Portkey-compatible gateway alone (a drop-in for a local Portkey gateway).",
        discussion: """
            It serves POST /v1/chat/completions and /v1/embeddings with an x-portkey-config header \
            (or x-portkey-provider + x-portkey-custom-host), routes with Portkey's fallback, \
            loadbalance, conditional, retry and request_timeout semantics to ollama, openai and \
            anthropic providers, and answers with the real gateway's statuses, error bodies and \
            x-portkey-* headers.

            Production configs name hosts like http://portkey-gateway-ollama:11434. Map them without \
            touching the config: --map portkey-gateway-ollama=http://127.0.0.1:11434 (repeatable), or \
            --config lab.conf to take lab.conf's hosts: and its providers' fixed ports or urls.

            Example, with a fake Ollama on 11434:
              lab mock --port 11434 &
              lab gateway --port 8787 --map portkey-gateway-ollama=http://127.0.0.1:11434 &
              curl http://127.0.0.1:8787/v1/chat/completions \\
                -H 'x-portkey-config: {"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama","custom_host":"http://portkey-gateway-ollama:11434"}]}' \\
                -d '{"model":"llama3","messages":[{"role":"user","content":"hi"}]}'

            custom_host is checked as the real gateway checks it: localhost, 127.0.0.1, ::1 and \
            host.docker.internal pass, private addresses do not, unless listed in TRUSTED_CUSTOM_HOSTS.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 8787

    @Option(help: "Seed for loadbalance draws.")
    var seed: UInt64 = 0

    @Option(name: .customLong("time-scale"), help: "Multiplies request_timeout, backoff and Retry-After waits.")
    var timeScale = 1.0

    @Option(name: .customLong("edge-timeout-ms"), help: "Also start an edge route in front of the gateway that answers 504 after this many ms of silence.")
    var edgeTimeoutMs: Int?

    @Option(name: .customLong("edge-port"), help: "Port for the edge route (with --edge-timeout-ms); 0 picks a free one.")
    var edgePort = 0

    @Option(name: .customLong("config"), help: "Map config host names as this lab.conf's hosts: do, to its providers' fixed ports (providers.NAME.port) or urls.")
    var configPath: String?

    @Option(name: .customLong("map"), help: "NAME=URL: send a config's custom_host NAME to URL's host and port instead (repeatable; wins over --config).")
    var maps: [String] = []

    @Option(name: .customLong("control-token"), help: "Token the /__lab/ API (journal) requires; without one it answers loopback clients only. /__lab/health answers anyone.")
    var controlToken: String?

    func validate() throws {
        try checkSeed(seed)
        guard (0...65535).contains(port), (0...65535).contains(edgePort) else { throw ValidationError("ports must be between 0 and 65535") }
        try checkTimeScale(timeScale)
        if let t = edgeTimeoutMs, !(1...ConfigReader.maxMs).contains(t) {
            throw ValidationError("--edge-timeout-ms must be from 1 to \(ConfigReader.maxMs) (ten years), got \(t)")
        }
        if controlToken == "" { throw ValidationError("--control-token is empty, which anyone can send; give a real secret") }
        for m in maps {
            guard let eq = m.firstIndex(of: "="), !m[..<eq].isEmpty, URLParts(String(m[m.index(after: eq)...])) != nil else {
                throw ValidationError("--map takes NAME=URL, e.g. portkey-gateway-ollama=http://127.0.0.1:11434; got \(m)")
            }
        }
    }

    /// The routes from --config, then --map over them.
    func routes(loop: EventLoop, unreachable: inout UnreachableHosts?) throws -> HostRoutes? {
        var routes: HostRoutes?
        if let configPath {
            let lab: LabConfig
            do {
                lab = try LabConfigParser.load(configPath)
            } catch {
                Console.err("error: \(error)")
                throw ExitCode(2)
            }
            var addresses: [String: HostRoutes.Address] = [:]
            for p in lab.providers {
                if let url = p.url, let parts = URLParts(url) {
                    addresses[p.name] = (parts.host, parts.port)
                } else if p.port != 0 {
                    addresses[p.name] = ("127.0.0.1", p.port)
                } else if lab.hosts.contains(where: { $0.value == .provider(p.name) }) {
                    throw ValidationError("\(configPath): providers.\(p.name) has no fixed port: give it port: N (and start lab mock --port N) or url:, so the gateway knows where it is")
                }
            }
            let hosts = try UnreachableHosts(loop: loop)
            unreachable = hosts
            routes = HostRoutes(config: lab, providers: addresses, unreachable: hosts)
        }
        if !maps.isEmpty {
            let given = HostRoutes(mapping: maps.map { m in
                let eq = m.firstIndex(of: "=")!
                return (String(m[..<eq]), URLParts(String(m[m.index(after: eq)...]))!)
            })
            routes = routes.map { $0.merging(given) } ?? given
        }
        return routes
    }

    func run() throws {
        var options = GatewayOptions()
        options.seed = seed
        options.hostPolicy = CustomHostPolicy.fromEnvironment(getenv("TRUSTED_CUSTOM_HOSTS").map { String(cString: $0) })
        options.controlToken = controlToken
        let loop = EventLoop(clock: .real(scale: timeScale))
        let gateway: PortkeyGateway
        var edge: EdgeRoute?
        var unreachable: UnreachableHosts?
        let routes = try self.routes(loop: loop, unreachable: &unreachable)
        if let routes {
            options.resolveHost = routes.resolve
            options.unresolvable = routes.unresolvable
        }
        do {
            gateway = try PortkeyGateway(loop: loop, host: host, port: port, options: options)
            if let t = edgeTimeoutMs {
                edge = try EdgeRoute(loop: loop, upstream: URLParts(gateway.url)!, timeoutMs: t, host: host, port: edgePort, controlToken: controlToken)
            }
        } catch {
            Console.err("error: \(error)")
            throw startFailure(error)
        }
        Console.out("Gateway listening on \(gateway.url)")
        for (name, to) in (routes?.addresses ?? [:]).sorted(by: { $0.key < $1.key }) {
            Console.out("  host \(name) → http://\(displayAddress(to.host, to.port))")
        }
        if let edge { Console.out("Edge route listening on \(edge.url) (timeout \(edge.timeoutMs) ms)") }
        var signals: SignalWatcher?
        signals = SignalWatcher(loop: loop, signals: [SIGINT, SIGTERM]) { signum in
            Console.out("gateway: stopping (signal \(signum))")
            gateway.shutdown()
            edge?.shutdown()
            unreachable?.shutdown()
            signals?.close()
        }
        loop.run()
    }
}
