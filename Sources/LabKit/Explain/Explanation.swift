/// `lab explain`: the prediction told as a story, then set beside what happened.
public enum Explanation {
    public struct Check {
        public var what: String
        public var predicted: String
        public var observed: String
        public var agrees: Bool
    }

    static func seconds(_ ms: Double) -> String { "\((ms / 100).rounded() / 10) s" }

    public static func narrative(_ p: ScenarioPrediction, edgeTimeoutMs: Int) -> [String] {
        var out: [String] = []
        let shown = p.requests.count <= 5 ? p.requests : Array(p.requests.prefix(2))
        for r in shown {
            if p.requests.count > 1 { out.append("request \(r.number):") }
            var events: [(Double, String)] = r.attempts.map { a in
                let end = a.endMs.map { " → \(seconds($0 - r.startMs))" } ?? " → never answers"
                return (a.startMs, "\(seconds(a.startMs - r.startMs))\(end)  \(a.target)\(a.provider.map { " (\($0))" } ?? ""): \(a.outcome)")
            }
            events += r.waits.map { w in (w.atMs, "\(seconds(w.atMs - r.startMs)) + \(w.ms) ms  \(w.reason) before the next try of \(w.target)") }
            for (_, line) in events.sorted(by: { $0.0 < $1.0 }) { out.append("  " + line) }
            let route = seconds(Double(edgeTimeoutMs))
            if r.edgeTimedOut {
                let need = r.gatewayNeedsMs.map { "worst case \(seconds($0))" }
                    ?? r.gatewayNeedsAtLeastMs.map { "worst case ≥ \(seconds($0))" } ?? "the gateway would wait forever"
                out.append("  ⇒ \(need) > route timeout \(route): the client will see 504 from the route at \(route), before fallback can finish")
            } else {
                var answer = "⇒ \(r.status)"
                if let s = r.servedBy { answer += " from \(s)" }
                if let i = r.lastUsedOptionIndex { answer += " via \(i)" }
                if let c = r.retryAttemptCount { answer += ", retry count \(c)" }
                if r.truncated { answer += ", stream cut short" }
                if r.gatewayException { answer += " (gateway exception: no fallback)" }
                answer += " after \(seconds(r.totalMs)) (route timeout \(route))"
                out.append("  " + answer)
            }
            if r.clientAttempts > 1 { out.append("  the client sends it \(r.clientAttempts) times (its own retries)") }
        }
        if p.requests.count > shown.count {
            var statuses: [Int: Int] = [:]
            for r in p.requests { statuses[r.status, default: 0] += 1 }
            out.append("… \(p.requests.count - shown.count) more requests; statuses: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
        out.append("hits: " + p.hits.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        return out
    }

    /// Prediction against observation.
    public static func compare(_ p: ScenarioPrediction, _ r: ScenarioResult) -> [Check] {
        var checks: [Check] = []
        func field<T: Equatable>(_ what: String, _ pv: (PredictedRequest) -> T, _ ov: (RequestOutcome) -> T, show: (T) -> String) {
            let pairs = zip(p.requests, r.requests)
            let bad = pairs.first { pv($0.0) != ov($0.1) }
            if let (pq, oq) = bad {
                checks.append(Check(what: "\(what) (request \(pq.number))", predicted: show(pv(pq)), observed: show(ov(oq)), agrees: false))
            } else if let (pq, oq) = pairs.first(where: { _ in true }) {
                checks.append(Check(what: what + (p.requests.count > 1 ? " (all \(p.requests.count) requests)" : ""), predicted: show(pv(pq)), observed: show(ov(oq)), agrees: true))
            }
        }
        func opt(_ v: String?) -> String { v ?? "none" }
        field("status", { $0.status }, { $0.status ?? 0 }, show: String.init)
        field("served by", { $0.servedBy }, { $0.servedBy }, show: opt)
        field("last used option index", { $0.lastUsedOptionIndex }, { $0.lastUsedOptionIndex }, show: opt)
        field("retry attempt count", { $0.retryAttemptCount.map(String.init) }, { $0.retryAttemptCount.map(String.init) }, show: opt)
        field("504 from the route", { $0.edgeTimedOut }, { $0.edgeTimedOut }, show: { $0 ? "yes" : "no" })
        field("stream cut short", { $0.truncated }, { $0.streamComplete == false }, show: { $0 ? "yes" : "no" })
        let slack = 1000.0
        let late = zip(p.requests, r.requests).first { abs($0.0.totalMs - $0.1.labMs) > $0.0.totalMs * 0.1 + slack }
        let first = late ?? (p.requests.first.map { ($0, r.requests[0]) })
        if let (pq, oq) = first {
            checks.append(Check(what: "latency" + (late == nil && p.requests.count > 1 ? " (all requests)" : " (request \(pq.number))"),
                                predicted: seconds(pq.totalMs), observed: seconds(oq.labMs), agrees: late == nil))
        }
        for (name, predicted) in p.hits {
            let observed = r.hits.first { $0.0 == name }?.1 ?? 0
            checks.append(Check(what: "hits on \(name)", predicted: String(predicted), observed: String(observed), agrees: predicted == observed))
        }
        return checks
    }
}
