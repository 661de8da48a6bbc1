import LabCore
import LabHTTP

/// `{"status": 503}`: answer with this status instead. Optional `headers`, `body`
/// (a string is sent as is, an object as JSON), `retry_after` (seconds) and
/// `retry_after_ms`. Without a body, 4xx/5xx get the provider's own error shape.
public struct StatusFault: Fault {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: JSONValue?
    public var retryAfterSeconds: Int?
    public var retryAfterMs: Int?
    public let order = 0

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: JSONValue? = nil, retryAfterSeconds: Int? = nil, retryAfterMs: Int? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
        self.retryAfterMs = retryAfterMs
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        var h = headers
        let bytes: [UInt8]
        switch body {
        case .string(let text)?:
            bytes = Array(text.utf8)
            if !h.contains("Content-Type") { h.add("Content-Type", "text/plain; charset=utf-8") }
        case let value?:
            bytes = value.compactBytes
            if !h.contains("Content-Type") { h.add("Content-Type", "application/json") }
        case nil:
            let shaped = ProviderErrors.body(status: status, surface: context.surface)
            bytes = shaped.bytes
            if !h.contains("Content-Type") { h.add("Content-Type", shaped.contentType) }
            // The vendor's own headers, unless the rule sets them (a rule's Retry-After wins).
            for (name, value) in shaped.headers.fields where !h.contains(name) {
                if name.lowercased() == "retry-after", retryAfterSeconds != nil || context.quotaRetryAfterMs != nil { continue }
                h.add(name, value)
            }
        }
        let retrySeconds = retryAfterSeconds ?? context.quotaRetryAfterMs.map { ($0 + 999) / 1000 }
        let retryMs = retryAfterMs ?? (retryAfterSeconds == nil ? context.quotaRetryAfterMs : nil)
        if let retrySeconds, !h.contains("Retry-After") { h.add("Retry-After", String(retrySeconds)) }
        if let retryMs, !h.contains("retry-after-ms") { h.add("retry-after-ms", String(retryMs)) }
        return WireScript.respond(status: status, headers: h, body: bytes)
    }
}
