import LabCore
/// The gateway's SSRF check on a custom host (`isValidCustomHost` in its request
/// validator), step for step: the URL is parsed as Node's `new URL` parses it, so
/// other spellings of an address (`10.200.2`, `0xa.0xc8.0.2`, `180879362`) are
/// judged as the address they are. Trusted names pass; metadata endpoints, special
/// TLDs, private and reserved IPv4, other IPv4 spellings, bracketed IPv6 (its
/// brackets fail the character check), trailing dots and user parts are refused.
public struct CustomHostPolicy: Sendable {
    /// Names that pass whatever they are (`TRUSTED_CUSTOM_HOSTS`, which replaces these defaults).
    public var trusted: Set<String>

    public static let defaultTrusted: Set<String> = ["localhost", "127.0.0.1", "::1", "host.docker.internal"]
    static let blockedHosts: Set<String> = ["0.0.0.0", "169.254.169.254", "metadata.google.internal", "metadata", "metadata.azure.com", "instance-data"]
    static let blockedTLDs = [".local", ".localdomain", ".internal", ".intranet", ".lan", ".home", ".corp", ".test", ".invalid", ".onion", ".localhost"]
    static let disallowedSchemes = ["file://", "data:", "gopher:", "ftp://", "ftps://"]

    public init(trusted: Set<String> = CustomHostPolicy.defaultTrusted) {
        self.trusted = Set(trusted.map { $0.lowercased() })
    }

    /// `TRUSTED_CUSTOM_HOSTS`: comma-separated names; unset or empty keeps the defaults.
    public static func fromEnvironment(_ value: String?) -> CustomHostPolicy {
        let names = (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ").lowercased() }.filter { !$0.isEmpty }
        return names.isEmpty ? CustomHostPolicy() : CustomHostPolicy(trusted: Set(names))
    }

    public func allows(_ customHost: String) -> Bool {
        let value = customHost.trimmingSpaces.lowercased()
        guard !value.isEmpty else { return false }
        guard !customHost.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return false }
        if value.contains("api.portkey") { return false }
        if Self.disallowedSchemes.contains(where: { value.hasPrefix($0) }) { return false }
        guard let url = WHATWGURL.parse(customHost), url.scheme == "http" || url.scheme == "https" else { return false }
        if !url.username.isEmpty || !url.password.isEmpty || customHost.contains("@") { return false }
        let host = url.hostname
        guard !host.isEmpty, !host.contains("%") else { return false }
        guard host.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }) else { return false }
        if host.hasSuffix(".") { return false }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 10 { return false }
        if trusted.contains(host) || (trusted.contains("localhost") && host.hasSuffix(".localhost")) {
            return Self.validPort(url.port)
        }
        if Self.blockedHosts.contains(host) || host.hasPrefix("169.254.169.") || host.hasPrefix("fd00:ec2::") { return false }
        if Self.blockedTLDs.contains(where: { host.hasSuffix($0) }), host != "localhost" { return false }
        if let v4 = Self.dottedIPv4(parts), Self.isPrivateOrReserved(v4) { return false }
        if Self.isAlternativeIPv4(host, parts) { return false }
        return Self.validPort(url.port)
    }

    static func validPort(_ port: String) -> Bool {
        port.isEmpty || (Int(port).map { $0 > 0 && $0 <= 65535 } ?? false)
    }

    /// Four plain decimal parts without leading zeros, as the gateway's `isIPv4` reads them.
    static func dottedIPv4(_ parts: [Substring]) -> UInt32? {
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard (1...3).contains(p.count), p.allSatisfy({ $0.isASCII && $0.isNumber }), !(p.count > 1 && p.hasPrefix("0")),
                  let n = UInt32(p), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    static func isPrivateOrReserved(_ ip: UInt32) -> Bool {
        let ranges: [(UInt32, UInt32)] = [
            (0x0A00_0000, 0x0AFF_FFFF), (0xAC10_0000, 0xAC1F_FFFF), (0xC0A8_0000, 0xC0A8_FFFF),  // private
            (0x7F00_0000, 0x7FFF_FFFF), (0xA9FE_0000, 0xA9FE_FFFF), (0x6440_0000, 0x647F_FFFF),  // loopback, link-local, CGNAT
            (0x0000_0000, 0x00FF_FFFF), (0xE000_0000, 0xFFFF_FFFF),                              // "this" network, multicast and up
        ]
        return ranges.contains { ip >= $0.0 && ip <= $0.1 }
    }

    /// Decimal, hex, octal or shortened IPv4 forms that reach this check (`new URL` has
    /// already rewritten most of them): all refused, public or not.
    static func isAlternativeIPv4(_ host: String, _ parts: [Substring]) -> Bool {
        if (1...10).contains(host.count), host.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(host), n <= 0xFFFF_FFFF { return true }
        if host.hasPrefix("0x"), (3...10).contains(host.count), UInt64(host.dropFirst(2), radix: 16) != nil { return true }
        if parts.count == 4, parts.contains(where: { $0.count >= 2 && $0.hasPrefix("0") && ($0.dropFirst().first.map { $0.isHexDigit || $0 == "x" } ?? false) }) {
            return true
        }
        if (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } && (Int($0) ?? 256) <= 255 }) { return true }
        return false
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

extension String {
    /// JavaScript's `trim()` for the ASCII whitespace that matters here.
    var trimmingSpaces: String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        return String(drop { ws.contains($0) }.reversed().drop { ws.contains($0) }.reversed())
    }
}
