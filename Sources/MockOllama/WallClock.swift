import Glibc
import LabCore

/// Wall-clock time for `created_at` and `created`: the only place the mock reads
/// the calendar, replaceable in tests.
public struct WallTime: Sendable, Equatable, Comparable {
    public var seconds: Int
    public var nanos: Int

    public init(seconds: Int, nanos: Int) {
        self.seconds = seconds
        self.nanos = nanos
    }

    /// As `created_at` shows it.
    public var rfc3339: String { WallClock.rfc3339(unixSeconds: seconds, nanos: nanos) }

    /// Whole milliseconds from `earlier` to this time.
    func millisecondsAfter(_ earlier: WallTime) -> Int {
        (seconds - earlier.seconds) * 1000 + (nanos - earlier.nanos) / 1_000_000
    }

    /// This time a duration later, as Go's `Time.Add` makes it: Ollama's "for ever"
    /// (`Int.max` nanoseconds) lands some 292 years ahead.
    public func adding(nanoseconds: Int) -> WallTime {
        let total = nanos + nanoseconds % 1_000_000_000
        return WallTime(seconds: seconds + nanoseconds / 1_000_000_000 + total / 1_000_000_000, nanos: total % 1_000_000_000)
    }

    /// A stream piece's `created_at`, `milliseconds` after the answer was written.
    public func adding(milliseconds: Int) -> WallTime {
        let total = nanos + milliseconds * 1_000_000
        return WallTime(seconds: seconds + total / 1_000_000_000, nanos: total % 1_000_000_000)
    }

    public static func < (a: WallTime, b: WallTime) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanos < b.nanos
    }
}

public enum WallClock {
    public static func now() -> WallTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return WallTime(seconds: Int(ts.tv_sec), nanos: Int(ts.tv_nsec))
    }

    /// `2026-11-24T18:42:24.123456789Z` (or `+00:00` where Ollama shows a local offset).
    /// Written digit by digit: every streamed piece carries one, so it is on the hot path.
    public static func rfc3339(unixSeconds: Int, nanos: Int, utcOffset: Bool = false) -> String {
        String(unsafeUninitializedCapacity: maxRFC3339) { write(unixSeconds: unixSeconds, nanos: nanos, utcOffset: utcOffset, into: $0) }
    }

    /// The same text as a JSON string (in quotes; nothing in it needs escaping), for
    /// replies written as bytes: no string made.
    static func writeQuotedRFC3339(unixSeconds: Int, nanos: Int, to out: inout JSONBytes) {
        // Written on the stack, then copied once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxRFC3339 + 2) { scratch in
            scratch[0] = 34
            let written = write(unixSeconds: unixSeconds, nanos: nanos, utcOffset: false, into: UnsafeMutableBufferPointer(rebasing: scratch[1...]))
            scratch[written + 1] = 34
            out.raw(UnsafeBufferPointer(rebasing: scratch[..<(written + 2)]))
        }
    }

    /// Room for any Int year and nanosecond count.
    private static let maxRFC3339 = 64

    private static func write(unixSeconds: Int, nanos: Int, utcOffset: Bool, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondOfDay = unixSeconds - days * 86_400
        let (year, month, day) = civil(days)
        var at = 0
        func put(_ b: UInt8) { out[at] = b; at += 1 }
        /// At least `width` digits, zero-padded; a wider value keeps all of its digits.
        func digits(_ v: Int, _ width: Int) {
            if v < 0 { put(45) }
            var n = v.magnitude, count = 1
            while n >= 10 { n /= 10; count += 1 }
            count = max(count, width)
            n = v.magnitude
            for k in stride(from: at + count - 1, through: at, by: -1) {
                out[k] = UInt8(48 + n % 10)
                n /= 10
            }
            at += count
        }
        /// 0 to 99 as two digits: every field but the year and the fraction, written on every
        /// answer, without counting digits first.
        func two(_ v: Int) { put(UInt8(truncatingIfNeeded: 48 + v / 10)); put(UInt8(truncatingIfNeeded: 48 + v % 10)) }
        if year >= 1000 && year <= 9999 { two(year / 100); two(year % 100) } else { digits(year, 4) }
        put(45); two(month); put(45); two(day); put(84)
        two(secondOfDay / 3600); put(58); two(secondOfDay / 60 % 60); put(58); two(secondOfDay % 60)
        put(46)
        if nanos >= 0 && nanos < 1_000_000_000 {
            writeFraction(nanos, into: out, at: at)
            at += 9
        } else {
            digits(nanos, 9)
        }
        if utcOffset {
            for b in "+00:00".utf8 { put(b) }
        } else {
            put(90)
        }
        return at
    }

    /// A fraction of a second (0 to 999,999,999 nanoseconds) as its nine digits at `at`.
    @inline(__always)
    static func writeFraction(_ nanos: Int, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) {
        var n = nanos
        for k in stride(from: at + 8, through: at, by: -1) {
            out[k] = UInt8(truncatingIfNeeded: 48 + n % 10)
            n /= 10
        }
    }

    /// Year, month and day of a day count since 1970-01-01 (proleptic Gregorian).
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
