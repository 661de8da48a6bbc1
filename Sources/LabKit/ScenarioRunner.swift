import Foundation
import Gateway
import LabCore
import LabHTTP
import ProviderHost

/// Runs scenarios in a `LabEnvironment`: sends their requests through the edge route
/// with the scenario's Portkey config and gathers what happened.
public final class ScenarioRunner {
    public let env: LabEnvironment
    let client: HTTPClient
    private var scenarioStartMs: Double = 0
    /// Called as requests finish: (done, total).
    public var progress: ((Int, Int) -> Void)?

    public init(env: LabEnvironment) {
        self.env = env
        client = HTTPClient(loop: env.loop)
    }

    public func run(_ scenario: Scenario) -> ScenarioResult {
        do {
            try env.prepare(scenario)
        } catch {
            // Nothing is sent when a provider cannot be set up: the verdict says why.
            return ScenarioResult(scenario: scenario, requests: [], direct: nil, hits: [],
                                  verdicts: [Verdict(name: "providers", expected: "ready for the scenario", actual: error.description, passed: false, request: nil)],
                                  gatewayJournal: [], wallMs: 0, timeline: Timeline(lanes: [], bars: [], edgeTimeoutAtMs: nil))
        }
        let wallStart = EventLoop.monotonicNs
        scenarioStartMs = env.loop.nowMs
        let config = env.configToSend(scenario.portkeyConfig)
        let header = config.javaScriptCompact
        // A `lab gateway` in external mode follows these to draw as a simulated run does.
        let draws = env.isEmbedded ? [] : [("x-lab-seed", String(env.seed)), ("x-lab-scenario", scenario.name)]
        var outcomes = [RequestOutcome?](repeating: nil, count: scenario.requests.count)
        // When each request went out: one left unanswered still shows how long it waited.
        var sentAtMs = [Double?](repeating: nil, count: scenario.requests.count)
        var next = 0
        var inFlight = 0
        var done = 0
        let headers = [("x-portkey-config", header)] + draws
        func finished(_ i: Int, _ outcome: RequestOutcome) {
            outcomes[i] = outcome
            done += 1
            progress?(done, scenario.requests.count)
        }
        /// A load plan sends on its schedule, answered or not.
        func arrive(_ plan: LoadPlan) {
            let i = next
            next += 1
            sentAtMs[i] = env.loop.nowMs
            send(scenario.requests[i], number: i + 1, headers: headers, scenario: scenario) { finished(i, $0) }
            if next < scenario.requests.count {
                env.loop.after(ms: scenarioStartMs + plan.sendAtMs(next) - env.loop.nowMs) { arrive(plan) }
            }
        }
        func launch() {
            while inFlight < scenario.concurrency, next < scenario.requests.count {
                let i = next
                next += 1
                sentAtMs[i] = env.loop.nowMs
                inFlight += 1
                send(scenario.requests[i], number: i + 1, headers: headers, scenario: scenario) { outcome in
                    inFlight -= 1
                    finished(i, outcome)
                    launch()
                }
            }
        }
        // Outages start on the scenario's clock; one that has not begun by the end never does.
        let outageTimers = scenario.outages.map { outage in
            env.loop.after(ms: Double(outage.fromMs)) { [env] in env.links[outage.provider]?.goDown(forMs: outage.forMs) }
        }
        defer { outageTimers.forEach { $0.close() } }
        if let plan = scenario.load { arrive(plan) } else { launch() }
        env.loop.run(until: { done == scenario.requests.count }, timeoutMs: budgetMs(scenario))
        // In simulation an unanswered request either can never be answered (nothing left
        // to happen) or ran past the lab's budget; on a real clock only the budget is known.
        let unanswered = env.loop.isSimulated && !env.loop.hasSimulatedWork ? Self.nothingLeft : Self.gaveUp
        let gaveUpAtMs = env.loop.nowMs
        let requests = outcomes.enumerated().map { i, o in
            o ?? {
                var waiting = RequestOutcome(number: i + 1, label: scenario.requests[i].label, stream: scenario.requests[i].stream, status: nil,
                                             clientError: unanswered, headers: HTTPHeaders(), body: "", labMs: sentAtMs[i].map { gaveUpAtMs - $0 } ?? 0,
                                             lastUsedOptionIndex: nil, retryAttemptCount: nil, servedBy: nil, fallbackTriggered: false,
                                             streamComplete: nil, edgeTimedOut: false, clientAttempts: 1)
                waiting.startLabMs = (sentAtMs[i] ?? gaveUpAtMs) - scenarioStartMs
                return waiting
            }()
        }
        // Let providers finish recording what the gateway left behind (a hang the route gave up on).
        env.loop.run(until: { false }, timeoutMs: 5)
        let journals = env.config.providers.map { ($0.name, env.links[$0.name]!.journalEntries()) }
        let hits = journals.map { ($0.0, $0.1.count) }
        var direct: RequestOutcome?
        if scenario.compareDirect, let first = scenario.requests.first, let host = scenario.target.customHost(at: scenario.target.firstLeafPath) {
            var done = false
            let sentHost = env.isEmbedded ? host : env.addressToSend(host)
            send(first, number: 0, headers: [("x-portkey-provider", "ollama"), ("x-portkey-custom-host", sentHost)], scenario: scenario) { o in
                direct = o
                done = true
            }
            env.loop.run(until: { done }, timeoutMs: budgetMs(scenario))
        }
        let gatewayEntries = env.gatewayEntries(since: scenarioStartMs)
        let timeline = requests.count > Timeline.maxRequests ? Timeline(lanes: [], bars: [], edgeTimeoutAtMs: nil) : Timeline.build(requests: requests, starts: requests.map(\.startLabMs),
                                      edge: env.edge.records.filter { $0.atMs >= scenarioStartMs }, gateway: gatewayEntries,
                                      providers: journals,
                                      startMs: scenarioStartMs, edgeTimeoutMs: env.config.edgeTimeoutMs)
        var result = ScenarioResult(scenario: scenario, requests: requests, direct: direct, hits: hits, verdicts: [],
                                    gatewayJournal: gatewayEntries,
                                    wallMs: Double(EventLoop.monotonicNs - wallStart) / 1e6, timeline: timeline)
        result.startMs = scenarioStartMs
        result.visits = visits(journals)
        if let plan = scenario.load {
            result.windows = WindowStats.compute(requests: requests, visits: result.visits, providers: env.config.providers.map(\.name),
                                                 windowMs: plan.windowS * 1000, durationMs: plan.durationS * 1000)
        }
        result.verdicts = ExpectationCheck.verdicts(scenario.expect, requests: requests, hits: hits, visits: result.visits, windows: result.windows)
        return result
    }

    /// Every provider's journal on the scenario's time base, in order of arrival.
    private func visits(_ journals: [(String, [JournalEntry])]) -> [ProviderVisit] {
        var out: [ProviderVisit] = []
        for (name, entries) in journals {
            let offset = env.links[name]!.originMs - scenarioStartMs
            for e in entries {
                let at = e.atMs + offset
                let what = e.status.map { "\($0)\(e.truncated ? " (cut short: \(JournalEntry.name(e.outcome)))" : "")" }
                    ?? (e.outcome == .clientGone ? "no answer (the caller left)" : "connection \(JournalEntry.name(e.outcome))")
                out.append(ProviderVisit(provider: name, atMs: at, endMs: at + (e.steps.last?.atMs ?? 0), status: e.status,
                                         rule: e.ruleNumber.map { n in "rule \(n)" + (e.ruleName.map { $0 == "rule \(n)" ? "" : " \"\($0)\"" } ?? "") }, what: what,
                                         modelWaitMs: e.modelWaitMs, model: e.model, slotWaitMs: e.slotWaitMs))
            }
        }
        // Stable: equal times keep the providers' order.
        return out.enumerated().sorted { ($0.element.atMs, $0.offset) < ($1.element.atMs, $1.offset) }.map(\.element)
    }

    /// A lab-time cap far beyond anything a scenario should take: the edge timeout
    /// bounds every answer, so this only catches a lab bug.
    func budgetMs(_ scenario: Scenario) -> Double {
        if let plan = scenario.load { return plan.durationS * 1000 + Double(env.config.edgeTimeoutMs) * 3 + 10_000 }
        // Each of the client's own retries can take as long again.
        let tries = Double((scenario.requests.map(\.clientRetries).max() ?? 0) + 1)
        let perRequest = (Double(env.config.edgeTimeoutMs) * 3 + 5_000) * tries
        return perRequest * Double(scenario.requests.count) / Double(scenario.concurrency) + 10_000
    }

    /// What an unanswered request says when the lab's budget for the scenario ran out.
    public static let gaveUp = "the lab gave up waiting for an answer"
    /// …and in simulation, where it is known: nothing could ever answer it.
    public static let nothingLeft = "no answer, ever: every part of the lab was waiting and no timer was left to end the wait"

    static let clientRetryStatuses: Set<Int> = [408, 409, 429, 500, 502, 503, 504]

    private func send(_ request: ScenarioRequest, number: Int, headers extra: [(String, String)], scenario: Scenario,
                      attempt: Int = 1, startMs: Double? = nil, _ done: @escaping (RequestOutcome) -> Void) {
        let start = startMs ?? env.loop.nowMs
        var headers = HTTPHeaders(extra + request.headers)
        headers.add("Content-Type", "application/json")
        let upstream = URLParts(env.edge.url)!
        let outgoing = ClientRequest(method: "POST", host: upstream.host, port: upstream.port, target: request.path,
                                     headers: headers, body: request.body.javaScriptCompactBytes)
        let exchange = client.send(outgoing)
        var answer = Answer()
        exchange.onHead = { answer.head = $0 }
        exchange.onBody = { [env] bytes in
            answer.body.append(contentsOf: bytes)
            if request.stream { answer.pieces.append((answer.body.count, env.loop.nowMs)) }
        }
        exchange.onEnd = { finish(nil) }
        exchange.onError = { finish($0) }
        func finish(_ error: HTTPClientError?) {
            answer.error = error
            let failed = error != nil || answer.head.map { Self.clientRetryStatuses.contains($0.status) } ?? true
            if failed, attempt <= request.clientRetries {
                // The SDKs wait about half a second before their retry.
                env.loop.after(ms: 500) { [self] in
                    send(request, number: number, headers: extra, scenario: scenario, attempt: attempt + 1, startMs: start, done)
                }
                return
            }
            done(outcome(answer, request: request, number: number, scenario: scenario, startMs: start, attempts: attempt))
        }
    }

    /// What came back for one attempt, as it arrived.
    struct Answer {
        var head: ClientResponseHead?
        var body: [UInt8] = []
        /// A stream's pieces: cumulative byte count and lab time of arrival, for the first token's time.
        var pieces: [(end: Int, atMs: Double)] = []
        var error: HTTPClientError?
    }

    private func outcome(_ answer: Answer, request: ScenarioRequest, number: Int, scenario: Scenario,
                         startMs: Double, attempts: Int) -> RequestOutcome {
        var o = RequestOutcome(number: number, label: request.label, stream: request.stream, status: nil, clientError: nil,
                               headers: HTTPHeaders(), body: "", labMs: env.loop.nowMs - startMs,
                               lastUsedOptionIndex: nil, retryAttemptCount: nil, servedBy: nil, fallbackTriggered: false,
                               streamComplete: nil, edgeTimedOut: false, clientAttempts: attempts)
        o.startLabMs = startMs - scenarioStartMs
        if let error = answer.error {
            o.clientError = "\(error)"
            if request.stream { o.streamComplete = false }
        }
        // A head that came means the client saw a status, even if the body broke off after it.
        guard let r = answer.head else { return o }
        o.status = r.status
        // Only the gateway's own headers are kept: a load run holds tens of thousands of outcomes.
        o.headers = HTTPHeaders(r.headers.fields.filter { $0.name.lowercased().hasPrefix("x-portkey-") }.map { ($0.name, $0.value) })
        o.body = String(decoding: answer.body, as: UTF8.self)
        o.lastUsedOptionIndex = r.headers["x-portkey-last-used-option-index"]
        o.retryAttemptCount = r.headers["x-portkey-retry-attempt-count"].flatMap { Int($0) }
        o.edgeTimedOut = r.status == 504 && o.body.contains("504 Gateway Time-out")
        let ok = (200...299).contains(r.status)
        let reading = AnswerReading.read(answer.body, stream: request.stream, succeeded: ok)
        if request.stream, ok { o.streamComplete = answer.error == nil && o.body.hasSuffix("data: [DONE]\n\n") }
        o.finishReason = reading.finishReason
        o.streamShape = reading.streamShape
        o.contentTokens = reading.contentTokens
        o.usagePresent = reading.usagePresent
        o.contentIsJSON = reading.contentIsJSON
        if let offset = reading.firstTokenEndOffset, let at = AnswerReading.arrivalMs(ofOffset: offset, in: answer.pieces) {
            o.ttftMs = at - startMs
        }
        if let index = o.lastUsedOptionIndex {
            // The header override beats every target's host, as on the gateway.
            let host = request.headers.first { $0.0.lowercased() == "x-portkey-custom-host" }?.1
                ?? scenario.target.customHost(at: index)
            if let host, let name = URLParts(host)?.host { o.servedBy = env.provider(forHost: name) }
            o.fallbackTriggered = scenario.target.fallbackTriggered(at: index)
            if !ok { o.servedBy = nil }
        }
        return o
    }
}
