import LabCore

/// Ollama decodes request bodies into Go structs with encoding/json, which refuses a
/// field of the wrong JSON type with a fixed sentence:
/// `json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message`.
/// The mock checks the fields that clients get wrong, with that sentence. Pure.
enum GoDecoding {
    enum Kind {
        case string, bool, number(String), array(String), object(String)
        /// A Go integer: a number with a fraction does not fit either.
        case integer(String)
        /// `keep_alive`: a number of seconds or a duration string.
        case duration
    }

    /// A struct's checked fields. A handful each: a scan that compares lengths first
    /// costs less than hashing every key of every body.
    typealias Fields = KeyValuePairs<String, Kind>

    /// The first field of the wrong type, as Go reports it, or nil.
    static func mismatch(_ body: JSONValue, in structName: @autoclosure () -> String, _ fields: Fields) -> String? {
        for (key, value) in body.objectValue ?? [] {
            if case .null = value { continue }
            let length = key.utf8.count
            guard let kind = fields.first(where: { $0.key.utf8.count == length && $0.key == key })?.value else { continue }
            let goType: String
            let fits: Bool
            switch kind {
            case .string: goType = "string"; fits = value.stringValue != nil
            case .bool: goType = "bool"; fits = value.boolValue != nil
            case .number(let t): goType = t; fits = value.doubleValue != nil
            case .integer(let t):
                goType = t
                if case .double(let d) = value, d.rounded() != d {
                    return "json: cannot unmarshal number \(value.compact) into Go struct field \(structName()).\(key) of type \(t)"
                }
                fits = value.doubleValue != nil
            case .array(let t): goType = t; fits = value.arrayValue != nil
            case .object(let t): goType = t; fits = value.objectValue != nil
            case .duration: goType = "api.Duration"; fits = value.doubleValue != nil || value.stringValue != nil
            }
            if !fits {
                return "json: cannot unmarshal \(goName(value)) into Go struct field \(structName()).\(key) of type \(goType)"
            }
        }
        return nil
    }

    static func goName(_ value: JSONValue) -> String {
        switch value {
        case .string: return "string"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .array: return "array"
        case .object: return "object"
        case .null: return "null"
        }
    }
}
