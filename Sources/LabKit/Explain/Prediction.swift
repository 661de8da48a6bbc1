/// What `lab explain` expects a scenario to do, worked out from the Portkey config and
/// the fault rules before anything is sent.
public struct PredictedAttempt {
    public var target: String
    public var provider: String?
    public var startMs: Double
    /// nil: it never ends by itself (a hang with no request_timeout).
    public var endMs: Double?
    public var outcome: String
}

public struct PredictedWait {
    public var target: String
    public var atMs: Double
    public var ms: Int
    public var reason: String
}

public struct PredictedRequest {
    public var number: Int
    public var startMs: Double
    public var attempts: [PredictedAttempt] = []
    public var waits: [PredictedWait] = []
    public var status: Int
    public var lastUsedOptionIndex: String?
    public var retryAttemptCount: Int?
    public var servedBy: String?
    public var edgeTimedOut = false
    public var truncated = false
    public var gatewayException = false
    public var clientAttempts = 1
    /// Lab milliseconds from sending to the answer.
    public var totalMs: Double
    /// How long the gateway would have needed had the route not cut it off (nil: forever).
    public var gatewayNeedsMs: Double?
    /// When the route cut a retry chain short: the gateway needed at least this long.
    public var gatewayNeedsAtLeastMs: Double?
}

public struct ScenarioPrediction {
    public var scenario: Scenario
    public var requests: [PredictedRequest]
    public var hits: [(String, Int)]
}
