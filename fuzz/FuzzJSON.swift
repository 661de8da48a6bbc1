// libFuzzer target: the JSON parser never crashes, and what it accepts round-trips.
@testable import LabCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let again = try? JSONParser.parse(value.compactBytes)
    precondition(again == value, "JSON did not round-trip: \(value.compact)")
    return 0
}
