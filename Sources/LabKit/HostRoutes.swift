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

    public init(config: LabConfig, providers: [String: Address], unreachable: UnreachableHosts) {
        for (host, mapping) in config.hosts {
            switch mapping {
            case .provider(let name): if let a = providers[name] { addresses[host] = a }
            case .refused: addresses[host] = unreachable.refused
            case .hang: addresses[host] = unreachable.hang
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

/// Where `unreachable: refused` and `unreachable: hang` hosts lead: a loopback port
/// nothing listens on (taken and closed again), and a server that accepts and never answers.
public final class UnreachableHosts {
    public let refused: HostRoutes.Address
    public let hang: HostRoutes.Address
    private let blackHole: HTTPServer

    public init(loop: EventLoop) throws {
        blackHole = try HTTPServer(loop: loop) { _, responder in responder.send(.hang) }
        hang = ("127.0.0.1", blackHole.port)
        let dead = try HTTPServer(loop: loop)
        refused = ("127.0.0.1", dead.port)
        dead.shutdown()
    }

    public func shutdown() { blackHole.shutdown() }
}
