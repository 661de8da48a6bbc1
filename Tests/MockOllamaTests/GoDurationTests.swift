import LabCore
import Testing
@testable import MockOllama

/// Go's `time.ParseDuration`, which Ollama's `keep_alive` and `OLLAMA_KEEP_ALIVE` go through.
@Suite struct GoDurationTests {
    static let second = 1_000_000_000

    static let valid: [(String, Int)] = [
        ("5m", 300 * second), ("1h30m", 5400 * second), ("1.5h", 5400 * second), ("0", 0), ("+0", 0), ("-0", 0),
        ("0s", 0), ("300ms", 300_000_000), ("1.s", second), (".5s", second / 2), ("1µs", 1000), ("1μs", 1000), ("1us", 1000),
        ("2h45m30.5s", 9930 * second + second / 2), ("-1m", -60 * second),
        ("9223372036854775807ns", Int.max), ("-9223372036854775808ns", Int.min),
        ("1.0000000000000000000001s", second),
        // Go adds in uint64: two components of 2^63 ns wrap around to 0 (and do not trap here).
        ("9223372036854775808ns9223372036854775808ns", 0),
    ]

    @Test(arguments: valid)
    func readsWhatGoReads(_ text: String, _ nanos: Int) {
        #expect(GoDuration.parse(text) == .success(nanos), "\(text)")
    }

    static let invalid: [(String, String)] = [
        ("10", #"time: missing unit in duration "10""#),
        ("1d", #"time: unknown unit "d" in duration "1d""#),
        ("", #"time: invalid duration """#),
        ("-", #"time: invalid duration "-""#),
        (".s", #"time: invalid duration ".s""#),
        ("m", #"time: invalid duration "m""#),
        ("5 m", #"time: unknown unit " m" in duration "5 m""#),
        ("9223372036854775808ns", #"time: invalid duration "9223372036854775808ns""#),
        ("3000000h", #"time: invalid duration "3000000h""#),
        ("a\"b\\", #"time: invalid duration "a\"b\\""#),
        ("5é", #"time: unknown unit "\xc3\xa9" in duration "5\xc3\xa9""#),
    ]

    @Test(arguments: invalid)
    func refusesWithGosSentence(_ text: String, _ message: String) {
        #expect(GoDuration.parse(text) == .failure(GoDuration.Invalid(message: message)), "\(text)")
    }

    @Test func keepAlivesInWords() {
        #expect(GoDuration.words(GoDuration.fiveMinutes) == "5 min")
        #expect(GoDuration.words(5400 * Self.second) == "1 h 30 min")
        #expect(GoDuration.words(3661 * Self.second) == "1 h 1 min 1 s")
        #expect(GoDuration.words(0) == "0 s")
        #expect(GoDuration.words(3 * Self.second / 2) == "1.5 s")
        #expect(GoDuration.words(Self.second / 4) == "250.0 ms")
        #expect(GoDuration.words(GoDuration.forever) == "for ever")
    }

    @Test func keepAliveReadsSecondsDurationsAndForEver() {
        #expect(GoDuration.keepAlive(30) == .success(30 * Self.second))
        #expect(GoDuration.keepAlive(1.5) == .success(3 * Self.second / 2))
        #expect(GoDuration.keepAlive(-1) == .success(GoDuration.forever))
        #expect(GoDuration.keepAlive("-1m") == .success(GoDuration.forever))
        #expect(GoDuration.keepAlive("24h") == .success(24 * 3600 * Self.second))
        #expect(GoDuration.keepAlive(.null) == nil)
        #expect(GoDuration.keepAlive(true) == .failure(GoDuration.Invalid(message: "Unsupported type: 'bool'")))
        // The server's variable: a duration, else whole seconds; anything else is ignored.
        #expect(GoDuration.serverKeepAlive("3600") == 3600 * Self.second)
        #expect(GoDuration.serverKeepAlive("-1") == GoDuration.forever)
        #expect(GoDuration.serverKeepAlive("10m") == 600 * Self.second)
        #expect(GoDuration.serverKeepAlive("1d") == nil)
        #expect(GoDuration.serverKeepAlive("1.5") == nil)
    }
}
