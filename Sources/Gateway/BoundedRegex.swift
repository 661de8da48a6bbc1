/// A JavaScript regular expression (`new RegExp(pattern).test(text)`, no flags) run
/// by a backtracking matcher that counts its steps and gives up past a budget.
/// The gateway's `$regex` conditions use it: a pattern such as `(a+)+$` backtracks
/// exponentially, and on a loop that also carries the mocks and the route it must
/// not be allowed to run for minutes. Counting steps rather than time keeps the
/// outcome the same on every run. Pure.
struct BoundedRegex {
    struct TooSlow: Error, Equatable {
        let steps: Int
    }

    struct Invalid: Error, Equatable {
        let message: String
    }

    /// What one `test` may spend: a few milliseconds of a release build's time.
    static let defaultBudget = 200_000
    /// How deep the backtracking may nest. Each character a loop consumes is a few stack
    /// frames deeper, so `^(a)*$` against a 50 KB header value would overflow the stack
    /// long before the step budget ran out.
    static let maxDepth = 2_000

    indirect enum Node {
        case empty
        case scalar(Unicode.Scalar)
        case any
        case set([ClassItem], negated: Bool)
        case start, end
        case wordBoundary(negated: Bool)
        case group(Node, capture: Int?)
        case backreference(Int)
        case sequence([Node])
        case alternation([Node])
        case loop(Node, min: Int, max: Int?, greedy: Bool)
        case lookahead(Node, negated: Bool)
    }

    enum ClassItem {
        case scalar(Unicode.Scalar)
        case range(Unicode.Scalar, Unicode.Scalar)
        case digit(Bool), word(Bool), space(Bool)

        func contains(_ c: Unicode.Scalar) -> Bool {
            switch self {
            case .scalar(let s): return s == c
            case .range(let a, let b): return a.value <= c.value && c.value <= b.value
            case .digit(let yes): return BoundedRegex.isDigit(c) == yes
            case .word(let yes): return BoundedRegex.isWord(c) == yes
            case .space(let yes): return BoundedRegex.isSpace(c) == yes
            }
        }
    }

    let root: Node
    let groups: Int

    init(_ pattern: String) throws(Invalid) {
        var parser = Parser(Array(pattern.unicodeScalars))
        root = try parser.parseAll()
        groups = parser.groupCount
    }

    /// Whether the pattern matches anywhere in `text`; throws past `budget` steps or
    /// `maxDepth` nested ones.
    func test(_ text: String, budget: Int = BoundedRegex.defaultBudget) throws(TooSlow) -> Bool {
        let matcher = Matcher(text: Array(text.unicodeScalars), groups: groups, budget: budget)
        do {
            for start in 0...matcher.text.count {
                matcher.captures = Array(repeating: nil, count: groups + 1)
                if try matcher.match(root, start, { _ in true }) { return true }
            }
            return false
        } catch {
            throw TooSlow(steps: matcher.steps)
        }
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    static func isWord(_ c: Unicode.Scalar) -> Bool { isDigit(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF].contains(c.value)
            || (0x2000...0x200A).contains(c.value)
    }
    static func isLineTerminator(_ c: Unicode.Scalar) -> Bool { [0x0A, 0x0D, 0x2028, 0x2029].contains(c.value) }
}

extension BoundedRegex {
    private struct OverBudget: Error {}

    /// Backtracking by continuations: `match(node, at, then)` tries each way `node`
    /// can match at `at` and asks `then` whether the rest matches from there.
    private final class Matcher {
        let text: [Unicode.Scalar]
        var captures: [Range<Int>?]
        var steps = 0
        var depth = 0
        let budget: Int

        init(text: [Unicode.Scalar], groups: Int, budget: Int) {
            self.text = text
            captures = Array(repeating: nil, count: groups + 1)
            self.budget = budget
        }

        func match(_ node: Node, _ i: Int, _ k: (Int) throws -> Bool) throws -> Bool {
            steps += 1
            depth += 1
            defer { depth -= 1 }
            if steps > budget || depth > BoundedRegex.maxDepth { throw OverBudget() }
            switch node {
            case .empty:
                return try k(i)
            case .scalar(let c):
                return i < text.count && text[i] == c ? try k(i + 1) : false
            case .any:
                return i < text.count && !BoundedRegex.isLineTerminator(text[i]) ? try k(i + 1) : false
            case .set(let items, let negated):
                guard i < text.count else { return false }
                return items.contains(where: { $0.contains(text[i]) }) != negated ? try k(i + 1) : false
            case .start:
                return i == 0 ? try k(i) : false
            case .end:
                return i == text.count ? try k(i) : false
            case .wordBoundary(let negated):
                let before = i > 0 && BoundedRegex.isWord(text[i - 1])
                let after = i < text.count && BoundedRegex.isWord(text[i])
                return (before != after) != negated ? try k(i) : false
            case .group(let inner, let capture):
                guard let n = capture else { return try match(inner, i, k) }
                let saved = captures[n]
                if try match(inner, i, { j in
                    let before = self.captures[n]
                    self.captures[n] = i..<j
                    if try k(j) { return true }
                    self.captures[n] = before
                    return false
                }) { return true }
                captures[n] = saved
                return false
            case .backreference(let n):
                guard n < captures.count, let range = captures[n] else { return try k(i) }
                let length = range.count
                guard i + length <= text.count, Array(text[range]) == Array(text[i..<i + length]) else { return false }
                return try k(i + length)
            case .sequence(let nodes):
                return try sequence(nodes[...], i, k)
            case .alternation(let options):
                for option in options where try match(option, i, k) { return true }
                return false
            case .loop(let inner, let min, let max, let greedy):
                return try loop(inner, min: min, max: max, greedy: greedy, count: 0, i, k)
            case .lookahead(let inner, let negated):
                let saved = captures
                let found = try match(inner, i) { _ in true }
                if negated {
                    captures = saved
                    return found ? false : try k(i)
                }
                if !found { return false }
                if try k(i) { return true }
                captures = saved
                return false
            }
        }

        private func sequence(_ nodes: ArraySlice<Node>, _ i: Int, _ k: (Int) throws -> Bool) throws -> Bool {
            guard let first = nodes.first else { return try k(i) }
            return try match(first, i) { j in try self.sequence(nodes.dropFirst(), j, k) }
        }

        private func loop(_ inner: Node, min: Int, max: Int?, greedy: Bool, count: Int, _ i: Int, _ k: (Int) throws -> Bool) throws -> Bool {
            if let max, count >= max { return try k(i) }
            func again() throws -> Bool {
                try match(inner, i) { j in
                    // An iteration that matched nothing cannot repeat (as in JavaScript).
                    if j == i, count >= min { return false }
                    return try self.loop(inner, min: min, max: max, greedy: greedy, count: count + 1, j, k)
                }
            }
            if count < min { return try again() }
            if greedy { return try again() || k(i) }
            return try k(i) || again()
        }
    }
}

extension BoundedRegex {
    /// JavaScript's pattern grammar (with the web's lenient extras: a `{` that starts
    /// no quantifier is a literal, `]` alone is a literal). Lookbehind is refused.
    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var groupCount = 0

        init(_ s: [Unicode.Scalar]) { self.s = s }

        func fail(_ why: String) -> Invalid { Invalid(message: "Invalid regular expression: \(why)") }
        var atEnd: Bool { i >= s.count }
        func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

        mutating func parseAll() throws(Invalid) -> Node {
            let node = try alternation()
            guard atEnd else { throw fail("Unmatched ')'") }
            return node
        }

        mutating func alternation() throws(Invalid) -> Node {
            var options = [try sequence()]
            while peek() == "|" {
                i += 1
                options.append(try sequence())
            }
            return options.count == 1 ? options[0] : .alternation(options)
        }

        mutating func sequence() throws(Invalid) -> Node {
            var items: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                var atom = try self.atom()
                atom = try quantified(atom)
                items.append(atom)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        mutating func number() -> Int? {
            var digits = ""
            while let c = peek(), BoundedRegex.isDigit(c) { digits.unicodeScalars.append(c); i += 1 }
            return digits.isEmpty ? nil : Int(digits.prefix(9))
        }

        mutating func quantified(_ atom: Node) throws(Invalid) -> Node {
            guard let c = peek() else { return atom }
            var min = 0, max: Int?
            switch c {
            case "*": i += 1
            case "+": i += 1; min = 1
            case "?": i += 1; max = 1
            case "{":
                let start = i
                i += 1
                guard let lo = number() else { i = start; return atom }
                min = lo
                max = lo
                if peek() == "," {
                    i += 1
                    max = number()
                }
                guard peek() == "}" else { i = start; return atom }
                i += 1
                if let max, max < min { throw fail("numbers out of order in {} quantifier") }
            default:
                return atom
            }
            switch atom {
            case .start, .end, .wordBoundary, .lookahead: throw fail("Nothing to repeat")
            default: break
            }
            var greedy = true
            if peek() == "?" { i += 1; greedy = false }
            return .loop(atom, min: min, max: max, greedy: greedy)
        }

        mutating func atom() throws(Invalid) -> Node {
            let c = s[i]
            i += 1
            switch c {
            case ".": return .any
            case "^": return .start
            case "$": return .end
            case "*", "+", "?": throw fail("Nothing to repeat")
            case "{":
                i -= 1
                let start = i
                i += 1
                if number() != nil, peek() == "}" || peek() == "," { throw fail("Nothing to repeat") }
                i = start + 1
                return .scalar("{")
            case "(":
                var capture: Int?
                if peek() == "?" {
                    switch peek(1) {
                    case ":": i += 2
                    case "=", "!":
                        let negated = peek(1) == "!"
                        i += 2
                        let inner = try alternation()
                        guard peek() == ")" else { throw fail("Unterminated group") }
                        i += 1
                        return .lookahead(inner, negated: negated)
                    case "<" where peek(2) == "=" || peek(2) == "!":
                        throw fail("lookbehind is not supported by the lab's bounded matcher")
                    case "<":
                        i += 2
                        while let n = peek(), n != ">" { i += 1 }
                        guard peek() == ">" else { throw fail("Invalid capture group name") }
                        i += 1
                        groupCount += 1
                        capture = groupCount
                    default: throw fail("Invalid group")
                    }
                } else {
                    groupCount += 1
                    capture = groupCount
                }
                let inner = try alternation()
                guard peek() == ")" else { throw fail("Unterminated group") }
                i += 1
                return .group(inner, capture: capture)
            case "[": return try characterClass()
            case "\\": return try escape(inClass: false).node
            default: return .scalar(c)
            }
        }

        mutating func characterClass() throws(Invalid) -> Node {
            var negated = false
            if peek() == "^" { negated = true; i += 1 }
            var items: [ClassItem] = []
            while let c = peek(), c != "]" {
                i += 1
                var item: ClassItem
                if c == "\\" { item = try escape(inClass: true).item } else { item = .scalar(c) }
                if peek() == "-", let next = peek(1), next != "]", case .scalar(let low) = item {
                    i += 1
                    let hiChar = s[i]
                    i += 1
                    var high = ClassItem.scalar(hiChar)
                    if hiChar == "\\" { high = try escape(inClass: true).item }
                    guard case .scalar(let hi) = high else { items += [item, .scalar("-"), high]; continue }
                    guard low.value <= hi.value else { throw fail("Range out of order in character class") }
                    item = .range(low, hi)
                }
                items.append(item)
            }
            guard peek() == "]" else { throw fail("Unterminated character class") }
            i += 1
            return .set(items, negated: negated)
        }

        mutating func escape(inClass: Bool) throws(Invalid) -> (node: Node, item: ClassItem) {
            guard let c = peek() else { throw fail("\\ at end of pattern") }
            i += 1
            func one(_ s: Unicode.Scalar) -> (Node, ClassItem) { (.scalar(s), .scalar(s)) }
            func set(_ item: ClassItem) -> (Node, ClassItem) { (.set([item], negated: false), item) }
            switch c {
            case "d": return set(.digit(true))
            case "D": return set(.digit(false))
            case "w": return set(.word(true))
            case "W": return set(.word(false))
            case "s": return set(.space(true))
            case "S": return set(.space(false))
            case "b": return inClass ? one("\u{08}") : (.wordBoundary(negated: false), .scalar("b"))
            case "B": return (.wordBoundary(negated: true), .scalar("B"))
            case "n": return one("\n")
            case "r": return one("\r")
            case "t": return one("\t")
            case "v": return one("\u{0B}")
            case "f": return one("\u{0C}")
            case "0" where !(peek().map(BoundedRegex.isDigit) ?? false): return one("\u{00}")
            case "x", "u":
                let width = c == "x" ? 2 : 4
                let hex = String(String.UnicodeScalarView(s[i..<Swift.min(i + width, s.count)]))
                if hex.count == width, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) {
                    i += width
                    return one(scalar)
                }
                return one(c)
            case "c":
                if let l = peek(), ("a"..."z").contains(l) || ("A"..."Z").contains(l) {
                    i += 1
                    return one(Unicode.Scalar(l.value % 32)!)
                }
                return one("\\")
            case "1"..."9" where !inClass:
                i -= 1
                let n = number() ?? 0
                return (.backreference(n), .scalar(c))
            default:
                return one(c)
            }
        }
    }
}
