/// The error shape a request gets: Ollama's native `{"error":"…"}`, Ollama's
/// OpenAI-compatible envelope, OpenAI's own (with its codes and rate-limit headers),
/// Anthropic's, or plain text.
public enum ErrorSurface: Sendable { case native, ollamaOpenAI, openAI, anthropic, plain }

extension ErrorSurface {
    /// Ollama writes `application/json; charset=utf-8` natively and plain `application/json` elsewhere.
    public var jsonContentType: String { self == .native ? "application/json; charset=utf-8" : "application/json" }
}
