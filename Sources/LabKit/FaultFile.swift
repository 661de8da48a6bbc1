import FaultInjector
import Foundation
import LabCore

/// A file of fault rules for `lab mock --faults`: a YAML or JSON list.
public enum FaultFile {
    public static func load(_ path: String) throws(ConfigError) -> [FaultRule] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, message: "cannot read the file")
        }
        let doc = try YAMLDocument(text: String(decoding: data, as: UTF8.self), file: path).reader
        guard case .array(let items) = doc.value else {
            throw doc.fail("", "expected a list of fault rules (each with match, when, fault), got \(doc.value.typeName)")
        }
        var rules: [FaultRule] = []
        for i in items.indices {
            rules.append(try FaultRuleParser.parseRule(doc.at("[\(i)]"), number: i + 1))
        }
        return rules
    }
}
