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
}

extension MockService {
    public func unloadModels() {}
}

extension MockOllama: MockService {
    public var api: ProviderAPI { .ollama }
}
