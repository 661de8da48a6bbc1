import LabCore
import LabHTTP
import FaultInjector

/// `/__lab/…`: read and replace the fault rules, read and clear the journal,
/// health, and the down/up switch. Answers only loopback peers unless a token is
/// configured, and then only requests that carry it.
extension FakeProvider {
    func control(_ request: HTTPRequest, peer: String) -> WireScript {
        if let refused = ControlAccess(token: controlToken).refusal(request, peer: peer) { return refused }
        switch (request.method, request.path) {
        case ("GET", "/__lab/health"):
            return Self.reply(200, ["status": "ok", "provider": .string(name), "listening": .bool(isUp),
                                    "rules": .int(faults.rules.count), "requests": .int(journal.total),
                                    "journal_dropped": .int(journal.dropped)])
        case ("GET", "/__lab/faults"):
            return Self.reply(200, .array(faults.rules.map(\.source)))
        case ("PUT", "/__lab/faults"):
            do {
                faults.replace(try FaultRuleParser.parse(try Self.json(request.body)))
            } catch {
                return Self.reply(400, ["error": .string(error.message)])
            }
            return Self.reply(200, .array(faults.rules.map(\.source)))
        case ("DELETE", "/__lab/faults"):
            faults.replace([])
            return Self.reply(200, [])
        case ("GET", "/__lab/journal"):
            return Self.reply(200, journal.json)
        case ("DELETE", "/__lab/journal"):
            journal.clear()
            faults.reset()
            mock.unloadModels()
            resetClock()
            return Self.reply(200, [])
        case ("POST", "/__lab/down"):
            // A mistake must not take the provider down for good: once down, nothing but
            // a connection opened before reaches `up`.
            let forMs: Int?
            do {
                forMs = try Self.downFor(request.body)
            } catch {
                return Self.reply(400, ["error": .string(error.message)])
            }
            // Answer first: once down, this connection is the only way in.
            loop.after(ms: 0) { [weak self] in self?.goDown(forMs: forMs) }
            return Self.reply(200, ["listening": false, "for_ms": forMs.map(JSONValue.int) ?? .null])
        case ("POST", "/__lab/up"):
            do {
                try comeUp()
            } catch {
                return Self.reply(500, ["error": .string("cannot listen again: \(error)")])
            }
            return Self.reply(200, ["listening": true])
        default:
            return ControlAccess.unknown(request, known: ["/__lab/health", "/__lab/faults", "/__lab/journal", "/__lab/down", "/__lab/up"])
        }
    }

    static func reply(_ status: Int, _ value: JSONValue) -> WireScript { ControlAccess.reply(status, value) }

    /// A control request's body as JSON, or the one refusal every endpoint gives.
    static func json(_ body: [UInt8]) throws(ConfigError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw ConfigError(file: nil, line: nil, message: "body is not JSON: \(error.message)")
        }
    }

    /// `POST /__lab/down`'s body: none (or `{}`) for down until `up`, `{"for_ms": N}` for N
    /// milliseconds of lab time.
    static func downFor(_ body: [UInt8]) throws(ConfigError) -> Int? {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let value = try json(body)
        let r = ConfigReader(value: value, label: "down")
        try r.keys(value, "", ["for_ms"])
        return try r.ms(value, key: "for_ms", "for_ms", min: 1)
    }
}
