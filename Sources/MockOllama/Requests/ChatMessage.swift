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
    /// Ollama's refusal of an option of the wrong type (`api.Options.FromMap`), which it
    /// answers with a 500 when it loads the model.
    var refusal: String?

    init(_ json: JSONValue?) {
        seed = json?["seed"]?.intValue
        numPredict = json?["num_predict"]?.intValue
        stop = stopList(json?["stop"])
        numCtx = json?["num_ctx"]?.intValue.flatMap { $0 > 0 ? $0 : nil }
        if case .object(let members)? = json { refusal = Self.refusal(members) }
    }

    enum Kind { case integer, float, boolean, strings }

    /// The options `api.Options` has (its runner options included), by JSON name.
    static let kinds: [String: Kind] = [
        "num_ctx": .integer, "num_batch": .integer, "num_gpu": .integer, "main_gpu": .integer, "use_mmap": .boolean,
        "num_thread": .integer, "num_keep": .integer, "seed": .integer, "num_predict": .integer, "top_k": .integer,
        "top_p": .float, "min_p": .float, "typical_p": .float, "repeat_last_n": .integer, "temperature": .float,
        "repeat_penalty": .float, "presence_penalty": .float, "frequency_penalty": .float, "stop": .strings,
    ]

    /// `FromMap`'s error for the first option of the wrong type. Unknown options are only
    /// logged by Ollama and null ones skipped. Go walks the map in random order; with two
    /// wrong options the mock names the first written, so that a run can be repeated.
    static func refusal(_ members: [(String, JSONValue)]) -> String? {
        for (key, value) in members {
            guard let kind = kinds[key] else { continue }
            switch (kind, value) {
            case (_, .null), (.integer, .int), (.integer, .double), (.float, .int), (.float, .double), (.boolean, .bool):
                continue
            case (.strings, .array(let items)):
                if items.contains(where: { $0.stringValue == nil }) { return "option \"\(key)\" must be of an array of strings" }
            case (.integer, _): return "option \"\(key)\" must be of type integer"
            case (.float, _): return "option \"\(key)\" must be of type float32"
            case (.boolean, _): return "option \"\(key)\" must be of type boolean"
            case (.strings, _): return "option \"\(key)\" must be of type array"
            }
        }
        return nil
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
