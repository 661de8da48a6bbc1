import LabCore
import LabHTTP

/// What the injector decided for one request.
public struct FaultDecision: Sendable {
    /// 1-based number of the rule that fired, and its name.
    public var ruleNumber: Int?
    public var ruleName: String?
    /// Every random draw made for this request, in order.
    public var draws: [Double]
    /// The script to execute: the provider's own, or a fault's transform of it.
    public var script: WireScript
}

/// Decides, request by request, which rule fires and transforms the script.
/// Counters are per rule and per injector (one injector per provider); every
/// random decision comes from one generator seeded from the lab's seed and the
/// provider's name, so the same seed and request order give the same decisions.
public final class FaultInjector {
    public private(set) var rules: [FaultRule]
    private var states: [RuleState]
    private var random: SeededRandom
    private let seed: UInt64
    private let key: String

    /// A rule's counters: how many requests matched it, and each condition's own memory.
    private struct RuleState {
        var matched = 0
        var slots: [ScheduleSlot]

        init(_ rule: FaultRule) { slots = rule.when.map(ScheduleSlot.init) }
    }

    /// The API the provider speaks: injected errors take its shape.
    public let api: ProviderAPI

    public init(rules: [FaultRule] = [], seed: UInt64 = 0, provider: String = "", api: ProviderAPI = .ollama) {
        self.api = api
        self.rules = rules
        self.seed = seed
        self.key = provider
        states = rules.map(RuleState.init)
        random = SeededRandom(seed: seed, key: "faults\u{1}" + provider)
    }

    /// New rules, fresh counters and a fresh generator: a replaced rule list behaves
    /// the same as the same list given at start.
    public func replace(_ rules: [FaultRule]) {
        self.rules = rules
        reset()
    }

    public func reset() {
        states = rules.map(RuleState.init)
        random = SeededRandom(seed: seed, key: "faults\u{1}" + key)
    }

    /// - Parameters:
    ///   - model: the request's `model`, for `match.model`.
    ///   - nowMs: lab milliseconds since the provider started.
    public func decide(_ request: HTTPRequest, model: String?, nowMs: Double, script: WireScript) -> FaultDecision {
        var draws: [Double] = []
        for (i, rule) in rules.enumerated() where rule.match.matches(request, model: model) {
            states[i].matched += 1
            var input = ScheduleInput(index: states[i].matched, nowMs: nowMs, random: random)
            var fires = true
            // In order, stopping at the first that does not hold: later ones neither draw nor count.
            for j in states[i].slots.indices where fires { fires = states[i].slots[j].fires(&input) }
            random = input.random
            draws += input.draws
            guard fires else { continue }
            var context = FaultContext(request: request, random: random, api: api)
            context.retryAfterMs = input.retryAfterMs
            // Made now, in order, so that their draws follow the rule's order; a deferred
            // stream goes through them piece by piece as it is sent.
            let filters = rule.faults.map { $0.filter(&context) }
            let transformed = script.filtered(by: filters)
            random = context.random
            return FaultDecision(ruleNumber: i + 1, ruleName: rule.name, draws: draws + context.draws, script: transformed)
        }
        return FaultDecision(ruleNumber: nil, ruleName: nil, draws: draws, script: script)
    }
}
