import LabCore
import Testing
@testable import MockOllama

/// A body sent again skips decoding (and its transcript is made once): never at the cost of answering another body, another
/// endpoint or a refused body as if it were the one seen before.
@Suite struct RecentBodiesTests {
    static let france = #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"What is the capital of France?"}]}"#
    /// The same length as `france`, one byte apart.
    static let franck = #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"What is the capital of Franck?"}]}"#

    func mock() -> MockOllama {
        makeMock(MockOptions(models: [ModelName("llama3")!], cannedAnswers: [CannedAnswer(pattern: "capital of France", answer: "Paris.")]))
    }

    @Test func aBodySentAgainIsDecodedTwiceThenNoMoreAndAnsweredAlike() {
        let m = mock()
        let answers = (0..<3).map { _ in m.call("POST", "/api/chat", Self.france) }
        #expect(answers[0].json["message"]?["content"] == "Paris.")
        #expect(answers[1].text == answers[0].text && answers[2].text == answers[0].text)
        // Kept decoded the second time, found the third.
        #expect(m.recentBodies.hits == 1)
        // One byte apart is another body.
        for _ in 0..<3 {
            let other = m.call("POST", "/api/chat", Self.franck)
            #expect(other.status == 200 && other.json["message"]?["content"] != "Paris.")
        }
        #expect(m.recentBodies.hits == 2)
        #expect(m.call("POST", "/api/chat", Self.france).json["message"]?["content"] == "Paris.")
        #expect(m.recentBodies.hits == 3)
        // The same bytes to another endpoint are decoded as that endpoint's request.
        for _ in 0..<3 {
            let v1 = m.call("POST", "/v1/chat/completions", Self.france)
            #expect(v1.json["choices"]?[0]?["message"]?["content"] == "Paris." && v1.json["message"] == nil)
        }
        #expect(m.recentBodies.hits == 4)
    }

    @Test func refusedAndLargeBodiesAreDecodedEveryTime() {
        let m = mock()
        for _ in 0..<3 {
            #expect(m.call("POST", "/api/chat", #"{"model":5}"#).json["error"] == "json: cannot unmarshal number into Go struct field ChatRequest.model of type string")
        }
        let long = String(repeating: "x", count: RecentBodies.maxBytes)
        let large = #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"\#(long)"}]}"#
        for _ in 0..<3 { #expect(m.call("POST", "/api/chat", large).status == 200) }
        #expect(m.recentBodies.hits == 0)
    }

    /// The transcript is reused only for the very array it was made from: an array changed
    /// after it (in place, as a unique array would be) or equal to it gets its own.
    @Test func aTranscriptIsReusedOnlyForTheSameMessages() {
        let m = mock()
        var messages = [ChatMessage(role: "user", content: "first")]
        #expect(m.transcript(of: messages).transcript.text == "user: first")
        messages[0] = ChatMessage(role: "user", content: "other")
        #expect(m.transcript(of: messages).transcript.text == "user: other")
        #expect(m.transcript(of: messages).transcript.tokens == Conversation(messages: messages).tokens)
        messages.append(ChatMessage(role: "assistant", content: "reply"))
        #expect(m.transcript(of: messages).transcript.text == "user: other\nassistant: reply")
        #expect(m.transcript(of: [ChatMessage(role: "user", content: "first")]).transcript.lastUser == "first")
    }

    /// A repeated body's plain answer is made once and given again, and only to the same
    /// messages: another body, itself repeated, gets its own answer every time.
    @Test func aPlainAnswerIsGivenAgainOnlyForTheSameMessages() throws {
        let m = makeMock(MockOptions(models: [ModelName("llama3")!], cannedAnswers: [
            CannedAnswer(pattern: "capital of France", answer: "Paris."), CannedAnswer(pattern: "capital of Germany", answer: "Berlin."),
        ]))
        func ask(_ country: String) -> String {
            #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"What is the capital of \#(country)?"}]}"#
        }
        func content(_ country: String) throws -> String? {
            let r = m.call("POST", "/api/chat", ask(country))
            return try JSONParser.parse(r.body)["message"]?["content"]?.stringValue
        }
        for _ in 0..<3 { #expect(try content("France") == "Paris.") }
        for _ in 0..<3 { #expect(try content("Germany") == "Berlin.") }
        for _ in 0..<2 { #expect(try content("France") == "Paris.") }
        #expect(m.lastTranscript?.plainReply?.reply.text == "Paris.")
    }

    @Test func theOldestBodyMakesRoomForANewOne() {
        let m = mock()
        func ask(_ i: Int) -> String { #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"question \#(i)"}]}"# }
        for i in 0...RecentBodies.capacity { #expect(m.call("POST", "/api/chat", ask(i)).status == 200) }
        // The newest is still kept (decoded now, found next time); the first made room for it.
        for _ in 0..<2 { #expect(m.call("POST", "/api/chat", ask(RecentBodies.capacity)).status == 200) }
        #expect(m.recentBodies.hits == 1)
        for _ in 0..<2 { #expect(m.call("POST", "/api/chat", ask(0)).status == 200) }
        #expect(m.recentBodies.hits == 1)
    }
}
