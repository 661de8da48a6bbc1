import LabCore

/// The OpenAI chat params a client sent through the gateway, read once at the edge for
/// the provider transforms. What a transform decides on is typed (roles, whether content
/// is text or parts, tool calls, tool choice); what the gateway passes on unchanged
/// (content parts, ids, schemas) stays as sent, as Portkey's transformers pass it.
struct ChatParams {
    struct Part {
        /// `text`, `image_url`, `tool_use`…
        let type: String?
        /// `text` as sent, when the part has the key at all.
        let text: JSONValue?
        let json: JSONValue

        init(_ json: JSONValue) {
            self.json = json
            type = json["type"]?.stringValue
            text = json["text"]
        }
    }

    struct ToolCall {
        let id: JSONValue?
        let name: JSONValue?
        /// `function.arguments`: a JSON text.
        let arguments: String?

        init(_ json: JSONValue) {
            id = json["id"]
            name = json["function"]?["name"]
            arguments = json["function"]?["arguments"]?.stringValue
        }
    }

    struct Message {
        /// `""` when missing or not a string.
        let role: String
        /// `content` as sent; nil when absent.
        let content: JSONValue?
        /// The content when it is a string.
        var text: String? { content?.stringValue }
        /// The content when it is a list.
        let parts: [Part]?
        let toolCalls: [ToolCall]
        let toolCallID: JSONValue?
        /// The message as sent.
        let json: JSONValue

        init(_ json: JSONValue) {
            self.json = json
            role = json["role"]?.stringValue ?? ""
            content = json["content"]
            parts = content?.arrayValue?.map(Part.init)
            toolCalls = (json["tool_calls"]?.arrayValue ?? []).map(ToolCall.init)
            toolCallID = json["tool_call_id"]
        }
    }

    /// A `{type: function, function: {…}}` tool; its fields as sent.
    struct FunctionTool {
        let name: JSONValue?
        let description: JSONValue?
        let parameters: JSONValue?
    }

    enum ToolChoice {
        case required, auto
        /// `{type: function, function: {name}}`: the name as sent.
        case function(name: JSONValue?)
    }

    /// The params as sent. Each transform reads only its part: the gateway asks for
    /// `stream` on every request and each provider rule for one field.
    let params: JSONValue

    init(_ params: JSONValue) { self.params = params }

    /// Nil when `messages` is missing or not a list.
    var messages: [Message]? { params["messages"]?.arrayValue?.map(Message.init) }

    /// One per tool sent; nil for a tool without `function`.
    var tools: [FunctionTool?] {
        (params["tools"]?.arrayValue ?? []).map { tool in
            tool["function"].map { f in FunctionTool(name: f["name"], description: f["description"], parameters: f["parameters"]) }
        }
    }

    var toolChoice: ToolChoice? {
        switch params["tool_choice"] {
        case .string("required")?: return .required
        case .string("auto")?: return .auto
        case .object?: return .function(name: params["tool_choice"]?["function"]?["name"])
        default: return nil
        }
    }

    var stream: Bool { params["stream"]?.boolValue ?? false }
    var temperature: Double? { params["temperature"]?.doubleValue }
}
