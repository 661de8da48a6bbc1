import LabCore
import LabHTTP

/// Reads fault rules from JSON (the control API) or YAML turned into JSON (files,
/// lab.conf). Errors name the rule and the field and say what was expected.
public enum FaultRuleParser {
    public static let faultKeys = ["status", "headers", "body", "retry_after", "retry_after_ms", "delay_ms", "delay",
                                   "hang", "reset", "close", "stream", "pacing", "slow"]

    public static func parse(_ value: JSONValue) throws(FaultRuleError) -> [FaultRule] {
        guard case .array(let items) = value else {
            throw FaultRuleError("fault rules must be a list (JSON array), got \(value.typeName)")
        }
        var rules: [FaultRule] = []
        for (i, item) in items.enumerated() {
            rules.append(try parseRule(item, number: i + 1))
        }
        return rules
    }

    public static func parseRule(_ value: JSONValue, number: Int) throws(FaultRuleError) -> FaultRule {
        let label = value["name"]?.stringValue.map { "rule \(number) (\"\($0)\")" } ?? "rule \(number)"
        let r = Reader(label: label)
        guard case .object(let members) = value else { throw r.fail("", "expected an object with match, when and fault, got \(value.typeName)") }
        for (key, _) in members where !["name", "match", "when", "fault"].contains(key) {
            throw r.fail(key, "unknown key (a rule has name, match, when and fault)")
        }
        let match = try parseMatch(value["match"], r)
        let when = try parseWhen(value["when"], r)
        var faults = try parseFault(value["fault"], r)
        if faults.isEmpty {
            guard when.contains(where: { $0 is QuotaSchedule }) else {
                throw r.fail("fault", "required: one or more of \(faultKeys.joined(separator: ", "))")
            }
            faults = [StatusFault(status: 429)]
        }
        return FaultRule(name: value["name"]?.stringValue ?? "rule \(number)", match: match, when: when, faults: faults, source: value)
    }

    static func parseMatch(_ value: JSONValue?, _ r: Reader) throws(FaultRuleError) -> RequestMatch {
        guard let value, !value.isNull else { return RequestMatch() }
        guard case .object(let members) = value else { throw r.fail("match", "expected an object, got \(value.typeName)") }
        var match = RequestMatch()
        for (key, v) in members {
            switch key {
            case "path": match.path = try r.string(v, "match.path")
            case "method": match.method = try r.string(v, "match.method")
            case "model": match.model = try r.string(v, "match.model")
            case "header":
                guard case .object(let pairs) = v, pairs.count == 1, let valueText = pairs[0].1.stringValue else {
                    throw r.fail("match.header", "expected one header as {NAME: VALUE-GLOB}")
                }
                match.header = (pairs[0].0, valueText)
            case "body":
                guard case .object(let pairs) = v, !pairs.isEmpty else {
                    throw r.fail("match.body", "expected JSON paths mapped to values, e.g. {\"messages[-1].role\": assistant, \"$tokens\": {min: 4000}}")
                }
                for (path, want) in pairs {
                    let expected: BodyCondition.Expected
                    switch want {
                    case .string(let s): expected = .glob(s)
                    case .int, .double, .bool, .null: expected = .exact(want)
                    case .object:
                        try r.keys(want, "match.body.\(path)", ["min", "max"])
                        expected = .range(min: want["min"]?.doubleValue, max: want["max"]?.doubleValue)
                    case .array: throw r.fail("match.body.\(path)", "expected a glob, a number, a boolean or {min, max}")
                    }
                    match.body.append(BodyCondition(path: path, expected: expected))
                }
            default: throw r.fail("match.\(key)", "unknown key (match takes path, method, model, header, body)")
            }
        }
        return match
    }

    static func parseWhen(_ value: JSONValue?, _ r: Reader) throws(FaultRuleError) -> [any ScheduleCondition] {
        guard let value, !value.isNull else { return [] }
        guard case .object(let members) = value else { throw r.fail("when", "expected an object, got \(value.typeName)") }
        var out: [any ScheduleCondition] = []
        for (key, v) in members {
            let field = "when.\(key)"
            switch key {
            case "first": out.append(FirstSchedule(try r.int(v, field, min: 0)))
            case "nth":
                guard case .array(let items) = v, !items.isEmpty else { throw r.fail(field, "expected a list of request numbers like [1, 3]") }
                var indexes: [Int] = []
                for item in items { indexes.append(try r.int(item, field, min: 1)) }
                out.append(NthSchedule(indexes))
            case "every": out.append(EverySchedule(try r.int(v, field, min: 1)))
            case "after": out.append(AfterSchedule(try r.int(v, field, min: 0)))
            case "requests":
                try r.keys(v, field, ["from", "to"])
                out.append(RequestWindowSchedule(from: try v["from"].map { (x) throws(FaultRuleError) in try r.int(x, field + ".from", min: 1) },
                                                 to: try v["to"].map { (x) throws(FaultRuleError) in try r.int(x, field + ".to", min: 1) }))
            case "time":
                try r.keys(v, field, ["from_ms", "to_ms", "from_s", "to_s"])
                func bound(_ name: String) throws(FaultRuleError) -> Double? {
                    let ms = try v[name + "_ms"].map { (x) throws(FaultRuleError) in Double(try r.int(x, "\(field).\(name)_ms", min: 0)) }
                    let s = try v[name + "_s"].map { (x) throws(FaultRuleError) in Double(try r.int(x, "\(field).\(name)_s", min: 0)) * 1000 }
                    if ms != nil, s != nil { throw r.fail(field, "give \(name)_ms or \(name)_s, not both") }
                    return ms ?? s
                }
                out.append(TimeWindowSchedule(fromMs: try bound("from"), toMs: try bound("to")))
            case "probability":
                guard let p = v.doubleValue, (0...1).contains(p) else { throw r.fail(field, "expected a number from 0 to 1, got \(v)") }
                out.append(ProbabilitySchedule(p))
            case "quota":
                try r.keys(v, field, ["requests", "per_ms"])
                guard let requests = v["requests"], let per = v["per_ms"] else { throw r.fail(field, "expected {requests: N, per_ms: MS}") }
                out.append(QuotaSchedule(limit: try r.int(requests, field + ".requests", min: 0), windowMs: Double(try r.int(per, field + ".per_ms", min: 1))))
            default:
                throw r.fail(field, "unknown schedule (when takes first, nth, every, after, requests, time, probability, quota)")
            }
        }
        return out
    }

    static func parseFault(_ value: JSONValue?, _ r: Reader) throws(FaultRuleError) -> [any Fault] {
        guard let value, !value.isNull else { return [] }
        guard case .object(let members) = value else { throw r.fail("fault", "expected an object such as {status: 503}, got \(value.typeName)") }
        for (key, _) in members where !faultKeys.contains(key) {
            throw r.fail("fault.\(key)", "unknown fault (one of \(faultKeys.joined(separator: ", ")))")
        }
        var faults: [any Fault] = []
        if let status = value["status"] {
            let code = try r.int(status, "fault.status", min: 100)
            guard code <= 599 else { throw r.fail("fault.status", "expected an HTTP status from 100 to 599, got \(code)") }
            var headers = HTTPHeaders()
            if let h = value["headers"] {
                guard case .object(let pairs) = h else { throw r.fail("fault.headers", "expected an object of header names to values") }
                for (name, v) in pairs {
                    guard let text = v.stringValue ?? v.intValue.map(String.init) else { throw r.fail("fault.headers.\(name)", "expected a string") }
                    headers.add(name, text)
                }
            }
            faults.append(StatusFault(status: code, headers: headers, body: value["body"],
                                      retryAfterSeconds: try value["retry_after"].map { (x) throws(FaultRuleError) in try r.int(x, "fault.retry_after", min: 0) },
                                      retryAfterMs: try value["retry_after_ms"].map { (x) throws(FaultRuleError) in try r.int(x, "fault.retry_after_ms", min: 0) }))
        } else {
            for key in ["headers", "body", "retry_after", "retry_after_ms"] where value[key] != nil {
                throw r.fail("fault.\(key)", "only applies with fault.status")
            }
        }
        if let ms = value["delay_ms"] { faults.append(DelayFault(.fixed(try r.int(ms, "fault.delay_ms", min: 0)))) }
        if let d = value["delay"] { faults.append(DelayFault(try parseDelay(d, r))) }
        if let h = value["hang"] {
            switch h {
            case .bool(true): faults.append(HangFault())
            case .bool(false): break
            case .string("after_headers"): faults.append(HangFault(afterHeaders: true))
            default: throw r.fail("fault.hang", "expected true or \"after_headers\", got \(h)")
            }
        }
        for ending in [ConnectionFault.Ending.reset, .close] {
            if let v = value[ending.rawValue] {
                faults.append(ConnectionFault(ending, at: try parseCutPoint(v, "fault.\(ending.rawValue)", r)))
            }
        }
        if let s = value["stream"] { faults += try parseStream(s, r) }
        if let p = value["pacing"] {
            try r.keys(p, "fault.pacing", ["ttft_ms", "token_ms", "stall_after_tokens", "stall_ms", "first_token_after_ms"])
            func opt(_ key: String, min: Int) throws(FaultRuleError) -> Int? {
                guard let v = p[key] else { return nil }
                return try r.int(v, "fault.pacing.\(key)", min: min)
            }
            let fault = PacingFault(ttftMs: try opt("ttft_ms", min: 0), tokenMs: try opt("token_ms", min: 0),
                                    stallAfterTokens: try opt("stall_after_tokens", min: 1), stallMs: try opt("stall_ms", min: 0),
                                    firstTokenAfterMs: try opt("first_token_after_ms", min: 0))
            if fault.firstTokenAfterMs != nil, fault.ttftMs != nil {
                throw r.fail("fault.pacing", "ttft_ms delays the headers and first_token_after_ms sends them at once: give one of them")
            }
            if (fault.stallAfterTokens == nil) != (fault.stallMs == nil) {
                throw r.fail("fault.pacing", "stall_after_tokens and stall_ms go together")
            }
            faults.append(fault)
        }
        if let s = value["slow"] {
            try r.keys(s, "fault.slow", ["bytes_per_second"])
            guard let rate = s["bytes_per_second"] else { throw r.fail("fault.slow", "expected {bytes_per_second: N}") }
            faults.append(SlowFault(bytesPerSecond: try r.int(rate, "fault.slow.bytes_per_second", min: 1)))
        }
        return faults
    }

    static func parseDelay(_ d: JSONValue, _ r: Reader) throws(FaultRuleError) -> DelayFault.Distribution {
        if let ms = d.intValue { return .fixed(try r.int(.int(ms), "fault.delay", min: 0)) }
        guard case .object(let members) = d, members.count == 1 else {
            throw r.fail("fault.delay", "expected {fixed: MS}, {uniform: [MIN, MAX]} or {lognormal: {median_ms: M, sigma: S}}")
        }
        let (kind, v) = members[0]
        switch kind {
        case "fixed": return .fixed(try r.int(v, "fault.delay.fixed", min: 0))
        case "uniform":
            guard case .array(let bounds) = v, bounds.count == 2 else { throw r.fail("fault.delay.uniform", "expected [MIN_MS, MAX_MS]") }
            let lo = try r.int(bounds[0], "fault.delay.uniform[0]", min: 0)
            let hi = try r.int(bounds[1], "fault.delay.uniform[1]", min: lo)
            return .uniform(lo, hi)
        case "lognormal":
            try r.keys(v, "fault.delay.lognormal", ["median_ms", "sigma"])
            guard let median = v["median_ms"]?.doubleValue, median > 0, let sigma = v["sigma"]?.doubleValue, sigma >= 0 else {
                throw r.fail("fault.delay.lognormal", "expected {median_ms: M > 0, sigma: S >= 0}")
            }
            return .lognormal(medianMs: median, sigma: sigma)
        default:
            throw r.fail("fault.delay.\(kind)", "unknown distribution (fixed, uniform, lognormal)")
        }
    }

    static func parseCutPoint(_ v: JSONValue, _ field: String, _ r: Reader) throws(FaultRuleError) -> CutPoint {
        switch v {
        case .string("before_headers"): return .beforeHeaders
        case .string("after_headers"): return .afterHeaders
        case .object(let members) where members.count == 1:
            let (key, n) = members[0]
            if key == "after_bytes" { return .afterBytes(try r.int(n, field + ".after_bytes", min: 0)) }
            if key == "after_chunks" { return .afterChunks(try r.int(n, field + ".after_chunks", min: 0)) }
        default: break
        }
        throw r.fail(field, "expected \"before_headers\", \"after_headers\", {after_bytes: N} or {after_chunks: N}")
    }

    static func parseStream(_ s: JSONValue, _ r: Reader) throws(FaultRuleError) -> [any Fault] {
        try r.keys(s, "fault.stream", ["cut_after_chunks", "then", "malformed_chunk", "insert_malformed_after", "text", "drop_done",
                                       "error_after_chunks", "message"])
        var out: [any Fault] = []
        if let n = s["cut_after_chunks"] {
            let then = s["then"]?.stringValue ?? "reset"
            guard let t = StreamCutFault.Then(rawValue: then) else { throw r.fail("fault.stream.then", "expected reset, close or stall, got \"\(then)\"") }
            out.append(StreamCutFault(afterChunks: try r.int(n, "fault.stream.cut_after_chunks", min: 0), then: t))
        } else if s["then"] != nil {
            throw r.fail("fault.stream.then", "only applies with cut_after_chunks")
        }
        if let n = s["malformed_chunk"] {
            out.append(MalformedLineFault(chunk: try r.int(n, "fault.stream.malformed_chunk", min: 1), text: s["text"]?.stringValue ?? #"{"model": "#))
        }
        if let n = s["insert_malformed_after"] {
            out.append(InsertedMalformedFault(afterChunks: try r.int(n, "fault.stream.insert_malformed_after", min: 0),
                                              text: s["text"]?.stringValue ?? #"{"model": "#))
        }
        if s["drop_done"]?.boolValue == true { out.append(MissingDoneFault()) }
        if let n = s["error_after_chunks"] {
            let message = s["message"]?.stringValue ?? "an error was encountered while running the model"
            out.append(StreamErrorFault(afterChunks: try r.int(n, "fault.stream.error_after_chunks", min: 0), message: message))
        }
        if out.isEmpty { throw r.fail("fault.stream", "expected cut_after_chunks, malformed_chunk, insert_malformed_after, drop_done or error_after_chunks") }
        return out
    }

    struct Reader {
        let label: String

        func fail(_ field: String, _ message: String) -> FaultRuleError {
            FaultRuleError(field.isEmpty ? "\(label): \(message)" : "\(label): \(field): \(message)")
        }

        func int(_ v: JSONValue, _ field: String, min: Int) throws(FaultRuleError) -> Int {
            guard let i = v.intValue else { throw fail(field, "expected a whole number, got \(v)") }
            guard i >= min else { throw fail(field, "expected at least \(min), got \(i)") }
            return i
        }

        func string(_ v: JSONValue, _ field: String) throws(FaultRuleError) -> String {
            guard let s = v.stringValue else { throw fail(field, "expected a string, got \(v)") }
            return s
        }

        func keys(_ v: JSONValue, _ field: String, _ allowed: [String]) throws(FaultRuleError) {
            guard case .object(let members) = v else { throw fail(field, "expected an object with \(allowed.joined(separator: ", "))") }
            for (key, _) in members where !allowed.contains(key) {
                throw fail("\(field).\(key)", "unknown key (expected \(allowed.joined(separator: ", ")))")
            }
        }
    }
}
