import CLibUV

/// One libuv loop. Everything the lab runs lives on one of these, on one thread;
/// objects that belong to a loop are not Sendable and never leave it.
public final class EventLoop {
    let raw: UnsafeMutablePointer<uv_loop_t>
    /// One read buffer for every socket of the loop: a read callback consumes its
    /// bytes before the loop asks for the next buffer.
    let readBuffer: UnsafeMutableRawPointer
    static let readBufferSize = 64 * 1024
    private var closing = false

    public init() {
        lab_ignore_sigpipe()
        raw = .allocate(capacity: 1)
        uv_loop_init(raw)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        raw.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        closeAllHandles()
        uv_loop_close(raw)
        raw.deallocate()
        readBuffer.deallocate()
    }

    /// Runs until no handle is active or `stop()` is called.
    public func run() {
        uv_run(raw, UV_RUN_DEFAULT)
    }

    /// Runs until `condition` holds or `timeoutMs` of loop time pass; returns whether it held.
    /// Used by tests and by commands that wait for one outcome.
    @discardableResult
    public func run(until condition: () -> Bool, timeoutMs: UInt64) -> Bool {
        let deadline = uv_now(raw) + timeoutMs
        // A repeating timer keeps the loop from blocking forever when nothing else is pending.
        let ticker = Timer(loop: self)
        ticker.start(afterMs: 5, repeatMs: 5) {}
        defer { ticker.close() }
        while !condition() {
            uv_update_time(raw)
            if uv_now(raw) >= deadline { return false }
            uv_run(raw, UV_RUN_ONCE)
        }
        return true
    }

    /// Stops `run()` after the current iteration.
    public func stop() {
        uv_stop(raw)
    }

    /// Milliseconds of loop time (monotonic, cached once per loop iteration).
    public var nowMs: UInt64 { uv_now(raw) }

    /// Nanoseconds from a monotonic clock, for measuring.
    public static var monotonicNs: UInt64 { uv_hrtime() }

    /// Calls `body` once after `ms` milliseconds of loop time.
    @discardableResult
    public func after(ms: UInt64, _ body: @escaping () -> Void) -> Timer {
        let timer = Timer(loop: self)
        timer.start(afterMs: ms) { [unowned timer] in
            timer.close()
            body()
        }
        return timer
    }

    /// Closes every handle still open and lets their close callbacks run, so a
    /// shutdown leaves no socket or timer behind.
    public func closeAllHandles() {
        guard !closing else { return }
        closing = true
        defer { closing = false }
        uv_walk(raw, { handle, _ in
            guard let handle, uv_is_closing(handle) == 0 else { return }
            if let data = handle.pointee.data {
                let owner = Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue()
                if let closable = owner as? LoopHandleOwner {
                    closable.closeHandle()
                    return
                }
            }
            uv_close(handle, nil)
        }, nil)
        uv_run(raw, UV_RUN_DEFAULT)
    }

    static func from(_ loop: UnsafeMutablePointer<uv_loop_t>?) -> EventLoop {
        Unmanaged<EventLoop>.fromOpaque(loop!.pointee.data).takeUnretainedValue()
    }
}

/// An object that owns a libuv handle and knows how to close it (and so release itself).
protocol LoopHandleOwner: AnyObject {
    func closeHandle()
}

/// The libuv error name and message for a status code, e.g. `ECONNREFUSED`.
public struct UVError: Error, CustomStringConvertible, Equatable, Sendable {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
    public var name: String { String(cString: uv_err_name(code)) }
    public var message: String { String(cString: uv_strerror(code)) }
    public var description: String { "\(name): \(message)" }
}

func asHandle<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<uv_handle_t> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: uv_handle_t.self)
}

func asStream<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<uv_stream_t> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: uv_stream_t.self)
}

/// The close callback shared by every handle: frees the handle memory and
/// releases the owner that `data` kept alive while the handle was open.
let releaseOnClose: uv_close_cb = { handle in
    guard let handle else { return }
    if let data = handle.pointee.data {
        Unmanaged<AnyObject>.fromOpaque(data).release()
    }
    UnsafeMutableRawPointer(handle).deallocate()
}
