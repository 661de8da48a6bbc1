import CLibUV

/// The network of a simulated loop: listeners by address, and connections between
/// in-memory stream ends. Nothing here touches a socket, so how bytes move depends
/// only on the order of events and the modelled latency — never on the machine.
public final class SimulatedNetwork {
    /// What the network models.
    public struct Settings: Equatable, Sendable {
        /// One-way latency of every hop (a connect, each write, a close), in lab ms.
        public var latencyMs: Double

        public init(latencyMs: Double = 0) {
            self.latencyMs = latencyMs
        }
    }

    let settings: Settings
    unowned let loop: EventLoop
    private var listeners: [String: MemoryListener] = [:]
    private var nextListenPort = 30_000
    private var nextClientPort = 50_000

    init(loop: EventLoop, settings: Settings) {
        self.loop = loop
        self.settings = settings
    }

    var latencyNs: UInt64 { UInt64((settings.latencyMs * 1_000_000).rounded()) }

    /// Delivers `action` one hop from now.
    func hop(_ action: @escaping () -> Void) {
        loop.scheduler!.schedule(afterNs: latencyNs, action)
    }

    static func key(_ host: String, _ port: Int) -> String { "\(host.lowercased()):\(port)" }

    func bind(_ listener: MemoryListener, host: String, port: Int) throws -> Int {
        var chosen = port
        if chosen == 0 {
            while listeners[Self.key(host, nextListenPort)] != nil { nextListenPort += 1 }
            chosen = nextListenPort
            nextListenPort += 1
        }
        let key = Self.key(host, chosen)
        if let other = listeners[key], other !== listener {
            throw ListenError.cannotListen(host: host, port: chosen, UVError(Int32(UV_EADDRINUSE.rawValue)))
        }
        listeners[key] = listener
        return chosen
    }

    func unbind(_ listener: MemoryListener) {
        let key = Self.key(listener.host, listener.port)
        if listeners[key] === listener { listeners[key] = nil }
    }

    /// The addresses a host name stands for, as a resolver on a machine with no
    /// network would give them: numeric hosts as they are, `localhost` as ::1 then
    /// 127.0.0.1, any other name not at all.
    static func addresses(for host: String) -> [String]? {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" { return ["::1", "127.0.0.1"] }
        if SocketAddress(host: bare, port: 0) != nil { return [bare] }
        return nil
    }

    private func listener(at host: String, port: Int) -> MemoryListener? {
        if let l = listeners[Self.key(host, port)], l.isListening { return l }
        let wildcard = host.contains(":") ? "::" : "0.0.0.0"
        if let l = listeners[Self.key(wildcard, port)], l.isListening { return l }
        return nil
    }

    /// Connects `client` to `host:port` one hop from now. The listener accepts first,
    /// then `done` tells the client: nil, or why not (refused, or a name that does not resolve).
    func connect(_ client: MemoryStream, host: String, port: Int, _ done: @escaping (HTTPClientError?) -> Void) {
        hop { [self] in
            guard !client.isClosed else { return done(.cancelled) }
            guard let candidates = Self.addresses(for: host) else { return done(.nameNotResolved(host)) }
            guard let address = candidates.first(where: { listener(at: $0, port: port) != nil }),
                  let listener = listener(at: address, port: port) else {
                let shown = candidates.last!
                return done(.refused(displayAddress(shown, port)))
            }
            let clientPort = nextClientPort
            nextClientPort = nextClientPort == 65_535 ? 50_000 : nextClientPort + 1
            let local = displayAddress(address, clientPort)
            let server = MemoryStream(network: self, peerDescription: local)
            client.attach(to: server, description: displayAddress(address, port))
            server.attach(to: client, description: local)
            listener.accept(server)
            done(nil)
        }
    }
}
