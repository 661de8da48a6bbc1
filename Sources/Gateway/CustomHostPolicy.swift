/// The gateway's SSRF check on `custom_host` (`isValidCustomHost`): loopback names,
/// `host.docker.internal` and `TRUSTED_CUSTOM_HOSTS` pass; private, link-local and
/// `.local`/`.internal` addresses are refused; other names pass.
public struct CustomHostPolicy: Sendable {
    public var trusted: Set<String>

    public static let alwaysAllowed: Set<String> = ["localhost", "127.0.0.1", "::1", "host.docker.internal"]

    public init(trusted: [String] = []) {
        self.trusted = Set(trusted.map { $0.lowercased() })
    }

    /// `TRUSTED_CUSTOM_HOSTS`: comma-separated host names.
    public static func fromEnvironment(_ value: String?) -> CustomHostPolicy {
        CustomHostPolicy(trusted: (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty })
    }

    public func allows(_ customHost: String) -> Bool {
        guard let host = Self.host(of: customHost)?.lowercased() else { return false }
        if Self.alwaysAllowed.contains(host) || trusted.contains(host) { return true }
        if host.hasSuffix(".local") || host.hasSuffix(".internal") || host.hasSuffix(".localhost") { return false }
        if let v4 = Self.ipv4(host) { return !Self.isPrivate(v4) }
        if host.contains(":") { return !Self.isPrivateV6(host) }
        return true
    }

    static func host(of url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        let rest = url.drop { $0 != "/" }.dropFirst(2)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("[") { return authority.dropFirst().prefix { $0 != "]" }.description }
        let host = authority.split(separator: "@").last.map { $0.prefix { $0 != ":" } } ?? ""
        return host.isEmpty ? nil : String(host)
    }

    static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let numbers = parts.compactMap { Int($0) }.filter { (0...255).contains($0) }
        return numbers.count == 4 ? numbers : nil
    }

    static func isPrivate(_ a: [Int]) -> Bool {
        a[0] == 10 || a[0] == 127 || a[0] == 0 || (a[0] == 172 && (16...31).contains(a[1])) || (a[0] == 192 && a[1] == 168)
            || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (64...127).contains(a[1]))
    }

    static func isPrivateV6(_ host: String) -> Bool {
        host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe80") || host == "::" || host.hasPrefix("::ffff:")
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
