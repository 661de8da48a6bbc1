/// A connected, ordered byte stream as the HTTP layer uses it: a TCP socket on the
/// real clock, an in-memory pair of ends in simulation. Both keep TCP's ways of
/// ending — a graceful close (the peer reads to the end, then EOF) and a reset
/// (the peer gets ECONNRESET).
protocol ByteStream: AnyObject {
    /// Bytes received. The slice is only valid during the call.
    var onRead: ((UnsafeRawBufferPointer) -> Void)? { get set }
    /// The peer closed its side (EOF) or the connection failed; `nil` error means clean EOF.
    var onEnd: ((UVError?) -> Void)? { get set }
    /// This end was closed (by either call below); fired once.
    var onClose: (() -> Void)? { get set }
    var isClosed: Bool { get }
    /// `127.0.0.1:54321`, for logs.
    var peerDescription: String { get }

    func startReading()
    func stopReading()
    /// Queues bytes (copied if they cannot leave at once); they arrive in order.
    func write(_ bytes: UnsafeRawBufferPointer)
    /// Runs `body` once every queued write has left this end.
    func whenDrained(_ body: @escaping () -> Void)
    /// Closes gracefully after queued writes.
    func close()
    /// Closes at once with a reset.
    func reset()
    /// Closes at once without waiting for queued writes.
    func closeHandle()
}

extension ByteStream {
    func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }
}

/// Where a server accepts connections. It can stop and listen again on the same
/// port, which is how a provider goes "down" (connections refused) and comes back.
protocol Listening: AnyObject {
    var port: Int { get }
    var isListening: Bool { get }
    func listen() throws
    func close()
}
