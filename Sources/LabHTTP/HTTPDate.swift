import Glibc

/// The `Date` header value (RFC 7231 IMF-fixdate), recomputed at most once a second.
final class HTTPDate {
    private unowned let loop: EventLoop
    private var cachedSecond: time_t = -1
    private var cached = ""
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    init(loop: EventLoop) {
        self.loop = loop
    }

    var now: String {
        var t = time_t(loop.calendarTime.seconds)
        if t != cachedSecond {
            cachedSecond = t
            var parts = tm()
            gmtime_r(&t, &parts)
            func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
            cached = "\(Self.days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(Self.months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        }
        return cached
    }
}
