/// The OpenAI error envelope, `{"error":{"message","type","param","code"}}`: what OpenAI,
/// Ollama's `/v1` and the Portkey gateway all answer errors in. The one place it is built.
public enum ErrorEnvelope {
    /// `type`, `param` and `code` are JSON (null when absent), as each speaker fills them differently.
    public static func openAI(message: String, type: JSONValue = .null, param: JSONValue = .null, code: JSONValue = .null) -> JSONValue {
        ["error": ["message": .string(message), "type": type, "param": param, "code": code]]
    }

    /// The same, with Portkey's `provider` beside it.
    public static func portkey(message: String, type: JSONValue = .null, param: JSONValue = .null, code: JSONValue = .null, provider: String) -> JSONValue {
        openAI(message: message, type: type, param: param, code: code).setting("provider", .string(provider))
    }

    /// Ollama's error: `{"error":"…"}` natively; on its `/v1` the OpenAI envelope with
    /// `invalid_request_error` (400), `not_found_error` (404) or `api_error`.
    public static func ollama(_ surface: ErrorSurface, status: Int, message: String) -> JSONValue {
        guard surface != .native else { return ["error": .string(message)] }
        let type = status == 400 ? "invalid_request_error" : status == 404 ? "not_found_error" : "api_error"
        return openAI(message: message, type: .string(type))
    }
}
