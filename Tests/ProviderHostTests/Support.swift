import LabCore
import FaultInjector
import LabHTTP

/// Rules as a provider's control API and lab.conf receive them: JSON.
func rules(_ json: String) throws -> [FaultRule] {
    try FaultRuleParser.parse(try JSONParser.parse(json))
}

let chatRequest = HTTPRequest(method: "POST", target: "/api/chat", body: Array(#"{"model":"llama3"}"#.utf8))
