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

    public static func route(_ conditions: [PortkeyTarget.Condition], default fallback: String?, _ context: Context) -> String? {
        for c in conditions where evaluate(c.query, context) { return c.then }
        return fallback
    }

    static func evaluate(_ query: JSONValue, _ context: Context) -> Bool {
        guard case .object(let members) = query else { return false }
        for (key, condition) in members {
            switch key {
            case "$and":
                guard (condition.arrayValue ?? []).allSatisfy({ evaluate($0, context) }) else { return false }
            case "$or":
                guard (condition.arrayValue ?? []).contains(where: { evaluate($0, context) }) else { return false }
            default:
                guard test(value(of: key, context), condition) else { return false }
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

    static func test(_ value: JSONValue?, _ condition: JSONValue) -> Bool {
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
                guard let pattern = operand.stringValue, let text = value?.stringValue, let regex = try? Regex(pattern) else { ok = false; break }
                ok = (try? regex.firstMatch(in: text)) != nil
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
