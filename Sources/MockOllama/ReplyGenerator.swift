import Foundation
import LabCore

/// A reply as tokens: their concatenation is the text, each is one stream chunk.
public struct Reply: Equatable, Sendable {
    public let tokens: [String]
    /// `stop` or `length`, as Ollama's `done_reason` / OpenAI's `finish_reason`.
    public var doneReason: String
    /// The tokens' concatenation.
    public let text: String

    public init(tokens: [String], doneReason: String) {
        self.init(tokens: tokens, doneReason: doneReason, text: tokens.joined())
    }

    /// For a reply cut from `text` by the tokenizer, whose tokens join back into it.
    init(tokens: [String], doneReason: String, text: String) {
        self.tokens = tokens
        self.doneReason = doneReason
        self.text = text
    }
}

/// Deterministic text with no model: a pure function of (model, conversation, seed),
/// or a canned answer when a pattern matches.
public struct ReplyGenerator {
    let seed: UInt64
    /// Each canned answer with its tokens, cut once: every stream answering with it then
    /// shares one array instead of holding its own (3 KB for a 200-token answer).
    let canned: [(pattern: PromptPattern, answer: String, tokens: [String])]

    let cannedCalls: [(pattern: PromptPattern, name: String, arguments: JSONValue)]

    public init(seed: UInt64, cannedAnswers: [CannedAnswer]) throws {
        self.seed = seed
        canned = try cannedAnswers.filter { $0.toolCall == nil }.map { (try PromptPattern($0.pattern), $0.answer, Tokenizer.tokens($0.answer)) }
        cannedCalls = try cannedAnswers.compactMap { a in try a.toolCall.map { (try PromptPattern(a.pattern), $0.name, $0.arguments) } }
    }

    /// The tool call a canned answer forces for this prompt, if any.
    func cannedToolCall(for text: String) -> (name: String, arguments: JSONValue)? {
        cannedCalls.first { $0.pattern.matches(text) }.map { ($0.name, $0.arguments) }
    }

    /// - Parameters:
    ///   - conversation: everything the reply depends on (all messages, or the prompt).
    ///   - lastUserText: what canned patterns are matched against.
    ///   - maxTokens: `num_predict` / `max_tokens`; a cut reply ends with `length`.
    public func reply(model: ModelName, conversation: String, lastUserText: String, requestSeed: Int? = nil,
                      maxTokens: Int? = nil, stop: [String] = []) -> Reply {
        var text: String
        var cut: [String]?
        if let hit = canned.first(where: { $0.pattern.matches(lastUserText) }) {
            text = hit.answer
            cut = hit.tokens
        } else {
            let seedValue = requestSeed.map { UInt64(bitPattern: Int64($0)) } ?? seed
            var random = SeededRandom(seed: seedValue, key: model.key, "\u{1}", conversation)
            text = Self.sentences(&random)
        }
        for s in stop where !s.isEmpty {
            if let r = text.range(of: s) { text = String(text[..<r.lowerBound]); cut = nil }
        }
        let tokens = cut ?? Tokenizer.tokens(text)
        if let maxTokens, maxTokens >= 0, tokens.count > maxTokens {
            return Reply(tokens: Array(tokens.prefix(maxTokens)), doneReason: "length")
        }
        return Reply(tokens: tokens, doneReason: "stop", text: text)
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

    /// One to three sentences of eight to sixteen words. (Written into one buffer: this runs
    /// for every generated answer.)
    static func sentences(_ random: inout SeededRandom) -> String {
        let count = 1 + Int(random.next() % 3)
        var out: [UInt8] = []
        out.reserveCapacity(count * 120)
        for s in 0..<count {
            if s > 0 { out.append(32) }
            let length = 8 + Int(random.next() % 9)
            for w in 0..<length {
                if w > 0 { out.append(32) }
                let word = wordBytes[Int(random.next() % UInt64(wordBytes.count))]
                // The words are lower-case ASCII: the first of a sentence is capitalised by hand.
                if w == 0 { out.append(word[0] - 32); out.append(contentsOf: word.dropFirst()) } else { out.append(contentsOf: word) }
            }
            out.append(46)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let wordBytes: [[UInt8]] = words.map { Array($0.utf8) }
}

/// Splits text into word tokens that keep their leading space, so joining them
/// gives the text back. Counting prompts uses the same rule.
public enum Tokenizer {
    public static func tokens(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes in
            var tokens: [String] = []
            eachToken(bytes) { tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)) }
            return tokens
        }
    }

    /// The same count as `tokens(text).count`, without making the strings (it runs on every prompt).
    public static func count(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var count = 0
            eachToken(bytes) { _ in count += 1 }
            return count
        }
    }

    /// A token starts at a space or newline that follows a non-blank character; the last
    /// runs to the end.
    @inline(__always)
    private static func eachToken(_ bytes: UnsafeBufferPointer<UInt8>, _ visit: (Range<Int>) -> Void) {
        var start = 0
        var sawWord = false
        for i in bytes.indices {
            let b = bytes[i]
            if b == 32 || b == 10 {
                if sawWord {
                    visit(start..<i)
                    start = i
                    sawWord = false
                }
            } else {
                sawWord = true
            }
        }
        if start < bytes.count { visit(start..<bytes.count) }
    }
}

/// A canned-answer pattern: a case-insensitive regular expression. Patterns with no
/// regex syntax (most of them) are matched as plain text, which is much faster. A class:
/// every request tries the patterns, and a struct holding a regex was copied to be tried.
final class PromptPattern {
    private let literal: [UInt8]?
    private let regex: Regex<AnyRegexOutput>?

    init(_ pattern: String) throws {
        let special = Set("\\^$.|?*+()[]{}")
        if pattern.contains(where: { special.contains($0) }) || !pattern.utf8.allSatisfy({ $0 < 128 }) {
            regex = try Regex(pattern).ignoresCase()
            literal = nil
        } else {
            regex = nil
            literal = Array(pattern.lowercased().utf8)
        }
    }

    func matches(_ text: String) -> Bool {
        if let regex { return (try? regex.firstMatch(in: text)) != nil }
        guard let needle = literal, !needle.isEmpty else { return true }
        var text = text
        return text.withUTF8 { hay in
            guard hay.count >= needle.count else { return false }
            func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
            outer: for i in 0...(hay.count - needle.count) {
                for j in 0..<needle.count where lower(hay[i + j]) != needle[j] { continue outer }
                return true
            }
            return false
        }
    }
}
