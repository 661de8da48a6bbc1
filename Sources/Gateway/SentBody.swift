import LabCore

/// What a target is sent — the upstream URL, the body's bytes and the notes on the params
/// the provider changed — kept with what it was made from, for the next request made from
/// the same. A client sends the same body through the same config again and again, and
/// making it again (the params merged, the provider's body built, then written) cost some
/// 10,000 instructions of a routed request's 89,000.
final class SentBody {
    let source: JSONValue
    let overrides: [(String, JSONValue)]
    let provider: String
    let endpoint: GatewayEndpoint
    let host: String
    let url: String
    let bytes: [UInt8]
    let changes: [String]

    init(source: JSONValue, overrides: [(String, JSONValue)], provider: String, endpoint: GatewayEndpoint, host: String,
         url: String, bytes: [UInt8], changes: [String]) {
        self.source = source
        self.overrides = overrides
        self.provider = provider
        self.endpoint = endpoint
        self.host = host
        self.url = url
        self.bytes = bytes
        self.changes = changes
    }

    /// Whether a request's body sent through a target with these inherited overrides makes
    /// this. The body is matched by identity — the gateway hands every repeat of a body
    /// the same tree (`PortkeyGateway.clientBody`), and this one keeps its tree alive, so
    /// no other tree can have its storage meanwhile. Overrides match only when each is the
    /// same string, integer or flag under the same key in the same order: `==` takes 2 and
    /// 2.0 as equal, and the override's spelling is what is sent.
    func isMade(from body: JSONValue, overrides: [(String, JSONValue)], provider: String, endpoint: GatewayEndpoint,
                host: String) -> Bool {
        guard endpoint == self.endpoint, provider == self.provider, host == self.host,
              Self.sameStorage(body, source), overrides.count == self.overrides.count else { return false }
        for i in overrides.indices {
            guard overrides[i].0 == self.overrides[i].0, ParamRule.sameScalar(overrides[i].1, self.overrides[i].1) else { return false }
        }
        return true
    }

    /// Whether two objects are one tree: the same members' storage (never for empty ones).
    private static func sameStorage(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard case .object(let x) = a, case .object(let y) = b, !x.isEmpty, x.count == y.count else { return false }
        return x.withUnsafeBufferPointer { $0.baseAddress } == y.withUnsafeBufferPointer { $0.baseAddress }
    }
}
