/// When an answer that may wait for a generation slot started, as the provider that held
/// it back saw it: the answer's times (`created_at`, `created`) count from then and its
/// `total_duration` counts the wait, as Ollama's do. Set before the answer is sent; its
/// pieces that depend on it are made only when they are sent.
public final class AnswerStart {
    /// Milliseconds (lab time) after the time the answer was written for.
    public var lateMs = 0

    public init() {}
}
