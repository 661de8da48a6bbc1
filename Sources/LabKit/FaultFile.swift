import FaultInjector
import Foundation
import LabCore

/// A file of fault rules for `lab mock --faults`: a YAML or JSON list.
public enum FaultFile {
    public static func load(_ path: String) throws(ConfigError) -> [FaultRule] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, message: "cannot read the file")
        }
        let doc = try YAMLDocument(text: String(decoding: data, as: UTF8.self), file: path)
        guard case .array(let items) = doc.value else {
            throw doc.error(at: "", "expected a list of fault rules (each with match, when, fault), got \(doc.value.typeName)")
        }
        var rules: [FaultRule] = []
        for (i, item) in items.enumerated() {
            do {
                rules.append(try FaultRuleParser.parseRule(item, number: i + 1))
            } catch {
                throw doc.error(at: "[\(i)]", error.message)
            }
        }
        return rules
    }
}
