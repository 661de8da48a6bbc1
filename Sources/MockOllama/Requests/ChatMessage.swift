import LabCore

/// One message of a conversation as the mock model reads it: who spoke and the text.
/// Every surface's message shape (Ollama's, OpenAI's content parts, Anthropic's blocks,
/// Responses input items) becomes this at the edge.
public struct ChatMessage: Sendable, Equatable {
    /// Lower-cased: `system`, `user`, `assistant`, `tool`.
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role.lowercased()
        self.content = content
    }

    /// `{role, content}` with content a string or OpenAI's list of parts whose `text`
    /// parts are joined; a missing role is the user's.
    public init(_ json: JSONValue) {
        self.init(role: json["role"]?.stringValue ?? "user", content: Self.text(json["content"]))
    }

    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .array(let parts)?:
            return parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
        default: return ""
        }
    }

    static func list(_ value: JSONValue?) -> [ChatMessage] { (value?.arrayValue ?? []).map(ChatMessage.init) }
}

/// A function the model may call: OpenAI's `{type: function, function: {…}}`, the flat
/// `{name, description, parameters}` of the Responses API, or Anthropic's `input_schema`.
public struct ToolSpec: Sendable, Equatable {
    public var name: String?
    public var description: String
    /// A JSON schema for the arguments.
    public var parameters: JSONValue

    public init(name: String?, description: String = "", parameters: JSONValue = ["type": "object"]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    public init(_ json: JSONValue) {
        let f = json["function"] ?? json
        self.init(name: f["name"]?.stringValue ?? json["name"]?.stringValue, description: f["description"]?.stringValue ?? "",
                  parameters: f["parameters"] ?? json["parameters"] ?? ["type": "object"])
    }

    static func list(_ value: JSONValue?) -> [ToolSpec] { (value?.arrayValue ?? []).map(ToolSpec.init) }
}

/// `stop`: one string or a list.
public func stopList(_ value: JSONValue?) -> [String] {
    switch value {
    case .string(let s)?: return [s]
    case .array(let items)?: return items.compactMap(\.stringValue)
    default: return []
    }
}

/// Ollama's `options` map: the entries the mock acts on.
struct RuntimeOptions {
    var seed: Int?
    var numPredict: Int?
    var stop: [String] = []
    /// `num_ctx`: the context window for this request.
    var numCtx: Int?

    init(_ json: JSONValue?) {
        seed = json?["seed"]?.intValue
        numPredict = json?["num_predict"]?.intValue
        stop = stopList(json?["stop"])
        numCtx = json?["num_ctx"]?.intValue.flatMap { $0 > 0 ? $0 : nil }
    }
}

/// How a request's prompt may meet the model's window: `options.num_ctx` widens it,
/// `truncate: false` refuses to cut. Read from any body, as Ollama's handlers share it.
struct ContextAsk {
    var window: Int?
    var truncate: Bool?

    init(_ body: JSONValue) {
        window = RuntimeOptions(body["options"]).numCtx
        truncate = body["truncate"]?.boolValue
    }
}
