import CLibUV

/// Answers held until the end of the loop's turn — after every socket that was ready has
/// had its read handled (libuv's check phase) — and then sent together.
///
/// A client reading many connections (a load generator, a gateway's pool) sleeps between
/// answers when the server is slower than it, and every answer written on its own wakes it
/// again: on this machine that wake-up cost the server about 2 µs of kernel time per
/// request, a fifth of its whole cost (bench/analysis.md, the thirteenth session). Written
/// together at the end of the turn, the first answer wakes the client and the others find it
/// awake. Only answers made while their own request was being read wait here, and only
/// until the end of the same turn; a step that waits, closes or resets sends what is
/// written at once, so injected timing is unchanged. Not used in simulation, where
/// connections are in memory and the loop has no turns.
final class EndOfTurn: LoopHandleOwner {
    private var handle: UnsafeMutablePointer<uv_check_t>?
    private var waiting: [ServerConnection] = []
    /// Connections whose held answers went out at a turn's end, for tests.
    private(set) var sentHeld = 0

    init(loop: EventLoop) {
        let h = UnsafeMutablePointer<uv_check_t>.allocate(capacity: 1)
        uv_check_init(loop.raw, h)
        h.pointee.data = Unmanaged.passRetained(self).toOpaque()
        uv_check_start(h) { h in Unmanaged<EndOfTurn>.fromOpaque(h!.pointee.data).takeUnretainedValue().send() }
        // Runs on every turn, but does not by itself keep the loop running.
        uv_unref(asHandle(h))
        handle = h
    }

    /// Whether `connection` will be flushed at the end of this turn (false once closed:
    /// the caller sends at once).
    func hold(_ connection: ServerConnection) -> Bool {
        guard handle != nil else { return false }
        waiting.append(connection)
        return true
    }

    private func send() {
        guard !waiting.isEmpty else { return }
        // Nothing is held while the turn ends (no read is being handled), so the list does
        // not grow under this loop.
        sentHeld += waiting.count
        for i in waiting.indices { waiting[i].sendHeld() }
        // Emptied from the end: `removeAll(keepingCapacity:)` goes through a general
        // range replacement, some 170 instructions a turn.
        while waiting.popLast() != nil {}
    }

    func closeHandle() {
        guard let h = handle else { return }
        handle = nil
        send()
        uv_close(asHandle(h), releaseOnClose)
    }
}
