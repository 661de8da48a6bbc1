/// A mistake in a config: lab.conf, a fault file, or fault rules sent to a control API.
/// `file:line: path: what was expected` when the value came from a file.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String?
    public let line: Int?
    public let message: String

    public init(file: String?, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        guard let file else { return message }
        return line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// Reads the fields of one config value and says where a mistake is: the field's path
/// in its document, and the file and line when the value came from a file; a value
/// sent without a file (a control API body) is named by a label such as `rule 2`.
/// The one reader for lab.conf, fault files and fault rules.
public struct ConfigReader: Sendable {
    /// The value this reader reads.
    public let value: JSONValue
    /// Its path in the document: `scenarios[2].faults[0]`, `""` for the root.
    public let base: String
    public let file: String?
    /// The line each path starts on, for the whole document.
    let lines: [String: Int]
    /// How errors name the value read at `labelBase`: `rule 2 ("late")`.
    let label: String?
    let labelBase: String

    /// A whole document read from `file`, with the line each path starts on.
    public init(document: JSONValue, file: String, lines: [String: Int]) {
        self.init(value: document, base: "", file: file, lines: lines, label: nil, labelBase: "")
    }

    /// A value that came without a file, named `label` in errors.
    public init(value: JSONValue, label: String) {
        self.init(value: value, base: "", file: nil, lines: [:], label: label, labelBase: "")
    }

    private init(value: JSONValue, base: String, file: String?, lines: [String: Int], label: String?, labelBase: String) {
        self.value = value
        self.base = base
        self.file = file
        self.lines = lines
        self.label = label
        self.labelBase = labelBase
    }

    /// A reader for the value at `field` (`providers.p`, `[3]`), named `label` in errors
    /// when one is given.
    public func at(_ field: String, label: String? = nil) -> ConfigReader {
        ConfigReader(value: lookup(field) ?? .null, base: path(field), file: file, lines: lines,
                     label: label ?? self.label, labelBase: label == nil ? labelBase : path(field))
    }

    /// `field`'s path in the whole document.
    public func path(_ field: String) -> String {
        if field.isEmpty { return base }
        if base.isEmpty { return field }
        return field.hasPrefix("[") ? base + field : base + "." + field
    }

    /// `file:line: path: message`; under a label, `path: label: field: message`, where a
    /// value in a list at the document's root (a fault file's rule) is named by its label alone.
    public func fail(_ field: String, _ message: String) -> ConfigError {
        let full = path(field)
        var text = full.isEmpty ? message : "\(full): \(message)"
        if let label {
            let inLabelled = String(full.dropFirst(labelBase.count).drop { $0 == "." })
            text = inLabelled.isEmpty ? "\(label): \(message)" : "\(label): \(inLabelled): \(message)"
            if !labelBase.isEmpty, !labelBase.hasPrefix("[") { text = "\(labelBase): " + text }
        }
        return ConfigError(file: file, line: line(full), message: text)
    }

    /// The line `path` starts on, or its nearest parent's.
    public func line(_ path: String) -> Int? {
        var p = path
        while true {
            if let l = lines[p] { return l }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return lines[""] }
            p = String(p[..<cut])
        }
    }

    public func int(_ v: JSONValue, _ field: String, min: Int, max: Int = .max) throws(ConfigError) -> Int {
        guard let i = v.intValue else { throw fail(field, "expected a whole number, got \(v)") }
        guard i >= min else { throw fail(field, "expected at least \(min), got \(i)") }
        guard i <= max else { throw fail(field, "expected at most \(max)\(Self.unitNote(max)), got \(i)") }
        return i
    }

    /// An optional whole number: nil when the key is absent.
    public func int(_ object: JSONValue, key: String, _ field: String, min: Int, max: Int = .max) throws(ConfigError) -> Int? {
        guard let v = object[key] else { return nil }
        return try int(v, field, min: min, max: max)
    }

    /// The longest lab time a figure may name, in milliseconds: ten years. Lab times add up
    /// (a load, a delay, then the tokens) and end up as dates in answers, which a figure
    /// near `Int.max` would overflow; nothing a lab reproduces waits that long.
    public static let maxMs = 315_360_000_000
    /// The same in seconds.
    public static let maxSeconds = maxMs / 1000

    /// Milliseconds of lab time, a whole number from `min` to ten years.
    public func ms(_ v: JSONValue, _ field: String, min: Int = 0) throws(ConfigError) -> Int {
        try int(v, field, min: min, max: Self.maxMs)
    }

    /// An optional `ms`: nil when the key is absent.
    public func ms(_ object: JSONValue, key: String, _ field: String, min: Int = 0) throws(ConfigError) -> Int? {
        try int(object, key: key, field, min: min, max: Self.maxMs)
    }

    /// A number that may have a fraction, within `range` (and above its lower bound too
    /// when `above`); `expected` says what it is when it is not.
    public func number(_ v: JSONValue, _ field: String, _ range: ClosedRange<Double>, above: Bool = false, _ expected: String) throws(ConfigError) -> Double {
        guard let d = v.doubleValue, range.contains(d), !above || d > range.lowerBound else { throw fail(field, "expected \(expected), got \(v)") }
        return d
    }

    private static func unitNote(_ max: Int) -> String {
        switch max {
        case maxMs: return " (ten years of milliseconds)"
        case maxSeconds: return " (ten years of seconds)"
        default: return ""
        }
    }

    public func string(_ v: JSONValue, _ field: String) throws(ConfigError) -> String {
        guard let s = v.stringValue else { throw fail(field, "expected a string, got \(v)") }
        return s
    }

    /// An object with only `allowed` keys.
    public func keys(_ v: JSONValue, _ field: String, _ allowed: [String]) throws(ConfigError) {
        guard case .object = v else { throw fail(field, "expected an object with \(allowed.joined(separator: ", "))") }
        try allowOnly(v, field, allowed)
    }

    /// The value at `field` (relative to this reader's) may hold only `allowed` keys;
    /// a value of another type is left for the caller to refuse.
    public func allowOnly(_ field: String, _ allowed: [String]) throws(ConfigError) {
        guard let v = lookup(field) else { return }
        try allowOnly(v, field, allowed)
    }

    private func allowOnly(_ v: JSONValue, _ field: String, _ allowed: [String]) throws(ConfigError) {
        guard case .object(let members) = v else { return }
        for (key, _) in members where !allowed.contains(key) {
            throw fail(field.isEmpty ? key : "\(field).\(key)", "unknown key (expected one of \(allowed.joined(separator: ", ")))")
        }
    }

    /// The value at a relative path such as `providers.p.pacing` or `[2].when`.
    public func lookup(_ field: String) -> JSONValue? {
        var current: JSONValue? = value
        var token = ""
        func step() {
            guard !token.isEmpty else { return }
            current = current?[token]
            token = ""
        }
        var chars = field[...]
        while let c = chars.popFirst() {
            if c == "." { step() } else if c == "[" {
                step()
                let digits = chars.prefix { $0 != "]" }
                chars = chars.dropFirst(digits.count + 1)
                if let i = Int(digits), let items = current?.arrayValue, i < items.count { current = items[i] } else { current = nil }
            } else { token.append(c) }
        }
        step()
        return current
    }
}
