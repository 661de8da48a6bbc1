import Foundation
import LabCore

/// Log probabilities for the tokens a mock model generates, as Ollama reports them when a
/// request asks (`logprobs: true`, `top_logprobs: N`): each token with its log probability
/// and its UTF-8 bytes, and the N likeliest tokens at its position. Ollama's `api.Logprob`:
/// `{"token","logprob","bytes","top_logprobs":[{"token","logprob","bytes"}]}`, `bytes` and
/// `top_logprobs` left out when empty.
///
/// The numbers are made up but consistent, and the same for the same seed, token and
/// position: the chosen token is likely (between −2 and −0.001), the alternatives share
/// what probability it leaves, the list is sorted likeliest first, and their
/// probabilities never add up to more than one.
struct TokenLogprobs {
    /// Alternatives per position (`top_logprobs`, 0–20).
    let top: Int
    let seed: UInt64

    /// Tokens a model commonly weighs instead: the alternatives are drawn from these.
    static let alternatives = [" the", " a", ",", ".", " and", " to", " of", " is", " in", " it", "\n",
                               " that", " for", " on", " with", " as", " was", " I", " you", " be", " this", " not"]

    /// The entry for `token` generated at `position` (counted over the whole answer).
    func entry(_ token: String, at position: Int) -> JSONValue {
        var random = SeededRandom(seed: seed &+ UInt64(position) &* 0x9E37_79B9_7F4A_7C15, key: token)
        let u = random.unit()
        let chosen = Self.rounded(-(0.001 + 1.999 * u * u * u))
        var members: [(String, JSONValue)] = Self.token(token, chosen)
        guard top > 0 else { return .object(members) }
        // What the chosen token leaves, shared by the others: the k-th takes at most half of
        // what the one before it could, so together they stay within it.
        let left = 1 - Foundation.exp(chosen)
        var candidates: [(String, Double)] = [(token, chosen)]
        var share = left / 2
        var pool = Self.alternatives.filter { $0 != token }
        while candidates.count < top, !pool.isEmpty {
            let pick = Int(random.next() % UInt64(pool.count))
            let p = share * (0.5 + 0.5 * random.unit())
            candidates.append((pool.remove(at: pick), Self.rounded(Foundation.log(max(p, 1e-300)))))
            share /= 2
        }
        candidates.sort { $0.1 > $1.1 }
        members.append(("top_logprobs", .array(candidates.map { .object(Self.token($0.0, $0.1)) })))
        return .object(members)
    }

    /// The entries for a run of tokens, the first of them at `from`.
    func entries(_ tokens: [String], from: Int = 0) -> [JSONValue] {
        tokens.enumerated().map { entry($1, at: from + $0) }
    }

    private static func token(_ text: String, _ logprob: Double) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("token", .string(text)), ("logprob", .double(logprob))]
        if !text.isEmpty { members.append(("bytes", .array(text.utf8.map { .int(Int($0)) }))) }
        return members
    }

    /// Six decimals: short numbers that Go and this writer print alike (never in exponent form).
    private static func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
