import LabCore

/// What a client can tell from an answer's bytes: how it ended, how many content tokens
/// it carried, whether it reported usage, and when its first token arrived. Pure.
public struct AnswerReading: Equatable, Sendable {
    /// `stop`, `length`, `tool_calls`… (the last one a stream carried).
    public var finishReason: String?
    /// A streamed 2xx answer: `complete` (a finish_reason and `[DONE]`), `missing_terminator`
    /// (a finish_reason, no `[DONE]`) or `truncated` (no finish_reason: tokens are missing).
    public var streamShape: String?
    /// Streamed: events that carried content (the mock and the gateway send one token
    /// per event). Not streamed: `usage.completion_tokens`, when the answer has it.
    public var contentTokens: Int?
    /// A `usage` object anywhere in the answer (in a stream, on any event).
    public var usagePresent = false
    /// Streamed: the byte offset just past the first event that carried a token (content,
    /// reasoning or a tool call), to be matched against when the bytes arrived.
    public var firstTokenEndOffset: Int?
    /// Streamed: the content the events carried, joined (the answer's text as a client
    /// shows it).
    public var streamedText = ""
    /// Whether the answer's content (the message's, or a stream's joined) parses as JSON, as
    /// a client asking for structured output parses it; nil for an answer without content.
    public var contentIsJSON: Bool?

    /// Reads a whole (or cut) answer. `stream` is whether it is an SSE stream to be read
    /// as events; an error answer to a streamed request is read as a plain body.
    public static func read(_ body: [UInt8], stream: Bool, succeeded: Bool) -> AnswerReading {
        var r = AnswerReading()
        guard stream, succeeded else {
            guard let json = try? JSONParser.parse(body) else { return r }
            let choice = json["choices"]?.arrayValue?.first
            r.finishReason = choice?["finish_reason"]?.stringValue
            r.usagePresent = json["usage"]?.objectValue != nil
            r.contentTokens = json["usage"]?["completion_tokens"]?.intValue
            if succeeded, let content = choice?["message"]?["content"]?.stringValue ?? choice?["text"]?.stringValue {
                r.contentIsJSON = isJSON(content)
            }
            return r
        }
        var tokens = 0
        for (payload, end) in events(body) {
            guard let json = try? JSONParser.parse(payload) else { continue }
            if json["usage"]?.objectValue != nil { r.usagePresent = true }
            guard let choice = json["choices"]?.arrayValue?.first else { continue }
            if let reason = choice["finish_reason"]?.stringValue { r.finishReason = reason }
            let delta = choice["delta"]
            let content = delta?["content"]?.stringValue ?? choice["text"]?.stringValue ?? ""
            let reasoning = delta?["reasoning_content"]?.stringValue ?? delta?["reasoning"]?.stringValue ?? ""
            let calls = delta?["tool_calls"]?.arrayValue ?? []
            if !content.isEmpty { tokens += 1; r.streamedText += content }
            if r.firstTokenEndOffset == nil, !content.isEmpty || !reasoning.isEmpty || !calls.isEmpty { r.firstTokenEndOffset = end }
        }
        r.contentTokens = tokens
        if tokens > 0 { r.contentIsJSON = isJSON(r.streamedText) }
        let terminated = body.count >= done.count && Array(body.suffix(done.count)) == done
        r.streamShape = r.finishReason == nil ? "truncated" : terminated ? "complete" : "missing_terminator"
        return r
    }

    private static let done = Array("data: [DONE]\n\n".utf8)

    private static func isJSON(_ text: String) -> Bool { (try? JSONParser.parse(text)) != nil }

    /// Each complete `data: {…}` event's JSON text and the offset just past its blank line.
    static func events(_ body: [UInt8]) -> [(payload: [UInt8], end: Int)] {
        var out: [(payload: [UInt8], end: Int)] = []
        var start = 0
        var i = 0
        while i + 1 < body.count {
            if body[i] == 10, body[i + 1] == 10 {
                let event = body[start..<i]
                if event.starts(with: prefix) { out.append((Array(event.dropFirst(prefix.count)), i + 2)) }
                start = i + 2
                i += 2
            } else {
                i += 1
            }
        }
        return out
    }

    private static let prefix = Array("data: ".utf8)

    /// When the byte at `offset - 1` arrived, from the (cumulative end offset, time) of each piece.
    public static func arrivalMs(ofOffset offset: Int, in pieces: [(end: Int, atMs: Double)]) -> Double? {
        pieces.first { $0.end >= offset }?.atMs
    }
}
