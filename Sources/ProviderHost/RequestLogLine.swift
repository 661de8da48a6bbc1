import LabCore
import LabHTTP

/// `POST /api/chat 200 12.4ms 423B model=llama3 from 127.0.0.1:51234`
public enum RequestLogLine {
    /// `model` is the request's, as the mock read it from the body.
    public static func format(_ responder: Responder, model: String?) -> String {
        let request = responder.request
        let elapsed = responder.executed.last?.atMs ?? 0
        let bytes = responder.bodyBytes
        var line = "\(request.method) \(request.target) "
        switch responder.outcome {
        case .completed?, nil: line += responder.sentStatus.map(String.init) ?? "-"
        case .closed?: line += "\(responder.sentStatus.map(String.init) ?? "-") closed"
        case .reset?: line += "\(responder.sentStatus.map(String.init) ?? "-") reset"
        case .clientGone?: line += "\(responder.sentStatus.map(String.init) ?? "-") client-gone"
        }
        line += " \(formatMs(elapsed)) \(bytes)B"
        // The model is the client's text: escaped, so that it cannot act on the terminal.
        if let model { line += " model=\(model.terminalSafe)" }
        return line + " from \(responder.peer)"
    }

    static func formatMs(_ ms: Double) -> String {
        let tenths = Int((ms * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)ms"
    }
}
