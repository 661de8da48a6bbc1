import CLibUV
import Glibc

/// One libuv loop. Everything the lab runs lives on one of these, on one thread;
/// objects that belong to a loop are not Sendable and never leave it.
public final class EventLoop {
    let raw: UnsafeMutablePointer<uv_loop_t>
    /// One read buffer for every socket of the loop: a read callback consumes its
    /// bytes before the loop asks for the next buffer.
    let readBuffer: UnsafeMutableRawPointer
    static let readBufferSize = 64 * 1024
    private var closing = false
    /// How time passes on this loop.
    public let clock: LoopClock
    /// The virtual clock and what is due on it, in simulation.
    let scheduler: SimulatedScheduler?
    /// Where connections go in simulation.
    private(set) var network: SimulatedNetwork?
    private let originNs = uv_hrtime()
    /// While a read is handled, the clock is read at most once per kind and shared:
    /// one read's requests are answered within microseconds, and each reading cost
    /// a clock call (nine per answered request before).
    private var readingDepth = 0
    private var readingHr: UInt64 = 0
    private var readingCalendar = timespec(tv_sec: 0, tv_nsec: -1)
    private var stopRequested = false
    /// Answers sent together at the end of each turn (real clock only).
    private(set) lazy var endOfTurn: EndOfTurn? = isSimulated ? nil : EndOfTurn(loop: self)

    public init(clock: LoopClock = .realTime) {
        lab_ignore_sigpipe()
        self.clock = clock
        raw = .allocate(capacity: 1)
        uv_loop_init(raw)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        scheduler = clock.isSimulated ? SimulatedScheduler() : nil
        raw.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        if case .simulated(let settings) = clock { network = SimulatedNetwork(loop: self, settings: settings) }
    }

    deinit {
        closeAllHandles()
        uv_loop_close(raw)
        raw.deallocate()
        readBuffer.deallocate()
    }

    public var isSimulated: Bool { scheduler != nil }

    /// Whether anything is still due on the simulated clock (false on a real one): after a
    /// `run` that returned false, it tells its time limit (true) from a lab in which
    /// nothing can happen any more (false).
    public var hasSimulatedWork: Bool { (scheduler?.pending ?? 0) > 0 }

    /// Lab milliseconds since the loop was made: virtual in simulation, else wall
    /// time divided by the scale (one reading for all the handling of one read).
    public var nowMs: Double {
        if let scheduler { return Double(scheduler.nowNs) / 1e6 }
        guard case .real(let scale) = clock else { return 0 }
        return Double(monotonicNow &- originNs) / 1e6 / scale
    }

    private var monotonicNow: UInt64 {
        if readingDepth == 0 { return uv_hrtime() }
        if readingHr == 0 { readingHr = uv_hrtime() }
        return readingHr
    }

    /// Runs `body`, the handling of one read, with the clock read once for it.
    @inline(__always)
    func whileHandlingRead(_ body: () -> Void) {
        readingDepth += 1
        body()
        readingDepth -= 1
        if readingDepth == 0 {
            readingHr = 0
            readingCalendar.tv_nsec = -1
        }
    }

    /// Wall milliseconds for `ms` lab milliseconds on a real clock.
    func wallMs(_ ms: Double) -> UInt64 {
        guard case .real(let scale) = clock else { return 0 }
        return saturatingUInt64(ms * scale)
    }

    /// Runs until nothing is left to do or `stop()` is called.
    public func run() {
        if isSimulated {
            _ = runSimulated(until: { stopRequested }, limitMs: nil)
            stopRequested = false
            return
        }
        uv_run(raw, UV_RUN_DEFAULT)
    }

    /// Runs until `condition` holds or `timeoutMs` of lab time pass; returns whether it held.
    /// In simulation it also returns when nothing is left that could make it hold.
    @discardableResult
    public func run(until condition: () -> Bool, timeoutMs: Double) -> Bool {
        if isSimulated { return runSimulated(until: condition, limitMs: nowMs + timeoutMs) }
        let deadline = uv_now(raw) + wallMs(timeoutMs)
        // A repeating timer keeps the loop from blocking forever when nothing else is pending.
        let ticker = Timer(loop: self)
        ticker.startWall(afterMs: 5, repeatMs: 5) {}
        defer { ticker.close() }
        while !condition() {
            uv_update_time(raw)
            if uv_now(raw) >= deadline { return false }
            uv_run(raw, UV_RUN_ONCE)
        }
        return true
    }

    /// Runs every action due until `condition` holds, the clock passes `limitMs`, or
    /// nothing is left. Real handles (signal watchers) get a look now and then.
    private func runSimulated(until condition: () -> Bool, limitMs: Double?) -> Bool {
        let scheduler = scheduler!
        let limitNs = limitMs.map { $0 * 1e6 >= Double(UInt64.max / 2) ? UInt64.max : UInt64(max(0, ($0 * 1e6).rounded())) } ?? .max
        var turns = 0
        while !condition() {
            turns &+= 1
            if turns & 4095 == 0 {
                uv_run(raw, UV_RUN_NOWAIT)
                if condition() { return true }
            }
            guard let action = scheduler.next(limitNs: limitNs) else { return false }
            action()
        }
        return true
    }

    /// Stops `run()` after the current action (or loop iteration).
    public func stop() {
        stopRequested = true
        uv_stop(raw)
    }

    /// The calendar in simulation: 2026-01-01T00:00:00Z when the loop starts, so
    /// every timestamp a simulated run writes is the same on every run.
    public static let simulatedEpochSeconds: Int64 = 1_767_225_600

    /// Seconds and nanoseconds since 1970 on this loop's clock: the machine's calendar
    /// on a real clock (one reading for all the handling of one read), the simulated
    /// epoch plus virtual time in simulation.
    public var calendarTime: (seconds: Int64, nanos: Int64) {
        if let scheduler {
            let ns = Int64(scheduler.nowNs)
            return (Self.simulatedEpochSeconds + ns / 1_000_000_000, ns % 1_000_000_000)
        }
        if readingDepth == 0 || readingCalendar.tv_nsec < 0 {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            if readingDepth == 0 { return (Int64(ts.tv_sec), Int64(ts.tv_nsec)) }
            readingCalendar = ts
        }
        return (Int64(readingCalendar.tv_sec), Int64(readingCalendar.tv_nsec))
    }

    /// Nanoseconds from a monotonic wall clock, for measuring the lab itself.
    public static var monotonicNs: UInt64 { uv_hrtime() }

    /// Calls `body` once after `ms` milliseconds of lab time.
    @discardableResult
    public func after(ms: Double, _ body: @escaping () -> Void) -> Timer {
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
