/// A JSON document that keeps object keys in the order they were written, so that
/// configs users paste are shown back to them as they wrote them, and responses
/// keep the field order of the wire format they imitate.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// An unsigned integer (a seed): past `Int.max` its decimal digits as a string, so
    /// that a value no entry point should let through is kept exactly instead of trapping.
    public static func unsigned(_ value: UInt64) -> JSONValue {
        Int(exactly: value).map(JSONValue.int) ?? .string(String(value))
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            // Key order does not matter; a repeated key means its last value, as in
            // JavaScript's JSON.parse and Go's decoder.
            if a.count == b.count, zip(a, b).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 }) { return true }
            func effective(_ members: [(String, JSONValue)]) -> [String: JSONValue] {
                var out: [String: JSONValue] = [:]
                for (key, value) in members { out[key] = value }
                return out
            }
            return effective(a) == effective(b)
        default: return false
        }
    }
}

extension JSONValue {
    /// (Inlinable: a request's decoding asks a dozen keys, most of them absent, and a call
    /// into this module costs more than the look.)
    @inlinable public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        // Lengths first: a count is free to read, a string comparison is a runtime call.
        // Members are read in place, last first (the last of a repeated key wins): a
        // closure over copies retains and releases each member's key and value.
        let length = key.utf8.count
        return members.withUnsafeBufferPointer { m in
            var i = m.count
            while i > 0 {
                i -= 1
                if m[i].0.utf8.count == length && m[i].0 == key { return m[i].1 }
            }
            return nil
        }
    }

    /// As JavaScript's `if (value)` reads it: null, false, "", 0 and NaN are false; every
    /// object and array, empty ones included, is true. The gateway's transforms test so.
    public var isTruthy: Bool {
        switch self {
        case .null, .bool(false): return false
        case .string(let s): return !s.isEmpty
        case .int(let n): return n != 0
        case .double(let d): return d != 0 && !d.isNaN
        default: return true
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// An integer, also when written as a whole-valued float (`2.0`).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name as Go's decoder spells it in error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Returns a copy with `key` set, replacing an existing member in place or appending.
    public func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.0 == key }) {
            members[i].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}
