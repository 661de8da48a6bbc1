import LabCore

/// A Portkey config (or one of its targets), read as the gateway reads it: keys in
/// snake_case or camelCase, unknown keys ignored, `override_params` and
/// `conditions` kept verbatim.
public struct PortkeyTarget: Sendable {
    public enum Mode: String, Sendable { case single, loadbalance, fallback, conditional }

    public struct Retry: Sendable, Equatable {
        public var attempts: Int
        public var onStatusCodes: [Int]?
        public var useRetryAfterHeader: Bool
    }

    public struct Condition: Sendable {
        public var query: JSONValue
        public var then: String
    }

    public var mode: Mode?
    public var onStatusCodes: [Int]?
    public var conditions: [Condition] = []
    public var defaultTarget: String?
    public var provider: String?
    public var apiKey: String?
    public var name: String?
    public var weight: Double?
    public var targets: [PortkeyTarget] = []
    public var requestTimeoutMs: Int?
    public var customHost: String?
    public var forwardHeaders: [String]?
    public var retry: Retry?
    public var cache: JSONValue?
    public var overrideParams: [(String, JSONValue)]?

    public var isGroup: Bool { mode != nil || !targets.isEmpty }
}

/// Values a target takes from its parents (`tryTargetsRecursively`): override_params
/// merged (child wins); retry and cache from the child, else the parent; custom_host,
/// request_timeout and forward_headers inherited. Credentials are not.
public struct Inherited: Sendable {
    public var overrideParams: [(String, JSONValue)] = []
    public var retry: PortkeyTarget.Retry?
    public var cache: JSONValue?
    public var customHost: String?
    public var requestTimeoutMs: Int?
    public var forwardHeaders: [String]?

    public init() {}

    public func entering(_ t: PortkeyTarget) -> Inherited {
        var next = self
        if let params = t.overrideParams {
            for (key, value) in params {
                if let i = next.overrideParams.firstIndex(where: { $0.0 == key }) { next.overrideParams[i].1 = value } else { next.overrideParams.append((key, value)) }
            }
        }
        if let r = t.retry { next.retry = r }
        if let c = t.cache { next.cache = c }
        if let h = t.customHost { next.customHost = h }
        if let ms = t.requestTimeoutMs { next.requestTimeoutMs = ms }
        if let f = t.forwardHeaders { next.forwardHeaders = f }
        return next
    }
}

/// One place for the key spellings the gateway accepts.
public enum ConfigKeys {
    /// `on_status_codes` → `onStatusCodes`.
    public static func camel(_ key: String) -> String {
        guard key.contains("_") else { return key }
        var out = ""
        var upper = false
        for ch in key {
            if ch == "_" { upper = true; continue }
            out.append(upper ? Character(ch.uppercased()) : ch)
            upper = false
        }
        return out
    }

    /// The object's members with camelCase keys (later spellings win, as in JS).
    static func normalized(_ value: JSONValue) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, v) in value.objectValue ?? [] { out[camel(key)] = v }
        return out
    }
}
