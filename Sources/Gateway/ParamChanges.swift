import LabCore

/// What the gateway's translation for a provider did to the client's params on their
/// way upstream, said as a person reading a trace wants it: the params it does not pass
/// on (a cross-vendor fallback silently loses `response_format`, `n`, `logprobs`…) and the
/// numbers it clamps (`temperature 1.5 → 1`). The provider says what it carries; nothing
/// here restates its rules. Pure.
public enum ParamChanges {
    /// For a chat request to the provider named `provider`, with a target's `override_params`
    /// merged over the client's body as the gateway merges them; empty for an unknown provider.
    public static func chat(provider name: String, body: JSONValue, overrides: [(String, JSONValue)]) -> [String] {
        guard let provider = PortkeyProviders.named(name) else { return [] }
        let params = ParamRule.merged(body, overrides: overrides)
        return notes(provider, .chatComplete, params: params, sent: provider.body(.chatComplete, params: params))
    }

    static func notes(_ provider: any PortkeyProvider, _ endpoint: GatewayEndpoint, params: JSONValue, sent: JSONValue) -> [String] {
        var dropped: [String] = []
        var clamped: [String] = []
        for (key, value) in params.objectValue ?? [] {
            guard provider.carries(key, endpoint) else {
                dropped.append(key)
                continue
            }
            if let asked = value.doubleValue, let given = sent[key]?.doubleValue, asked != given {
                clamped.append("\(key) \(value.javaScriptCompact) → \(sent[key]!.javaScriptCompact)")
            }
        }
        return (dropped.isEmpty ? [] : ["not passed on: " + dropped.joined(separator: ", ")]) + clamped
    }
}
