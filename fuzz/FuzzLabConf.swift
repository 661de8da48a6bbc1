// libFuzzer target: lab.conf parsing (YAML through Yams, then every key's checks).
import LabKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabConf(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = try? LabConfigParser.parse(text, file: "fuzz.conf")
    return 0
}
