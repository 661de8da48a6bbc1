import CLibUV

/// A libuv timer. It stays alive while its handle is open; `close()` ends it.
public final class Timer: LoopHandleOwner {
    private var handle: UnsafeMutablePointer<uv_timer_t>?
    private var callback: (() -> Void)?

    public init(loop: EventLoop) {
        let h = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        uv_timer_init(loop.raw, h)
        h.pointee.data = Unmanaged.passRetained(self as AnyObject).toOpaque()
        handle = h
    }

    public func start(afterMs: UInt64, repeatMs: UInt64 = 0, _ body: @escaping () -> Void) {
        guard let handle else { return }
        callback = body
        uv_timer_start(handle, { h in
            let timer = Unmanaged<AnyObject>.fromOpaque(h!.pointee.data).takeUnretainedValue() as! Timer
            timer.callback?()
        }, afterMs, repeatMs)
    }

    public func stop() {
        guard let handle else { return }
        uv_timer_stop(handle)
        callback = nil
    }

    public var isClosed: Bool { handle == nil }

    public func close() { closeHandle() }

    func closeHandle() {
        guard let h = handle else { return }
        handle = nil
        callback = nil
        uv_close(asHandle(h), releaseOnClose)
    }
}
