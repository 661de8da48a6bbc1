import Glibc
import LabCore

/// An ordered list of header fields; names compare case-insensitively, order and
/// spelling are kept as sent.
public struct HTTPHeaders: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name.lowercased() == $1.name.lowercased() && $0.value == $1.value }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        // Lengths first: most fields differ in length from the one sought.
        let length = name.utf8.count
        for field in fields where field.name.utf8.count == length && Self.same(field.name, name) { return field.value }
        return nil
    }

    /// What a response head is framed by — `Content-Length` present, the first
    /// `Connection`, `Date` present — found in one pass (by length first) instead of three.
    func framingFields() -> (contentLength: Bool, connection: String?, date: Bool) {
        var found: (contentLength: Bool, connection: String?, date: Bool) = (false, nil, false)
        for field in fields {
            switch field.name.utf8.count {
            case 14 where !found.contentLength: found.contentLength = Self.same(field.name, "Content-Length")
            case 10 where found.connection == nil: if Self.same(field.name, "Connection") { found.connection = field.value }
            case 4 where !found.date: found.date = Self.same(field.name, "Date")
            default: break
            }
        }
        return found
    }

    public func values(_ name: String) -> [String] {
        fields.filter { Self.same($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    /// Keeps the first `n` fields; the storage is kept when nothing else shares it.
    mutating func keepFirst(_ n: Int) {
        if fields.count > n { fields.removeSubrange(n...) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field of that name with one.
    public mutating func set(_ name: String, _ value: String) {
        if contains(name) { remove(name) }
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.same($0.name, name) }
    }

    /// `Name: value\r\n` for each field, as they go on the wire, leaving out the fields
    /// named `skipped` or `alsoSkipped` (ones the writer replaces).
    func write(to out: inout ByteBuffer, except skipped: String? = nil, _ alsoSkipped: String? = nil) {
        for (name, value) in fields {
            if let skipped, Self.same(name, skipped) { continue }
            if let alsoSkipped, Self.same(name, alsoSkipped) { continue }
            Self.writeField(name, value, to: &out)
        }
    }

    static func writeField(_ name: String, _ value: String, to out: inout ByteBuffer) {
        out.appendUTF8(name)
        out.append(": ")
        out.appendUTF8(value)
        out.append("\r\n")
    }

    /// The same fields in the same order, each spelt the same (`==` ignores the names' case).
    func isSpelledAs(_ other: HTTPHeaders) -> Bool {
        guard fields.count == other.fields.count else { return false }
        for i in fields.indices where fields[i].name != other.fields[i].name || fields[i].value != other.fields[i].value { return false }
        return true
    }

    public var isEmpty: Bool { fields.isEmpty }
    public var count: Int { fields.count }

    /// A received field name as a string: the names nearly every client sends come back
    /// as literals (no allocation, no UTF-8 validation), in the spelling they arrived in.
    static func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        commonNames.find(bytes) ?? String(decoding: bytes, as: UTF8.self)
    }

    private static let commonNames: KnownStrings = {
        let names = ["Host", "Content-Type", "Content-Length", "User-Agent", "Accept", "Accept-Encoding",
                     "Connection", "Authorization"]
        return KnownStrings(names + names.map { $0.lowercased() })
    }()

    /// ASCII case-insensitive comparison, without allocating: header names are ASCII.
    public static func same(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        if a == b { return true }
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<x.count where x[i] != y[i] {
                    let p = x[i], q = y[i]
                    if (p >= 65 && p <= 90 ? p + 32 : p) != (q >= 65 && q <= 90 ? q + 32 : q) { return false }
                }
                return true
            }
        }
    }
}

extension HTTPHeaders {
    /// Set by the lab's gateway and edge route on every request they send on, so a
    /// mock's control API can tell a relayed request from a person's and refuse it.
    public static let labRelay = "x-lab-via"
}
