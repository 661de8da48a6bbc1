import LabCore

/// The second a reply's time was last written in, as RFC 3339 text up to its fraction:
/// the replies made within one second share the date and time of day (some 400
/// instructions to work out), and only their nine fraction digits are written.
struct LastSecond {
    private var seconds = Int.min
    /// `2026-11-27T00:00:00.` for `seconds`.
    private var prefix: [UInt8] = []

    /// The time as a quoted JSON string, as `WallClock.writeQuotedRFC3339` writes it.
    mutating func writeQuoted(_ time: WallTime, to w: inout JSONBytes) {
        guard time.nanos >= 0, time.nanos < 1_000_000_000 else {
            return WallClock.writeQuotedRFC3339(unixSeconds: time.seconds, nanos: time.nanos, to: &w)
        }
        if time.seconds != seconds {
            // The fraction is always nine digits and a `Z`: what comes before them is the second's.
            let text = Array(WallClock.rfc3339(unixSeconds: time.seconds, nanos: 0).utf8)
            prefix = [34] + text.dropLast(10)
            seconds = time.seconds
        }
        w.raw(prefix)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 11) { end in
            WallClock.writeFraction(time.nanos, into: end, at: 0)
            end[9] = 90
            end[10] = 34
            w.raw(UnsafeBufferPointer(end))
        }
    }
}
