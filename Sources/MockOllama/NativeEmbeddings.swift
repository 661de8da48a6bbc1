import LabCore
import LabHTTP

/// `/api/embed` and the legacy `/api/embeddings`.
extension MockOllama {
    func embed(_ body: JSONValue) -> WireScript {
        let requested = body["model"]?.stringValue ?? ""
        let model: MockModel
        switch resolve(requested, .native) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        let inputs: [String]
        switch body["input"] {
        case nil, .null?: inputs = []
        case .string(let s)?: inputs = s.isEmpty ? [] : [s]
        case .array(let items)?:
            guard items.allSatisfy({ $0.stringValue != nil }) else { return Responses.error(.native, 400, "invalid input type") }
            inputs = items.compactMap(\.stringValue)
        default: return Responses.error(.native, 400, "invalid input type")
        }
        var promptTokens = 0
        for text in inputs {
            switch fitting(Tokenizer.count(text), model, body, .native) {
            case .success(let n): promptTokens += n
            case .failure(let e): return e.script
            }
        }
        markLoaded(model)
        let dimensions = body["dimensions"]?.intValue.map { min(max($0, 1), model.embeddingLength) } ?? model.embeddingLength
        let vectors: [JSONValue] = inputs.map {
            Embedder.normalize(Array(embedder.vector(model: model.name, text: $0, dimensions: model.embeddingLength).prefix(dimensions))).json
        }
        let metrics = Metrics(promptTokens: promptTokens, evalTokens: 0, pacing: self.pacing(for: model))
        return Responses.json(.native, [
            "model": .string(requested), "embeddings": .array(vectors),
            "total_duration": .int(metrics.totalDuration), "load_duration": .int(metrics.loadDuration),
            "prompt_eval_count": .int(promptTokens),
        ])
    }

    func legacyEmbeddings(_ body: JSONValue) -> WireScript {
        let requested = body["model"]?.stringValue ?? ""
        let model: MockModel
        switch resolve(requested, .native) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        let prompt = body["prompt"]?.stringValue ?? ""
        guard !prompt.isEmpty else { return Responses.json(.native, ["embedding": []]) }
        markLoaded(model)
        return Responses.json(.native, ["embedding": embedder.vector(model: model.name, text: prompt, dimensions: model.embeddingLength).json])
    }
}
