import LabCore
import LabHTTP
import FaultInjector
import MockOllama

/// A mock provider on the wire: a fake's answers (Ollama's, OpenAI's or Anthropic's)
/// passed through the fault rules, every request written to the journal, and the
/// control API under `/__lab/`.
public final class FakeProvider {
    public let name: String
    public let mock: any MockService
    public let faults: FaultInjector
    public let journal: Journal
    public let http: HTTPServer
    let loop: EventLoop
    let controlToken: String?
    /// Where this provider's lab time starts (moved by `resetClock`).
    public private(set) var originMs: Double
    private var upTimer: Timer?
    /// One line per finished request, for `lab mock`'s log.
    public var log: ((String) -> Void)?
    /// Generation slots, each model's own (`parallel` in lab.conf, `lab mock --parallel`):
    /// nil generates every answer at once.
    public var slots: GenerationSlots? {
        didSet { mock.answersMayWait(slots != nil) }
    }
    /// For `/metrics`: answers by route and status, and faults fired by rule.
    private var answered = MetricCounters()
    private var fired = MetricCounters()

    public init(name: String, loop: EventLoop, mock: any MockService, rules: [FaultRule] = [], seed: UInt64 = 0,
                host: String = "127.0.0.1", port: Int = 0, controlToken: String? = nil,
                journalLimit: Int = 100_000) throws {
        self.name = name
        journal = Journal(limit: journalLimit)
        self.loop = loop
        self.mock = mock
        self.controlToken = controlToken
        guard controlToken != "" else { throw ControlAPIError.emptyToken }
        guard controlToken != nil || ControlAccess.isLoopbackHost(host) else {
            throw ControlAPIError.tokenRequired(host: host)
        }
        faults = FaultInjector(rules: rules, seed: seed, provider: name, api: mock.api)
        originMs = loop.nowMs
        mock.clock = { [unowned loop] in
            let t = loop.calendarTime
            return WallTime(seconds: Int(t.seconds), nanos: Int(t.nanos))
        }
        http = try HTTPServer(loop: loop, host: host, port: port)
        http.handler = { [unowned self] request, responder in handle(request, responder) }
        // Requests the parser refused (431, 413, 408, 400) are journaled too: nothing a client sent goes unrecorded.
        http.onRejected = { [unowned self] responder, _ in
            let entry = journal.open(atMs: nowMs, request: responder.request, model: nil, decision: nil)
            responder.onFinish = { responder in entry.recordAnswer(responder) }
        }
    }

    public var url: String { http.url }
    public var port: Int { http.port }

    /// Lab milliseconds since start (or since the journal was last cleared).
    public var nowMs: Double { loop.nowMs - originMs }

    private func handle(_ request: HTTPRequest, _ responder: Responder) {
        if ControlAccess.isControl(request) {
            responder.send(control(request, peer: responder.peer))
            return
        }
        // Lengths first: a path of another length is not compared character by character.
        if request.path.utf8.count == 8, request.path == "/metrics", request.method == "GET" { return responder.send(metrics().script) }
        // The time its steps are counted from: an entry's `at_ms` plus a step's is when the
        // step happened, however long the work between reading and handling took.
        let arrivalMs = responder.receivedAtMs - originMs
        let (script, model) = mock.answer(to: request)
        // The model stays busy until the answer ends, whether sent, cut or abandoned.
        let ticket = mock.lastTicket
        let start = mock.lastAnswerStart
        let mock = self.mock
        let decision = faults.decide(request, model: model, nowMs: arrivalMs, script: script)
        // The wait for the model, when the answer sent still begins with it (a fault that
        // answers in its place does not wait).
        let modelWait = mock.lastModelWaitMs
        let waited = modelWait > 0 && decision.script.steps.first == .wait(ms: modelWait)
        let entry = journal.open(atMs: arrivalMs, request: request, model: model, decision: decision, modelWaitMs: waited ? modelWait : nil)
        if let rule = decision.ruleName { fired.add([("provider", name), ("rule", rule)]) }
        // A generation takes a slot for as long as it is sent, a hung one until its client
        // leaves; a refusal, a fault's status or a reset answers at once, as Ollama answers
        // what it refuses before scheduling.
        let slot = slots.flatMap { slots -> (slots: GenerationSlots, model: String)? in
            guard let generating = mock.lastGenerating, script.status == 200 else { return nil }
            let sent = decision.script
            return sent.status == 200 || (sent.status == nil && sent.reading.contains(.hang)) ? (slots, generating) : nil
        }
        // Strong: a provider lives while it owes an answer (the responder drops this closure
        // when it ends), and a weak reference would give it a side table, which makes every
        // retain and release of it take the slow path. It keeps only what the entry does not
        // hold (the request's path, model and rule are in it): each value it captures is
        // retained when it is made and released when it is dropped, on every request.
        responder.onFinish = { [self] responder in ended(responder, entry: entry, slot: slot, ticket: ticket, modelWaitMs: modelWait) }
        guard let slot else { return responder.send(decision.script) }
        let sent = decision.script
        slot.slots.run(ObjectIdentifier(responder), model: slot.model) { [weak self, weak responder] queued in
            guard let self, let responder else { return }
            let (script, lateMs) = Self.started(sent, waitedMs: queued ? nowMs - arrivalMs : 0, modelWaitMs: modelWait)
            start?.lateMs = lateMs
            if lateMs > 0 { entry.slotWaitMs = lateMs }
            responder.send(script)
        }
    }

    /// The answer to `entry`'s request has ended, sent or not: its record, its metrics, its
    /// log line, and its model and generation slot freed.
    private func ended(_ responder: Responder, entry: JournalEntry, slot: (slots: GenerationSlots, model: String)?, ticket: Int?, modelWaitMs: Int) {
        if let slot, slot.slots.ended(ObjectIdentifier(responder), model: slot.model) {
            // Its client left while it still waited for a slot.
            let late = Self.lateness(waitedMs: nowMs - entry.atMs, modelWaitMs: modelWaitMs)
            if late > 0 { entry.slotWaitMs = late }
        }
        if let ticket { mock.answerEnded(ticket) }
        entry.recordAnswer(responder)
        // Unknown paths share one label: a client cannot grow the series without bound.
        answered.add(("provider", "route", "status"),
                     (name, responder.sentStatus == 404 ? "other" : entry.path, responder.sentStatus.map(HTTPStatus.code) ?? JournalEntry.name(responder.outcome)))
        guard let log else { return }
        var line = RequestLogLine.format(responder, model: entry.model)
        if let rule = entry.ruleNumber { line += " rule=\(rule)" }
        // What the answer waited for: its model (a load, room for it) and a generation slot.
        if let wait = entry.modelWaitMs { line += " model_wait=\(wait)ms" }
        if let wait = entry.slotWaitMs { line += " slot_wait=\(wait)ms" }
        log(line)
    }

    /// An answer as it starts after waiting `waitedMs` for a generation slot, and how late it
    /// starts. The wait for its model it begins with (a load) went on meanwhile: only what is
    /// left of it remains, and the answer starts late by the rest — which its times count
    /// (`AnswerStart`), as Ollama's runner takes a request only once its model is loaded.
    static func started(_ script: WireScript, waitedMs: Double, modelWaitMs: Int) -> (script: WireScript, lateMs: Int) {
        let waited = Int(waitedMs.rounded())
        guard waited > 0 else { return (script, 0) }
        let late = lateness(waitedMs: waitedMs, modelWaitMs: modelWaitMs)
        guard modelWaitMs > 0, script.steps.first == .wait(ms: modelWaitMs) else { return (script, late) }
        let left = modelWaitMs - waited
        return (WireScript((left > 0 ? [.wait(ms: left)] : []) + script.steps.dropFirst()), late)
    }

    /// How much of a wait for a slot came after the wait for the model.
    static func lateness(waitedMs: Double, modelWaitMs: Int) -> Int {
        max(0, Int(waitedMs.rounded()) - modelWaitMs)
    }



    /// Stops accepting connections (clients see "connection refused") and closes the open
    /// ones, kept-alive included, as a process that dies would; with `forMs`, comes back by
    /// itself after that much lab time.
    public func goDown(forMs: Int? = nil) {
        http.stopListening()
        http.dropConnections()
        upTimer?.close()
        upTimer = nil
        if let forMs {
            upTimer = loop.after(ms: Double(max(0, forMs))) { [weak self] in
                self?.upTimer = nil
                try? self?.comeUp()
            }
        }
    }

    public func comeUp() throws {
        upTimer?.close()
        upTimer = nil
        try http.resumeListening()
    }

    public var isUp: Bool { http.isListening }

    public func resetClock() {
        originMs = loop.nowMs
    }

    public func shutdown() {
        upTimer?.close()
        http.shutdown()
    }
}

public enum ControlAPIError: Error, CustomStringConvertible {
    case tokenRequired(host: String)
    case emptyToken

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            return "listening on \(host) would open the control API (/__lab/) beyond this machine; give --control-token TOKEN (clients then send x-lab-token), or listen on 127.0.0.1"
        case .emptyToken:
            return "the control token is empty, which anyone can send; give a real secret (e.g. --control-token \"$(openssl rand -hex 16)\")"
        }
    }
}

extension FakeProvider {
    /// `/metrics` in Prometheus's text format: what a dashboard beside the real gateway's wants.
    func metrics() -> PrometheusText {
        var m = PrometheusText()
        m.family("lab_provider_requests_total", "counter", "Requests answered, by route and status (or how the answer ended).", answered.samples)
        m.family("lab_provider_faults_fired_total", "counter", "Requests a fault rule changed, by rule.", fired.samples)
        m.gauge("lab_provider_journal_entries", "Requests the journal holds now.", Double(journal.entries.count), [("provider", name)])
        m.gauge("lab_open_connections", "Connections open now.", Double(http.openConnections), [("server", name)])
        m.gauge("lab_provider_up", "1 while the provider accepts connections.", isUp ? 1 : 0, [("provider", name)])
        if let memory = mock.modelMemory {
            m.family("lab_provider_model_loads_total", "counter", "Times each model loaded (again after its keep-alive ran out, or after leaving to make room).",
                     memory.loads.map { ([("provider", name), ("model", $0.model)], Double($0.loads)) })
            m.gauge("lab_provider_models_in_memory", "Models in memory now, loading ones included.", Double(memory.inMemory), [("provider", name)])
        }
        if let slots {
            m.gauge("lab_provider_generating", "Answers generating now, at most the generation slots (--parallel).", Double(slots.generating), [("provider", name)])
            m.gauge("lab_provider_queued", "Answers waiting for a generation slot.", Double(slots.queued), [("provider", name)])
        }
        return m
    }
}
