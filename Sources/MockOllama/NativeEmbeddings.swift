import LabCore
import LabHTTP

/// `/api/embed` and the legacy `/api/embeddings`.
extension MockOllama {
    func embed(_ request: EmbedRequest) -> WireScript {
        let requested = request.model
        // Ollama reads the input's type before it looks the model up (a name it cannot
        // parse, the empty one included, is refused first).
        guard ModelName(requested) != nil else { return Responses.error(.native, 404, "model '\(requested)' not found") }
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
        guard markLoaded(model, keepAlive: request.keepAlive) else { return Responses.error(.native, 503, Self.serverBusy) }
        // Ollama answers nothing to embed before it measures anything (no durations, no count)
        // and without asking the runner for a slot.
        if inputs.isEmpty {
            generating = nil
            return Responses.json(.native, ["model": .string(requested), "embeddings": []])
        }
        let dimensions = request.dimensions.map { min(max($0, 1), model.embeddingLength) } ?? model.embeddingLength
        let vectors: [JSONValue] = inputs.map {
            Embedder.normalize(Array(embedder.vector(model: model.name, text: $0, dimensions: model.embeddingLength).prefix(dimensions))).json
        }
        // The vectors leave at once (after any load): the prompt's nominal time, not the pacing's.
        let metrics = Metrics(promptTokens: promptTokens, evalTokens: 0, pacing: .none, loadMs: loadWaitMs)
        func answer(lateMs: Int) -> WireScript {
            Responses.json(.native, [
                "model": .string(requested), "embeddings": .array(vectors),
                "total_duration": .int(metrics.starting(lateMs: lateMs).totalDuration), "load_duration": .int(metrics.loadDuration),
                "prompt_eval_count": .int(promptTokens),
            ])
        }
        guard let start else { return answer(lateMs: 0) }
        return WireScript([.deferred(DeferredSteps(count: 1) { _ in answer(lateMs: start.lateMs).steps })])
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
        return Responses.json(.native, ["embedding": embedder.vector(model: model.name, text: prompt, dimensions: model.embeddingLength).json])
    }
}
