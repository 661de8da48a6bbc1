import LabCore

/// One answer of the mock model, independent of any vendor's wire format: what the
/// fake OpenAI and Anthropic render in their own shapes. The same conversation,
/// tools and seed give the same turn on every fake.
public struct ModelTurn: Sendable {
    public struct Call: Sendable {
        public var id: String
        public var name: String
        /// Always a JSON object.
        public var arguments: JSONValue
    }

    public var thinking: [String]
    /// The answer's tokens: their concatenation is the text, each one stream chunk.
    public var tokens: [String]
    /// `stop` or `length`, or `tool_calls` when the model calls tools.
    public var finish: String
    public var calls: [Call]
    /// The conversation's length in tokens (after the context window, when it fits).
    public var promptTokens: Int

    public var text: String { tokens.joined() }
}

/// What a turn is asked for, in OpenAI's terms (the other vendors translate to them).
public struct TurnRequest: Sendable {
    /// A `tool` role message carries a tool result.
    public var messages: [ChatMessage]
    public var tools: [ToolSpec] = []
    /// A JSON schema the answer must satisfy, or `{}` for any JSON object.
    public var jsonSchema: JSONValue?
    public var think = false
    public var seed: Int?
    public var maxTokens: Int?
    public var stop: [String] = []

    public init(messages: [ChatMessage], tools: [ToolSpec] = [], jsonSchema: JSONValue? = nil, think: Bool = false,
                seed: Int? = nil, maxTokens: Int? = nil, stop: [String] = []) {
        self.messages = messages
        self.tools = tools
        self.jsonSchema = jsonSchema
        self.think = think
        self.seed = seed
        self.maxTokens = maxTokens
        self.stop = stop
    }
}

extension MockOllama {
    /// The model's turn, or the window's refusal (Ollama's message) when the prompt does
    /// not fit a model whose overflow is an error. The model must be in the catalogue.
    public func turn(model name: String, _ r: TurnRequest) -> Result<ModelTurn, ContextRefusal> {
        let model = catalogue.find(name) ?? MockModel.make(ModelName(name) ?? ModelName("llama3")!)
        now = clock()
        var ask = ChatAsk()
        ask.tools = r.tools
        ask.think = r.think
        if let schema = r.jsonSchema { ask.format = schema.objectValue?.isEmpty == false ? .schema(schema) : .json }
        let gen = generation(model, messages: r.messages, ask: ask, seed: r.seed, maxTokens: r.maxTokens, stop: r.stop)
        let window = model.contextLength
        if gen.promptTokens > window, options.contextOverflow == .error { return .failure(ContextRefusal(window: window, promptTokens: gen.promptTokens)) }
        return .success(ModelTurn(thinking: gen.thinking, tokens: gen.content.tokens,
                                  finish: gen.toolCalls.isEmpty ? gen.content.doneReason : "tool_calls",
                                  calls: gen.toolCalls.map { ModelTurn.Call(id: $0.id, name: $0.name, arguments: $0.arguments) },
                                  promptTokens: min(gen.promptTokens, window)))
    }

    /// A request's text length in the mock's tokens.
    public static func tokenCount(_ messages: [ChatMessage]) -> Int {
        Conversation(messages: messages).tokens
    }
}

/// A prompt longer than the model's context window, where that is an error.
public struct ContextRefusal: Error, Sendable {
    public var window: Int
    public var promptTokens: Int
}
