import CLibUV

/// Asynchronous name resolution on libuv's thread pool.
enum Resolver {
    private final class Request {
        let completion: (Result<[SocketAddress], HTTPClientError>) -> Void
        let host: String
        init(host: String, completion: @escaping (Result<[SocketAddress], HTTPClientError>) -> Void) {
            self.host = host
            self.completion = completion
        }
    }

    static func resolve(loop: EventLoop, host: String, port: Int, _ completion: @escaping (Result<[SocketAddress], HTTPClientError>) -> Void) {
        let req = UnsafeMutablePointer<uv_getaddrinfo_t>.allocate(capacity: 1)
        req.pointee.data = Unmanaged.passRetained(Request(host: host, completion: completion)).toOpaque()
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        let rc = uv_getaddrinfo(loop.raw, req, { req, status, result in
            let request = Unmanaged<Request>.fromOpaque(req!.pointee.data).takeRetainedValue()
            req!.deallocate()
            defer { uv_freeaddrinfo(result) }
            guard status == 0 else {
                let error = UVError(status)
                if ["EAI_NONAME", "EAI_NODATA", "EAI_AGAIN", "EAI_FAIL"].contains(error.name) {
                    request.completion(.failure(.nameNotResolved(request.host)))
                } else {
                    request.completion(.failure(.other("getaddrinfo \(error.name) \(request.host)")))
                }
                return
            }
            var addresses: [SocketAddress] = []
            var node = result
            while let n = node {
                if let addr = n.pointee.ai_addr { addresses.append(SocketAddress(copying: addr, length: Int(n.pointee.ai_addrlen))) }
                node = n.pointee.ai_next
            }
            if addresses.isEmpty {
                request.completion(.failure(.nameNotResolved(request.host)))
            } else {
                request.completion(.success(addresses))
            }
        }, host, String(port), &hints)
        if rc != 0 {
            let request = Unmanaged<Request>.fromOpaque(req.pointee.data).takeRetainedValue()
            req.deallocate()
            request.completion(.failure(.nameNotResolved(host)))
        }
    }
}
