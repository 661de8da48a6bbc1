import CLibUV

/// A listening TCP socket. It can stop listening and start again on the same
/// port, which is how a provider goes "down" (connections refused) and comes back.
final class TCPListener: Listening, LoopHandleOwner {
    let loop: EventLoop
    private var handle: UnsafeMutablePointer<uv_tcp_t>?
    private let onAccept: (ByteStream) -> Void
    let host: String
    /// The bound port (the OS's choice when 0 was asked for).
    private(set) var port: Int

    init(loop: EventLoop, host: String, port: Int, backlog: Int32 = 1024, onAccept: @escaping (ByteStream) -> Void) throws {
        self.loop = loop
        self.host = host
        self.port = port
        self.onAccept = onAccept
        try listen(backlog: backlog)
    }

    var isListening: Bool { handle != nil }

    func listen() throws { try listen(backlog: 1024) }

    func listen(backlog: Int32) throws {
        guard handle == nil else { return }
        guard let address = SocketAddress(host: host, port: port) else {
            throw ListenError.badAddress(host)
        }
        let h = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(loop.raw, h)
        h.pointee.data = Unmanaged.passRetained(self as AnyObject).toOpaque()
        var rc = address.withSockaddr { uv_tcp_bind(h, $0, 0) }
        if rc == 0 {
            rc = uv_listen(asStream(h), backlog) { server, status in
                let me = Unmanaged<AnyObject>.fromOpaque(server!.pointee.data).takeUnretainedValue() as! TCPListener
                guard status == 0 else { return }
                let stream = TCPStream(loop: me.loop)
                if uv_accept(server, stream.streamPointer) == 0 {
                    stream.setNoDelay()
                    me.onAccept(stream)
                } else {
                    stream.closeHandle()
                }
            }
        }
        if rc != 0 {
            uv_close(asHandle(h), releaseOnClose)
            throw ListenError.cannotListen(host: host, port: port, UVError(rc))
        }
        handle = h
        var storage = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            uv_tcp_getsockname(h, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &len)
        }
        port = withUnsafePointer(to: storage) {
            SocketAddress(copying: UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), length: Int(len)).hostAndPort.1
        }
    }

    /// Stops accepting; new connections are refused until `listen()` again.
    func close() { closeHandle() }

    func closeHandle() {
        guard let h = handle else { return }
        handle = nil
        uv_close(asHandle(h), releaseOnClose)
    }
}

public enum ListenError: Error, CustomStringConvertible {
    case badAddress(String)
    case cannotListen(host: String, port: Int, UVError)

    public var description: String {
        switch self {
        case .badAddress(let host):
            return "'\(host)' is not a numeric IPv4 or IPv6 address to listen on (try 127.0.0.1 or ::1)"
        case let .cannotListen(host, port, error):
            let shown = displayAddress(host, port)
            let hint = error.name == "EADDRINUSE" ? " (something else is listening there; pick another --port, or 0 for any free port)" : ""
            return "cannot listen on \(shown): \(error.message)\(hint)"
        }
    }
}
