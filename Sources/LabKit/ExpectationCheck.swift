/// Checks a scenario's expectations against what happened. Pure.
public enum ExpectationCheck {
    public static func verdicts(_ e: Expectations, requests: [RequestOutcome], hits: [(String, Int)]) -> [Verdict] {
        var out: [Verdict] = []
        func each<T: Equatable>(_ name: String, _ want: T?, _ got: (RequestOutcome) -> T?, show: (T?) -> String) {
            guard let want else { return }
            let failing = requests.filter { got($0) != want }
            if requests.count == 1 || failing.isEmpty {
                let actual = requests.first.map { show(got($0)) } ?? "no request"
                out.append(Verdict(name: name, expected: show(want), actual: failing.first.map { show(got($0)) } ?? actual,
                                   passed: failing.isEmpty, request: requests.count == 1 ? 1 : nil))
            } else {
                let first = failing[0]
                out.append(Verdict(name: name, expected: show(want) + " for every request",
                                   actual: "\(failing.count) of \(requests.count) differ; request \(first.number) got \(show(got(first)))",
                                   passed: false, request: first.number))
            }
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
        if let max = e.latencyMaxMs {
            let worst = requests.map(\.labMs).max() ?? 0
            out.append(Verdict(name: "latency_ms.max", expected: "<= \(Int(max)) ms (lab)", actual: "\(Int(worst.rounded())) ms", passed: worst <= max, request: nil))
        }
        if let min = e.latencyMinMs {
            let best = requests.map(\.labMs).min() ?? 0
            out.append(Verdict(name: "latency_ms.min", expected: ">= \(Int(min)) ms (lab)", actual: "\(Int(best.rounded())) ms", passed: best >= min, request: nil))
        }
        if let min = e.minSuccessRate {
            let ok = requests.filter(\.succeeded).count
            let rate = requests.isEmpty ? 1 : Double(ok) / Double(requests.count)
            out.append(Verdict(name: "success_rate.min", expected: ">= \(min)", actual: "\(ok)/\(requests.count) = \((rate * 10_000).rounded() / 10_000)",
                               passed: rate >= min, request: nil))
        }
        for (name, bound) in e.hits {
            let n = hits.first { $0.0 == name }?.1 ?? 0
            out.append(Verdict(name: "hits.\(name)", expected: bound.description, actual: String(n), passed: bound.holds(n), request: nil))
        }
        for (code, bound) in e.statuses {
            let n = requests.filter { $0.status == code }.count
            out.append(Verdict(name: "statuses.\(code)", expected: bound.description, actual: String(n), passed: bound.holds(n), request: nil))
        }
        return out
    }
}
