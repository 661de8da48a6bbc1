import LabCore
import LabHTTP

/// Error answers shaped like each provider's own, for faults that replace an answer
/// with an error: the body, its content type, and the headers the vendor sends with it.
public enum ProviderErrors {
    public struct Shaped {
        public var bytes: [UInt8]
        public var contentType: String
        /// Vendor headers: OpenAI's `x-ratelimit-*`, Anthropic's `anthropic-ratelimit-*`,
        /// `request-id` and `retry-after`.
        public var headers: HTTPHeaders = HTTPHeaders()
    }

    /// Ollama's own wording.
    public static func message(_ status: Int) -> String {
        switch status {
        case 429: return "too many requests, please slow down"
        case 500: return "internal server error"
        case 502: return "bad gateway"
        case 503: return "server busy, please try again.  maximum pending requests exceeded"
        case 504: return "gateway timeout"
        default: return HTTPStatus.reason(status).lowercased()
        }
    }

    public static func body(status: Int, surface: ErrorSurface, message: String? = nil) -> Shaped {
        switch surface {
        case .native, .ollamaOpenAI:
            return Shaped(bytes: ErrorEnvelope.ollama(surface, status: status, message: message ?? Self.message(status)).compactBytes,
                          contentType: surface.jsonContentType)
        case .openAI:
            let (type, code, text) = OpenAIErrors.kind(status)
            let value = ErrorEnvelope.openAI(message: message ?? text, type: .string(type), code: code.map(JSONValue.string) ?? .null)
            return Shaped(bytes: value.compactBytes, contentType: "application/json", headers: OpenAIErrors.headers(status))
        case .anthropic:
            let (type, text) = AnthropicErrors.kind(status)
            return Shaped(bytes: AnthropicErrors.envelope(type: type, message: message ?? text).compactBytes, contentType: "application/json",
                          headers: AnthropicErrors.headers(status))
        case .plain:
            return Shaped(bytes: Array("\(status) \(message ?? Self.message(status))".utf8), contentType: "text/plain; charset=utf-8")
        }
    }
}

/// OpenAI's error types, codes and wording by status, and the headers of its errors.
public enum OpenAIErrors {
    public static func kind(_ status: Int) -> (type: String, code: String?, message: String) {
        switch status {
        case 400: return ("invalid_request_error", nil, "Invalid request.")
        case 401: return ("invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
        case 403: return ("invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported")
        case 404: return ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it.")
        case 408: return ("timeout", nil, "Request timed out.")
        case 429: return ("requests", "rate_limit_exceeded", "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again later.")
        case 500: return ("server_error", nil, "The server had an error while processing your request. Sorry about that!")
        case 502: return ("server_error", nil, "Bad gateway.")
        case 503: return ("server_error", nil, "The engine is currently overloaded, please try again later.")
        case 504: return ("server_error", nil, "Gateway timeout.")
        default: return (status >= 500 ? "server_error" : "invalid_request_error", nil, HTTPStatus.reason(status))
        }
    }

    /// A 429 says the request budget is spent; every error names its request.
    public static func headers(_ status: Int) -> HTTPHeaders {
        var h: HTTPHeaders = ["x-request-id": "req_lab_fault"]
        if status == 429 {
            h.add("x-ratelimit-limit-requests", "500")
            h.add("x-ratelimit-remaining-requests", "0")
            h.add("x-ratelimit-reset-requests", "1s")
        }
        return h
    }
}

/// Anthropic's error types and wording by status, its envelope, and its error headers.
public enum AnthropicErrors {
    public static func kind(_ status: Int) -> (type: String, message: String) {
        switch status {
        case 400: return ("invalid_request_error", "Invalid request.")
        case 401: return ("authentication_error", "invalid x-api-key")
        case 403: return ("permission_error", "Your API key does not have permission to use the specified resource.")
        case 404: return ("not_found_error", "The requested resource could not be found.")
        case 413: return ("request_too_large", "Request exceeds the maximum allowed number of bytes.")
        case 429: return ("rate_limit_error", "Number of requests has exceeded your rate limit. Please try again later.")
        case 500: return ("api_error", "Internal server error")
        case 529: return ("overloaded_error", "Overloaded")
        default: return (status >= 500 ? "api_error" : "invalid_request_error", HTTPStatus.reason(status))
        }
    }

    public static func envelope(type: String, message: String, requestID: String = "req_lab_fault") -> JSONValue {
        ["type": "error", "error": ["type": .string(type), "message": .string(message)], "request_id": .string(requestID)]
    }

    /// A 429 carries `retry-after` (Anthropic always sends it) and a spent request budget.
    public static func headers(_ status: Int) -> HTTPHeaders {
        var h: HTTPHeaders = ["request-id": "req_lab_fault"]
        if status == 429 {
            h.add("anthropic-ratelimit-requests-limit", "50")
            h.add("anthropic-ratelimit-requests-remaining", "0")
            h.add("retry-after", "1")
        }
        if status == 529 || status == 500 { h.add("x-should-retry", "true") }
        return h
    }
}
