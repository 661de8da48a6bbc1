/// The retry handler's decisions (`retryHandler.ts`), pure: which outcomes are
/// retried, how long to wait, and what the retry-count header says.
public struct RetryPolicy: Equatable, Sendable {
    public static let defaultCodes = [429, 500, 502, 503, 504]
    /// The whole Retry-After budget of one target.
    public static let retryAfterBudgetMs = 60_000

    public var attempts: Int
    public var codes: [Int]
    public var useRetryAfterHeader: Bool

    public init(_ retry: PortkeyTarget.Retry?) {
        attempts = retry?.attempts ?? 0
        codes = retry?.onStatusCodes ?? (attempts > 0 ? Self.defaultCodes : [])
        useRetryAfterHeader = retry?.useRetryAfterHeader ?? false
    }

    /// Only 200–204 end the retries as a success.
    public static func isSuccess(_ status: Int) -> Bool { (200...204).contains(status) }

    /// Network errors are always retried; statuses only when listed.
    public func isRetryable(status: Int, networkError: Bool) -> Bool {
        networkError || codes.contains(status)
    }

    /// Exponential backoff before retry `n` (1-based): 1 s, 2 s, 4 s… with no jitter.
    public static func backoffMs(beforeRetry n: Int) -> Int {
        // Past 2^40 s the figure means nothing; it only must not overflow.
        1000 << min(max(0, n - 1), 40)
    }

    /// The Retry-After wait a 429 asks for, in ms: `retry-after-ms`, then
    /// `x-ms-retry-after-ms`, then `retry-after` (whole seconds; a date does not count).
    /// The figures come from the upstream: past `farMs` (a wait that already stops retrying)
    /// they are held there, so that no value, `inf` or `99999999999999999` seconds, overflows.
    public static func retryAfterMs(_ header: (String) -> String?) -> Int? {
        if let v = header("retry-after-ms").flatMap(Double.init), v >= 0 { return v < Double(farMs) ? Int(v) : farMs }
        if let v = header("x-ms-retry-after-ms").flatMap(Double.init), v >= 0 { return v < Double(farMs) ? Int(v) : farMs }
        if let v = header("retry-after").flatMap(Int.init), v >= 0 { return v < farMs / 1000 ? v * 1000 : farMs }
        return nil
    }

    /// A thousand years: far past the 60 s budget, far below `Int.max`.
    static let farMs = 1000 * 365 * 86_400 * 1000

    /// What to do after try `n` (0-based) of a target answered.
    public enum Step: Equatable, Sendable {
        /// Stop; the count header reads this.
        case finish(count: Int)
        /// Wait, then try again (or, with `thenFinish`, answer with that count: Retry-After
        /// waits after the last try too).
        case wait(ms: Int, reason: String, budgetLeftMs: Int, thenFinish: Int?)
    }

    /// The whole retry rule in one place, for the gateway and for `lab explain`'s predictor.
    /// - Parameters:
    ///   - final: the answer can only be returned (a gateway exception, a stream that started).
    ///   - retryAfterMs: what the answer's Retry-After headers ask for, if any.
    public func step(afterTry n: Int, status: Int, networkError: Bool, final: Bool, retryAfterMs: Int?, budgetLeftMs: Int) -> Step {
        if Self.isSuccess(status) || final || !isRetryable(status: status, networkError: networkError) || attempts == 0 {
            return .finish(count: n)
        }
        var wait = Self.backoffMs(beforeRetry: n + 1)
        var reason = "backoff"
        var budget = budgetLeftMs
        var waitsAfterLast = false
        if useRetryAfterHeader, status == 429, let ms = retryAfterMs {
            guard ms < Self.retryAfterBudgetMs, ms <= budget else { return .finish(count: -1) }
            wait = ms
            reason = "Retry-After"
            budget -= ms
            waitsAfterLast = true
        }
        let count = Self.countHeader(retries: n, exhaustedOnRetryableStatus: codes.contains(status))
        if n == attempts {
            return waitsAfterLast ? .wait(ms: wait, reason: reason, budgetLeftMs: budget, thenFinish: count) : .finish(count: count)
        }
        return .wait(ms: wait, reason: reason, budgetLeftMs: budget, thenFinish: nil)
    }

    /// The count header: retries made, or -1 when the tries ran out on a retryable
    /// status (or Retry-After cut them short).
    public static func countHeader(retries: Int, exhaustedOnRetryableStatus: Bool) -> Int {
        exhaustedOnRetryableStatus ? -1 : retries
    }
}
