import Testing
@testable import MockOllama

/// An Ollama's environment read as Ollama's `envconfig` reads it, for `lab mock` to stand in.
@Suite struct OllamaEnvironmentTests {
    @Test func variablesAreTrimmedAsOllamaTrimsThem() {
        let env = OllamaEnvironment(["OLLAMA_ORIGINS": #"  "chrome-extension://*, https://a.example"  "#, "OLLAMA_KEEP_ALIVE": "''"])
        // Spaces, then quotes; entries are split on commas and not trimmed.
        #expect(env.origins == ["chrome-extension://*", " https://a.example"])
        #expect(env.keepAlive == .unset)
        #expect(OllamaEnvironment([:]).origins == [])
    }

    @Test func countsAndDurationsAreReadOrIgnoredAsOllamaDoes() {
        let env = OllamaEnvironment(["OLLAMA_NUM_PARALLEL": "0", "OLLAMA_MAX_LOADED_MODELS": "0", "OLLAMA_MAX_QUEUE": "'64'", "OLLAMA_KEEP_ALIVE": "24h"])
        // 0 parallel is Ollama's automatic choice, which its scheduler makes 1; 0 loaded
        // models is its automatic choice by GPU, which the mock leaves unlimited.
        #expect(env.numParallel == .value(1))
        #expect(env.maxLoadedModels == .unset)
        #expect(env.maxQueue == .value(64))
        #expect(env.keepAlive == .value(24 * 3600 * 1_000_000_000))
        let wrong = OllamaEnvironment(["OLLAMA_NUM_PARALLEL": "two", "OLLAMA_MAX_QUEUE": "-1", "OLLAMA_KEEP_ALIVE": "1d", "OLLAMA_MAX_LOADED_MODELS": "3"])
        #expect(wrong.numParallel == .ignored("two"))
        #expect(wrong.maxQueue == .ignored("-1"))
        #expect(wrong.keepAlive == .ignored("1d"))
        #expect(wrong.maxLoadedModels == .value(3))
        #expect(OllamaEnvironment(["OLLAMA_KEEP_ALIVE": "3600"]).keepAlive == .value(3600 * 1_000_000_000))
    }
}
