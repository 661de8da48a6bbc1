import LabCore
/// What a model can do, as `/api/show` reports it and as requests are checked
/// against: real Ollama answers 400 when a request needs what the model lacks.
public enum Capability: String, CaseIterable, Sendable {
    case completion, tools, thinking, vision, embedding, insert

    /// The defaults of the model families in Ollama's library, by name prefix: the
    /// first match wins, so `llama3.2-vision` is found before `llama3.2`.
    static let families: [(prefix: String, capabilities: [Capability])] = [
        ("llama3.2-vision", [.completion, .vision]),
        ("llama3.1", [.completion, .tools]), ("llama3.2", [.completion, .tools]), ("llama3.3", [.completion, .tools]),
        ("llama4", [.completion, .tools, .vision]),
        ("qwen3", [.completion, .tools, .thinking]), ("qwq", [.completion, .tools, .thinking]),
        ("gpt-oss", [.completion, .tools, .thinking]), ("deepseek-r1", [.completion, .tools, .thinking]),
        ("magistral", [.completion, .tools, .thinking]),
        ("qwen2.5vl", [.completion, .vision]), ("qwen2.5-coder", [.completion, .tools, .insert]),
        ("qwen2.5", [.completion, .tools]), ("qwen2", [.completion, .tools]),
        ("mistral-small", [.completion, .tools, .vision]), ("mistral", [.completion, .tools]), ("mixtral", [.completion, .tools]),
        ("command-r", [.completion, .tools]), ("hermes3", [.completion, .tools]), ("granite3", [.completion, .tools]),
        ("smollm2", [.completion, .tools]), ("firefunction", [.completion, .tools]), ("nemotron", [.completion, .tools]),
        ("gemma3", [.completion, .vision]), ("llava", [.completion, .vision]), ("bakllava", [.completion, .vision]),
        ("minicpm-v", [.completion, .vision]), ("moondream", [.completion, .vision]),
        ("codellama", [.completion, .insert]), ("starcoder2", [.completion, .insert]),
    ]

    /// `llama3` → completion only (it has no tool template); `qwen3` → completion, tools,
    /// thinking; names with `embed`, `minilm` or `bge` → embedding.
    public static func defaults(for name: ModelName) -> [Capability] {
        let model = name.model.lowercased()
        if ["embed", "minilm", "bge"].contains(where: { model.contains($0) }) { return [.embedding] }
        let base = model.split(separator: "/").last.map(String.init) ?? model
        return families.first { base.hasPrefix($0.prefix) }?.capabilities ?? [.completion]
    }
}

extension MockModel {
    public func supports(_ capability: Capability) -> Bool { capabilities.contains(capability.rawValue) }

    /// Real Ollama's 400 for a request that needs a capability the model lacks:
    /// `registry.ollama.ai/library/llama3:latest does not support tools`.
    func lacks(_ capability: Capability) -> String {
        "\(name.fullName) does not support \(capability.rawValue)"
    }
}
