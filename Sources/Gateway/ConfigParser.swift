import LabCore

/// Turns `x-portkey-config` JSON into a target tree, with the validator's errors.
enum ConfigParser {
    static let modes = ["single", "loadbalance", "fallback", "conditional"]

    static func parse(_ value: JSONValue) throws(GatewayFailure) -> PortkeyTarget {
        guard case .object = value else { throw .invalidConfig(["path: , message: Expected object, received \(value.typeName)"]) }
        var errors: [String] = []
        let target = read(value, path: [], errors: &errors)
        if !errors.isEmpty { throw .invalidConfig(errors) }
        return target
    }

    private static func read(_ value: JSONValue, path: [String], errors: inout [String]) -> PortkeyTarget {
        let o = ConfigKeys.normalized(value)
        var t = PortkeyTarget()
        func err(_ field: [String], _ message: String) {
            errors.append("path: \((path + field).joined(separator: ",")), message: \(message)")
        }
        // The schema says z.number() (any number at all) where this reads numbers.
        func codes(_ v: JSONValue?, _ field: [String]) -> [Int]? {
            guard let v else { return nil }
            guard let items = v.arrayValue else {
                err(field, "Expected array, received \(zodType(v))")
                return nil
            }
            var out: [Int] = []
            for (i, item) in items.enumerated() {
                guard let d = item.doubleValue else { err(field + [String(i)], "Expected number, received \(zodType(item))"); continue }
                // A status is a whole number: 429.5 or 1e300 can never match one.
                if let n = Int(exactly: d) { out.append(n) }
            }
            return out
        }
        if let strategy = o["strategy"] {
            let s = ConfigKeys.normalized(strategy)
            if let mode = s["mode"]?.stringValue, let m = PortkeyTarget.Mode(rawValue: mode) {
                t.mode = m
            } else {
                err(["strategy", "mode"], "Invalid 'mode' value. Expected one of: \(modes.joined(separator: ", "))")
            }
            t.onStatusCodes = codes(s["onStatusCodes"], ["strategy", "on_status_codes"])
            for (i, c) in (s["conditions"]?.arrayValue ?? []).enumerated() {
                guard let then = c["then"]?.stringValue, let query = c["query"] else {
                    err(["strategy", "conditions", String(i)], "Each condition needs a query and a then")
                    continue
                }
                t.conditions.append(.init(query: query, then: then))
            }
            t.defaultTarget = s["default"]?.stringValue
        }
        t.provider = o["provider"]?.stringValue
        t.apiKey = o["apiKey"]?.stringValue
        t.name = o["name"]?.stringValue
        t.customHost = o["customHost"]?.stringValue
        t.forwardHeaders = o["forwardHeaders"]?.arrayValue?.compactMap(\.stringValue)
        if let r = o["retry"] {
            let rr = ConfigKeys.normalized(r)
            if let a = rr["attempts"], let attempts = Self.retries(a) {
                t.retry = .init(attempts: attempts, onStatusCodes: codes(rr["onStatusCodes"], ["retry", "on_status_codes"]),
                                useRetryAfterHeader: rr["useRetryAfterHeader"]?.boolValue ?? false)
            } else {
                err(["retry", "attempts"], rr["attempts"].map { "Expected number, received \(zodType($0))" } ?? "Required")
            }
        }
        if let c = o["cache"] { t.cache = c }
        // Errors come in the schema's key order: retry, weight, targets, request_timeout.
        if let w = o["weight"] {
            if let d = w.doubleValue { t.weight = d } else { err(["weight"], "Expected number, received \(zodType(w))") }
        }
        if let p = o["overrideParams"] { t.overrideParams = p.objectValue }
        if let list = o["targets"] {
            if let items = list.arrayValue {
                t.targets = items.enumerated().map { i, item in read(item, path: path + ["targets", String(i)], errors: &errors) }
            } else {
                err(["targets"], "Expected array, received \(list.typeName)")
            }
        }
        if let ms = o["requestTimeout"] {
            if let d = ms.doubleValue { t.requestTimeoutMs = Self.nodeTimeoutMs(d) } else { err(["request_timeout"], "Expected number, received \(zodType(ms))") }
        }
        if !describesSomething(o) {
            err([], "Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and 'targets', or 'cache', or 'retry', or 'request_timeout'")
        }
        return t
    }

    /// zod's names for JSON types in "Expected number, received …".
    static func zodType(_ v: JSONValue) -> String {
        if case .bool = v { return "boolean" }
        return v.typeName
    }

    /// What Node's `setTimeout` makes of a `request_timeout`: 0 means none (the gateway
    /// tests it for truth); anything below 1 or above 2³¹−1 ms becomes 1 ms.
    static func nodeTimeoutMs(_ ms: Double) -> Int? {
        if ms == 0 || ms.isNaN { return nil }
        guard ms >= 1, ms <= 2_147_483_647 else { return 1 }
        return Int(ms)
    }

    /// The most retries the lab makes. The gateway hands `attempts` to async-retry, which
    /// retries while `i < attempts` — so -5 means none, 1.5 means 2 and "3" means 3 —
    /// and builds its whole schedule up front, so a count like 1e300 never answers there.
    static let maxRetries = 1_000

    static func retries(_ value: JSONValue) -> Int? {
        let d: Double
        switch value {
        case .int, .double: d = value.doubleValue!
        case .string(let s): d = Double(s.trimmingSpaces) ?? .nan
        default: return nil
        }
        if d.isNaN || d <= 0 { return 0 }
        return d >= Double(maxRetries) ? maxRetries : Int(d.rounded(.up))
    }

    /// The schema's rule for every config object, nested targets included, with
    /// JavaScript's truthiness: a provider with a key, a strategy with targets, a
    /// cache, retry or request_timeout, or a provider that needs no key.
    static func describesSomething(_ o: [String: JSONValue]) -> Bool {
        func truthy(_ key: String) -> Bool { o[key]?.isTruthy == true }
        let provider = o["provider"]?.stringValue
        let vertex = provider == "vertex-ai" && truthy("vertexRegion") && (truthy("vertexServiceAccountJson") || truthy("vertexProjectId"))
        return (o["provider"] != nil && o["apiKey"] != nil) || (o["strategy"] != nil && o["targets"] != nil)
            || truthy("cache") || truthy("retry") || truthy("requestTimeout") || provider == "ollama" || provider == "triton"
            || (truthy("awsAccessKeyId") && truthy("awsSecretAccessKey")) || vertex || truthy("afterRequestHooks") || truthy("beforeRequestHooks")
    }
}
