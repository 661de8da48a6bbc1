import LabCore
import LabHTTP
import MockOllama

/// What the fake OpenAI and the fake Anthropic share: the mock model that writes the
/// answers (the same text, tool calls and structured output MockOllama gives), their
/// model list, their pacing, and the ids and times their answers carry.
final class VendorModel {
    let models: [String]
    let options: MockOptions
    let model: MockOllama
    /// Answers so far, for ids: deterministic, different for each answer.
    private var counter = 0

    init(models: [String], options: MockOptions) throws {
        self.models = models
        var inner = options
        inner.models = models.compactMap(ModelName.init)
        // Hosted APIs refuse a prompt that does not fit; they never cut it.
        inner.contextOverflow = .error
        self.options = inner
        model = try MockOllama(options: inner)
    }

    var clock: () -> WallTime {
        get { model.clock }
        set { model.clock = newValue }
    }

    func has(_ id: String) -> Bool { models.contains(id) }

    func pacing(_ id: String) -> Pacing { ModelName(id).map(options.pacing(for:)) ?? options.pacing }

    /// Seconds since 1970 now.
    var nowSeconds: Int { clock().seconds }

    /// `prefix` and 24 characters from the seeded generator, new for every call.
    func nextID(_ prefix: String) -> String {
        counter += 1
        var random = SeededRandom(seed: options.seed, key: "vendor-id\u{1}\(prefix)\u{1}\(counter)")
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<24).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    /// Context-window size of a model, for the vendors' own "too long" errors.
    func window(_ id: String) -> Int {
        model.catalogue.find(id)?.contextLength ?? 8192
    }

    static func json(_ value: JSONValue, status: Int = 200, headers: HTTPHeaders) -> WireScript {
        var h: HTTPHeaders = ["Content-Type": "application/json"]
        for (name, v) in headers.fields { h.add(name, v) }
        return WireScript.respond(status: status, headers: h, body: value.compactBytes)
    }

}

/// A fake vendor: its routes (`respond`) over the shared mock model (`core`).
protocol VendorService: MockService {
    var core: VendorModel { get }
    /// The answer to a request whose body is `body` when it is a JSON object.
    func respond(_ request: HTTPRequest, _ body: VendorBody?) -> WireScript
}

extension VendorService {
    public var clock: () -> WallTime {
        get { core.clock }
        set { core.clock = newValue }
    }

    public func answer(to request: HTTPRequest) -> (script: WireScript, model: String?) {
        let body = VendorBody(request)
        return (respond(request, body), body?.model)
    }
}
