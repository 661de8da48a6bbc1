import LabCore
import LabHTTP

/// `/api/chat` and `/api/generate`.
extension MockOllama {
    /// Finds the model, or the error Ollama gives for it.
    func resolve(_ raw: String, _ surface: Surface, emptyStatus: Int = 400) -> Result<MockModel, ScriptError> {
        guard !raw.trimmingSpaces.isEmpty else {
            return .failure(ScriptError(emptyStatus == 400 ? Responses.error(surface, 400, "model is required")
                                                          : Responses.error(surface, emptyStatus, "model '' not found")))
        }
        guard let model = catalogue.find(raw) else {
            return .failure(ScriptError(Responses.error(surface, 404, "model '\(raw)' not found")))
        }
        return .success(model)
    }

    func chat(_ body: JSONValue) -> WireScript {
        let requested = body["model"]?.stringValue ?? ""
        let model: MockModel
        switch resolve(requested, .native) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        guard !model.isEmbeddingOnly else { return Responses.error(.native, 400, "\"\(model.name)\" does not support chat") }
        let messages = body["messages"]?.arrayValue ?? []
        guard !messages.isEmpty else {
            return Responses.json(.native, [
                "model": .string(requested), "created_at": .string(timestamp()),
                "message": ["role": "assistant", "content": ""],
                "done_reason": .string(body["keep_alive"]?.intValue == 0 ? "unload" : "load"), "done": true,
            ])
        }
        markLoaded(model)
        let transcript = Conversation(messages: messages)
        let options = body["options"]
        let reply = replies.reply(model: model.name, conversation: transcript.text, lastUserText: transcript.lastUser,
                                  requestSeed: options?["seed"]?.intValue, maxTokens: options?["num_predict"]?.intValue,
                                  stop: Conversation.stops(options?["stop"]))
        let pacing = self.pacing(for: model)
        let metrics = Metrics(promptTokens: Tokenizer.count(transcript.text), evalTokens: reply.tokens.count, pacing: pacing)
        let builder = StreamBuilder(contentType: Responses.ndjson, pacing: pacing)
        func message(_ content: String) -> JSONValue { ["role": "assistant", "content": .string(content)] }
        let finalAt = pacing.tokenTimeMs(max(reply.tokens.count - 1, 0))
        func final(_ content: String) -> JSONValue {
            .object([("model", .string(requested)), ("created_at", .string(timestamp(offsetMs: finalAt))),
                     ("message", message(content)), ("done_reason", .string(reply.doneReason)), ("done", true)] + metrics.fields)
        }
        guard body["stream"]?.boolValue ?? true else {
            return builder.delayed(Responses.json(.native, final(reply.text)), tokenCount: reply.tokens.count)
        }
        return builder.script(tokenCount: reply.tokens.count, chunk: { i in
            Responses.line(["model": .string(requested), "created_at": .string(self.timestamp(offsetMs: pacing.tokenTimeMs(i))),
                            "message": message(reply.tokens[i]), "done": false])
        }, closing: [Responses.line(final(""))])
    }

    func generate(_ body: JSONValue) -> WireScript {
        let requested = body["model"]?.stringValue ?? ""
        let model: MockModel
        switch resolve(requested, .native, emptyStatus: 404) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        guard !model.isEmbeddingOnly else { return Responses.error(.native, 400, "\"\(model.name)\" does not support generate") }
        let prompt = body["prompt"]?.stringValue ?? ""
        guard !prompt.isEmpty else {
            return Responses.json(.native, [
                "model": .string(requested), "created_at": .string(timestamp()), "response": "",
                "done": true, "done_reason": .string(body["keep_alive"]?.intValue == 0 ? "unload" : "load"),
            ])
        }
        markLoaded(model)
        let system = body["system"]?.stringValue ?? ""
        let options = body["options"]
        let conversation = system.isEmpty ? prompt : "system: \(system)\nuser: \(prompt)"
        let reply = replies.reply(model: model.name, conversation: conversation, lastUserText: prompt,
                                  requestSeed: options?["seed"]?.intValue, maxTokens: options?["num_predict"]?.intValue,
                                  stop: Conversation.stops(options?["stop"]))
        let pacing = self.pacing(for: model)
        let promptTokens = Tokenizer.count(conversation)
        let metrics = Metrics(promptTokens: promptTokens, evalTokens: reply.tokens.count, pacing: pacing)
        let builder = StreamBuilder(contentType: Responses.ndjson, pacing: pacing)
        // Token ids for `context`, stable for the same text.
        let context: JSONValue = .array((Tokenizer.tokens(conversation) + reply.tokens).map { .int(Int(StableHash.fnv1a($0) % 128_000)) })
        let finalAt = pacing.tokenTimeMs(max(reply.tokens.count - 1, 0))
        func final(_ text: String) -> JSONValue {
            .object([("model", .string(requested)), ("created_at", .string(timestamp(offsetMs: finalAt))),
                     ("response", .string(text)), ("done", true), ("done_reason", .string(reply.doneReason)),
                     ("context", context)] + metrics.fields)
        }
        guard body["stream"]?.boolValue ?? true else {
            return builder.delayed(Responses.json(.native, final(reply.text)), tokenCount: reply.tokens.count)
        }
        return builder.script(tokenCount: reply.tokens.count, chunk: { i in
            Responses.line(["model": .string(requested), "created_at": .string(self.timestamp(offsetMs: pacing.tokenTimeMs(i))),
                            "response": .string(reply.tokens[i]), "done": false])
        }, closing: [Responses.line(final(""))])
    }

    func pacing(for model: MockModel) -> Pacing {
        options.pacing(for: model.name)
    }
}

/// A failed lookup carries the error response to send.
struct ScriptError: Error {
    let script: WireScript
    init(_ script: WireScript) { self.script = script }
}

/// The text of a message list, in both APIs' shapes.
struct Conversation {
    var text: String
    var lastUser: String

    init(messages: [JSONValue]) {
        var lines: [String] = []
        var lastUser = ""
        for message in messages {
            let role = (message["role"]?.stringValue ?? "user").lowercased()
            let content = Self.content(message["content"])
            lines.append("\(role): \(content)")
            if role == "user" { lastUser = content }
        }
        text = lines.joined(separator: "\n")
        self.lastUser = lastUser
    }

    /// A string, or OpenAI's list of parts whose `text` parts are joined.
    static func content(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .array(let parts)?:
            return parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
        default: return ""
        }
    }

    static func stops(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let s)?: return [s]
        case .array(let items)?: return items.compactMap(\.stringValue)
        default: return []
        }
    }
}
