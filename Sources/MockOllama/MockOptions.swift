import LabCore

/// How fast a model "generates": time to the first token and tokens per second
/// after it, in lab milliseconds. Zero and nil mean no delay.
public struct Pacing: Equatable, Sendable {
    public var timeToFirstTokenMs: Int
    public var tokensPerSecond: Double?
    /// A model not in memory takes this long to load before its first answer (Ollama's
    /// `load_duration`); it stays loaded five minutes after its last use.
    public var loadMs: Int

    public init(timeToFirstTokenMs: Int = 0, tokensPerSecond: Double? = nil, loadMs: Int = 0) {
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.tokensPerSecond = tokensPerSecond
        self.loadMs = loadMs
    }

    public static let none = Pacing()

    /// The speeds lab.conf and `lab mock` take: from a token every 1,000 s (slower and a
    /// short answer would outlast any lab) to a million a second.
    public static let tokensPerSecondRange: ClosedRange<Double> = 0.001...1_000_000

    /// About what a small model on a GPU shows through Ollama: a second to the first
    /// token (as the original demo's direct request took), then 50 tokens a second.
    public static let smallModel = Pacing(timeToFirstTokenMs: 1000, tokensPerSecond: 50)

    /// Lab milliseconds at which token `index` (0-based) is ready.
    public func tokenTimeMs(_ index: Int) -> Int {
        guard let tps = tokensPerSecond, tps > 0 else { return timeToFirstTokenMs }
        return timeToFirstTokenMs + Int((Double(index) * 1000 / tps).rounded())
    }
}

/// A fixed answer for prompts matching a pattern (a case-insensitive regular
/// expression tried against the last user message or the prompt).
public struct CannedAnswer: Sendable {
    public var pattern: String
    public var answer: String
    /// When the request offers tools: call this one with these arguments instead.
    public var toolCall: (name: String, arguments: JSONValue)?

    public init(pattern: String, answer: String, toolCall: (name: String, arguments: JSONValue)? = nil) {
        self.pattern = pattern
        self.answer = answer
        self.toolCall = toolCall
    }
}

/// Everything that shapes one mock Ollama's answers.
public struct MockOptions: Sendable {
    public var models: [ModelName]
    public var seed: UInt64
    public var version: String
    public var cannedAnswers: [CannedAnswer]
    public var pacing: Pacing
    /// Per-model pacing, by model key (`llama3:latest`), overriding `pacing`.
    public var modelPacing: [String: Pacing]
    /// Per-model capabilities, by model key, overriding the family defaults.
    public var capabilities: [String: [Capability]] = [:]
    /// Per-model context window in tokens, by model key, overriding the size-based default.
    public var contextLengths: [String: Int] = [:]
    /// What a prompt longer than the context window gets.
    public var contextOverflow = ContextOverflow.truncate
    /// Origins allowed beside Ollama's own, as `OLLAMA_ORIGINS` lists them.
    public var origins: [String] = []
    /// The machine a loopback-bound Ollama would run on; set, it turns on Ollama's Host
    /// check (which a real Ollama makes only when bound to a loopback address).
    public var hostCheck: AccessPolicy.Machine?
    /// How long a model stays in memory after its last answer, in nanoseconds, unless a
    /// request says otherwise: Ollama's `OLLAMA_KEEP_ALIVE` (`GoDuration.forever` for a
    /// negative one, 0 to unload after each answer).
    public var keepAlive = GoDuration.fiveMinutes
    /// How many models fit in memory at once (`OLLAMA_MAX_LOADED_MODELS`, or what the GPU
    /// holds); nil is no limit.
    public var maxLoadedModels: Int?
    /// Requests that may wait for Ollama's scheduler while it makes room for a model
    /// (`OLLAMA_MAX_QUEUE`, 512 by default); the next one is refused with a 503.
    public var maxQueue = 512

    public init(models: [ModelName] = [ModelName("llama3")!], seed: UInt64 = 0, version: String = "0.31.0",
                cannedAnswers: [CannedAnswer] = [], pacing: Pacing = .none, modelPacing: [String: Pacing] = [:]) {
        self.models = models
        self.seed = seed
        self.version = version
        self.cannedAnswers = cannedAnswers
        self.pacing = pacing
        self.modelPacing = modelPacing
    }

    public func pacing(for model: ModelName) -> Pacing {
        modelPacing[model.key] ?? pacing
    }
}

/// What the model does with a prompt longer than its context window.
public enum ContextOverflow: String, Sendable, CaseIterable {
    /// Ollama's default: keep what fits and answer; a request with `truncate: false` is refused.
    case truncate
    /// Refuse every such prompt with Ollama's 400 (as a backend with a hard limit does).
    case error
}
