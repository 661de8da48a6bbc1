import Foundation
import LabCore

/// A value that satisfies a JSON schema, drawn from a seeded generator: what the mock
/// answers under `format: {schema}` or `response_format: json_schema`, and the
/// arguments of its tool calls. Covers what structured-output clients send —
/// pydantic's `$defs`/`$ref`, `anyOf` for optionals, enums, consts, nested objects
/// and arrays, numeric and length bounds, common string formats. Pure.
struct SchemaValue {
    var random: SeededRandom
    /// Words a string may take, so answers echo the request (a city asked about).
    let words: [String]
    private var root: JSONValue = .null
    /// Values still to be made. The schema comes with the request: `minItems: 100000000`
    /// nested twice, or a `minLength` of a trillion, must not stop the loop that answers
    /// every client. A model's answer is bounded too (by `num_predict` and its context).
    private var budget = SchemaValue.maxValues

    /// The most values (array items, members, scalars) one answer holds.
    static let maxValues = 10_000
    /// The longest string one value holds, in characters.
    static let maxLength = 8_192
    /// Integers within ±2⁵³ are made as integers (every client reads them exactly); bounds
    /// beyond are met with whole floats, held within ±1e300 so that no sum overflows.
    static let exactInteger = 9_007_199_254_740_992.0
    static let farthest = 1e300

    init(random: SeededRandom, words: [String]) {
        self.random = random
        self.words = words.isEmpty ? ["value"] : words
    }

    mutating func value(for schema: JSONValue) -> JSONValue {
        root = schema
        return make(schema, depth: 0, name: "")
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in ref.dropFirst(2).split(separator: "/") {
            node = node?[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return node
    }

    private mutating func make(_ schema: JSONValue, depth: Int, name: String) -> JSONValue {
        guard depth < 12, budget > 0 else { return .null }
        budget -= 1
        if let ref = schema["$ref"]?.stringValue, let target = resolve(ref) { return make(target, depth: depth + 1, name: name) }
        if let c = schema["const"] { return c }
        if let options = schema["enum"]?.arrayValue, !options.isEmpty { return pick(options) }
        for key in ["anyOf", "oneOf"] {
            if let options = schema[key]?.arrayValue, !options.isEmpty {
                // Prefer a branch that is not null: optionals then carry a value.
                let nonNull = options.filter { $0["type"]?.stringValue != "null" }
                return make(nonNull.first ?? options[0], depth: depth + 1, name: name)
            }
        }
        if let all = schema["allOf"]?.arrayValue, !all.isEmpty {
            var merged: [(String, JSONValue)] = []
            for part in all { if case .object(let m) = make(part, depth: depth + 1, name: name) { merged += m } }
            return .object(merged)
        }
        var type = schema["type"]?.stringValue
        if type == nil, let types = schema["type"]?.arrayValue?.compactMap(\.stringValue) {
            type = types.first { $0 != "null" } ?? types.first
        }
        if type == nil { type = schema["properties"] != nil ? "object" : schema["items"] != nil ? "array" : "string" }
        switch type! {
        case "object":
            var members: [(String, JSONValue)] = []
            for (key, sub) in schema["properties"]?.objectValue ?? [] {
                members.append((key, make(sub, depth: depth + 1, name: key)))
            }
            return .object(members)
        case "array":
            let minItems = schema["minItems"]?.intValue ?? 1
            let maxItems = max(minItems, schema["maxItems"]?.intValue ?? max(minItems, 2))
            let count = max(0, min(maxItems, max(minItems, 1 + Int(random.next() % 2)), budget))
            let items = schema["items"] ?? [:]
            var made: [JSONValue] = []
            for _ in 0..<count where budget > 0 { made.append(make(items, depth: depth + 1, name: name)) }
            return .array(made)
        case "integer":
            let (lo, hi) = bounds(schema, integer: true)
            guard lo >= -Self.exactInteger, hi <= Self.exactInteger else {
                return .double(min(hi, max(lo, (lo + (hi - lo) * random.unit()).rounded(.down))))
            }
            return .int(Int(lo) + Int(random.next() % UInt64(Int(hi) - Int(lo) + 1)))
        case "number":
            let (lo, hi) = bounds(schema, integer: false)
            let v = lo + (hi - lo) * random.unit()
            return .double((v * 100).rounded(.down) / 100 < lo ? lo : (v * 100).rounded(.down) / 100)
        case "boolean":
            return .bool(random.next() % 2 == 0)
        case "null":
            return .null
        default:
            return .string(string(schema, name: name))
        }
    }

    private func bounds(_ schema: JSONValue, integer: Bool) -> (Double, Double) {
        var lo = schema["minimum"]?.doubleValue ?? 0
        var hi = schema["maximum"]?.doubleValue ?? max(lo, 0) + 100
        if let x = schema["exclusiveMinimum"]?.doubleValue { lo = integer ? (x + 1).rounded(.down) : x + 0.01 }
        if let x = schema["exclusiveMaximum"]?.doubleValue { hi = integer ? (x - 1).rounded(.up) : x - 0.01 }
        if integer { lo = lo.rounded(.up); hi = hi.rounded(.down) }
        lo = min(max(lo, -Self.farthest), Self.farthest)
        hi = min(max(hi, -Self.farthest), Self.farthest)
        return (lo, max(lo, hi))
    }

    private mutating func string(_ schema: JSONValue, name: String) -> String {
        switch schema["format"]?.stringValue {
        case "date"?: return "2026-01-\(10 + Int(random.next() % 18))"
        case "date-time"?: return "2026-01-\(10 + Int(random.next() % 18))T12:00:00Z"
        case "time"?: return "12:\(10 + Int(random.next() % 50)):00"
        case "email"?: return "\(pick(words).lowercased())@example.com"
        case "uri"?, "url"?: return "https://example.com/\(pick(words).lowercased())"
        case "uuid"?:
            let hex = (0..<32).map { _ in String(random.next() % 16, radix: 16) }.joined()
            let c = Array(hex)
            return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-a\(String(c[17..<20]))-\(String(c[20..<32]))"
        default: break
        }
        var text = pick(words)
        let minLength = min(schema["minLength"]?.intValue ?? 0, Self.maxLength)
        var length = text.count
        while length < minLength {
            let word = pick(words)
            text += " " + word
            length += 1 + word.count
        }
        if let maxLength = schema["maxLength"]?.intValue, text.count > maxLength { text = String(text.prefix(max(maxLength, 0))) }
        return text
    }
}
