import Glibc

/// A fixed set of short strings made once, found by their bytes: a parser that meets one
/// of them hands out the same string instead of checking and copying the bytes again
/// (about a hundred instructions a string). The JSON parser knows the wire formats' common
/// words (`json`), the HTTP parser the header names nearly every client sends. Any other
/// bytes are made into a string as before: a set changes what a parse costs, never what
/// it returns.
///
/// A word is looked up by its bytes read as three 64-bit integers, compared whole: a
/// lookup must cost well under the hundred instructions it saves, so no `memcmp` and no
/// hashing of byte after byte. Made once and never freed or changed, and read through
/// plain pointers: a lookup retains nothing.
public struct KnownStrings: @unchecked Sendable {
    static let longest = 24
    private static let mask = 511

    private struct Entry {
        var w0: UInt64, w1: UInt64, w2: UInt64
        var count: Int
        var string: String
    }

    private let entries: UnsafeMutablePointer<Entry>
    /// Open addressing over `entries`; -1 is an empty slot.
    private let slots: UnsafeMutablePointer<Int16>

    public init(_ words: [String]) {
        precondition(words.count < Self.mask, "more known strings than the table has room for")
        entries = .allocate(capacity: words.count)
        slots = .allocate(capacity: Self.mask + 1)
        slots.initialize(repeating: -1, count: Self.mask + 1)
        for (i, word) in words.enumerated() {
            var bytes = Array(word.utf8)
            precondition(bytes.count <= Self.longest, "a known string longer than a lookup reads")
            let n = bytes.count
            bytes += [UInt8](repeating: 0, count: Self.longest - n)
            let w = bytes.withUnsafeBufferPointer { b in
                (Self.word(b.baseAddress!, n, 24), Self.word(b.baseAddress! + 8, max(n - 8, 0), 16),
                 Self.word(b.baseAddress! + 16, max(n - 16, 0), 8))
            }
            var slot = Self.hash(w.0, n)
            while slots[slot] >= 0 { slot = (slot + 1) & Self.mask }
            slots[slot] = Int16(i)
            (entries + i).initialize(to: Entry(w0: w.0, w1: w.1, w2: w.2, count: n, string: word))
        }
    }

    /// The string spelled by the `count` bytes at `start`, when it is one of the known
    /// ones. `readable` bytes may be read from `start` (at least `count`): with eight or
    /// more, each word is read in one load.
    @inline(__always)
    func find(_ start: UnsafePointer<UInt8>, count n: Int, readable: Int) -> String? {
        guard n > 0, n <= Self.longest else { return nil }
        let w0 = Self.word(start, n, readable)
        let w1 = n > 8 ? Self.word(start + 8, n - 8, readable - 8) : 0
        let w2 = n > 16 ? Self.word(start + 16, n - 16, readable - 16) : 0
        var slot = Self.hash(w0, n)
        while true {
            let index = Int(slots[slot])
            guard index >= 0 else { return nil }
            let e = entries + index
            if e.pointee.w0 == w0, e.pointee.w1 == w1, e.pointee.w2 == w2, e.pointee.count == n { return e.pointee.string }
            slot = (slot + 1) & Self.mask
        }
    }

    public func find(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let start = bytes.baseAddress else { return nil }
        return find(start, count: bytes.count, readable: bytes.count)
    }

    /// Up to eight bytes as one little-endian integer, the bytes past `n` zero.
    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>, _ n: Int, _ readable: Int) -> UInt64 {
        if readable >= 8 {
            let all = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
            return n >= 8 ? all : all & ((1 << UInt64(n * 8)) - 1)
        }
        var w: UInt64 = 0
        for i in 0..<min(n, 8) { w |= UInt64(p[i]) << UInt64(i * 8) }
        return w
    }

    @inline(__always)
    private static func hash(_ w0: UInt64, _ n: Int) -> Int {
        Int(truncatingIfNeeded: ((w0 ^ UInt64(n)) &* 0x9E37_79B9_7F4A_7C15) >> 55)
    }

    /// The JSON parser's: keys and a few values of Ollama's, OpenAI's, Anthropic's and
    /// Portkey's JSON (a routed request reads some forty of them).
    public static let json = KnownStrings(jsonWords)

    static let jsonWords = [
        // Chat requests and answers, native and OpenAI-shaped.
        "model", "messages", "role", "content", "stream", "options", "format", "tools", "tool_calls",
        "tool_call_id", "tool_name", "function", "name", "arguments", "description", "parameters", "type",
        "properties", "required", "keep_alive", "think", "thinking", "images", "prompt", "system", "suffix",
        "raw", "context", "logprobs", "top_logprobs", "truncate", "shift", "temperature", "top_p", "top_k",
        "seed", "stop", "num_predict", "num_ctx", "max_tokens", "max_completion_tokens", "stream_options",
        "include_usage", "response_format", "json_schema", "schema", "strict", "n", "user", "input",
        "created_at", "message", "done", "done_reason", "total_duration", "load_duration",
        "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration", "response",
        "id", "object", "created", "choices", "index", "finish_reason", "usage", "prompt_tokens",
        "completion_tokens", "total_tokens", "system_fingerprint", "delta", "refusal", "provider",
        "embedding", "embeddings", "data", "dimensions", "encoding_format", "error", "code", "param", "status",
        // Anthropic's messages.
        "stop_reason", "stop_sequence", "stop_sequences", "input_tokens", "output_tokens", "text", "tool_use",
        "tool_result", "tool_use_id", "input_schema", "tool_choice", "metadata", "anthropic_version",
        // Portkey configs.
        "strategy", "mode", "targets", "custom_host", "override_params", "retry", "attempts", "on_status_codes",
        "api_key", "weight", "request_timeout", "conditions", "default", "then", "query", "cache", "virtual_key",
        "use_retry_after_header",
        // Values as common as keys.
        "assistant", "fallback", "loadbalance", "single", "conditional", "ollama", "openai", "anthropic",
        "chat.completion", "chat.completion.chunk", "list", "fp_ollama", "length", "tool", "auto",
        "function_call", "json_object", "message_start", "content_block_delta", "end_turn",
    ]
}
