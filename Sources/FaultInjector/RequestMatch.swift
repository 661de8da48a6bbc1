import LabCore
import LabHTTP

/// A rule's `match`: every given field must hold. Paths and header values are globs
/// (`*` any run of characters, `?` one character); methods and models compare
/// case-insensitively, models with Ollama's default tag (`llama3` is `llama3:latest`).
public struct RequestMatch: Sendable {
    public var path: String?
    public var method: String?
    public var model: String?
    public var header: (name: String, value: String)?
    /// Conditions on the JSON body; a body that is not JSON matches none.
    public var body: [BodyCondition] = []

    public init(path: String? = nil, method: String? = nil, model: String? = nil, header: (name: String, value: String)? = nil) {
        self.path = path
        self.method = method
        self.model = model
        self.header = header
    }

    public func matches(_ request: HTTPRequest, model requestModel: String?) -> Bool {
        if let path, !Glob.matches(path, request.path) { return false }
        if let method, method.uppercased() != request.method.uppercased() { return false }
        if let model {
            guard let requestModel, Self.modelKey(model) == Self.modelKey(requestModel) else { return false }
        }
        if let header {
            guard let value = request.headers[header.name], Glob.matches(header.value, value) else { return false }
        }
        if !body.isEmpty {
            guard let json = try? JSONParser.parse(request.body), body.allSatisfy({ $0.holds(json) }) else { return false }
        }
        return true
    }

    /// Names compare as Ollama compares them (`llama3` = `llama3:latest`); a name Ollama
    /// would refuse compares as written.
    static func modelKey(_ name: String) -> String { ModelName(name)?.key ?? name.lowercased() }
}

public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
