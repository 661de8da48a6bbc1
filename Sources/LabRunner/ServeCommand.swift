import ArgumentParser
import Glibc
import LabHTTP
import LabKit

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the providers, gateway and edge route from lab.conf and keep them up until Ctrl-C.",
        discussion: """
            For exploring by hand: send requests to the edge (or the gateway) with your own \
            x-portkey-config, change faults on a provider with PUT /__lab/faults, read what \
            each saw at /__lab/journal. Config host names resolve as in lab.conf's hosts.
            """)

    @OptionGroup var config: ConfigOptions

    @Option(name: .customLong("time-scale"), help: "Multiplies every lab-controlled duration (default 1: real time).")
    var timeScale = 1.0

    @Option(help: "embedded, or the URL of a running Portkey gateway.")
    var gateway: String?

    @Option(name: .customLong("gateway-port"), help: "The embedded gateway's port (default: lab.conf's ports.gateway, else 8787 as Portkey's; 0 picks a free one).")
    var gatewayPort: Int?

    @Option(name: .customLong("edge-port"), help: "The edge route's port (default: lab.conf's ports.edge, else 8080; 0 picks a free one).")
    var edgePort: Int?

    func validate() throws {
        try checkTimeScale(timeScale)
        for p in [gatewayPort, edgePort].compactMap({ $0 }) where !(0...65535).contains(p) {
            throw ValidationError("ports must be between 0 and 65535, got \(p)")
        }
    }

    func run() throws {
        var lab = try config.load()
        // A server people point scripts at keeps its ports: Portkey's 8787 and a route on 8080.
        lab.gatewayPort = gatewayPort ?? (lab.gatewayPort != 0 ? lab.gatewayPort : 8787)
        lab.edgePort = edgePort ?? (lab.edgePort != 0 ? lab.edgePort : 8080)
        let external = gateway == "embedded" ? nil : (gateway ?? lab.gatewayURL)
        let env: LabEnvironment
        do {
            env = try LabEnvironment(config: lab, clock: .real(scale: timeScale), gatewayOverride: external)
        } catch {
            Console.err("error: cannot start the lab: \(error)")
            throw startFailure(error)
        }
        for p in lab.providers {
            let link = env.links[p.name]!
            env.providers[p.name]?.log = { Console.out("\(p.name): \($0)") }
            Console.out("provider \(p.name): \(link.url)\(p.url != nil ? " (elsewhere)" : "")  (faults: \(link.url)/__lab/faults, journal: \(link.url)/__lab/journal)")
        }
        Console.out("gateway: \(env.gatewayURL)\(env.isEmbedded ? " (embedded)" : "")")
        Console.out("edge route: \(env.edge.url) (504 after \(lab.edgeTimeoutMs) ms)")
        for (host, mapping) in lab.hosts.sorted(by: { $0.key < $1.key }) { Console.out("  host \(host) → \(ConsoleReport.describe(mapping))") }
        Console.out("Clock: \(env.clock.name). Ready. Ctrl-C stops.")
        var signals: SignalWatcher?
        signals = SignalWatcher(loop: env.loop, signals: [SIGINT, SIGTERM]) { signum in
            Console.out("serve: stopping (signal \(signum))")
            env.shutdown()
            signals?.close()
        }
        env.loop.run()
    }
}
