/// Which vendor's API a fake provider speaks. It decides the fake's routes and the
/// shape of every error a fault injects there.
public enum ProviderAPI: String, Sendable, CaseIterable {
    /// Ollama's native `/api/*` and its OpenAI-compatible `/v1/*`.
    case ollama
    /// OpenAI's `/v1/*`, with its error envelope and rate-limit headers.
    case openai
    /// Anthropic's `/v1/messages`, with its event stream, error envelope and headers.
    case anthropic

    /// The vendor, as messages name it: `the fake OpenAI`.
    public var vendor: String {
        switch self {
        case .ollama: return "Ollama"
        case .openai: return "OpenAI"
        case .anthropic: return "Anthropic"
        }
    }
}
