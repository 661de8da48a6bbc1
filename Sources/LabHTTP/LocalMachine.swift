import CLibUV

/// This machine's name and interface addresses, as libuv reports them: what Ollama's Host
/// check accepts besides loopback and private addresses.
public enum LocalMachine {
    public static var hostname: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        guard uv_os_gethostname(&buffer, &size) == 0 else { return nil }
        return String(decoding: buffer.prefix(size).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static var addresses: [String] {
        var list: UnsafeMutablePointer<uv_interface_address_t>?
        var count: Int32 = 0
        guard uv_interface_addresses(&list, &count) == 0, let list else { return [] }
        defer { uv_free_interface_addresses(list, count) }
        return (0..<Int(count)).compactMap { i -> String? in
            var text = [CChar](repeating: 0, count: 64)
            var address = list[i].address
            let family = withUnsafeBytes(of: &address) { $0.load(as: sockaddr.self).sa_family }
            let ok: Int32 = family == sa_family_t(AF_INET6)
                ? uv_ip6_name(&address.address6, &text, text.count)
                : uv_ip4_name(&address.address4, &text, text.count)
            guard ok == 0 else { return nil }
            // A link-local IPv6 address comes with its interface: keep only the address.
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .split(separator: "%", maxSplits: 1).first.map(String.init)
        }
    }
}
