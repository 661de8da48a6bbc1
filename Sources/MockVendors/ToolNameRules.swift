import LabCore

/// Tool names as OpenAI and Anthropic hold them: letters, digits, `_` and `-` only, at most
/// 64 characters on OpenAI and 128 on Anthropic. Ollama takes any name, so a tool named as
/// an MCP server names it (`github.create_issue`, `fs/read`, `mcp::search`) works on the
/// primary and refuses the whole request the day a fallback crosses vendors. Pure.
enum ToolNameRules {
    /// The first tool of an OpenAI `tools` list whose function name OpenAI refuses.
    static func openAI(_ tools: [JSONValue]) -> OpenAIRefusal? {
        // Only function tools carry a function name (OpenAI's newer tool types do not).
        for (i, tool) in tools.enumerated() where (tool["type"]?.stringValue ?? "function") == "function" {
            let param = "tools[\(i)].function.name"
            guard let name = tool["function"]?["name"]?.stringValue else {
                return OpenAIRefusal(message: "Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
            }
            if !allowed(name) {
                return OpenAIRefusal(message: "Invalid '\(param)': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                                     param: param, code: "invalid_value")
            }
            let length = name.unicodeScalars.count
            if length > 64 {
                return OpenAIRefusal(message: "Invalid '\(param)': string too long. Expected a string with maximum length 64, but got a string with length \(length) instead.",
                                     param: param, code: "string_above_max_length")
            }
        }
        return nil
    }

    /// Anthropic's message for the first tool of its `tools` list whose name it refuses.
    static func anthropic(_ tools: [JSONValue]) -> String? {
        for (i, tool) in tools.enumerated() {
            guard let name = tool["name"]?.stringValue else { return "tools.\(i).custom.name: Field required" }
            let length = name.unicodeScalars.count
            if !allowed(name) || length > 128 {
                return "tools.\(i).custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'"
            }
        }
        return nil
    }

    /// `^[a-zA-Z0-9_-]+$`, the empty name aside (OpenAI's pattern asks for one character).
    static func allowed(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45
        }
    }
}
