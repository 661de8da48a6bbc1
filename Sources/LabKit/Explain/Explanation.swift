import Gateway
import LabHTTP
import LabCore

/// `lab explain`: a scenario's simulated run told as a story — each attempt the gateway
/// made and what the provider did, each wait and why, the answer — and the worst case
/// set against the route's timeout. Everything here is read from the journals of the
/// real gateway and mocks run on the simulated clock; no routing rule is re-derived.
public enum Explanation {
    /// How long the gateway needed for each request when no route cut it off, from a
    /// second simulated run without the route's timeout; nil where it never answers.
    public typealias GatewayNeeds = [Double?]

    static func seconds(_ ms: Double) -> String { "\((ms / 100).rounded() / 10) s" }

    /// How a request ended, in a word: its status and who served it, or the route's 504.
    static func ending(_ o: RequestOutcome) -> String {
        if o.edgeTimedOut { return "the route's 504" }
        return (o.status.map(String.init) ?? "no answer") + (o.servedBy.map { " from \($0)" } ?? "")
    }

    public static func narrative(_ r: ScenarioResult, env: LabEnvironment, needs: GatewayNeeds?) -> [String] {
        var out: [String] = []
        let edgeTimeoutMs = env.config.edgeTimeoutMs
        // A long run: its first two requests, and the first that ended otherwise than the
        // first did (most often the first failure: where the story turns).
        var shown = r.requests.count <= 5 ? r.requests : Array(r.requests.prefix(2))
        let turn = r.requests.count > 5 ? r.requests.dropFirst(2).first(where: { Self.ending($0) != Self.ending(r.requests[0]) }) : nil
        if let turn { shown.append(turn) }
        var visits = r.visits[...]
        let byRequest = entriesByRequest(r)
        for o in shown {
            if o.number == turn?.number {
                out.append("request \(o.number), the first to end otherwise (\(Self.ending(o))):")
            } else if r.requests.count > 1 {
                out.append("request \(o.number):")
            }
            let start = o.startLabMs
            let entries = byRequest[o.number] ?? []
            var events: [(Double, String)] = []
            for e in entries {
                for a in e.attempts {
                    let from = a.startMs - r.startMs
                    let to = a.endMs.map { $0 - r.startMs }
                    let provider = URLParts(a.url).flatMap { env.provider(forHost: $0.host) }
                    var did = a.outcome.description
                    var rule: String?
                    var modelWaitMs: Int?, slotWaitMs: Int?
                    if let provider, let i = visits.firstIndex(where: { $0.provider == provider && $0.atMs >= from - 0.0005 }) {
                        rule = visits[i].rule
                        modelWaitMs = visits[i].modelWaitMs
                        slotWaitMs = visits[i].slotWaitMs
                        visits.remove(at: i)
                    }
                    // A fault rule is the reason when one fired; otherwise the provider's own words.
                    if let rule { did += " (\(rule))" } else if let error = a.error { did += " (\"\(error.terminalSafe)\")" }
                    // A fake Ollama's model not in memory: the load (and the wait for room) comes first.
                    if let modelWaitMs { did += "; the model had to load first: load_duration \(seconds(Double(modelWaitMs)))" }
                    // Ollama's queue: every generation slot of the model was taken.
                    if let slotWaitMs { did += "; it waited \(seconds(Double(slotWaitMs))) for a generation slot" }
                    // What the provider's translation lost or clamped of the client's params.
                    if !a.changes.isEmpty { did += "; the gateway's translation for it — \(a.changes.joined(separator: "; ").terminalSafe)" }
                    let span = to.map { " → \(seconds($0 - start))" } ?? " → no answer"
                    events.append((from, "\(seconds(from - start))\(span)  \(a.target)\(provider.map { " (\($0))" } ?? ""): \(did)"))
                }
                for w in e.waits {
                    let at = w.atMs - r.startMs
                    events.append((at, "\(seconds(at - start)) + \(w.ms) ms  \(w.reason) before the next try of \(w.target)"))
                }
            }
            for (_, line) in events.sorted(by: { $0.0 < $1.0 }) { out.append("  " + line) }
            let route = seconds(Double(edgeTimeoutMs))
            if o.edgeTimedOut {
                let index = r.requests.firstIndex { $0.number == o.number } ?? 0
                let need: String
                switch needs.flatMap({ index < $0.count ? $0[index] : nil }) {
                case .some(let ms): need = "the gateway needs \(seconds(ms)) (the same run without the route's timeout)"
                case .none: need = "the gateway would wait forever (nothing ends its wait: no request_timeout)"
                }
                out.append("  ⇒ \(need) > route timeout \(route): the client sees 504 from the route at \(route), before fallback can finish")
            } else {
                var answer = "⇒ " + (o.status.map(String.init) ?? "no answer: \(o.clientError ?? "?")")
                if let s = o.servedBy { answer += " from \(s)" }
                if let i = o.lastUsedOptionIndex { answer += " via \(i)" }
                if let c = o.retryAttemptCount { answer += ", retry count \(c)" }
                if o.cutShort { answer += ", stream cut short" } else if o.streamShape == "missing_terminator" { answer += ", without data: [DONE]" }
                if o.headers["x-portkey-gateway-exception"] == "true" { answer += " (gateway exception: no fallback)" }
                answer += " after \(seconds(o.labMs)) (route timeout \(route))"
                out.append("  " + answer)
            }
            if o.clientAttempts > 1 { out.append("  the client sent it \(o.clientAttempts) times (its own retries)") }
        }
        if r.requests.count > shown.count {
            var statuses: [String: Int] = [:]
            for o in r.requests { statuses[o.status.map(String.init) ?? "none", default: 0] += 1 }
            out.append("… \(r.requests.count - shown.count) more requests; statuses: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
        out.append("hits: " + r.hits.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        return out
    }

    /// A scenario run on the simulated clock and told: when the route cut a request off,
    /// the scenario runs again without the route's timeout for what the gateway needed.
    public static func simulate(_ scenario: Scenario, config: LabConfig, seed: UInt64? = nil) throws -> (result: ScenarioResult, narrative: [String]) {
        var embedded = config
        embedded.gatewayURL = nil
        let env = try LabEnvironment(config: embedded, clock: .simulated(embedded.network), seed: seed)
        defer { env.shutdown() }
        let result = ScenarioRunner(env: env).run(scenario)
        var needs: GatewayNeeds?
        if result.requests.contains(where: \.edgeTimedOut) {
            var unlimited = embedded
            unlimited.edgeTimeoutMs = unlimitedRouteTimeoutMs
            let again = try LabEnvironment(config: unlimited, clock: .simulated(embedded.network), seed: seed)
            defer { again.shutdown() }
            needs = Self.needs(ScenarioRunner(env: again).run(scenario))
        }
        return (result, narrative(result, env: env, needs: needs))
    }

    /// A route timeout no gateway reaches: the run "without" one.
    public static let unlimitedRouteTimeoutMs = Int(Int32.max)

    /// The gateway's time per request from a run with `unlimitedRouteTimeoutMs`; nil
    /// where even that ran out, or nothing was left that could answer.
    public static func needs(_ unlimited: ScenarioResult) -> GatewayNeeds {
        unlimited.requests.map { o in
            o.edgeTimedOut || (o.status == nil && [ScenarioRunner.gaveUp, ScenarioRunner.nothingLeft].contains(o.clientError)) ? nil : o.labMs
        }
    }

    /// Each gateway journal entry belongs to the latest request sent at or before it
    /// arrived (a client's own retry included); among requests sent at the same
    /// moment, to the one with the fewest entries so far.
    static func entriesByRequest(_ r: ScenarioResult) -> [Int: [GatewayJournalEntry]] {
        var out: [Int: [GatewayJournalEntry]] = [:]
        let requests = r.requests.sorted { ($0.startLabMs, $0.number) < ($1.startLabMs, $1.number) }
        for e in r.gatewayJournal {
            let at = e.atMs - r.startMs + 0.0005
            guard let latest = requests.last(where: { $0.startLabMs <= at })?.startLabMs else { continue }
            let candidates = requests.filter { $0.startLabMs == latest }
            let pick = candidates.min { (out[$0.number]?.count ?? 0) < (out[$1.number]?.count ?? 0) }!
            out[pick.number, default: []].append(e)
        }
        return out
    }
}
