import LabCore
import LabHTTP
@testable import FaultInjector

/// Rules as the control API receives them: for tests whose subject includes reading them.
func rules(_ json: String) throws -> [FaultRule] {
    try FaultRuleParser.parse(try JSONParser.parse(json))
}

/// One rule built directly, for tests of schedules and transforms (not of the parser).
func rule(_ when: any ScheduleCondition..., fault: any Fault) -> [FaultRule] {
    [FaultRule(name: "rule 1", when: when, faults: [fault])]
}

let chatRequest = HTTPRequest(method: "POST", target: "/api/chat", body: Array(#"{"model":"llama3"}"#.utf8))
let openAIRequest = HTTPRequest(method: "POST", target: "/v1/chat/completions", body: Array(#"{"model":"llama3"}"#.utf8))

/// A stream like MockOllama's: head, five NDJSON chunks, a final line, end.
let streamScript = WireScript(
    [.head(status: 200, headers: ["Content-Type": "application/x-ndjson"])]
        + (1...5).map { WireStep.body(Array(#"{"message":{"content":"t\#($0)"},"done":false}\#n"#.utf8)) }
        + [.body(Array(#"{"done":true}\#n"#.utf8)), .end])

let okScript = WireScript.respond(status: 200, contentType: "application/json", body: #"{"ok":true}"#)

extension FaultInjector {
    func statuses(_ n: Int, request: HTTPRequest = chatRequest, script: WireScript = okScript) -> [Int?] {
        (0..<n).map { _ in decide(request, model: "llama3", nowMs: 0, script: script).script.status }
    }
}
