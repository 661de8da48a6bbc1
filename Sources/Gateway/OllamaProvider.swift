import LabCore
import LabHTTP

/// The gateway's `ollama` provider: request and response transforms, pure.
enum OllamaProvider {
    static let defaultHost = "http://localhost:11434"

    enum Endpoint { case chat, embed }

    static func path(_ endpoint: Endpoint) -> String {
        endpoint == .chat ? "/v1/chat/completions" : "/api/embeddings"
    }

    /// `override_params` merged over the request body (the config wins).
    static func params(_ body: JSONValue, overrides: [(String, JSONValue)]) -> JSONValue {
        var merged = body.objectValue ?? []
        for (key, value) in overrides {
            if let i = merged.firstIndex(where: { $0.0 == key }) { merged[i].1 = value } else { merged.append((key, value)) }
        }
        return .object(merged)
    }

    /// The chat body Ollama receives: an allow-list with a few rewrites; the rest is dropped.
    static func chatBody(_ params: JSONValue) -> JSONValue {
        var out: [(String, JSONValue)] = [("model", params["model"] ?? "llama2")]
        if let messages = params["messages"]?.arrayValue {
            out.append(("messages", .array(messages.map { m in
                m["role"]?.stringValue == "developer" ? m.setting("role", "system") : m
            })))
        }
        for key in ["frequency_penalty", "presence_penalty", "response_format", "seed", "stop", "stream"] {
            if let v = params[key] { out.append((key, v)) }
        }
        if let t = params["temperature"]?.doubleValue { out.append(("temperature", .double(min(2, max(0, t))))) }
        if let v = params["top_p"] { out.append(("top_p", v)) }
        out.append(("max_tokens", params["max_tokens"] ?? params["max_completion_tokens"] ?? 100))
        if let v = params["tools"] { out.append(("tools", v)) }
        if let v = params["thinking"] { out.append(("think", v)) }
        return .object(out)
    }

    static func embedBody(_ params: JSONValue) -> JSONValue {
        ["model": params["model"] ?? .null, "prompt": params["input"] ?? .null]
    }

    /// An upstream answer turned into what the gateway's client gets, under the
    /// upstream's status. A text or HTML body becomes the "Invalid response" error
    /// whatever the status — so a 200 carries an error and nothing falls back. Returns
    /// nil when any other 2xx body is not JSON: that is a gateway exception.
    static func response(_ endpoint: Endpoint, status: Int, contentType: String?, body: [UInt8]) -> JSONValue? {
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("text/plain") || type.hasPrefix("text/html") {
            return invalidResponse(String(decoding: body, as: UTF8.self))
        }
        let parsed = try? JSONParser.parse(body)
        guard let json = parsed, case .object = json else {
            if (200...299).contains(status) { return nil }
            return invalidResponse(String(decoding: body, as: UTF8.self))
        }
        if let error = json["error"] {
            let message: String
            switch endpoint {
            case .chat: message = error["message"]?.stringValue ?? "undefined"
            case .embed: message = error.stringValue ?? error["message"]?.stringValue ?? "undefined"
            }
            return ["error": ["message": .string("ollama error: \(message)"), "type": error["type"] ?? .null, "param": nil, "code": nil],
                    "provider": "ollama"]
        }
        switch endpoint {
        case .chat:
            return ["id": json["id"] ?? .null, "object": json["object"] ?? .null, "created": json["created"] ?? .null,
                    "model": json["model"] ?? .null, "provider": "ollama", "choices": json["choices"] ?? [],
                    "usage": json["usage"] ?? .null]
        case .embed:
            return ["object": "list", "data": [["object": "embedding", "embedding": json["embedding"] ?? [], "index": 0]],
                    "model": json["model"] ?? .null, "usage": ["prompt_tokens": -1, "total_tokens": -1]]
        }
    }

    /// Text and HTML bodies become `{"html-message": text}` and then this error.
    static func invalidResponse(_ text: String) -> JSONValue {
        let inner = JSONValue.object([("html-message", .string(text))]).javaScriptCompact
        return ["error": ["message": .string("Invalid response received from ollama: \(inner)"), "type": nil, "param": nil, "code": nil],
                "provider": "ollama"]
    }

    /// One upstream SSE event re-emitted as the gateway does: `provider` added, usage dropped.
    /// Returns nil for an event that is not JSON (the gateway's stream then ends).
    static func streamEvent(_ event: String) -> [UInt8]? {
        let payload = event.hasPrefix("data: ") ? String(event.dropFirst(6)) : event
        if payload == "[DONE]" { return Array("data: [DONE]\n\n".utf8) }
        guard let json = try? JSONParser.parse(payload), case .object = json else { return nil }
        let out: JSONValue = ["id": json["id"] ?? .null, "object": json["object"] ?? .null, "created": json["created"] ?? .null,
                              "model": json["model"] ?? .null, "provider": "ollama", "choices": json["choices"] ?? []]
        return Array("data: ".utf8) + out.javaScriptCompact.utf8 + [10, 10]
    }
}

/// How Node's fetch (undici) describes network failures; the gateway turns them into
/// a 500 text body `Message: … Cause: … Name: TypeError`.
enum NodeFetchError {
    static func text(_ error: HTTPClientError) -> (status: Int, text: String) {
        let cause: String
        switch error {
        case .refused(let address): cause = "Error: connect ECONNREFUSED \(address)"
        case .nameNotResolved(let host): cause = "Error: getaddrinfo ENOTFOUND \(host)"
        case .closedBeforeResponse, .closedMidBody: cause = "SocketError: other side closed"
        case .reset: cause = "Error: read ECONNRESET"
        case .connectTimeout: return (503, "Message: fetch failed Cause: ConnectTimeoutError: Connect Timeout Error Name: TypeError")
        case .invalidResponse(let why): cause = "Error: \(why)"
        case .other(let why): cause = "Error: \(why)"
        case .responseTimeout, .cancelled, .invalidURL: cause = "Error: \(error)"
        }
        return (500, "Message: fetch failed Cause: \(cause) Name: TypeError")
    }
}

