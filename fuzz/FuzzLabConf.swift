// libFuzzer target: lab.conf parsing (YAML through Yams, then every key's checks), and
// `lab check`'s look for models no provider serves in what parsed.
import LabKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabConf(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    if let lab = try? LabConfigParser.parse(text, file: "fuzz.conf") { _ = ModelCoverage.gaps(lab) }
    return 0
}
