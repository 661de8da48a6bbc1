import Gateway
import LabCore
import LabHTTP

/// One request of a scenario as the client saw it, plus what the lab knows of it.
public struct RequestOutcome {
    public var number: Int
    public var label: String
    public var stream: Bool
    /// nil when the client got no HTTP answer at all.
    public var status: Int?
    public var clientError: String?
    /// The answer's `x-portkey-*` headers.
    public var headers: HTTPHeaders
    public var body: String
    /// Lab milliseconds from sending to the end of the answer.
    public var labMs: Double
    public var lastUsedOptionIndex: String?
    public var retryAttemptCount: Int?
    /// The provider behind the target that answered; nil when no target did.
    public var servedBy: String?
    public var fallbackTriggered: Bool
    /// A streamed answer that ended with `data: [DONE]`.
    public var streamComplete: Bool?
    /// The edge route answered 504 itself.
    public var edgeTimedOut: Bool
    /// Requests the client sent, its own retries included.
    public var clientAttempts: Int
    /// When it was sent, in lab milliseconds from the scenario's start.
    public var startLabMs: Double = 0
    /// `stop`, `length`, `tool_calls`… from the answer (the last one a stream carried).
    public var finishReason: String?
    /// A streamed 2xx answer: `complete` (a finish_reason and `[DONE]`), `missing_terminator`
    /// (a finish_reason, no `[DONE]`) or `truncated` (no finish_reason: tokens are missing).
    public var streamShape: String?
    /// Streamed: lab milliseconds from sending to the first token's arrival.
    public var ttftMs: Double?
    /// Streamed: events with content; not streamed: `usage.completion_tokens`.
    public var contentTokens: Int?
    /// The answer carried a `usage` object.
    public var usagePresent = false
    /// The answer's content parses as JSON; nil without content (see `AnswerReading`).
    public var contentIsJSON: Bool?

    /// A 2xx answer the client could use whole: a stream counts when it ended with a
    /// finish_reason, `[DONE]` or not (SDKs end the iteration when the connection closes).
    public var succeeded: Bool {
        guard let status, (200...299).contains(status), clientError == nil else { return false }
        return streamShape != "truncated"
    }

    /// A 2xx answer that broke off: the connection went mid-body, or a stream ended
    /// without a finish_reason. (A stream that lacks only `[DONE]` is whole.)
    public var cutShort: Bool {
        guard let status, (200...299).contains(status) else { return false }
        return clientError != nil || streamShape == "truncated"
    }

    /// What the JSON report keeps of the body: its start, whole characters only.
    public var bodyPrefix: String {
        guard body.utf8.count > Self.bodyPrefixBytes else { return body }
        var out = ""
        for c in body {
            if out.utf8.count + c.utf8.count > Self.bodyPrefixBytes { break }
            out.append(c)
        }
        return out
    }

    public static let bodyPrefixBytes = 1_024

    /// The answer's text, or its error message, for the console.
    public var responseText: String {
        if let e = clientError, body.isEmpty { return e }
        guard let json = try? JSONParser.parse(body) else {
            return stream ? AnswerReading.read(Array(body.utf8), stream: true, succeeded: true).streamedText : body
        }
        if let content = json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue { return content }
        if let message = json["error"]?["message"]?.stringValue { return message }
        if let message = json["message"]?.stringValue { return message }
        if json["data"] != nil { return "embedding" }
        return json.compact
    }
}

/// One expectation checked.
public struct Verdict {
    public var name: String
    public var expected: String
    public var actual: String
    public var passed: Bool
    /// The request it is about (1-based), or nil for the scenario as a whole.
    public var request: Int?
}

/// One request as a provider saw it, on the scenario's time base.
public struct ProviderVisit: Equatable, Sendable {
    public var provider: String
    /// Lab milliseconds from the scenario's start.
    public var atMs: Double
    public var endMs: Double
    public var status: Int?
    /// The fault rule that fired, by name or number.
    public var rule: String?
    /// `503`, `connection reset`, `no answer (client left)`…
    public var what: String
    /// How long the answer waited for its model to load (and for room for it).
    public var modelWaitMs: Int? = nil
    /// The model the request asked for, when the provider could read one.
    public var model: String? = nil
    /// How long the answer started late, every generation slot of its model being taken.
    public var slotWaitMs: Int? = nil
}

public struct ScenarioResult {
    public var scenario: Scenario
    /// The loop's time when the scenario started: gateway journal times minus this are scenario times.
    public var startMs: Double = 0
    /// What each provider saw, in order of arrival.
    public var visits: [ProviderVisit] = []
    /// A load scenario's windows of lab time.
    public var windows: [WindowStats] = []
    public var requests: [RequestOutcome]
    public var direct: RequestOutcome?
    public var hits: [(String, Int)]
    public var verdicts: [Verdict]
    public var gatewayJournal: [GatewayJournalEntry]
    public var wallMs: Double
    public var timeline: Timeline

    public var passed: Bool { verdicts.allSatisfy(\.passed) }

    /// Lab time of the scenario: from its first send to its last answer. Requests that
    /// overlap (a load, a concurrency) do not add up: a one-second burst of 20,000 requests
    /// once claimed 27,600 s.
    public var labMs: Double {
        (requests.map { $0.startLabMs + $0.labMs }.max() ?? 0) - (requests.map(\.startLabMs).min() ?? 0)
    }
}
