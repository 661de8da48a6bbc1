/// Reason phrases for status lines.
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Request Entity Too Large"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 529: return "Site Overloaded"
        default: return "Status \(status)"
        }
    }

    /// `HTTP/1.1 200 OK\r\n`, made once per status from 100 to 599.
    static func statusLine(_ status: Int) -> [UInt8] {
        guard (100..<600).contains(status) else { return Array("HTTP/1.1 \(status) \(reason(status))\r\n".utf8) }
        return statusLines[status - 100]
    }

    private static let statusLines: [[UInt8]] = (100..<600).map { Array("HTTP/1.1 \($0) \(reason($0))\r\n".utf8) }
}
