import Testing
@testable import ProviderHost

/// Ollama's generation slots without sockets: who starts when, and who leaves the queue.
@Suite struct GenerationSlotsTests {
    final class Answer {}

    @Test func answersBeyondTheSlotsWaitInArrivalOrder() {
        let slots = GenerationSlots(count: 2)
        var started: [Int] = []
        let answers = (0..<5).map { _ in Answer() }
        for (i, a) in answers.enumerated() { slots.run(ObjectIdentifier(a)) { started.append(i) } }
        #expect(started == [0, 1] && slots.generating == 2 && slots.queued == 3)
        slots.ended(ObjectIdentifier(answers[1]))
        #expect(started == [0, 1, 2] && slots.generating == 2 && slots.queued == 2)
        // A client that leaves while waiting leaves the queue; it never starts.
        slots.ended(ObjectIdentifier(answers[3]))
        #expect(slots.queued == 1 && slots.generating == 2)
        slots.ended(ObjectIdentifier(answers[0]))
        #expect(started == [0, 1, 2, 4] && slots.queued == 0)
        slots.ended(ObjectIdentifier(answers[2]))
        slots.ended(ObjectIdentifier(answers[4]))
        #expect(slots.generating == 0)
        // Free slots again start answers at once.
        let late = Answer()
        slots.run(ObjectIdentifier(late)) { started.append(9) }
        #expect(started.last == 9 && slots.generating == 1)
    }
}
