import LabCore

/// Reads the fields of one fault rule, and says which rule and field a mistake is in.
public struct RuleReader: Sendable {
    let label: String

    public func fail(_ field: String, _ message: String) -> FaultRuleError {
        FaultRuleError(field.isEmpty ? "\(label): \(message)" : "\(label): \(field): \(message)")
    }

    public func int(_ v: JSONValue, _ field: String, min: Int) throws(FaultRuleError) -> Int {
        guard let i = v.intValue else { throw fail(field, "expected a whole number, got \(v)") }
        guard i >= min else { throw fail(field, "expected at least \(min), got \(i)") }
        return i
    }

    /// An optional whole number: nil when the key is absent.
    public func int(_ object: JSONValue, key: String, _ field: String, min: Int) throws(FaultRuleError) -> Int? {
        guard let v = object[key] else { return nil }
        return try int(v, field, min: min)
    }

    public func string(_ v: JSONValue, _ field: String) throws(FaultRuleError) -> String {
        guard let s = v.stringValue else { throw fail(field, "expected a string, got \(v)") }
        return s
    }

    public func keys(_ v: JSONValue, _ field: String, _ allowed: [String]) throws(FaultRuleError) {
        guard case .object(let members) = v else { throw fail(field, "expected an object with \(allowed.joined(separator: ", "))") }
        for (key, _) in members where !allowed.contains(key) {
            throw fail("\(field).\(key)", "unknown key (expected \(allowed.joined(separator: ", ")))")
        }
    }
}
