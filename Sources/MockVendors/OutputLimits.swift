/// The most tokens a hosted model writes in one answer, as its vendor publishes it: a
/// request asking for more is refused before anything is generated. This is where a
/// cross-vendor fallback surprises: `max_tokens: 32000` fits claude-sonnet-4-6 (64,000) and
/// is a 400 from gpt-4o-mini (16,384). A model not listed here has no limit. Pure.
enum OutputLimits {
    static let tokens: [String: Int] = [
        "gpt-4o-mini": 16_384, "gpt-4o": 16_384, "gpt-3.5-turbo": 4_096,
        "claude-opus-4-6": 128_000, "claude-sonnet-4-6": 64_000, "claude-haiku-4-5": 64_000, "claude-opus-4-5": 64_000,
        "claude-sonnet-4-5": 64_000, "claude-sonnet-4-20250514": 64_000, "claude-3-7-sonnet-20250219": 64_000,
        "claude-opus-4-1": 32_000, "claude-3-5-sonnet-20241022": 8_192, "claude-3-5-haiku-20241022": 8_192,
        "claude-3-haiku-20240307": 4_096,
    ]

    /// The limit `asked` goes past, or nil when it fits (or the model has none).
    static func exceeded(model: String, asked: Int?) -> Int? {
        guard let asked, let limit = tokens[model], asked > limit else { return nil }
        return limit
    }
}
