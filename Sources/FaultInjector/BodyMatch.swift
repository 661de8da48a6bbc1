import LabCore

/// `match: { body: { "messages[-1].role": assistant, "$tokens": { min: 4000 } } }`: conditions
/// on the request's JSON body. A path is dot-separated keys and `[n]` indexes (negative from
/// the end); the value is a glob for strings, an exact number or boolean, or `{min, max}`
/// for a number. `$tokens` is the prompt's length in words (all message contents, or
/// `prompt`) — a context window can be written as a rule. Pure.
public struct BodyCondition: Sendable {
    public enum Expected: Sendable {
        case glob(String)
        case exact(JSONValue)
        case range(min: Double?, max: Double?)
    }

    public var path: String
    public var expected: Expected

    public init(path: String, expected: Expected) {
        self.path = path
        self.expected = expected
    }

    public func holds(_ body: JSONValue) -> Bool {
        let value = path == "$tokens" ? .int(Self.tokens(body)) : Self.value(at: path, in: body)
        guard let value else { return false }
        switch expected {
        case .glob(let pattern):
            guard let text = value.stringValue else { return false }
            return Glob.matches(pattern, text)
        case .exact(let want):
            return value == want || (value.doubleValue != nil && value.doubleValue == want.doubleValue)
        case .range(let lo, let hi):
            guard let n = value.doubleValue else { return false }
            return (lo.map { n >= $0 } ?? true) && (hi.map { n <= $0 } ?? true)
        }
    }

    /// `messages[-1].content` → the value there, or nil.
    static func value(at path: String, in body: JSONValue) -> JSONValue? {
        var current: JSONValue? = body
        for segment in path.split(separator: ".") {
            var name = Substring(segment)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"), let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(i, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { current = current?[String(name)] }
            for i in indexes {
                guard let items = current?.arrayValue else { return nil }
                let at = i < 0 ? items.count + i : i
                guard items.indices.contains(at) else { return nil }
                current = items[at]
            }
        }
        return current
    }

    /// Words in the prompt: every message's text (string or text parts), or `prompt`.
    static func tokens(_ body: JSONValue) -> Int {
        var texts: [String] = []
        if let prompt = body["prompt"]?.stringValue { texts.append(prompt) }
        for message in body["messages"]?.arrayValue ?? [] {
            switch message["content"] {
            case .string(let s)?: texts.append(s)
            case .array(let parts)?: texts += parts.compactMap { $0["text"]?.stringValue }
            default: break
            }
        }
        return texts.reduce(0) { $0 + $1.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count }
    }
}
