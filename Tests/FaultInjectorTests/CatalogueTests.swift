@testable import FaultInjector
import Foundation
import Testing

/// The build lists fault kinds and schedules from their files: a new file is a new
/// kind, with no list to update by hand.
@Suite struct CatalogueTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/FaultInjector").standardized

    static func files(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(".swift".count)) }.sorted()
    }

    @Test func everyFaultFileIsAListedKind() {
        var listed: [String] = []
        for kind in FaultCatalogue.faults { listed.append(String(describing: kind)) }
        #expect(!Self.files("Faults").isEmpty)
        #expect(listed.sorted() == Self.files("Faults"))
    }

    @Test func everyScheduleFileIsAListedCondition() {
        var listed: [String] = []
        for condition in FaultCatalogue.schedules { listed.append(String(describing: condition)) }
        #expect(!Self.files("Schedules").isEmpty)
        #expect(listed.sorted() == Self.files("Schedules"))
    }

    @Test func keysAreListedOnceAndInOrder() {
        let keys = FaultCatalogue.faultKeys
        #expect(keys == keys.sorted() && Set(keys).count == keys.count)
        #expect(keys.contains("status") && keys.contains("stream") && !keys.contains { $0.contains(".") })
        #expect(FaultCatalogue.keys(in: "stream").contains("cut_after_chunks"))
        #expect(FaultCatalogue.scheduleKeys == ["after", "every", "first", "nth", "probability", "quota", "requests", "time"])
    }
}
