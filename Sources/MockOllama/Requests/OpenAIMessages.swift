import LabCore

/// `/v1/chat/completions` messages as Ollama's OpenAI layer turns them into native ones
/// (`FromChatRequest`), with its refusals: a string content is one message, each part of a
/// list its own (so two text parts are two messages), and any other content is allowed only
/// beside tool calls. Image parts are checked as Ollama checks them, then left out: the mock
/// model sees no images. Pure.
enum OpenAIMessages {
    static let supportedImageTypes = ["jpeg", "jpg", "png", "webp"]

    /// The native messages, or Ollama's 400 message for the first one it refuses.
    static func native(_ messages: [JSONValue]) -> Result<[ChatMessage], Refusal> {
        var out: [ChatMessage] = []
        out.reserveCapacity(messages.count)
        for message in messages {
            let role = message["role"]?.stringValue ?? ""
            let toolCalls = message["tool_calls"].flatMap { $0.isNull ? nil : $0.arrayValue }
            switch message["content"] ?? .null {
            case .string(let text):
                if let refused = checkArguments(toolCalls) { return .failure(refused) }
                out.append(ChatMessage(role: role, content: text))
            case .array(let parts):
                for part in parts {
                    guard case .object = part else { return .failure(.format) }
                    switch part["type"] {
                    case .string("text")?:
                        guard let text = part["text"]?.stringValue else { return .failure(.format) }
                        out.append(ChatMessage(role: role, content: text))
                    case .string("image_url")?:
                        if let refused = checkImage(part["image_url"]) { return .failure(refused) }
                    default:
                        return .failure(.format)
                    }
                }
                // Ollama hangs tool calls on the last message made so far, checking them then.
                if !out.isEmpty, let calls = toolCalls, !calls.isEmpty, let refused = checkArguments(calls) {
                    return .failure(refused)
                }
            case let other:
                guard let calls = toolCalls else { return .failure(.contentType(goTypeName(other))) }
                if let refused = checkArguments(calls) { return .failure(refused) }
                out.append(ChatMessage(role: role, content: ""))
            }
        }
        return .success(out)
    }

    enum Refusal: Error, Equatable {
        /// A part that is not an object, of an unknown type, or a text part without text.
        case format
        case imageInput
        case contentType(String)
        case toolCallArguments

        var message: String {
            switch self {
            case .format: return "invalid message format"
            case .imageInput: return "invalid image input"
            case .contentType(let type): return "invalid message content type: \(type)"
            case .toolCallArguments: return "invalid tool call arguments"
            }
        }
    }

    /// `%T` of a JSON value decoded into Go's `any`.
    static func goTypeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int, .double: return "float64"
        case .string: return "string"
        case .array: return "[]interface {}"
        case .object: return "map[string]interface {}"
        }
    }

    /// `image_url` as `{url}` or a bare string, a base64 data URI of a type Ollama takes.
    private static func checkImage(_ value: JSONValue?) -> Refusal? {
        let url: String
        switch value {
        case .object?:
            guard let u = value?["url"]?.stringValue else { return .format }
            url = u
        case .string(let u)?: url = u
        default: return .format
        }
        var payload: Substring?
        if url.hasPrefix("data:;base64,") { payload = url.dropFirst("data:;base64,".utf8.count) }
        for type in supportedImageTypes where payload == nil {
            let prefix = "data:image/\(type);base64,"
            if url.hasPrefix(prefix) { payload = url.dropFirst(prefix.utf8.count) }
        }
        guard let data = payload else { return .imageInput }
        return Base64.firstCorruptByte(Array(data.utf8)) == nil ? nil : .format
    }

    /// Each call's `function.arguments` is read as a JSON object (or `null`).
    private static func checkArguments(_ calls: [JSONValue]?) -> Refusal? {
        for call in calls ?? [] {
            let arguments = call["function"]?["arguments"]?.stringValue ?? ""
            guard let parsed = try? JSONParser.parse(Array(arguments.utf8)) else { return .toolCallArguments }
            switch parsed {
            case .object, .null: continue
            default: return .toolCallArguments
            }
        }
        return nil
    }
}
