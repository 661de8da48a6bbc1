import LabHTTP

/// The request headers the gateway reads to route a request, found in one pass over the
/// fields: ten lookups by name each walked every field (some 1,800 instructions a routed
/// request). As a lookup by name would, a name matches in any case and the first field
/// of a name is the one read.
struct RoutingHeaders {
    var config: String?
    var provider: String?
    var customHost: String?
    var metadata: String?
    var authorization: String?
    var strictCompliance: String?
    var requestTimeout: String?
    var traceID: String?
    var labScenario: String?
    var labSeed: String?

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            // By length first: most fields (Host, Content-Type, …) match none of these.
            switch name.utf8.count {
            case 10: Self.take(&labSeed, "x-lab-seed", name, value)
            case 13: Self.take(&authorization, "authorization", name, value)
            case 14: Self.take(&labScenario, "x-lab-scenario", name, value)
            case 16: Self.take(&config, "x-portkey-config", name, value)
            case 18:
                if !Self.take(&provider, "x-portkey-provider", name, value),
                   !Self.take(&metadata, "x-portkey-metadata", name, value) {
                    Self.take(&traceID, "x-portkey-trace-id", name, value)
                }
            case 21: Self.take(&customHost, "x-portkey-custom-host", name, value)
            case 25: Self.take(&requestTimeout, "x-portkey-request-timeout", name, value)
            case 35: Self.take(&strictCompliance, "x-portkey-strict-open-ai-compliance", name, value)
            default: break
            }
        }
    }

    /// Whether `name` is `wanted`; its value is kept unless one came first.
    @discardableResult
    private static func take(_ slot: inout String?, _ wanted: String, _ name: String, _ value: String) -> Bool {
        guard HTTPHeaders.same(name, wanted) else { return false }
        if slot == nil { slot = value }
        return true
    }
}
