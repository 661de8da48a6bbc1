import LabCore
import LabHTTP

/// `{"status": 503}`: answer with this status instead. Optional `headers`, `body`
/// (a string is sent as is, an object as JSON), `retry_after` (seconds) and
/// `retry_after_ms`. Without a body, 4xx/5xx get the provider's own error shape.
public struct StatusFault: FaultKind {
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

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        Replacement(steps: reply(context).steps)
    }

    private func reply(_ context: FaultContext) -> WireScript {
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
                if name.lowercased() == "retry-after", retryAfterSeconds != nil || context.retryAfterMs != nil { continue }
                h.add(name, value)
            }
        }
        let retrySeconds = retryAfterSeconds ?? context.retryAfterMs.map { ($0 + 999) / 1000 }
        let retryMs = retryAfterMs ?? (retryAfterSeconds == nil ? context.retryAfterMs : nil)
        if let retrySeconds, !h.contains("Retry-After") { h.add("Retry-After", String(retrySeconds)) }
        if let retryMs, !h.contains("retry-after-ms") { h.add("retry-after-ms", String(retryMs)) }
        return WireScript.respond(status: status, headers: h, body: bytes)
    }
}

extension StatusFault {
    public static let keys = ["status", "headers", "body", "retry_after", "retry_after_ms"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let status = fault["status"] else {
            for key in keys.dropFirst() where fault[key] != nil { throw r.fail("fault.\(key)", "only applies with fault.status") }
            return []
        }
        let code = try r.int(status, "fault.status", min: 100)
        guard code <= 599 else { throw r.fail("fault.status", "expected an HTTP status from 100 to 599, got \(code)") }
        var headers = HTTPHeaders()
        if let h = fault["headers"] {
            guard case .object(let pairs) = h else { throw r.fail("fault.headers", "expected an object of header names to values") }
            for (name, v) in pairs {
                guard let text = v.stringValue ?? v.intValue.map(String.init) else { throw r.fail("fault.headers.\(name)", "expected a string") }
                headers.add(name, text)
            }
        }
        return [StatusFault(status: code, headers: headers, body: fault["body"],
                            retryAfterSeconds: try r.int(fault, key: "retry_after", "fault.retry_after", min: 0, max: ConfigReader.maxSeconds),
                            retryAfterMs: try r.ms(fault, key: "retry_after_ms", "fault.retry_after_ms"))]
    }
}
