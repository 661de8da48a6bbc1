@testable import LabHTTP

/// A raw TCP client for tests that need to send exact bytes (pipelining, malformed input).
final class RawClient {
    let loop: EventLoop
    let stream: TCPStream
    var received: [UInt8] = []
    var ended = false
    var endError: UVError?
    var connected = false

    init(loop: EventLoop, port: Int, host: String = "127.0.0.1") {
        self.loop = loop
        stream = TCPStream(loop: loop)
        let req = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        req.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let address = SocketAddress(host: host, port: port)!
        _ = address.withSockaddr { sa in
            uv_tcp_connect(req, stream.handle, sa) { req, status in
                let me = Unmanaged<RawClient>.fromOpaque(req!.pointee.data).takeRetainedValue()
                req!.deallocate()
                me.connected = status == 0
                me.stream.onRead = { [me] bytes in me.received.append(contentsOf: bytes) }
                me.stream.onEnd = { [me] error in me.ended = true; me.endError = error }
                me.stream.startReading()
            }
        }
        loop.run(until: { self.connected }, timeoutMs: 2000)
    }

    func send(_ text: String) { stream.write(Array(text.utf8)) }
    func send(_ bytes: [UInt8]) { stream.write(bytes) }
    var text: String { String(decoding: received, as: UTF8.self) }
    func close() { stream.closeHandle() }
}

import CLibUV

extension EventLoop {
    /// Fetches on the loop and runs it until the answer arrives.
    func fetch(_ client: HTTPClient, _ request: ClientRequest, timeouts: ClientTimeouts = ClientTimeouts()) -> Result<ClientResponse, HTTPClientError>? {
        var result: Result<ClientResponse, HTTPClientError>?
        client.fetch(request, timeouts: timeouts) { result = $0 }
        run(until: { result != nil }, timeoutMs: 5000)
        return result
    }
}

extension RawClient {
    /// Half-closes: sends FIN after what was written, keeps reading.
    func shutdownWrite() {
        let req = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
        uv_shutdown(req, stream.streamPointer, { req, _ in req?.deallocate() })
    }
}
