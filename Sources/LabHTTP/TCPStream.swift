import CLibUV

/// A connected TCP socket on the loop: reads, ordered writes, graceful close and reset.
/// Lives until its handle is closed; callbacks then stop.
public final class TCPStream: ByteStream, LoopHandleOwner {
    let loop: EventLoop
    private(set) var handle: UnsafeMutablePointer<uv_tcp_t>?
    /// Bytes received. The slice is only valid during the call.
    var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer closed its side (EOF) or the socket failed; `nil` error means clean EOF.
    var onEnd: ((UVError?) -> Void)?
    var onClose: (() -> Void)?
    private(set) var pendingWrites = 0
    private var connectDone: ((Int32) -> Void)?
    private var drainWaiters: [() -> Void] = []
    public private(set) var isClosed = false

    init(loop: EventLoop) {
        self.loop = loop
        let h = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(loop.raw, h)
        h.pointee.data = Unmanaged.passRetained(self as AnyObject).toOpaque()
        handle = h
    }

    var streamPointer: UnsafeMutablePointer<uv_stream_t>? { handle.map(asStream) }

    func setNoDelay() {
        if let handle { uv_tcp_nodelay(handle, 1) }
    }

    /// Connects to `address`; `done` gets 0 or a libuv error status.
    func connect(to address: SocketAddress, _ done: @escaping (Int32) -> Void) {
        guard let handle else { done(Int32(UV_ECANCELED.rawValue)); return }
        connectDone = done
        let req = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        req.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let rc = address.withSockaddr { sa in
            uv_tcp_connect(req, handle, sa) { req, status in
                let me = Unmanaged<TCPStream>.fromOpaque(req!.pointee.data).takeRetainedValue()
                req!.deallocate()
                let done = me.connectDone
                me.connectDone = nil
                done?(status)
            }
        }
        if rc != 0 {
            Unmanaged<TCPStream>.fromOpaque(req.pointee.data).release()
            req.deallocate()
            connectDone = nil
            done(rc)
        }
    }

    func startReading() {
        guard let stream = streamPointer else { return }
        uv_read_start(stream, { handle, _, buf in
            let loop = EventLoop.from(handle!.pointee.loop)
            buf!.pointee.base = loop.readBuffer.assumingMemoryBound(to: CChar.self)
            buf!.pointee.len = EventLoop.readBufferSize
        }, { stream, nread, buf in
            let me = Unmanaged<AnyObject>.fromOpaque(stream!.pointee.data).takeUnretainedValue() as! TCPStream
            if nread > 0, let onRead = me.onRead {
                me.loop.whileHandlingRead { onRead(UnsafeRawBufferPointer(start: buf!.pointee.base, count: nread)) }
            } else if nread < 0 {
                me.stopReading()
                me.onEnd?(nread == Int(UV_EOF.rawValue) ? nil : UVError(Int32(nread)))
            }
        })
    }

    func stopReading() {
        if let stream = streamPointer { uv_read_stop(stream) }
    }

    /// Queues bytes; writes complete in order. Tries a synchronous write first.
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard let stream = streamPointer, let start = bytes.baseAddress, !bytes.isEmpty, !isClosed else { return }
        var offset = 0
        if pendingWrites == 0 {
            var buf = uv_buf_init(UnsafeMutablePointer(mutating: start.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
            let written = uv_try_write(stream, &buf, 1)
            if written == Int32(bytes.count) { return }
            if written > 0 { offset = Int(written) } else if written != Int32(UV_EAGAIN.rawValue) {
                return  // the socket is failing; the read side will report it
            }
        }
        let count = bytes.count - offset
        let request = WriteRequest(count: count)
        request.storage.copyMemory(from: start + offset, byteCount: count)
        pendingWrites += 1
        var buf = uv_buf_init(request.storage.assumingMemoryBound(to: CChar.self), UInt32(count))
        request.req.pointee.data = Unmanaged.passRetained(request).toOpaque()
        request.owner = self
        let status = uv_write(request.req, stream, &buf, 1) { req, _ in
            let request = Unmanaged<WriteRequest>.fromOpaque(req!.pointee.data).takeRetainedValue()
            request.owner?.writeFinished()
        }
        if status != 0 {
            Unmanaged<WriteRequest>.fromOpaque(request.req.pointee.data).release()
            pendingWrites -= 1
        }
    }

    private func writeFinished() {
        pendingWrites -= 1
        if pendingWrites == 0, !drainWaiters.isEmpty {
            let waiters = drainWaiters
            drainWaiters = []
            for w in waiters { w() }
        }
    }

    /// Runs `body` once every queued write has left the process.
    func whenDrained(_ body: @escaping () -> Void) {
        if pendingWrites == 0 { body() } else { drainWaiters.append(body) }
    }

    /// Closes gracefully (FIN) after queued writes.
    public func close() {
        guard !isClosed else { return }
        whenDrained { [self] in closeHandle() }
    }

    /// Closes with a TCP RST at once (queued writes are flushed first by the caller if wanted).
    public func reset() {
        guard let h = handle, !isClosed else { return }
        isClosed = true
        handle = nil
        drainWaiters = []
        let rc = uv_tcp_close_reset(h, releaseOnClose)
        if rc != 0 {
            uv_close(asHandle(h), releaseOnClose)
        }
        fireClose()
    }

    public func closeHandle() {
        guard let h = handle else { return }
        isClosed = true
        handle = nil
        drainWaiters = []
        uv_close(asHandle(h), releaseOnClose)
        fireClose()
    }

    private func fireClose() {
        let cb = onClose
        onClose = nil
        onRead = nil
        onEnd = nil
        cb?()
    }
}

/// A write in flight: the bytes must outlive the call until libuv is done with them.
final class WriteRequest {
    let req: UnsafeMutablePointer<uv_write_t>
    let storage: UnsafeMutableRawPointer
    weak var owner: TCPStream?

    init(count: Int) {
        req = .allocate(capacity: 1)
        storage = .allocate(byteCount: max(count, 1), alignment: 1)
    }

    deinit {
        req.deallocate()
        storage.deallocate()
    }
}

/// `127.0.0.1:8080`, or `[::1]:8080` for an IPv6 host.
public func displayAddress(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}

/// A socket address for libuv, built from a numeric host (IPv4 or IPv6) and port.
struct SocketAddress {
    var storage = sockaddr_storage()

    init?(host: String, port: Int) {
        var s = sockaddr_storage()
        let ok = withUnsafeMutablePointer(to: &s) { p -> Bool in
            let raw = UnsafeMutableRawPointer(p)
            if uv_ip4_addr(host, Int32(port), raw.assumingMemoryBound(to: sockaddr_in.self)) == 0 { return true }
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return uv_ip6_addr(bare, Int32(port), raw.assumingMemoryBound(to: sockaddr_in6.self)) == 0
        }
        guard ok else { return nil }
        storage = s
    }

    init(copying address: UnsafePointer<sockaddr>, length: Int) {
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(length, dst.count)))
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafePointer(to: storage) { body(UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self)) }
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `127.0.0.1` or `::1` and the port.
    var hostAndPort: (String, Int) {
        withUnsafePointer(to: storage) { p -> (String, Int) in
            var name = [CChar](repeating: 0, count: 64)
            let raw = UnsafeRawPointer(p)
            if storage.ss_family == sa_family_t(AF_INET6) {
                let a = raw.assumingMemoryBound(to: sockaddr_in6.self)
                uv_ip6_name(a, &name, name.count)
                return (Self.string(name), Int(UInt16(bigEndian: a.pointee.sin6_port)))
            }
            let a = raw.assumingMemoryBound(to: sockaddr_in.self)
            uv_ip4_name(a, &name, name.count)
            return (Self.string(name), Int(UInt16(bigEndian: a.pointee.sin_port)))
        }
    }
}

extension TCPStream {
    /// The peer's address, for logs.
    public var peerDescription: String {
        guard let handle else { return "?" }
        var storage = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            uv_tcp_getpeername(handle, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &len)
        }
        guard rc == 0 else { return "?" }
        let (host, port) = withUnsafePointer(to: storage) {
            SocketAddress(copying: UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), length: Int(len)).hostAndPort
        }
        return displayAddress(host, port)
    }
}
