import Gateway
import FaultInjector
import LabCore
import LabHTTP
import MockOllama
import MockVendors

/// A whole lab.conf: the providers, how config host names reach them, the route,
/// and the scenarios.
public struct LabConfig {
    public var file: String
    public var seed: UInt64 = 42
    /// Which clock the embedded lab runs on (a real gateway always means the real clock).
    public var clock = ClockChoice.simulated
    /// On the real clock: lab milliseconds × this = wall milliseconds.
    public var timeScale: Double = 1
    /// In simulation: the modelled one-way latency of every network hop.
    public var network = SimulatedNetwork.Settings()
    /// nil: the embedded gateway; else a real gateway's base URL.
    public var gatewayURL: String?
    public var edgeTimeoutMs = 30_000
    /// Fixed ports for the embedded gateway and the edge route (0: any free port).
    public var gatewayPort = 0
    public var edgePort = 0
    /// Requests each journal keeps (providers, gateway, edge route): the latest ones.
    public var journalLimit = 100_000
    public var providers: [ProviderConfig] = []
    public var hosts: [String: HostMapping] = [:]
    public var scenarios: [Scenario] = []

    public func scenario(_ name: String) -> Scenario? { scenarios.first { $0.name == name } }
}

/// `clock:` in lab.conf.
public enum ClockChoice: String, Sendable {
    /// Virtual time: exact, instant, identical on every run.
    case simulated
    /// Wall time (scaled by `time_scale`), for watching a run or driving it by hand.
    case real
}

public struct ProviderConfig {
    public var name: String
    /// The API the fake speaks: Ollama's (the default), OpenAI's or Anthropic's.
    public var api = ProviderAPI.ollama
    public var port: Int = 0
    /// A fake provider already running elsewhere (`lab mock` in a cluster): the lab drives
    /// it through its control API instead of starting one.
    public var url: String?
    /// The environment variable holding that provider's control token.
    public var controlTokenEnv: String?
    public var models: [ModelName] = [ModelName("llama3")!]
    /// The model names as written: the ids a fake OpenAI or Anthropic answers to, exactly.
    public var modelIDs = ["llama3"]
    public var answers: [CannedAnswer] = []
    /// How fast the mock model answers; by default like a small model on a GPU.
    public var pacing = Pacing.smallModel
    /// Pacing for some models by model key (`llama3:70b`), where they differ from `pacing`.
    public var modelPacing: [String: Pacing] = [:]
    /// Capabilities by model key, where the family defaults are not what is wanted.
    public var capabilities: [String: [Capability]] = [:]
    /// Context windows in tokens by model key, where the default (8192; 2048 for embedding models) is not wanted.
    public var contextLengths: [String: Int] = [:]
    public var contextOverflow = ContextOverflow.truncate
    /// Origins allowed beside Ollama's own (`OLLAMA_ORIGINS`).
    public var origins: [String] = []
    /// Ollama's Host check, as when bound to a loopback address.
    public var hostCheck = false
    /// Answers generated at once (`OLLAMA_NUM_PARALLEL`); nil is no limit.
    public var parallel: Int?
    /// How long a model stays in memory after its last answer, in nanoseconds
    /// (`OLLAMA_KEEP_ALIVE`); nil is Ollama's five minutes.
    public var keepAlive: Int?
    /// Models that fit in memory at once (`OLLAMA_MAX_LOADED_MODELS`); nil is no limit.
    public var maxLoadedModels: Int?
    /// Requests that may wait for Ollama's scheduler (`OLLAMA_MAX_QUEUE`); nil is Ollama's 512.
    public var maxQueue: Int?
    /// Rules always in force on this provider; a scenario's own rules for it come first.
    public var faults: [FaultRule] = []
}

/// Where a host name used in a config leads.
public enum HostMapping: Equatable {
    case provider(String)
    /// Nothing listens: connection refused.
    case refused
    /// The name does not resolve.
    case dns
    /// Connections are accepted and never answered.
    case hang
}

public struct Scenario {
    public var name: String
    public var title: String
    public var note: String?
    public var line: Int?
    /// The config as written (shown in reports) and as sent.
    public var portkeyConfig: JSONValue
    /// The same config as the gateway reads it, for every question about it.
    public var target: PortkeyTarget
    public var faults: [String: [FaultRule]] = [:]
    public var requests: [ScenarioRequest] = []
    public var concurrency = 1
    /// Requests at a steady rate for a duration, instead of a list sent in turn.
    public var load: LoadPlan?
    /// Providers that go down (connections refused) for a window of the scenario's lab time.
    public var outages: [Outage] = []
    /// Also send the first request with a plain single-provider config, to measure the overhead.
    public var compareDirect = false
    public var expect = Expectations()
}

public struct ScenarioRequest {
    public var path = "/v1/chat/completions"
    public var body: JSONValue
    public var headers: [(String, String)] = []
    public var stream: Bool { body["stream"]?.boolValue ?? false }
    /// Retries the client itself makes (as the portkey and openai SDKs do) on 408/409/429/5xx and connection errors.
    public var clientRetries = 0
    /// SDKs retry two or three times; past this a retry loop is the lab.conf's mistake.
    public static let maxClientRetries = 100

    /// What the console shows of the request: its last user message or input.
    public var label: String {
        if let messages = body["messages"]?.arrayValue, let last = messages.last(where: { $0["role"]?.stringValue == "user" }) {
            return last["content"]?.stringValue ?? ""
        }
        return body["input"]?.stringValue ?? body["prompt"]?.stringValue ?? path
    }
}

/// A bound on a count: exactly N, or between min and max.
public struct CountBound: Equatable {
    public var min: Int?
    public var max: Int?

    public func holds(_ n: Int) -> Bool { (min.map { n >= $0 } ?? true) && (max.map { n <= $0 } ?? true) }

    public var description: String {
        if let min, let max, min == max { return "\(min)" }
        return [min.map { ">= \($0)" }, max.map { "<= \($0)" }].compactMap { $0 }.joined(separator: " and ")
    }
}

public struct Expectations {
    public var status: Int?
    public var servedBy: String?
    public var lastUsedOptionIndex: String?
    public var retryAttemptCount: Int?
    public var hits: [(String, CountBound)] = []
    public var statuses: [(Int, CountBound)] = []
    public var latencyMaxMs: Double?
    public var latencyMinMs: Double?
    public var bodyContains: String?
    public var fallbackTriggered: Bool?
    public var streamComplete: Bool?
    /// `stop`, `length`, `tool_calls`.
    public var finishReason: String?
    /// `complete`, `missing_terminator` or `truncated`.
    public var streamShape: String?
    /// The least share of requests that must succeed (0…1).
    public var minSuccessRate: Double?
    /// Content tokens each answer carried (see `RequestOutcome.contentTokens`).
    public var contentTokens: CountBound?
    /// Lab milliseconds to each streamed answer's first token.
    public var ttftMinMs: Double?
    public var ttftMaxMs: Double?
    public var usagePresent: Bool?
    /// Whether each answer's content parses as JSON (structured output).
    public var contentJSON: Bool?
    /// The waits between one provider attempt's end and the next one's start.
    public var retryGaps: RetryGaps?
    /// Expectations for some requests only, by 1-based number range.
    public var perRequest: [RangeExpectation<Expectations>] = []
    /// Expectations for some windows of a scheduled or load scenario, by 1-based number range.
    public var perWindow: [RangeExpectation<WindowExpectations>] = []

    public var isEmpty: Bool {
        status == nil && servedBy == nil && lastUsedOptionIndex == nil && retryAttemptCount == nil && hits.isEmpty && statuses.isEmpty
            && latencyMaxMs == nil && latencyMinMs == nil && bodyContains == nil && fallbackTriggered == nil && streamComplete == nil && minSuccessRate == nil && finishReason == nil && streamShape == nil
            && contentTokens == nil && ttftMinMs == nil && ttftMaxMs == nil && usagePresent == nil && contentJSON == nil && retryGaps == nil && perRequest.isEmpty && perWindow.isEmpty
    }
}

/// `retry_gaps_ms: [1000, 2000]` or `{ gaps: [...], tolerance_ms: 50, provider: primary }`.
public struct RetryGaps: Equatable {
    public var gapsMs: [Double]
    public var toleranceMs: Double
    /// Only this provider's visits; nil: every provider's, in order of arrival.
    public var provider: String?

    public static let defaultToleranceMs: Double = 50
}

/// Expectations for the requests (or windows) numbered `range`, written `3` or `1-15`.
public struct RangeExpectation<E> {
    public var range: ClosedRange<Int>
    public var expect: E

    public var label: String { range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)" }
}

/// What one window of lab time must show.
public struct WindowExpectations {
    public var minSuccessRate: Double?
    public var hits: [(String, CountBound)] = []
}
