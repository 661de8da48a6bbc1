import ArgumentParser
import Gateway
import Glibc
import LabHTTP

struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the embedded Portkey-compatible gateway alone (a drop-in for a local Portkey gateway).",
        discussion: """
            It serves POST /v1/chat/completions and /v1/embeddings with an x-portkey-config header \
            (or x-portkey-provider + x-portkey-custom-host), routes with Portkey's fallback, \
            loadbalance, conditional, retry and request_timeout semantics to ollama providers, \
            and answers with the real gateway's statuses, error bodies and x-portkey-* headers.

            Example, with a fake Ollama on 11434:
              lab mock --port 11434 &
              lab gateway --port 8787 &
              curl http://127.0.0.1:8787/v1/chat/completions \\
                -H 'x-portkey-config: {"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama","custom_host":"http://localhost:11434"}]}' \\
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

    func validate() throws {
        guard (0...65535).contains(port), (0...65535).contains(edgePort) else { throw ValidationError("ports must be between 0 and 65535") }
        guard timeScale > 0 else { throw ValidationError("--time-scale must be greater than 0, got \(timeScale)") }
        if let t = edgeTimeoutMs, t <= 0 { throw ValidationError("--edge-timeout-ms must be greater than 0") }
    }

    func run() throws {
        var options = GatewayOptions()
        options.seed = seed
        options.hostPolicy = CustomHostPolicy.fromEnvironment(getenv("TRUSTED_CUSTOM_HOSTS").map { String(cString: $0) })
        let loop = EventLoop(clock: .real(scale: timeScale))
        let gateway: PortkeyGateway
        var edge: EdgeRoute?
        do {
            gateway = try PortkeyGateway(loop: loop, host: host, port: port, options: options)
            if let t = edgeTimeoutMs {
                edge = try EdgeRoute(loop: loop, upstream: URLParts(gateway.url)!, timeoutMs: t, host: host, port: edgePort)
            }
        } catch {
            Console.err("error: \(error)")
            throw startFailure(error)
        }
        Console.out("Gateway listening on \(gateway.url)")
        if let edge { Console.out("Edge route listening on \(edge.url) (timeout \(edge.timeoutMs) ms)") }
        var signals: SignalWatcher?
        signals = SignalWatcher(loop: loop, signals: [SIGINT, SIGTERM]) { signum in
            Console.out("gateway: stopping (signal \(signum))")
            gateway.shutdown()
            edge?.shutdown()
            signals?.close()
        }
        loop.run()
    }
}
