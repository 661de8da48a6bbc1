import CLibUV

/// One end of an in-memory connection. What one end writes reaches the other one
/// hop later, in order; a close reaches it as EOF after the bytes before it, a
/// reset as ECONNRESET. An end stays alive while it is open, as a socket does.
final class MemoryStream: ByteStream {
    private enum Arrival {
        case bytes([UInt8])
        case end
        case reset
    }

    private unowned let network: SimulatedNetwork
    private var peer: MemoryStream?
    private var inbox: [Arrival] = []
    private var inboxStart = 0
    private var reading = false
    private var delivering = false
    private var deliveryScheduled = false
    /// Keeps an open end alive, as a libuv handle keeps its owner.
    private var selfReference: MemoryStream?

    var onRead: ((UnsafeRawBufferPointer) -> Void)?
    var onEnd: ((UVError?) -> Void)?
    var onClose: (() -> Void)?
    private(set) var isClosed = false
    private(set) var peerDescription: String

    init(network: SimulatedNetwork, peerDescription: String = "?") {
        self.network = network
        self.peerDescription = peerDescription
        selfReference = self
    }

    func attach(to peer: MemoryStream, description: String) {
        self.peer = peer
        peerDescription = description
    }

    func startReading() {
        reading = true
        scheduleDelivery()
    }

    func stopReading() {
        reading = false
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosed, !bytes.isEmpty else { return }
        send(.bytes(Array(bytes)))
    }

    func whenDrained(_ body: @escaping () -> Void) {
        body()
    }

    func close() {
        guard !isClosed else { return }
        send(.end)
        finish()
    }

    func reset() {
        guard !isClosed else { return }
        send(.reset)
        finish()
    }

    func closeHandle() { close() }

    private func send(_ arrival: Arrival) {
        guard let peer else { return }
        network.hop { peer.arrive(arrival) }
    }

    private func finish() {
        isClosed = true
        reading = false
        inbox = []
        inboxStart = 0
        peer = nil
        let cb = onClose
        onClose = nil
        onRead = nil
        onEnd = nil
        cb?()
        selfReference = nil
    }

    private func arrive(_ arrival: Arrival) {
        guard !isClosed else { return }
        inbox.append(arrival)
        deliver()
    }

    /// Reads happen from the loop, never inside the call that enabled them.
    private func scheduleDelivery() {
        guard !deliveryScheduled, inboxStart < inbox.count else { return }
        deliveryScheduled = true
        network.loop.scheduler!.schedule(afterNs: 0) { [self] in
            deliveryScheduled = false
            deliver()
        }
    }

    private func deliver() {
        guard !delivering else { return }
        delivering = true
        defer { delivering = false }
        while reading, !isClosed, inboxStart < inbox.count {
            let arrival = inbox[inboxStart]
            inboxStart += 1
            if inboxStart == inbox.count {
                inbox.removeAll(keepingCapacity: true)
                inboxStart = 0
            }
            switch arrival {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { onRead?($0) }
            case .end:
                reading = false
                onEnd?(nil)
            case .reset:
                reading = false
                onEnd?(UVError(Int32(UV_ECONNRESET.rawValue)))
            }
        }
    }
}
