import LabCore
import LabHTTP

/// The gateway functions a request can call (Portkey's `fn`).
public enum GatewayEndpoint: String, Sendable {
    case chatComplete
    case embed
    case complete

    /// Portkey's word for it in "… is not supported by …".
    var word: String {
        switch self {
        case .chatComplete: return "chatComplete"
        case .embed: return "embed"
        case .complete: return "complete"
        }
    }
}

/// What one Portkey provider does (`src/providers/<name>/`): where a request goes,
/// what body and headers it carries, and how the answer, an error or a stream chunk
/// comes back to the client in OpenAI's shape. Pure: the routing code (GatewayRun)
/// only asks these questions and never names a provider. Adding one is a new file
/// with a conformance and a line in `PortkeyProviders.all`.
protocol PortkeyProvider: Sendable {
    /// `provider` in a config and in `x-portkey-provider`.
    var name: String { get }
    /// Where requests go without a `custom_host`.
    var defaultBaseURL: String { get }
    /// The path appended to the host, or nil when the provider has no such function.
    func path(_ endpoint: GatewayEndpoint) -> String?
    /// The body sent upstream, built from the client's body with `override_params` merged in.
    func body(_ endpoint: GatewayEndpoint, params: JSONValue) -> JSONValue
    /// Whether `body` carries the client's `param` upstream in any form (renamed,
    /// transformed, clamped); the gateway drops every other param without a word.
    func carries(_ param: String, _ endpoint: GatewayEndpoint) -> Bool
    /// Headers beside `Content-Type` (credentials, API version).
    func headers(apiKey: String?) -> HTTPHeaders
    /// Which upstream response headers reach the client.
    func passes(header name: String) -> Bool
    /// An upstream answer as the client gets it, under the upstream's status; nil when a
    /// 2xx body is not JSON (a gateway exception).
    func response(_ endpoint: GatewayEndpoint, status: Int, contentType: String?, body: [UInt8], _ context: AnswerContext) -> JSONValue?
    /// A fresh per-request stream transform.
    func streamTransform(_ context: AnswerContext) -> any StreamTransform
}

/// What a translation needs besides the upstream's bytes.
struct AnswerContext {
    /// OpenAI compliance (`x-portkey-strict-open-ai-compliance`, on unless the client says false).
    var strict = true
    /// Seconds since 1970 on the gateway's clock, for the `created` of a translated answer.
    var created = 0
    /// Milliseconds since 1970 on the gateway's clock: a stream's chunk id, when the
    /// provider gives none, is `<provider>-<this>`.
    var nowMs = 0
}

private let retryAfterNames = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"]

extension PortkeyProvider {
    /// Retry-After in its three spellings always reaches the client (and the retry logic).
    func passes(header name: String) -> Bool {
        // Compared without a lowered copy: this runs for every header of every answer.
        retryAfterNames.contains { HTTPHeaders.same($0, name) }
    }

    /// Portkey's `generateErrorResponse`: `"<provider> error: <message>"`, the rest kept or null.
    func errorEnvelope(message: String, type: JSONValue?, param: JSONValue? = nil, code: JSONValue? = nil) -> JSONValue {
        ErrorEnvelope.portkey(message: "\(name) error: \(message)", type: type ?? .null, param: param ?? .null, code: code ?? .null, provider: name)
    }

    /// Portkey's `generateInvalidProviderResponseError`.
    func invalidResponse(_ body: JSONValue) -> JSONValue {
        ErrorEnvelope.portkey(message: "Invalid response received from \(name): \(body.javaScriptCompact)", provider: name)
    }

    /// How the gateway reads a text or HTML body: `{"html-message": text}`.
    static func htmlMessage(_ body: [UInt8]) -> JSONValue {
        .object([("html-message", .string(String(decoding: body, as: UTF8.self)))])
    }

    static func isText(_ contentType: String?) -> Bool {
        let type = contentType?.lowercased() ?? ""
        return type.hasPrefix("text/plain") || type.hasPrefix("text/html")
    }
}

/// What a stream transform makes of one upstream event (split on a blank line).
enum StreamStep: Equatable {
    case emit([UInt8])
    /// Nothing for the client (Anthropic's `ping`).
    case skip
    /// The event does not parse: the gateway's stream ends here.
    case fail
}

protocol StreamTransform {
    mutating func transform(_ event: String) -> StreamStep
}

/// The providers the embedded gateway speaks to, by name.
enum PortkeyProviders {
    static let all: [any PortkeyProvider] = [OllamaProvider(), OpenAIProvider(), AnthropicProvider()]

    static func named(_ name: String) -> (any PortkeyProvider)? { all.first { $0.name == name } }

    static var names: String { all.map(\.name).joined(separator: ", ") }
}

/// One parameter of a provider's request config (`ProviderConfig` in the gateway): the
/// client's key, the upstream key (dotted for nesting), bounds for numbers, a default
/// used only when the parameter is required and missing, and an optional transform.
struct ParamRule: @unchecked Sendable {
    var key: String
    var to: String
    var min: Double?
    var max: Double?
    var required = false
    var fallback: JSONValue?
    var transform: ((JSONValue) -> JSONValue)?

    init(_ key: String, to: String? = nil, min: Double? = nil, max: Double? = nil, required: Bool = false,
         default fallback: JSONValue? = nil, transform: ((JSONValue) -> JSONValue)? = nil) {
        self.key = key
        self.to = to ?? key
        self.min = min
        self.max = max
        self.required = required
        self.fallback = fallback
        self.transform = transform
    }

    /// `transformToProviderRequest`: each rule in order; a present parameter is
    /// transformed and clamped, a missing required one takes its default.
    static func apply(_ rules: [ParamRule], to params: JSONValue) -> JSONValue {
        var out: JSONValue = .object([])
        for rule in rules {
            if let given = params[rule.key] {
                var value = rule.transform.map { $0(params) } ?? given
                if let n = value.doubleValue {
                    if let lo = rule.min, n < lo { value = Self.number(lo) } else if let hi = rule.max, n > hi { value = Self.number(hi) }
                }
                out = Self.setting(out, path: rule.to.split(separator: ".").map(String.init), value)
            } else if rule.required, let fallback = rule.fallback {
                out = Self.setting(out, path: rule.to.split(separator: ".").map(String.init), fallback)
            }
        }
        return out
    }

    /// `override_params` merged over the request body (the config wins).
    static func merged(_ body: JSONValue, overrides: [(String, JSONValue)]) -> JSONValue {
        var merged = body.objectValue ?? []
        for (key, value) in overrides {
            if let i = merged.firstIndex(where: { $0.0 == key }) {
                // A config often overrides a param with the value the client sent (its model):
                // left alone, the client's members are not copied. Only the same string,
                // integer or flag counts as the same: `==` takes 2 and 2.0, and objects with
                // their keys in another order, as equal, and the override's spelling is sent.
                if !Self.sameScalar(merged[i].1, value) { merged[i].1 = value }
            } else {
                merged.append((key, value))
            }
        }
        return .object(merged)
    }

    static func sameScalar(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        default: return false
        }
    }

    static func number(_ d: Double) -> JSONValue { d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d) }

    static func setting(_ object: JSONValue, path: [String], _ value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        if path.count == 1 { return object.setting(first, value) }
        return object.setting(first, setting(object[first] ?? .object([]), path: Array(path.dropFirst()), value))
    }
}
