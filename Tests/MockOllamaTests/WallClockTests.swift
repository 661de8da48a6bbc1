import Glibc
@testable import MockOllama
import LabCore
import Testing

/// Timestamps are written digit by digit; the C library's calendar is the reference.
@Suite struct WallClockTests {
    static func reference(_ seconds: Int, _ nanos: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(nanos, 9))Z"
    }

    @Test func matchesTheCLibraryAcrossCenturies() {
        var checked = 0
        // Leap days, month ends, 1970, 2000, 2100 and far ahead, every ~3.7 days between.
        for seconds in stride(from: -2_208_988_800, to: 7_258_118_400, by: 318_751) + [0, 951_782_400, 951_868_799, 4_107_542_400, 1_798_761_599] {
            let nanos = abs(seconds) % 1_000_000_000
            let text = WallClock.rfc3339(unixSeconds: seconds, nanos: nanos)
            #expect(text == Self.reference(seconds, nanos), "\(seconds)")
            var bytes = JSONBytes(prefix: "[")
            WallClock.writeQuotedRFC3339(unixSeconds: seconds, nanos: nanos, to: &bytes)
            #expect(bytes.bytes == Array("[\"\(text)\"".utf8), "\(seconds)")
            checked += 1
        }
        #expect(checked > 29_000)
        #expect(WallClock.rfc3339(unixSeconds: 1_795_000_000, nanos: 5, utcOffset: true) == "2026-11-18T11:06:40.000000005+00:00")
    }
}
