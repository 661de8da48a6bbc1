import LabCore

/// A model the mock pretends to have: plausible details derived from its name,
/// the same on every run. Immutable, and a class: every request reads its model, and a
/// struct of a dozen reference-counted fields was copied and destroyed each time (about
/// 700 instructions a request).
public final class MockModel: Sendable {
    public let name: ModelName
    public let family: String
    public let parameterSize: String
    public let parameterCount: Int
    public let quantization: String
    public let sizeBytes: Int
    public let digest: String
    /// RFC 3339 with nanoseconds, as Ollama writes it.
    public let modifiedAt: String
    /// Seconds since 1970, for `/v1/models`.
    public let modifiedUnix: Int
    public let contextLength: Int
    public let embeddingLength: Int
    public let capabilities: [String]

    init(name: ModelName, family: String, parameterSize: String, parameterCount: Int, quantization: String, sizeBytes: Int,
         digest: String, modifiedAt: String, modifiedUnix: Int, contextLength: Int, embeddingLength: Int, capabilities: [String]) {
        self.name = name
        self.family = family
        self.parameterSize = parameterSize
        self.parameterCount = parameterCount
        self.quantization = quantization
        self.sizeBytes = sizeBytes
        self.digest = digest
        self.modifiedAt = modifiedAt
        self.modifiedUnix = modifiedUnix
        self.contextLength = contextLength
        self.embeddingLength = embeddingLength
        self.capabilities = capabilities
    }

    /// The same model under another name (`/api/copy`).
    func renamed(_ name: ModelName) -> MockModel {
        MockModel(name: name, family: family, parameterSize: parameterSize, parameterCount: parameterCount, quantization: quantization,
                  sizeBytes: sizeBytes, digest: digest, modifiedAt: modifiedAt, modifiedUnix: modifiedUnix, contextLength: contextLength,
                  embeddingLength: embeddingLength, capabilities: capabilities)
    }

    public var isEmbeddingOnly: Bool { !capabilities.contains("completion") }

    /// Details for a name: embedding models (names with `embed`, `minilm`, `bge`)
    /// only embed; the rest have their family's capabilities (`Capability.defaults`),
    /// unless `capabilities` says otherwise; a context window of 8,192 tokens (2,048 for an
    /// embedding model) unless `contextLength` says otherwise.
    public static func make(_ name: ModelName, modifiedUnix: Int? = nil, capabilities: [Capability]? = nil, contextLength: Int? = nil) -> MockModel {
        let lower = name.model.lowercased()
        let embedding = ["embed", "minilm", "bge"].contains { lower.contains($0) }
        let letters = String(lower.prefix { $0.isLetter })
        var random = SeededRandom(seed: 7, key: name.key)
        let billions = Self.billions(fromTag: name.tag) ?? (embedding ? 0.137 : 8.0)
        let count = Int(billions * 1e9)
        // Spread fixed modification times over 2026 so "newest first" has a meaning.
        let modified = modifiedUnix ?? (1_767_225_600 + Int(random.next() % 25_000_000))
        return MockModel(
            name: name,
            family: embedding ? "nomic-bert" : (letters.isEmpty ? "llama" : letters),
            parameterSize: billions < 1 ? "\(Int(billions * 1000))M" : "\(Self.oneDecimal(billions))B",
            parameterCount: count,
            quantization: embedding ? "F16" : "Q4_0",
            sizeBytes: embedding ? count * 2 : count * 9 / 16,
            digest: StableHash.hexDigest(name.key),
            modifiedAt: WallClock.rfc3339(unixSeconds: modified, nanos: Int(random.next() % 1_000_000_000), utcOffset: true),
            modifiedUnix: modified,
            contextLength: contextLength ?? (embedding ? 2048 : 8192),
            embeddingLength: embedding ? 768 : 4096,
            capabilities: (capabilities ?? Capability.defaults(for: name)).map(\.rawValue))
    }

    /// `8b` → 8, `0.5b` → 0.5, `70b-instruct-q4` → 70.
    static func billions(fromTag tag: String) -> Double? {
        let lower = tag.lowercased()
        guard let b = lower.firstIndex(of: "b") else { return nil }
        let number = lower[..<b].split(separator: "-").last.map(String.init) ?? ""
        return Double(number)
    }

    static func oneDecimal(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
