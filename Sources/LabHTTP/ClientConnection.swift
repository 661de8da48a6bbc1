import CLibUV

/// One client socket: connects, carries one exchange at a time, and goes back to
/// the pool when the server keeps it alive.
final class ClientConnection {
    let key: PoolKey
    private weak var client: HTTPClient?
    private let stream: ByteStream
    private let parser = HTTPMessageParser(kind: HTTP_RESPONSE_KIND, maxHeaderBytes: 256 * 1024)
    private var exchange: ClientExchange?
    private var responseTimer: Timer?
    private var messageDone = false
    /// The message being read is an interim (1xx) answer, skipped.
    private var interim = false
    private var keepAlive = false
    private(set) var isUsable = true

    init(client: HTTPClient, key: PoolKey, stream: ByteStream) {
        self.client = client
        self.key = key
        self.stream = stream
    }

    static func connectError(_ status: Int32, address: String) -> HTTPClientError {
        let error = UVError(status)
        switch error.name {
        case "ECONNREFUSED": return .refused(address)
        case "ECONNRESET": return .reset
        case "ETIMEDOUT": return .connectTimeout
        case "ECANCELED": return .cancelled
        default: return .other("connect \(error.name) \(address)")
        }
    }

    private func headArrived(isHead: Bool) -> Bool {
        let status = parser.head.status
        // An interim answer (`100 Continue`, `103 Early Hints`) is not the response:
        // the real head follows it on the same connection.
        if status >= 100, status < 200, status != 101 {
            interim = true
            return true
        }
        responseTimer?.close()
        responseTimer = nil
        keepAlive = parser.head.keepAlive
        exchange?.deliverHead(ClientResponseHead(status: status, headers: parser.head.headers))
        // 204 and 304 have no body whatever their head says (a 304 may name the length of
        // what it stands for); http_parser would wait for one.
        return isHead || status == 204 || status == 304
    }

    func run(_ exchange: ClientExchange) {
        self.exchange = exchange
        exchange.connection = self
        messageDone = false
        interim = false
        let isHead = exchange.request.method == "HEAD"
        parser.onHead = { [unowned self] in headArrived(isHead: isHead) }
        parser.onBody = { [unowned self] bytes in
            self.exchange?.deliverBody(Array(bytes))
            return true
        }
        parser.onComplete = { [unowned self] in
            if interim { interim = false; return }
            messageDone = true
            keepAlive = parser.lastKeepAlive
        }
        stream.onRead = { [self] bytes in didRead(bytes) }
        stream.onEnd = { [self] error in didEnd(error) }
        stream.startReading()
        if let ms = exchange.timeouts.responseMs {
            responseTimer = client?.loop.after(ms: Double(ms)) { [weak self] in
                guard let self, let exchange = self.exchange, !exchange.gotHead else { return }
                self.exchange = nil
                abandon()
                exchange.fail(.responseTimeout)
            }
        }
        exchange.request.serialized().withUnsafeBytes { stream.write($0) }
    }

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        guard let exchange else {
            // Bytes on an idle connection: the server is confused; do not reuse it.
            abandon()
            return
        }
        let ok = parser.feed(bytes)
        if !ok {
            self.exchange = nil
            abandon()
            exchange.fail(.invalidResponse(failureText))
            return
        }
        if messageDone { complete(exchange) }
    }

    private var failureText: String {
        if case .invalid(_, let description) = parser.failure { return description }
        return "response headers too large"
    }

    private func complete(_ exchange: ClientExchange) {
        self.exchange = nil
        responseTimer?.close()
        responseTimer = nil
        exchange.connection = nil
        let reusable = keepAlive && !exchange.isDone
        exchange.deliverEnd()
        if reusable, let client {
            client.putIdle(self)
        } else {
            abandon()
        }
    }

    private func didEnd(_ error: UVError?) {
        guard let exchange else {
            abandon()
            return
        }
        if error == nil, exchange.gotHead, parser.finish(), messageDone {
            complete(exchange)
            return
        }
        self.exchange = nil
        abandon()
        if let error, error.name == "ECONNRESET" {
            exchange.fail(.reset)
        } else if let error {
            exchange.fail(.other("read \(error.name)"))
        } else {
            exchange.fail(exchange.gotHead ? .closedMidBody : .closedBeforeResponse)
        }
    }

    /// Closes the socket; the connection is never used again.
    func abandon() {
        isUsable = false
        responseTimer?.close()
        responseTimer = nil
        exchange = nil
        client?.dropIdle(self)
        stream.closeHandle()
    }
}
