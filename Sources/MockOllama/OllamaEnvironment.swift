import LabCore

/// The variables an Ollama server reads when it starts (its `envconfig`), read as it reads
/// them, so that `lab mock` started with an Ollama's environment behaves as that Ollama
/// would. A flag on the command line wins over its variable. Pure: the variables are given.
public struct OllamaEnvironment {
    /// What a variable came to: not set, a value, or one Ollama would ignore (and keep its
    /// default), with the text as given.
    public enum Reading<Value: Equatable>: Equatable {
        case unset
        case value(Value)
        case ignored(String)

        public var value: Value? {
            if case .value(let v) = self { return v }
            return nil
        }
    }

    let variables: [String: String]

    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// `envconfig.Var`: spaces, then quotes, trimmed; nil when unset or empty.
    public func text(_ name: String) -> String? {
        guard let raw = variables[name] else { return nil }
        let trimmed = raw.trimmingSpaces.trimming(quotes: true)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `OLLAMA_ORIGINS`: split on commas, the entries not trimmed.
    public var origins: [String] {
        text("OLLAMA_ORIGINS").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
    }

    /// `OLLAMA_KEEP_ALIVE` in nanoseconds (`GoDuration.serverKeepAlive`).
    public var keepAlive: Reading<Int> {
        guard let text = text("OLLAMA_KEEP_ALIVE") else { return .unset }
        return GoDuration.serverKeepAlive(text).map { .value($0) } ?? .ignored(text)
    }

    /// `OLLAMA_NUM_PARALLEL`: generation slots per model; 0 is Ollama's automatic choice,
    /// which its scheduler makes 1.
    public var numParallel: Reading<Int> {
        switch count("OLLAMA_NUM_PARALLEL") {
        case .value(let n): return .value(max(n, 1))
        case let other: return other
        }
    }

    /// `OLLAMA_MAX_LOADED_MODELS`: 0 is Ollama's automatic choice (three per GPU), which
    /// the mock, with no GPU, leaves unlimited.
    public var maxLoadedModels: Reading<Int> {
        switch count("OLLAMA_MAX_LOADED_MODELS") {
        case .value(0): return .unset
        case let other: return other
        }
    }

    /// `OLLAMA_MAX_QUEUE`: requests that may wait for the scheduler.
    public var maxQueue: Reading<Int> { count("OLLAMA_MAX_QUEUE") }

    /// `envconfig.Uint`: a whole number of at least 0; anything else keeps Ollama's default.
    func count(_ name: String) -> Reading<Int> {
        guard let text = text(name) else { return .unset }
        guard let n = UInt64(text), n <= UInt64(Int.max) else { return .ignored(text) }
        return .value(Int(n))
    }
}

private extension String {
    func trimming(quotes: Bool) -> String {
        let quote: (Character) -> Bool = { $0 == "\"" || $0 == "'" }
        guard let first = firstIndex(where: { !quote($0) }) else { return "" }
        let last = lastIndex(where: { !quote($0) })!
        return String(self[first...last])
    }
}
