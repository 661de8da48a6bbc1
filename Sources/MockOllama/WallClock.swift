import Glibc

/// Wall-clock time for `created_at` and `created`: the only place the mock reads
/// the calendar, replaceable in tests.
public struct WallTime: Sendable, Equatable {
    public var seconds: Int
    public var nanos: Int

    public init(seconds: Int, nanos: Int) {
        self.seconds = seconds
        self.nanos = nanos
    }
}

public enum WallClock {
    public static func now() -> WallTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return WallTime(seconds: Int(ts.tv_sec), nanos: Int(ts.tv_nsec))
    }

    /// `2026-11-24T18:42:24.123456789Z` (or `+00:00` where Ollama shows a local offset).
    public static func rfc3339(unixSeconds: Int, nanos: Int, utcOffset: Bool = false) -> String {
        var t = time_t(unixSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let frac = String(nanos)
        let nine = String(repeating: "0", count: 9 - frac.count) + frac
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(nine)"
            + (utcOffset ? "+00:00" : "Z")
    }
}
