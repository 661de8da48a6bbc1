import FaultInjector
import Gateway
import LabCore
import LabHTTP
import MockOllama
import MockVendors

/// `lab audit`: a Portkey config as it is (a production file, unchanged) put through the
/// failures its hosts can have — each host in turn answering 503, 429, hanging,
/// resetting, lacking the model it is asked for (or cutting its stream), then all of them —
/// on the simulated clock, behind the route's timeout. Nothing here re-derives a routing
/// rule: this builds a lab (fake providers for the config's hosts, one scenario per
/// situation) that the embedded gateway then runs.
public struct ConfigAudit {
    /// A target that answers (not a group), where the config sends it.
    public struct Leaf: Equatable, Sendable {
        /// `config.targets[1]`, as the gateway names it in `x-portkey-last-used-option-index`.
        public var path: String
        public var provider: String
        /// Its `custom_host` (inherited, or the vendor's own address when it has none).
        public var customHost: String
        /// The host name, lower case: what fails together.
        public var host: String
        public var model: String?
        /// It had no custom_host; `customHost` is its vendor's address.
        public var vendorDefault: Bool
        /// Its custom_host was https://; `customHost` is the same over http.
        public var overHTTP = false
        /// What the gateway's translation for it does to the request given (`--request`):
        /// params not passed on, numbers clamped.
        public var changes: [String] = []
    }

    /// One way the hosts misbehave: a scenario of the built lab.
    public struct Situation: Equatable, Sendable {
        public var name: String
        /// "portkey-gateway-ollama answers 503".
        public var when: String
        /// The hosts that misbehave; empty when all answer.
        public var failing: [String]
        /// The fault rule each failing host applies to every request.
        public var fault: JSONValue?
        /// Instead of `fault`: each failing host answers every model it is asked for with
        /// its vendor's 404 for a model it does not have.
        public var lacksModel = false
        /// The client is owed its answer: every host answers, or one fails and another
        /// could answer. The written lab expects success here; the audit marks it.
        public var owesAnswer: Bool
    }

    /// Why a config cannot be audited: the gateway's own refusal, or what the lab cannot fake.
    public struct Refusal: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    public let file: String
    /// The config as the gateway is sent it: as written, but with the vendor's address for
    /// a target that had no custom_host, and http for https.
    public let config: JSONValue
    public let target: PortkeyTarget
    public let leaves: [Leaf]
    /// Hosts in the order the config names them.
    public let hosts: [String]
    public let situations: [Situation]
    public let requestsPerSituation: Int
    /// The request body sent, as the client sends it (`--request`), or nil for the audit's
    /// own short question.
    public let request: JSONValue?
    public let model: String
    /// The requests are streamed.
    public let stream: Bool
    /// The request asks for structured output (`response_format` json_object or
    /// json_schema): an answer counts only when its content parses as JSON.
    public let wantsJSON: Bool
    /// Sent as `x-portkey-metadata`, for a conditional route's `metadata.*` queries.
    public let metadata: JSONValue?
    /// The route in front of the gateway answers 504 after this long.
    public let edgeTimeoutMs: Int
    /// For loadbalance draws and generated text.
    public let seed: UInt64
    public let lab: LabConfig
    /// `lab`'s text: what `--write-lab` writes.
    public let labConf: String

    /// Where a target without custom_host goes (the vendors' https addresses, by the
    /// same names over http).
    static let vendorAddresses = ["ollama": "http://localhost:11434", "openai": "https://api.openai.com/v1",
                                  "anthropic": "https://api.anthropic.com/v1"]

    typealias Failure = (name: String, when: String, fault: JSONValue)

    /// The ways one host misbehaves, as fault rules.
    static let failures: [Failure] = [
        ("503", "answers 503", ["status": 503]),
        ("429", "answers 429 (Retry-After: 5)", ["status": 429, "retry_after": 5]),
        ("hang", "hangs (accepts, never answers)", ["hang": true]),
        ("reset", "resets the connection", ["reset": "before_headers"]),
    ]

    /// A host that does not have the model (an Ollama that never pulled it, or lost it with
    /// its volume; a vendor that retired it): its vendor's own 404, which a fallback whose
    /// `on_status_codes` leave out 404 hands to the client.
    static let lacksModel = (name: "no-model", when: "does not have the model (404)")

    /// With streamed requests, also: a stream that breaks after it began, too late for a fallback.
    static let streamFailure: Failure = ("cut", "cuts its stream after 3 chunks", ["stream": ["cut_after_chunks": 3, "then": "close"]])

    /// Hosts one audit fakes: 5 situations each, and a table a person can read.
    public static let maxHosts = 100
    /// Requests per situation: enough to draw a 0.1 % loadbalance target a few times.
    public static let maxRequests = 10_000

    static func fault(_ name: String) -> JSONValue? { failures.first { $0.name == name }?.fault }

    /// `requests`: per situation; nil for 1, or 20 when a loadbalance draws.
    /// `request`: the body the client sends (OpenAI chat params); its `model` and `stream`
    /// win over `model` and `stream`.
    public init(file: String, config: JSONValue, model: String = "llama3", stream: Bool = false, metadata: JSONValue? = nil,
                request: JSONValue? = nil, requests: Int? = nil, edgeTimeoutMs: Int = 30_000, seed: UInt64 = 42) throws(Refusal) {
        guard case .object = config else { throw Refusal(message: "expected a Portkey config object") }
        if let request { try Self.check(request: request) }
        let model = request?["model"]?.stringValue ?? model
        let stream = stream || request?["stream"]?.boolValue == true
        // lab.conf's range: the reports write the seed as a JSON integer.
        guard seed <= UInt64(Int.max) else { throw Refusal(message: "the seed must be from 0 to \(Int.max), got \(seed)") }
        if let metadata, case .object = metadata {} else if metadata != nil {
            throw Refusal(message: "metadata must be a JSON object, such as {\"tier\": \"pro\"}")
        }
        let checked: PortkeyTarget
        do {
            checked = try PortkeyConfigCheck.check(config)
        } catch {
            throw Refusal(message: "the gateway would refuse this config: \(error)")
        }
        var sent = config
        var leaves: [Leaf] = []
        for path in Self.leafPaths(checked) {
            guard let chain = checked.chain(to: path), let node = chain.last, let inherited = checked.resolved(at: path) else { continue }
            guard let provider = node.provider else { throw Refusal(message: "\(path) names no provider") }
            guard let vendorAddress = Self.vendorAddresses[provider] else {
                throw Refusal(message: "\(path) uses provider '\(provider.terminalSafe)': the lab fakes ollama, openai and anthropic")
            }
            let indexes = PortkeyTarget.indexes(of: path) ?? []
            var url = inherited.customHost ?? vendorAddress
            // The fakes speak no TLS: an https host is faked under its name over http.
            let overHTTP = url.lowercased().hasPrefix("https://")
            if overHTTP { url = "http://" + url.dropFirst("https://".count) }
            if url != inherited.customHost { sent = Self.setting("custom_host", to: .string(url), at: indexes, in: sent) }
            guard let parts = URLParts(url) else {
                throw Refusal(message: "\(path): custom_host '\(url.terminalSafe)' is not an http:// or https:// URL the lab can fake")
            }
            let model = inherited.overrideParams.first { $0.0 == "model" }?.1.stringValue
            let changes = request.map { ParamChanges.chat(provider: provider, body: $0, overrides: inherited.overrideParams) } ?? []
            leaves.append(Leaf(path: path, provider: provider, customHost: url, host: parts.host.lowercased(), model: model,
                               vendorDefault: inherited.customHost == nil, overHTTP: overHTTP && inherited.customHost != nil,
                               changes: changes))
        }
        var hosts: [String] = []
        for leaf in leaves where !hosts.contains(leaf.host) { hosts.append(leaf.host) }
        guard hosts.count <= Self.maxHosts else {
            throw Refusal(message: "the config names \(hosts.count) hosts; an audit fakes at most \(Self.maxHosts) (five failures each): write the scenarios that matter in lab.conf")
        }
        for host in hosts {
            let on = leaves.filter { $0.host == host }
            if let other = on.first(where: { $0.provider != on[0].provider }) {
                throw Refusal(message: "\(on[0].path) (\(on[0].provider)) and \(other.path) (\(other.provider)) share the host \(host.terminalSafe): the lab fakes one vendor per host")
            }
        }

        var situations = [Situation(name: "healthy", when: "every host answers", failing: [], owesAnswer: true)]
        for (i, host) in hosts.enumerated() {
            // This host alone misbehaving: another could answer when there is one.
            func alone(_ name: String, _ when: String, fault: JSONValue? = nil, lacksModel: Bool = false) -> Situation {
                Situation(name: "\(Self.providerName(i))-\(name)", when: "\(host) \(when)", failing: [host], fault: fault,
                          lacksModel: lacksModel, owesAnswer: hosts.count > 1)
            }
            situations += Self.failures.map { alone($0.name, $0.when, fault: $0.fault) }
            situations.append(alone(Self.lacksModel.name, Self.lacksModel.when, lacksModel: true))
            if stream { situations.append(alone(Self.streamFailure.name, Self.streamFailure.when, fault: Self.streamFailure.fault)) }
        }
        if hosts.count > 1 {
            situations.append(Situation(name: "all-503", when: "every host answers 503", failing: hosts, fault: Self.fault("503"), owesAnswer: false))
            situations.append(Situation(name: "all-hang", when: "every host hangs", failing: hosts, fault: Self.fault("hang"), owesAnswer: false))
        }
        // A loadbalance draws a target per request: one request would show one draw.
        let requests = requests ?? (Self.hasLoadbalance(checked) ? 20 : 1)
        guard (1...Self.maxRequests).contains(requests) else {
            throw Refusal(message: "requests per situation must be from 1 to \(Self.maxRequests), got \(requests)")
        }

        self.file = file
        self.config = sent
        target = checked
        self.leaves = leaves
        self.hosts = hosts
        self.situations = situations
        requestsPerSituation = requests
        self.request = request
        self.model = model
        self.stream = stream
        let format = request?["response_format"]?["type"]?.stringValue
        wantsJSON = format == "json_object" || format == "json_schema"
        self.metadata = metadata
        self.edgeTimeoutMs = edgeTimeoutMs
        self.seed = seed
        labConf = Self.labText(source: file, config: sent, leaves: leaves, hosts: hosts, situations: situations, model: model,
                               stream: stream, metadata: metadata, request: request, wantsJSON: wantsJSON, requests: requests,
                               edgeTimeoutMs: edgeTimeoutMs, seed: seed)
        do {
            lab = try LabConfigParser.parse(labConf, file: file)
        } catch {
            // The lab is built from a config the gateway accepted; what it cannot hold
            // (a model name the fake cannot take) is said in the lab's own words.
            throw Refusal(message: "the lab cannot fake this config: \(error.message)")
        }
    }

    /// What the audit needs of a request body: an object whose `model` and `stream`, when
    /// given, it can read. The rest is the providers' to judge, as it is in production.
    public static func check(request: JSONValue) throws(Refusal) {
        guard case .object = request else { throw Refusal(message: "the request must be a JSON object of chat params, such as {\"messages\": [...], \"max_tokens\": 500}") }
        if let m = request["model"], m.stringValue?.isEmpty != false { throw Refusal(message: "the request's model must be a model name, such as llama3") }
        if let s = request["stream"], s.boolValue == nil { throw Refusal(message: "the request's stream must be true or false") }
    }

    /// Runs every situation on the simulated clock; a row each, in order.
    public func run() throws -> [AuditRow] {
        let env = try LabEnvironment(config: lab, clock: .simulated(lab.network))
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        return zip(lab.scenarios, situations).map { AuditRow(situation: $1, result: runner.run($0), audit: self) }
    }

    /// The fake provider standing for a host.
    public static func providerName(_ hostIndex: Int) -> String { "host\(hostIndex + 1)" }

    /// The lab.conf the audit runs, and `--write-lab` writes: a fake provider per host,
    /// a scenario per situation, its values in JSON's flow style (which YAML reads).
    /// Every provider knows every model the config asks of it and the request's own, so
    /// no fallback is set off by a model the fake does not have. Where the client is owed
    /// its answer, a scenario expects every request to succeed: `lab run` then fails where
    /// the audit marks ✗.
    static func labText(source: String, config: JSONValue, leaves: [Leaf], hosts: [String], situations: [Situation], model: String,
                        stream: Bool, metadata: JSONValue?, request custom: JSONValue?, wantsJSON: Bool, requests: Int,
                        edgeTimeoutMs: Int, seed: UInt64) -> String {
        var out = """
            # Written by `lab audit \(source.terminalSafe)`: the config's hosts faked, one scenario per way they fail.
            # `lab run --config THIS-FILE` runs it; a scenario where the client is owed its answer (every
            # host answering, or another host could answer) expects every request to succeed, so it
            # fails where the audit marks ✗. Edit freely.
            seed: \(seed)
            clock: simulated
            gateway: embedded
            edge: { timeout_ms: \(edgeTimeoutMs) }
            providers:

            """
        for (i, host) in hosts.enumerated() {
            let on = leaves.filter { $0.host == host }
            var models: [String] = []
            for m in on.compactMap(\.model) + [model] where !models.contains(m) { models.append(m) }
            let provider: JSONValue = .object([("api", .string(on[0].provider)), ("models", .array(models.map { .string($0) }))])
            out += "  \(providerName(i)): \(provider.compact)\n"
        }
        out += "hosts:\n"
        for (i, host) in hosts.enumerated() { out += "  \(JSONValue.string(host).compact): \(providerName(i))\n" }
        var body: [(String, JSONValue)] = [("model", .string(model))]
        let question: JSONValue = [["role": "user", "content": "What is the capital of France?"]]
        if case .object(let members)? = custom {
            // The client's own body, as sent; the audit's model and stream in their places.
            body += members.filter { $0.0 != "model" && $0.0 != "stream" }
            if custom?["messages"] == nil { body.append(("messages", question)) }
            body.append(("stream", .bool(stream)))
        } else {
            body += [("messages", question), ("max_tokens", 100), ("stream", .bool(stream))]
        }
        if let metadata { body.append(("headers", .object([("x-portkey-metadata", .string(metadata.compact))]))) }
        let request = JSONValue.object(body)
        out += "scenarios:\n"
        for s in situations {
            out += "  - name: \(s.name)\n"
            out += "    title: \(JSONValue.string(s.when).compact)\n"
            out += "    portkey_config: \(config.compact)\n"
            out += "    request: \(request.compact)\n"
            if requests > 1 { out += "    repeat: \(requests)\n" }
            if let fault = s.fault {
                let rules: JSONValue = .object(s.failing.map { host in
                    (providerName(hosts.firstIndex(of: host)!), .array([.object([("fault", fault)])]))
                })
                out += "    faults: \(rules.compact)\n"
            } else if s.lacksModel {
                let rules: JSONValue = .object(s.failing.map { host in
                    let on = leaves.filter { $0.host == host }
                    var models: [String] = []
                    for m in on.map({ $0.model ?? model }) where !models.contains(m) { models.append(m) }
                    return (providerName(hosts.firstIndex(of: host)!), .array(models.map { m in
                        .object([("match", ["model": .string(m)]), ("fault", ["status": 404, "body": modelNotFound(on[0].provider, m)])])
                    }))
                })
                out += "    faults: \(rules.compact)\n"
            }
            if s.owesAnswer { out += "    expect: { success_rate: { min: 1 }\(wantsJSON ? ", content_json: true" : "") }\n" }
        }
        return out
    }

    /// The vendor's own answer to a model it does not have, in the words its fake uses.
    static func modelNotFound(_ provider: String, _ model: String) -> JSONValue {
        switch provider {
        case "openai": return ErrorEnvelope.openAI(message: FakeOpenAI.modelNotFound(model), type: "invalid_request_error", code: "model_not_found")
        case "anthropic": return AnthropicErrors.envelope(type: "not_found_error", message: FakeAnthropic.modelNotFound(model))
        default: return ErrorEnvelope.ollama(.ollamaOpenAI, status: 404, message: MockOllama.modelNotFound(model))
        }
    }

    /// Paths of the targets that answer, in the order a fallback would try them.
    static func leafPaths(_ t: PortkeyTarget, at path: String = "config") -> [String] {
        guard t.isGroup else { return [path] }
        return t.targets.enumerated().flatMap { leafPaths($0.element, at: "\(path).targets[\($0.offset)]") }
    }

    static func hasLoadbalance(_ t: PortkeyTarget) -> Bool {
        t.mode == .loadbalance || t.targets.contains(where: hasLoadbalance)
    }

    /// `config` with `key` set on the target at `indexes` (the root for none), in place of
    /// the key in either spelling the gateway reads (`custom_host`, `customHost`).
    static func setting(_ key: String, to value: JSONValue, at indexes: [Int], in config: JSONValue) -> JSONValue {
        guard case .object(var members) = config else { return config }
        guard let first = indexes.first else {
            members.removeAll { ConfigKeys.camel($0.0) == ConfigKeys.camel(key) }
            members.append((key, value))
            return .object(members)
        }
        guard let t = members.firstIndex(where: { $0.0 == "targets" }), var items = members[t].1.arrayValue, first < items.count else { return config }
        items[first] = setting(key, to: value, at: Array(indexes.dropFirst()), in: items[first])
        members[t].1 = .array(items)
        return .object(members)
    }
}
