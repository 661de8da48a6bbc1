import LabCore
import LabHTTP

/// The head fields of the last JSON answer: the next answer on the same surface and of the
/// same length shares them — no list made, no length written, nothing to free after it is
/// sent — as the answers to a client asking the same thing are the same size.
struct KeptJSONHead {
    private var surface: ErrorSurface?
    private var length = -1
    private var fields = HTTPHeaders()

    /// A 200 answer of these bytes.
    mutating func answer(_ surface: ErrorSurface, bytes: [UInt8]) -> WireScript {
        if bytes.count != length || surface != self.surface {
            fields = HTTPHeaders([("Content-Type", surface.jsonContentType), ("Content-Length", DecimalText.of(bytes.count))])
            (self.surface, length) = (surface, bytes.count)
        }
        return WireScript.respond(status: 200, lengthNamedIn: fields, body: bytes)
    }
}
