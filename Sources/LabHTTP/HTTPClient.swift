import CLibUV

/// One request in flight. Callbacks fire on the loop: a head, body pieces, then
/// either `onEnd` or `onError` (once).
public final class ClientExchange {
    public let request: ClientRequest
    let timeouts: ClientTimeouts
    public var onHead: ((ClientResponseHead) -> Void)?
    public var onBody: (([UInt8]) -> Void)?
    public var onEnd: (() -> Void)?
    public var onError: ((HTTPClientError) -> Void)?
    public private(set) var isDone = false
    public private(set) var gotHead = false
    var connection: ClientConnection?
    var connectTimer: Timer?

    init(request: ClientRequest, timeouts: ClientTimeouts) {
        self.request = request
        self.timeouts = timeouts
    }

    /// Abandons the request; its connection is closed, no more callbacks fire.
    public func cancel() {
        guard !isDone else { return }
        isDone = true
        clearCallbacks()
        connectTimer?.close()
        connection?.abandon()
        connection = nil
    }

    func deliverHead(_ head: ClientResponseHead) {
        guard !isDone else { return }
        gotHead = true
        onHead?(head)
    }

    func deliverBody(_ bytes: [UInt8]) {
        guard !isDone else { return }
        onBody?(bytes)
    }

    func deliverEnd() {
        guard !isDone else { return }
        isDone = true
        let cb = onEnd
        clearCallbacks()
        cb?()
    }

    func fail(_ error: HTTPClientError) {
        guard !isDone else { return }
        isDone = true
        connectTimer?.close()
        let cb = onError
        clearCallbacks()
        cb?(error)
    }

    private func clearCallbacks() {
        onHead = nil
        onBody = nil
        onEnd = nil
        onError = nil
    }
}

/// An HTTP/1.1 client on the loop with a keep-alive pool per host:port.
public final class HTTPClient {
    let loop: EventLoop
    /// Idle connections by host and port, scanned: a lab's clients speak to a few hosts,
    /// and comparing a short host name costs less than hashing it.
    private var idle: [(key: PoolKey, connections: [ClientConnection])] = []
    /// Hosts whose lists may stay empty before the empty ones are dropped: each request
    /// takes its host's connection out and puts it back, and a list kept empty in between
    /// is not made again; a gateway sent to ever new hosts does not keep a list for each.
    private static let keptHosts = 32
    public var maxIdlePerHost = 64

    public init(loop: EventLoop) {
        self.loop = loop
    }

    /// Sends a request; set the exchange's callbacks before the loop runs again.
    @discardableResult
    public func send(_ request: ClientRequest, timeouts: ClientTimeouts = ClientTimeouts()) -> ClientExchange {
        let exchange = ClientExchange(request: request, timeouts: timeouts)
        // Start on the next loop turn so callers can attach callbacks first.
        loop.after(ms: 0) { [self] in
            guard !exchange.isDone else { return }
            if let connection = takeIdle(request.poolKey) {
                connection.run(exchange)
            } else {
                connect(exchange)
            }
        }
        return exchange
    }

    /// Sends a request and buffers the whole response.
    public func fetch(_ request: ClientRequest, timeouts: ClientTimeouts = ClientTimeouts(),
                      _ completion: @escaping (Result<ClientResponse, HTTPClientError>) -> Void) {
        let exchange = send(request, timeouts: timeouts)
        var head: ClientResponseHead?
        var body: [UInt8] = []
        exchange.onHead = { head = $0 }
        exchange.onBody = { body.append(contentsOf: $0) }
        exchange.onEnd = { completion(.success(ClientResponse(status: head?.status ?? 0, headers: head?.headers ?? HTTPHeaders(), body: body))) }
        exchange.onError = { completion(.failure($0)) }
    }

    /// Closes every idle pooled connection.
    public func closeIdle() {
        for entry in idle { for c in entry.connections { c.abandon() } }
        idle = []
    }

    public var idleCount: Int { idle.reduce(0) { $0 + $1.connections.count } }

    /// Hosts with a list, empty ones included (for tests).
    var pooledHosts: Int { idle.count }

    private func pool(_ key: PoolKey) -> Int? { idle.firstIndex { $0.key == key } }

    /// The lists are changed in place: a list taken out and put back is copied each time.
    private func takeIdle(_ key: PoolKey) -> ClientConnection? {
        guard let i = pool(key) else { return nil }
        while let c = idle[i].connections.popLast() {
            if c.isUsable { return c }
        }
        return nil
    }

    func putIdle(_ connection: ClientConnection) {
        if let i = pool(connection.key) {
            guard idle[i].connections.count < maxIdlePerHost else { connection.abandon(); return }
            idle[i].connections.append(connection)
            return
        }
        guard maxIdlePerHost > 0 else { connection.abandon(); return }
        if idle.count >= Self.keptHosts { idle.removeAll { $0.connections.isEmpty } }
        idle.append((connection.key, [connection]))
    }

    func dropIdle(_ connection: ClientConnection) {
        guard let i = pool(connection.key) else { return }
        idle[i].connections.removeAll { $0 === connection }
    }

    private func connect(_ exchange: ClientExchange) {
        let request = exchange.request
        if let ms = exchange.timeouts.connectMs {
            exchange.connectTimer = loop.after(ms: Double(ms)) { exchange.cancelForTimeout() }
        }
        if let network = loop.network {
            let stream = MemoryStream(network: network)
            let connection = ClientConnection(client: self, key: request.poolKey, stream: stream)
            exchange.connection = connection
            network.connect(stream, host: request.host, port: request.port) { [self] error in
                connected(exchange, connection, error: error) { false }
            }
            return
        }
        if let address = SocketAddress(host: request.host, port: request.port) {
            connect(exchange, addresses: [address], index: 0)
            return
        }
        Resolver.resolve(loop: loop, host: request.host, port: request.port) { [self] result in
            guard !exchange.isDone else { return }
            switch result {
            case .success(let addresses): connect(exchange, addresses: addresses, index: 0)
            case .failure(let error): exchange.fail(error)
            }
        }
    }

    /// Tries the addresses in order; a refused one moves on to the next (localhost is ::1 and 127.0.0.1).
    private func connect(_ exchange: ClientExchange, addresses: [SocketAddress], index: Int) {
        let stream = TCPStream(loop: loop)
        let connection = ClientConnection(client: self, key: exchange.request.poolKey, stream: stream)
        exchange.connection = connection
        let (host, port) = addresses[index].hostAndPort
        let shown = displayAddress(host, port)
        stream.connect(to: addresses[index]) { [self] status in
            let error = status == 0 ? nil : ClientConnection.connectError(status, address: shown)
            connected(exchange, connection, error: error) {
                guard index + 1 < addresses.count else { return false }
                connect(exchange, addresses: addresses, index: index + 1)
                return true
            }
        }
    }

    /// A connect finished: run the exchange on it, or fail it — unless a refusal
    /// leaves `tryNext` another address to try.
    private func connected(_ exchange: ClientExchange, _ connection: ClientConnection, error: HTTPClientError?, tryNext: () -> Bool) {
        guard !exchange.isDone else { connection.abandon(); return }
        if let error {
            connection.abandon()
            if case .refused = error, tryNext() { return }
            exchange.fail(error)
            return
        }
        exchange.connectTimer?.close()
        exchange.connectTimer = nil
        connection.run(exchange)
    }
}

extension ClientExchange {
    func cancelForTimeout() {
        guard !isDone else { return }
        connection?.abandon()
        connection = nil
        fail(.connectTimeout)
    }
}
