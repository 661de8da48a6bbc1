import LabHTTP

/// Where each host name of lab.conf's `hosts:` really leads: a provider's address, a
/// port nothing listens on (`refused`), one that never answers (`hang`), or nowhere
/// (`dns`). What the embedded gateway and `lab gateway --config` resolve `custom_host` by. Pure.
public struct HostRoutes: Sendable {
    public typealias Address = (host: String, port: Int)

    /// Host name (lower case) → address.
    public private(set) var addresses: [String: Address] = [:]
    /// Names that do not resolve.
    public private(set) var unresolvable: Set<String> = []

    public init(config: LabConfig, providers: [String: Address], refused: Address, hang: Address) {
        for (host, mapping) in config.hosts {
            switch mapping {
            case .provider(let name): if let a = providers[name] { addresses[host] = a }
            case .refused: addresses[host] = refused
            case .hang: addresses[host] = hang
            case .dns: unresolvable.insert(host)
            }
        }
    }

    /// Routes given by hand: `NAME=URL`, the URL's host and port.
    public init(mapping: [(name: String, url: URLParts)]) {
        for (name, url) in mapping { addresses[name.lowercased()] = (url.host, url.port) }
    }

    /// A `custom_host`'s parts with a mapped name replaced by its address.
    public func resolve(_ parts: URLParts) -> URLParts {
        guard let to = addresses[parts.host.lowercased()] else { return parts }
        var p = parts
        p.host = to.host
        p.port = to.port
        return p
    }

    /// Both sets of routes, `later` winning.
    public func merging(_ later: HostRoutes) -> HostRoutes {
        var out = self
        for (k, v) in later.addresses { out.addresses[k] = v }
        out.unresolvable.formUnion(later.unresolvable)
        return out
    }
}
