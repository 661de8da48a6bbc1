import LabCore
import LabHTTP

/// `/api/embed` and the legacy `/api/embeddings`.
extension MockOllama {
    func embed(_ request: EmbedRequest) -> WireScript {
        let requested = request.model
        // Ollama reads the input's type before it looks the model up (a name it cannot
        // parse, the empty one included, is refused first).
        guard ModelName(requested) != nil else { return Responses.modelNotFound(.native, requested) }
        guard let inputs = request.inputs else { return Responses.error(.native, 400, "invalid input type") }
        let model: MockModel
        switch resolve(requested, .native) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        var promptTokens = 0
        for text in inputs {
            switch fitting(Tokenizer.count(text), model, request.context, .native) {
            case .success(let n): promptTokens += n
            case .failure(let e): return e.script
            }
        }
        if let refused = request.options.refusal { return Responses.error(.native, 500, refused) }
        let dimensions = request.dimensions.map { min(max($0, 1), model.embeddingLength) } ?? model.embeddingLength
        // Before the model is touched: a refused request loads nothing.
        if let refused = Self.tooManyValues(inputs.count, dimensions) { return Responses.error(.native, 400, refused) }
        guard markLoaded(model, keepAlive: request.keepAlive) else { return Responses.error(.native, 503, Self.serverBusy) }
        // Ollama answers nothing to embed before it measures anything (no durations, no count)
        // and without asking the runner for a slot.
        if inputs.isEmpty {
            generating = nil
            return Responses.json(.native, ["model": .string(requested), "embeddings": []])
        }
        // Written once, before the durations that follow them are known.
        var head = JSONBytes(capacity: 64 + inputs.count * dimensions * 12, prefix: "{\"model\":")
        head.string(requested)
        head.raw(",\"embeddings\":[")
        for (i, text) in inputs.enumerated() {
            if i > 0 { head.raw(",") }
            head.floats(Embedder.normalize(embedder.vector(model: model.name, text: text, dimensions: dimensions)))
        }
        head.raw("]")
        let vectors = head.bytes
        // The vectors leave at once (after any load): the prompt's nominal time, not the pacing's.
        let metrics = Metrics(promptTokens: promptTokens, evalTokens: 0, pacing: .none, loadMs: loadWaitMs)
        func answer(lateMs: Int) -> WireScript {
            var out = JSONBytes(capacity: vectors.count + 96)
            out.raw(vectors)
            out.raw(",\"total_duration\":")
            out.int(metrics.starting(lateMs: lateMs).totalDuration)
            out.raw(",\"load_duration\":")
            out.int(metrics.loadDuration)
            out.raw(",\"prompt_eval_count\":")
            out.int(promptTokens)
            out.raw("}")
            return Responses.json(.native, bytes: out.bytes)
        }
        guard let start else { return answer(lateMs: 0) }
        return WireScript([.deferred(DeferredSteps(count: 1) { _ in answer(lateMs: start.lateMs).steps })])
    }

    /// The most values one embedding answer holds: 8,192 inputs of 4,096 dimensions (a
    /// 400 MB answer, made in seconds), room for an indexer that sends a whole corpus in one
    /// call as LangChain does. An 8 MiB body can list two million inputs; Ollama would work
    /// through them for hours and the answer would not fit in memory, while the mock's one
    /// loop would stop every other client. A lab limit, worded as one.
    static let maxEmbeddingValues = 8_192 * 4_096

    static func tooManyValues(_ inputs: Int, _ dimensions: Int) -> String? {
        guard inputs * dimensions > maxEmbeddingValues else { return nil }
        return "the lab's mock embeds at most \(maxEmbeddingValues) values per request (8192 inputs of 4096 dimensions); this one asks for \(inputs) inputs of \(dimensions): send them in batches"
    }

    func legacyEmbeddings(_ request: EmbeddingRequest) -> WireScript {
        let requested = request.model
        let model: MockModel
        switch resolve(requested, .native) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        if let refused = request.options.refusal { return Responses.error(.native, 500, refused) }
        // An empty prompt loads the model and embeds nothing.
        guard markLoaded(model, keepAlive: request.keepAlive) else { return Responses.error(.native, 503, Self.serverBusy) }
        let prompt = request.prompt
        guard !prompt.isEmpty else {
            generating = nil
            return Responses.json(.native, ["embedding": []])
        }
        var out = JSONBytes(prefix: "{\"embedding\":")
        out.floats(embedder.vector(model: model.name, text: prompt, dimensions: model.embeddingLength))
        out.raw("}")
        return Responses.json(.native, bytes: out.bytes)
    }
}
