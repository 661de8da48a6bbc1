/// An Ollama model name, `[host/][namespace/]model[:tag]`, with Ollama's defaults
/// (`registry.ollama.ai`, `library`, `latest`). Names match case-insensitively.
public struct ModelName: Hashable, Sendable, CustomStringConvertible {
    public static let defaultHost = "registry.ollama.ai"
    public static let defaultNamespace = "library"
    public static let defaultTag = "latest"

    public let host: String
    public let namespace: String
    public let model: String
    public let tag: String

    public init?(_ raw: String) {
        let trimmed = raw.trimmingSpaces
        guard !trimmed.isEmpty else { return nil }
        var parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else { return nil }
        var last = parts.removeLast()
        var tag = Self.defaultTag
        if let colon = last.lastIndex(of: ":") {
            tag = String(last[last.index(after: colon)...])
            last = String(last[..<colon])
        }
        let namespace = parts.popLast() ?? Self.defaultNamespace
        let host = parts.popLast() ?? Self.defaultHost
        guard Self.validPart(last), Self.validPart(tag), Self.validPart(namespace), !host.isEmpty else { return nil }
        self.host = host
        self.namespace = namespace
        self.model = last
        self.tag = tag
        key = Self.shown(host: host, namespace: namespace, model: last, tag: tag).lowercased()
    }

    /// `model:tag`, `namespace/model:tag`, or with the host when it is not the default.
    public var description: String { Self.shown(host: host, namespace: namespace, model: model, tag: tag) }

    static func shown(host: String, namespace: String, model: String, tag: String) -> String {
        var shown = "\(model):\(tag)"
        if namespace.lowercased() != defaultNamespace || host.lowercased() != defaultHost { shown = "\(namespace)/\(shown)" }
        if host.lowercased() != defaultHost { shown = "\(host)/\(shown)" }
        return shown
    }

    /// `registry.ollama.ai/library/llama3:latest`, as Ollama's capability errors print it.
    public var fullName: String { "\(host)/\(namespace)/\(model):\(tag)" }

    /// The form names are compared by (made once: seeds and lookups use it on every request).
    public let key: String

    public static func == (a: ModelName, b: ModelName) -> Bool { a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    static func validPart(_ part: String) -> Bool {
        guard let first = part.unicodeScalars.first, part.utf8.count <= 80 else { return false }
        func word(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
        return word(first) && part.unicodeScalars.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }
}

extension String {
    /// The string without Unicode whitespace at either end.
    public var trimmingSpaces: String {
        // Most strings start and end with a visible ASCII character: nothing to trim, and
        // no Unicode property lookups to find that out.
        // (The first and last bytes read from the contiguous bytes: `utf8.last` is a generic
        // walk back.)
        var copy = self
        if copy.withUTF8({ $0.count > 0 && (0x21..<0x7F).contains($0[0]) && (0x21..<0x7F).contains($0[$0.count - 1]) }) {
            return self
        }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
