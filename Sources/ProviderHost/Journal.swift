import LabCore
import LabHTTP
import FaultInjector

/// One request as a provider saw it: what came in, which rule fired with which
/// draws, and what the wire did, step by step, with times.
public final class JournalEntry {
    public let sequence: Int
    /// Lab milliseconds since the provider started when the request was complete.
    public let atMs: Double
    public let method: String
    public let path: String
    public let model: String?
    public let ruleNumber: Int?
    public let ruleName: String?
    public let draws: [Double]
    public internal(set) var status: Int?
    public internal(set) var outcome: ResponseOutcome?
    /// The first steps and the latest (`Responder.keptSteps`); those between are counted.
    public internal(set) var steps: [ExecutedStep] = []
    public internal(set) var omitted = OmittedSteps()
    /// How long the answer waited for its model before anything left (a fake Ollama's load,
    /// and room for it: Ollama's `load_duration`); nil when it did not.
    public let modelWaitMs: Int?
    /// How long the answer started late because every generation slot of its model was
    /// taken (past any wait for its model); nil when it did not wait.
    public internal(set) var slotWaitMs: Int?

    init(sequence: Int, atMs: Double, request: HTTPRequest, model: String?, decision: FaultDecision?, modelWaitMs: Int? = nil) {
        self.sequence = sequence
        self.atMs = atMs
        method = request.method
        path = request.path
        self.model = model
        self.modelWaitMs = modelWaitMs
        ruleNumber = decision?.ruleNumber
        ruleName = decision?.ruleName
        draws = decision?.draws ?? []
    }

    /// What the wire did with the answer, once it has ended: its status, outcome and steps.
    func recordAnswer(_ responder: Responder) {
        status = responder.sentStatus
        outcome = responder.outcome
        steps = responder.executed
        omitted = responder.omitted
    }

    /// An entry read back from a provider's `GET /__lab/journal` (a provider elsewhere,
    /// driven over the network); nil when it is not one.
    public init?(json e: JSONValue) {
        guard let seq = e["seq"]?.intValue, let at = e["at_ms"]?.doubleValue, let method = e["method"]?.stringValue,
              let path = e["path"]?.stringValue else { return nil }
        sequence = seq
        atMs = at
        self.method = method
        self.path = path
        model = e["model"]?.stringValue
        modelWaitMs = e["model_wait_ms"]?.intValue
        slotWaitMs = e["slot_wait_ms"]?.intValue
        ruleNumber = e["rule"]?["number"]?.intValue
        ruleName = e["rule"]?["name"]?.stringValue
        draws = e["draws"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        status = e["status"]?.intValue
        outcome = ["completed": .completed, "closed": .closed, "reset": .reset, "client_gone": .clientGone][e["outcome"]?.stringValue ?? ""]
        steps = (e["wire"]?.arrayValue ?? []).compactMap { w in
            guard let at = w["at_ms"]?.doubleValue, let text = w["step"]?.stringValue else { return nil }
            return ExecutedStep.parse(summary: text).map { ExecutedStep(atMs: at, kind: $0) }
        }
        omitted = OmittedSteps(steps: e["wire_omitted"]?["steps"]?.intValue ?? 0, bodyBytes: e["wire_omitted"]?["body_bytes"]?.intValue ?? 0)
    }

    /// The head was sent but the body did not end properly.
    public var truncated: Bool {
        status != nil && outcome != nil && outcome != .completed
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("seq", .int(sequence)), ("at_ms", .double(Self.round(atMs))), ("method", .string(method)), ("path", .string(path)),
            ("model", model.map(JSONValue.string) ?? .null),
            ("rule", ruleNumber.map { .object([("number", .int($0)), ("name", .string(ruleName ?? ""))]) } ?? .null),
            ("draws", .array(draws.map { .double(Self.round($0, digits: 6)) })),
            ("status", status.map(JSONValue.int) ?? .null),
            ("outcome", .string(Self.name(outcome))),
            ("truncated", .bool(truncated)),
        ]
        members.append(("wire", .array(steps.map { step in
            .object([("at_ms", .double(Self.round(step.atMs))), ("step", .string(step.summary))])
        })))
        if let modelWaitMs { members.append(("model_wait_ms", .int(modelWaitMs))) }
        if let slotWaitMs { members.append(("slot_wait_ms", .int(slotWaitMs))) }
        if omitted.steps > 0 {
            // Between the kept steps and the last one.
            members.append(("wire_omitted", .object([("steps", .int(omitted.steps)), ("body_bytes", .int(omitted.bodyBytes))])))
        }
        return .object(members)
    }

    public static func name(_ outcome: ResponseOutcome?) -> String {
        switch outcome {
        case nil: return "in_flight"
        case .completed?: return "completed"
        case .closed?: return "closed"
        case .reset?: return "reset"
        case .clientGone?: return "client_gone"
        }
    }

    static func round(_ v: Double, digits: Int = 1) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (v * scale).rounded() / scale
    }
}

/// Every request a provider received, in arrival order, aborted ones included.
/// It keeps the most recent `limit` entries so a long load run cannot exhaust memory;
/// `dropped` says how many older ones were let go (their sequence numbers show the gap).
public final class Journal {
    private var log: BoundedLog<JournalEntry>
    private var nextSequence = 1

    public init(limit: Int = 100_000) {
        log = BoundedLog(limit: limit)
    }

    public var entries: [JournalEntry] { log.items }
    public var limit: Int { log.limit }
    public var dropped: Int { log.dropped }

    /// Requests seen since the journal was last cleared, dropped ones included.
    public var total: Int { nextSequence - 1 }

    func open(atMs: Double, request: HTTPRequest, model: String?, decision: FaultDecision?, modelWaitMs: Int? = nil) -> JournalEntry {
        let entry = JournalEntry(sequence: nextSequence, atMs: atMs, request: request, model: model, decision: decision, modelWaitMs: modelWaitMs)
        nextSequence += 1
        log.append(entry)
        return entry
    }

    public func clear() {
        log.removeAll()
        nextSequence = 1
    }

    public var json: JSONValue {
        .array(entries.map(\.json))
    }
}
