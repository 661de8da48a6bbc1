import LabCore

/// Ollama decodes request bodies into Go structs with encoding/json, which refuses a
/// field of the wrong JSON type with a fixed sentence:
/// `json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message`.
/// The mock checks the fields that clients get wrong, nested ones included (a message's
/// `content` sent as OpenAI's list of parts), with encoding/json's sentence and its rules
/// for which mistake is reported. Pure.
enum GoDecoding {
    indirect enum Kind: Sendable {
        case string, bool, number(String)
        /// A Go integer: a number with a fraction does not fit either.
        case integer(String)
        /// `keep_alive` (`api.Duration`): a number of seconds or a duration string. It has its
        /// own `UnmarshalJSON`, so its refusal ends the decoding at once.
        case duration
        /// Any JSON array: its elements are not checked.
        case array(String)
        /// Any JSON object (a map, or a struct whose fields are not checked).
        case object(String)
        /// A JSON array whose elements are each checked as `of`.
        case slice(String, of: Kind)
        /// A JSON object whose fields are checked in turn.
        case structure(GoStruct)
        /// A Go `[]byte` (`api.ImageData`): a string must be standard base64, an array is read
        /// as the bytes themselves.
        case base64(String)
        /// A field whose JSON type Go does not check (`any`, `json.RawMessage`), or whose own
        /// decoder the mock reproduces where it reads it (`think`): listed so its key is found
        /// whatever its case.
        case any

        /// As encoding/json names it in an error.
        var goType: String {
            switch self {
            case .string: return "string"
            case .bool: return "bool"
            case .duration: return "api.Duration"
            case .any: return "interface {}"
            case .number(let t), .integer(let t), .array(let t), .object(let t), .slice(let t, _), .base64(let t): return t
            case .structure(let type): return type.goType
            }
        }
    }

    /// A struct's checked fields. A handful each: a scan that compares lengths first
    /// costs less than hashing every key of every body.
    typealias Fields = KeyValuePairs<String, Kind>

    /// encoding/json's `UnmarshalTypeError` with the context its decoder adds, or another
    /// error met while decoding (broken base64), which carries no context.
    struct DecodeError: Error {
        /// `string`, `array`, or `number 1.5` for a fraction given to an integer.
        var value: String
        var goType: String
        /// The struct being decoded when it happened (`""` for an anonymous one); nil at the top.
        var structName: String?
        /// The field path from the top of the decoder that met it: `messages.content`.
        var field: String
        /// The whole text of an error that is not a type mismatch.
        var plain: String?

        init(value: String, goType: String, structName: String?, field: String) {
            self.value = value
            self.goType = goType
            self.structName = structName
            self.field = field
        }

        init(plain: String) {
            self.init(value: "", goType: "", structName: nil, field: "")
            self.plain = plain
        }

        var message: String {
            if let plain { return plain }
            if structName != nil || !field.isEmpty {
                return "json: cannot unmarshal \(value) into Go struct field \(structName ?? "").\(field) of type \(goType)"
            }
            return "json: cannot unmarshal \(value) into Go value of type \(goType)"
        }
    }

    /// The error encoding/json reports for `body` decoded into `type`, or nil.
    ///
    /// Go keeps the first mismatch in document order and goes on decoding, except inside a
    /// type with its own `UnmarshalJSON` (Ollama's `api.Message`, which lowercases `role`, and
    /// `api.Duration`, which reads `keep_alive`):
    /// that runs a fresh decoder whose error ends the whole decoding at once, so it wins over
    /// a mismatch met earlier, and the outer decoder names its own struct and path in it.
    static func firstError(_ body: JSONValue, _ type: GoStruct) -> DecodeError? {
        guard case .object(let members) = body else {
            return DecodeError(value: goName(body), goType: type.goType, structName: nil, field: "")
        }
        // Nearly every body fits: a plain pass says so; only a misfit is walked again for its error.
        if membersFit(members, type) { return nil }
        var run = Run()
        do {
            try run.checkFields(members, of: type, path: { "" })
        } catch {
            return error
        }
        return run.saved
    }

    private struct Run {
        var saved: DecodeError?

        /// `path` is made only when an error needs it: a body that fits costs no allocation.
        mutating func check(_ value: JSONValue, _ kind: Kind, structName: String?, path: () -> String) throws(DecodeError) {
            if case .null = value { return }
            switch kind {
            case .slice(_, let element):
                if case .array(let items) = value {
                    for item in items { try check(item, element, structName: structName, path: path) }
                    return
                }
            case .structure(let type):
                if let alias = type.unmarshalsInto { return try decodeOnItsOwn(value, alias, structName: structName, path: path) }
                if case .object(let members) = value { return try checkFields(members, of: type, path: path) }
            case .base64:
                if case .string(let text) = value {
                    if saved == nil, let at = Base64.firstCorruptByte(Array(text.utf8)) {
                        saved = DecodeError(plain: "illegal base64 data at input byte \(at)")
                    }
                    return
                }
                if case .array = value { return }
            case .duration:
                if case .failure(let invalid)? = GoDuration.keepAlive(value) { throw DecodeError(plain: invalid.message) }
                return
            case .integer:
                if case .double(let d) = value, d.rounded() != d {
                    if saved == nil { saved = DecodeError(value: "number \(value.compact)", goType: kind.goType, structName: structName, field: path()) }
                    return
                }
                if GoDecoding.fits(value, kind) { return }
            default:
                if GoDecoding.fits(value, kind) { return }
            }
            if saved == nil { saved = DecodeError(value: goName(value), goType: kind.goType, structName: structName, field: path()) }
        }

        mutating func checkFields(_ members: [(String, JSONValue)], of type: GoStruct, path: () -> String) throws(DecodeError) {
            for m in members.indices {
                guard let f = type.field(named: members[m].0) else { continue }
                try check(members[m].1, type.kinds[f], structName: type.name, path: {
                    let outer = path()
                    return outer.isEmpty ? type.names[f] : outer + "." + type.names[f]
                })
            }
        }

        /// A type with its own `UnmarshalJSON` runs a fresh decoder: its error, first or only,
        /// ends the decoding and comes back with this decoder's struct and path.
        private func decodeOnItsOwn(_ value: JSONValue, _ alias: GoStruct, structName: String?, path: () -> String) throws(DecodeError) {
            var inner = Run()
            do {
                if case .object(let members) = value {
                    try inner.checkFields(members, of: alias, path: { "" })
                } else {
                    inner.saved = DecodeError(value: goName(value), goType: alias.goType, structName: nil, field: "")
                }
            } catch {
                inner.saved = error
            }
            guard let found = inner.saved else { return }
            if found.plain != nil { throw found }
            let outer = path()
            throw DecodeError(value: found.value, goType: found.goType, structName: structName,
                            field: found.field.isEmpty ? outer : outer.isEmpty ? found.field : outer + "." + found.field)
        }
    }

    /// Whether every field fits, its key written as the field is named: a key that names a
    /// field in another case makes it say no, so that the body is renamed and checked again.
    static func membersFit(_ members: [(String, JSONValue)], _ type: GoStruct) -> Bool {
        for m in members.indices {
            guard let f = type.field(named: members[m].0) else {
                if type.field(foldedFrom: members[m].0) != nil { return false }
                continue
            }
            if !deepFits(members[m].1, type.kinds[f]) { return false }
        }
        return true
    }

    private static func deepFits(_ value: JSONValue, _ kind: Kind) -> Bool {
        switch value {
        case .null: return true
        case .array(let items):
            guard case .slice(_, let element) = kind else { return fits(value, kind) }
            for item in items where !deepFits(item, element) { return false }
            return true
        case .object(let members):
            guard case .structure(let type) = kind else { return fits(value, kind) }
            return membersFit(members, type.unmarshalsInto ?? type)
        case .double(let d):
            if case .integer = kind, d.rounded() != d { return false }
            return fits(value, kind)
        case .string(let text):
            if case .base64 = kind { return Base64.firstCorruptByte(Array(text.utf8)) == nil }
            if case .duration = kind, case .failure? = GoDuration.keepAlive(value) { return false }
            return fits(value, kind)
        default:
            return fits(value, kind)
        }
    }

    /// Whether a JSON value (not null) has a JSON type the Go type takes.
    static func fits(_ value: JSONValue, _ kind: Kind) -> Bool {
        if case .any = kind { return true }
        switch value {
        case .string:
            switch kind {
            case .string, .duration, .base64: return true
            default: return false
            }
        case .bool: if case .bool = kind { return true }; return false
        case .int, .double:
            switch kind {
            case .number, .integer, .duration: return true
            default: return false
            }
        case .array:
            switch kind {
            case .array, .slice, .base64: return true
            default: return false
            }
        case .object:
            switch kind {
            case .object, .structure: return true
            default: return false
            }
        case .null: return true
        }
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

/// A Go struct that encoding/json fills: its type as errors name it and the fields
/// whose JSON types the mock checks.
final class GoStruct: Sendable {
    /// `api.ChatRequest`.
    let goType: String
    /// `ChatRequest`; empty for an anonymous struct, as Go prints it.
    let name: String
    let fields: GoDecoding.Fields
    /// The fields apart: finding one by index copies no `Kind`.
    let names: [String]
    let lengths: [Int]
    let kinds: [GoDecoding.Kind]
    /// For a type with its own `UnmarshalJSON` that decodes into a local alias type: that type.
    let unmarshalsInto: GoStruct?

    init(_ goType: String, anonymous: Bool = false, unmarshalsInto alias: String? = nil, _ fields: GoDecoding.Fields) {
        self.goType = goType
        self.fields = fields
        names = fields.map(\.key)
        lengths = names.map(\.utf8.count)
        kinds = fields.map(\.value)
        if anonymous {
            name = ""
        } else if let dot = goType.lastIndex(of: ".") {
            name = String(goType[goType.index(after: dot)...])
        } else {
            name = goType
        }
        unmarshalsInto = alias.map { GoStruct($0, fields) }
    }

    /// The index of the checked field named `key`, found by length first.
    func field(named key: String) -> Int? {
        let length = key.utf8.count
        for i in lengths.indices where lengths[i] == length && names[i] == key { return i }
        return nil
    }
}
