import LabCore

/// Durations as Ollama reads them: Go's `time.ParseDuration` (`"5m"`, `"1h30m"`, `"-1"`…),
/// and `keep_alive`, which is that or a number of seconds. In nanoseconds, Go's unit;
/// `forever` is what Ollama makes of anything negative. Pure.
public enum GoDuration {
    public static let forever = Int.max
    /// Ollama's keep-alive when neither the request nor the server says otherwise.
    public static let fiveMinutes = 300 * 1_000_000_000

    /// A duration Go refuses, with Go's sentence: `time: missing unit in duration "10"`.
    public struct Invalid: Error, Equatable {
        public var message: String
    }

    /// Go's `time.ParseDuration`: signed, a sequence of decimal numbers each with a unit
    /// (`ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`); a bare `0` is zero.
    public static func parse(_ text: String) -> Result<Int, Invalid> {
        let invalid = Invalid(message: "time: invalid duration " + quote(text))
        var s = Substring(text).utf8[...]
        var negative = false
        if let sign = s.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            s = s.dropFirst()
        }
        if s.elementsEqual("0".utf8) { return .success(0) }
        if s.isEmpty { return .failure(invalid) }
        let limit: UInt64 = 1 << 63
        var total: UInt64 = 0
        while !s.isEmpty {
            guard let c = s.first, c == dot || isDigit(c) else { return .failure(invalid) }
            // The whole part: more than 2^63 is an overflow.
            var whole: UInt64 = 0
            let before = s.count
            while let c = s.first, isDigit(c) {
                if whole > limit / 10 { return .failure(invalid) }
                whole = whole * 10 + UInt64(c - zero)
                if whole > limit { return .failure(invalid) }
                s = s.dropFirst()
            }
            let hadWhole = s.count != before
            // The fraction: digits past what fits add no precision, and no error.
            var fraction: UInt64 = 0
            var scale = 1.0
            var hadFraction = false
            if s.first == dot {
                s = s.dropFirst()
                let start = s.count
                var overflow = false
                while let c = s.first, isDigit(c) {
                    s = s.dropFirst()
                    if overflow { continue }
                    if fraction > (limit - 1) / 10 { overflow = true; continue }
                    let next = fraction * 10 + UInt64(c - zero)
                    if next > limit { overflow = true; continue }
                    fraction = next
                    scale *= 10
                }
                hadFraction = s.count != start
            }
            if !hadWhole && !hadFraction { return .failure(invalid) }
            let unitText = s.prefix { $0 != dot && !isDigit($0) }
            if unitText.isEmpty { return .failure(Invalid(message: "time: missing unit in duration " + quote(text))) }
            s = s.dropFirst(unitText.count)
            let unitName = String(decoding: unitText, as: UTF8.self)
            guard let unit = units[unitName] else {
                return .failure(Invalid(message: "time: unknown unit " + quote(unitName) + " in duration " + quote(text)))
            }
            if whole > limit / unit { return .failure(invalid) }
            var value = whole * unit
            if fraction > 0 {
                // As Go does it: in floating point, nanosecond-exact for fractions of an hour.
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                if value > limit { return .failure(invalid) }
            }
            // Go adds in uint64 and wraps: two components of 2^63 each come to 0, as in Go.
            total = total &+ value
            if total > limit { return .failure(invalid) }
        }
        if negative { return .success(total == limit ? Int.min : -Int(total)) }
        if total > limit - 1 { return .failure(invalid) }
        return .success(Int(total))
    }

    /// `keep_alive` as Ollama's `api.Duration` decodes it: a number is seconds, a string is
    /// Go's duration, and either one negative keeps the model for ever. nil for JSON null
    /// (no keep-alive given); anything else is refused with Ollama's sentence.
    static func keepAlive(_ value: JSONValue) -> Result<Int, Invalid>? {
        switch value {
        case .null: return nil
        case .int(let n): return .success(n < 0 ? forever : n.multipliedReportingOverflow(by: 1_000_000_000).overflow ? forever : n * 1_000_000_000)
        case .double(let d): return .success(d < 0 || d * 1e9 >= 9.2e18 ? forever : Int(d * 1e9))
        case .string(let text): return parse(text).map { $0 < 0 ? forever : $0 }
        case .bool: return .failure(Invalid(message: "Unsupported type: 'bool'"))
        case .array: return .failure(Invalid(message: "Unsupported type: '[]interface {}'"))
        case .object: return .failure(Invalid(message: "Unsupported type: 'map[string]interface {}'"))
        }
    }

    /// `OLLAMA_KEEP_ALIVE` as Ollama reads it: Go's duration, else whole seconds; negative
    /// is for ever. nil where Ollama would ignore it and keep its five minutes.
    public static func serverKeepAlive(_ text: String) -> Int? {
        if case .success(let nanos) = parse(text) { return nanos < 0 ? forever : nanos }
        guard let seconds = Int(text) else { return nil }
        if seconds < 0 { return forever }
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? forever : nanos
    }

    /// What the lab says when a keep-alive it was given is not one Ollama reads.
    public static let keepAliveForms = "a duration such as 10m, 1h30m or 24h, or whole seconds; negative keeps models in memory for ever, 0 unloads them after each answer"

    /// A keep-alive in the lab's words, for what `lab mock` prints: `for ever`, `1 h 30 min`,
    /// `45 s`, `1.5 s`.
    public static func words(_ nanoseconds: Int) -> String {
        if nanoseconds == forever { return "for ever" }
        guard nanoseconds % 1_000_000_000 == 0 else {
            let ms = Double(nanoseconds) / 1_000_000
            return ms >= 1000 ? "\(ms / 1000) s" : "\(ms) ms"
        }
        let s = nanoseconds / 1_000_000_000
        let parts = [(s / 3600, "h"), (s % 3600 / 60, "min"), (s % 60, "s")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return parts.isEmpty ? "0 s" : parts.joined(separator: " ")
    }

    private static let units: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{B5}s": 1_000, "\u{3BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]
    private static let dot = UInt8(ascii: ".")
    private static let zero = UInt8(ascii: "0")
    private static func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= UInt8(ascii: "9") }

    /// The time package's own quoting: `"` and `\` escaped, bytes outside printable ASCII
    /// as `\xNN` each.
    static func quote(_ text: String) -> String {
        var out = "\""
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 || scalar.value < 0x20 {
                for b in String(scalar).utf8 { bytes += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(b >> 4)], hex[Int(b & 0xF)]] }
            } else {
                if scalar == "\"" || scalar == "\\" { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(UInt8(scalar.value))
            }
        }
        out += String(decoding: bytes, as: UTF8.self)
        return out + "\""
    }
}
