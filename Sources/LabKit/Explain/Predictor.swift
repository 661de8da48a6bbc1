import FaultInjector
import Gateway
import LabCore
import LabHTTP
import MockOllama

/// Predicts a scenario by simulation: the providers' answers come from the same mock and
/// fault rules the lab runs (pure functions of the request, the counters and the seed);
/// the gateway's choices from the same pure rules the embedded gateway uses; time is
/// added up on a simulated clock instead of waited for. Requests run one after another.
public final class Predictor {
    let config: LabConfig
    let seed: UInt64

    public init(config: LabConfig, seed: UInt64? = nil) {
        self.config = config
        self.seed = seed ?? config.seed
    }

    /// The state of one simulated run of a scenario.
    private final class Run {
        var mocks: [String: MockOllama] = [:]
        var faults: [String: FaultInjector] = [:]
        var hits: [String: Int] = [:]
        var random: SeededRandom
        init(random: SeededRandom) { self.random = random }
    }

    private struct Result {
        var status: Int
        var endMs: Double?
        var index = "config"
        var retryCount = 0
        var gatewayException = false
        var routed = false
        var truncated = false
        var provider: String?
        var retryAfterMs: Int?
        var network = false
    }

    public func predict(_ scenario: Scenario) throws -> ScenarioPrediction {
        let run = Run(random: PortkeyGateway.loadbalanceRandom(seed: seed, scenario: scenario.name))
        for p in config.providers {
            run.mocks[p.name] = try MockOllama(options: MockOptions(models: p.models, seed: seed, cannedAnswers: p.answers, pacing: p.pacing),
                                               clock: { WallTime(seconds: 0, nanos: 0) })
            run.faults[p.name] = FaultInjector(rules: (scenario.faults[p.name] ?? []) + p.faults, seed: seed, provider: p.name)
            run.hits[p.name] = 0
        }
        let target = try PortkeyConfigCheck.parse(scenario.portkeyConfig)
        var clock = 0.0
        var out: [PredictedRequest] = []
        for (i, request) in scenario.requests.enumerated() {
            var p = PredictedRequest(number: i + 1, startMs: clock, status: 0, totalMs: 0)
            let start = clock
            var attemptStart = clock
            while true {
                let edgeDeadline = attemptStart + Double(config.edgeTimeoutMs)
                var sim = Sim(run: run, request: request, deadline: edgeDeadline, predictor: self)
                let r = sim.run(target, path: "config", inherited: Inherited(), at: attemptStart)
                p.attempts += sim.attempts
                p.waits += sim.waits
                p.gatewayNeedsMs = r.endMs.map { $0 - attemptStart }
                if r.endMs == nil, let cut = sim.attempts.last(where: { $0.outcome.hasPrefix("never made") }) {
                    p.gatewayNeedsAtLeastMs = cut.startMs - attemptStart
                }
                if r.endMs.map({ $0 > edgeDeadline }) ?? true {
                    p.status = 504
                    p.edgeTimedOut = true
                    p.lastUsedOptionIndex = nil
                    p.retryAttemptCount = nil
                    p.servedBy = nil
                    clock = edgeDeadline
                } else {
                    p.status = r.status
                    p.edgeTimedOut = false
                    p.gatewayException = r.gatewayException
                    p.truncated = r.truncated
                    p.lastUsedOptionIndex = r.routed ? r.index : nil
                    p.retryAttemptCount = r.routed ? r.retryCount : nil
                    p.servedBy = r.routed && (200...299).contains(r.status) ? r.provider : nil
                    clock = r.endMs ?? clock
                }
                if p.clientAttempts <= request.clientRetries, ScenarioRunner.clientRetryStatuses.contains(p.status) {
                    p.clientAttempts += 1
                    clock += 500
                    attemptStart = clock
                    continue
                }
                break
            }
            p.totalMs = clock - start
            out.append(p)
        }
        return ScenarioPrediction(scenario: scenario, requests: out, hits: config.providers.map { ($0.name, run.hits[$0.name] ?? 0) })
    }

    /// One request's walk through the config tree.
    private struct Sim {
        let run: Run
        let request: ScenarioRequest
        let deadline: Double
        let predictor: Predictor
        var attempts: [PredictedAttempt] = []
        var waits: [PredictedWait] = []

        init(run: Run, request: ScenarioRequest, deadline: Double, predictor: Predictor) {
            self.run = run
            self.request = request
            self.deadline = deadline
            self.predictor = predictor
        }

        var header: (String) -> String? {
            { name in request.headers.first { $0.0.lowercased() == name }?.1 }
        }

        mutating func run(_ t: PortkeyTarget, path: String, inherited: Inherited, at now: Double) -> Result {
            let inh = inherited.entering(t)
            guard t.isGroup else { return leaf(t, path: path, inh, at: now) }
            guard !t.targets.isEmpty else { return Result(status: 500, endMs: now, gatewayException: true) }
            switch t.mode ?? .single {
            case .single:
                return run(t.targets[0], path: "\(path).targets[0]", inherited: inh, at: now)
            case .fallback:
                var time = now
                var last = Result(status: 500, endMs: now)
                for i in t.targets.indices {
                    last = run(t.targets[i], path: "\(path).targets[\(i)]", inherited: inh, at: time)
                    guard let end = last.endMs, end < deadline else { return last }
                    if i == t.targets.count - 1 || FallbackRule.stops(status: last.status, gatewayException: last.gatewayException, onStatusCodes: t.onStatusCodes) {
                        return last
                    }
                    time = end
                }
                return last
            case .loadbalance:
                let u = run.random.unit()
                guard let i = LoadBalancer.pick(weights: t.targets.map(\.weight), draw: u) else {
                    return Result(status: 500, endMs: now, gatewayException: true)
                }
                return run(t.targets[i], path: "\(path).targets[\(i)]", inherited: inh, at: now)
            case .conditional:
                let metadata = header("x-portkey-metadata").flatMap { try? JSONParser.parse($0) } ?? .object([])
                let context = ConditionalRouter.Context(metadata: metadata, params: request.body, pathname: request.path)
                guard let name = ConditionalRouter.route(t.conditions, default: t.defaultTarget, context),
                    let i = t.targets.firstIndex(where: { $0.name == name })
                else { return Result(status: 400, endMs: now) }
                return run(t.targets[i], path: "\(path).targets[\(i)]", inherited: inh, at: now)
            }
        }

        mutating func leaf(_ t: PortkeyTarget, path: String, _ inh: Inherited, at now: Double) -> Result {
            guard (t.provider ?? header("x-portkey-provider")) == "ollama" else { return Result(status: 500, endMs: now, gatewayException: true) }
            guard request.path != "/v1/completions" else { return Result(status: 500, endMs: now, gatewayException: true) }
            let host = header("x-portkey-custom-host") ?? inh.customHost ?? "http://localhost:11434"
            let timeout = header("x-portkey-request-timeout").flatMap { Int($0) } ?? inh.requestTimeoutMs
            let policy = RetryPolicy(inh.retry)
            var time = now
            var budget = RetryPolicy.retryAfterBudgetMs
            var n = 0
            while true {
                var r = attempt(host: host, path: path, overrides: inh.overrideParams, timeoutMs: timeout, at: time)
                r.index = path
                func finish(_ count: Int) -> Result {
                    r.retryCount = count
                    r.routed = !r.gatewayException
                    return r
                }
                guard let end = r.endMs, end < deadline else { return finish(n) }
                let step = policy.step(afterTry: n, status: r.status, networkError: r.network,
                                       final: r.gatewayException || request.stream && (200...299).contains(r.status),
                                       retryAfterMs: r.retryAfterMs, budgetLeftMs: budget)
                switch step {
                case .finish(let count):
                    return finish(count)
                case let .wait(ms, reason, left, thenFinish):
                    waits.append(PredictedWait(target: path, atMs: end, ms: ms, reason: reason))
                    time = end + Double(ms)
                    budget = left
                    if let count = thenFinish {
                        r.endMs = time
                        return finish(count)
                    }
                    n += 1
                }
            }
        }

        /// One call to a provider, from its fault rules and its mock's own answer.
        mutating func attempt(host: String, path: String, overrides: [(String, JSONValue)], timeoutMs: Int?, at now: Double) -> Result {
            let hostName = URLParts(host)?.host.lowercased() ?? ""
            var record = PredictedAttempt(target: path, provider: nil, startMs: now, endMs: now, outcome: "")
            defer { attempts.append(record) }
            guard now < deadline else {
                record.outcome = "never made: the route had given up"
                return Result(status: 0, endMs: nil)
            }
            func network(_ what: String) -> Result {
                record.outcome = what
                return Result(status: 500, endMs: now, network: true)
            }
            func timedOut(_ ms: Int) -> Result {
                record.endMs = now + Double(ms)
                record.outcome = "408: request_timeout \(ms) ms"
                return Result(status: 408, endMs: now + Double(ms))
            }
            switch predictor.config.hosts[hostName] {
            case .refused?: return network("connection refused")
            case .dns?: return network("host name does not resolve")
            case .hang?:
                if let t = timeoutMs { return timedOut(t) }
                record.endMs = nil
                record.outcome = "hangs: accepts and never answers"
                return Result(status: 0, endMs: nil)
            case .provider(let name)?:
                return call(provider: name, path: path, overrides: overrides, timeoutMs: timeoutMs, at: now, record: &record)
            case nil:
                return network("no provider at \(host)")
            }
        }

        mutating func call(provider name: String, path: String, overrides: [(String, JSONValue)], timeoutMs: Int?, at now: Double,
                           record: inout PredictedAttempt) -> Result {
            record.provider = name
            run.hits[name, default: 0] += 1
            let upstream = PortkeyConfigCheck.upstreamChat(request.body, overrides: overrides)
            let http = HTTPRequest(method: "POST", target: upstream.path, headers: ["Content-Type": "application/json"], body: upstream.body.compactBytes)
            let (script, model) = run.mocks[name]!.answer(to: http)
            let decision = run.faults[name]!.decide(http, model: model, nowMs: now, script: script)
            let wire = ScriptShape(decision.script)
            let rule = decision.ruleName.map { " (\($0))" } ?? ""
            if let t = timeoutMs, wire.headAfterMs.map({ Double($0) > Double(t) }) ?? true, !(wire.endsBeforeHead && wire.headAfterMs == nil && !wire.hangs) {
                var r = Result(status: 408, endMs: now + Double(t))
                r.provider = name
                record.endMs = now + Double(t)
                record.outcome = "408: request_timeout \(t) ms\(rule)"
                return r
            }
            guard let head = wire.headAfterMs, let status = wire.status else {
                if wire.hangs {
                    record.endMs = nil
                    record.outcome = "hangs\(rule)"
                    return Result(status: 0, endMs: nil, provider: name)
                }
                let end = now + Double(wire.totalMs)
                record.endMs = end
                record.outcome = "\(wire.resets ? "reset" : "closed") before headers\(rule)"
                return Result(status: 500, endMs: end, provider: name, network: true)
            }
            let stream = request.stream && (200...299).contains(status)
            let end = now + Double(stream ? wire.totalMs + 25 : wire.totalMs)
            record.endMs = wire.hangs ? nil : end
            var r = Result(status: status, endMs: wire.hangs && !stream ? nil : end, provider: name)
            r.retryAfterMs = wire.retryAfterMs
            if stream {
                r.truncated = !wire.completes
                record.outcome = "\(status), streams\(r.truncated ? ", cut short" : "")\(rule)"
                _ = head
                return r
            }
            if !wire.completes || (200...299).contains(status) && !wire.bodyIsJSON {
                r = Result(status: 500, endMs: end, gatewayException: true, provider: name)
                record.outcome = "\(status) with a body the gateway cannot read: gateway exception\(rule)"
                return r
            }
            record.outcome = "\(status)\(rule)"
            return r
        }
    }
}

/// What a wire script does, as far as the gateway can tell.
struct ScriptShape {
    var headAfterMs: Int?
    var status: Int?
    var totalMs = 0
    var hangs = false
    var resets = false
    var completes = false
    var endsBeforeHead = false
    var bodyIsJSON = false
    var retryAfterMs: Int?

    init(_ script: WireScript) {
        var t = 0
        var body: [UInt8] = []
        for step in script.steps {
            switch step {
            case .wait(let ms): t += ms
            case .head(let s, let headers):
                headAfterMs = t
                status = s
                retryAfterMs = RetryPolicy.retryAfterMs { headers[$0] }
            case .body(let b): body += b
            case .end: completes = true
            case .hang: hangs = true
            case .reset: resets = true; if headAfterMs == nil { endsBeforeHead = true }
            case .close: if headAfterMs == nil { endsBeforeHead = true }
            case .raw: break
            }
        }
        totalMs = t
        bodyIsJSON = (try? JSONParser.parse(body)) != nil
        if completes, let text = Optional(String(decoding: body, as: UTF8.self)), text.hasPrefix("data: ") {
            completes = text.hasSuffix("data: [DONE]\n\n")
        }
    }
}
