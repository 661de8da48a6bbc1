import LabCore

/// What the lab asks of a config it has read: where an answer came from, by the
/// `x-portkey-last-used-option-index` path the gateway wrote (`config.targets[0].targets[1]`).
extension PortkeyTarget {
    /// The target indexes along a path: `config.targets[0].targets[1]` → [0, 1].
    public static func indexes(of path: String) -> [Int]? {
        guard path.hasPrefix("config") else { return nil }
        var out: [Int] = []
        var rest = path.dropFirst("config".count)
        while !rest.isEmpty {
            guard rest.hasPrefix(".targets[") else { return nil }
            rest = rest.dropFirst(".targets[".count)
            let digits = rest.prefix { $0 != "]" }
            // Digits only: the header may come from a gateway the lab does not run, and
            // `Int` would also take "-1", which indexes nothing.
            guard digits.allSatisfy({ ("0"..."9").contains($0) }), let i = Int(digits) else { return nil }
            out.append(i)
            rest = rest.dropFirst(digits.count + 1)
        }
        return out
    }

    /// The targets from this one down to the one at `path`, or nil when the path leads nowhere.
    public func chain(to path: String) -> [PortkeyTarget]? {
        guard let indexes = Self.indexes(of: path) else { return nil }
        var node = self
        var out = [self]
        for i in indexes {
            guard i < node.targets.count else { return nil }
            node = node.targets[i]
            out.append(node)
        }
        return out
    }

    /// What the target at `path` inherits and sets, as the gateway resolves it (its own
    /// `custom_host`, else the nearest parent's; override_params merged…).
    public func resolved(at path: String) -> Inherited? {
        chain(to: path).map { $0.reduce(Inherited()) { $0.entering($1) } }
    }

    /// The `custom_host` the target at `path` used.
    public func customHost(at path: String) -> String? { resolved(at: path)?.customHost }

    /// Whether the path went past the first target of some fallback group.
    public func fallbackTriggered(at path: String) -> Bool {
        guard let indexes = Self.indexes(of: path), let chain = chain(to: path) else { return false }
        return zip(chain, indexes).contains { node, i in i > 0 && node.mode == .fallback }
    }

    /// The path to the first leaf (always taking the first target).
    public var firstLeafPath: String {
        var path = "config"
        var node = self
        while let first = node.targets.first {
            path += ".targets[0]"
            node = first
        }
        return path
    }

    /// Every `custom_host` in the tree, in order.
    public var customHosts: [String] {
        (customHost.map { [$0] } ?? []) + targets.flatMap(\.customHosts)
    }
}
