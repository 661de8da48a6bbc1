import LabCore
import LabHTTP

/// A fake provider's logic behind the wire: request in, wire script out. MockOllama
/// is one; the fake OpenAI and Anthropic (module MockVendors) are the others. A
/// `FakeProvider` puts any of them behind faults, a journal and the control API.
public protocol MockService: AnyObject {
    var api: ProviderAPI { get }
    /// Where `created` times come from; a provider sets its loop's calendar.
    var clock: () -> WallTime { get set }
    /// The answer to one request, and the model it asked for.
    func answer(to request: HTTPRequest) -> (script: WireScript, model: String?)
    /// Back to a fresh start between scenarios: no model in memory.
    func unloadModels()
    /// The answer `answer(to:)` gave last, when it keeps a model busy (a fake Ollama's):
    /// its end is to be reported with `answerEnded`.
    var lastTicket: Int? { get }
    /// The answer with this ticket has ended, however it ended.
    func answerEnded(_ ticket: Int)
    /// The model that generates the answer `answer(to:)` gave last, which waits for one of
    /// that model's generation slots; nil when nothing is generated (a refusal, a request
    /// that only loads a model) or the fake has no slots.
    var lastGenerating: String? { get }
    /// Whether answers may be held back for a generation slot (the provider has slots): the
    /// fake then writes their times when they are sent, from `lastAnswerStart`.
    func answersMayWait(_ may: Bool)
    /// Where the provider says how late the answer `answer(to:)` gave last started; nil
    /// unless answers may wait.
    var lastAnswerStart: AnswerStart? { get }
    /// How long the answer `answer(to:)` gave last waits for its model before anything
    /// leaves (a load, and room for it): Ollama's `load_duration`; 0 when none.
    var lastModelWaitMs: Int { get }
    /// For `/metrics`: how many times each model loaded, and how many are in memory now;
    /// nil for a fake that loads none.
    var modelMemory: (loads: [(model: String, loads: Int)], inMemory: Int)? { get }
}

extension MockService {
    public func unloadModels() {}
    public var lastTicket: Int? { nil }
    public func answerEnded(_ ticket: Int) {}
    public var lastGenerating: String? { nil }
    public func answersMayWait(_ may: Bool) {}
    public var lastAnswerStart: AnswerStart? { nil }
    public var lastModelWaitMs: Int { 0 }
    public var modelMemory: (loads: [(model: String, loads: Int)], inMemory: Int)? { nil }
}

extension MockOllama: MockService {
    public var api: ProviderAPI { .ollama }
    public var lastTicket: Int? { ticket }
    public var lastGenerating: String? { generating }
    public func answersMayWait(_ may: Bool) { answersWait = may }
    public var lastAnswerStart: AnswerStart? { start }
    public var lastModelWaitMs: Int { modelWaitMs }
    public var modelMemory: (loads: [(model: String, loads: Int)], inMemory: Int)? { (loadCounts, modelsInMemory) }
}
