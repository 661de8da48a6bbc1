import Foundation

/// An address as Go's `netip.ParseAddr` reads one: dotted IPv4 (no leading zeros) or IPv6,
/// which may carry a `%zone`.
struct IPAddress {
    /// 4 bytes for IPv4, 16 for IPv6.
    let bytes: [UInt8]
    let zone: String?

    init?(_ text: String) {
        var address = text
        var zone: String?
        if text.contains(":"), let percent = text.firstIndex(of: "%") {
            zone = String(text[text.index(after: percent)...])
            guard zone?.isEmpty == false else { return nil }
            address = String(text[..<percent])
        }
        if !address.contains(":") {
            let parts = address.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var bytes: [UInt8] = []
            for part in parts {
                guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                      part.count == 1 || part.first != "0", let n = UInt8(part) else { return nil }
                bytes.append(n)
            }
            self.bytes = bytes
        } else {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, address, &raw) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &raw) { Array($0) }
        }
        self.zone = zone
    }

    /// An IPv4 address inside IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 one, as Go does
    /// for loopback and private (not for unspecified).
    private var unmapped: [UInt8] {
        bytes.count == 16 && bytes[..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff ? Array(bytes[12...]) : bytes
    }

    var isLoopback: Bool {
        let b = unmapped
        return b.count == 4 ? b[0] == 127 : b == [UInt8](repeating: 0, count: 15) + [1]
    }

    var isPrivate: Bool {
        let b = unmapped
        if b.count == 4 { return b[0] == 10 || (b[0] == 172 && b[1] & 0xf0 == 16) || (b[0] == 192 && b[1] == 168) }
        return b[0] & 0xfe == 0xfc
    }

    /// Go compares with `0.0.0.0` and `::` whole, zone included.
    var isUnspecified: Bool { zone == nil && bytes.allSatisfy { $0 == 0 } }
}
