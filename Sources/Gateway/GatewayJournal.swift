import LabCore

/// What the gateway did for one client request: every attempt at a target, every
/// wait, and the answer — the raw material for reports and timelines.
public final class GatewayJournalEntry {
    public struct Attempt: Sendable {
        public let target: String
        public let url: String
        public let startMs: Double
        public internal(set) var endMs: Double?
        public internal(set) var outcome = AttemptOutcome.inFlight
        public internal(set) var status: Int?
        /// For an answer that is not a success, its `error.message` as the gateway passes it on
        /// (`ollama error: invalid image input`): why a provider refused, also when a fallback
        /// hid it from the client.
        public internal(set) var error: String?
        /// What the gateway's translation did to the client's params for this target
        /// (`not passed on: response_format`, `temperature 1.5 → 1`); empty when nothing.
        public internal(set) var changes: [String] = []
    }

    public struct Wait: Sendable {
        public let target: String
        public let atMs: Double
        public let ms: Int
        public let reason: String
    }

    public let sequence: Int
    public let atMs: Double
    public let path: String
    public internal(set) var attempts: [Attempt] = []
    public internal(set) var waits: [Wait] = []
    public internal(set) var status: Int?
    public internal(set) var lastUsedOptionIndex: String?
    public internal(set) var retryAttemptCount: Int?
    public internal(set) var gatewayException = false
    /// A stream reached the client with its 200, then its upstream broke.
    public internal(set) var truncated = false
    public internal(set) var clientGone = false
    public internal(set) var endMs: Double?

    init(sequence: Int, atMs: Double, path: String) {
        self.sequence = sequence
        self.atMs = atMs
        self.path = path
    }

    /// An entry read back from another lab gateway's `GET /__lab/journal`, its times moved
    /// by `shiftMs` onto this side's clock; nil when it is not one.
    public init?(json e: JSONValue, shiftMs: Double) {
        guard let seq = e["seq"]?.intValue, let at = e["at_ms"]?.doubleValue, let path = e["path"]?.stringValue else { return nil }
        func t(_ v: JSONValue?) -> Double? { v?.doubleValue.map { $0 + shiftMs } }
        sequence = seq
        atMs = at + shiftMs
        self.path = path
        status = e["status"]?.intValue
        lastUsedOptionIndex = e["last_used_option_index"]?.stringValue
        retryAttemptCount = e["retry_attempt_count"]?.intValue
        gatewayException = e["gateway_exception"]?.boolValue ?? false
        truncated = e["truncated"]?.boolValue ?? false
        clientGone = e["client_gone"]?.boolValue ?? false
        endMs = t(e["end_ms"])
        attempts = (e["attempts"]?.arrayValue ?? []).compactMap { a in
            guard let target = a["target"]?.stringValue, let url = a["url"]?.stringValue, let start = t(a["start_ms"]) else { return nil }
            var attempt = Attempt(target: target, url: url, startMs: start)
            attempt.endMs = t(a["end_ms"])
            attempt.status = a["status"]?.intValue
            attempt.outcome = AttemptOutcome(description: a["outcome"]?.stringValue ?? "in flight", status: attempt.status)
            attempt.error = a["error"]?.stringValue
            attempt.changes = (a["changes"]?.arrayValue ?? []).compactMap(\.stringValue)
            return attempt
        }
        waits = (e["waits"]?.arrayValue ?? []).compactMap { w in
            guard let target = w["target"]?.stringValue, let at = t(w["at_ms"]), let ms = w["ms"]?.intValue else { return nil }
            return Wait(target: target, atMs: at, ms: ms, reason: w["reason"]?.stringValue ?? "")
        }
    }

    public var json: JSONValue {
        func r(_ v: Double?) -> JSONValue { v.map { .double(($0 * 10).rounded() / 10) } ?? .null }
        return .object([
            ("seq", .int(sequence)), ("at_ms", r(atMs)), ("path", .string(path)),
            ("status", status.map(JSONValue.int) ?? .null),
            ("last_used_option_index", lastUsedOptionIndex.map(JSONValue.string) ?? .null),
            ("retry_attempt_count", retryAttemptCount.map(JSONValue.int) ?? .null),
            ("gateway_exception", .bool(gatewayException)), ("truncated", .bool(truncated)), ("client_gone", .bool(clientGone)),
            ("end_ms", r(endMs)),
            ("attempts", .array(attempts.map { a in
                var fields: [(String, JSONValue)] = [
                    ("target", .string(a.target)), ("url", .string(a.url)), ("start_ms", r(a.startMs)), ("end_ms", r(a.endMs)),
                    ("status", a.status.map(JSONValue.int) ?? .null), ("outcome", .string(a.outcome.description)),
                    ("error", a.error.map(JSONValue.string) ?? .null)]
                // Only when there are any: a journal of plain requests reads as before.
                if !a.changes.isEmpty { fields.append(("changes", .array(a.changes.map(JSONValue.string)))) }
                return .object(fields)
            })),
            ("waits", .array(waits.map { w in
                .object([("target", .string(w.target)), ("at_ms", r(w.atMs)), ("ms", .int(w.ms)), ("reason", .string(w.reason))])
            })),
        ])
    }
}

/// The gateway's requests, most recent `limit` kept (a long-running gateway must not
/// grow without bound); `dropped` counts the older ones let go.
public final class GatewayJournal {
    private var log: BoundedLog<GatewayJournalEntry>
    private var next = 1

    public init(limit: Int = 100_000) {
        log = BoundedLog(limit: limit)
    }

    public var entries: [GatewayJournalEntry] { log.items }
    public var dropped: Int { log.dropped }

    func open(atMs: Double, path: String) -> GatewayJournalEntry {
        let e = GatewayJournalEntry(sequence: next, atMs: atMs, path: path)
        next += 1
        log.append(e)
        return e
    }

    public func clear() {
        log.removeAll()
        next = 1
    }

    public var json: JSONValue { .array(entries.map(\.json)) }
}
