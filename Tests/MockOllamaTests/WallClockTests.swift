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

    /// A time written from the last second's text is the time written whole, whether the
    /// second is the same, the next, or far away (years of other widths, before 1970), and
    /// whatever its fraction.
    @Test func theLastSecondsTextGivesTheSameTime() {
        var kept = LastSecond()
        let seconds = [1_795_000_000, 1_795_000_000, 1_795_000_001, 1_795_000_001, 1_795_086_400, -62_167_219_201, -1,
                       253_402_300_800, 253_402_300_800, 0, 1_795_000_000]
        for (i, second) in seconds.enumerated() {
            for nanos in [0, 1, 999_999_999, 123_456_789 * (i % 3), 1_000_000_000, -5] {
                var kept1 = JSONBytes(), whole = JSONBytes()
                kept.writeQuoted(WallTime(seconds: second, nanos: nanos), to: &kept1)
                WallClock.writeQuotedRFC3339(unixSeconds: second, nanos: nanos, to: &whole)
                #expect(kept1.bytes == whole.bytes, "\(second) \(nanos)")
            }
        }
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
