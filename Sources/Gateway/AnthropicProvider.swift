import LabCore
import LabHTTP

/// The gateway's `anthropic` provider (`src/providers/anthropic/`): an OpenAI-format
/// request turned into a Messages request (system prompt apart, tools as
/// `input_schema`, `stop` as `stop_sequences`), the answer and every stream event
/// turned back into OpenAI's chat shape, errors wrapped as `anthropic error: …`.
struct AnthropicProvider: PortkeyProvider {
    let name = "anthropic"
    /// The base URL holds `/v1`, so a `custom_host` must too.
    let defaultBaseURL = "https://api.anthropic.com/v1"

    func path(_ endpoint: GatewayEndpoint) -> String? {
        endpoint == .chatComplete ? "/messages" : nil
    }

    static let systemRoles: Set<String> = ["system", "developer"]

    static let chatRules: [ParamRule] = [
        ParamRule("model", required: true, default: "claude-2.1"),
        ParamRule("messages", required: true, transform: { messages($0) }),
        ParamRule("messages", to: "system", transform: { system($0) }),
        ParamRule("tools", transform: { tools($0) }),
        ParamRule("tool_choice", transform: { toolChoice($0) }),
        ParamRule("max_tokens", required: true), ParamRule("max_completion_tokens", to: "max_tokens"),
        ParamRule("temperature", min: 0, max: 1), ParamRule("top_p", min: -1), ParamRule("top_k"),
        ParamRule("stop", to: "stop_sequences"), ParamRule("stream"), ParamRule("user", to: "metadata.user_id"),
        ParamRule("thinking"),
    ]

    func body(_ endpoint: GatewayEndpoint, params: JSONValue) -> JSONValue { ParamRule.apply(Self.chatRules, to: params) }

    func carries(_ param: String, _ endpoint: GatewayEndpoint) -> Bool { Self.chatRules.contains { $0.key == param } }

    func headers(apiKey: String?) -> HTTPHeaders { ["X-API-Key": apiKey ?? "undefined", "anthropic-version": "2023-06-01"] }

    func passes(header name: String) -> Bool {
        let n = name.lowercased()
        return n == "request-id" || n.hasPrefix("anthropic-ratelimit-") || n.hasPrefix("retry-after") || n == "x-should-retry"
    }

    /// Messages without system ones; an assistant's tool calls as `tool_use` blocks, a tool
    /// result as a user `tool_result`.
    static func messages(_ params: JSONValue) -> JSONValue {
        var out: [JSONValue] = []
        for m in ChatParams(params).messages ?? [] {
            let role = m.role
            if systemRoles.contains(role) { continue }
            if role == "assistant" {
                var content: [JSONValue] = []
                // The gateway tests `msg.content && typeof msg.content === 'string'`: an empty
                // string is falsy, so an empty reply becomes no block at all (content: []).
                if let text = m.text, !text.isEmpty { content.append(["type": "text", "text": .string(text)]) }
                else { content += (m.parts ?? []).filter { $0.type != "tool_use" }.map(\.json) }
                for call in m.toolCalls {
                    let arguments = (try? JSONParser.parse(call.arguments ?? "{}")) ?? .object([])
                    content.append(["type": "tool_use", "name": call.name ?? .null, "id": call.id ?? .null, "input": arguments])
                }
                out.append(["role": .string(role), "content": .array(content)])
            } else if let parts = m.parts, !parts.isEmpty {
                let content: [JSONValue] = parts.compactMap { p in
                    switch p.type {
                    case "text": return .object([("type", "text"), ("text", p.text ?? .null)] + Self.cacheControl(p.json))
                    case "image_url": return Self.inlineImage(p.json)
                    default: return nil
                    }
                }
                out.append(["role": .string(role), "content": .array(content)])
            } else if role == "tool" {
                out.append(["role": "user", "content": [["type": "tool_result", "tool_use_id": m.toolCallID ?? "", "content": m.content ?? .null]]])
            } else {
                var copy: [(String, JSONValue)] = [("role", .string(role))]
                if let c = m.content { copy.append(("content", c)) }
                out.append(.object(copy))
            }
        }
        return .array(out)
    }

    /// A part's `cache_control`, when JavaScript reads it as true, as `{type: ephemeral}`.
    static func cacheControl(_ part: JSONValue) -> [(String, JSONValue)] {
        guard let c = part["cache_control"], c.isTruthy else { return [] }
        return [("cache_control", ["type": "ephemeral"])]
    }

    /// An `image_url` part as an Anthropic image block, when its URL is a data URI the
    /// gateway can split (`data:MEDIA;base64,DATA`: one `;`, one `:` before it, data after
    /// the first `,`); any other URL, a link included, is dropped.
    static func inlineImage(_ part: JSONValue) -> JSONValue? {
        guard let url = part["image_url"]?["url"]?.stringValue, !url.isEmpty else { return nil }
        let halves = url.split(separator: ";", omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let afterComma = halves[1].split(separator: ",", omittingEmptySubsequences: false)
        let media = halves[0].split(separator: ":", omittingEmptySubsequences: false)
        guard afterComma.count > 1, !afterComma[1].isEmpty, media.count == 2 else { return nil }
        return .object([("type", "image"), ("source", ["type": "base64", "media_type": .string(String(media[1])), "data": .string(String(afterComma[1]))])]
                       + cacheControl(part))
    }

    /// System and developer messages as text blocks.
    static func system(_ params: JSONValue) -> JSONValue {
        var out: [JSONValue] = []
        for m in ChatParams(params).messages ?? [] where systemRoles.contains(m.role) {
            if let text = m.text { out.append(["text": .string(text), "type": "text"]) }
            else if let parts = m.parts, parts.first?.text != nil {
                out += parts.map { ["text": $0.text ?? .null, "type": "text"] }
            }
        }
        return .array(out)
    }

    static func tools(_ params: JSONValue) -> JSONValue {
        .array(ChatParams(params).tools.compactMap { tool in
            guard let f = tool else { return nil }
            return ["name": f.name ?? .null, "description": f.description ?? "",
                    "input_schema": ["type": f.parameters?["type"] ?? "object", "properties": f.parameters?["properties"] ?? .object([]),
                                     "required": f.parameters?["required"] ?? []]]
        })
    }

    static func toolChoice(_ params: JSONValue) -> JSONValue {
        switch ChatParams(params).toolChoice {
        case .required?: return ["type": "any"]
        case .auto?: return ["type": "auto"]
        case .function(let name)?: return ["type": "tool", "name": name ?? .null]
        case nil: return .null
        }
    }

    /// With strict OpenAI compliance (the default) Anthropic's stop reasons become OpenAI's.
    static func finishReason(_ reason: JSONValue?, strict: Bool) -> JSONValue {
        guard let r = reason?.stringValue else { return "stop" }
        guard strict else { return .string(r) }
        switch r {
        case "max_tokens": return "length"
        case "tool_use": return "tool_calls"
        default: return "stop"
        }
    }

    func response(_ endpoint: GatewayEndpoint, status: Int, contentType: String?, body: [UInt8], _ context: AnswerContext) -> JSONValue? {
        let strict = context.strict
        let json: JSONValue
        if Self.isText(contentType) {
            json = Self.htmlMessage(body)
        } else if let parsed = try? JSONParser.parse(body), case .object = parsed {
            json = parsed
        } else {
            if (200...299).contains(status) { return nil }
            json = Self.htmlMessage(body)
        }
        if status != 200, let error = json["error"] {
            return errorEnvelope(message: error["message"]?.stringValue ?? "undefined", type: error["type"])
        }
        guard let blocks = json["content"]?.arrayValue else { return invalidResponse(json) }
        let text = blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined()
        let calls: [JSONValue] = blocks.filter { $0["type"]?.stringValue == "tool_use" }.map { b in
            ["id": b["id"] ?? .null, "type": "function", "function": ["name": b["name"] ?? .null, "arguments": .string((b["input"] ?? .object([])).javaScriptCompact)]]
        }
        var message: [(String, JSONValue)] = [("role", "assistant"), ("content", .string(text))]
        if !strict { message.append(("content_blocks", .array(blocks.filter { $0["type"]?.stringValue != "tool_use" }))) }
        if !calls.isEmpty { message.append(("tool_calls", .array(calls))) }
        let input = json["usage"]?["input_tokens"]?.intValue ?? 0, output = json["usage"]?["output_tokens"]?.intValue ?? 0
        let cacheWrite = json["usage"]?["cache_creation_input_tokens"]?.intValue ?? 0, cacheRead = json["usage"]?["cache_read_input_tokens"]?.intValue ?? 0
        return ["id": json["id"] ?? .null, "object": "chat.completion", "created": .int(context.created), "model": json["model"] ?? .null,
                "provider": "anthropic",
                "choices": [["message": .object(message), "index": 0, "logprobs": nil, "finish_reason": Self.finishReason(json["stop_reason"], strict: strict)]],
                "usage": ["prompt_tokens": .int(input), "completion_tokens": .int(output), "total_tokens": Self.total([input, output, cacheWrite, cacheRead])]]
    }

    /// A sum of the upstream's token counts as JavaScript makes it: in floating point, so
    /// counts too large for an integer come to a large number instead of a crash.
    static func total(_ counts: [Int]) -> JSONValue {
        var sum = 0
        for n in counts {
            let (next, overflow) = sum.addingReportingOverflow(n)
            if overflow { return .double(counts.reduce(0) { $0 + Double($1) }) }
            sum = next
        }
        return .int(sum)
    }

    func streamTransform(_ context: AnswerContext) -> any StreamTransform {
        Events(strict: context.strict, id: "\(name)-\(context.nowMs)", created: context.created)
    }

    /// Anthropic's event stream as OpenAI chunks: `ping` and `content_block_stop`
    /// dropped, `message_stop` as `[DONE]`, text deltas as content, tool blocks as
    /// tool_calls, `message_delta` as the finish with usage, an `error` event as a
    /// finish named after the error; an event that does not parse ends the stream.
    struct Events: StreamTransform {
        let strict: Bool
        let id: String
        let created: Int
        var model = ""
        var promptTokens: Int?
        var toolIndex: Int?

        func chunk(_ choice: [(String, JSONValue)], usage: JSONValue? = nil, model: String? = nil) -> StreamStep {
            var members: [(String, JSONValue)] = [("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                                                  ("model", .string(model ?? self.model)), ("provider", "anthropic"), ("choices", [.object(choice)])]
            if let usage { members.append(("usage", usage)) }
            return .emit(Array("data: ".utf8) + JSONValue.object(members).javaScriptCompactBytes + [10, 10])
        }

        /// JavaScript's `trim()`, for the ASCII whitespace events carry.
        static func trimmed(_ s: String) -> String {
            let blank: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
            return String(s.drop(while: blank).reversed().drop(while: blank).reversed())
        }

        mutating func transform(_ event: String) -> StreamStep {
            var text = Self.trimmed(event)
            if text.hasPrefix("event: ping") || text.hasPrefix("event: content_block_stop") { return .skip }
            if text.hasPrefix("event: message_stop") { return .emit(Array("data: [DONE]\n\n".utf8)) }
            for name in ["content_block_delta", "content_block_start", "message_delta", "message_start", "error"] where text.hasPrefix("event: \(name)") {
                text = String(text.dropFirst("event: \(name)".count).drop { $0 == "\r" || $0 == "\n" })
            }
            if text.hasPrefix("data: ") { text = String(text.dropFirst(6)) }
            guard let parsed = try? JSONParser.parse(Self.trimmed(text)), case .object = parsed else { return .fail }
            let type = parsed["type"]?.stringValue
            if type == "error", let error = parsed["error"] {
                guard case .emit(let bytes) = chunk([("finish_reason", error["type"] ?? .null), ("delta", ["content": ""])], model: "") else { return .fail }
                return .emit(bytes + Array("data: [DONE]\n\n".utf8))
            }
            if type == "message_start", let usage = parsed["message"]?["usage"] {
                model = parsed["message"]?["model"]?.stringValue ?? ""
                promptTokens = usage["input_tokens"]?.intValue
                return chunk([("delta", ["content": ""]), ("index", 0), ("logprobs", nil), ("finish_reason", nil)])
            }
            if type == "message_delta", let usage = parsed["usage"] {
                let output = usage["output_tokens"]?.intValue ?? 0
                var u: [(String, JSONValue)] = [("completion_tokens", .int(output))]
                if let p = promptTokens { u.append(("prompt_tokens", .int(p))) }
                u.append(("total_tokens", AnthropicProvider.total([promptTokens ?? 0, output])))
                return chunk([("index", 0), ("delta", [:]), ("finish_reason", AnthropicProvider.finishReason(parsed["delta"]?["stop_reason"], strict: strict))],
                             usage: .object(u))
            }
            var calls: [JSONValue] = []
            if type == "content_block_start", let block = parsed["content_block"], block["type"]?.stringValue == "tool_use" {
                toolIndex = toolIndex.map { $0 + 1 } ?? 0
                calls.append(["index": .int(toolIndex!), "id": block["id"] ?? .null, "type": "function",
                              "function": ["name": block["name"] ?? .null, "arguments": ""]])
            } else if type == "content_block_delta", let partial = parsed["delta"]?["partial_json"] {
                calls.append(["index": .int(toolIndex ?? 0), "function": ["arguments": partial]])
            }
            var delta: [(String, JSONValue)] = []
            if let content = parsed["delta"]?["text"] { delta.append(("content", content)) }
            if !calls.isEmpty { delta.append(("tool_calls", .array(calls))) }
            if !strict, calls.isEmpty {
                var inner = (parsed["delta"] ?? parsed["content_block"] ?? .object([])).objectValue ?? []
                inner.removeAll { $0.0 == "type" }
                delta.append(("content_blocks", [["index": parsed["index"] ?? .null, "delta": .object(inner)]]))
            }
            let finish = parsed["delta"]?["stop_reason"].map { AnthropicProvider.finishReason($0, strict: strict) } ?? .null
            return chunk([("delta", .object(delta)), ("index", 0), ("logprobs", nil), ("finish_reason", finish)])
        }
    }
}
