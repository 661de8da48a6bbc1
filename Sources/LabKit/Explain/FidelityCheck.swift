/// `lab explain --gateway URL`: the simulated run beside the same scenario sent through
/// a real gateway on the real clock, fact by fact. Any difference means the embedded
/// gateway (or the lab) does not behave as that gateway does.
public enum FidelityCheck {
    public struct Check: Equatable {
        public var what: String
        public var simulated: String
        public var real: String
        public var agrees: Bool
    }

    /// How far real latency may stray from the simulated figure: the real clock adds
    /// scheduling and parsing time that the simulation does not model.
    public static func latencyAgrees(simulated: Double, real: Double) -> Bool {
        abs(simulated - real) <= max(250, simulated * 0.1)
    }

    public static func compare(simulated s: ScenarioResult, real r: ScenarioResult) -> [Check] {
        var checks: [Check] = []
        func field<T: Equatable>(_ what: String, _ value: (RequestOutcome) -> T, show: (T) -> String) {
            let pairs = Array(zip(s.requests, r.requests))
            if let (a, b) = pairs.first(where: { value($0.0) != value($0.1) }) {
                checks.append(Check(what: "\(what) (request \(a.number))", simulated: show(value(a)), real: show(value(b)), agrees: false))
            } else if let (a, b) = pairs.first {
                let all = s.requests.count > 1 ? " (all \(s.requests.count) requests)" : ""
                checks.append(Check(what: what + all, simulated: show(value(a)), real: show(value(b)), agrees: true))
            }
        }
        func opt(_ v: String?) -> String { v ?? "none" }
        if s.requests.count != r.requests.count {
            checks.append(Check(what: "requests", simulated: String(s.requests.count), real: String(r.requests.count), agrees: false))
        }
        field("status", { $0.status.map(String.init) ?? ($0.clientError ?? "none") }, show: { $0 })
        field("served by", { $0.servedBy }, show: opt)
        field("last used option index", { $0.lastUsedOptionIndex }, show: opt)
        field("retry attempt count", { $0.retryAttemptCount.map(String.init) }, show: opt)
        field("504 from the route", { $0.edgeTimedOut }, show: { $0 ? "yes" : "no" })
        field("stream cut short", { $0.streamComplete == false }, show: { $0 ? "yes" : "no" })
        let late = zip(s.requests, r.requests).first { !latencyAgrees(simulated: $0.0.labMs, real: $0.1.labMs) }
        if let (a, b) = late ?? zip(s.requests, r.requests).first(where: { _ in true }) {
            let label = late == nil && s.requests.count > 1 ? "latency (all requests)" : "latency (request \(a.number))"
            checks.append(Check(what: label, simulated: Explanation.seconds(a.labMs), real: Explanation.seconds(b.labMs), agrees: late == nil))
        }
        for (name, count) in s.hits {
            let real = r.hits.first { $0.0 == name }?.1 ?? 0
            checks.append(Check(what: "hits on \(name)", simulated: String(count), real: String(real), agrees: count == real))
        }
        // What the providers did, in order (as a multiset when requests overlap).
        let sequence: (ScenarioResult) -> [String] = { result in
            let items = result.visits.map { "\($0.provider) \($0.what)" }
            return result.scenario.concurrency > 1 ? items.sorted() : items
        }
        let (sv, rv) = (sequence(s), sequence(r))
        if sv.count <= 12 || sv != rv {
            let diff = Array(zip(sv, rv)).firstIndex { $0.0 != $0.1 } ?? min(sv.count, rv.count)
            let show: ([String]) -> String = { v in v.isEmpty ? "none" : v.count <= 6 ? v.joined(separator: ", ") : "\(v.count) visits" }
            checks.append(Check(what: sv == rv ? "provider visits" : "provider visits (from visit \(diff + 1))",
                                simulated: sv == rv ? show(sv) : show(Array(sv.dropFirst(diff))), real: sv == rv ? show(rv) : show(Array(rv.dropFirst(diff))),
                                agrees: sv == rv))
        } else {
            checks.append(Check(what: "provider visits", simulated: "\(sv.count) visits", real: "\(rv.count) visits", agrees: true))
        }
        return checks
    }
}
