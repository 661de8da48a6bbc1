import CLibUV

/// Calls back on SIGINT / SIGTERM (or any signal) on the loop thread, so commands
/// can shut down cleanly instead of dying mid-write.
public final class SignalWatcher: LoopHandleOwner {
    private var handles: [UnsafeMutablePointer<uv_signal_t>] = []
    private let callback: (Int32) -> Void

    public init(loop: EventLoop, signals: [Int32], _ body: @escaping (Int32) -> Void) {
        callback = body
        for signum in signals {
            let h = UnsafeMutablePointer<uv_signal_t>.allocate(capacity: 1)
            uv_signal_init(loop.raw, h)
            h.pointee.data = Unmanaged.passRetained(self as AnyObject).toOpaque()
            uv_signal_start(h, { h, signum in
                let watcher = Unmanaged<AnyObject>.fromOpaque(h!.pointee.data).takeUnretainedValue() as! SignalWatcher
                watcher.callback(signum)
            }, signum)
            handles.append(h)
        }
    }

    public func close() { closeHandle() }

    func closeHandle() {
        let open = handles
        handles = []
        for h in open where uv_is_closing(asHandle(h)) == 0 {
            uv_close(asHandle(h), releaseOnClose)
        }
    }
}
