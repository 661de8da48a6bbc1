import FaultInjector
import Foundation
import LabCore
import MockOllama
import MockVendors
import LabHTTP
import Gateway

/// Reads lab.conf with `file:line` errors that say what was expected.
public enum LabConfigParser {
    /// - Parameter filesOutside: let `portkey_config_file` read files outside lab.conf's folder.
    public static func load(_ path: String, filesOutside: Bool = false) throws(ConfigError) -> LabConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, message: "cannot read the file (is the path right? --config picks another)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, filesOutside: filesOutside)
    }

    public static func parse(_ text: String, file: String, filesOutside: Bool = false) throws(ConfigError) -> LabConfig {
        let r = try YAMLDocument(text: text, file: file).reader
        guard case .object = r.value else { throw r.fail("", "expected a mapping with providers, hosts and scenarios") }
        try r.allowOnly("", ["seed", "clock", "time_scale", "network", "gateway", "edge", "ports", "journal_limit", "providers", "hosts", "scenarios"])
        var config = LabConfig(file: file)
        if let seed = r.value["seed"] { config.seed = UInt64(try r.int(seed, "seed", min: 0)) }
        if let clock = r.value["clock"] {
            guard let s = clock.stringValue, let c = ClockChoice(rawValue: s) else {
                throw r.fail("clock", "expected simulated (virtual time: exact and instant) or real (wall time), got \(clock)")
            }
            config.clock = c
        }
        if let scale = r.value["time_scale"] {
            let d = try r.number(scale, "time_scale", 0...LoopClock.maxScale, above: true,
                                 "a number greater than 0 and at most \(Int(LoopClock.maxScale)) (1 is real time, 0.01 runs 100x faster)")
            config.timeScale = d
        }
        if let network = r.value["network"] {
            try r.allowOnly("network", ["latency_ms"])
            if let l = network["latency_ms"] {
                guard let d = l.doubleValue, d >= 0, d <= 60_000 else { throw r.fail("network.latency_ms", "expected milliseconds from 0 to 60000, got \(l)") }
                config.network.latencyMs = d
            }
        }
        if let gateway = r.value["gateway"] {
            guard let s = gateway.stringValue else { throw r.fail("gateway", "expected embedded or a URL like http://127.0.0.1:8787") }
            if s != "embedded" {
                guard s.hasPrefix("http://"), URLParts(s) != nil else { throw r.fail("gateway", "expected embedded or an http:// URL of a running Portkey gateway, got \(s)") }
                config.gatewayURL = s
            }
        }
        if let limit = r.value["journal_limit"] { config.journalLimit = try r.int(limit, "journal_limit", min: 100) }
        if let edge = r.value["edge"] {
            try r.allowOnly("edge", ["timeout_ms"])
            if let t = edge["timeout_ms"] { config.edgeTimeoutMs = try r.ms(t, "edge.timeout_ms", min: 1) }
        }
        if let ports = r.value["ports"] {
            guard case .object = ports else { throw r.fail("ports", "expected { gateway: 8787, edge: 8080 }") }
            try r.allowOnly("ports", ["gateway", "edge"])
            for (key, keyPath) in [("gateway", \LabConfig.gatewayPort), ("edge", \LabConfig.edgePort)] {
                guard let v = ports[key] else { continue }
                let port = try r.int(v, "ports.\(key)", min: 0)
                guard port <= 65535 else { throw r.fail("ports.\(key)", "expected a port from 0 (any free port) to 65535") }
                config[keyPath: keyPath] = port
            }
        }
        guard case .object(let providers)? = r.value["providers"], !providers.isEmpty else {
            throw r.fail("providers", "expected at least one provider, e.g. providers: { primary: { models: [llama3] } }")
        }
        for (name, value) in providers { config.providers.append(try provider(name, value, r)) }
        let names = Set(config.providers.map(\.name))
        if let hosts = r.value["hosts"] {
            guard case .object(let members) = hosts else { throw r.fail("hosts", "expected a mapping of host names to providers") }
            for (host, value) in members {
                let path = "hosts.\(host)"
                if let target = value.stringValue {
                    guard names.contains(target) else { throw r.fail(path, "no provider named '\(target)' (providers: \(names.sorted().joined(separator: ", ")))") }
                    config.hosts[host.lowercased()] = .provider(target)
                } else if let how = value["unreachable"]?.stringValue {
                    switch how {
                    case "refused": config.hosts[host.lowercased()] = .refused
                    case "dns": config.hosts[host.lowercased()] = .dns
                    case "hang": config.hosts[host.lowercased()] = .hang
                    default: throw r.fail(path + ".unreachable", "expected refused, dns or hang, got \(how)")
                    }
                } else {
                    throw r.fail(path, "expected a provider name or { unreachable: refused | dns | hang }")
                }
            }
        }
        for name in names where config.hosts[name.lowercased()] == nil { config.hosts[name.lowercased()] = .provider(name) }
        guard case .array(let scenarios)? = r.value["scenarios"] else { throw r.fail("scenarios", "expected a list of scenarios") }
        var seen = Set<String>()
        for (i, value) in scenarios.enumerated() {
            let s = try scenario(value, path: "scenarios[\(i)]", r, config: config, baseDirectory: (file as NSString).deletingLastPathComponent,
                                 filesOutside: filesOutside)
            guard seen.insert(s.name).inserted else { throw r.fail("scenarios[\(i)].name", "another scenario is already named '\(s.name)'") }
            config.scenarios.append(s)
        }
        return config
    }

    static func provider(_ name: String, _ value: JSONValue, _ r: ConfigReader) throws(ConfigError) -> ProviderConfig {
        let path = "providers.\(name)"
        var p = ProviderConfig(name: name)
        if value.isNull { return p }
        try r.allowOnly(path, ["api", "port", "url", "control_token_env", "models", "answers", "pacing", "faults", "capabilities", "context_length", "context_overflow", "origins", "host_check", "parallel", "keep_alive", "max_loaded_models", "max_queue", "model_pacing"])
        if let api = value["api"] {
            guard let a = api.stringValue.flatMap(ProviderAPI.init(rawValue:)) else {
                throw r.fail(path + ".api", "expected ollama (the default), openai or anthropic: the API this fake provider speaks")
            }
            p.api = a
            p.modelIDs = a == .openai ? FakeOpenAI.defaultModels : a == .anthropic ? FakeAnthropic.defaultModels : p.modelIDs
            p.models = p.modelIDs.compactMap(ModelName.init)
        }
        if let url = value["url"] {
            guard let s = url.stringValue, let parts = URLParts(s), parts.target == "/" else {
                throw r.fail(path + ".url", "expected the base URL of a running lab mock, like http://mock-a.lab.svc:11434")
            }
            p.url = s.hasSuffix("/") ? String(s.dropLast()) : s
            if value["port"] != nil { throw r.fail(path + ".port", "a provider with url runs elsewhere: its port is in the url") }
        }
        if let env = value["control_token_env"] {
            guard let name = env.stringValue, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw r.fail(path + ".control_token_env", "expected the name of an environment variable, like LAB_TOKEN")
            }
            guard value["url"] != nil else { throw r.fail(path + ".control_token_env", "only a provider with url is reached over the network") }
            p.controlTokenEnv = name
        }
        if let port = value["port"] {
            p.port = try r.int(port, path + ".port", min: 0)
            guard p.port <= 65535 else { throw r.fail(path + ".port", "expected a port from 0 (any free port) to 65535") }
        }
        if let models = value["models"] {
            guard let items = models.arrayValue, !items.isEmpty else { throw r.fail(path + ".models", "expected a list of model names like [llama3]") }
            p.models = []
            p.modelIDs = []
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue, let m = ModelName(s) else { throw r.fail("\(path).models[\(i)]", "not a valid model name: \(item)") }
                p.models.append(m)
                p.modelIDs.append(s)
            }
        }
        if let answers = value["answers"] {
            guard case .object(let pairs) = answers else { throw r.fail(path + ".answers", "expected a mapping of prompt patterns to answers") }
            for (pattern, answer) in pairs {
                let field = "\(path).answers.\(pattern)"
                guard (try? Regex(pattern)) != nil else { throw r.fail(field, "not a valid regular expression") }
                if let text = answer.stringValue {
                    p.answers.append(CannedAnswer(pattern: pattern, answer: text))
                } else if let call = answer["tool_call"], let name = call["name"]?.stringValue {
                    try r.allowOnly(field, ["tool_call"])
                    try r.allowOnly(field + ".tool_call", ["name", "arguments"])
                    let arguments = call["arguments"] ?? .object([])
                    guard arguments.objectValue != nil else { throw r.fail(field + ".tool_call.arguments", "expected an object of arguments") }
                    p.answers.append(CannedAnswer(pattern: pattern, answer: "", toolCall: (name, arguments)))
                } else {
                    throw r.fail(field, "expected the answer text, or { tool_call: { name: NAME, arguments: { … } } }")
                }
            }
        }
        if let pacing = value["pacing"] { p.pacing = try self.pacing(pacing, path + ".pacing", p.api, r) }
        if let perModel = value["model_pacing"] {
            guard case .object(let pairs) = perModel else {
                throw r.fail(path + ".model_pacing", "expected model names mapped to pacing, e.g. { \"llama3:70b\": { ttft_ms: 1500, load_ms: 30000 } }")
            }
            for (model, pacing) in pairs {
                let field = "\(path).model_pacing.\(model)"
                guard let name = ModelName(model), p.models.contains(name) else {
                    throw r.fail(field, "\(model) is not one of this provider's models (\(p.models.map(\.description).joined(separator: ", ")))")
                }
                p.modelPacing[name.key] = try self.pacing(pacing, field, p.api, r)
            }
        }
        if let faults = value["faults"] { p.faults = try rules(faults, path: path + ".faults", r) }
        if let caps = value["capabilities"] {
            guard case .object(let pairs) = caps else { throw r.fail(path + ".capabilities", "expected model names mapped to lists, e.g. { llama3: [completion, tools] }") }
            let known = Capability.allCases.map(\.rawValue).joined(separator: ", ")
            for (model, list) in pairs {
                let field = "\(path).capabilities.\(model)"
                guard let name = ModelName(model), p.models.contains(name) else {
                    throw r.fail(field, "\(model) is not one of this provider's models (\(p.models.map(\.description).joined(separator: ", ")))")
                }
                guard let items = list.arrayValue else { throw r.fail(field, "expected a list of capabilities (\(known))") }
                var out: [Capability] = []
                for item in items {
                    guard let c = item.stringValue.flatMap(Capability.init(rawValue:)) else { throw r.fail(field, "unknown capability \(item.compact) (one of \(known))") }
                    out.append(c)
                }
                p.capabilities[name.key] = out
            }
        }
        if let window = value["context_length"] {
            let key = path + ".context_length"
            if case .object(let pairs) = window {
                for (model, n) in pairs {
                    guard let name = ModelName(model), p.models.contains(name) else {
                        throw r.fail("\(key).\(model)", "\(model) is not one of this provider's models (\(p.models.map(\.description).joined(separator: ", ")))")
                    }
                    p.contextLengths[name.key] = try r.int(n, "\(key).\(model)", min: 1)
                }
            } else {
                guard window.intValue != nil else { throw r.fail(key, "expected tokens for every model (e.g. 4096), or models mapped to tokens (e.g. { llama3: 64 })") }
                let n = try r.int(window, key, min: 1)
                for m in p.models { p.contextLengths[m.key] = n }
            }
        }
        if let overflow = value["context_overflow"] {
            guard let o = overflow.stringValue.flatMap(ContextOverflow.init(rawValue:)) else {
                throw r.fail(path + ".context_overflow", "expected truncate (Ollama's default: keep what fits) or error (the 400 \"\(MockOllama.contextExceeded)\")")
            }
            p.contextOverflow = o
        }
        // Settings of an Ollama server: only a fake Ollama this lab runs takes them here.
        let ollamaSettings = [("origins", "makes Ollama's origin and host checks", "--origins"),
                              ("host_check", "makes Ollama's origin and host checks", "--host-check"),
                              ("parallel", "has generation slots (OLLAMA_NUM_PARALLEL)", "--parallel"),
                              ("keep_alive", "keeps models in memory (OLLAMA_KEEP_ALIVE)", "--keep-alive"),
                              ("max_loaded_models", "keeps models in memory (OLLAMA_MAX_LOADED_MODELS)", "--max-loaded-models"),
                              ("max_queue", "has a scheduler's queue (OLLAMA_MAX_QUEUE)", "--max-queue")]
        for (key, what, flag) in ollamaSettings where value[key] != nil {
            if p.api != .ollama { throw r.fail("\(path).\(key)", "only a fake Ollama \(what)") }
            if p.url != nil { throw r.fail("\(path).\(key)", "a provider with url runs elsewhere: give its lab mock \(flag)") }
        }
        if value["parallel"] != nil { p.parallel = try r.int(value, key: "parallel", path + ".parallel", min: 1) }
        if value["max_loaded_models"] != nil { p.maxLoadedModels = try r.int(value, key: "max_loaded_models", path + ".max_loaded_models", min: 1) }
        if value["max_queue"] != nil { p.maxQueue = try r.int(value, key: "max_queue", path + ".max_queue", min: 0) }
        if let keepAlive = value["keep_alive"] {
            let text = keepAlive.intValue.map(String.init) ?? keepAlive.stringValue
            guard let nanos = text.flatMap(GoDuration.serverKeepAlive) else {
                throw r.fail(path + ".keep_alive", "expected \(GoDuration.keepAliveForms), got \(keepAlive.compact)")
            }
            p.keepAlive = nanos
        }
        if let origins = value["origins"] {
            let items = origins.arrayValue ?? []
            let list = items.compactMap(\.stringValue)
            guard origins.arrayValue != nil, list.count == items.count else {
                throw r.fail(path + ".origins", "expected a list of origins browsers may call from, as in OLLAMA_ORIGINS, e.g. [\"chrome-extension://*\", \"https://chat.example.com\"]")
            }
            do { _ = try AccessPolicy(extraOrigins: list) } catch { throw r.fail(path + ".origins", "\(error) (Ollama refuses to start with it too)") }
            p.origins = list
        }
        if let check = value["host_check"] {
            guard let on = check.boolValue else { throw r.fail(path + ".host_check", "expected true (refuse Host headers as an Ollama bound to a loopback address does) or false") }
            p.hostCheck = on
        }
        return p
    }

    /// `none`, or `{ ttft_ms, tokens_per_second, load_ms }`; a load only on a fake Ollama.
    static func pacing(_ value: JSONValue, _ path: String, _ api: ProviderAPI, _ r: ConfigReader) throws(ConfigError) -> Pacing {
        if value.stringValue == "none" { return .none }
        try r.allowOnly(path, ["ttft_ms", "tokens_per_second", "load_ms"])
        if value["load_ms"] != nil, api != .ollama {
            throw r.fail(path + ".load_ms", "only a fake Ollama loads models; the fake \(api.vendor) answers at once")
        }
        return Pacing(timeToFirstTokenMs: try r.ms(value, key: "ttft_ms", path + ".ttft_ms") ?? 0,
                      tokensPerSecond: try value["tokens_per_second"].map { (v) throws(ConfigError) in
                          try r.number(v, path + ".tokens_per_second", Pacing.tokensPerSecondRange, "tokens per second from 0.001 to 1000000")
                      },
                      loadMs: try r.ms(value, key: "load_ms", path + ".load_ms") ?? 0)
    }

    static func rules(_ value: JSONValue, path: String, _ r: ConfigReader) throws(ConfigError) -> [FaultRule] {
        guard case .array(let items) = value else { throw r.fail(path, "expected a list of fault rules (each with match, when, fault)") }
        var out: [FaultRule] = []
        for i in items.indices {
            out.append(try FaultRuleParser.parseRule(r.at("\(path)[\(i)]"), number: i + 1))
        }
        return out
    }

    static func scenario(_ value: JSONValue, path: String, _ r: ConfigReader, config: LabConfig, baseDirectory: String,
                         filesOutside: Bool = false) throws(ConfigError) -> Scenario {
        try r.allowOnly(path, ["name", "title", "note", "portkey_config", "portkey_config_file", "faults", "request", "requests",
                               "repeat", "prompts", "concurrency", "load", "down", "compare_direct", "expect"])
        guard let name = value["name"]?.stringValue, !name.isEmpty else { throw r.fail(path, "a scenario needs a name") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw r.fail(path + ".name", "use letters, digits, '-' and '_' only, got '\(name)'")
        }
        let portkeyConfig: JSONValue
        if let inline = value["portkey_config"] {
            portkeyConfig = inline
        } else if let file = value["portkey_config_file"]?.stringValue {
            let key = path + ".portkey_config_file"
            let full = file.hasPrefix("/") ? file : (baseDirectory.isEmpty ? file : baseDirectory + "/" + file)
            if !filesOutside, !Self.isInside(full, directory: baseDirectory.isEmpty ? "." : baseDirectory) {
                throw r.fail(key, "\(file) is outside the folder of \(r.file ?? "lab.conf"); keep Portkey configs beside lab.conf (e.g. configs/), or pass --allow-files-outside")
            }
            guard let data = FileManager.default.contents(atPath: full) else { throw r.fail(key, "cannot read \(full)") }
            do {
                portkeyConfig = try JSONParser.parse(Array(data))
            } catch {
                throw r.fail(key, "\(full) is not valid JSON: \(error.message)")
            }
        } else {
            throw r.fail(path, "scenario '\(name)' needs portkey_config (the Portkey config JSON) or portkey_config_file")
        }
        guard case .object = portkeyConfig else { throw r.fail(path + ".portkey_config", "expected a Portkey config object") }
        let target: PortkeyTarget
        do {
            target = try PortkeyConfigCheck.check(portkeyConfig)
        } catch {
            throw r.fail(path + ".portkey_config", "the gateway would refuse this config: \(error)")
        }
        for url in target.customHosts {
            guard let host = URLParts(url)?.host else { continue }
            let key = host.lowercased()
            if config.hosts[key] == nil, !["localhost", "127.0.0.1", "::1"].contains(key) {
                throw r.fail(path + ".portkey_config", "custom_host '\(url)' uses host '\(host)', which hosts: does not map (add it under hosts:, to a provider or { unreachable: refused })")
            }
        }
        var s = Scenario(name: name, title: value["title"]?.stringValue ?? name, note: value["note"]?.stringValue,
                         line: r.line(path), portkeyConfig: portkeyConfig, target: target)
        if let faults = value["faults"] {
            guard case .object(let members) = faults else { throw r.fail(path + ".faults", "expected a mapping of provider names to fault rules") }
            for (provider, rules) in members {
                guard config.providers.contains(where: { $0.name == provider }) else {
                    throw r.fail("\(path).faults.\(provider)", "no provider named '\(provider)'")
                }
                s.faults[provider] = try Self.rules(rules, path: "\(path).faults.\(provider)", r)
            }
        }
        let base = try request(value["request"] ?? .object([]), path: path + ".request", r)
        func repeatCount() throws(ConfigError) -> Int? {
            guard let v = value["repeat"] else { return nil }
            let n = try r.int(v, path + ".repeat", min: 1)
            try Self.checkFits(n, path + ".repeat", r)
            return n
        }
        var schedule: LoadPlan?
        if case .object? = value["requests"] {
            // `requests: { count: 20, every_ms: 4000 }`: a schedule, not a list.
            let v = value["requests"]!
            try r.allowOnly(path + ".requests", ["count", "every_ms", "window_s"])
            guard let c = v["count"], let e = v["every_ms"] else { throw r.fail(path + ".requests", "a schedule needs count and every_ms, e.g. { count: 20, every_ms: 4000 }") }
            let count = try r.int(c, path + ".requests.count", min: 1)
            let every = try r.number(e, path + ".requests.every_ms", 0...Double(ConfigReader.maxMs), above: true, "milliseconds greater than 0")
            try Self.checkFits(count, path + ".requests.count", r)
            guard Double(count - 1) * every <= Double(ConfigReader.maxMs) else {
                throw r.fail(path + ".requests", "count × every_ms spans more than ten years of lab time")
            }
            let window = try value["requests"]?["window_s"].map { (w) throws(ConfigError) in
                try r.number(w, path + ".requests.window_s", 0...Double(ConfigReader.maxSeconds), above: true, "seconds greater than 0")
            }
            schedule = LoadPlan(count: count, intervalMs: every, windowS: window)
            try Self.checkWindows(schedule!, path + ".requests.window_s", r)
        }
        if let list = value["requests"], schedule == nil {
            guard case .array(let items) = list, !items.isEmpty else { throw r.fail(path + ".requests", "expected a list of requests") }
            for (i, item) in items.enumerated() { s.requests.append(try request(item, path: "\(path).requests[\(i)]", r)) }
        } else if let prompts = value["prompts"] {
            guard case .array(let items) = prompts, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
                throw r.fail(path + ".prompts", "expected a list of prompt strings")
            }
            for i in 0..<(try repeatCount() ?? items.count) {
                var req = base
                req.body = req.body.setting("messages", [["role": "user", "content": items[i % items.count]]])
                s.requests.append(req)
            }
        } else {
            s.requests = Array(repeating: base, count: try repeatCount() ?? 1)
        }
        if let c = value["concurrency"] { s.concurrency = try r.int(c, path + ".concurrency", min: 1) }
        if value["load"] != nil || schedule != nil {
            if schedule != nil, value["load"] != nil { throw r.fail(path + ".load", "give load or a requests schedule, not both") }
            for other in ["repeat", "concurrency"] + (schedule == nil ? ["requests"] : []) where value[other] != nil {
                throw r.fail(path + "." + other, "\(other) cannot go with a schedule: its requests are sent on time, answered or not")
            }
            let plan: LoadPlan
            if let schedule { plan = schedule } else { plan = try loadPlan(value["load"]!, path: path + ".load", r) }
            let prompts = value["prompts"]?.arrayValue ?? []
            s.requests = (0..<plan.count).map { i in
                guard !prompts.isEmpty else { return s.requests[0] }
                var req = base
                req.body = req.body.setting("messages", [["role": "user", "content": prompts[i % prompts.count]]])
                return req
            }
            s.load = plan
        }
        s.compareDirect = value["compare_direct"]?.boolValue ?? false
        if let down = value["down"] {
            guard case .object(let members) = down else { throw r.fail(path + ".down", "expected providers mapped to windows, e.g. { primary: { from_ms: 10000, for_ms: 5000 } }") }
            for (provider, window) in members {
                let field = "\(path).down.\(provider)"
                guard config.providers.contains(where: { $0.name == provider }) else { throw r.fail(field, "no provider named '\(provider)'") }
                try r.allowOnly(field, ["from_ms", "for_ms"])
                let from = try r.ms(window, key: "from_ms", field + ".from_ms") ?? 0
                let span = try r.ms(window, key: "for_ms", field + ".for_ms", min: 1)
                if span == nil, config.providers.first(where: { $0.name == provider })?.url != nil {
                    throw r.fail(field, "\(provider) runs elsewhere and comes back only by itself: give for_ms")
                }
                s.outages.append(Outage(provider: provider, fromMs: from, forMs: span))
            }
        }
        if let e = value["expect"] {
            let windows = s.load.map { max(1, Int(($0.durationS / $0.windowS).rounded(.up))) }
            s.expect = try expectations(e, path: path + ".expect", r, config: config, requestCount: s.requests.count, windowCount: windows)
        }
        return s
    }

    /// Whether `path` lies inside `directory` once `.` and `..` are resolved. Links the
    /// user put in that folder (a shared configs/) are followed as they are.
    static func isInside(_ path: String, directory: String) -> Bool {
        let base = URL(fileURLWithPath: directory).standardizedFileURL.path
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        return target.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }

    static func loadPlan(_ value: JSONValue, path: String, _ r: ConfigReader) throws(ConfigError) -> LoadPlan {
        try r.allowOnly(path, ["rate_per_s", "duration_s", "window_s"])
        func positive(_ key: String, _ example: String, atMost: Double, _ expected: String) throws(ConfigError) -> Double {
            guard let v = value[key] else { throw r.fail(path, "load needs \(key) (\(example))") }
            return try r.number(v, path + "." + key, 0...atMost, above: true, expected)
        }
        let seconds = Double(ConfigReader.maxSeconds)
        let rate = try positive("rate_per_s", "requests per second of lab time, e.g. 20", atMost: Double(LoadPlan.maxRequests),
                                "requests per second greater than 0, at most \(LoadPlan.maxRequests)")
        let duration = try positive("duration_s", "seconds of lab time, e.g. 3600", atMost: seconds, "seconds greater than 0, at most ten years")
        let window = try value["window_s"].map { (_) throws(ConfigError) in
            try positive("window_s", "seconds per report window", atMost: seconds, "seconds greater than 0, at most ten years")
        }
        // Both bounded above: the product fits an Int.
        let asked = rate * duration
        guard asked <= Double(LoadPlan.maxRequests) else {
            throw r.fail(path, "rate_per_s × duration_s asks for \(Int(asked)) requests; at most \(LoadPlan.maxRequests) fit in one scenario")
        }
        let plan = LoadPlan(ratePerSecond: rate, durationS: duration, windowS: window)
        guard plan.windowS <= duration else { throw r.fail(path + ".window_s", "a window longer than duration_s (\(duration)) shows nothing") }
        try checkWindows(plan, path + ".window_s", r)
        return plan
    }

    /// A scenario's requests are kept, outcome and all, until its report is written.
    static func checkFits(_ count: Int, _ field: String, _ r: ConfigReader) throws(ConfigError) {
        guard count <= LoadPlan.maxRequests else { throw r.fail(field, "at most \(LoadPlan.maxRequests) requests fit in one scenario, got \(count)") }
    }

    /// The report has a row per window: a window so short that the run makes more than
    /// `LoadPlan.maxWindows` of them would show nothing anyone can read.
    static func checkWindows(_ plan: LoadPlan, _ path: String, _ r: ConfigReader) throws(ConfigError) {
        guard plan.durationS / plan.windowS <= Double(LoadPlan.maxWindows) else {
            throw r.fail(path, "the run would be cut into more than \(LoadPlan.maxWindows) report windows; give at least \(plan.durationS / Double(LoadPlan.maxWindows)) s")
        }
    }

    static func request(_ value: JSONValue, path: String, _ r: ConfigReader) throws(ConfigError) -> ScenarioRequest {
        guard case .object(let members) = value else { throw r.fail(path, "expected a request body (model, messages, max_tokens, stream…)") }
        var req = ScenarioRequest(body: .object([]))
        var body: [(String, JSONValue)] = []
        for (key, v) in members {
            switch key {
            case "path":
                guard let p = v.stringValue, ["/v1/chat/completions", "/v1/embeddings", "/v1/completions"].contains(p) else {
                    throw r.fail(path + ".path", "expected /v1/chat/completions, /v1/embeddings or /v1/completions")
                }
                req.path = p
            case "headers":
                guard case .object(let pairs) = v else { throw r.fail(path + ".headers", "expected a mapping of header names to values") }
                req.headers = pairs.map { ($0.0, $0.1.stringValue ?? $0.1.compact) }
            case "client_retries": req.clientRetries = try r.int(v, path + ".client_retries", min: 0, max: ScenarioRequest.maxClientRetries)
            case "stream":
                guard v.boolValue != nil else { throw r.fail(path + ".stream", "expected true or false") }
                body.append((key, v))
            default: body.append((key, v))
            }
        }
        if body.isEmpty == false || !members.isEmpty { req.body = .object(body) }
        if req.body["model"] == nil { req.body = req.body.setting("model", "llama3") }
        if req.body["messages"] == nil, req.path == "/v1/chat/completions" {
            req.body = req.body.setting("messages", [["role": "user", "content": "What is the capital of France?"]])
        }
        return req
    }

    /// Keys that say something of each request, so they also go under `requests: { 1-15: … }`.
    static let perRequestKeys = ["status", "served_by", "last_used_option_index", "retry_attempt_count", "statuses", "latency_ms",
                                 "body_contains", "fallback_triggered", "stream_complete", "success_rate", "finish_reason", "stream",
                                 "content_tokens", "ttft_ms", "usage_present", "content_json"]

    /// `windowCount` is nil for a scenario without windows; `nested` for the expectations of a range of requests.
    static func expectations(_ value: JSONValue, path: String, _ r: ConfigReader, config: LabConfig, requestCount: Int, windowCount: Int?,
                             nested: Bool = false) throws(ConfigError) -> Expectations {
        guard case .object = value else { throw r.fail(path, "expected a mapping of expectations, e.g. { status: 200, served_by: backup }") }
        try r.allowOnly(path, perRequestKeys + (nested ? [] : ["hits", "retry_gaps_ms", "requests", "windows"]))
        var e = Expectations()
        if let v = value["status"] { e.status = try r.int(v, path + ".status", min: 100) }
        if let v = value["served_by"] {
            guard let s = v.stringValue, s == "none" || config.providers.contains(where: { $0.name == s }) else {
                throw r.fail(path + ".served_by", "expected a provider name (\(config.providers.map(\.name).joined(separator: ", "))) or none")
            }
            e.servedBy = s
        }
        if let v = value["last_used_option_index"] {
            guard let s = v.stringValue, s.hasPrefix("config") else { throw r.fail(path + ".last_used_option_index", "expected a JSON path like config.targets[1]") }
            e.lastUsedOptionIndex = s
        }
        if let v = value["retry_attempt_count"] { e.retryAttemptCount = try r.int(v, path + ".retry_attempt_count", min: -1) }
        if let v = value["hits"] {
            guard case .object(let members) = v else { throw r.fail(path + ".hits", "expected provider: count, e.g. { primary: 1, backup: 1 }") }
            for (name, bound) in members {
                guard config.providers.contains(where: { $0.name == name }) else { throw r.fail("\(path).hits.\(name)", "no provider named '\(name)'") }
                e.hits.append((name, try countBound(bound, "\(path).hits.\(name)", r)))
            }
        }
        if let v = value["statuses"] {
            guard case .object(let members) = v else { throw r.fail(path + ".statuses", "expected status: count, e.g. { 200: 9, 503: 1 }") }
            for (code, bound) in members {
                guard let c = Int(code) else { throw r.fail("\(path).statuses.\(code)", "expected an HTTP status as the key") }
                e.statuses.append((c, try countBound(bound, "\(path).statuses.\(code)", r)))
            }
        }
        if let v = value["success_rate"] {
            try r.allowOnly(path + ".success_rate", ["min"])
            guard let m = v["min"]?.doubleValue, (0...1).contains(m) else { throw r.fail(path + ".success_rate.min", "expected a share from 0 to 1, e.g. { min: 0.99 }") }
            e.minSuccessRate = m
        }
        if let v = value["latency_ms"] {
            (e.latencyMinMs, e.latencyMaxMs) = try msRange(v, path + ".latency_ms", r)
        }
        e.bodyContains = value["body_contains"]?.stringValue
        e.fallbackTriggered = value["fallback_triggered"]?.boolValue
        e.streamComplete = value["stream_complete"]?.boolValue
        if let f = value["finish_reason"] {
            guard let s = f.stringValue else { throw r.fail(path + ".finish_reason", "expected stop, length, tool_calls…") }
            e.finishReason = s
        }
        if let s = value["stream"] {
            guard let shape = s.stringValue, ["complete", "missing_terminator", "truncated"].contains(shape) else {
                throw r.fail(path + ".stream", "expected complete (finish_reason and [DONE]), missing_terminator (finish_reason, no [DONE]) or truncated (no finish_reason)")
            }
            e.streamShape = shape
        }
        if let v = value["content_tokens"] { e.contentTokens = try countBound(v, path + ".content_tokens", r) }
        if let v = value["ttft_ms"] {
            (e.ttftMinMs, e.ttftMaxMs) = try msRange(v, path + ".ttft_ms", r)
        }
        if let v = value["usage_present"] {
            guard let b = v.boolValue else { throw r.fail(path + ".usage_present", "expected true or false") }
            e.usagePresent = b
        }
        if let v = value["content_json"] {
            guard let b = v.boolValue else { throw r.fail(path + ".content_json", "expected true or false") }
            e.contentJSON = b
        }
        if let v = value["retry_gaps_ms"] { e.retryGaps = try retryGaps(v, path + ".retry_gaps_ms", r, config: config) }
        if let v = value["requests"] {
            for (range, inner) in try ranges(v, path + ".requests", count: requestCount, what: "request", r) {
                e.perRequest.append(RangeExpectation(range: range, expect: try expectations(
                    inner, path: "\(path).requests.\(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)")",
                    r, config: config, requestCount: requestCount, windowCount: nil, nested: true)))
            }
        }
        if let v = value["windows"] {
            guard let windowCount else {
                throw r.fail(path + ".windows", "only a scenario with load or a requests schedule has windows")
            }
            for (range, inner) in try ranges(v, path + ".windows", count: windowCount, what: "window", r) {
                let field = "\(path).windows.\(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)")"
                try r.allowOnly(field, ["success_rate", "hits"])
                var w = WindowExpectations()
                if let rate = inner["success_rate"] {
                    try r.allowOnly(field + ".success_rate", ["min"])
                    guard let m = rate["min"]?.doubleValue, (0...1).contains(m) else { throw r.fail(field + ".success_rate.min", "expected a share from 0 to 1, e.g. { min: 0.5 }") }
                    w.minSuccessRate = m
                }
                if let hits = inner["hits"] {
                    guard case .object(let members) = hits else { throw r.fail(field + ".hits", "expected provider: count, e.g. { primary: 0 }") }
                    for (name, bound) in members {
                        guard config.providers.contains(where: { $0.name == name }) else { throw r.fail("\(field).hits.\(name)", "no provider named '\(name)'") }
                        w.hits.append((name, try countBound(bound, "\(field).hits.\(name)", r)))
                    }
                }
                e.perWindow.append(RangeExpectation(range: range, expect: w))
            }
        }
        return e
    }

    /// Milliseconds of lab time that may have a fraction (an expected latency, a gap).
    static func labMs(_ v: JSONValue, _ field: String, _ r: ConfigReader) throws(ConfigError) -> Double {
        try r.number(v, field, 0...Double(ConfigReader.maxMs), "milliseconds, 0 or more")
    }

    /// `{ min: N, max: M }` in milliseconds (either may be left out), or one number for an exact time.
    static func msRange(_ v: JSONValue, _ path: String, _ r: ConfigReader) throws(ConfigError) -> (Double?, Double?) {
        if v.doubleValue != nil { let d = try labMs(v, path, r); return (d, d) }
        guard case .object = v else { throw r.fail(path, "expected { min: MS, max: MS }") }
        try r.allowOnly(path, ["min", "max"])
        let min = try v["min"].map { (m) throws(ConfigError) in try labMs(m, path + ".min", r) }
        let max = try v["max"].map { (m) throws(ConfigError) in try labMs(m, path + ".max", r) }
        guard min != nil || max != nil else { throw r.fail(path, "expected { min: MS, max: MS }") }
        return (min, max)
    }

    static func retryGaps(_ v: JSONValue, _ path: String, _ r: ConfigReader, config: LabConfig) throws(ConfigError) -> RetryGaps {
        var out = RetryGaps(gapsMs: [], toleranceMs: RetryGaps.defaultToleranceMs)
        let list: JSONValue?
        if case .array = v { list = v } else {
            guard case .object = v else { throw r.fail(path, "expected a list of milliseconds, e.g. [1000, 2000], or { gaps: [...], tolerance_ms: 50, provider: primary }") }
            try r.allowOnly(path, ["gaps", "tolerance_ms", "provider"])
            list = v["gaps"]
            if let t = v["tolerance_ms"] {
                out.toleranceMs = try labMs(t, path + ".tolerance_ms", r)
            }
            if let p = v["provider"] {
                guard let name = p.stringValue, config.providers.contains(where: { $0.name == name }) else {
                    throw r.fail(path + ".provider", "expected a provider name (\(config.providers.map(\.name).joined(separator: ", ")))")
                }
                out.provider = name
            }
        }
        guard let items = list?.arrayValue else { throw r.fail(path, "expected a list of gaps in milliseconds, e.g. [1000, 2000]") }
        for (i, item) in items.enumerated() {
            out.gapsMs.append(try labMs(item, "\(path)[\(i)]", r))
        }
        return out
    }

    /// `{ 3: …, 1-15: … }`: 1-based ranges within `count`, each with its value.
    static func ranges(_ v: JSONValue, _ path: String, count: Int, what: String, _ r: ConfigReader) throws(ConfigError) -> [(ClosedRange<Int>, JSONValue)] {
        guard case .object(let members) = v, !members.isEmpty else {
            throw r.fail(path, "expected \(what) numbers or ranges mapped to expectations, e.g. { 1-15: { … }, 16: { … } }")
        }
        var out: [(ClosedRange<Int>, JSONValue)] = []
        for (key, inner) in members {
            let parts = key.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil, low >= 1, low <= high else {
                throw r.fail("\(path).\(key)", "expected a \(what) number or a range like 1-15")
            }
            guard high <= count else { throw r.fail("\(path).\(key)", "the scenario has \(count) \(what)s; \(key) goes past them") }
            out.append((low...high, inner))
        }
        return out
    }

    static func countBound(_ v: JSONValue, _ path: String, _ r: ConfigReader) throws(ConfigError) -> CountBound {
        if let n = v.intValue { return CountBound(min: n, max: n) }
        try r.allowOnly(path, ["min", "max"])
        let b = CountBound(min: v["min"]?.intValue, max: v["max"]?.intValue)
        guard b.min != nil || b.max != nil else { throw r.fail(path, "expected a count or { min: N, max: M }") }
        return b
    }
}
