/// Checks a scenario's expectations against what happened. Pure.
public enum ExpectationCheck {
    public static func verdicts(_ e: Expectations, requests: [RequestOutcome], hits: [(String, Int)], visits: [ProviderVisit] = [],
                                windows: [WindowStats] = []) -> [Verdict] {
        var out = requestVerdicts(e, requests: requests)
        for (name, bound) in e.hits { out.append(count("hits.\(name)", bound, hits.first { $0.0 == name }?.1 ?? 0)) }
        if let gaps = e.retryGaps { out.append(retryGapVerdict(gaps, visits: visits)) }
        for group in e.perRequest {
            let subset = requests.filter { group.range.contains($0.number) }
            out += requestVerdicts(group.expect, requests: subset).map { v in
                var v = v
                v.name = "requests[\(group.label)].\(v.name)"
                return v
            }
        }
        for group in e.perWindow {
            for n in group.range {
                guard n <= windows.count else { continue }
                let w = windows[n - 1]
                let name = "windows[\(n)]"
                if let min = group.expect.minSuccessRate {
                    out.append(successRate(name + ".success_rate.min", min: min, succeeded: w.succeeded, of: w.requests))
                }
                for (provider, bound) in group.expect.hits {
                    out.append(count("\(name).hits.\(provider)", bound, w.hits.first { $0.0 == provider }?.1 ?? 0))
                }
            }
        }
        return out
    }

    /// The waits between consecutive attempts (one visit's end to the next one's start).
    static func retryGapVerdict(_ g: RetryGaps, visits: [ProviderVisit]) -> Verdict {
        let seen = visits.filter { g.provider == nil || $0.provider == g.provider }
        let gaps = zip(seen, seen.dropFirst()).map { $1.atMs - $0.endMs }
        let fits = gaps.count == g.gapsMs.count && zip(gaps, g.gapsMs).allSatisfy { abs($0 - $1) <= g.toleranceMs }
        func list(_ v: [Double]) -> String { v.isEmpty ? "none" : v.map { String(Int($0.rounded())) }.joined(separator: ", ") + " ms" }
        return Verdict(name: "retry_gaps_ms" + (g.provider.map { ".\($0)" } ?? ""), expected: "\(list(g.gapsMs)) (± \(Int(g.toleranceMs)) ms)",
                       actual: list(gaps), passed: fits, request: nil)
    }

    /// The expectations that hold of requests, for the whole scenario or a range of its requests.
    static func requestVerdicts(_ e: Expectations, requests: [RequestOutcome]) -> [Verdict] {
        var out: [Verdict] = []
        /// A bound every request must meet; the first one that does not is shown, with
        /// how many differ when there are several.
        func bounded(_ name: String, _ expected: String, holds: (RequestOutcome) -> Bool, show: (RequestOutcome) -> String) {
            let failing = requests.filter { !holds($0) }
            guard requests.count > 1, let first = failing.first else {
                let shown = failing.first ?? requests.first
                out.append(Verdict(name: name, expected: expected, actual: shown.map(show) ?? "no request",
                                   passed: failing.isEmpty, request: requests.count == 1 ? requests[0].number : nil))
                return
            }
            out.append(Verdict(name: name, expected: expected + " for every request",
                               actual: "\(failing.count) of \(requests.count) differ; request \(first.number) got \(show(first))",
                               passed: false, request: first.number))
        }
        /// Every request's value is `want`.
        func each<T: Equatable>(_ name: String, _ want: T?, _ got: @escaping (RequestOutcome) -> T?, show: @escaping (T?) -> String) {
            guard let want else { return }
            bounded(name, show(want), holds: { got($0) == want }, show: { show(got($0)) })
        }
        func text(_ v: String?) -> String { v ?? "none" }
        each("status", e.status, { $0.status }, show: { $0.map(String.init) ?? "no answer" })
        each("served_by", e.servedBy, { $0.servedBy ?? "none" }, show: text)
        each("last_used_option_index", e.lastUsedOptionIndex, { $0.lastUsedOptionIndex }, show: text)
        each("retry_attempt_count", e.retryAttemptCount, { $0.retryAttemptCount }, show: { $0.map(String.init) ?? "none" })
        each("fallback_triggered", e.fallbackTriggered, { $0.fallbackTriggered }, show: { $0.map(String.init) ?? "none" })
        each("stream_complete", e.streamComplete, { $0.streamComplete }, show: { $0.map(String.init) ?? "not a stream" })
        each("finish_reason", e.finishReason, { $0.finishReason }, show: text)
        each("stream", e.streamShape, { $0.streamShape }, show: { $0 ?? "not a streamed success" })
        if let needle = e.bodyContains {
            each("body_contains", true, { $0.body.contains(needle) || ($0.clientError ?? "").contains(needle) }, show: { v in
                v == true ? "contains \"\(needle)\"" : "does not contain \"\(needle)\""
            })
        }
        if let bound = e.contentTokens {
            bounded("content_tokens", bound.description, holds: { $0.contentTokens.map(bound.holds) ?? false },
                    show: { $0.contentTokens.map(String.init) ?? "no count (not a stream, and no usage)" })
        }
        each("usage_present", e.usagePresent, { $0.usagePresent }, show: { $0.map(String.init) ?? "none" })
        each("content_json", e.contentJSON, { $0.contentIsJSON }, show: { $0.map(String.init) ?? "no content" })
        if e.ttftMinMs != nil || e.ttftMaxMs != nil {
            let expected = [e.ttftMinMs.map { ">= \(Int($0)) ms" }, e.ttftMaxMs.map { "<= \(Int($0)) ms" }].compactMap { $0 }.joined(separator: " and ")
            bounded("ttft_ms", expected, holds: { o in
                guard let t = o.ttftMs else { return false }
                return t >= (e.ttftMinMs ?? -.infinity) && t <= (e.ttftMaxMs ?? .infinity)
            }, show: { $0.ttftMs.map { "\(Int($0.rounded())) ms" } ?? "no token arrived" })
        }
        if let max = e.latencyMaxMs {
            let worst = requests.map(\.labMs).max() ?? 0
            out.append(Verdict(name: "latency_ms.max", expected: "<= \(Int(max)) ms (lab)", actual: "\(Int(worst.rounded())) ms", passed: worst <= max, request: nil))
        }
        if let min = e.latencyMinMs {
            let best = requests.map(\.labMs).min() ?? 0
            out.append(Verdict(name: "latency_ms.min", expected: ">= \(Int(min)) ms (lab)", actual: "\(Int(best.rounded())) ms", passed: best >= min, request: nil))
        }
        if let min = e.minSuccessRate {
            out.append(successRate("success_rate.min", min: min, succeeded: requests.filter(\.succeeded).count, of: requests.count))
        }
        for (code, bound) in e.statuses { out.append(count("statuses.\(code)", bound, requests.filter { $0.status == code }.count)) }
        return out
    }

    /// A count within its bound (hits, statuses), for the scenario or one window.
    static func count(_ name: String, _ bound: CountBound, _ n: Int) -> Verdict {
        Verdict(name: name, expected: bound.description, actual: String(n), passed: bound.holds(n), request: nil)
    }

    /// At least `min` of `total` succeeded (none sent counts as all).
    static func successRate(_ name: String, min: Double, succeeded ok: Int, of total: Int) -> Verdict {
        let rate = total == 0 ? 1 : Double(ok) / Double(total)
        return Verdict(name: name, expected: ">= \(min)", actual: "\(ok)/\(total) = \((rate * 10_000).rounded() / 10_000)", passed: rate >= min, request: nil)
    }
}
