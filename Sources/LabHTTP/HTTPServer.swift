/// Limits that protect a server from what it is sent.
public struct ServerLimits: Sendable {
    public var maxHeaderBytes = 64 * 1024
    public var maxBodyBytes = 8 * 1024 * 1024
    /// Requests a connection may have waiting for their turn before reading pauses.
    public var maxPipelined = 32
    /// From a request's first byte to the end of its headers; slower clients get 408.
    public var headerTimeoutMs = 10_000
    /// Open connections beyond this are closed at once, with a log line.
    public var maxConnections = 20_000

    public init() {}
}

/// An HTTP/1.1 server on a libuv loop: keep-alive, pipelining answered in order,
/// request size limits. Each request goes to `handler` with a `Responder`.
public final class HTTPServer {
    public typealias Handler = (HTTPRequest, Responder) -> Void

    let loop: EventLoop
    let limits: ServerLimits
    /// Set by the owner once it exists (an owner's handler captures the owner, which
    /// holds this server): no request is read before the loop runs again.
    public var handler: Handler
    private var listener: Listening?
    private(set) var connections: [ObjectIdentifier: ServerConnection] = [:]
    let heads: ResponseHeads
    let recentTarget = RecentTarget()
    public let host: String
    /// Renders the server's answer to a request it could not parse (400, 413, 431),
    /// so each server can use its own error shape. Default: plain text.
    public var errorScript: ((Int, String) -> WireScript)?
    /// Told about every request refused by the parser, for the journal.
    public var onRejected: ((Responder, Int) -> Void)?
    /// Operational messages (connections refused over the limit).
    public var onLog: ((String) -> Void)?
    public private(set) var refusedConnections = 0
    /// A client that half-closes (FIN) after complete requests still gets its answers,
    /// as a router in front of a service gives them. Off, the end of a client's side
    /// means it left: what is owed is dropped (how the gateway notices a route that gave up).
    public var answersHalfClosedClients = false

    public init(loop: EventLoop, host: String = "127.0.0.1", port: Int = 0, limits: ServerLimits = ServerLimits(),
                handler: @escaping Handler = { _, responder in responder.send(WireScript.respond(status: 503, contentType: "text/plain", body: "not ready")) }) throws {
        self.loop = loop
        self.limits = limits
        self.handler = handler
        self.host = host
        let dates = HTTPDate(loop: loop)
        heads = ResponseHeads(date: { dates.now })
        let accept: (ByteStream) -> Void = { [weak self] stream in self?.accept(stream) }
        if let network = loop.network {
            listener = try MemoryListener(network: network, host: host, port: port, onAccept: accept)
        } else {
            listener = try TCPListener(loop: loop, host: host, port: port, onAccept: accept)
        }
    }

    public var port: Int { listener?.port ?? 0 }

    /// `http://127.0.0.1:PORT` (IPv6 hosts in brackets).
    public var url: String {
        "http://" + displayAddress(host, port)
    }

    public var openConnections: Int { connections.count }

    public var isListening: Bool { listener?.isListening ?? false }

    /// Stops accepting new connections (clients then see "connection refused");
    /// open connections carry on.
    public func stopListening() {
        listener?.close()
    }

    /// Closes every open connection (what was being answered ends there); listening is untouched.
    public func dropConnections() {
        let open = connections.values
        connections = [:]
        for connection in open { connection.abort() }
    }

    public func resumeListening() throws {
        try listener?.listen()
    }

    /// Stops listening and closes every connection.
    public func shutdown() {
        listener?.close()
        for connection in connections.values { connection.abort() }
        connections = [:]
    }

    private func accept(_ stream: ByteStream) {
        guard connections.count < limits.maxConnections else {
            refusedConnections += 1
            onLog?("refusing a connection from \(stream.peerDescription): \(connections.count) open, the limit is \(limits.maxConnections)")
            stream.reset()
            return
        }
        let connection = ServerConnection(server: self, stream: stream)
        let id = ObjectIdentifier(connection)
        connections[id] = connection
        stream.onClose = { [weak self] in self?.connections[id] = nil }
        connection.start()
    }
}
