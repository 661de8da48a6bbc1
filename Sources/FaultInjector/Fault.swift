import LabCore
import LabHTTP

/// One kind of misbehaviour: a pure transform of the wire script a provider would
/// send. A kind also reads itself from a rule's `fault:` (`FaultKind`), so adding one is
/// one file with both (the build lists it in `FaultCatalogue`).
public protocol Fault: Sendable {
    /// When several faults are combined in one rule they apply in this order:
    /// replacements (status, hang, connection) first, then stream and rate shaping,
    /// then delays before the first byte.
    var order: Int { get }
    /// The transform for one request, as a pass over the script's steps. What it draws
    /// from `context` it draws here, when the rule fires, never while the script is sent.
    func filter(_ context: inout FaultContext) -> any StepFilter
}

extension Fault {
    /// The fault applied to a whole script at once.
    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        script.filteredAtOnce(by: [filter(&context)])
    }
}

/// A fault as it is written: the keys of `fault:` it owns and how it reads them.
public protocol FaultKind: Fault {
    /// Its keys in a rule's `fault:` object, dotted below a group (`stream.cut_after_chunks`).
    static var keys: [String] { get }
    /// Its faults in a `fault:` object: none when its keys are absent.
    static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault]
}

/// What a fault may look at and draw from while it transforms a script.
public struct FaultContext {
    public let request: HTTPRequest
    /// The lab's seeded generator; every draw is recorded for the journal.
    public var random: SeededRandom
    public private(set) var draws: [Double] = []
    /// Set by a schedule that knows when requests pass again (a quota's window): lab
    /// milliseconds until then, for Retry-After.
    public var retryAfterMs: Int?

    /// The API the provider speaks.
    public let api: ProviderAPI

    public init(request: HTTPRequest, random: SeededRandom, api: ProviderAPI = .ollama) {
        self.request = request
        self.random = random
        self.api = api
    }

    public mutating func draw() -> Double {
        let u = random.unit()
        draws.append(u)
        return u
    }

    public mutating func normal() -> Double {
        let n = random.normal()
        draws.append(n)
        return n
    }

    /// Which API surface the request used, for provider-shaped error bodies.
    public var surface: ErrorSurface {
        switch api {
        case .openai: return .openAI
        case .anthropic: return .anthropic
        case .ollama:
            let path = request.path
            if path.hasPrefix("/v1/") { return .ollamaOpenAI }
            if path.hasPrefix("/api/") { return .native }
            return .plain
        }
    }
}

extension WireScript {
    /// `text` as one more piece of this stream, framed like `sample` (a chunk of it): an
    /// SSE `data:` event, a named event (`event: X` then `data:`, as Anthropic's), or an
    /// NDJSON line.
    static func line(_ text: String, framedLike sample: [UInt8]) -> WireStep {
        if sample.starts(with: Array("event: ".utf8)) {
            // Named events carry the text of a stream in content_block_delta.
            return .body(Array("event: content_block_delta\ndata: \(text)\n\n".utf8))
        }
        let isEvent = sample.starts(with: Array("data: ".utf8))
        return .body(Array((isEvent ? "data: \(text)\n\n" : "\(text)\n").utf8))
    }
}

extension WireStep {
    /// A head without its Content-Length: a transformed body has another length.
    var withoutContentLength: WireStep {
        guard case .head(let status, var headers) = self, headers.contains("Content-Length") else { return self }
        headers.remove("Content-Length")
        return .head(status: status, headers: headers)
    }
}
