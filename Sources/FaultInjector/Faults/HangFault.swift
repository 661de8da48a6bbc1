import LabCore
import LabHTTP

/// `{"hang": true}`: read the request, never answer, until the client leaves.
/// `{"hang": "after_headers"}`: send the head, then silence.
public struct HangFault: FaultKind {
    public var afterHeaders: Bool
    public let order = 0

    public init(afterHeaders: Bool = false) { self.afterHeaders = afterHeaders }

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        CutFilter(at: afterHeaders ? .afterHeaders : .beforeHeaders, then: [.hang])
    }
}

extension HangFault {
    public static let keys = ["hang"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        switch fault["hang"] {
        case nil, .bool(false)?: return []
        case .bool(true)?: return [HangFault()]
        case .string("after_headers")?: return [HangFault(afterHeaders: true)]
        case let h?: throw r.fail("fault.hang", "expected true or \"after_headers\", got \(h)")
        }
    }
}
