import LabCore

/// A request body as an Ollama handler decodes it: into a Go struct, whose JSON field
/// types encoding/json checks before the handler sees anything. Each endpoint's typed
/// request says which struct it is and which fields are checked; handlers then read
/// the typed value, never the JSON tree.
protocol GoRequest: SendableMetatype {
    /// The struct (`api.ChatRequest`) and the fields whose JSON type Go checks, with the
    /// Go type it names when one is wrong.
    static var goStruct: GoStruct { get }
    /// The typed request from a JSON object whose checked fields have the right types.
    init(_ body: JSONValue)
}

extension GoRequest {
    /// `api.ChatRequest`: the name encoding/json puts in its errors.
    static var goType: String { goStruct.goType }
    /// `ChatRequest`, as encoding/json names the struct in a field error.
    static var structName: String { goStruct.name }
    static var fields: GoDecoding.Fields { goStruct.fields }
}

/// Every body the mock decodes, for tests that walk all of them.
enum GoRequests {
    static let all: [any GoRequest.Type] = [
        ChatRequest.self, GenerateRequest.self, EmbedRequest.self, EmbeddingRequest.self, ShowRequest.self,
        PullRequest.self, CopyRequest.self, DeleteRequest.self,
        OpenAIChatRequest.self, OpenAICompletionRequest.self, OpenAIEmbedRequest.self, ResponsesRequest.self,
    ]
}
