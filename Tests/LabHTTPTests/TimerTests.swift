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
        // Read before the loop is made: a timer counts from the loop's own time, taken when
        // it was made (and at each turn), so on a busy machine a clock read after it could
        // be late by however long the thread waited in between, and the wait look short.
        let start = EventLoop.monotonicNs
        let loop = EventLoop()
        var fired: [UInt64] = []
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

/// A simulated run that ends without its condition says why: its time limit, or nothing left.
@Suite struct SimulatedRunEndTests {
    @Test func aTimeLimitIsToldFromNothingLeft() {
        let loop = EventLoop(clock: .simulation)
        // Nothing scheduled: the lab can never move again.
        #expect(!loop.run(until: { false }, timeoutMs: 1_000))
        #expect(!loop.hasSimulatedWork)
        // Something due after the limit: the limit ended the run.
        var fired = false
        loop.after(ms: 60_000) { fired = true }
        #expect(!loop.run(until: { fired }, timeoutMs: 1_000))
        #expect(loop.hasSimulatedWork)
        #expect(loop.run(until: { fired }, timeoutMs: 120_000) && !loop.hasSimulatedWork)
        #expect(!EventLoop().hasSimulatedWork)
    }
}

/// One read's requests share a clock reading (a reading per request cost a clock call
/// each); outside a read, and in the next read, the clock is read afresh.
@Suite struct ReadClockTests {
    @Test func oneReadSharesItsReadingAndTheNextReadsAgain() throws {
        let loop = EventLoop()
        var seen: [(ms: Double, calendar: Int64)] = []
        let server = try! HTTPServer(loop: loop) { _, responder in
            // Time passes between two requests of one read: the reading stays.
            let spinUntil = EventLoop.monotonicNs + 2_000_000
            while EventLoop.monotonicNs < spinUntil {}
            let calendar = loop.calendarTime
            seen.append((loop.nowMs, calendar.seconds * 1_000_000_000 + calendar.nanos))
            responder.send(WireScript.respond(status: 200, contentType: "text/plain", body: "ok"))
        }
        let raw = RawClient(loop: loop, port: server.port)
        let two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
        raw.send(two)
        loop.run(until: { seen.count == 2 }, timeoutMs: 2000)
        // Outside any read the clock moves with every reading.
        let before = loop.nowMs
        let spinUntil = EventLoop.monotonicNs + 2_000_000
        while EventLoop.monotonicNs < spinUntil {}
        #expect(loop.nowMs - before >= 2)
        raw.send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { seen.count == 3 }, timeoutMs: 2000)
        try #require(seen.count == 3)
        #expect(seen[0].ms == seen[1].ms)
        #expect(seen[0].calendar == seen[1].calendar)
        // The next read reads the clock again: at least the 2 ms spun before it.
        #expect(seen[2].ms - seen[1].ms >= 2)
        #expect(seen[2].calendar - seen[1].calendar >= 2_000_000)
        raw.close()
    }
}
