import FaultInjector
import Glibc
import Gateway
import LabCore
import LabHTTP
import MockOllama
import MockVendors
import ProviderHost

/// Everything `lab run` and `lab serve` start on one loop: the mock providers, the
/// gateway (embedded, or a real one by URL), and the edge route in front of it.
public final class LabEnvironment {
    public let loop: EventLoop
    public let config: LabConfig
    /// The seed in force (the command line's, else lab.conf's).
    public let seed: UInt64
    /// The providers this process runs.
    public private(set) var providers: [String: FakeProvider] = [:]
    /// Every provider of lab.conf, local or elsewhere (`url:`), as the runner drives them.
    public private(set) var links: [String: any ProviderLink] = [:]
    public private(set) var gateway: PortkeyGateway?
    public let gatewayURL: String
    public let edge: EdgeRoute
    /// Where `unreachable` hosts lead.
    let unreachable: UnreachableHosts
    /// Where each config host name leads, made once the providers listen.
    let routes: HostRoutes

    /// The clock a lab runs on: simulated for the embedded gateway unless lab.conf or
    /// `clock` says real; always real time, unscaled, with a real gateway, whose timers
    /// the lab cannot reach.
    public static func clock(for config: LabConfig, choice: ClockChoice? = nil, timeScale: Double? = nil, external: Bool) -> LoopClock {
        if external { return .realTime }
        switch choice ?? config.clock {
        case .simulated: return .simulated(config.network)
        case .real: return .real(scale: timeScale ?? config.timeScale)
        }
    }

    /// - Parameters:
    ///   - clock: the clock to run on (default: `LabEnvironment.clock(for:)`).
    ///   - gatewayOverride: a real gateway instead of the embedded one.
    public init(config: LabConfig, clock: LoopClock? = nil, seed: UInt64? = nil, gatewayOverride: String? = nil) throws {
        self.config = config
        let external = gatewayOverride ?? config.gatewayURL
        // Providers elsewhere keep their own real time: the lab's clock must be real too, unscaled.
        let remote = config.providers.contains { $0.url != nil }
        loop = EventLoop(clock: external != nil || remote ? .realTime : (clock ?? Self.clock(for: config, external: false)))
        let seed = seed ?? config.seed
        self.seed = seed
        for p in config.providers {
            if let url = p.url {
                var token: String?
                if let env = p.controlTokenEnv {
                    guard let value = getenv(env).map({ String(cString: $0) }), !value.isEmpty else {
                        throw ConfigError(file: config.file, line: nil, message: "providers.\(p.name).control_token_env names \(env), which is not set in the environment")
                    }
                    token = value
                }
                links[p.name] = RemoteProvider(name: p.name, url: url, token: token, loop: loop)
                continue
            }
            var options = MockOptions(models: p.models, seed: seed, cannedAnswers: p.answers, pacing: p.pacing, modelPacing: p.modelPacing)
            options.capabilities = p.capabilities
            options.contextLengths = p.contextLengths
            options.contextOverflow = p.contextOverflow
            options.origins = p.origins
            // A machine of no name or address of its own: the same verdicts on every machine.
            if p.hostCheck { options.hostCheck = AccessPolicy.Machine(hostname: nil, addresses: []) }
            if let keepAlive = p.keepAlive { options.keepAlive = keepAlive }
            options.maxLoadedModels = p.maxLoadedModels
            if let maxQueue = p.maxQueue { options.maxQueue = maxQueue }
            let mock: any MockService
            switch p.api {
            case .ollama: mock = try MockOllama(options: options)
            case .openai: mock = try FakeOpenAI(models: p.modelIDs, options: options)
            case .anthropic: mock = try FakeAnthropic(models: p.modelIDs, options: options)
            }
            let provider = try FakeProvider(name: p.name, loop: loop, mock: mock, rules: p.faults, seed: seed, port: p.port,
                                        journalLimit: config.journalLimit)
            provider.slots = p.parallel.map(GenerationSlots.init(count:))
            providers[p.name] = provider
            links[p.name] = provider
        }
        unreachable = try UnreachableHosts(loop: loop)
        routes = HostRoutes(config: config, providers: Self.addresses(links), unreachable: unreachable)
        if let external {
            self.gatewayURL = external
        } else {
            var options = GatewayOptions()
            options.seed = seed
            options.resolveHost = routes.resolve
            options.unresolvable = routes.unresolvable
            options.journalLimit = config.journalLimit
            let g = try PortkeyGateway(loop: loop, port: config.gatewayPort, options: options)
            gateway = g
            self.gatewayURL = g.url
        }
        guard let upstream = URLParts(gatewayURL) else { throw ConfigError(file: config.file, line: nil, message: "gateway URL \(gatewayURL) is not an http:// URL") }
        edge = try EdgeRoute(loop: loop, upstream: upstream, timeoutMs: config.edgeTimeoutMs, port: config.edgePort)
        edge.recordLimit = config.journalLimit
    }

    public var isEmbedded: Bool { gateway != nil }

    /// Where each provider listens: here on loopback, or at its url.
    static func addresses(_ links: [String: any ProviderLink]) -> [String: HostRoutes.Address] {
        links.compactMapValues { link in URLParts(link.url).map { ($0.host, $0.port) } }
    }

    public var clock: LoopClock { loop.clock }


    /// The provider a config host name leads to.
    public func provider(forHost host: String) -> String? {
        if case .provider(let name)? = config.hosts[host.lowercased()] { return name }
        return nil
    }

    /// Fresh state for a scenario: its rules (before each provider's standing rules),
    /// empty journals, restarted counters and draws. Throws when a provider elsewhere
    /// cannot be set up (unreachable, or refusing the token).
    public func prepare(_ scenario: Scenario) throws(ProviderLinkError) {
        for p in config.providers {
            try links[p.name]!.prepare(rules: (scenario.faults[p.name] ?? []) + p.faults)
        }
        gateway?.journal.clear()
        gateway?.reseed(scenario.name)
        // A `lab gateway` elsewhere has a journal too; a real Portkey gateway answers 404 here.
        _ = try? externalGatewayControl?.call("DELETE", "/__lab/journal")
    }

    /// What the gateway did in a scenario: the embedded one's journal, or a `lab gateway`
    /// elsewhere's read back, its times put on this clock by the edge's record of the
    /// first request (the route forwards at once, on this machine). Empty for a gateway
    /// without a journal.
    public func gatewayEntries(since startMs: Double) -> [GatewayJournalEntry] {
        if let gateway { return gateway.journal.entries }
        guard let raw = (try? externalGatewayControl?.call("GET", "/__lab/journal"))?.arrayValue, let first = raw.first,
              let theirs = first["at_ms"]?.doubleValue, let ours = edge.records.first(where: { $0.atMs >= startMs })?.atMs else { return [] }
        return raw.compactMap { GatewayJournalEntry(json: $0, shiftMs: ours - theirs) }
    }

    /// The control API of a gateway given by URL (loopback, no token: a `lab gateway` started beside).
    private lazy var externalGatewayControl: ControlClient? = gateway == nil
        ? ControlClient(url: gatewayURL, token: nil, loop: loop, client: HTTPClient(loop: loop), who: "the gateway")
        : nil

    /// The config as sent: unchanged for the embedded gateway, which resolves host names
    /// itself; for a real gateway, host names become loopback addresses it can reach.
    public func configToSend(_ config: JSONValue) -> JSONValue {
        guard !isEmbedded else { return config }
        return PortkeyConfigCheck.rewritingCustomHosts(config) { addressToSend($0) }
    }

    /// Where a real gateway must go for a config's `custom_host`: the lab's port for a
    /// mapped name (path kept), a name that never resolves for `unreachable: dns`.
    func addressToSend(_ url: String) -> String {
        guard let parts = URLParts(url) else { return url }
        let host = parts.host.lowercased()
        let suffix = parts.target == "/" && !url.hasSuffix("/") ? "" : parts.target
        if let to = routes.addresses[host] { return "http://\(displayAddress(to.host, to.port))\(suffix)" }
        if config.hosts[host] == .dns { return "http://\(Self.neverResolving(host)):\(parts.port)\(suffix)" }
        return url
    }

    /// A name under `.example` (reserved, never delegated): it resolves nowhere, and a
    /// real gateway accepts it as a custom host (it refuses `.invalid` and `.test`).
    static func neverResolving(_ host: String) -> String {
        host.hasSuffix(".example") ? host : host + ".example"
    }

    public func shutdown() {
        edge.shutdown()
        gateway?.shutdown()
        unreachable.shutdown()
        for p in providers.values { p.shutdown() }
    }
}
