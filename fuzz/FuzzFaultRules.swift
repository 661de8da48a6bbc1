// libFuzzer target: fault-rule parsing, and applying whatever rules it accepts.
import LabCore
import LabHTTP
import FaultInjector

let sampleScript = WireScript(
    [.head(status: 200, headers: ["Content-Type": "application/x-ndjson"])]
        + (1...4).map { _ in WireStep.body(Array(#"{"done":false}\#n"#.utf8)) } + [.end])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFaultRules(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let value = try? JSONParser.parse(Array(UnsafeRawBufferPointer(start: start, count: count))),
        let rules = try? FaultRuleParser.parse(value)
    else { return 0 }
    let injector = FaultInjector(rules: rules, seed: 7)
    for path in ["/api/chat", "/v1/chat/completions", "/"] {
        let request = HTTPRequest(method: "POST", target: path, headers: ["x-team": "blue"], body: Array(#"{"model":"llama3"}"#.utf8))
        for i in 0..<3 { _ = injector.decide(request, model: "llama3", nowMs: Double(i) * 100, script: sampleScript) }
    }
    return 0
}
