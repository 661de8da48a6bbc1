import LabCore
import Yams

/// Reads YAML (and so JSON, its subset) into a `JSONValue`, remembering the line
/// each value started on so errors can say `file:line`.
public struct YAMLDocument {
    public let value: JSONValue
    /// Line numbers by path: `""` is the root, `"[2]"` the third item, `"[2].when.first"` a field in it.
    public let lines: [String: Int]
    public let file: String

    public init(text: String, file: String) throws(ConfigError) {
        self.file = file
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), message: Self.problem(of: error))
        } catch {
            throw ConfigError(file: file, line: nil, message: "\(error)")
        }
        var lines: [String: Int] = [:]
        var budget = Self.maxValues
        do {
            value = try node.map { node throws(TooBig) in try Self.convert(node, path: "", lines: &lines, budget: &budget) } ?? .null
        } catch {
            throw ConfigError(file: file, line: error.line,
                              message: "more than \(Self.maxValues) values once YAML aliases (*name) are expanded: a lab.conf is far smaller; is an alias repeated inside what it refers to?")
        }
        self.lines = lines
    }

    /// The reader that names this document's mistakes by file and line.
    public var reader: ConfigReader { ConfigReader(document: value, file: file, lines: lines) }

    /// Values a document may hold once aliases are expanded: aliases that nest
    /// aliases (a "billion laughs") grow exponentially and must stop early.
    static let maxValues = 200_000

    struct TooBig: Error {
        let line: Int?
    }

    private static func convert(_ node: Node, path: String, lines: inout [String: Int], budget: inout Int) throws(TooBig) -> JSONValue {
        budget -= 1
        if budget < 0 { throw TooBig(line: node.mark?.line) }
        if let mark = node.mark { lines[path] = mark.line }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                switch node.tag.rawValue {
                case Tag.Name.null.rawValue: return .null
                case Tag.Name.bool.rawValue: if let b = node.bool { return .bool(b) }
                case Tag.Name.int.rawValue: if let i = node.int { return .int(i) }
                case Tag.Name.float.rawValue: if let d = node.float { return .double(d) }
                default: break
                }
            }
            return .string(scalar.string)
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            for (key, value) in mapping {
                let name = key.string ?? ""
                members.append((name, try convert(value, path: path.isEmpty ? name : "\(path).\(name)", lines: &lines, budget: &budget)))
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (i, item) in sequence.enumerated() { items.append(try convert(item, path: "\(path)[\(i)]", lines: &lines, budget: &budget)) }
            return .array(items)
        case .alias:
            return .null
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .reader(_, let offset?, _, let yaml): return yaml.prefix(offset).reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return context.map { "\($0.text) \(problem)" } ?? problem
        case .reader(let problem, _, let value, _):
            // Yams' own text quotes the offending line, control characters and all, into
            // the terminal; the character's code says what it is.
            let code = String(UInt32(bitPattern: value), radix: 16, uppercase: true)
            return "\(problem) (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)): is this a text file?"
        default: return "\(error)"
        }
    }
}
