import Testing
@testable import ProviderHost

/// Ollama's generation slots without sockets: who starts when, and who leaves the queue.
@Suite struct GenerationSlotsTests {
    final class Answer {}

    @Test func answersBeyondTheSlotsWaitInArrivalOrder() {
        let slots = GenerationSlots(count: 2)
        var started: [Int] = [], queued: [Int] = []
        let answers = (0..<5).map { _ in Answer() }
        func end(_ i: Int) { slots.ended(ObjectIdentifier(answers[i]), model: "llama3:latest") }
        for (i, a) in answers.enumerated() {
            slots.run(ObjectIdentifier(a), model: "llama3:latest") { waited in
                started.append(i)
                if waited { queued.append(i) }
            }
        }
        #expect(started == [0, 1] && slots.generating == 2 && slots.queued == 3)
        end(1)
        #expect(started == [0, 1, 2] && slots.generating == 2 && slots.queued == 2)
        // A client that leaves while waiting leaves the queue; it never starts.
        end(3)
        #expect(slots.queued == 1 && slots.generating == 2)
        end(0)
        #expect(started == [0, 1, 2, 4] && slots.queued == 0)
        // Only those that found no free slot are told they waited.
        #expect(queued == [2, 4])
        end(2)
        end(4)
        #expect(slots.generating == 0)
        // Free slots again start answers at once.
        let late = Answer()
        slots.run(ObjectIdentifier(late), model: "llama3:latest") { waited in
            started.append(9)
            if waited { queued.append(9) }
        }
        #expect(started.last == 9 && slots.generating == 1 && queued == [2, 4])
    }

    /// Each loaded model has its own runner and its own slots: one model's queue does not
    /// hold back another's answers, and an end frees a place only in its own model's queue.
    @Test func eachModelHasItsOwnSlots() {
        let slots = GenerationSlots(count: 1)
        var started: [String] = []
        let big = (0..<2).map { _ in Answer() }, small = (0..<2).map { _ in Answer() }
        slots.run(ObjectIdentifier(big[0]), model: "llama3:70b") { _ in started.append("70b#0") }
        slots.run(ObjectIdentifier(big[1]), model: "llama3:70b") { _ in started.append("70b#1") }
        slots.run(ObjectIdentifier(small[0]), model: "llama3:8b") { _ in started.append("8b#0") }
        slots.run(ObjectIdentifier(small[1]), model: "llama3:8b") { _ in started.append("8b#1") }
        #expect(started == ["70b#0", "8b#0"] && slots.generating == 2 && slots.queued == 2)
        slots.ended(ObjectIdentifier(small[0]), model: "llama3:8b")
        #expect(started == ["70b#0", "8b#0", "8b#1"] && slots.queued == 1)
        slots.ended(ObjectIdentifier(small[1]), model: "llama3:8b")
        #expect(started.count == 3 && slots.generating == 1 && slots.queued == 1)
        slots.ended(ObjectIdentifier(big[0]), model: "llama3:70b")
        #expect(started.last == "70b#1" && slots.generating == 1 && slots.queued == 0)
        slots.ended(ObjectIdentifier(big[1]), model: "llama3:70b")
        #expect(slots.generating == 0)
    }
}
