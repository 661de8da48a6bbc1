import LabCore
import LabHTTP
import FaultInjector

/// `/__lab/…`: read and replace the fault rules, read and clear the journal,
/// health, and the down/up switch. Answers only loopback peers unless a token is
/// configured, and then only requests that carry it.
extension Provider {
    func control(_ request: HTTPRequest, peer: String) -> WireScript {
        // The lab's gateway and route mark what they send upstream: a config's custom_host
        // must not turn them into a loopback caller of this API.
        if let via = request.headers[HTTPHeaders.labRelay] {
            return Self.reply(403, ["error": .string("the control API does not answer requests relayed by the lab's \(via)")])
        }
        if let token = controlToken {
            guard let given = request.headers["x-lab-token"], Self.sameSecret(given, token) else {
                return Self.reply(401, ["error": "missing or wrong control token (send it in x-lab-token)"])
            }
        } else if !Self.isLoopback(peer) {
            return Self.reply(403, ["error": "the control API answers loopback clients only; start the lab with a control token to allow others"])
        }
        switch (request.method, request.path) {
        case ("GET", "/__lab/health"):
            return Self.reply(200, ["status": "ok", "provider": .string(name), "listening": .bool(isUp),
                                    "rules": .int(faults.rules.count), "requests": .int(journal.total),
                                    "journal_dropped": .int(journal.dropped)])
        case ("GET", "/__lab/faults"):
            return Self.reply(200, .array(faults.rules.map(\.source)))
        case ("PUT", "/__lab/faults"):
            let value: JSONValue
            do {
                value = try JSONParser.parse(request.body)
            } catch {
                return Self.reply(400, ["error": .string("body is not JSON: \(error.message)")])
            }
            do {
                faults.replace(try FaultRuleParser.parse(value))
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
            resetClock()
            return Self.reply(200, [])
        case ("POST", "/__lab/down"):
            let body = (try? JSONParser.parse(request.body)) ?? .null
            let forMs = body["for_ms"]?.intValue
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
            let known = ["/__lab/health", "/__lab/faults", "/__lab/journal", "/__lab/down", "/__lab/up"]
            if known.contains(request.path) { return Self.reply(405, ["error": .string("\(request.method) is not allowed on \(request.path)")]) }
            return Self.reply(404, ["error": .string("unknown control path \(request.path); try \(known.joined(separator: ", "))")])
        }
    }

    static func reply(_ status: Int, _ value: JSONValue) -> WireScript {
        var body = Array(value.pretty.utf8)
        body.append(10)
        return WireScript.respond(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    static func isLoopback(_ peer: String) -> Bool {
        peer.hasPrefix("127.") || peer.hasPrefix("[::1]") || peer.hasPrefix("[::ffff:127.")
    }
}

extension Provider {
    /// Compares without stopping at the first difference, so the time taken does not
    /// tell an attacker how much of a guess was right.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }
}
