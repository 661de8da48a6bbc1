// libFuzzer target: Portkey config intake and validation, as from an x-portkey-config header,
// the URL splitting that custom hosts go through, and the lab `lab audit` builds from a config.
import LabCore
import LabHTTP
import Gateway
import LabKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPortkeyConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    if let value = try? JSONParser.parse(text) {
        _ = try? PortkeyConfigCheck.check(value)
        // What a real gateway is sent: every custom_host rewritten to a lab address.
        _ = PortkeyConfigCheck.rewritingCustomHosts(value) { $0.isEmpty ? nil : "http://127.0.0.1:1" }
        // Built, not run: its hosts faked, its lab.conf written and read back.
        _ = try? ConfigAudit(file: "fuzz.json", config: value, stream: count % 2 == 0)
    }
    _ = CustomHostPolicy().allows(text)
    // The gateway splits every upstream URL (custom_host + endpoint) on each attempt.
    _ = URLParts(text)
    _ = URLParts("http://" + text)
    return 0
}
