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
        func codes(_ v: JSONValue?, _ field: [String]) -> [Int]? {
            guard let v else { return nil }
            guard let items = v.arrayValue, items.allSatisfy({ $0.intValue != nil }) else {
                err(field, "Expected array of numbers, received \(v.typeName)")
                return nil
            }
            return items.compactMap(\.intValue)
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
        if let w = o["weight"] {
            if let d = w.doubleValue, d >= 0 { t.weight = d } else { err(["weight"], "Number must be greater than or equal to 0") }
        }
        if let ms = o["requestTimeout"] {
            if let v = ms.intValue, v >= 0 { t.requestTimeoutMs = v } else { err(["request_timeout"], "Expected number, received \(ms.typeName)") }
        }
        t.customHost = o["customHost"]?.stringValue
        t.forwardHeaders = o["forwardHeaders"]?.arrayValue?.compactMap(\.stringValue)
        if let r = o["retry"] {
            let rr = ConfigKeys.normalized(r)
            if let attempts = rr["attempts"]?.intValue, attempts >= 0 {
                t.retry = .init(attempts: attempts, onStatusCodes: codes(rr["onStatusCodes"], ["retry", "on_status_codes"]),
                                useRetryAfterHeader: rr["useRetryAfterHeader"]?.boolValue ?? false)
            } else {
                err(["retry", "attempts"], "Required")
            }
        }
        if let c = o["cache"] { t.cache = c }
        if let p = o["overrideParams"] { t.overrideParams = p.objectValue }
        if let list = o["targets"] {
            if let items = list.arrayValue {
                t.targets = items.enumerated().map { i, item in read(item, path: path + ["targets", String(i)], errors: &errors) }
            } else {
                err(["targets"], "Expected array, received \(list.typeName)")
            }
        }
        if !describesSomething(o) {
            err([], "Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and 'targets', or 'cache', or 'retry', or 'request_timeout'")
        }
        return t
    }

    /// The schema's rule for every config object, nested targets included, with
    /// JavaScript's truthiness: a provider with a key, a strategy with targets, a
    /// cache, retry or request_timeout, or a provider that needs no key.
    static func describesSomething(_ o: [String: JSONValue]) -> Bool {
        func truthy(_ key: String) -> Bool {
            switch o[key] {
            case nil, .null?, .bool(false)?: return false
            case .string(let s)?: return !s.isEmpty
            case .int(let n)?: return n != 0
            case .double(let d)?: return d != 0 && !d.isNaN
            default: return true
            }
        }
        let provider = o["provider"]?.stringValue
        let vertex = provider == "vertex-ai" && truthy("vertexRegion") && (truthy("vertexServiceAccountJson") || truthy("vertexProjectId"))
        return (o["provider"] != nil && o["apiKey"] != nil) || (o["strategy"] != nil && o["targets"] != nil)
            || truthy("cache") || truthy("retry") || truthy("requestTimeout") || provider == "ollama" || provider == "triton"
            || (truthy("awsAccessKeyId") && truthy("awsSecretAccessKey")) || vertex || truthy("afterRequestHooks") || truthy("beforeRequestHooks")
    }
}
