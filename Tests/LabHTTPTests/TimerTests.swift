import Testing
@testable import LabHTTP

/// Real-clock timers: a long wait is armed short of the kernel's lateness and finished with
/// a short one, and still ends once, not before its time.
@Suite struct TimerTests {
    @Test func theKernelsSlackIsAThousandthOfLongWaits() {
        #expect(Timer.kernelSlackMs(10) == 0)
        #expect(Timer.kernelSlackMs(49) == 0)
        #expect(Timer.kernelSlackMs(50) == 1)
        #expect(Timer.kernelSlackMs(1000) == 2)
        #expect(Timer.kernelSlackMs(30_000) == 31)
        #expect(Timer.kernelSlackMs(10_000_000) == 101)
    }

    @Test func aLongWaitEndsOnceAndNotBeforeItsTime() {
        let loop = EventLoop()
        var fired: [UInt64] = []
        let start = EventLoop.monotonicNs
        loop.after(ms: 120) { fired.append(EventLoop.monotonicNs) }
        // A stopped one never fires, whichever half of its wait it was in.
        let stopped = Timer(loop: loop)
        stopped.start(afterMs: 200) { fired.append(0) }
        loop.after(ms: 150) { stopped.stop() }
        loop.run(until: { false }, timeoutMs: 400)
        stopped.close()
        #expect(fired.count == 1)
        // libuv's clock counts whole milliseconds, so the end may come up to one early.
        #expect(fired.first.map { $0 - start >= 119_000_000 } == true)
    }
}
