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

    /// The first field of the wrong type, as Go reports it, or nil.
    static func mismatch(_ body: JSONValue, in structName: String, _ fields: [String: Kind]) -> String? {
        for (key, value) in body.objectValue ?? [] {
            guard let kind = fields[key], value != .null else { continue }
            let goType: String
            let fits: Bool
            switch kind {
            case .string: goType = "string"; fits = value.stringValue != nil
            case .bool: goType = "bool"; fits = value.boolValue != nil
            case .number(let t): goType = t; fits = value.doubleValue != nil
            case .integer(let t):
                goType = t
                if case .double(let d) = value, d.rounded() != d {
                    return "json: cannot unmarshal number \(value.compact) into Go struct field \(structName).\(key) of type \(t)"
                }
                fits = value.doubleValue != nil
            case .array(let t): goType = t; fits = value.arrayValue != nil
            case .object(let t): goType = t; fits = value.objectValue != nil
            case .duration: goType = "api.Duration"; fits = value.doubleValue != nil || value.stringValue != nil
            }
            if !fits {
                return "json: cannot unmarshal \(goName(value)) into Go struct field \(structName).\(key) of type \(goType)"
            }
        }
        return nil
    }

    /// The structs Ollama decodes each endpoint's body into, by the name `withBody` uses.
    static let structs: [String: (name: String, fields: [String: Kind])] = {
        let options = Kind.object("map[string]interface {}")
        let native: [String: (String, [String: Kind])] = [
            "api.ChatRequest": ("ChatRequest", ["model": .string, "messages": .array("[]api.Message"), "stream": .bool, "options": options,
                                                "tools": .array("api.Tools"), "keep_alive": .duration]),
            "api.GenerateRequest": ("GenerateRequest", ["model": .string, "prompt": .string, "suffix": .string, "system": .string,
                                                        "template": .string, "stream": .bool, "raw": .bool, "options": options,
                                                        "images": .array("[]api.ImageData"), "context": .array("[]int"), "keep_alive": .duration]),
            "api.EmbedRequest": ("EmbedRequest", ["model": .string, "truncate": .bool, "dimensions": .integer("int"), "options": options,
                                                  "keep_alive": .duration]),
            "api.EmbeddingRequest": ("EmbeddingRequest", ["model": .string, "prompt": .string, "options": options, "keep_alive": .duration]),
            "api.ShowRequest": ("ShowRequest", ["model": .string, "name": .string, "verbose": .bool, "system": .string]),
            "api.PullRequest": ("PullRequest", ["model": .string, "name": .string, "insecure": .bool, "stream": .bool]),
            "api.CopyRequest": ("CopyRequest", ["source": .string, "destination": .string]),
            "api.DeleteRequest": ("DeleteRequest", ["model": .string, "name": .string]),
        ]
        let openAI: [String: (String, [String: Kind])] = [
            "openai.ChatCompletionRequest": ("ChatCompletionRequest", [
                "model": .string, "messages": .array("[]openai.Message"), "stream": .bool, "stream_options": .object("openai.StreamOptions"),
                "max_tokens": .integer("int"), "seed": .integer("int"), "temperature": .number("float64"), "top_p": .number("float64"),
                "frequency_penalty": .number("float64"), "presence_penalty": .number("float64"),
                "response_format": .object("openai.ResponseFormat"), "tools": .array("[]api.Tool")]),
            "openai.CompletionRequest": ("CompletionRequest", [
                "model": .string, "stream": .bool, "max_tokens": .integer("int"), "seed": .integer("int"), "temperature": .number("float32"),
                "top_p": .number("float32"), "stream_options": .object("openai.StreamOptions")]),
            "openai.EmbedRequest": ("EmbedRequest", ["model": .string, "dimensions": .integer("int"), "encoding_format": .string]),
            "openai.ResponsesRequest": ("ResponsesRequest", ["model": .string, "instructions": .string, "stream": .bool,
                                                             "max_output_tokens": .integer("int"), "tools": .array("[]openai.ResponsesTool")]),
        ]
        return native.merging(openAI) { a, _ in a }
    }()

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
