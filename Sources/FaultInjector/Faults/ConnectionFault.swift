import LabCore
import LabHTTP

/// Where a connection fault strikes.
public enum CutPoint: Sendable, Equatable {
    case beforeHeaders
    case afterHeaders
    case afterBytes(Int)
    case afterChunks(Int)
}

/// `{"reset": "before_headers"}`, `{"reset": "after_headers"}`, `{"reset": {"after_bytes": 100}}`,
/// `{"reset": {"after_chunks": 3}}`, and the same with `close` (FIN instead of RST).
/// `{"close": "before_headers"}` is a close with no response at all.
public struct ConnectionFault: FaultKind {
    public enum Ending: String, Sendable { case reset, close }

    public var ending: Ending
    public var point: CutPoint
    public let order = 10

    public init(_ ending: Ending, at point: CutPoint) {
        self.ending = ending
        self.point = point
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        let last: WireStep = ending == .reset ? .reset : .close
        return WireScript(ScriptCut.prefix(of: script, at: point) + [last])
    }
}

/// Cutting a script at a point of its body, shared by connection and stream faults.
enum ScriptCut {
    /// The steps up to the cut point, without the end. A body step that straddles
    /// a byte cut is split.
    static func prefix(of script: WireScript, at point: CutPoint) -> [WireStep] {
        switch point {
        case .beforeHeaders:
            return []
        case .afterHeaders:
            guard let head = script.headIndex else { return [] }
            return Array(script.steps[...head])
        case .afterChunks(let n):
            let bodies = script.bodyIndexes
            guard let head = script.headIndex else { return [] }
            let stop = n <= 0 ? head : (n <= bodies.count ? bodies[n - 1] : script.steps.count - 1)
            return script.steps[...stop].filter { $0 != .end }
        case .afterBytes(let n):
            var out: [WireStep] = []
            var sent = 0
            var sawHead = false
            for step in script.steps {
                switch step {
                case .head:
                    sawHead = true
                    out.append(step)
                case .body(let bytes) where sawHead:
                    if sent + bytes.count >= n {
                        if n - sent > 0 { out.append(.body(Array(bytes.prefix(n - sent)))) }
                        return out
                    }
                    sent += bytes.count
                    out.append(step)
                case .end:
                    return out
                default:
                    out.append(step)
                }
            }
            return out
        }
    }
}

extension ConnectionFault {
    public static let keys = ["reset", "close"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        var out: [any Fault] = []
        for ending in [Ending.reset, .close] {
            if let v = fault[ending.rawValue] { out.append(ConnectionFault(ending, at: try cutPoint(v, "fault.\(ending.rawValue)", r))) }
        }
        return out
    }

    static func cutPoint(_ v: JSONValue, _ field: String, _ r: ConfigReader) throws(ConfigError) -> CutPoint {
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
}
