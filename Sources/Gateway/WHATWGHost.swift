/// What the WHATWG URL parser (Node's `new URL`) makes of an http(s) URL's
/// authority: the parts the gateway's custom-host check reads. Hosts are
/// normalised as that parser does — lower case, IPv4 written in any of its other
/// forms (`10.200.2`, `0xa.0xc8.0.2`, `012.200.0.2`, `180879362`) turned into
/// dotted decimal — so a check on the result cannot be dodged by spelling. Pure.
struct WHATWGURL: Equatable {
    var scheme: String
    var username: String
    var password: String
    /// `10.200.0.2`, `example.com`, or an IPv6 address in brackets (`[::1]`).
    var hostname: String
    /// Empty when absent or the scheme's default (80 for http, 443 for https).
    var port: String

    static let defaultPorts = ["http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"]

    /// nil where `new URL` throws.
    static func parse(_ input: String) -> WHATWGURL? {
        // Leading and trailing C0 controls and spaces go; tabs and newlines go everywhere.
        var text = Substring(input)
        while let f = text.unicodeScalars.first, f.value <= 0x20 { text = text.dropFirst() }
        while let l = text.unicodeScalars.last, l.value <= 0x20 { text = text.dropLast() }
        let cleaned = String(text.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }.map(Character.init))
        guard let colon = cleaned.firstIndex(of: ":") else { return nil }
        let scheme = cleaned[..<colon].lowercased()
        guard let first = scheme.first, first.isLetter, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        guard defaultPorts[scheme] != nil else {
            return WHATWGURL(scheme: scheme, username: "", password: "", hostname: "", port: "")
        }
        // Special schemes take any run of slashes and backslashes before the authority.
        var rest = cleaned[cleaned.index(after: colon)...].drop { $0 == "/" || $0 == "\\" }
        let end = rest.firstIndex { "/\\?#".contains($0) } ?? rest.endIndex
        var authority = rest[..<end]
        rest = rest[end...]
        var username = "", password = ""
        if let at = authority.lastIndex(of: "@") {
            let info = authority[..<at]
            if let c = info.firstIndex(of: ":") {
                username = String(info[..<c])
                password = String(info[info.index(after: c)...])
            } else {
                username = String(info)
            }
            authority = authority[authority.index(after: at)...]
        }
        var hostPart = authority
        var portPart: Substring = ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let c = authority.lastIndex(of: ":") {
            hostPart = authority[..<c]
            portPart = authority[authority.index(after: c)...]
        }
        guard let host = Self.host(String(hostPart)) else { return nil }
        var port = ""
        if !portPart.isEmpty {
            guard portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(portPart.prefix(6)), portPart.count <= 5 || n <= 65535, n <= 65535 else { return nil }
            port = String(n) == defaultPorts[scheme] ? "" : String(n)
        }
        return WHATWGURL(scheme: scheme, username: username, password: password, hostname: host, port: port)
    }

    /// The host parser for special schemes: nil on failure.
    static func host(_ input: String) -> String? {
        if input.hasPrefix("[") {
            guard input.hasSuffix("]"), input.count > 2, isIPv6(input.dropFirst().dropLast()) else { return nil }
            return input.lowercased()
        }
        guard !input.isEmpty, let decoded = percentDecoded(input) else { return nil }
        // Non-ASCII names would go through IDNA (punycode); the lab refuses them instead.
        guard decoded.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        let domain = decoded.lowercased()
        let forbidden: Set<Character> = [" ", "#", "/", ":", "<", ">", "?", "@", "[", "\\", "]", "^", "|", "%"]
        guard !domain.isEmpty, !domain.contains(where: { forbidden.contains($0) || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else { return nil }
        if endsInANumber(domain) {
            guard let v4 = ipv4(domain) else { return nil }
            return "\(v4 >> 24).\(v4 >> 16 & 255).\(v4 >> 8 & 255).\(v4 & 255)"
        }
        return domain
    }

    static func percentDecoded(_ s: String) -> String? {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func endsInANumber(_ domain: String) -> Bool {
        var parts = domain.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "" {
            if parts.count == 1 { return false }
            parts.removeLast()
        }
        guard let last = parts.last, !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        return ipv4Number(last) != nil
    }

    /// One part of an IPv4 address in decimal, octal (leading 0) or hex (0x).
    static func ipv4Number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix = 10
        if digits.count >= 2, digits.lowercased().hasPrefix("0x") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        if digits.isEmpty { return 0 }
        guard digits.count <= 32 else { return nil }
        return UInt64(digits, radix: radix)
    }

    static func ipv4(_ domain: String) -> UInt32? {
        var parts = domain.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "", parts.count > 1 { parts.removeLast() }
        guard parts.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for p in parts {
            guard let n = ipv4Number(p) else { return nil }
            numbers.append(n)
        }
        guard numbers.dropLast().allSatisfy({ $0 <= 255 }) else { return nil }
        let limit = UInt64(1) << (8 * (5 - numbers.count))
        guard numbers.last! < limit else { return nil }
        var value = numbers.last!
        for (i, n) in numbers.dropLast().enumerated() { value += n << (8 * (3 - i)) }
        return UInt32(value)
    }

    /// Enough of the IPv6 grammar to tell an address from junk.
    static func isIPv6(_ s: Substring) -> Bool {
        guard s.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), s.contains(":") else { return false }
        let chars = Array(s)
        var halves: [String] = []
        var current = ""
        var i = 0
        while i < chars.count {
            if chars[i] == ":", i + 1 < chars.count, chars[i + 1] == ":" {
                halves.append(current)
                current = ""
                i += 2
            } else {
                current.append(chars[i])
                i += 1
            }
        }
        halves.append(current)
        guard halves.count <= 2 else { return false }
        let groups: [String] = halves.flatMap { $0.isEmpty ? [] : $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        for (i, g) in groups.enumerated() {
            if g.contains(".") {
                guard i == groups.count - 1, g.split(separator: ".").count == 4, g.split(separator: ".").allSatisfy({ Int($0).map { $0 <= 255 } ?? false }) else { return false }
            } else {
                guard (1...4).contains(g.count) else { return false }
            }
        }
        let count = groups.reduce(0) { $0 + ($1.contains(".") ? 2 : 1) }
        return halves.count == 2 ? count <= 7 : count == 8
    }
}
