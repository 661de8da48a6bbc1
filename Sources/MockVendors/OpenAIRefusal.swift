/// A 400 as OpenAI words it: the message, the `param` it names and its `code`. What the
/// pure checks of a request (`ReasoningModels`, `OpenAIToolPairing`, `ToolNameRules`)
/// return, and the fake OpenAI sends as it is.
struct OpenAIRefusal: Equatable {
    let message: String
    let param: String
    var code: String? = nil
}
