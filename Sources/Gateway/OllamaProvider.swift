import LabCore
import LabHTTP

/// The gateway's `ollama` provider (`src/providers/ollama/`): chat on Ollama's
/// OpenAI-compatible `/v1/chat/completions`, embeddings on the native `/api/embeddings`.
struct OllamaProvider: PortkeyProvider {
    let name = "ollama"
    let defaultBaseURL = "http://localhost:11434"

    func path(_ endpoint: GatewayEndpoint) -> String? {
        switch endpoint {
        case .chatComplete: return "/v1/chat/completions"
        case .embed: return "/api/embeddings"
        case .complete: return nil
        }
    }

    func body(_ endpoint: GatewayEndpoint, params: JSONValue) -> JSONValue {
        endpoint == .embed ? ["model": params["model"] ?? .null, "prompt": params["input"] ?? .null] : Self.chatBody(params)
    }

    func carries(_ param: String, _ endpoint: GatewayEndpoint) -> Bool {
        // Scanned, lengths first: fourteen short names cost less to compare than to hash.
        endpoint == .embed ? param == "model" || param == "input"
            : Self.chatParams.contains { $0.utf8.count == param.utf8.count && $0 == param }
    }

    /// The params `chatBody` passes on unchanged, in the order it writes them.
    static let passedAsIs = ["frequency_penalty", "presence_penalty", "response_format", "seed", "stop", "stream"]

    /// What `chatBody` reads of the client's params: those, and the ones it rewrites.
    static let chatParams = (passedAsIs + ["model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens",
                                              "tools", "thinking"])

    /// Only the content type goes upstream: no credentials.
    func headers(apiKey: String?) -> HTTPHeaders { HTTPHeaders() }

    /// The chat body Ollama receives: an allow-list with a few rewrites; the rest is dropped.
    static func chatBody(_ params: JSONValue) -> JSONValue {
        var out: [(String, JSONValue)] = [("model", params["model"] ?? "llama2")]
        out.reserveCapacity(8)
        let chat = ChatParams(params)
        if let messages = chat.messages {
            out.append(("messages", .array(messages.map { m in m.role == "developer" ? m.json.setting("role", "system") : m.json })))
        }
        for key in Self.passedAsIs {
            if let v = params[key] { out.append((key, v)) }
        }
        if let t = chat.temperature { out.append(("temperature", .double(min(2, max(0, t))))) }
        if let v = params["top_p"] { out.append(("top_p", v)) }
        out.append(("max_tokens", params["max_tokens"] ?? params["max_completion_tokens"] ?? 100))
        if let v = params["tools"] { out.append(("tools", v)) }
        if let v = params["thinking"] { out.append(("think", v)) }
        return .object(out)
    }

    /// A text or HTML body becomes the "Invalid response" error whatever the status — so
    /// a 200 carries an error and nothing falls back.
    func response(_ endpoint: GatewayEndpoint, status: Int, contentType: String?, body: [UInt8], _ context: AnswerContext) -> JSONValue? {
        if Self.isText(contentType) { return invalidResponse(Self.htmlMessage(body)) }
        guard let json = try? JSONParser.parse(body), case .object = json else {
            if (200...299).contains(status) { return nil }
            return invalidResponse(Self.htmlMessage(body))
        }
        if let error = json["error"] {
            let message: String
            switch endpoint {
            case .embed: message = error.stringValue ?? error["message"]?.stringValue ?? "undefined"
            default: message = error["message"]?.stringValue ?? "undefined"
            }
            return errorEnvelope(message: message, type: error["type"] ?? .null)
        }
        if endpoint == .embed {
            return ["object": "list", "data": [["object": "embedding", "embedding": json["embedding"] ?? [], "index": 0]],
                    "model": json["model"] ?? .null, "usage": ["prompt_tokens": -1, "total_tokens": -1]]
        }
        return ["id": json["id"] ?? .null, "object": json["object"] ?? .null, "created": json["created"] ?? .null,
                "model": json["model"] ?? .null, "provider": "ollama", "choices": json["choices"] ?? [],
                "usage": json["usage"] ?? .null]
    }

    func streamTransform(_ context: AnswerContext) -> any StreamTransform { Chunks() }

    /// Each event re-emitted with `provider` added and usage dropped; an event that is
    /// not JSON ends the stream.
    struct Chunks: StreamTransform {
        mutating func transform(_ event: String) -> StreamStep {
            let payload = event.hasPrefix("data: ") ? String(event.dropFirst(6)) : event
            if payload == "[DONE]" { return .emit(Array("data: [DONE]\n\n".utf8)) }
            guard let json = try? JSONParser.parse(payload), case .object = json else { return .fail }
            let out: JSONValue = ["id": json["id"] ?? .null, "object": json["object"] ?? .null, "created": json["created"] ?? .null,
                                  "model": json["model"] ?? .null, "provider": "ollama", "choices": json["choices"] ?? []]
            return .emit(Array("data: ".utf8) + out.javaScriptCompactBytes + [10, 10])
        }
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

