import LabCore
import LabHTTP

/// Answers the gateway gives before or instead of calling a provider, with the
/// real gateway's statuses and bodies.
enum GatewayFailure: Error {
    /// 400 `{"status":"failure","message":…}`.
    case badRequest(String)
    /// 400 `{"status":"failure","message":"Invalid config passed","errors":[…]}`.
    case invalidConfig([String])
    /// A gateway exception: no fallback, only `x-portkey-gateway-exception: true`.
    case exception(status: Int, message: String)

    var status: Int {
        switch self {
        case .badRequest, .invalidConfig: return 400
        case .exception(let status, _): return status
        }
    }

    var body: JSONValue {
        switch self {
        case .badRequest(let message):
            return ["status": "failure", "message": .string(message)]
        case .invalidConfig(let errors):
            return ["status": "failure", "message": "Invalid config passed", "errors": .array(errors.map { .string($0) })]
        case .exception(_, let message):
            return ["status": "failure", "message": .string(message)]
        }
    }

    var response: UpstreamResult {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if case .exception = self { headers.add("x-portkey-gateway-exception", "true") }
        return UpstreamResult(status: status, headers: headers, body: body.compactBytes, gatewayException: { if case .exception = self { return true } else { return false } }())
    }
}
