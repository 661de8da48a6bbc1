/// A listening address on the simulated network.
final class MemoryListener: Listening {
    private unowned let network: SimulatedNetwork
    let host: String
    private(set) var port: Int
    private(set) var isListening = false
    private let onAccept: (ByteStream) -> Void

    init(network: SimulatedNetwork, host: String, port: Int, onAccept: @escaping (ByteStream) -> Void) throws {
        guard SocketAddress(host: host, port: 0) != nil else { throw ListenError.badAddress(host) }
        self.network = network
        self.host = host
        self.port = port
        self.onAccept = onAccept
        try listen()
    }

    func listen() throws {
        guard !isListening else { return }
        port = try network.bind(self, host: host, port: port)
        isListening = true
    }

    func close() {
        guard isListening else { return }
        isListening = false
        network.unbind(self)
    }

    func accept(_ stream: MemoryStream) { onAccept(stream) }
}
