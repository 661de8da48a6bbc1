import Gateway
import LabCore
import LabHTTP

/// Reading a `x-portkey-last-used-option-index` path (`config.targets[0].targets[1]`)
/// back against the config that produced it. Pure.
public enum ConfigPath {
    /// The target indexes along the path: `config.targets[0].targets[1]` → [0, 1].
    public static func indexes(_ path: String) -> [Int]? {
        guard path.hasPrefix("config") else { return nil }
        var out: [Int] = []
        var rest = path.dropFirst("config".count)
        while !rest.isEmpty {
            guard rest.hasPrefix(".targets[") else { return nil }
            rest = rest.dropFirst(".targets[".count)
            let digits = rest.prefix { $0 != "]" }
            guard let i = Int(digits) else { return nil }
            out.append(i)
            rest = rest.dropFirst(digits.count + 1)
        }
        return out
    }

    private static func value(_ v: JSONValue, _ key: String) -> JSONValue? {
        v[key] ?? v[ConfigKeys.camel(key)]
    }

    /// The `custom_host` the target at `path` used (its own, else the nearest parent's).
    public static func customHost(_ config: JSONValue, path: String) -> String? {
        guard let indexes = indexes(path) else { return nil }
        var node = config
        var host = value(node, "custom_host")?.stringValue
        for i in indexes {
            guard let targets = node["targets"]?.arrayValue, i < targets.count else { return nil }
            node = targets[i]
            if let h = value(node, "custom_host")?.stringValue { host = h }
        }
        return host
    }

    /// Whether the path went past the first target of some fallback group.
    public static func fallbackTriggered(_ config: JSONValue, path: String) -> Bool {
        guard let indexes = indexes(path) else { return false }
        var node = config
        for i in indexes {
            if i > 0, value(node, "strategy")?["mode"]?.stringValue == "fallback" { return true }
            guard let targets = node["targets"]?.arrayValue, i < targets.count else { return false }
            node = targets[i]
        }
        return false
    }

    /// The first leaf target's host, for the direct comparison request.
    public static func firstHost(_ config: JSONValue) -> String? {
        var node = config
        var host = value(node, "custom_host")?.stringValue
        while let first = node["targets"]?.arrayValue?.first {
            node = first
            if let h = value(node, "custom_host")?.stringValue { host = h }
        }
        return host
    }
}
