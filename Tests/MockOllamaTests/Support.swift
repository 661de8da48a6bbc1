import LabCore
import LabHTTP
@testable import MockOllama

/// A script's response as a client would assemble it, without sockets.
struct Rendered {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var chunks: [[UInt8]]
    var script: WireScript

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var lines: [JSONValue] { text.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null } }
    /// The `data:` payloads of an event stream.
    var events: [String] {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { String($0.dropFirst("data: ".count)) }
    }
}

func render(_ script: WireScript) -> Rendered {
    let sent = script.sent
    return Rendered(status: sent.status, headers: sent.headers, body: sent.chunks.flatMap { $0 }, chunks: sent.chunks, script: script)
}

let fixedTime = WallTime(seconds: 1_795_000_000, nanos: 123_456_789)

func makeMock(_ options: MockOptions = MockOptions(models: [ModelName("llama3")!, ModelName("nomic-embed-text")!])) -> MockOllama {
    try! MockOllama(options: options, clock: { fixedTime })
}

extension MockOllama {
    /// One request answered, and ended at once (the clock's time), as a provider reports it.
    func call(_ method: String, _ path: String, _ body: String? = nil) -> Rendered {
        let (rendered, ticket) = open(method, path, body)
        if let ticket { answerEnded(ticket) }
        return rendered
    }

    /// One request answered and left under way: its model stays busy until `answerEnded`.
    func open(_ method: String, _ path: String, _ body: String? = nil) -> (Rendered, Int?) {
        let rendered = render(respond(to: HTTPRequest(method: method, target: path, body: body.map { Array($0.utf8) } ?? [])))
        return (rendered, lastTicket)
    }
}

import Foundation
