import LabCore

/// The fallback loop's stop rule (`handlerUtils.ts`): stop on a gateway exception;
/// with `on_status_codes`, stop when the status is not listed; without, stop on 2xx.
public enum FallbackRule {
    static func stops(_ result: UpstreamResult, onStatusCodes: [Int]?) -> Bool {
        stops(status: result.status, gatewayException: result.gatewayException, onStatusCodes: onStatusCodes)
    }

    public static func stops(status: Int, gatewayException: Bool, onStatusCodes: [Int]?) -> Bool {
        if gatewayException { return true }
        if let codes = onStatusCodes { return !codes.contains(status) }
        return (200...299).contains(status)
    }
}

/// Loadbalance: weights (missing = 1, 0 never chosen) over the lab's seeded draw.
public enum LoadBalancer {
    /// The index chosen for a draw `u` in [0, 1), or nil when every weight is 0.
    public static func pick(weights: [Double?], draw u: Double) -> Int? {
        let w = weights.map { $0 ?? 1 }
        let total = w.reduce(0, +)
        guard total > 0 else { return nil }
        var point = u * total
        for (i, weight) in w.enumerated() where weight > 0 {
            if point < weight { return i }
            point -= weight
        }
        return w.lastIndex { $0 > 0 }
    }
}

/// Conditional routing (`conditionalRouter.ts`): queries over `metadata.*`,
/// `params.*` and `url.pathname`, first match wins, then `default`.
public enum ConditionalRouter {
    public struct Context {
        public var metadata: JSONValue
        public var params: JSONValue
        public var pathname: String

        public init(metadata: JSONValue, params: JSONValue, pathname: String) {
            self.metadata = metadata
            self.params = params
            self.pathname = pathname
        }
    }

    /// A `$regex` that ran past its step budget, and where.
    public struct RegexTooSlow: Error, Equatable {
        public let key: String
        public let pattern: String

        /// The gateway's answer: a gateway exception that says what to change.
        public var message: String {
            "The conditional router gave up on $regex \(JSONValue.string(pattern).compact) against \(key): it took more than \(BoundedRegex.defaultBudget) backtracking steps, or nested them more than \(BoundedRegex.maxDepth) deep (a pattern like (a+)+ backtracks exponentially; a long value nests deep). The lab stops such a match so the mocks and the route keep answering; the real gateway would block until it ends."
        }
    }

    public static func route(_ conditions: [PortkeyTarget.Condition], default fallback: String?, _ context: Context) throws(RegexTooSlow) -> String? {
        for c in conditions where try evaluate(c.query, context) { return c.then }
        return fallback
    }

    static func evaluate(_ query: JSONValue, _ context: Context) throws(RegexTooSlow) -> Bool {
        guard case .object(let members) = query else { return false }
        for (key, condition) in members {
            switch key {
            case "$and":
                for q in condition.arrayValue ?? [] where !(try evaluate(q, context)) { return false }
            case "$or":
                var any = false
                for q in condition.arrayValue ?? [] where try evaluate(q, context) { any = true; break }
                guard any else { return false }
            default:
                guard try test(value(of: key, context), condition, key: key) else { return false }
            }
        }
        return true
    }

    static func value(of key: String, _ context: Context) -> JSONValue? {
        if key == "url.pathname" { return .string(context.pathname) }
        var parts = key.split(separator: ".").map(String.init)
        guard let root = parts.first else { return nil }
        parts.removeFirst()
        var current: JSONValue? = root == "metadata" ? context.metadata : root == "params" ? context.params : nil
        for part in parts { current = current?[part] }
        return current
    }

    static func test(_ value: JSONValue?, _ condition: JSONValue, key: String = "") throws(RegexTooSlow) -> Bool {
        guard case .object(let ops) = condition else { return value == condition }
        for (op, operand) in ops {
            let ok: Bool
            switch op {
            case "$eq": ok = value == operand
            case "$ne": ok = value != operand
            case "$gt": ok = compare(value, operand).map { $0 > 0 } ?? false
            case "$gte": ok = compare(value, operand).map { $0 >= 0 } ?? false
            case "$lt": ok = compare(value, operand).map { $0 < 0 } ?? false
            case "$lte": ok = compare(value, operand).map { $0 <= 0 } ?? false
            case "$in": ok = value.map { v in (operand.arrayValue ?? []).contains(v) } ?? false
            case "$nin": ok = !(value.map { v in (operand.arrayValue ?? []).contains(v) } ?? false)
            case "$regex":
                guard let pattern = operand.stringValue, let text = value?.stringValue, let regex = try? BoundedRegex(pattern) else { ok = false; break }
                do {
                    ok = try regex.test(text)
                } catch {
                    throw RegexTooSlow(key: key, pattern: pattern)
                }
            default: ok = false
            }
            if !ok { return false }
        }
        return true
    }

    static func compare(_ a: JSONValue?, _ b: JSONValue) -> Int? {
        if let x = a?.doubleValue, let y = b.doubleValue { return x < y ? -1 : x > y ? 1 : 0 }
        if let x = a?.stringValue, let y = b.stringValue { return x < y ? -1 : x > y ? 1 : 0 }
        return nil
    }
}
