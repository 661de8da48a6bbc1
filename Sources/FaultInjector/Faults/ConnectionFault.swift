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

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        CutFilter(at: point, then: [ending == .reset ? .reset : .close])
    }
}

/// The script up to a point of its body, then `ending`: the connection, stream-cut,
/// stream-error and hang faults. Cut by chunks or at the head, a script without a head
/// keeps nothing; cut by bytes, it keeps what it has up to its end.
struct CutFilter: StepFilter {
    let point: CutPoint
    /// A Content-Length body cut short would be a framing error, not a cut stream.
    let removesContentLength: Bool
    let ending: [WireStep]
    private var beforeHead = BeforeHead()
    private var count = 0
    private(set) var isDone: Bool

    init(at point: CutPoint, removingContentLength: Bool = false, then ending: [WireStep]) {
        self.point = point
        removesContentLength = removingContentLength
        self.ending = ending
        isDone = point == .beforeHeaders
    }

    mutating func take(_ step: WireStep, into out: inout [WireStep]) {
        if case .afterBytes(let n) = point { return cutBytes(step, at: n, into: &out) }
        if !beforeHead.sawHead {
            if beforeHead.hold(step) { return }
            out += beforeHead.release()
            out.append(removesContentLength ? step.withoutContentLength : step)
            if case .afterChunks(let n) = point, n > 0 { return }
            isDone = true
            return
        }
        guard case .afterChunks(let n) = point, step != .end else { return }
        out.append(step)
        if case .body = step {
            count += 1
            if count >= n { isDone = true }
        }
    }

    private mutating func cutBytes(_ step: WireStep, at n: Int, into out: inout [WireStep]) {
        switch step {
        case .head:
            out.append(!beforeHead.sawHead && removesContentLength ? step.withoutContentLength : step)
            // Cut by bytes nothing is held: this only marks the head as seen.
            _ = beforeHead.hold(step)
        case .body(let bytes) where beforeHead.sawHead:
            if count + bytes.count >= n {
                if n - count > 0 { out.append(.body(Array(bytes.prefix(n - count)))) }
                isDone = true
            } else {
                count += bytes.count
                out.append(step)
            }
        case .end:
            isDone = true
        default:
            out.append(step)
        }
    }

    mutating func finish(into out: inout [WireStep]) {
        out += ending
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
