import LabCore
import LabHTTP

/// Reads fault rules from JSON (the control API) or YAML turned into JSON (files,
/// lab.conf). Errors name the rule and the field and say what was expected.
public enum FaultRuleParser {

    public static func parse(_ value: JSONValue) throws(ConfigError) -> [FaultRule] {
        guard case .array(let items) = value else {
            throw ConfigError(file: nil, line: nil, message: "fault rules must be a list (JSON array), got \(value.typeName)")
        }
        var rules: [FaultRule] = []
        for (i, item) in items.enumerated() {
            rules.append(try parseRule(ConfigReader(value: item, label: "rule \(i + 1)"), number: i + 1))
        }
        return rules
    }

    /// The rule `reader` reads; errors name it `rule N` (and its name) and the field.
    public static func parseRule(_ reader: ConfigReader, number: Int) throws(ConfigError) -> FaultRule {
        let value = reader.value
        let r = reader.at("", label: value["name"]?.stringValue.map { "rule \(number) (\"\($0)\")" } ?? "rule \(number)")
        guard case .object(let members) = value else { throw r.fail("", "expected an object with match, when and fault, got \(value.typeName)") }
        for (key, _) in members where !["name", "match", "when", "fault"].contains(key) {
            throw r.fail(key, "unknown key (a rule has name, match, when and fault)")
        }
        let match = try parseMatch(value["match"], r)
        let when = try parseWhen(value["when"], r)
        var faults = try parseFault(value["fault"], r)
        if faults.isEmpty {
            guard let implied = when.lazy.compactMap(\.impliedFault).first else {
                throw r.fail("fault", "required: one or more of \(FaultCatalogue.faultKeys.joined(separator: ", "))")
            }
            faults = [implied]
        }
        return FaultRule(name: value["name"]?.stringValue ?? "rule \(number)", match: match, when: when, faults: faults, source: value)
    }

    static func parseMatch(_ value: JSONValue?, _ r: ConfigReader) throws(ConfigError) -> RequestMatch {
        guard let value, !value.isNull else { return RequestMatch() }
        guard case .object(let members) = value else { throw r.fail("match", "expected an object, got \(value.typeName)") }
        var match = RequestMatch()
        for (key, v) in members {
            switch key {
            case "path": match.path = try r.string(v, "match.path")
            case "method": match.method = try r.string(v, "match.method")
            case "model": match.model = try r.string(v, "match.model")
            case "header":
                guard case .object(let pairs) = v, pairs.count == 1, let valueText = pairs[0].1.stringValue else {
                    throw r.fail("match.header", "expected one header as {NAME: VALUE-GLOB}")
                }
                match.header = (pairs[0].0, valueText)
            case "body":
                guard case .object(let pairs) = v, !pairs.isEmpty else {
                    throw r.fail("match.body", "expected JSON paths mapped to values, e.g. {\"messages[-1].role\": assistant, \"$tokens\": {min: 4000}}")
                }
                for (path, want) in pairs {
                    let expected: BodyCondition.Expected
                    switch want {
                    case .string(let s): expected = .glob(s)
                    case .int, .double, .bool, .null: expected = .exact(want)
                    case .object:
                        try r.keys(want, "match.body.\(path)", ["min", "max"])
                        expected = .range(min: want["min"]?.doubleValue, max: want["max"]?.doubleValue)
                    case .array: throw r.fail("match.body.\(path)", "expected a glob, a number, a boolean or {min, max}")
                    }
                    match.body.append(BodyCondition(path: path, expected: expected))
                }
            default: throw r.fail("match.\(key)", "unknown key (match takes path, method, model, header, body)")
            }
        }
        return match
    }

    static func parseWhen(_ value: JSONValue?, _ r: ConfigReader) throws(ConfigError) -> [any ScheduleCondition] {
        guard let value, !value.isNull else { return [] }
        guard case .object(let members) = value else { throw r.fail("when", "expected an object, got \(value.typeName)") }
        var out: [any ScheduleCondition] = []
        for (key, v) in members {
            guard let kind = FaultCatalogue.schedules.first(where: { $0.key == key }) else {
                throw r.fail("when.\(key)", "unknown schedule (when takes \(FaultCatalogue.scheduleKeys.joined(separator: ", ")))")
            }
            out.append(try kind.parse(v, field: "when.\(key)", r))
        }
        return out
    }

    static func parseFault(_ value: JSONValue?, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let value, !value.isNull else { return [] }
        guard case .object(let members) = value else { throw r.fail("fault", "expected an object such as {status: 503}, got \(value.typeName)") }
        let keys = FaultCatalogue.faultKeys
        for (key, _) in members where !keys.contains(key) {
            throw r.fail("fault.\(key)", "unknown fault (one of \(keys.joined(separator: ", ")))")
        }
        for (group, v) in members where !FaultCatalogue.keys(in: group).isEmpty {
            try r.keys(v, "fault.\(group)", FaultCatalogue.keys(in: group))
        }
        var faults: [any Fault] = []
        var groupsFound: Set<String> = []
        for kind in FaultCatalogue.faults {
            let parsed = try kind.parse(value, r)
            faults += parsed
            if !parsed.isEmpty, let first = kind.keys.first, first.contains(".") { groupsFound.insert(String(first.prefix { $0 != "." })) }
        }
        for (group, _) in members where !FaultCatalogue.keys(in: group).isEmpty {
            let kinds = FaultCatalogue.faults.filter { $0.keys.first?.hasPrefix(group + ".") == true }
            if !groupsFound.contains(group) {
                let names = kinds.compactMap { $0.keys.first.map { String($0.dropFirst(group.count + 1)) } }.sorted()
                throw r.fail("fault.\(group)", "expected \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
            }
        }
        return faults
    }
}
