import ArgumentParser
import Foundation
import Glibc
import FaultInjector
import LabKit
import LabHTTP
import LabCore
import MockOllama
import MockVendors
import ProviderHost

struct MockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Run one fake provider: Ollama (a drop-in for `ollama serve`), OpenAI or Anthropic.",
        discussion: """
            By default it speaks Ollama's native API (/api/chat, /api/generate, /api/embed, /api/tags, …) \
            and its OpenAI-compatible API (/v1/chat/completions, /v1/embeddings, /v1/models, …). \
            --api openai speaks OpenAI's API (/v1/chat/completions, /v1/embeddings, /v1/models, \
            /v1/responses) with its errors and x-ratelimit-* headers; --api anthropic speaks \
            Anthropic's (/v1/messages and its event stream, /v1/messages/count_tokens, /v1/models). \
            Replies are deterministic text made from the model, the messages and the seed; no model is loaded.

            Examples:
              lab mock                                   # 127.0.0.1:11434 with llama3
              lab mock --port 0 --model llama3 --model nomic-embed-text
              lab mock --answer 'capital of France=Paris.' --ttft-ms 200 --tokens-per-second 40
              curl http://127.0.0.1:11434/api/chat -d '{"model":"llama3","messages":[{"role":"user","content":"hi"}]}'
              lab mock --api anthropic --port 8081      # models claude-sonnet-4-6, claude-haiku-4-5
              curl http://127.0.0.1:8081/v1/messages -H 'x-api-key: k' -H 'anthropic-version: 2023-06-01' \\
                -d '{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'

            Faults: --faults FILE loads rules (YAML or JSON list; see docs/faults.md), and the \
            control API changes them while it runs:
              curl -X PUT http://127.0.0.1:11434/__lab/faults -d '[{"when":{"first":2},"fault":{"status":503}}]'
              curl http://127.0.0.1:11434/__lab/journal

            Browsers and proxies: like Ollama, it answers a request whose Origin is not allowed \
            with a bare 403 (--origins or OLLAMA_ORIGINS adds origins); --host-check also refuses \
            Host headers that are not local, as an Ollama listening on 127.0.0.1 does:
              lab mock --host-check --origins 'chrome-extension://*'
              curl -i http://127.0.0.1:11434/api/tags -H 'Host: ollama.example.com'   # 403

            Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
            """)

    @Option(help: "Address to listen on (IPv4 or IPv6 literal).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (the chosen URL is printed).")
    var port = 11434

    @Option(help: "The API to speak: ollama, openai or anthropic.")
    var api: String = ProviderAPI.ollama.rawValue

    @Option(name: .customLong("model"), help: "A model to offer, e.g. llama3 or qwen2.5:0.5b (repeatable; default llama3, or the vendor's: gpt-4o-mini and text-embedding-3-small, claude-sonnet-4-6 and claude-haiku-4-5).")
    var models: [String] = []

    @Option(help: "Seed for the generated text and embeddings.")
    var seed: UInt64 = 0

    @Option(name: .customLong("answer"), help: "A canned answer 'PATTERN=TEXT': prompts matching the regular expression PATTERN (case-insensitive) get TEXT (repeatable).")
    var answers: [String] = []

    @Option(name: .customLong("ttft-ms"), help: "Milliseconds before the first token.")
    var ttftMs = 0

    @Option(name: .customLong("tokens-per-second"), help: "Token rate after the first token (default: no delay).")
    var tokensPerSecond: Double?

    @Option(name: .customLong("load-ms"), help: "Milliseconds a model takes to load when it is not in memory: before its first answer, and again once its keep-alive has run out (see --keep-alive), as Ollama's load_duration; 0 loads at once.")
    var loadMs = 0

    @Option(name: .customLong("keep-alive"), help: ArgumentHelp("How long a model stays in memory after its last answer unless a request's keep_alive says otherwise, as OLLAMA_KEEP_ALIVE sets it (which is the default; Ollama's own default is 5m): a duration such as 10m or 24h, or whole seconds; negative keeps models for ever, 0 unloads them after each answer. With --load-ms, a request after that loads the model again.", valueName: "duration"))
    var keepAlive: String?

    @Option(name: .customLong("time-scale"), help: "Multiplies every delay (0.01 runs 100x faster).")
    var timeScale = 1.0

    @Option(name: .customLong("capabilities"), help: "MODEL=CAP,CAP… overrides a model's capabilities (completion, tools, thinking, vision, embedding, insert); e.g. llama3=completion,tools.")
    var capabilities: [String] = []

    @Option(name: .customLong("context-length"), help: "Every model's context window in tokens (default 8192; 2048 for embedding models).")
    var contextLength: Int?

    @Option(name: .customLong("context-overflow"), help: "A prompt longer than the window: truncate (Ollama's default; a request with truncate: false still gets the 400) or error (always the 400).")
    var contextOverflow: String = ContextOverflow.truncate.rawValue

    @Option(help: "A YAML or JSON file with a list of fault rules.")
    var faults: String?

    @Option(name: .customLong("control-token"), help: "Token the control API (/__lab/) requires; without one it answers loopback clients only.")
    var controlToken: String?

    @Option(name: .customLong("journal-limit"), help: "Requests the journal keeps (the oldest tenth goes when it is full), so a long-running mock's memory stays bounded.")
    var journalLimit = 100_000

    @Option(help: ArgumentHelp("Origins browsers may call from, besides Ollama's own (localhost, 127.0.0.1, 0.0.0.0 on any port; app, file, tauri and vscode pages), comma-separated as in OLLAMA_ORIGINS, which is the default: e.g. 'chrome-extension://*,https://chat.example.com'. Any other Origin gets Ollama's bare 403.", valueName: "list"))
    var origins: String?

    @Flag(name: .customLong("host-check"), help: "Refuse Host headers as an Ollama bound to a loopback address does: 403 unless the host is a loopback, private or this machine's address, localhost, this machine's name, or ends in .localhost, .local or .internal (the 403 a proxy that passes its own Host gets).")
    var hostCheck = false

    @Option(help: ArgumentHelp("Answers each model generates at once, as OLLAMA_NUM_PARALLEL sets (which is the default; Ollama's own is 1): the others wait in arrival order for a slot, and a hung one holds its slot until its client leaves. Without either: no limit.", valueName: "n"))
    var parallel: Int?

    @Option(name: .customLong("max-loaded-models"), help: ArgumentHelp("Models that fit in memory at once, as OLLAMA_MAX_LOADED_MODELS (the default) or the GPU's memory allow: a request for another model first waits until the one with the shortest keep-alive (an idle one first) has finished its answers and left, and every request waits meanwhile, as Ollama's scheduler does. Without either, or with 0: no limit.", valueName: "n"))
    var maxLoadedModels: Int?

    @Option(name: .customLong("max-queue"), help: ArgumentHelp("Requests that may wait while Ollama's scheduler makes room for a model (see --max-loaded-models), as OLLAMA_MAX_QUEUE sets; the next one gets Ollama's 503 \"server busy, please try again.  maximum pending requests exceeded\". Default: OLLAMA_MAX_QUEUE, else 512 as in Ollama.", valueName: "n"))
    var maxQueue: Int?

    @Flag(help: "Do not log each request.")
    var quiet = false

    /// The variables an Ollama would read; the flags above win over them.
    var environment: OllamaEnvironment { OllamaEnvironment(ProcessInfo.processInfo.environment) }

    /// `--origins`, or `OLLAMA_ORIGINS`, read as Ollama reads the variable: spaces and
    /// quotes around the whole trimmed, then split on commas (entries are not trimmed).
    var originList: [String] {
        guard let origins else { return environment.origins }
        return OllamaEnvironment(["OLLAMA_ORIGINS": origins]).origins
    }

    /// The `--api` vendor, as messages name it.
    private var vendor: String { ProviderAPI(rawValue: api)?.vendor ?? api }

    func validate() throws {
        try checkSeed(seed)
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        if controlToken == "" { throw ValidationError("--control-token is empty, which anyone can send; give a real secret") }
        try checkTimeScale(timeScale)
        if let tps = tokensPerSecond, !Pacing.tokensPerSecondRange.contains(tps) {
            throw ValidationError("--tokens-per-second must be from 0.001 to 1000000, got \(tps)")
        }
        guard (0...ConfigReader.maxMs).contains(ttftMs) else { throw ValidationError("--ttft-ms must be from 0 to \(ConfigReader.maxMs) (ten years), got \(ttftMs)") }
        guard (0...ConfigReader.maxMs).contains(loadMs) else { throw ValidationError("--load-ms must be from 0 to \(ConfigReader.maxMs) (ten years), got \(loadMs)") }
        if loadMs > 0, api != ProviderAPI.ollama.rawValue { throw ValidationError("--load-ms is an Ollama model's load; the fake \(vendor) answers at once") }
        guard journalLimit >= 100 else { throw ValidationError("--journal-limit must be at least 100, got \(journalLimit)") }
        guard ProviderAPI(rawValue: api) != nil else {
            throw ValidationError("--api must be \(ProviderAPI.allCases.map(\.rawValue).joined(separator: ", ")), got \(api)")
        }
        if let n = contextLength, n < 1 { throw ValidationError("--context-length must be at least 1 token, got \(n)") }
        guard ContextOverflow(rawValue: contextOverflow) != nil else {
            throw ValidationError("--context-overflow must be \(ContextOverflow.allCases.map(\.rawValue).joined(separator: " or ")), got \(contextOverflow)")
        }
        for model in models where ModelName(model) == nil {
            throw ValidationError("--model '\(model)' is not a valid Ollama model name ([namespace/]model[:tag], letters, digits, '_', '.', '-')")
        }
        if let text = keepAlive, GoDuration.serverKeepAlive(text) == nil {
            throw ValidationError("--keep-alive must be \(GoDuration.keepAliveForms); got '\(text)'")
        }
        if api != ProviderAPI.ollama.rawValue, keepAlive != nil {
            throw ValidationError("--keep-alive is how long Ollama keeps a model in memory; the fake \(vendor) loads none")
        }
        if let n = parallel, n < 1 { throw ValidationError("--parallel must be at least 1, got \(n)") }
        if let n = maxLoadedModels, n < 1 { throw ValidationError("--max-loaded-models must be at least 1, got \(n)") }
        if let n = maxQueue, n < 0 { throw ValidationError("--max-queue must not be negative, got \(n)") }
        if api != ProviderAPI.ollama.rawValue, maxQueue != nil {
            throw ValidationError("--max-queue is the queue of Ollama's scheduler; the fake \(vendor) has none")
        }
        if api != ProviderAPI.ollama.rawValue, maxLoadedModels != nil {
            throw ValidationError("--max-loaded-models is how many models Ollama keeps in memory; the fake \(vendor) loads none")
        }
        if api != ProviderAPI.ollama.rawValue, parallel != nil {
            throw ValidationError("--parallel sets Ollama's generation slots; the fake \(vendor) has none")
        }
        if api != ProviderAPI.ollama.rawValue, origins != nil || hostCheck {
            throw ValidationError("--origins and --host-check are Ollama's checks; the fake \(vendor) makes neither")
        }
        if api == ProviderAPI.ollama.rawValue {
            do {
                _ = try AccessPolicy(extraOrigins: originList)
            } catch {
                throw ValidationError("\(origins == nil ? "OLLAMA_ORIGINS" : "--origins"): \(error) (Ollama refuses to start with it too)")
            }
        }
        for answer in answers where !answer.contains("=") {
            throw ValidationError("--answer '\(answer)' must look like PATTERN=TEXT")
        }
    }

    /// A variable's value; one Ollama would ignore is ignored here too, with a warning.
    static func read(_ name: String, _ reading: OllamaEnvironment.Reading<Int>, flag: String, expected: String = "a whole number") -> Int? {
        if case .ignored(let text) = reading {
            Console.err("warning: \(name) '\(text)' is not \(expected); Ollama ignores it, and so does this mock (\(flag)'s default applies)")
        }
        return reading.value
    }

    func run() throws {
        let canned = answers.map { answer -> CannedAnswer in
            let eq = answer.firstIndex(of: "=")!
            return CannedAnswer(pattern: String(answer[..<eq]), answer: String(answer[answer.index(after: eq)...]))
        }
        let options = MockOptions(
            models: models.isEmpty ? [ModelName("llama3")!] : models.compactMap(ModelName.init),
            seed: seed, cannedAnswers: canned,
            pacing: Pacing(timeToFirstTokenMs: ttftMs, tokensPerSecond: tokensPerSecond, loadMs: loadMs))
        var withCapabilities = options
        for entry in capabilities {
            guard let eq = entry.firstIndex(of: "="), let name = ModelName(String(entry[..<eq])) else {
                throw ValidationError("--capabilities takes MODEL=CAP,CAP…, got \(entry)")
            }
            var list: [Capability] = []
            for raw in entry[entry.index(after: eq)...].split(separator: ",") {
                guard let c = Capability(rawValue: raw.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown capability \(raw) in --capabilities (one of \(Capability.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                list.append(c)
            }
            withCapabilities.capabilities[name.key] = list
        }
        if let contextLength { for m in withCapabilities.models { withCapabilities.contextLengths[m.key] = contextLength } }
        withCapabilities.contextOverflow = ContextOverflow(rawValue: contextOverflow)!
        withCapabilities.origins = originList
        if hostCheck { withCapabilities.hostCheck = .current }
        // A fake Ollama takes what an Ollama started with the same environment would have.
        let env = api == ProviderAPI.ollama.rawValue ? environment : OllamaEnvironment([:])
        withCapabilities.maxLoadedModels = maxLoadedModels ?? Self.read("OLLAMA_MAX_LOADED_MODELS", env.maxLoadedModels, flag: "--max-loaded-models")
        withCapabilities.maxQueue = maxQueue ?? Self.read("OLLAMA_MAX_QUEUE", env.maxQueue, flag: "--max-queue") ?? withCapabilities.maxQueue
        withCapabilities.keepAlive = keepAlive.flatMap(GoDuration.serverKeepAlive)
            ?? Self.read("OLLAMA_KEEP_ALIVE", env.keepAlive, flag: "--keep-alive", expected: GoDuration.keepAliveForms) ?? withCapabilities.keepAlive
        let slots = parallel ?? Self.read("OLLAMA_NUM_PARALLEL", env.numParallel, flag: "--parallel")
        // What differs from Ollama's defaults, and where it came from: the environment is read
        // without being asked, so it is said.
        func from(_ flag: Any?, _ variable: String) -> String { flag != nil ? "" : " (\(variable))" }
        var settings: [String] = []
        if withCapabilities.keepAlive != GoDuration.fiveMinutes {
            settings.append("keep-alive \(GoDuration.words(withCapabilities.keepAlive))" + from(keepAlive, "OLLAMA_KEEP_ALIVE"))
        }
        if let slots { settings.append("\(slots) generation slot\(slots == 1 ? "" : "s") per model" + from(parallel, "OLLAMA_NUM_PARALLEL")) }
        if let n = withCapabilities.maxLoadedModels { settings.append("\(n) model\(n == 1 ? "" : "s") in memory at once" + from(maxLoadedModels, "OLLAMA_MAX_LOADED_MODELS")) }
        if withCapabilities.maxQueue != 512 { settings.append("a queue of \(withCapabilities.maxQueue)" + from(maxQueue, "OLLAMA_MAX_QUEUE")) }
        if loadMs > 0 { settings.append("loads take \(loadMs) ms") }
        let mock: any MockService
        // What the first line says: the fake's name and the models it answers to.
        let title: String, offered: [String]
        do {
            switch ProviderAPI(rawValue: api)! {
            case .ollama:
                let ollama = try MockOllama(options: withCapabilities)
                (mock, title, offered) = (ollama, "MockOllama", ollama.catalogue.models.map(\.name.description))
            case .openai:
                let ids = models.isEmpty ? FakeOpenAI.defaultModels : models
                (mock, title, offered) = (try FakeOpenAI(models: ids, options: withCapabilities), "Fake OpenAI", ids)
            case .anthropic:
                let ids = models.isEmpty ? FakeAnthropic.defaultModels : models
                (mock, title, offered) = (try FakeAnthropic(models: ids, options: withCapabilities), "Fake Anthropic", ids)
            }
        } catch {
            throw ValidationError("an --answer pattern is not a valid regular expression: \(error)")
        }
        var rules: [FaultRule] = []
        if let faults {
            do {
                rules = try FaultFile.load(faults)
            } catch {
                Console.err("error: \(error)")
                throw ExitCode(2)
            }
        }
        let loop = EventLoop(clock: .real(scale: timeScale))
        let server: FakeProvider
        do {
            server = try FakeProvider(name: "mock", loop: loop, mock: mock, rules: rules, seed: seed, host: host, port: port,
                                  controlToken: controlToken, journalLimit: journalLimit)
        } catch {
            Console.err("error: \(error)")
            throw startFailure(error)
        }
        server.slots = slots.map(GenerationSlots.init(count:))
        if !quiet { server.log = { Console.out("mock: \($0)") } }
        Console.out("\(title) listening on \(server.url) (models: \(offered.joined(separator: ", ")))")
        if !settings.isEmpty { Console.out("mock: as an Ollama with " + settings.joined(separator: ", ")) }
        if !rules.isEmpty { Console.out("mock: \(rules.count) fault rule(s) from \(faults ?? "")") }
        var signals: SignalWatcher?
        signals = SignalWatcher(loop: loop, signals: [SIGINT, SIGTERM]) { signum in
            Console.out("mock: stopping (signal \(signum))")
            server.shutdown()
            signals?.close()
        }
        loop.run()
        _ = signals
    }
}
