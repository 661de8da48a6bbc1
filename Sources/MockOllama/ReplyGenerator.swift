import Foundation
import LabCore

/// A reply as tokens: their concatenation is the text, each is one stream chunk.
public struct Reply: Equatable, Sendable {
    public var tokens: [String]
    /// `stop` or `length`, as Ollama's `done_reason` / OpenAI's `finish_reason`.
    public var doneReason: String

    public var text: String { tokens.joined() }
}

/// Deterministic text with no model: a pure function of (model, conversation, seed),
/// or a canned answer when a pattern matches.
public struct ReplyGenerator {
    let seed: UInt64
    let canned: [(regex: Regex<AnyRegexOutput>, answer: String)]

    public init(seed: UInt64, cannedAnswers: [CannedAnswer]) throws {
        self.seed = seed
        canned = try cannedAnswers.map { (try Regex($0.pattern).ignoresCase(), $0.answer) }
    }

    /// - Parameters:
    ///   - conversation: everything the reply depends on (all messages, or the prompt).
    ///   - lastUserText: what canned patterns are matched against.
    ///   - maxTokens: `num_predict` / `max_tokens`; a cut reply ends with `length`.
    public func reply(model: ModelName, conversation: String, lastUserText: String, requestSeed: Int? = nil,
                      maxTokens: Int? = nil, stop: [String] = []) -> Reply {
        var text: String
        if let hit = canned.first(where: { (try? $0.regex.firstMatch(in: lastUserText)) != nil }) {
            text = hit.answer
        } else {
            let seedValue = requestSeed.map { UInt64(bitPattern: Int64($0)) } ?? seed
            var random = SeededRandom(seed: seedValue, key: model.key + "\u{1}" + conversation)
            text = Self.sentences(&random)
        }
        var reason = "stop"
        for s in stop where !s.isEmpty {
            if let r = text.range(of: s) { text = String(text[..<r.lowerBound]) }
        }
        var tokens = Tokenizer.tokens(text)
        if let maxTokens, maxTokens >= 0, tokens.count > maxTokens {
            tokens = Array(tokens.prefix(maxTokens))
            reason = "length"
        }
        return Reply(tokens: tokens, doneReason: reason)
    }

    static let words = [
        "the", "gateway", "routes", "each", "request", "to", "a", "provider", "and", "falls", "back", "when",
        "it", "fails", "model", "answers", "with", "tokens", "stream", "over", "time", "retry", "backoff",
        "waits", "before", "trying", "again", "config", "target", "timeout", "edge", "route", "returns",
        "status", "code", "latency", "grows", "under", "load", "primary", "backup", "healthy", "slow",
        "quick", "reply", "text", "is", "deterministic", "seeded", "lab", "shows", "what", "happened",
        "on", "wire", "every", "run", "same", "result", "client", "sees", "response", "server", "sends",
        "chunk", "line", "final", "done", "error", "rate", "limit", "header", "body", "json", "fallback",
        "works", "only", "if", "codes", "match", "otherwise", "fails", "fast", "resilience", "matters",
    ]

    /// One to three sentences of eight to sixteen words.
    static func sentences(_ random: inout SeededRandom) -> String {
        let count = 1 + Int(random.next() % 3)
        var out: [String] = []
        for _ in 0..<count {
            let length = 8 + Int(random.next() % 9)
            var sentence: [String] = []
            for _ in 0..<length { sentence.append(words[Int(random.next() % UInt64(words.count))]) }
            sentence[0] = sentence[0].prefix(1).uppercased() + sentence[0].dropFirst()
            out.append(sentence.joined(separator: " ") + ".")
        }
        return out.joined(separator: " ")
    }
}

/// Splits text into word tokens that keep their leading space, so joining them
/// gives the text back. Counting prompts uses the same rule.
public enum Tokenizer {
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for ch in text {
            if ch == " " || ch == "\n", !current.isEmpty, current.contains(where: { $0 != " " && $0 != "\n" }) {
                tokens.append(current)
                current = ""
            }
            current.append(ch)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    public static func count(_ text: String) -> Int {
        tokens(text).count
    }
}
