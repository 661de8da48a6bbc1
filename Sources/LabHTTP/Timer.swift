import CLibUV

/// A timer on the loop's clock, in lab milliseconds: a libuv timer on the real
/// clock (waits multiplied by the scale), an entry of the virtual clock in
/// simulation. It stays alive while it is armed or its handle is open; `close()` ends it.
public final class Timer: LoopHandleOwner {
    private let loop: EventLoop
    private var handle: UnsafeMutablePointer<uv_timer_t>?
    private var callback: (() -> Void)?
    private var closed = false
    /// In simulation: which arming is current, so entries of earlier armings do nothing.
    private var arming: UInt64 = 0
    private var repeatNs: UInt64 = 0
    /// A long real-clock wait's end on libuv's millisecond clock (`startWall`).
    private var wallDeadlineMs: UInt64 = 0

    public init(loop: EventLoop) {
        self.loop = loop
        guard !loop.isSimulated else { return }
        let h = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        uv_timer_init(loop.raw, h)
        h.pointee.data = Unmanaged.passRetained(self as AnyObject).toOpaque()
        handle = h
    }

    /// Calls `body` after `afterMs` lab milliseconds, then every `repeatMs` if not 0.
    public func start(afterMs: Double, repeatMs: Double = 0, _ body: @escaping () -> Void) {
        guard !closed else { return }
        callback = body
        if let scheduler = loop.scheduler {
            arming &+= 1
            repeatNs = Self.ns(repeatMs)
            arm(scheduler, afterNs: Self.ns(afterMs))
            return
        }
        startWall(afterMs: loop.wallMs(afterMs), repeatMs: loop.wallMs(repeatMs), body)
    }

    /// A real-clock timer in wall milliseconds, whatever the scale.
    ///
    /// Linux lets a poll's timeout run late by a thousandth of its length
    /// (`select_estimate_accuracy`: 1 ms in a second, 30 ms in thirty), and libuv waits in
    /// `epoll_wait`. So a long one-shot wait is armed that much short of its end, then
    /// finished with a second, short one whose lateness is the kernel's 50 µs minimum.
    func startWall(afterMs: UInt64, repeatMs: UInt64, _ body: @escaping () -> Void) {
        guard let handle else { return }
        callback = body
        let early = repeatMs == 0 ? Self.kernelSlackMs(afterMs) : 0
        guard early > 0 else {
            uv_timer_start(handle, { h in Timer.owner(h).callback?() }, afterMs, repeatMs)
            return
        }
        // libuv's own deadline for the whole wait: its loop time when armed, plus the wait.
        wallDeadlineMs = uv_now(loop.raw) + afterMs
        uv_timer_start(handle, { h in
            let timer = Timer.owner(h)
            let now = uv_now(timer.loop.raw)
            guard timer.wallDeadlineMs > now else { timer.callback?(); return }
            uv_timer_start(h, { h in Timer.owner(h).callback?() }, timer.wallDeadlineMs - now, 0)
        }, afterMs - early, 0)
    }

    /// How late the kernel may wake a wait of `ms`, rounded up, for waits long enough to
    /// matter (at most 100 ms, the kernel's cap).
    static func kernelSlackMs(_ ms: UInt64) -> UInt64 {
        ms >= 50 ? min(ms / 1000 + 1, 101) : 0
    }

    private static func owner(_ h: UnsafeMutablePointer<uv_timer_t>?) -> Timer {
        Unmanaged<AnyObject>.fromOpaque(h!.pointee.data).takeUnretainedValue() as! Timer
    }

    private static func ns(_ ms: Double) -> UInt64 { saturatingUInt64(ms * 1_000_000) }

    private func arm(_ scheduler: SimulatedScheduler, afterNs: UInt64) {
        let current = arming
        scheduler.schedule(afterNs: afterNs) { [self] in
            guard !closed, arming == current, let callback else { return }
            if repeatNs > 0 { arm(scheduler, afterNs: repeatNs) }
            callback()
        }
    }

    public func stop() {
        arming &+= 1
        callback = nil
        if let handle { uv_timer_stop(handle) }
    }

    public var isClosed: Bool { closed }

    public func close() { closeHandle() }

    func closeHandle() {
        guard !closed else { return }
        closed = true
        callback = nil
        guard let h = handle else { return }
        handle = nil
        uv_close(asHandle(h), releaseOnClose)
    }
}
